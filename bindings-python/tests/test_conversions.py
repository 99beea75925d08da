"""Type conversions at the Python edge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import paystate
import pytest
from conftest import T0, make_invoice


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (Decimal("0.000001"), Decimal("0.000001")),
        (Decimal("10.50"), Decimal("10.5")),
        ("10.500000", Decimal("10.5")),
        (Decimal("1E+3"), Decimal("1000")),
        (Decimal("1E-6"), Decimal("0.000001")),
        (Decimal("1.000E+2"), Decimal("100")),
        (7, Decimal("7")),
        (Decimal("123456789012345678.123456"), Decimal("123456789012345678.123456")),
    ],
)
def test_decimal_values_are_exact(given: object, shown: Decimal) -> None:
    value = paystate.parse_amount(given)  # type: ignore[arg-type]
    assert isinstance(value, Decimal)
    assert value == shown
    assert str(value) == str(shown)


def test_decimal_round_trips_through_an_invoice() -> None:
    inv, _ = make_invoice(due=Decimal("0.000001"))
    assert inv.due == Decimal("0.000001")
    assert isinstance(inv.due, Decimal)
    inv.observe_transfer("t", Decimal("0.000001"), "USDT_TRC20", confirmed=True, now=T0)
    assert inv.amount_paid == Decimal("0.000001")
    assert inv.status == paystate.Status.PAID


@pytest.mark.parametrize("text", ["1E+3", "1e3", "-1", "+1", " 1", "1_000", "NaN", "", ".5", "1."])
def test_amount_strings_follow_the_core_grammar(text: str) -> None:
    with pytest.raises(paystate.ValidationError) as e:
        paystate.parse_amount(text)
    assert e.value.code == "invalid_amount"


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-1"),
        Decimal("-0"),
        Decimal("1E+100"),
        Decimal("1E-100"),
        Decimal("1E+999999999"),
    ],
)
def test_unrepresentable_decimals_are_invalid_amount(value: Decimal) -> None:
    with pytest.raises(paystate.ValidationError) as e:
        paystate.parse_amount(value)
    assert e.value.code == "invalid_amount"


def test_too_many_decimals() -> None:
    inv, _ = make_invoice()
    with pytest.raises(paystate.ValidationError) as e:
        inv.observe_transfer("t", Decimal("1.0000001"), "USDT_TRC20", confirmed=True, now=T0)
    assert e.value.code == "too_many_decimals"
    inv.observe_transfer("t", Decimal("1.0000000"), "USDT_TRC20", confirmed=True, now=T0)


def test_float_amounts_are_type_errors() -> None:
    inv, _ = make_invoice()
    with pytest.raises(TypeError, match="not float"):
        inv.observe_transfer("t", 10.5, "USDT_TRC20", confirmed=True, now=T0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not float"):
        paystate.InvoiceSpec("i", asset="USDT_TRC20", due=1.0, expires_in=60)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        paystate.Matcher().match_amount("a", True)  # type: ignore[arg-type]


def test_times_aware_datetime_or_int_ms() -> None:
    ms = 1767225600000
    assert paystate.parse_time("2026-01-01T00:00:00Z") == T0
    assert paystate.format_time(ms) == "2026-01-01T00:00:00Z"
    assert paystate.format_time(T0) == "2026-01-01T00:00:00Z"
    plus3 = timezone(timedelta(hours=3))
    assert paystate.format_time(datetime(2026, 1, 1, 3, tzinfo=plus3)) == "2026-01-01T00:00:00Z"
    sub_ms = datetime(2026, 1, 1, 0, 0, 0, 1999, tzinfo=timezone.utc)
    assert paystate.format_time(sub_ms) == "2026-01-01T00:00:00.001Z"
    inv, ev = make_invoice()
    assert ev[0].at == T0
    assert ev[0].at.tzinfo is not None
    inv2, _ = paystate.Invoice.create(inv.spec, ms)
    assert inv2.created_at == T0


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 1, 1)
    with pytest.raises(paystate.ValidationError, match="naive") as e:
        make_invoice()[0].tick(naive)
    assert e.value.code == "invalid_field"
    assert e.value.field == "now"
    with pytest.raises(paystate.ValidationError, match="naive"):
        paystate.format_time(naive)


@pytest.mark.parametrize("bad", [-1, 2**70, 253402300800000, -(2**70)])
def test_out_of_range_times(bad: int) -> None:
    with pytest.raises(paystate.ValidationError) as e:
        paystate.format_time(bad)
    assert e.value.code == "invalid_field"


def test_wrong_time_types() -> None:
    for bad in (1.5, "2026-01-01T00:00:00Z", True, None):
        with pytest.raises(TypeError):
            paystate.format_time(bad)  # type: ignore[arg-type]


def test_durations_int_seconds_or_timedelta() -> None:
    inv, _ = make_invoice(expires_in=timedelta(minutes=30))
    assert inv.deadline == T0 + timedelta(minutes=30)
    with pytest.raises(paystate.ValidationError, match="whole number of seconds"):
        make_invoice(expires_in=timedelta(seconds=1.5))
    with pytest.raises(paystate.ValidationError):
        make_invoice(expires_in=-5)
    with pytest.raises(TypeError):
        make_invoice(expires_in=1.5)


def test_bodies_bytes_or_str() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": "é"}'
    signed = paystate.sign("standard_webhooks", secret, body, id="m", timestamp=T0)
    v = paystate.Verifier("standard_webhooks", secret)
    assert v.verify(signed.headers, body, T0).key_index == 0
    assert v.verify(signed.headers, body.encode(), T0).key_index == 0
    assert v.verify(signed.headers, bytearray(body.encode()), T0).key_index == 0
    with pytest.raises(TypeError):
        v.verify(signed.headers, memoryview(body.encode()), T0)  # type: ignore[arg-type]
    with pytest.raises(paystate.SignatureError):
        v.verify(signed.headers, body.encode("latin-1"), T0)


def test_enums_are_strings_with_contract_values() -> None:
    assert paystate.Status.PARTIALLY_REFUNDED == "partially_refunded"
    assert str(paystate.EventType.PAID) == "invoice.paid"
    assert paystate.InvoiceException.PAID_LATE.value == "paid_late"
    assert {s.value for s in paystate.Scheme} >= {"stripe", "standard_webhooks", "gatepay"}
    inv, ev = make_invoice()
    assert ev[0].type is paystate.EventType.CREATED
    assert inv.status is paystate.Status.PENDING
    assert inv.asset is paystate.Asset.USDT_TRC20
    inv.mark(paystate.Status.PAID, now=T0)
    assert inv.exceptions == frozenset({paystate.InvoiceException.MARKED})


def test_metadata_json_round_trip() -> None:
    meta = {"order": "A-1", "n": 3, "price": Decimal("1.10"), "nested": {"ok": True, "x": None}}
    inv, _ = make_invoice(metadata=meta)
    got = inv.spec.metadata
    assert got == {
        "order": "A-1",
        "n": 3,
        "price": Decimal("1.10"),
        "nested": {"ok": True, "x": None},
    }
    with pytest.raises(TypeError):
        make_invoice(metadata={"f": 1.5})
    deep: dict[str, object] = {}
    cur = deep
    for _ in range(200):
        nxt: dict[str, object] = {}
        cur["a"] = nxt
        cur = nxt
    with pytest.raises(paystate.ValidationError):
        make_invoice(metadata=deep)
