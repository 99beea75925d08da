"""The public API end to end: invoices, journal, matcher, sessions, signatures, delivery."""

from __future__ import annotations

import base64
import copy
import json
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import paystate
import pytest
from conftest import REPO, T0, make_invoice
from paystate import Command, EventType, Invoice, JournalEntry, Status

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_version() -> None:
    assert paystate.__version__.count(".") == 2


def test_invoice_lifecycle_and_events() -> None:
    inv, created = make_invoice(due="5", tolerance=paystate.Tolerance.absolute("1"))
    assert [e.type for e in created] == [EventType.CREATED]
    assert created[0].id == "inv_1:1"
    assert inv.next_deadline() == T0 + timedelta(seconds=1800)
    evs = inv.observe_transfer("t1", "4", "USDT_TRC20", confirmed=False, now=T0)
    assert [e.type for e in evs] == [EventType.PAYMENT_RECEIVED, EventType.PROCESSING]
    assert evs[0].amount == Decimal("4")
    assert evs[0].tx_id == "t1"
    assert inv.status == Status.PROCESSING
    assert inv.amount_pending == Decimal("4")
    evs = inv.confirm_transfer("t1", now=T0 + timedelta(minutes=1))
    assert [e.type for e in evs] == [EventType.PAID]
    assert evs[0].snapshot.amount_paid == Decimal("4")
    assert inv.next_deadline() is None
    assert inv.version == 3
    assert inv.threshold == Decimal("4")
    payload = evs[0].to_dict()
    assert payload["type"] == "invoice.paid"
    assert payload["amount_paid"] == "4"
    assert json.loads(evs[0].to_json()) == payload
    t = inv.transfers[0]
    assert (t.tx_id, t.amount, t.confirmed, t.counted) == ("t1", Decimal("4"), True, True)


def test_refunds() -> None:
    inv, _ = make_invoice()
    inv.observe_transfer("t1", "12", "USDT_TRC20", confirmed=True, now=T0)
    assert inv.exceptions == frozenset({paystate.InvoiceException.OVERPAID})
    evs = inv.request_refund("r1", Decimal("2"), now=T0)
    assert [e.type for e in evs] == [EventType.REFUND_REQUESTED]
    inv.settle_refund("r1", paystate.RefundOutcome.SUCCEEDED, now=T0)
    assert inv.status == Status.PAID
    assert inv.snapshot().amount_refunded == Decimal("2")
    inv.request_refund("r2", now=T0)
    inv.settle_refund("r2", "succeeded", now=T0)
    assert inv.status == Status.REFUNDED
    assert [r.state for r in inv.refunds] == ["succeeded", "succeeded"]


def test_expiry_tick_and_status_at() -> None:
    inv, _ = make_invoice(expires_in=60)
    later = T0 + timedelta(seconds=60)
    assert inv.status_at(later) == Status.EXPIRED
    assert inv.status == Status.PENDING
    assert [e.type for e in inv.tick(later)] == [EventType.EXPIRED]


def test_failed_command_leaves_state_untouched() -> None:
    inv, _ = make_invoice()
    before = inv.to_json()
    with pytest.raises(paystate.TransitionError):
        inv.confirm_transfer("nope", now=T0 + timedelta(seconds=5000))
    assert inv.to_json() == before


def test_state_json_round_trip_and_copy() -> None:
    inv, _ = make_invoice(reference="ORDER-1")
    inv.observe_transfer("t1", "3", "USDT_TRC20", confirmed=True, now=T0)
    text = inv.to_json()
    back = Invoice.from_json(text)
    assert back == inv
    assert Invoice.from_json(text.encode()) == inv
    assert json.loads(text)["schema_version"] == 1
    dup = copy.deepcopy(inv)
    dup.observe_transfer("t2", "7", "USDT_TRC20", confirmed=True, now=T0)
    assert dup != inv
    assert inv.copy() == inv
    assert inv.spec.reference == "ORDER-1"


