//! Invoices paid into a shared account by amount only (`X-Sandbox-Shared-Account`): the
//! core's matcher gives each open invoice its own payable amount, a transfer by amount
//! reaches the invoice holding it, and paying, expiring or cancelling releases it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use axum::http::Method;
use common::{Api, Receiver, KEY};
use serde_json::{json, Value};

async fn create_shared(api: &Api, account: &str, amount: &str, reference: &str) -> (u16, Value) {
    let auth = format!("Bearer {KEY}");
    let body = json!({"amountUsdt": amount, "assetCode": "USDT_TRC20", "reference": reference,
                      "callbackUrl": "http://127.0.0.1:9/webhook"});
    // `Api::raw` sends no custom header: build the request by hand.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("{}/api/v1/invoices", api.base))
        .header("content-type", "application/json")
        .header("authorization", auth)
        .header("x-sandbox-shared-account", account)
        .body(http_body_util::Full::new(bytes::Bytes::from(
            serde_json::to_vec(&body).unwrap(),
        )))
        .unwrap();
    use http_body_util::BodyExt as _;
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn windows(api: &Api, account: &str) -> Vec<(String, String)> {
    let (s, v) = api.get(&format!("/sandbox/accounts/{account}")).await;
    assert_eq!(s, 200, "{v}");
    v["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["invoice"].as_str().unwrap().to_owned(),
                w["payable"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn payable_amounts_are_unique_routed_by_amount_and_released() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, Some(rx.url.clone())).await;
    let api = Api::new(&sb.base_url());

    // Four invoices for the same price on one account: four different payable amounts,
    // each what its invoice is due.
    let mut invoices = Vec::new();
    for i in 0..4 {
        let (s, v) = create_shared(&api, "desk-1", "25", &format!("SH-{i}")).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["sharedAccount"], "desk-1");
        invoices.push((
            v["id"].as_str().unwrap().to_owned(),
            v["amountUsdtExact"].as_str().unwrap().to_owned(),
        ));
    }
    let amounts: Vec<&str> = invoices.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(amounts, ["25.0000", "25.0001", "25.0002", "25.0003"]);
    let (_, state) = api
        .get(&format!("/sandbox/invoices/{}", invoices[1].0))
        .await;
    assert_eq!(state["state"]["due"], "25.0001");
    // Another account is independent: the same price gets the plain amount there.
    let (s, other) = create_shared(&api, "desk-2", "25", "OTHER-0").await;
    assert_eq!(s, 201);
    assert_eq!(other["amountUsdtExact"], "25.0000");
    // A plain invoice has no shared account.
    let (s, plain) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": "25", "assetCode": "USDT_TRC20", "reference": "PLAIN"}),
        )
        .await;
    assert_eq!(s, 201);
    assert!(plain.get("sharedAccount").is_none());

    // A transfer by amount reaches the invoice holding it, and pays it.
    let (s, v) = api
        .post(
            "/sandbox/accounts/desk-1/transfers",
            json!({"amount": "25.0002", "txId": "bank-1"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["match"], "matched");
    assert_eq!(v["invoiceId"], invoices[2].0.as_str());
    assert_eq!(v["status"], "paid");
    // An amount nobody holds changes nothing.
    let (s, v) = api
        .post(
            "/sandbox/accounts/desk-1/transfers",
            json!({"amount": "25.0009"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["match"], "unmatched");
    let (s, v) = api
        .post("/sandbox/accounts/nobody/transfers", json!({"amount": "1"}))
        .await;
    assert_eq!((s, v["match"].clone()), (200, json!("unmatched")));

    // Paid: released. Cancelled: released. The freed amount goes to the next invoice.
    let (s, _) = api
        .post(
            &format!("/api/v1/invoices/{}/cancel", invoices[0].0),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let held: BTreeSet<String> = windows(&api, "desk-1")
        .await
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(held, ["25.0001", "25.0003"].map(String::from).into());
    let (_, next) = create_shared(&api, "desk-1", "25", "SH-4").await;
    assert_eq!(next["amountUsdtExact"], "25.0000");

    // Expired (the clock past the deadline): every window of the account released.
    api.advance(7200).await;
    assert!(windows(&api, "desk-1").await.is_empty());
    assert!(windows(&api, "desk-2").await.is_empty());
    // A late transfer of a released amount is unmatched.
    let (_, v) = api
        .post(
            "/sandbox/accounts/desk-1/transfers",
            json!({"amount": "25.0001"}),
        )
        .await;
    assert_eq!(v["match"], "unmatched");

    // Bad input: a typed 400, nothing created.
    for bad in ["", "has space", &"x".repeat(65)] {
        let (s, v) = api
            .raw(
                Method::POST,
                &format!("/sandbox/accounts/{}/transfers", bad.replace(' ', "%20")),
                Some(&format!("Bearer {KEY}")),
                br#"{"amount": "1"}"#.to_vec(),
            )
            .await
            .unwrap();
        assert!(s == 400 || s == 404, "{bad:?}: {s} {v}");
    }
    let (s, v) = create_shared(&api, "bad/name", "25", "BAD-1").await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = api
        .post("/sandbox/accounts/desk-1/transfers", json!({}))
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = api
        .post(
            "/sandbox/accounts/desk-1/transfers",
            json!({"amount": 25.5}),
        )
        .await;
    assert_eq!(s, 400, "a JSON number is not an amount string: {v}");
    let (_, list) = api.get("/api/v1/invoices?limit=100").await;
    assert_eq!(list["meta"]["total"], 7);
    sb.stop();
}
