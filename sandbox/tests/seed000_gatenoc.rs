//! Seed 000 (gatenoc) over HTTP: the seed's cURL request, its errors, the single-use
//! checkout link, a TXID claim before the transfer, and the `payment.completed` callback
//! with `X-Gateway-Merchant-Key` on its retry schedule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::Method;
use common::{gatenoc_session, header, now, Api, Receiver, KEY};
use paystate::dialect::gatenoc;
use paystate::signature::Scheme;
use paystate::{Amount, Command, Status};
use serde_json::{json, Value};

/// The checkout link's path and query, and the invoice id behind it (read through the
/// link itself, which is then used up).
fn link_path(answer: &Value, base: &str) -> String {
    let url = answer["checkout_url"].as_str().unwrap();
    url.strip_prefix(base).unwrap().to_owned()
}

async fn visit(api: &Api, path: &str) -> (u16, Option<String>, String) {
    let (s, h, body) = api.send(Method::GET, path, &[], Vec::new()).await;
    let location = h.get("location").map(|v| v.to_str().unwrap().to_owned());
    (s, location, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn seed_000_checkout_session_link_claim_and_callback() {
    let (rx, _sb, base, api) = common::forwarding(200).await;

    // The seed's request (its cURL body plus its documented notify_url).
    let (s, v) = gatenoc_session(
        &api,
        Some(KEY),
        r#"{"amount":10.50,"note":"order_123","notify_url":"https://your-server.com/webhooks/gateway-paid","success_url":"https://yourstore.com/checkout/done"}"#,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let url = v["checkout_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{base}/checkout/1?cs=")), "{url}");
    assert_eq!(url.len(), base.len() + "/checkout/1?cs=".len() + 64);
    assert_eq!(v["invoice_url"], v["checkout_url"]);
    assert_eq!(v["merchant_id"], 1);
    assert_eq!(v["amount"].to_string(), "10.5");
    assert_eq!(v["currency"], "USD");
    assert_eq!(v["note"], "order_123");
    let expires = v["expires_at"].as_str().unwrap();
    assert!(expires.ends_with("+00:00"), "{expires}");

    // Visiting the link uses it: 303 to the hosted page; again: 410, a small HTML page.
    let path = link_path(&v, &base);
    let (s, location, _) = visit(&api, &path).await;
    assert_eq!(s, 303);
    let location = location.unwrap();
    let id = location.strip_prefix("/pay/").unwrap().to_owned();
    let inv = api.invoice(&id).await;
    assert_eq!(inv.due(), Amount::parse("10.5", "t").unwrap());
    assert_eq!(inv.spec().reference.as_deref(), Some("order_123"));
    assert_eq!(
        inv.deadline().millis_since(inv.created_at()),
        1_800_000,
        "30-minute session"
    );
    let (s, location, html) = visit(&api, &path).await;
    assert_eq!((s, location), (410, None));
    assert!(html.contains("already used"), "{html}");
    assert!(html.starts_with("<!doctype html>"), "{html}");

    // The payer claims the TXID on the pay page before the transfer is seen; the transfer
    // with that id then pays the invoice, and payment.completed goes out.
    let txid = "SBX-TX-20260324-0001";
    let c = api.control(&id, "claim", json!({"txId": txid})).await;
    assert_eq!(c["claims"], json!([txid]));
    assert_eq!(c["status"], "pending");
    api.advance(0).await;
    assert!(rx.received().is_empty(), "a claim alone sends nothing");
    let p = api.control(&id, "pay", json!({"txId": txid})).await;
    assert_eq!(p["status"], "paid");
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    assert_eq!(header(hook, "X-Gateway-Merchant-Key"), Some(KEY));
    assert_eq!(header(hook, "X-Webhook-Signature"), None);
    common::verify_with(Scheme::Gatenoc, KEY, hook, now()).unwrap();
    assert!(common::verify_with(Scheme::Gatenoc, "other", hook, now()).is_err());
    let body: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(body["event"], "payment.completed");
    assert_eq!(body["amount"].to_string(), "10.5");
    assert_eq!(body["bybit_pay_id"], txid);
    assert_eq!(body["note"], "order_123");
    assert!(body["payment_record_id"].is_string());
    let parsed = gatenoc::parse_payment_completed(&hook.body, &inv).unwrap();
    match parsed.command {
        Some(Command::ObserveTransfer(t)) => assert_eq!(t.tx_id, txid),
        other => panic!("{other:?}"),
    }
    assert_eq!(api.invoice(&id).await.status(), Status::Paid);
}

#[tokio::test]
async fn seed_000_links_expire_and_errors_have_the_seed_shape() {
    let sb = common::sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);

    // No note: the answer has no note member. `/checkout/{token}` works as well.
    let (s, v) = gatenoc_session(&api, Some(KEY), r#"{"amount":10.50}"#).await;
    assert_eq!(s, 200, "{v}");
    assert!(v.get("note").is_none(), "{v}");
    let url = v["checkout_url"].as_str().unwrap();
    let token = url.split("cs=").nth(1).unwrap().to_owned();
    let (s, location, _) = visit(&api, &format!("/checkout/{token}")).await;
    assert_eq!(s, 303);
    assert!(location.unwrap().starts_with("/pay/"));

    // An unused link past its 30 minutes: 410, expired.
    let (s, v) = gatenoc_session(&api, Some(KEY), r#"{"amount":1}"#).await;
    assert_eq!(s, 200, "{v}");
    let path = link_path(&v, &base);
    api.advance(1_800).await;
    let (s, _, html) = visit(&api, &path).await;
    assert_eq!(s, 410);
    assert!(html.contains("expired"), "{html}");
    // Unknown or forged tokens: 404, HTML, no trace.
    for p in [
        "/checkout/1?cs=00".to_owned(),
        format!("/checkout/1?cs={}", "a".repeat(64)),
        "/checkout/not-a-token".to_owned(),
    ] {
        let (s, _, html) = visit(&api, &p).await;
        assert_eq!(s, 404, "{p}");
        assert!(html.contains("not found"), "{html}");
    }

    let count = api.invoice_count().await;
    // 401: missing and wrong merchant key (the value compared as sent: no trimming).
    let (s, v) = gatenoc_session(&api, None, r#"{"amount":10.50}"#).await;
    assert_eq!(s, 401);
    assert_eq!(v["error"], "Missing X-Merchant-Key header");
    assert!(v["hint"].is_string());
    // (A trailing space never reaches the server: HTTP strips it from header values.)
    for wrong in ["nope", &format!("{KEY}x"), &KEY[1..]] {
        let (s, v) = gatenoc_session(&api, Some(wrong), r#"{"amount":10.50}"#).await;
        assert_eq!(s, 401, "{wrong:?}");
        assert_eq!(v["error"], "Invalid merchant key or inactive merchant");
    }
    // 422: exactly the seed's body below the minimum; {"error"} for the rest.
    let (s, v) = gatenoc_session(&api, Some(KEY), r#"{"amount":0.99}"#).await;
    assert_eq!(s, 422);
    assert_eq!(v, json!({"error":"Amount below minimum","min_amount":1}));
    for bad in [
        r#"{"amount":"10.50"}"#,
        r#"{"amount":10.505}"#,
        r#"{"note":"x"}"#,
        r#"{"amount":10,"notify_url":"http://insecure.example.com/hook"}"#,
        r#"{"amount":10,"note":"a","username":"b"}"#,
        r#"{"amount":10,"color":"red"}"#,
        r#"{"amount":10"#,
        "[]",
    ] {
        let (s, v) = gatenoc_session(&api, Some(KEY), bad).await;
        assert_eq!(s, 422, "{bad}: {v}");
        assert!(v["error"].is_string(), "{bad}: {v}");
        assert_eq!(v.as_object().unwrap().len(), 1, "{bad}: {v}");
    }
    let big = format!(r#"{{"amount":10,"note":"{}"}}"#, "x".repeat(70_000));
    let (s, v) = gatenoc_session(&api, Some(KEY), &big).await;
    assert_eq!(s, 413);
    assert!(v["error"].is_string());
    assert_eq!(api.invoice_count().await, count);
}

#[tokio::test]
async fn seed_000_callback_retried_on_the_standard_webhooks_schedule() {
    let (rx, _sb, base, api) = common::forwarding(503).await;
    let (s, v) = gatenoc_session(&api, Some(KEY), r#"{"amount":25,"note":"retry_1"}"#).await;
    assert_eq!(s, 200, "{v}");
    let (s, location, _) = visit(&api, &link_path(&v, &base)).await;
    assert_eq!(s, 303);
    let id = location.unwrap()["/pay/".len()..].to_owned();
    api.post(&format!("/sandbox/invoices/{id}/pay"), json!({}))
        .await;
    // 0, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, +10 h: 8 attempts, then given up.
    let steps = [0u64, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
    for (n, step) in steps.iter().enumerate() {
        if *step > 0 {
            api.advance(step - 1).await;
            assert_eq!(rx.received().len(), n, "not before its time");
            api.advance(1).await;
        } else {
            api.advance(0).await;
        }
        assert_eq!(rx.received().len(), n + 1);
    }
    api.advance(7 * 86_400).await;
    assert_eq!(rx.received().len(), 8);
    let d = &api.deliveries(&id).await[0];
    assert_eq!(d["state"], "gave_up", "{d}");
    for r in rx.received() {
        assert_eq!(r.body, rx.received()[0].body);
        common::verify_with(Scheme::Gatenoc, KEY, &r, now()).unwrap();
    }
}

#[tokio::test]
async fn seed_000_link_and_pending_callback_survive_a_restart() {
    let dir = common::TempDir::new("seed000");
    let db = dir.database();
    let rx = Receiver::start(500).await;
    let first = common::sandbox(Some(db.clone()), Some(rx.url.clone())).await;
    let base = first.base_url();
    let api = Api::new(&base);
    let (s, v) = gatenoc_session(&api, Some(KEY), r#"{"amount":12,"note":"restart_1"}"#).await;
    assert_eq!(s, 200, "{v}");
    let path = link_path(&v, &base);
    let (s, location, _) = visit(&api, &path).await;
    assert_eq!(s, 303);
    let id = location.unwrap()["/pay/".len()..].to_owned();
    api.post(&format!("/sandbox/invoices/{id}/pay"), json!({}))
        .await;
    api.advance(0).await;
    assert_eq!(rx.received().len(), 1);
    first.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    // After the restart: the link is still used, and the retry goes out 5 s later, with
    // gatenoc's header and the same bytes.
    rx.status.store(200, std::sync::atomic::Ordering::SeqCst);
    let second = common::sandbox(Some(db), Some(rx.url.clone())).await;
    let base2 = second.base_url();
    let api = Api::new(&base2);
    let (s, _, _) = visit(&api, &path).await;
    assert_eq!(s, 410);
    api.advance(5).await;
    let got = rx.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].body, got[0].body);
    common::verify_with(Scheme::Gatenoc, KEY, &got[1], now()).unwrap();
    assert_eq!(api.deliveries(&id).await[0]["state"], "delivered");
    second.stop();
}