def _handles() -> list[tuple[Any, Callable[[Any], object]]]:
    """One of each stateful handle, with a change that makes a copy differ."""
    inv, _ = make_invoice()
    matcher = paystate.Matcher()
    matcher.allocate("acct", "a", "10", "0.01")
    guard = paystate.ReplayGuard()
    guard.check_and_record("k1", T0 + timedelta(hours=1), now=T0)
    return [
        (inv, lambda h: h.observe_transfer("t", "1", "USDT_TRC20", confirmed=True, now=T0)),
        (matcher, lambda h: h.allocate("acct", "b", "10", "0.01")),
        (paystate.Session.open("s1", inv, 60, now=T0), lambda h: h.use(inv, now=T0)),
        (guard, lambda h: h.check_and_record("k2", T0 + timedelta(hours=1), now=T0)),
        (
            paystate.DeliveryPlan("d", "usdt_gateway", now=T0),
            lambda h: h.report(500, now=T0),
        ),
    ]


def test_every_handle_copies_compares_and_reloads() -> None:
    handles = _handles()
    for handle, change in handles:
        kind = type(handle)
        for dup in (handle.copy(), copy.copy(handle), copy.deepcopy(handle)):
            assert type(dup) is kind
            assert dup == handle
            assert dup is not handle
            change(dup)
            assert dup != handle, kind.__name__
        text = handle.to_json()
        assert kind.from_json(text) == handle
        assert kind.from_json(text.encode()) == handle
        assert all(handle != other for other, _ in handles if type(other) is not kind)
        assert handle != text


def test_journal_and_replay() -> None:
    spec = paystate.InvoiceSpec("inv_9", asset="USDT_TRC20", due="10", expires_in=600)
    inv, _ = Invoice.create(spec, T0)
    journal = [JournalEntry(T0, Command.create(spec))]
    for cmd, at in [
        (Command.observe_transfer("t1", "4", "USDT_TRC20", confirmed=False), T0),
        (Command.claim_txid("t2"), T0),
        (Command.observe_transfer("t2", "6", "USDT_TRC20", confirmed=True), T0),
        (Command.confirm_transfer("t1"), T0 + timedelta(seconds=5)),
    ]:
        inv.apply(cmd, at)
        journal.append(JournalEntry(at, cmd))
    assert inv.status == Status.PAID
    assert Invoice.replay(journal) == inv
    stored = [e.to_dict() for e in journal]
    assert json.loads(json.dumps(stored)) == stored
    assert Invoice.replay(stored) == inv
    assert Command.from_dict(journal[1].command.to_dict()) == journal[1].command
    assert journal[1].command.op == "observe_transfer"
    with pytest.raises(paystate.ValidationError):
        Invoice.replay(stored[1:])
    with pytest.raises(paystate.ValidationError):
        inv.apply(Command.create(spec), T0)


def test_spec_from_dict_matches_kwargs() -> None:
    data = {
        "id": "i1",
        "price": {"amount": "100", "currency": "EUR"},
        "rate": "1.1",
        "surcharge": "0.5",
        "asset": "USDT_TRC20",
        "expires_in": 900,
        "tolerance": {"percent": "1"},
        "late_payment": {"accept_within": 600},
    }
    a = paystate.InvoiceSpec.from_dict(data)
    b = paystate.InvoiceSpec(
        "i1",
        asset=paystate.Asset.USDT_TRC20,
        price=Decimal("100"),
        currency="EUR",
        rate="1.1",
        surcharge="0.5",
        expires_in=timedelta(minutes=15),
        tolerance=paystate.Tolerance.percent(1),
        late_payment=paystate.LatePayment.accept_within(timedelta(minutes=10)),
    )
    assert a == b
    inv, _ = Invoice.create(a, T0)
    assert inv.due == Decimal("110.5")
    with pytest.raises(paystate.ValidationError) as e:
        paystate.InvoiceSpec("i", asset="USDT_TRC20", due="1", price="1", expires_in=60)
    assert e.value.code == "invalid_field"


def test_price_currency_omitted_is_decided_by_the_core() -> None:
    # The binding adds no default of its own: keyword arguments and the dict shape
    # without a currency give the same answer, whatever the core decides.
    def outcome(make: Callable[[], paystate.InvoiceSpec]) -> object:
        try:
            return make().to_dict()
        except paystate.PaystateError as e:
            return (type(e), e.code, e.field)

    data = {"id": "i", "asset": "USDT_TRC20", "price": {"amount": "100"}, "expires_in": 60}
    kwargs = outcome(
        lambda: paystate.InvoiceSpec("i", asset="USDT_TRC20", price="100", expires_in=60)
    )
    assert kwargs == outcome(lambda: paystate.InvoiceSpec.from_dict(data))
    if isinstance(kwargs, dict):
        assert kwargs["price"] == {"amount": "100", "currency": "USD"}


