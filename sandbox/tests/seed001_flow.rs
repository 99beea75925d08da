//! Seed 001 end to end over HTTP: create, read, list, errors at their boundaries,
//! simulate a payment, receive the signed webhook, cancel, expire, test webhook.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::Method;
use common::{header, verify, Api, Receiver, KEY};
use serde_json::{json, Value};

fn invoice(reference: &str, callback: &str) -> Value {
    json!({
        "amountUsdt": 150.0000,
        "assetCode": "USDT_TRC20",
        "reference": reference,
        "expirySeconds": 1800,
        "callbackUrl": callback,
        "metadata": {"orderId": "12345"},
        "title": "Order #12345",
        "description": "Premium subscription",
        "useWhiteLabel": true,
        "returnUrl": "https://your-site.com/thank-you"
    })
}

#[tokio::test]
async fn seed_001_flow_end_to_end() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());

    // Create: 201 with the seed's shape.
    let (s, inv) = api
        .post("/api/v1/invoices", invoice("ORDER-12345", &rx.url))
        .await;
    assert_eq!(s, 201, "{inv}");
    let id = inv["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(inv["reference"], "ORDER-12345");
    assert_eq!(inv["amountUsdtExact"], "150.0000");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["isTest"], true);
    assert_eq!(inv["metadata"]["orderId"], "12345");
    assert_eq!(inv["whiteLabel"]["network"], "tron");
    assert_eq!(inv["whiteLabel"]["title"], "Order #12345");
    let created = paystate::Timestamp::parse(inv["createdAt"].as_str().unwrap(), "t").unwrap();
    let expires = paystate::Timestamp::parse(inv["expiresAt"].as_str().unwrap(), "t").unwrap();
    assert_eq!(expires.millis_since(created), 1_800_000);

    // Read by id and by reference.
    let (s, by_id) = api.get(&format!("/api/v1/invoices/{id}")).await;
    assert_eq!((s, &by_id), (200, &inv));
    let (s, by_ref) = api.get("/api/v1/invoices/reference/ORDER-12345").await;
    assert_eq!((s, &by_ref), (200, &inv));

    // Errors, in the seed's shape and statuses.
    let err = |v: &Value, status: u64, error: &str| {
        assert_eq!(v["statusCode"], status, "{v}");
        assert_eq!(v["error"], error, "{v}");
        assert!(v["message"].is_string(), "{v}");
    };
    let (s, v) = api
        .raw(Method::GET, "/api/v1/account", None, Vec::new())
        .await
        .unwrap();
    assert_eq!(s, 401);
    err(&v, 401, "Unauthorized");
    for bad in [
        "Bearer test_wrong",
        "Bearer live_abc",
        "Basic x",
        "Bearer test_",
    ] {
        let (s, v) = api
            .raw(Method::GET, "/api/v1/account", Some(bad), Vec::new())
            .await
            .unwrap();
        assert_eq!(s, 401, "{bad}");
        err(&v, 401, "Unauthorized");
    }
    let (s, v) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": 1.00001, "assetCode": "USDT_TRC20"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["message"], "Amount must have at most 4 decimal places");
    err(&v, 400, "Bad Request");
    let (s, v) = api
        .post("/api/v1/invoices", invoice("ORDER-12345", &rx.url))
        .await;
    assert_eq!(s, 409);
    err(&v, 409, "Conflict");
    // Boundaries: min amount 0.0001, expiry 300..=7200, reference up to 50 chars.
    let cases = [
        (
            json!({"amountUsdt": 0.0001, "assetCode": "USDT_ERC20"}),
            201,
        ),
        (
            json!({"amountUsdt": 0.00009, "assetCode": "USDT_ERC20"}),
            400,
        ),
        (json!({"amountUsdt": 0, "assetCode": "USDT_ERC20"}), 400),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_BSC", "expirySeconds": 300}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_BSC", "expirySeconds": 299}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_BSC", "expirySeconds": 7200}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_BSC", "expirySeconds": 7201}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "reference": "R".repeat(50)}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "reference": "R".repeat(51)}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "title": "T".repeat(200)}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "title": "T".repeat(201)}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "description": "D".repeat(500)}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "description": "D".repeat(501)}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20",
                "callbackUrl": format!("https://shop.example/{}", "c".repeat(500 - 21))}),
            201,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20",
                "callbackUrl": format!("https://shop.example/{}", "c".repeat(501 - 21))}),
            400,
        ),
        (json!({"amountUsdt": 1, "assetCode": "BTC"}), 400),
        (json!({"amountUsdt": 1}), 400),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "walletId": "wallet_bsc"}),
            400,
        ),
        (
            json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "surprise": 1}),
            400,
        ),
    ];
    for (body, want) in cases {
        let (s, v) = api.post("/api/v1/invoices", body.clone()).await;
        assert_eq!(s, want, "{body} -> {v}");
        if want == 400 {
            err(&v, 400, "Bad Request");
        }
    }
    let auth = format!("Bearer {KEY}");
    for raw in [
        &b"{"[..],
        b"[]",
        b"\xff\xfe",
        b"{\"amountUsdt\":\"1e400\"}",
        b"null",
    ] {
        let (s, v) = api
            .raw(Method::POST, "/api/v1/invoices", Some(&auth), raw.to_vec())
            .await
            .unwrap();
        assert_eq!(s, 400, "{raw:?}");
        err(&v, 400, "Bad Request");
    }
    let (s, v) = api
        .raw(
            Method::POST,
            "/api/v1/invoices",
            Some(&auth),
            vec![b' '; paystate_sandbox::http::MAX_BODY_BYTES + 1],
        )
        .await
        .unwrap();
    assert_eq!(s, 413);
    err(&v, 413, "Payload Too Large");
    let (s, v) = api.get("/api/v1/invoices/no-such-id").await;
    assert_eq!(s, 404);
    err(&v, 404, "Not Found");
    let (s, _) = api.get("/api/v1/nowhere").await;
    assert_eq!(s, 404);
    // A path segment that is not UTF-8 once decoded: still the seed's shape.
    let (s, v) = api.get("/api/v1/invoices/%FF%FE").await;
    assert_eq!(s, 400);
    err(&v, 400, "Bad Request");
    let (s, v) = api
        .raw(Method::PUT, "/api/v1/invoices", Some(&auth), Vec::new())
        .await
        .unwrap();
    assert_eq!(s, 405);
    assert_eq!(v["statusCode"], 405);

    // Simulate the payment: the signed webhook arrives at the callback URL.
    let (s, v) = api
        .post(
            "/api/v1/sandbox/simulate-payment",
            json!({"invoiceId": id, "delaySeconds": 0}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "confirmed");
    let tx_hash = v["txHash"].as_str().unwrap().to_owned();
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let hook = &got[0];
    verify(hook).unwrap();
    assert_eq!(header(hook, "x-invoice-reference"), Some("ORDER-12345"));
    let webhook_id = header(hook, "x-webhook-id").unwrap().to_owned();
    assert!(webhook_id.starts_with(&id), "{webhook_id}");
    let body: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(body["status"], "confirmed");
    assert_eq!(body["invoice_reference"], "ORDER-12345");
    assert_eq!(body["amount_usdt_exact"], "150.0000");
    assert_eq!(body["asset_code"], "USDT_TRC20");
    assert_eq!(body["tx_hash"], tx_hash.as_str());
    assert_eq!(body["metadata"]["orderId"], "12345");
    // A shop using the core reads it as the confirmed transfer of the exact amount.
    let (shop_invoice, _) = paystate::Invoice::create(
        {
            let mut spec = paystate::InvoiceSpec::new(
                "shop-1",
                paystate::Pricing::Due(paystate::Amount::from_units(150)),
                paystate::Asset::UsdtTrc20,
                paystate::invoice::Expiry::In(paystate::Duration::seconds(1800)),
            );
            spec.reference = Some("ORDER-12345".into());
            spec
        },
        created,
    )
    .unwrap();
    let parsed = paystate::dialect::usdt_gateway::parse_webhook(&hook.body, &shop_invoice).unwrap();
    assert!(parsed.command.is_some());

    let (_, now) = api.get(&format!("/api/v1/invoices/{id}")).await;
    assert_eq!(now["status"], "confirmed");
    let (_, deliveries) = api.get("/sandbox/deliveries").await;
    let d = &deliveries["data"][0];
    assert_eq!(d["id"], webhook_id.as_str());
    assert_eq!(d["state"], "delivered");
    assert_eq!(d["attempts"][0]["statusCode"], 200);
    assert!(d["attempts"][0]["latencyMs"].is_u64());
    assert_eq!(d["body"].as_str().unwrap().as_bytes(), &hook.body[..]);

    // Cancel: a paid invoice cannot be, a pending one can.
    let (s, v) = api
        .post(&format!("/api/v1/invoices/{id}/cancel"), json!({}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["message"], "Only pending invoices can be cancelled");
    let (_, other) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": "5", "assetCode": "USDT_TRC20", "reference": "ORDER-2"}),
        )
        .await;
    let other_id = other["id"].as_str().unwrap();
    let (s, v) = api
        .raw(
            Method::POST,
            &format!("/api/v1/invoices/{other_id}/cancel"),
            Some(&auth),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!((s, v["status"].as_str()), (200, Some("cancelled")), "{v}");

    // Trigger expiry: only a pending invoice expires.
    let (_, third) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": "7.5", "assetCode": "USDT_BSC", "reference": "ORDER-3"}),
        )
        .await;
    let third_id = third["id"].as_str().unwrap();
    let (s, v) = api
        .post(
            "/api/v1/sandbox/trigger-expiry",
            json!({"invoiceId": third_id}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("expired")), "{v}");
    let (s, _) = api
        .post(
            "/api/v1/sandbox/trigger-expiry",
            json!({"invoiceId": third_id}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = api
        .post(
            "/api/v1/sandbox/simulate-payment",
            json!({"invoiceId": "missing"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .post("/api/v1/sandbox/simulate-payment", json!({}))
        .await;
    assert_eq!(s, 400);

    // List with pagination, newest first.
    let (s, page) = api.get("/api/v1/invoices?page=1&limit=2").await;
    assert_eq!(s, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["reference"], "ORDER-3");
    assert_eq!(page["meta"]["total"], 10);
    assert_eq!(page["meta"]["totalPages"], 5);
    for q in ["page=0", "limit=101", "limit=x", "page=-1"] {
        let (s, _) = api.get(&format!("/api/v1/invoices?{q}")).await;
        assert_eq!(s, 400, "{q}");
    }

    // A suspended account: seed 001's API answers 403, the controls keep working.
    let (s, _) = api
        .post("/sandbox/account", json!({"suspended": true}))
        .await;
    assert_eq!(s, 200);
    let (s, v) = api.get("/api/v1/account").await;
    assert_eq!(s, 403);
    err(&v, 403, "Forbidden");
    assert_eq!(v["message"], "Account suspended");
    let (s, _) = api.get("/sandbox/clock").await;
    assert_eq!(s, 200);
    let (s, _) = api
        .post("/sandbox/account", json!({"suspended": false}))
        .await;
    assert_eq!(s, 200);

    // The API log: newest first, method/path/status only.
    let (s, logs) = api.get("/api/v1/account/api-logs?limit=3").await;
    assert_eq!(s, 200);
    let logs = logs["data"].as_array().unwrap();
    assert_eq!(logs.len(), 3);
    assert_eq!(logs[0]["path"], "/api/v1/account");
    assert_eq!(logs[0]["statusCode"], 403);
    assert!(!serde_json::to_string(logs).unwrap().contains(KEY));
    let (s, _) = api.get("/api/v1/account/api-logs?limit=101").await;
    assert_eq!(s, 400);

    // Account and the test webhook.
    let (s, acct) = api.get("/api/v1/account").await;
    assert_eq!(s, 200);
    assert_eq!(acct["stats"]["totalInvoices"], 10);
    assert_eq!(acct["stats"]["byStatus"]["confirmed"], 1);
    let (s, v) = api
        .post("/api/v1/sandbox/test-webhook", json!({"url": rx.url}))
        .await;
    assert_eq!(s, 200, "{v}");
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 2);
    verify(&got[1]).unwrap();
    assert_eq!(header(&got[1], "x-webhook-id"), v["webhookId"].as_str());
    let (s, _) = api
        .post("/api/v1/sandbox/test-webhook", json!({"url": "ftp://x"}))
        .await;
    assert_eq!(s, 400);
    sb.stop();
}

#[tokio::test]
async fn seed_rate_limits_when_asked() {
    let sb = common::sandbox_with(None, None, true).await;
    let api = Api::new(&sb.base_url());
    // "Sandbox Endpoints 60 req/min": the 61st in the minute is a 429.
    for i in 0..60 {
        let (s, _) = api
            .post(
                "/api/v1/sandbox/trigger-expiry",
                json!({"invoiceId": "none"}),
            )
            .await;
        assert_eq!(s, 404, "request {i}");
    }
    let (s, v) = api
        .post(
            "/api/v1/sandbox/trigger-expiry",
            json!({"invoiceId": "none"}),
        )
        .await;
    assert_eq!(s, 429);
    assert_eq!(v["error"], "Too Many Requests");
    // Other groups count apart.
    let (s, _) = api.get("/api/v1/invoices").await;
    assert_eq!(s, 200);
    sb.stop();
}

/// Deterministic garbage and mutated bodies at every POST route: each answer is a JSON
/// error of the seed's shape (or a success), and the server keeps answering.
#[tokio::test]
async fn garbage_bodies_never_break_the_server() {
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    let (_, inv) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": 3, "assetCode": "USDT_TRC20"}),
        )
        .await;
    let id = inv["id"].as_str().unwrap().to_owned();
    let routes = [
        "/api/v1/invoices".to_owned(),
        format!("/api/v1/invoices/{id}/cancel"),
        "/api/v1/sandbox/simulate-payment".to_owned(),
        "/api/v1/sandbox/trigger-expiry".to_owned(),
        "/api/v1/sandbox/test-webhook".to_owned(),
        "/sandbox/clock/advance".to_owned(),
        format!("/sandbox/invoices/{id}/pay"),
        format!("/sandbox/invoices/{id}/confirm"),
        format!("/sandbox/invoices/{id}/drop"),
        "/sandbox/account".to_owned(),
    ];
    let seeds: [&[u8]; 6] = [
        br#"{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "R-1"}"#,
        br#"{"invoiceId": "x", "delaySeconds": 0}"#,
        br#"{"seconds": 10}"#,
        br#"{"amount": "1.5", "txId": "t", "confirmed": false, "confirmAfterSeconds": 5}"#,
        br#"{"metadata": {"a": [1, {"b": null}]}, "title": "\u00e9\u2028"}"#,
        b"",
    ];
    let auth = format!("Bearer {KEY}");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..40 {
        for route in &routes {
            let r = next();
            let mut body = seeds[(r % 6) as usize].to_vec();
            match (r >> 8) % 4 {
                0 => {
                    let len = ((r >> 16) % 300) as usize;
                    body = (0..len).map(|_| next() as u8).collect();
                }
                1 if !body.is_empty() => {
                    for _ in 0..4 {
                        let i = (next() % body.len() as u64) as usize;
                        body[i] = next() as u8;
                    }
                }
                2 => body.truncate(((r >> 16) % (body.len() as u64 + 1)) as usize),
                _ => {}
            }
            let (s, v) = api
                .raw(Method::POST, route, Some(&auth), body.clone())
                .await
                .unwrap_or_else(|e| panic!("round {round} {route}: {e}"));
            assert!((200..500).contains(&s), "{route} {body:?} -> {s}");
            if s >= 400 {
                assert_eq!(v["statusCode"], s, "{route} {body:?} -> {v}");
                assert!(v["message"].is_string() && v["error"].is_string(), "{v}");
            }
        }
    }
    let (s, _) = api.get("/sandbox/clock").await;
    assert_eq!(s, 200);
    sb.stop();
}
