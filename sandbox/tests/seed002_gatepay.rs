//! Seed 002 (GatePay) over HTTP: the seed's order request with its signed headers, the
//! seed's answer and error envelope, replay and clock checks, and the signed payment
//! notifications (`PAY_SUCCESS`, `PAY_CLOSE`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::Method;
use common::{
    gatepay_headers, gatepay_order, header, header_refs, wall, Api, Receiver, KEY, SECRET,
};
use paystate::dialect::gatepay;
use paystate::signature::Scheme;
use paystate::{Amount, Asset, Command, Status, Timestamp};
use serde_json::{json, Value};

const PATH: &str = "/v1/pay/checkout/order";
const CLIENT_ID: &str = "paystate-sandbox-client";

/// The seed's example order. The seed's own example sends `merchantTradeNo` "163" (3
/// characters, under its documented 5 to 32) and no price (its answer shows
/// `orderAmount` "1"): `trade_no` and `currency`/`orderAmount` "1" complete it.
fn example(trade_no: &str) -> Value {
    json!({
        "merchantTradeNo": trade_no,
        "env": {"terminalType": "APP"},
        "merchantUserId": 123,
        "goods": {
            "goodsType": "02",
            "goodsName": "Sipariş Ödemesi - 177",
            "goodsDetail": "Sipariş No : 160"
        },
        "chain": "MATIC",
        "fullCurrType": "USDT_MATIC",
        "currency": "USDT",
        "orderAmount": "1"
    })
}

async fn order(api: &Api, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    api.send_json(Method::POST, PATH, &header_refs(headers), body.to_vec())
        .await
}

fn invoice_id(answer: &Value) -> String {
    let location = answer["data"]["location"].as_str().unwrap();
    location.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn seed_002_signed_order_and_signed_notifications() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let (s, v) = api
        .post("/sandbox/seeds/002/callback-url", json!({"url": rx.url}))
        .await;
    assert_eq!(s, 200, "{v}");

    let (s, v) = gatepay_order(&api, &example("163000"), "9578").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "SUCCESS");
    assert_eq!(v["code"], "000000");
    assert_eq!(v["errorMessage"], "");
    let d = &v["data"];
    assert!(d["prepayId"]
        .as_str()
        .unwrap()
        .bytes()
        .all(|b| b.is_ascii_digit()));
    assert_eq!(d["orderAmount"], "1");
    assert_eq!(d["surchargeAmount"], "0");
    assert_eq!(d["currency"], "USDT");
    assert_eq!(d["payAmount"], "1");
    assert_eq!(d["terminalType"], "APP");
    assert_eq!(d["chain"]["chain_type"], "MATIC");
    assert_eq!(d["chain"]["fullCurrType"], "USDT_MATIC");
    assert!(d["chain"]["address"].as_str().unwrap().starts_with("0x"));
    assert_eq!(d["goodsName"], "Sipariş Ödemesi - 177");
    let id = invoice_id(&v);
    assert_eq!(d["qrContent"], format!("{base}/pay/{id}").as_str());
    let inv = api.invoice(&id).await;
    assert_eq!(inv.asset(), Asset::UsdtPolygon);
    assert_eq!(inv.due(), Amount::parse("1", "t").unwrap());
    assert_eq!(d["expireTime"], inv.deadline().as_millis());
    assert_eq!(inv.deadline().millis_since(inv.created_at()), 3_600_000);

    // Paid: PAY_SUCCESS, signed with the gatepay scheme under the webhook secret.
    api.control(&id, "pay", json!({"txId": "0xabc"})).await;
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    assert!(header(hook, "X-GatePay-Nonce").is_some());
    assert!(header(hook, "X-GatePay-Timestamp").is_some());
    common::verify_with(Scheme::Gatepay, SECRET, hook, wall()).unwrap();
    assert!(common::verify_with(Scheme::Gatepay, KEY, hook, wall()).is_err());
    let n: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(n["bizType"], "PAY");
    assert_eq!(n["bizStatus"], "PAY_SUCCESS");
    assert_eq!(n["bizId"], d["prepayId"]);
    assert_eq!(n["client_id"], CLIENT_ID);
    let parsed = gatepay::parse_notification(&hook.body, &inv).unwrap();
    match parsed.command {
        Some(Command::ObserveTransfer(t)) => assert_eq!(t.tx_id, "0xabc"),
        other => panic!("{other:?}"),
    }

    // An order left unpaid: PAY_CLOSE when its hour is over.
    let (s, v) = gatepay_order(&api, &example("163001"), "9579").await;
    assert_eq!(s, 200, "{v}");
    let id2 = invoice_id(&v);
    api.advance(3_600).await;
    assert_eq!(api.invoice(&id2).await.status(), Status::Expired);
    let got = rx.received();
    assert_eq!(got.len(), 2);
    let n: Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(n["bizStatus"], "PAY_CLOSE");
    common::verify_with(Scheme::Gatepay, SECRET, &got[1], wall()).unwrap();
}