def test_spec_keywords_and_dict_refuse_alike() -> None:
    # The keyword form builds the core's parts, not JSON: the rules between fields are the
    # core's (InvoiceSpec::from_parts), so both forms fail with the same code and field.
    def failure(make: Callable[..., paystate.InvoiceSpec], *args: Any, **kw: Any) -> object:
        with pytest.raises(paystate.ValidationError) as e:
            make(*args, **kw)
        return (e.value.code, e.value.field)

    base: dict[str, Any] = {"id": "i", "asset": "USDT_TRC20", "expires_in": 60}
    cases: list[tuple[dict[str, Any], dict[str, Any], tuple[str, str]]] = [
        (
            {"due": "1", "price": "1"},
            {"due": "1", "price": {"amount": "1"}},
            ("invalid_field", "invoice.price"),
        ),
        ({}, {}, ("missing_field", "invoice.due")),
        ({"due": "1", "rate": "2"}, {"due": "1", "rate": "2"}, ("invalid_field", "invoice.rate")),
        (
            {"due": "1", "surcharge": "2"},
            {"due": "1", "surcharge": "2"},
            ("invalid_field", "invoice.surcharge"),
        ),
        (
            {"due": "1", "expires_at": T0 + timedelta(hours=1)},
            {"due": "1", "expires_at": paystate.format_time(T0 + timedelta(hours=1))},
            ("invalid_field", "invoice.expires_at"),
        ),
        (
            {"due": "1", "tolerance": "lenient"},
            {"due": "1", "tolerance": "lenient"},
            ("invalid_field", "invoice.tolerance"),
        ),
        (
            {"due": "1", "late_payment": "accept"},
            {"due": "1", "late_payment": "accept"},
            ("invalid_field", "invoice.late_payment"),
        ),
        (
            {"price": "1", "currency": "XXZ"},
            {"price": {"amount": "1", "currency": "XXZ"}},
            ("invalid_field", "invoice.price.currency"),
        ),
        (
            {"due": "1", "expires_in": -5},
            {"due": "1", "expires_in": -5},
            ("invalid_field", "invoice.expires_in"),
        ),
    ]
    for kwargs, data, want in cases:
        kw = {k: v for k, v in base.items() if k != "id"} | kwargs
        assert failure(paystate.InvoiceSpec, "i", **kw) == want, kwargs
        assert failure(paystate.InvoiceSpec.from_dict, {**base, **data}) == want, data
    # A currency without a price has no dict spelling; the core refuses it on that field.
    assert failure(
        lambda: paystate.InvoiceSpec(
            "i", asset="USDT_TRC20", due="1", currency="EUR", expires_in=60
        )
    ) == ("invalid_field", "invoice.price.currency")
    # String names of the default policies are read by the core, as in the dict form.
    a = paystate.InvoiceSpec(
        "i", asset="USDT_TRC20", due="1", expires_in=60, tolerance="exact", late_payment="reject"
    )
    assert a == paystate.InvoiceSpec.from_dict({**base, "due": "1"})


def test_typed_commands_are_checked_like_dict_commands() -> None:
    long_id = "x" * 129
    pairs: list[tuple[Callable[[], Command], dict[str, Any]]] = [
        (lambda: Command.confirm_transfer(""), {"op": "confirm_transfer", "tx_id": ""}),
        (lambda: Command.drop_transfer(long_id), {"op": "drop_transfer", "tx_id": long_id}),
        (lambda: Command.claim_txid("a\x07"), {"op": "claim_txid", "tx_id": "a\x07"}),
        (lambda: Command.request_refund(""), {"op": "request_refund", "refund_id": ""}),
        (
            lambda: Command.settle_refund("", "failed"),
            {"op": "settle_refund", "refund_id": "", "outcome": "failed"},
        ),
        (
            lambda: Command.settle_refund("r", "lost"),
            {"op": "settle_refund", "refund_id": "r", "outcome": "lost"},
        ),
        (lambda: Command.mark("pending"), {"op": "mark", "status": "pending"}),
        (
            lambda: Command.observe_transfer("", "1", "USDT_TRC20", confirmed=True),
            {
                "op": "observe_transfer",
                "transfer": {"tx_id": "", "amount": "1", "asset": "USDT_TRC20", "confirmed": True},
            },
        ),
    ]
    for typed, data in pairs:
        with pytest.raises(paystate.ValidationError) as t:
            typed()
        with pytest.raises(paystate.ValidationError) as d:
            Command.from_dict(data)
        assert (t.value.code, t.value.field) == (d.value.code, d.value.field), data
    ok = Command.observe_transfer("t", Decimal("1.5"), "USDT_TRC20", confirmed=False, made_at=T0)
    assert ok == Command.from_dict(ok.to_dict())
    assert ok.to_dict()["transfer"]["amount"] == "1.5"


