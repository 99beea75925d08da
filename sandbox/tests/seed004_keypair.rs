//! Seed 004 over HTTP: the form body PHP's `http_build_query` sends, the seed's answers and
//! errors, `margin_ratio`, `banned_coins`, `expiration_date`, and the callback carrying the
//! private key, tried 3 times 5 minutes apart until HTTP 200.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::Method;
use common::{keypair_form, now, Api, KEY, SECRET};
use paystate::dialect::keypair_invoice;
use paystate::signature::Scheme;
use paystate::{Amount, Asset, Command, Status};
use serde_json::{json, Value};

const PATH: &str = "/api/invoice/create";

/// What `http_build_query($post)` writes for the seed's PHP example (keys replaced by the
/// sandbox's, the scrubbed e-mail by a real one, the callback by a public name).
fn php_example() -> String {
    format!(
        "public_key={KEY}&private_key={SECRET}&email=buyer%40example.com&price_amount=725\
         &price_currency=USD&merchant_id=5&order_id=11&customer_id=12&test=1&title=title\
         &description=description&add_fee_to_price=1&cancel_url=https%3A%2F%2Fyourcancelurl.com\
         &success_url=https%3A%2F%2Fyoursuccessurl.com&callback_url=http%3A%2F%2Fshop.example.com%2Fcallback\
         &expiration_date=12&margin_ratio=1.5"
    )
}

fn invoice_id(answer: &Value, base: &str) -> String {
    assert_eq!(answer["status"], "success", "{answer}");
    let url = answer["message"].as_str().unwrap();
    let id = url.strip_prefix(&format!("{base}/pay/")).unwrap();
    assert_eq!(id.len(), 36, "{url}");
    id.to_owned()
}

fn assert_error(v: &Value) {
    assert_eq!(v["status"], "error", "{v}");
    let m = v["message"].as_array().unwrap();
    assert_eq!(m.len(), 1, "{v}");
    assert!(m[0].is_string(), "{v}");
}