#[tokio::test]
async fn seed_002_errors_in_the_seed_envelope_and_nothing_stored() {
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    let body = serde_json::to_vec(&example("ORDER-1")).unwrap();
    let headers = gatepay_headers(&body, "n1", wall());
    let (s, v) = order(&api, &headers, &body).await;
    assert_eq!(s, 200, "{v}");
    let count = api.invoice_count().await;

    let check = |s: u16, v: &Value, status: u16, code: &str| {
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{v}");
        assert_eq!(v["status"], "ERROR", "{v}");
        assert!(v["errorMessage"].is_string(), "{v}");
    };
    // The same signed request again: its timestamp and nonce were used.
    let (s, v) = order(&api, &headers, &body).await;
    check(s, &v, 401, "replayed");
    // A fresh signature, the same merchantTradeNo: it must be unique.
    let (s, v) = gatepay_order(&api, &example("ORDER-1"), "n2").await;
    check(s, &v, 409, "invalid_field");
    // The seed's literal example: merchantTradeNo "163" is under the documented 5.
    let mut literal = example("163");
    literal.as_object_mut().unwrap().remove("currency");
    literal.as_object_mut().unwrap().remove("orderAmount");
    let (s, v) = gatepay_order(&api, &literal, "n3").await;
    check(s, &v, 400, "invalid_field");
    assert!(v["errorMessage"]
        .as_str()
        .unwrap()
        .contains("merchantTradeNo"));
    // Validation.
    let mut mismatch = example("ORDER-2");
    mismatch["fullCurrType"] = json!("USDT_TRX");
    let mut both = example("ORDER-3");
    both["fiatAmount"] = json!("10");
    both["fiatCurrency"] = json!("USD");
    let mut decimals = example("ORDER-4");
    decimals["orderAmount"] = json!("1.1234567");
    let mut no_price = example("ORDER-5");
    no_price.as_object_mut().unwrap().remove("orderAmount");
    let mut bad_chain = example("ORDER-6");
    bad_chain["chain"] = json!("DOGE");
    for (bad, code) in [
        (mismatch, "invalid_field"),
        (both, "invalid_field"),
        (decimals, "too_many_decimals"),
        (no_price, "missing_field"),
        (bad_chain, "invalid_asset"),
    ] {
        let (s, v) = gatepay_order(&api, &bad, "n4").await;
        check(s, &v, 400, code);
    }
    // Fiat: EUR at the sandbox's rate.
    let mut eur = example("ORDER-7");
    eur.as_object_mut().unwrap().remove("currency");
    eur.as_object_mut().unwrap().remove("orderAmount");
    eur["fiatCurrency"] = json!("EUR");
    eur["fiatAmount"] = json!("10");
    let (s, v) = gatepay_order(&api, &eur, "n5").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["fiatCurrency"], "EUR");
    assert_eq!(v["data"]["payAmount"], "10.8");
    let count = count + 1;

    // Signatures: tampered, missing, stale, wrong client id.
    let tampered = serde_json::to_vec(&example("ORDER-8")).unwrap();
    let h = gatepay_headers(&body, "n6", wall());
    let (s, v) = order(&api, &h, &tampered).await;
    check(s, &v, 401, "signature_mismatch");
    let only_client = vec![
        (
            "X-GatePay-Certificate-ClientId".to_owned(),
            CLIENT_ID.to_owned(),
        ),
        ("Content-Type".to_owned(), "application/json".to_owned()),
    ];
    let (s, v) = order(&api, &only_client, &tampered).await;
    check(s, &v, 401, "signature_missing");
    let stale = Timestamp::from_millis(wall().as_millis() - 301_000, "t").unwrap();
    let (s, v) = order(&api, &gatepay_headers(&tampered, "n7", stale), &tampered).await;
    check(s, &v, 401, "timestamp_out_of_tolerance");
    let mut wrong_client = gatepay_headers(&tampered, "n8", wall());
    for (k, v) in &mut wrong_client {
        if k == "X-GatePay-Certificate-ClientId" {
            *v = "someone-else".into();
        }
    }
    let (s, v) = order(&api, &wrong_client, &tampered).await;
    check(s, &v, 401, "signature_mismatch");
    let (s, v) = order(&api, &[], &tampered).await;
    check(s, &v, 401, "signature_missing");
    assert_eq!(api.invoice_count().await, count);
}