def test_matcher() -> None:
    m = paystate.Matcher()
    assert m.allocate("acct", "a", "10", "0.01") == Decimal("10")
    assert m.allocate("acct", "b", Decimal("10"), Decimal("0.01")) == Decimal("10.01")
    hit = m.match_amount("acct", "10.01")
    assert hit
    assert hit.kind == "matched"
    assert hit.invoice_id == "b"
    assert hit.to_json() == {"matched": "b"}
    assert not m.match_amount("acct", "11")
    assert m.match_amount("acct", "11").to_json() == "unmatched"
    m.register("acct", "c", "10", "0")
    amb = m.match_amount("acct", "10")
    assert amb.kind == "ambiguous"
    assert amb.candidates == ["a", "c"]
    assert len(m) == 3
    back = paystate.Matcher.from_json(m.to_json())
    assert back == m
    m.release("a")
    m.release("unknown")
    assert m.payable("a") is None
    assert m.payable("b") == Decimal("10.01")


def test_sessions_and_tokens() -> None:
    inv, _ = make_invoice(expires_in=600)
    s = paystate.Session.open("s1", inv, timedelta(minutes=30), now=T0)
    assert s.expires_at == T0 + timedelta(seconds=600)
    assert not s.is_closed(T0)
    s.use(inv, now=T0)
    assert s.used_at == T0
    assert paystate.Session.from_json(s.to_json()) == s
    token = paystate.session_token(b"server-secret", "s1")
    assert paystate.verify_session_token("server-secret", "s1", token)
    assert not paystate.verify_session_token("server-secret", "s2", token)


def test_session_tick_moves_its_clock() -> None:
    # A use dated before a tick counts as of the tick (docs/spec.md §2): at 599 s after a
    # tick at 600 s the session has expired.
    inv, _ = make_invoice(expires_in=3600)
    s = paystate.Session.open("s1", inv, timedelta(seconds=600), now=T0)
    s.tick(T0 + timedelta(seconds=600))
    with pytest.raises(paystate.PaystateError) as err:
        s.use(inv, now=T0 + timedelta(seconds=599))
    assert err.value.code == "session_expired"
    fresh = paystate.Session.open("s2", inv, timedelta(seconds=600), now=T0)
    fresh.tick(T0 - timedelta(seconds=60))  # an earlier time changes nothing
    fresh.use(inv, now=T0 + timedelta(seconds=599))
    assert fresh.used_at == T0 + timedelta(seconds=599)


def test_delivery_plan() -> None:
    plan = paystate.DeliveryPlan("evt:1", paystate.DeliveryPolicy.KEYPAIR_INVOICE, now=T0)
    assert plan.next.retry_at == T0
    assert plan.tick(T0)
    nxt = plan.report(404, now=T0 + timedelta(seconds=5))
    assert nxt.kind == "retry_at"
    assert nxt.retry_at == T0 + timedelta(seconds=305)
    assert plan.report("timeout", now=T0 + timedelta(seconds=305), duration=1000).kind == "retry_at"
    assert plan.report(200, now=T0 + timedelta(seconds=605)).to_json() == "delivered"
    assert plan.is_finished
    assert plan.attempts == 3
    assert plan.next_deadline() is None
    with pytest.raises(paystate.TransitionError):
        plan.report(200, now=T0)
    assert paystate.DeliveryPlan.from_json(plan.to_json()) == plan
    assert plan.policy is paystate.DeliveryPolicy.KEYPAIR_INVOICE
    # Any other text names a transport error (docs/spec.md §7); empty text names nothing.
    other = paystate.DeliveryPlan("evt:2", paystate.DeliveryPolicy.KEYPAIR_INVOICE, now=T0)
    assert other.report("connection_refused", now=T0).retry_at == T0 + timedelta(seconds=300)
    with pytest.raises(paystate.ValidationError) as info:
        other.report("", now=T0)
    assert (info.value.code, info.value.field) == ("invalid_field", "error")
    assert other.attempts == 1


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        (99, "http_status"),
        (70_000, "http_status"),
        (2**70, "http_status"),
        (-1, "http_status"),
        ("", "error"),
    ],
)
def test_delivery_outcomes_are_checked_by_core(outcome: Any, field: str) -> None:
    plan = paystate.DeliveryPlan("evt:1", paystate.DeliveryPolicy.KEYPAIR_INVOICE, now=T0)
    with pytest.raises(paystate.ValidationError) as info:
        plan.report(outcome, now=T0)
    assert (info.value.code, info.value.field) == ("invalid_field", field)
    assert plan.attempts == 0


