//! Seed 003 (Monetix) over HTTP: the seed's sale request signed in the body, its QR-code
//! callback, the sale, refund and payout callbacks signed with the `monetix` scheme, the
//! errors, and the decline when the QR code's hour passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{monetix_post, monetix_signed, now, Api, Receiver, KEY, SECRET};
use paystate::dialect::monetix;
use paystate::signature::Scheme;
use paystate::{Command, Status};
use serde_json::{json, Value};

const PROJECT: u64 = 1001;

/// The seed's "Figure 5" purchase request, for the sandbox's project.
fn sale_body(payment_id: &str) -> Value {
    json!({
        "general": {
            "project_id": PROJECT,
            "payment_id": payment_id,
            "signature": "PJkV8ej\\/UG0Di8hTng6JvC7vQsaC6tajQVVfBaNIipTv+AWoXW\\/9MTO8yJA=="
        },
        "customer": {
            "id": "customer_123",
            "ip_address": "198.51.100.47",
            "first_name": "John",
            "last_name": "Doe",
            "email": "johndoe@example.com",
            "browser": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
            "device_type": "WEB",
            "device_id": "4343323242"
        },
        "payment": {"amount": 12300, "currency": "RUB"}
    })
}

fn refund_body(payment_id: &str, amount: Option<u64>) -> Value {
    let mut payment = json!({"description": "Refund description", "currency": "RUB"});
    if let Some(a) = amount {
        payment["amount"] = json!(a);
    }
    json!({
        "general": {"project_id": PROJECT, "payment_id": payment_id, "signature": "x"},
        "customer": {"id": "customer_123", "ip_address": "198.51.100.47"},
        "payment": payment
    })
}

fn payout_body() -> Value {
    json!({
        "general": {"project_id": PROJECT, "payment_id": "payout_1", "signature": "x"},
        "customer": {
            "id": "customer_123", "ip_address": "198.51.100.47", "first_name": "John",
            "last_name": "Doe", "email": "johndoe@example.com", "account_id": "acc_77"
        },
        "payment": {"amount": 5000, "currency": "USD"}
    })
}

fn last(rx: &Receiver) -> (common::Received, Value) {
    let r = rx.received().last().unwrap().clone();
    common::verify_with(Scheme::Monetix, SECRET, &r, now()).unwrap();
    assert!(common::verify_with(Scheme::Monetix, KEY, &r, now()).is_err());
    let v = serde_json::from_slice(&r.body).unwrap();
    (r, v)
}

#[tokio::test]
async fn seed_003_sale_refund_payout_and_signed_callbacks() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    // Monetix configures the callback URL per project: the sandbox control sets it.
    let (s, v) = api
        .post("/sandbox/seeds/003/callback-url", json!({"url": rx.url}))
        .await;
    assert_eq!(s, 200, "{v}");

    let (s, v) = monetix_post(&api, "sale", monetix_signed(&sale_body("payment_47"))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "success");
    assert_eq!(v["payment_id"], "payment_47");
    assert_eq!(v["project_id"], PROJECT);
    let id = v["sandbox_invoice_id"].as_str().unwrap().to_owned();
    let inv = api.invoice(&id).await;
    assert_eq!(inv.spec().reference.as_deref(), Some("payment_47"));
    assert_eq!(inv.deadline().millis_since(inv.created_at()), 3_600_000);

    // The QR-code callback: display_data as the seed lists it, signed in the body.
    api.advance(0).await;
    assert_eq!(rx.received().len(), 1);
    let (_, qr) = last(&rx);
    let dd = qr["display_data"].as_array().unwrap();
    assert_eq!(dd.len(), 5);
    assert_eq!(dd[0]["type"], "qr_data");
    assert_eq!(dd[1]["title"], "lifetime");
    assert_eq!(
        dd[1]["data"],
        inv.deadline().as_seconds().to_string().as_str()
    );
    assert_eq!(dd[3]["data"], "12300");
    assert_eq!(dd[4]["data"], "RUB");
    assert_eq!(qr["operation"]["status"], "awaiting customer action");

    // Paid: the sale success callback, which the core's parser reads as the payment.
    api.control(&id, "pay", json!({})).await;
    api.advance(0).await;
    assert_eq!(rx.received().len(), 2);
    let (sale_cb, v) = last(&rx);
    assert_eq!(v["operation"]["type"], "sale");
    assert_eq!(v["operation"]["status"], "success");
    assert_eq!(v["payment"]["id"], "payment_47");
    assert_eq!(
        v["payment"]["sum"],
        json!({"amount": 12300, "currency": "RUB"})
    );
    assert!(v["signature"].is_string());
    let parsed = monetix::parse_sale_callback(&sale_cb.body, &inv).unwrap();
    assert!(matches!(parsed.command, Some(Command::ObserveTransfer(_))));

    // A partial refund, then the rest: each answered, settled and called back.
    let (s, v) = monetix_post(
        &api,
        "refund",
        monetix_signed(&refund_body("payment_47", Some(5000))),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "success");
    api.advance(0).await;
    assert_eq!(rx.received().len(), 3);
    let (_, v) = last(&rx);
    assert_eq!(v["operation"]["type"], "refund");
    assert_eq!(v["operation"]["status"], "success");
    assert_eq!(v["operation"]["sum_initial"]["amount"], 5000);
    assert_eq!(v["payment"]["status"], "partially refunded");
    assert_eq!(api.invoice(&id).await.status(), Status::PartiallyRefunded);
    let (s, v) = monetix_post(
        &api,
        "refund",
        monetix_signed(&refund_body("payment_47", None)),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    api.advance(0).await;
    let (_, v) = last(&rx);
    assert_eq!(v["payment"]["status"], "refunded");
    assert_eq!(v["payment"]["sum"]["amount"], 0);
    assert_eq!(api.invoice(&id).await.status(), Status::Refunded);
    // Nothing is left to refund.
    let (s, v) = monetix_post(
        &api,
        "refund",
        monetix_signed(&refund_body("payment_47", Some(1))),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["status"], "error");
    assert_eq!(v["code"], "refund_exceeds_available");

    // A payout: no invoice, its success callback.
    let (s, v) = monetix_post(&api, "payout", monetix_signed(&payout_body())).await;
    assert_eq!(s, 200, "{v}");
    api.advance(0).await;
    let (_, v) = last(&rx);
    assert_eq!(v["operation"]["type"], "payout");
    assert_eq!(v["payment"]["type"], "payout");
    assert_eq!(
        v["payment"]["sum"],
        json!({"amount": 5000, "currency": "USD"})
    );
}