#[tokio::test]
async fn seed_004_form_invoice_margin_and_signed_callback() {
    let (rx, _sb, base, api) = common::forwarding(200).await;

    // The PHP example, form-encoded: 200 {"status":"success","message":"<invoice url>"}.
    let (s, v) = keypair_form(&api, &php_example()).await;
    assert_eq!(s, 200, "{v}");
    let id = invoice_id(&v, &base);
    let inv = api.invoice(&id).await;
    // 725 USD at rate 1 plus the sandbox's fee (add_fee_to_price=1), margin 1.5 USDT,
    // 12 hours, the first network no coin bans.
    assert_eq!(inv.due(), Amount::parse("725.50", "t").unwrap());
    assert_eq!(inv.asset(), Asset::UsdtTrc20);
    assert_eq!(inv.spec().reference.as_deref(), Some("11"));
    assert_eq!(
        inv.deadline().millis_since(inv.created_at()),
        12 * 3_600_000
    );

    // The seed's Python example sends JSON: accepted too.
    let json_body = json!({
        "public_key": KEY, "private_key": SECRET, "price_amount": 5, "margin_ratio": 1,
        "expiration_date": 1, "order_id": 77
    });
    let (s, v) = api
        .send_json(
            Method::POST,
            PATH,
            &[("content-type", "application/json")],
            serde_json::to_vec(&json_body).unwrap(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let five = invoice_id(&v, &base);
    let inv5 = api.invoice(&five).await;
    assert_eq!(inv5.deadline().millis_since(inv5.created_at()), 3_600_000);

    // margin_ratio 1 on 5 USDT: 3.9 is not enough, 4 (3.9 + 0.1) is paid.
    let v = api
        .control(&five, "pay", json!({"amount": "3.9", "txId": "tx_a"}))
        .await;
    assert_ne!(v["status"], "paid", "{v}");
    assert!(rx.received().is_empty());
    let v = api
        .control(&five, "pay", json!({"amount": "0.1", "txId": "tx_b"}))
        .await;
    assert_eq!(v["status"], "paid", "{v}");
    api.advance(0).await;

    // One callback: it carries the private key (the seed's "signature"), verifies with the
    // core's keypair_invoice verifier and parses with the core's callback parser.
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    common::verify_with(Scheme::KeypairInvoice, SECRET, hook, now()).unwrap();
    assert!(common::verify_with(Scheme::KeypairInvoice, "another", hook, now()).is_err());
    let body: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(body["private_key"], SECRET);
    assert_eq!(body["id"], five.as_str());
    assert_eq!(body["amount"], "4");
    assert_eq!(body["amount_currency"], "USDT-TRC20");
    assert_eq!(body["order_id"], "77");
    assert_eq!(body["expiration_date"], 1);
    let paid = api.invoice(&five).await;
    assert_eq!(paid.status(), Status::Paid);
    let parsed = keypair_invoice::parse_callback(&hook.body, &inv5).unwrap();
    match parsed.command {
        Some(Command::ObserveTransfer(t)) => {
            assert_eq!(t.amount, Amount::parse("4", "t").unwrap());
            assert_eq!(t.asset, Asset::UsdtTrc20);
        }
        other => panic!("{other:?}"),
    }
    // The outbox and /sandbox/deliveries never hold the private key.
    let deliveries = api.deliveries(&five).await;
    assert_eq!(deliveries.len(), 1);
    assert!(!deliveries[0]["body"].as_str().unwrap().contains(SECRET));
}

#[tokio::test]
async fn seed_004_banned_coins_and_errors_leave_nothing_behind() {
    let sb = common::sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let head = format!("public_key={KEY}&private_key={SECRET}&price_amount=10");

    // banned_coins as the seed's json_encode string, and as PHP's array encoding.
    let (s, v) = keypair_form(
        &api,
        &format!("{head}&banned_coins=%5B%22BTC%22%2C%22ETH%22%2C%22USDT-TRC20%22%5D"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = invoice_id(&v, &base);
    assert_eq!(api.invoice(&id).await.asset(), Asset::UsdtErc20);
    let (s, v) = keypair_form(
        &api,
        &format!("{head}&banned_coins%5B0%5D=USDT-TRC20&banned_coins%5B1%5D=USDT-ERC20"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let id = invoice_id(&v, &base);
    assert_eq!(api.invoice(&id).await.asset(), Asset::UsdtBsc);
    let count = api.invoice_count().await;
    assert_eq!(count, 2);

    // Every refusal: the seed's {"status":"error","message":["..."]}, nothing stored.
    let cases: Vec<(String, u16, &str)> = vec![
        (
            format!("{head}&banned_coins=%5B%22USDT%22%5D"),
            422,
            "banned",
        ),
        (
            format!("public_key={KEY}&private_key={SECRET}"),
            422,
            "price_amount",
        ),
        (format!("{head}&expiration_date=13"), 422, "expiration_date"),
        (format!("{head}&expiration_date=0"), 422, "expiration_date"),
        (format!("{head}&margin_ratio=abc"), 422, "margin_ratio"),
        (
            format!("{head}&price_amount=1&price_amount=2"),
            422,
            "twice",
        ),
        (format!("{head}&price_currency=JPY"), 422, "price_currency"),
        (
            format!("{head}&callback_url=http%3A%2F%2F127.0.0.1%2Fcb"),
            422,
            "callback_url",
        ),
        (format!("{head}&title%5B0%5D=x"), 422, "title"),
        (format!("{head}&unknown=1"), 422, "unknown"),
        (
            format!("public_key=wrong&private_key={SECRET}&price_amount=10"),
            401,
            "Invalid",
        ),
        (
            format!("public_key={KEY}&private_key=wrong&price_amount=10"),
            401,
            "Invalid",
        ),
        ("price_amount=10".to_owned(), 422, "public_key"),
    ];
    for (body, status, needle) in cases {
        let (s, v) = keypair_form(&api, &body).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_error(&v);
        let text = v["message"][0].as_str().unwrap();
        assert!(text.contains(needle), "{body}: {text}");
        // A secret never comes back in an error.
        assert!(!text.contains(SECRET), "{text}");
    }
    // A body over the limit: 413 in the same shape.
    let big = format!("{head}&title={}", "x".repeat(70_000));
    let (s, v) = keypair_form(&api, &big).await;
    assert_eq!(s, 413, "{v}");
    assert_error(&v);
    assert_eq!(api.invoice_count().await, count);
}

#[tokio::test]
async fn seed_004_callback_tried_three_times_five_minutes_apart_until_200() {
    let (rx, _sb, base, api) = common::forwarding(500).await;
    let body = format!("public_key={KEY}&private_key={SECRET}&price_amount=20&order_id=A-1");

    // Failing receiver: attempts at 0, 5 and 10 minutes, then the plan gives up.
    let (s, v) = keypair_form(&api, &body).await;
    assert_eq!(s, 200, "{v}");
    let id = invoice_id(&v, &base);
    api.control(&id, "pay", json!({})).await;
    api.advance(0).await;
    assert_eq!(rx.received().len(), 1);
    api.advance(299).await;
    assert_eq!(rx.received().len(), 1);
    api.advance(1).await;
    assert_eq!(rx.received().len(), 2);
    api.advance(300).await;
    assert_eq!(rx.received().len(), 3);
    api.advance(86_400).await;
    assert_eq!(rx.received().len(), 3);
    let d = &api.deliveries(&id).await[0];
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    let at =
        |i: usize| paystate::Timestamp::parse(attempts[i]["at"].as_str().unwrap(), "at").unwrap();
    assert_eq!(at(1).millis_since(at(0)), 300_000);
    assert_eq!(at(2).millis_since(at(1)), 300_000);
    assert_eq!(d["state"], "gave_up", "{d}");
    // Every attempt carried the same bytes, each verifying.
    let got = rx.received();
    assert!(got.iter().all(|r| r.body == got[0].body));
    for r in &got {
        common::verify_with(Scheme::KeypairInvoice, SECRET, r, now()).unwrap();
    }

    // "until it reaches HTTP code 200": a 201 is not enough, a 200 ends it.
    rx.status.store(201, std::sync::atomic::Ordering::SeqCst);
    let (s, v) = keypair_form(&api, &body.replace("A-1", "A-2")).await;
    assert_eq!(s, 200, "{v}");
    let id2 = invoice_id(&v, &base);
    api.post(&format!("/sandbox/invoices/{id2}/pay"), json!({}))
        .await;
    api.advance(0).await;
    assert_eq!(rx.received().len(), 4);
    rx.status.store(200, std::sync::atomic::Ordering::SeqCst);
    api.advance(300).await;
    assert_eq!(rx.received().len(), 5);
    api.advance(3_600).await;
    assert_eq!(rx.received().len(), 5);
    let d = &api.deliveries(&id2).await[0];
    assert_eq!(d["state"], "delivered", "{d}");
}

#[tokio::test]
async fn seed_004_payer_ways_over_late_and_a_claim_first() {
    let (rx, _sb, base, api) = common::forwarding(200).await;
    let body = |order: &str| {
        format!("public_key={KEY}&private_key={SECRET}&price_amount=20&order_id={order}&expiration_date=1")
    };

    // Over: 25 for 20 is paid; the callback reports what arrived.
    let (_, v) = keypair_form(&api, &body("over")).await;
    let over = invoice_id(&v, &base);
    let (s, v) = api
        .post(
            &format!("/sandbox/invoices/{over}/pay"),
            json!({"amount": "25"}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("paid")), "{v}");
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let cb: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(cb["amount"], "25");

    // A TXID claimed before the transfer, then the transfer unconfirmed, then confirmed.
    let (_, v) = keypair_form(&api, &body("claim")).await;
    let claim = invoice_id(&v, &base);
    api.control(&claim, "claim", json!({"txId": "tx_c"})).await;
    let v = api
        .control(
            &claim,
            "pay",
            json!({"txId": "tx_c", "confirmed": false, "confirmAfterSeconds": 60}),
        )
        .await;
    assert_eq!(v["status"], "processing");
    api.advance(59).await;
    assert_eq!(rx.received().len(), 1);
    api.advance(1).await;
    assert_eq!(api.invoice(&claim).await.status(), Status::Paid);
    assert_eq!(rx.received().len(), 2);

    // Late: past the hour the invoice is expired; a payment then is recorded as late and
    // sends no success callback (the seed sends one "if payment success").
    let (_, v) = keypair_form(&api, &body("late")).await;
    let late = invoice_id(&v, &base);
    api.advance(3_600).await;
    assert_eq!(api.invoice(&late).await.status(), Status::Expired);
    api.control(&late, "pay", json!({})).await;
    let inv = api.invoice(&late).await;
    assert_eq!(inv.status(), Status::Expired);
    assert!(inv.transfers()[0].late);
    api.advance(0).await;
    assert_eq!(rx.received().len(), 2);

    // Unconfirmed then dropped (a reorg): nothing is paid, nothing sent.
    let (_, v) = keypair_form(&api, &body("drop")).await;
    let dropped = invoice_id(&v, &base);
    api.post(
        &format!("/sandbox/invoices/{dropped}/pay"),
        json!({"txId": "tx_d", "confirmed": false}),
    )
    .await;
    let v = api.control(&dropped, "drop", json!({"txId": "tx_d"})).await;
    assert_eq!(v["status"], "pending");
    api.advance(0).await;
    assert_eq!(rx.received().len(), 2);
}
