//! `paystate dialect NAME KIND`: the JSON contract of `paystate_cli::dialect::run`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use paystate_cli::dialect::run;
use serde_json::{json, Value};

fn ok(name: &str, kind: &str, at: Option<&str>, body: &str) -> Value {
    run(name, kind, at, body.as_bytes()).unwrap()
}

#[test]
fn unknown_name_or_kind_is_a_usage_error() {
    assert!(run("stripe", "invoice", None, b"{}").is_err());
    assert!(run("gatenoc", "invoice", None, b"{}").is_err());
    assert!(run("monetix", "order", None, b"{}").is_err());
    assert!(run("gatenoc", "checkout-session", Some("yesterday"), b"{}").is_err());
}

#[test]
fn gatenoc_accepted_and_rejected() {
    let out = ok(
        "gatenoc",
        "checkout-session",
        Some("2026-03-24T11:30:00Z"),
        r#"{"amount": 10.50, "note": "order_123"}"#,
    );
    let a = &out["accepted"];
    assert_eq!(
        a["invoice"]["id"],
        json!("order_123"),
        "id derived from the note"
    );
    assert_eq!(a["invoice"]["reference"], json!("order_123"));
    assert_eq!(
        a["invoice"]["price"],
        json!({"amount": "10.5", "currency": "USD"})
    );
    assert_eq!(a["invoice"]["asset"], json!("USDT_BYBIT"));
    assert_eq!(a["invoice"]["expires_in"], json!(1800));
    assert_eq!(a["due"], json!("10.5"));
    assert_eq!(a["deadline"], json!("2026-03-24T12:00:00Z"));
    assert_eq!(a["extra"]["note"], json!("order_123"));

    let out = ok("gatenoc", "checkout-session", None, r#"{"amount": 0.5}"#);
    assert_eq!(
        out,
        json!({"rejected": {
            "code": "amount_below_minimum",
            "field": "amount",
            "message": "amount: amount 0.5 is below the minimum 1",
            "http_status": 422,
            "body": {"error": "Amount below minimum", "min_amount": 1}
        }})
    );
}

#[test]
fn without_at_the_output_does_not_depend_on_time() {
    let body = r#"{"amount": 10.50}"#;
    let a = ok("gatenoc", "checkout-session", None, body);
    assert!(a["accepted"].get("deadline").is_none());
    let b = ok(
        "gatenoc",
        "checkout-session",
        Some("2030-01-01T00:00:00Z"),
        body,
    );
    let mut b_acc = b["accepted"].clone();
    b_acc.as_object_mut().unwrap().remove("deadline");
    assert_eq!(a["accepted"], b_acc);
    // Without a note the id is a fingerprint of the request bytes.
    let id = a["accepted"]["invoice"]["id"].as_str().unwrap();
    assert!(
        id.starts_with("gatenoc-") && id.len() == "gatenoc-".len() + 16,
        "{id}"
    );
    assert_eq!(
        ok("gatenoc", "checkout-session", None, body)["accepted"]["invoice"]["id"],
        json!(id)
    );
}

#[test]
fn usdt_gateway() {
    let out = ok(
        "usdt_gateway",
        "invoice",
        None,
        r#"{"amountUsdt": 0.00009, "assetCode": "USDT_TRC20"}"#,
    );
    let r = &out["rejected"];
    assert_eq!(r["code"], json!("too_many_decimals"));
    assert_eq!(r["field"], json!("amountUsdt"));
    assert_eq!(r["http_status"], json!(400));
    assert_eq!(
        r["body"],
        json!({"statusCode": 400, "message": "Amount must have at most 4 decimal places", "error": "Bad Request"})
    );
    let out = ok(
        "usdt_gateway",
        "invoice",
        None,
        r#"{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345", "metadata": {"orderId": "12345"}}"#,
    );
    let inv = &out["accepted"]["invoice"];
    assert_eq!(inv["id"], json!("ORDER-12345"));
    assert_eq!(inv["due"], json!("150"));
    assert_eq!(inv["expires_in"], json!(1800));
    assert_eq!(inv["metadata"], json!({"orderId": "12345"}));
    assert_eq!(
        out["accepted"]["extra"]["amountUsdtExact"],
        json!("150.0000")
    );
    let out = ok(
        "usdt_gateway",
        "invoice",
        None,
        r#"{"amountUsdt": 1, "assetCode": "USDT_TRC20", "expirySeconds": 7201}"#,
    );
    assert_eq!(out["rejected"]["field"], json!("expirySeconds"));
}

#[test]
fn gatepay_needs_at_for_absolute_expiry() {
    let body = r#"{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123, "goods": {"goodsType": "02", "goodsName": "charge"}, "chain": "MATIC", "fullCurrType": "USDT_MATIC", "orderAmount": "1", "orderExpireTime": 1677573665219}"#;
    assert!(run("gatepay", "order", None, body.as_bytes())
        .unwrap_err()
        .contains("--at"));
    let out = ok("gatepay", "order", Some("2023-02-28T07:00:00Z"), body);
    let a = &out["accepted"];
    assert_eq!(a["invoice"]["id"], json!("ORDER1234"));
    assert_eq!(a["invoice"]["asset"], json!("USDT_POLYGON"));
    assert_eq!(
        a["invoice"]["expires_at"],
        json!("2023-02-28T08:41:05.219Z")
    );
    assert_eq!(a["deadline"], json!("2023-02-28T08:41:05.219Z"));
    let late = ok("gatepay", "order", Some("2023-03-01T00:00:00Z"), body);
    assert_eq!(late["rejected"]["field"], json!("orderExpireTime"));
    let short = ok(
        "gatepay",
        "order",
        None,
        &body
            .replace("ORDER1234", "1234")
            .replace(", \"orderExpireTime\": 1677573665219", ""),
    );
    assert_eq!(short["rejected"]["code"], json!("invalid_field"));
    assert_eq!(short["rejected"]["field"], json!("merchantTradeNo"));
    assert_eq!(short["rejected"]["body"]["status"], json!("ERROR"));
}

#[test]
fn monetix_purchase_refund_payout() {
    let purchase = r#"{"general": {"project_id": 1234, "payment_id": "payment_47", "signature": "sig"}, "customer": {"id": "customer_123", "ip_address": "198.51.100.47", "first_name": "John", "last_name": "Doe", "email": "johndoe@example.com"}, "payment": {"amount": 12300, "currency": "RUB"}}"#;
    let out = ok("monetix", "purchase", None, purchase);
    assert_eq!(out["accepted"]["invoice"]["id"], json!("payment_47"));
    assert_eq!(
        out["accepted"]["invoice"]["price"],
        json!({"amount": "123", "currency": "RUB"})
    );
    assert_eq!(out["accepted"]["invoice"]["expires_in"], json!(3600));
    let bad = ok(
        "monetix",
        "purchase",
        None,
        &purchase.replace("12300", "123.5"),
    );
    assert_eq!(
        bad,
        json!({"rejected": {"code": "invalid_amount", "field": "payment.amount", "message": bad["rejected"]["message"]}})
    );
    let refund = r#"{"general": {"project_id": 1234, "payment_id": "payment_47", "signature": "s"}, "customer": {"id": "customer_123", "ip_address": "198.51.100.47"}, "payment": {"description": "Refund description", "amount": 12300, "currency": "RUB"}}"#;
    let out = ok("monetix", "refund", None, refund);
    assert_eq!(out["accepted"]["refund"]["amount"], json!(12300));
    assert_eq!(out["accepted"]["refund"]["full"], json!(false));
    let payout = r#"{"general": {"project_id": 1234, "payment_id": "payment_47", "signature": "s"}, "customer": {"id": "c", "ip_address": "198.51.100.47", "first_name": "J", "last_name": "D", "email": "j@example.com", "account_id": "123456"}, "payment": {"amount": 12300, "currency": "RUB"}}"#;
    let out = ok("monetix", "payout", None, payout);
    assert_eq!(
        out["accepted"]["payout"]["payment"],
        json!({"minor": 12300, "amount": "123", "currency": "RUB"})
    );
}

#[test]
fn keypair_invoice() {
    let out = ok(
        "keypair_invoice",
        "invoice",
        None,
        r#"{"public_key": "pk", "private_key": "sk", "price_amount": 5, "order_id": 11, "margin_ratio": 1, "expiration_date": 13}"#,
    );
    assert_eq!(
        out["rejected"],
        json!({"code": "invalid_field", "field": "expiration_date", "message": out["rejected"]["message"], "http_status": 422, "body": {"status": "error", "message": [out["rejected"]["message"]]}})
    );
    let out = ok(
        "keypair_invoice",
        "invoice",
        None,
        r#"{"public_key": "pk", "private_key": "sk", "price_amount": 5, "order_id": 11, "margin_ratio": 1}"#,
    );
    let a = &out["accepted"];
    assert_eq!(a["invoice"]["id"], json!("11"));
    assert_eq!(a["invoice"]["tolerance"], json!({"absolute": "1"}));
    assert_eq!(a["invoice"]["expires_in"], json!(43_200));
    assert!(
        !out.to_string().contains("\"sk\""),
        "the private key is never printed"
    );
}