#[tokio::test]
async fn seed_003_errors_and_the_qr_code_hour() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, Some(rx.url.clone())).await;
    let api = Api::new(&sb.base_url());
    let (s, v) = monetix_post(&api, "sale", monetix_signed(&sale_body("p_1"))).await;
    assert_eq!(s, 200, "{v}");
    let id = v["sandbox_invoice_id"].as_str().unwrap().to_owned();
    let count = api.invoice_count().await;

    let mut wrong_project = sale_body("p_2");
    wrong_project["general"]["project_id"] = json!(7);
    let mut no_email = sale_body("p_3");
    no_email["customer"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let mut yen = sale_body("p_4");
    yen["payment"]["currency"] = json!("JPY");
    let mut fraction = sale_body("p_5");
    fraction["payment"]["amount"] = json!(123.5);
    let unsigned = serde_json::to_vec(&sale_body("p_6")).unwrap();
    let mut tampered: Value = serde_json::from_slice(&monetix_signed(&sale_body("p_7"))).unwrap();
    tampered["payment"]["amount"] = json!(1);
    let mut no_sig = sale_body("p_8");
    no_sig["general"]
        .as_object_mut()
        .unwrap()
        .remove("signature");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "sale",
            monetix_signed(&wrong_project),
            401,
            "signature_mismatch",
        ),
        ("sale", monetix_signed(&no_email), 400, "missing_field"),
        ("sale", monetix_signed(&yen), 400, "invalid_field"),
        ("sale", monetix_signed(&fraction), 400, "invalid_amount"),
        // The seed's own example signature is not one of this key's.
        ("sale", unsigned, 401, "signature_malformed"),
        (
            "sale",
            serde_json::to_vec(&tampered).unwrap(),
            401,
            "signature_mismatch",
        ),
        (
            "sale",
            serde_json::to_vec(&no_sig).unwrap(),
            401,
            "signature_missing",
        ),
        ("sale", b"{not json".to_vec(), 400, "malformed_json"),
        (
            "sale",
            monetix_signed(&sale_body("p_1")),
            409,
            "invalid_field",
        ),
        (
            "refund",
            monetix_signed(&refund_body("nope_1", None)),
            404,
            "invalid_field",
        ),
        // Refunding an unpaid purchase: nothing is refundable.
        (
            "refund",
            monetix_signed(&refund_body("p_1", Some(100))),
            400,
            "refund_exceeds_available",
        ),
    ];
    for (op, body, status, code) in cases {
        let (s, v) = monetix_post(&api, op, body).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{op}: {v}");
        assert_eq!(v["status"], "error");
        assert!(v["message"].is_string());
    }
    assert_eq!(api.invoice_count().await, count);
    assert_eq!(api.invoice(&id).await.status(), Status::Pending);

    // The QR code lives one hour: then the sale is declined, and the callback says so.
    api.advance(0).await;
    let before = rx.received().len();
    api.advance(3_600).await;
    assert_eq!(api.invoice(&id).await.status(), Status::Expired);
    assert_eq!(rx.received().len(), before + 1);
    let (_, v) = last(&rx);
    assert_eq!(v["operation"]["status"], "decline");
    assert_eq!(v["operation"]["code"], "20000");
}
