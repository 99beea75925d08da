"""Hostile input into every entry point: only PaystateError or TypeError, never a crash."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable

import paystate
import pytest
from conftest import T0, make_invoice

ALLOWED = (paystate.PaystateError, TypeError)


def deep(n: int) -> Any:
    v: Any = "x"
    for _ in range(n):
        v = {"a": [v]}
    return v


def values(rng: random.Random) -> Iterator[Any]:
    fixed: list[Any] = [
        None,
        True,
        0,
        -1,
        2**63,
        2**200,
        -(2**200),
        1.5,
        float("nan"),
        float("inf"),
        "",
        " ",
        "\x00",
        "é" * 5,
        "\ud800",
        "x" * 1_000_000,
        "1" * 5000,
        "1E+3",
        b"",
        b"\xff\xfe",
        bytearray(b"ab"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("-Infinity"),
        Decimal("1E+999999999"),
        Decimal("-0"),
        Decimal("1E-999999999"),
        datetime(2026, 1, 1),
        datetime(1, 1, 1, tzinfo=timezone.utc),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
        253402300799999,
        -62135596800000,
        [],
        {},
        [1, 2],
        {"a": 1},
        deep(500),
        object(),
        ("a", "b"),
        [("a", "b")],
        [(1, 2)],
        {"x-webhook-signature": 5},
    ]
    yield from fixed
    for _ in range(40):
        n = rng.randrange(0, 64)
        yield bytes(rng.randrange(256) for _ in range(n))
        yield "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(n))


def entry_points() -> list[tuple[str, Callable[[Any], object]]]:
    inv, _ = make_invoice()
    m = paystate.Matcher()
    v = paystate.Verifier("stripe", "k")
    g = paystate.ReplayGuard()
    plan = paystate.DeliveryPlan("d", "usdt_gateway", now=T0)
    session = paystate.Session.open("s", inv, 60, now=T0)
    return [
        ("parse_amount", paystate.parse_amount),
        ("parse_time", paystate.parse_time),
        ("format_time", paystate.format_time),
        ("spec.id", lambda x: paystate.InvoiceSpec(x, asset="USDT_TRC20", due="1", expires_in=60)),
        ("spec.due", lambda x: paystate.InvoiceSpec("i", asset="USDT_TRC20", due=x, expires_in=60)),
        ("spec.asset", lambda x: paystate.InvoiceSpec("i", asset=x, due="1", expires_in=60)),
        (
            "spec.expires_in",
            lambda x: paystate.InvoiceSpec("i", asset="USDT_TRC20", due="1", expires_in=x),
        ),
        (
            "spec.expires_at",
            lambda x: paystate.InvoiceSpec("i", asset="USDT_TRC20", due="1", expires_at=x),
        ),
        (
            "spec.metadata",
            lambda x: paystate.InvoiceSpec(
                "i", asset="USDT_TRC20", due="1", expires_in=60, metadata=x
            ),
        ),
        (
            "spec.tolerance",
            lambda x: paystate.InvoiceSpec(
                "i", asset="USDT_TRC20", due="1", expires_in=60, tolerance=x
            ),
        ),
        ("spec.from_dict", paystate.InvoiceSpec.from_dict),
        ("create.now", lambda x: paystate.Invoice.create(inv.spec, x)),
        (
            "observe.amount",
            lambda x: inv.observe_transfer("t", x, "USDT_TRC20", confirmed=True, now=T0),
        ),
        (
            "observe.tx_id",
            lambda x: inv.observe_transfer(x, "1", "USDT_TRC20", confirmed=True, now=T0),
        ),
        (
            "observe.confirmed",
            lambda x: inv.observe_transfer("t", "1", "USDT_TRC20", confirmed=x, now=T0),
        ),
        (
            "observe.now",
            lambda x: inv.observe_transfer("t", "1", "USDT_TRC20", confirmed=True, now=x),
        ),
        (
            "observe.made_at",
            lambda x: inv.observe_transfer(
                "t", "1", "USDT_TRC20", confirmed=True, now=T0, made_at=x
            ),
        ),
        ("confirm", lambda x: inv.confirm_transfer(x, now=T0)),
        ("drop", lambda x: inv.drop_transfer(x, now=T0)),
        ("tick", inv.tick),
        ("cancel", lambda x: inv.cancel(now=x)),
        ("refund", lambda x: inv.request_refund("r", x, now=T0)),
        ("settle", lambda x: inv.settle_refund("r", x, now=T0)),
        ("mark", lambda x: inv.mark(x, now=T0)),
        ("claim", lambda x: inv.claim_txid(x, now=T0)),
        ("status_at", inv.status_at),
        ("Invoice.from_json", paystate.Invoice.from_json),
        ("Invoice.replay", paystate.Invoice.replay),
        ("Command.from_dict", paystate.Command.from_dict),
        ("JournalEntry.from_dict", paystate.JournalEntry.from_dict),
        ("matcher.allocate", lambda x: m.allocate("a", "i", x, "0.01")),
        ("matcher.register", lambda x: m.register(x, "j", "1")),
        ("matcher.match", lambda x: m.match_amount("a", x)),
        ("matcher.release", m.release),
        ("Matcher.from_json", paystate.Matcher.from_json),
        ("session.open", lambda x: paystate.Session.open("s2", inv, x, now=T0)),
        ("session.use", lambda x: session.copy().use(inv, now=x)),
        ("Session.from_json", paystate.Session.from_json),
        ("session_token", lambda x: paystate.session_token(x, "s")),
        ("verify_session_token", lambda x: paystate.verify_session_token("k", "s", x)),
        ("Verifier.scheme", lambda x: paystate.Verifier(x, "k")),
        ("Verifier.secrets", lambda x: paystate.Verifier("stripe", x)),
        ("Verifier.tolerance", lambda x: paystate.Verifier("stripe", "k", tolerance=x)),
        ("verify.headers", lambda x: v.verify(x, b"{}", T0)),
        ("verify.body", lambda x: v.verify({"Stripe-Signature": "t=1,v1=00"}, x, T0)),
        ("verify.now", lambda x: v.verify({}, b"{}", x)),
        ("verify.monetix", lambda x: paystate.verify("monetix", "k", {}, x, T0)),
        (
            "verify.nowpayments",
            lambda x: paystate.verify("nowpayments", "k", {"x-nowpayments-sig": "00"}, x, T0),
        ),
        ("sign.body", lambda x: paystate.sign("monetix", "k", x)),
        ("sign.timestamp", lambda x: paystate.sign("stripe", "k", b"{}", timestamp=x)),
        ("parse_scheme_timestamp", lambda x: paystate.parse_scheme_timestamp("stripe", x)),
        ("monetix_signing_string", paystate.monetix_signing_string),
        ("guard.check", lambda x: g.check_and_record(x, T0, now=T0)),
        ("ReplayGuard.from_json", paystate.ReplayGuard.from_json),
        ("ReplayGuard()", paystate.ReplayGuard),
        ("plan.report", lambda x: plan.copy().report(x, now=T0)),
        ("plan.duration", lambda x: plan.copy().report(500, now=T0, duration=x)),
        ("DeliveryPlan.policy", lambda x: paystate.DeliveryPlan("d", x, now=T0)),
        ("DeliveryPlan.from_json", paystate.DeliveryPlan.from_json),
    ]


@pytest.mark.parametrize(("name", "fn"), entry_points(), ids=[n for n, _ in entry_points()])
def test_hostile_values(name: str, fn: Callable[[Any], object]) -> None:
    rng = random.Random(name)
    for value in values(rng):
        with contextlib.suppress(ALLOWED):
            fn(value)


def test_hostile_json_documents() -> None:
    docs = ['{"schema_version": 2}', "[]", "null", "1e999999", '{"a":' * 10000, "\x00", '"\\ud800"']
    for doc in docs:
        for fn in (
            paystate.Invoice.from_json,
            paystate.Matcher.from_json,
            paystate.Session.from_json,
            paystate.ReplayGuard.from_json,
            paystate.DeliveryPlan.from_json,
        ):
            with pytest.raises(paystate.PaystateError):
                fn(doc)


def test_random_bytes_into_every_scheme() -> None:
    rng = random.Random(7)
    schemes = list(paystate.Scheme)
    for _ in range(300):
        scheme = rng.choice(schemes)
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        headers = {
            "".join(chr(rng.randrange(33, 127)) for _ in range(8)): "".join(
                chr(rng.randrange(32, 127)) for _ in range(rng.randrange(0, 80))
            )
        }
        with pytest.raises(paystate.SignatureError):
            paystate.verify(scheme, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, body, T0)
