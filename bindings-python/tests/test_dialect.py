"""The five seed dialects through the Python binding: parse, render, callbacks."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import paystate
import pytest
from conftest import REPO
from paystate import (
    DialectRejection,
    Gatenoc,
    Gatepay,
    IntegrityError,
    Invoice,
    KeypairInvoice,
    Monetix,
    Status,
    UsdtGateway,
)

GOLDEN = REPO / "core" / "tests" / "dialect_golden"
T = datetime(2026, 1, 1, tzinfo=timezone.utc)


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def no_floats(value: Any) -> None:
    """JSON numbers must come back as int or Decimal, never float."""
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for v in value.values():
            no_floats(v)
    elif isinstance(value, list):
        for v in value:
            no_floats(v)


# ---- seed 000: gatenoc ---------------------------------------------------------------


def test_gatenoc_accepts_and_renders() -> None:
    req = Gatenoc.parse_checkout_session(
        b'{"amount": 10.50, "note": "order_123"}', id="inv_g", now=T
    )
    assert req.dialect == "gatenoc"
    assert req.due == Decimal("10.5")
    assert req.created_at == T
    assert req.deadline == T + timedelta(seconds=1800)
    assert req.extra["note"] == "order_123"
    assert req.spec.id == "inv_g"
    assert req.spec.reference == "order_123"
    out = Gatenoc.render_checkout_session(
        req, base_url="https://gatenoc.com", merchant_id=7, session_token="tok"
    )
    assert out["checkout_url"] == "https://gatenoc.com/checkout/7?cs=tok"
    assert out["amount"] == Decimal("10.5")
    assert isinstance(out["amount"], Decimal)
    assert out["merchant_id"] == 7
    no_floats(out)
    short = Gatenoc.parse_checkout_session(
        b'{"amount": 5}', id="inv_h", now=T, ttl=timedelta(minutes=5)
    )
    assert short.deadline == T + timedelta(minutes=5)


def test_gatenoc_rejects_below_minimum() -> None:
    with pytest.raises(DialectRejection) as e:
        Gatenoc.parse_checkout_session('{"amount": 0.5}', id="inv_g", now=T)
    err = e.value
    assert err.code == "amount_below_minimum"
    assert err.field == "amount"
    assert err.http_status == 422
    assert err.body == {"error": "Amount below minimum", "min_amount": 1}
    assert isinstance(err, paystate.ValidationError)
    assert isinstance(err, paystate.PaystateError)
    assert "http_status=422" in repr(err)
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, again.http_status, again.body) == (err.code, 422, err.body)


def test_gatenoc_callback_applied_and_conflict() -> None:
    req = Gatenoc.parse_checkout_session(
        b'{"amount": 10.50, "note": "order_123"}', id="inv_g", now=T
    )
    inv, _ = Invoice.create(req.spec, T)
    body = Gatenoc.render_payment_completed(inv, bybit_pay_id="SBX-TX-1", payment_record_id="rec_1")
    assert body["amount"] == Decimal("10.5")
    text = json.dumps({**body, "amount": "10.5"})
    cb = Gatenoc.parse_payment_completed(text, inv)
    assert cb.provider_status == "payment.completed"
    assert cb.command is not None
    assert cb.command.op == "observe_transfer"
    inv.apply(cb.command, T + timedelta(minutes=1))
    assert inv.status == Status.PAID

    wrong = json.dumps({**body, "amount": 10})
    with pytest.raises(IntegrityError) as e:
        Gatenoc.parse_payment_completed(wrong, inv)
    assert e.value.code == "integrity_conflict"


def test_gatenoc_merchant_key() -> None:
    assert Gatenoc.check_merchant_key("k2", ["k1", "k2"]) == 1
    with pytest.raises(DialectRejection) as e:
        Gatenoc.check_merchant_key(None, ["k1"])
    assert (e.value.code, e.value.http_status) == ("signature_missing", 401)
    with pytest.raises(DialectRejection) as e:
        Gatenoc.check_merchant_key("k1 ", ["k1"])
    assert e.value.code == "signature_mismatch"


# ---- seed 001: usdt_gateway ----------------------------------------------------------

SEED_001 = b'{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345"}'


def test_usdt_gateway_accepts_renders_and_webhook() -> None:
    req = UsdtGateway.parse_invoice(SEED_001, id="inv_u", now=T)
    assert req.dialect == "usdt_gateway"
    assert req.due == Decimal("150")
    assert req.spec.reference == "ORDER-12345"
    assert req.spec.asset == paystate.Asset.USDT_TRC20
    no_floats(req.extra)
    out = UsdtGateway.render_invoice(
        req,
        payout_address="TXyz",
        payment_url="https://pay.example.com/ORDER-12345",
        is_test=True,
    )
    assert out["amountUsdtExact"] == "150.0000"
    assert out["isTest"] is True
    assert out["status"] == "pending"

    inv, _ = Invoice.create(req.spec, T)
    hook = UsdtGateway.render_webhook(
        inv,
        merchant_id="m1",
        payout_address="TXyz",
        tx_hash="abc123",
        paid_at=T + timedelta(minutes=2),
    )
    cb = UsdtGateway.parse_webhook(json.dumps(hook), inv)
    assert cb.provider_status == "confirmed"
    assert cb.at == T + timedelta(minutes=2)
    assert cb.command is not None
    events = inv.apply(cb.command, T + timedelta(minutes=3))
    assert inv.status == Status.PAID
    assert events[-1].status == Status.PAID


def test_usdt_gateway_rejects() -> None:
    with pytest.raises(DialectRejection) as e:
        UsdtGateway.parse_invoice(
            b'{"amountUsdt": 1.00001, "assetCode": "USDT_TRC20"}', id="inv_u", now=T
        )
    assert e.value.field == "amountUsdt"
    assert e.value.http_status == 400
    assert isinstance(e.value.body, dict)
    assert e.value.body["statusCode"] == 400
    with pytest.raises(DialectRejection) as e:
        UsdtGateway.parse_invoice(b'{"amountUsdt": 1}', id="inv_u", now=T)
    assert e.value.field == "assetCode"


def test_usdt_gateway_webhook_integrity_conflict() -> None:
    req = UsdtGateway.parse_invoice(SEED_001, id="inv_u", now=T)
    inv, _ = Invoice.create(req.spec, T)
    hook = json.loads(golden("usdt_gateway_webhook.json"))
    hook["amount_usdt_exact"] = "149.0000"
    with pytest.raises(IntegrityError) as e:
        UsdtGateway.parse_webhook(json.dumps(hook).encode(), inv)
    assert e.value.code == "integrity_conflict"
    assert inv.status == Status.PENDING


def test_usdt_gateway_keys_and_bodies() -> None:
    assert UsdtGateway.key_mode("Bearer test_abc") == "test"
    assert UsdtGateway.key_mode("Bearer live_abc") == "live"
    with pytest.raises(DialectRejection) as e:
        UsdtGateway.key_mode(None)
    assert (e.value.code, e.value.http_status) == ("signature_missing", 401)
    dup = UsdtGateway.duplicate_reference("ORDER-1")
    assert isinstance(dup, DialectRejection)
    assert dup.http_status == 409
    assert UsdtGateway.error_body(429, "slow down")["error"] == "Too Many Requests"


# ---- seed 002: gatepay ---------------------------------------------------------------

GP_ORDER = (
    b'{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123,'
    b' "goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"},'
    b' "chain": "MATIC", "fullCurrType": "USDT_MATIC", "currency": "USDT",'
    b' "orderAmount": "5", "surchargeAmount": "0.5"}'
)


def test_gatepay_accepts_renders_and_notification() -> None:
    req = Gatepay.parse_order(GP_ORDER, id="inv_gp", now=T)
    assert req.due == Decimal("5.5")
    assert req.extra["merchantUserId"] == 123
    out = Gatepay.render_order(
        req, prepay_id="p1", qr_content="qr", location="https://gate/c", address="0xabc"
    )
    assert out["status"] == "SUCCESS"
    assert out["data"]["payAmount"] == "5.5"
    assert isinstance(out["data"]["expireTime"], int)

    inv, _ = Invoice.create(req.spec, T)
    note = Gatepay.render_notification(
        inv,
        "PAY_SUCCESS",
        prepay_id="p1",
        client_id="c1",
        transaction_id="tx-1",
        create_time=T,
    )
    cb = Gatepay.parse_notification(json.dumps(note), inv)
    assert cb.provider_status == "PAY_SUCCESS"
    assert cb.command is not None
    inv.apply(cb.command, T + timedelta(minutes=1))
    assert inv.status == Status.PAID


def test_gatepay_rejects_seed_example() -> None:
    # The seed's own example sends merchantTradeNo "163" against its "5 - 32" rule.
    with pytest.raises(DialectRejection) as e:
        Gatepay.parse_order(golden("gatepay_order_request.json"), id="inv_gp", now=T)
    assert (e.value.code, e.value.field) == ("invalid_field", "merchantTradeNo")
    assert e.value.body is not None
    assert e.value.body["status"] == "ERROR"


def test_gatepay_close_maps_to_no_command() -> None:
    req = Gatepay.parse_order(GP_ORDER, id="inv_gp", now=T)
    inv, _ = Invoice.create(req.spec, T)
    data = json.dumps({"merchantTradeNo": "ORDER1234", "currency": "USDT", "orderAmount": "5.5"})
    body = json.dumps({"bizType": "PAY", "bizId": "1", "bizStatus": "PAY_CLOSE", "data": data})
    cb = Gatepay.parse_notification(body, inv)
    assert cb.command is None
    assert cb.provider_status == "PAY_CLOSE"
    with pytest.raises(paystate.ValidationError):
        Gatepay.render_notification(
            inv, "PAY_MAYBE", prepay_id="p", client_id="c", transaction_id="t", create_time=T
        )


# ---- seed 003: monetix ---------------------------------------------------------------

MX_T = datetime(2022, 3, 25, 11, 8, 5, tzinfo=timezone.utc)


def mx_invoice() -> tuple[paystate.DialectRequest, Invoice]:
    req = Monetix.parse_purchase(
        golden("monetix_purchase_request.json"), id="inv_mx", now=MX_T, rate="0.01"
    )
    inv, _ = Invoice.create(req.spec, MX_T)
    return req, inv


def test_monetix_purchase_sale_refund() -> None:
    req, inv = mx_invoice()
    assert req.dialect == "monetix"
    assert req.due == Decimal("1.23")  # 12300 minor RUB x 0.01
    no_floats(req.extra)
    display = Monetix.render_display_data(
        req, qr_data="bybit://pay", lifetime=MX_T + timedelta(hours=1), qr_url="https://qr"
    )
    assert isinstance(display, list)
    assert display[3]["data"] == "12300"

    sale = Monetix.parse_sale_callback(golden("monetix_sale_success_callback.json"), inv)
    assert sale.provider_status == "success"
    assert sale.command is not None
    inv.apply(sale.command, MX_T + timedelta(minutes=1))
    assert inv.status == Status.PAID

    refund = Monetix.parse_refund(golden("monetix_refund_request.json"))
    assert refund.payment_id == "payment_47"
    assert refund.to_dict()["amount"] == 12300
    cmd = refund.command(inv, "rf_1")
    assert cmd.to_dict() == {"op": "request_refund", "refund_id": "rf_1", "amount": "1.23"}
    inv.apply(cmd, MX_T + timedelta(minutes=2))
    settled = Monetix.parse_refund_callback(golden("monetix_refund_success_callback.json"), inv)
    assert settled.command is not None
    assert settled.command.to_dict()["outcome"] == "succeeded"
    inv.apply(settled.command, MX_T + timedelta(minutes=3))


def test_monetix_rejects_and_payout() -> None:
    body = json.loads(golden("monetix_purchase_request.json"))
    del body["payment"]["currency"]
    with pytest.raises(DialectRejection) as e:
        Monetix.parse_purchase(json.dumps(body), id="inv_mx", now=MX_T)
    assert e.value.code == "missing_field"
    assert e.value.field == "payment.currency"

    payout = Monetix.parse_payout(
        golden("monetix_payout_request.json").replace(b"payment_47", b"payment_48")
    )
    assert payout.to_dict()["payment_id"] == payout.payment_id
    result = Monetix.parse_payout_callback(golden("monetix_payout_success_callback.json"), payout)
    assert result.outcome == "succeeded"
    declined = Monetix.parse_payout_callback(golden("monetix_payout_decline_callback.json"), payout)
    assert declined.outcome == "failed"


def test_monetix_sale_integrity_conflict() -> None:
    _, inv = mx_invoice()
    cb = json.loads(golden("monetix_sale_success_callback.json"))
    cb["operation"]["sum_initial"]["amount"] = 12299
    with pytest.raises(IntegrityError):
        Monetix.parse_sale_callback(json.dumps(cb), inv)


# ---- seed 004: keypair_invoice -------------------------------------------------------

KP_SEED = (
    b'{"public_key": "yourpublickey", "private_key": "yourprivatekey",'
    b' "email": "buyer@example.com",'
    b' "price_amount": 725, "price_currency": "USD", "merchant_id": 5, "order_id": 11,'
    b' "customer_id": 12, "test": 1, "title": "title", "description": "description",'
    b' "add_fee_to_price": 1, "cancel_url": "https://yourcancelurl",'
    b' "success_url": "https://yoursuccessurl", "callback_url": "https://yourcallbackurl",'
    b' "expiration_date": 12, "margin_ratio": 1.5}'
)


def test_keypair_accepts_renders_and_callback() -> None:
    req = KeypairInvoice.parse_invoice(KP_SEED, id="inv_kp", now=T, fee="1.5")
    assert req.due == Decimal("726.5")
    assert req.spec.reference == "11"
    assert "yourprivatekey" not in repr(req.extra)
    assert KeypairInvoice.render_invoice("https://pay.example/i/1") == {
        "status": "success",
        "message": "https://pay.example/i/1",
    }
    inv, _ = Invoice.create(req.spec, T)
    cb_body = KeypairInvoice.render_callback(
        req,
        private_key="yourprivatekey",
        id="kp_991",
        amount=Decimal("726.5"),
        amount_currency="USDT-TRC20",
        ref_url="https://shop.example/cart",
        ip="203.0.113.7",
        created_at=T,
    )
    assert list(cb_body)[:3] == ["private_key", "id", "email"]
    cb = KeypairInvoice.parse_callback(json.dumps(cb_body), inv)
    assert cb.command is not None
    inv.apply(cb.command, T + timedelta(minutes=1))
    assert inv.status == Status.PAID


def test_keypair_rejects() -> None:
    with pytest.raises(DialectRejection) as e:
        KeypairInvoice.parse_invoice(
            b'{"public_key": "pk", "private_key": "sk", "price_amount": 5, "expiration_date": 13}',
            id="inv_kp",
            now=T,
        )
    assert e.value.http_status == 422
    assert e.value.body is not None
    assert e.value.body["status"] == "error"
    assert e.value.field == "expiration_date"
    assert KeypairInvoice.error_body("nope") == {"status": "error", "message": ["nope"]}


# ---- binding behaviour ---------------------------------------------------------------


def test_render_needs_the_matching_dialect() -> None:
    req = Gatenoc.parse_checkout_session(b'{"amount": 5}', id="inv_g", now=T)
    with pytest.raises(TypeError, match="usdt_gateway"):
        UsdtGateway.render_invoice(req, payout_address="a", payment_url="https://x", is_test=False)


def test_callback_result_repr_and_types() -> None:
    req = UsdtGateway.parse_invoice(SEED_001, id="inv_u", now=T)
    inv, _ = Invoice.create(req.spec, T)
    hook = json.loads(golden("usdt_gateway_webhook.json"))
    hook["status"] = "pending"
    cb = UsdtGateway.parse_webhook(json.dumps(hook), inv)
    assert cb.command is None
    assert "pending" in repr(cb)
    hook["status"] = "weird"
    with pytest.raises(paystate.ValidationError):
        UsdtGateway.parse_webhook(json.dumps(hook), inv)
    with pytest.raises(TypeError):
        UsdtGateway.parse_webhook(42, inv)  # type: ignore[arg-type]
    assert "inv_u" in repr(req)