def test_report_outcome_is_one_of_status_or_error_judged_by_core() -> None:
    assert paystate.report_outcome(200) == 200
    assert paystate.report_outcome(error="timeout") == "timeout"
    assert paystate.report_outcome(None, "connection_refused") == "error"
    cases: list[tuple[Any, Any, str, str]] = [
        (None, None, "missing_field", "http_status"),
        (200, "dns", "invalid_field", "error"),
        (2**70, None, "invalid_field", "http_status"),
        (99, None, "invalid_field", "http_status"),
        (None, "", "invalid_field", "error"),
    ]
    for status, error, code, field in cases:
        with pytest.raises(paystate.ValidationError) as info:
            paystate.report_outcome(status, error)
        assert (info.value.code, info.value.field) == (code, field)
    with pytest.raises(TypeError):
        paystate.report_outcome(True)
    # What it returns is what a plan takes and records.
    plan = paystate.DeliveryPlan("evt:1", paystate.DeliveryPolicy.KEYPAIR_INVOICE, now=T0)
    nxt = plan.report(paystate.report_outcome(error="dns"), now=T0)
    assert (plan.attempts, nxt.retry_at) == (1, T0 + timedelta(seconds=300))


def test_sign_from_headers_reads_the_inputs_a_verifier_reads() -> None:
    signer = paystate.Signer("standard_webhooks", ["whsec_" + base64.b64encode(b"k" * 24).decode()])

    def same(a: paystate.Signed, b: paystate.Signed) -> bool:
        return (a.headers, a.signature) == (b.headers, b.signature)

    headers = {"Webhook-Id": "msg_1", "webhook-timestamp": "1700000100"}
    stamp = paystate.parse_scheme_timestamp("standard_webhooks", "1700000100")
    signed = signer.sign_from_headers(b"{}", headers, now=T0)
    assert same(signed, signer.sign(b"{}", id="msg_1", timestamp=stamp))
    assert not same(signed, signer.sign(b"{}", id="msg_1", timestamp=T0))
    # No timestamp header: the signed time is `now`.
    by_pairs = signer.sign_from_headers(b"{}", [("id", "msg_1")], now=T0)
    assert same(by_pairs, signer.sign(b"{}", id="msg_1", timestamp=T0))
    with pytest.raises(paystate.ValidationError) as info:
        signer.sign_from_headers(b"{}", {"t": "soon"}, now=T0)
    assert info.value.field == "headers.timestamp"


def test_verifier_key_rotation_and_header_shapes() -> None:
    old = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    signed = paystate.sign("standard_webhooks", SECRET, b"{}", id="m1", timestamp=T0)
    v = paystate.Verifier("standard_webhooks", [old, SECRET])
    assert v.key_count == 2
    assert v.tolerance == timedelta(seconds=300)
    ok = v.verify(signed.headers, b"{}", T0)
    assert ok.key_index == 1
    assert ok.scheme is paystate.Scheme.STANDARD_WEBHOOKS
    assert ok.timestamp == T0
    assert ok.replay_key == "standard_webhooks:m1"
    upper = {k.upper(): val for k, val in signed.headers.items()}
    assert v.verify(upper, b"{}", T0).key_index == 1
    pairs = list(signed.headers.items())
    assert v.verify(pairs, b"{}", T0).key_index == 1
    raw = [(k.encode(), val.encode()) for k, val in pairs]
    assert v.verify(raw, b"{}", T0).key_index == 1

    class CaseInsensitive:
        def __init__(self, d: dict[str, str]) -> None:
            self.d = {k.lower(): val for k, val in d.items()}

        def get(self, name: str, default: Any = None) -> Any:
            return self.d.get(name.lower(), default)

        def items(self) -> Any:
            return self.d.items()

    assert v.verify(CaseInsensitive(signed.headers), b"{}", T0).key_index == 1
    with pytest.raises(TypeError):
        v.verify(42, b"{}", T0)  # type: ignore[arg-type]
    lax = paystate.Verifier("standard_webhooks", SECRET, check_time=False)
    assert lax.tolerance is None
    assert lax.verify(signed.headers, b"{}", T0 + timedelta(days=3)).key_index == 0
    # `now` is the host's: the binding never reads the clock, so omitting it is a TypeError.
    with pytest.raises(TypeError):
        v.verify(signed.headers, b"{}")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        paystate.verify("standard_webhooks", SECRET, signed.headers, b"{}")  # type: ignore[call-arg]


