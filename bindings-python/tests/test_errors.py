"""Every core error code reachable from Python maps to the right exception class."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

import paystate
import pytest
from conftest import T0, make_invoice
from paystate import (
    IntegrityError,
    LimitError,
    PaystateError,
    SignatureError,
    StateError,
    TransitionError,
    ValidationError,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def paid_invoice() -> paystate.Invoice:
    inv, _ = make_invoice()
    inv.observe_transfer("t1", "10", "USDT_TRC20", confirmed=True, now=T0)
    return inv


def open_session() -> tuple[paystate.Session, paystate.Invoice]:
    inv, _ = make_invoice()
    return paystate.Session.open("s1", inv, 60, now=T0), inv


def used_session() -> None:
    s, inv = open_session()
    s.use(inv, now=T0)
    s.use(inv, now=T0)


def expired_session() -> None:
    s, inv = open_session()
    s.use(inv, now=T0 + timedelta(seconds=60))


def sw_headers(**over: str) -> dict[str, str]:
    signed = paystate.sign("standard_webhooks", SECRET, b"{}", id="m1", timestamp=T0)
    h = signed.headers
    h.update(over)
    return h


def replayed() -> None:
    v = paystate.Verifier("standard_webhooks", SECRET)
    guard = paystate.ReplayGuard()
    h = sw_headers()
    guard.record(v.verify(h, b"{}", T0), now=T0)
    guard.record(v.verify(h, b"{}", T0), now=T0)


CASES: dict[str, tuple[type[PaystateError], Callable[[], object]]] = {
    "invalid_amount": (ValidationError, lambda: paystate.parse_amount("1e3")),
    "too_many_decimals": (
        ValidationError,
        lambda: make_invoice()[0].observe_transfer(
            "t", "1.0000001", "USDT_TRC20", confirmed=True, now=T0
        ),
    ),
    "invalid_asset": (
        ValidationError,
        lambda: make_invoice()[0].observe_transfer("t", "1", "BTC", confirmed=True, now=T0),
    ),
    "asset_mismatch": (
        ValidationError,
        lambda: make_invoice()[0].observe_transfer("t", "1", "USDT_ERC20", confirmed=True, now=T0),
    ),
    "invalid_field": (ValidationError, lambda: paystate.Verifier("svix", "k")),
    "missing_field": (
        ValidationError,
        lambda: paystate.InvoiceSpec("i", asset="USDT_TRC20", expires_in=60),
    ),
    "invalid_transition": (TransitionError, lambda: paid_invoice().cancel(now=T0)),
    "unknown_transfer": (TransitionError, lambda: make_invoice()[0].confirm_transfer("x", now=T0)),
    "unknown_refund": (
        TransitionError,
        lambda: paid_invoice().settle_refund("r", "succeeded", now=T0),
    ),
    "refund_exceeds_available": (
        TransitionError,
        lambda: make_invoice()[0].request_refund("r", now=T0),
    ),
    "session_expired": (TransitionError, expired_session),
    "session_used": (TransitionError, used_session),
    "signature_missing": (
        SignatureError,
        lambda: paystate.verify("standard_webhooks", SECRET, {}, b"{}", T0),
    ),
    "signature_malformed": (
        SignatureError,
        lambda: paystate.verify(
            "standard_webhooks", SECRET, sw_headers(**{"webhook-timestamp": "x"}), b"{}", T0
        ),
    ),
    "signature_mismatch": (
        SignatureError,
        lambda: paystate.verify("standard_webhooks", SECRET, sw_headers(), b"{ }", T0),
    ),
    "timestamp_out_of_tolerance": (
        SignatureError,
        lambda: paystate.verify(
            "standard_webhooks", SECRET, sw_headers(), b"{}", T0 + timedelta(seconds=301)
        ),
    ),
    "replayed": (SignatureError, replayed),
    "malformed_json": (StateError, lambda: paystate.Invoice.from_json("{")),
    "integrity_conflict": (
        IntegrityError,
        lambda: paid_invoice().observe_transfer("t1", "9", "USDT_TRC20", confirmed=True, now=T0),
    ),
}

# amount_below/above: raised only by the seed-API dialects (as DialectRejection, see
# test_dialect.py). limit_exceeded and invalid_state: the core's limits and load checks;
# their classes are checked through the factory below.
NOT_REACHABLE = {"amount_below_minimum", "amount_above_maximum", "limit_exceeded", "invalid_state"}


def test_every_code_is_covered() -> None:
    assert set(paystate.ERROR_CODES) == set(CASES) | NOT_REACHABLE
    from paystate._errors import _CLASS_BY_CODE

    assert set(_CLASS_BY_CODE) == set(paystate.ERROR_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_error_mapping(code: str) -> None:
    cls, action = CASES[code]
    with pytest.raises(cls) as info:
        action()
    err = info.value
    assert isinstance(err, PaystateError)
    assert err.code == code
    assert err.message == str(err)
    assert err.field is None or isinstance(err.field, str)
    assert code not in ("invalid_amount", "invalid_asset") or err.field


@pytest.mark.parametrize(
    ("code", "loading", "cls"),
    [
        ("limit_exceeded", False, LimitError),
        ("invalid_state", False, StateError),
        ("invalid_state", True, StateError),
        ("malformed_json", True, StateError),
        ("malformed_json", False, SignatureError),
        ("replayed", True, SignatureError),
    ],
)
def test_factory_classes(code: str, loading: bool, cls: type[PaystateError]) -> None:
    from paystate._errors import _from_core

    err = _from_core(code, "f", "m", loading)
    assert type(err) is cls
    assert (err.code, err.field, err.message) == (code, "f", "m")


STATE_TYPES = [
    paystate.Invoice,
    paystate.Matcher,
    paystate.Session,
    paystate.ReplayGuard,
    paystate.DeliveryPlan,
]


@pytest.mark.parametrize("state_type", STATE_TYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("text", ["{", "", b"\xff\xfe", "[1, 2]", '"x"', "{}"])
def test_loading_never_raises_signature_error(state_type: type, text: object) -> None:
    # A stored document that cannot be loaded is a state error (so a host can tell
    # "my database row is bad" from "this webhook is forged"), never a SignatureError.
    with pytest.raises(PaystateError) as info:
        state_type.from_json(text)
    assert not isinstance(info.value, SignatureError), info.value
    if info.value.code in ("malformed_json", "invalid_state"):
        assert isinstance(info.value, StateError)
        assert isinstance(info.value, ValueError)


def test_verifying_a_non_json_body_is_still_a_signature_error() -> None:
    signed = paystate.sign("monetix", "k", b'{"a": 1}')
    with pytest.raises(SignatureError) as info:
        paystate.verify("monetix", "k", signed.headers, b"{", T0)
    assert info.value.code == "malformed_json"


def test_fields_are_set() -> None:
    with pytest.raises(ValidationError) as e:
        make_invoice()[0].observe_transfer("t", "x", "USDT_TRC20", confirmed=True, now=T0)
    assert (e.value.code, e.value.field) == ("invalid_amount", "transfer.amount")
    with pytest.raises(ValidationError) as e:
        paystate.Verifier("github", ["ok", ""])
    assert e.value.field == "secrets[1]"


def test_validation_error_is_also_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        paystate.parse_amount("-1")


def test_secrets_never_in_messages_or_reprs() -> None:
    secret = "super-secret-value-123"
    v = paystate.Verifier("usdt_gateway", secret)
    s = paystate.Signer("keypair_invoice", secret)
    signed = s.sign(b'{"a": 1}')
    texts = [repr(v), repr(s), repr(signed)]
    try:
        v.verify({"X-Webhook-Signature": "00" * 32}, b"{}", T0)
    except SignatureError as e:
        texts += [str(e), repr(e)]
    assert not any(secret in t for t in texts), texts


def test_errors_pickle() -> None:
    import pickle

    err = ValidationError("invalid_field", "x", "x: bad")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.code, back.field, back.message) == (
        ValidationError,
        "invalid_field",
        "x",
        "x: bad",
    )