def test_large_bodies_release_the_gil_and_threads_share_a_verifier() -> None:
    body = b'{"pad": "' + b"x" * 100_000 + b'"}'
    signed = paystate.sign("github", "k3y", body)
    v = paystate.Verifier("github", "k3y")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(50):
                assert v.verify(signed.headers, body, T0).key_index == 0
                try:
                    v.verify(signed.headers, b"{}", T0)
                    errors.append(AssertionError("a wrong body verified"))
                except paystate.SignatureError as e:
                    if e.code != "signature_mismatch":
                        errors.append(e)
        except BaseException as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with pytest.raises(paystate.SignatureError):
        v.verify(signed.headers, body + b" ", T0)


def test_replay_guard_state() -> None:
    g = paystate.ReplayGuard(10)
    g.check_and_record("k", T0 + timedelta(minutes=5), now=T0)
    assert g.contains("k", now=T0)
    assert len(g) == 1
    assert g.capacity == 10
    assert g.next_deadline() == T0 + timedelta(minutes=5)
    assert paystate.ReplayGuard.from_json(g.to_json()) == g
    g.purge(T0 + timedelta(minutes=6))
    assert len(g) == 0
    with pytest.raises(paystate.ValidationError):
        paystate.ReplayGuard(0)


def _vectors() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in sorted((REPO / "tests" / "vectors").glob("*.json")):
        for v in json.loads(f.read_text())["vectors"]:
            out.append((f"{f.stem}:{v['name']}", v))
    return out


@pytest.mark.parametrize(("name", "vec"), _vectors(), ids=[n for n, _ in _vectors()])
def test_signature_vectors(name: str, vec: dict[str, Any]) -> None:
    scheme = vec["scheme"]
    body = base64.b64decode(vec["body_base64"]) if "body_base64" in vec else vec["body"].encode()
    expect = vec["expect"]
    op = vec.get("op", "verify")
    if op == "monetix_string":
        assert paystate.monetix_signing_string(body) == expect["string"]
        return
    if op == "sign":
        inp = vec.get("input", {})
        ts = inp.get("timestamp")
        signed = paystate.sign(
            scheme,
            vec["secrets"],
            body,
            id=inp.get("id"),
            nonce=inp.get("nonce"),
            timestamp=None if ts is None else paystate.parse_scheme_timestamp(scheme, ts),
        )
        for k, want in expect.get("headers", {}).items():
            got = {h.lower(): val for h, val in signed.headers.items()}
            assert got[k.lower()] == want
        if "signature" in expect:
            assert signed.signature == expect["signature"]
        return
    kw: dict[str, Any] = {}
    if "tolerance_seconds" in vec:
        kw["tolerance"] = vec["tolerance_seconds"]
    now = paystate.parse_time(vec["at"]) if "at" in vec else T0
    if "error" in expect:
        with pytest.raises(paystate.PaystateError) as e:
            paystate.verify(scheme, vec["secrets"], vec.get("headers", {}), body, now, **kw)
        assert e.value.code == expect["error"]
    else:
        ok = paystate.verify(scheme, vec["secrets"], vec.get("headers", {}), body, now, **kw)
        if "key_index" in expect:
            assert ok.key_index == expect["key_index"]


def test_vectors_exist() -> None:
    assert len(_vectors()) > 10
    assert Path(REPO / "tests" / "vectors").is_dir()
