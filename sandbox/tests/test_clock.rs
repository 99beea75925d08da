//! The test clock: a full seed-001 retry schedule and an expiry driven by one advance;
//! the payer behaviours of the sandbox controls; the clock surviving a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{header, ts, verify, Api, Receiver};
use paystate::Timestamp;
use serde_json::{json, Value};

async fn create(api: &Api, amount: &str, expiry: u64, callback: Option<&str>) -> String {
    let mut body =
        json!({"amountUsdt": amount, "assetCode": "USDT_TRC20", "expirySeconds": expiry});
    if let Some(c) = callback {
        body["callbackUrl"] = json!(c);
    }
    let (s, v) = api.post("/api/v1/invoices", body).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn full_retry_schedule_and_expiry_in_one_advance() {
    let rx = Receiver::start(500).await;
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    let (_, clock) = api.get("/sandbox/clock").await;
    let t0 = ts(&clock["now"]);

    let paid = create(&api, "25.5", 1800, Some(&rx.url)).await;
    let waiting = create(&api, "10", 7200, None).await;
    let (s, _) = api
        .post(
            "/api/v1/sandbox/simulate-payment",
            json!({"invoiceId": paid}),
        )
        .await;
    assert_eq!(s, 200);

    // 1 + 2 + 4 + ... + 512 minutes = 17 h 3 min: one advance of 18 h walks all of it.
    let after = api.advance(18 * 3600).await;
    assert_eq!(ts(&after["now"]).millis_since(t0), 18 * 3600 * 1000);

    let (_, list) = api
        .get(&format!("/sandbox/deliveries?invoiceId={paid}"))
        .await;
    let deliveries = list["data"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1);
    let d = &deliveries[0];
    assert_eq!(d["state"], "gave_up");
    assert!(d["nextAttemptAt"].is_null());
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 11);
    let times: Vec<Timestamp> = attempts.iter().map(|a| ts(&a["at"])).collect();
    assert_eq!(times[0], t0);
    for (i, pair) in times.windows(2).enumerate() {
        let minutes = 1i64 << i;
        assert_eq!(
            pair[1].millis_since(pair[0]),
            minutes * 60_000,
            "retry {}",
            i + 1
        );
    }
    assert!(attempts.iter().all(|a| a["statusCode"] == 500));

    // The receiver saw 11 identical, signed bodies under one id.
    let got = rx.received();
    assert_eq!(got.len(), 11);
    for r in &got {
        verify(r).unwrap();
        assert_eq!(r.body, got[0].body);
        assert_eq!(header(r, "x-webhook-id"), d["id"].as_str());
    }

    // The other invoice expired at its deadline, applied in time order.
    let (_, w) = api.get(&format!("/api/v1/invoices/{waiting}")).await;
    assert_eq!(w["status"], "expired");
    let (_, state) = api.get(&format!("/sandbox/invoices/{waiting}")).await;
    let journal = state["journal"].as_array().unwrap();
    let tick = journal.last().unwrap();
    assert_eq!(tick["command"]["op"], "tick");
    assert_eq!(ts(&tick["at"]).millis_since(t0), 7200 * 1000);
    sb.stop();
}

#[tokio::test]
async fn payer_behaviours() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, Some(rx.url.clone())).await;
    let api = Api::new(&sb.base_url());
    let status = |v: &Value| v["status"].as_str().unwrap().to_owned();
    let pay = |id: String, body: Value| {
        let api = api.clone();
        async move {
            let (s, v) = api.post(&format!("/sandbox/invoices/{id}/pay"), body).await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };

    let exact = create(&api, "10", 1800, None).await;
    assert_eq!(status(&pay(exact.clone(), json!({})).await), "paid");

    let short = create(&api, "10", 1800, None).await;
    assert_eq!(
        status(&pay(short.clone(), json!({"amount": "9.99"})).await),
        "pending"
    );

    let over = create(&api, "10", 1800, None).await;
    assert_eq!(status(&pay(over, json!({"amount": "10.5"})).await), "paid");

    let parts = create(&api, "10", 1800, None).await;
    assert_eq!(
        status(&pay(parts.clone(), json!({"amount": "4"})).await),
        "pending"
    );
    assert_eq!(
        status(&pay(parts.clone(), json!({"amount": "6"})).await),
        "paid"
    );

    let confirmed_later = create(&api, "10", 1800, None).await;
    let v = pay(
        confirmed_later.clone(),
        json!({"confirmed": false, "confirmAfterSeconds": 600}),
    )
    .await;
    assert_eq!(status(&v), "processing");
    assert_eq!(v["seedStatus"], "pending");

    let dropped = create(&api, "10", 1800, None).await;
    let v = pay(
        dropped.clone(),
        json!({"confirmed": false, "dropAfterSeconds": 60}),
    )
    .await;
    assert_eq!(status(&v), "processing");

    let manual = create(&api, "10", 1800, None).await;
    let v = pay(
        manual.clone(),
        json!({"confirmed": false, "txId": "tx-manual"}),
    )
    .await;
    assert_eq!(status(&v), "processing");
    let (s, v) = api
        .post(
            &format!("/sandbox/invoices/{manual}/confirm"),
            json!({"txId": "tx-manual"}),
        )
        .await;
    assert_eq!((s, status(&v)), (200, "paid".to_owned()));
    let (s, _) = api
        .post(
            &format!("/sandbox/invoices/{manual}/confirm"),
            json!({"txId": "unknown"}),
        )
        .await;
    assert_eq!(s, 400);

    // Bad control input is a 400 naming the field, not a crash.
    for body in [
        json!({"amount": 1.5}),
        json!({"amount": "-1"}),
        json!({"amount": "1e3"}),
        json!({"confirmAfterSeconds": 5}),
        json!({"confirmed": false, "confirmAfterSeconds": 99_999_999}),
        json!({"what": 1}),
    ] {
        let (s, v) = api
            .post(&format!("/sandbox/invoices/{short}/pay"), body.clone())
            .await;
        assert_eq!(s, 400, "{body} -> {v}");
        assert_eq!(v["statusCode"], 400);
    }

    // Delayed confirmation and drop happen when the clock passes them.
    api.advance(59).await;
    let (_, d) = api.get(&format!("/api/v1/invoices/{dropped}")).await;
    let (_, c) = api.get(&format!("/sandbox/invoices/{dropped}")).await;
    assert_eq!(
        (d["status"].as_str(), c["state"]["status"].as_str()),
        (Some("pending"), Some("processing"))
    );
    api.advance(1).await;
    let (_, c) = api.get(&format!("/sandbox/invoices/{dropped}")).await;
    assert_eq!(c["state"]["status"], "pending");
    api.advance(540).await;
    let (_, c) = api
        .get(&format!("/api/v1/invoices/{confirmed_later}"))
        .await;
    assert_eq!(c["status"], "confirmed");

    // Late: after the deadline the money is held, the invoice stays expired.
    let late = create(&api, "10", 300, None).await;
    api.advance(301).await;
    let v = pay(late.clone(), json!({})).await;
    assert_eq!(status(&v), "expired");

    // Each stored state is exactly what its journal replays to (docs/spec.md §3).
    for id in [
        &exact,
        &short,
        &parts,
        &confirmed_later,
        &dropped,
        &manual,
        &late,
    ] {
        let (_, v) = api.get(&format!("/sandbox/invoices/{id}")).await;
        let journal: Vec<paystate::JournalEntry> =
            serde_json::from_value(v["journal"].clone()).unwrap();
        let replayed = paystate::Invoice::replay(&journal).unwrap();
        let stored = paystate::Invoice::from_json(&v["state"].to_string()).unwrap();
        assert_eq!(replayed, stored, "{id}");
    }

    // Every paid invoice produced exactly one delivered webhook (forwarded).
    let (_, list) = api.get("/sandbox/deliveries").await;
    let list = list["data"].as_array().unwrap();
    assert_eq!(list.len(), 5, "exact, over, parts, confirmed later, manual");
    assert!(list.iter().all(|d| d["state"] == "delivered"));
    assert_eq!(rx.received().len(), 5);
    sb.stop();
}

#[tokio::test]
async fn clock_resumes_after_restart_never_earlier() {
    let dir = common::TempDir::new("clock");
    let db = dir.database();
    let first = common::sandbox(Some(db.clone()), None).await;
    let api = Api::new(&first.base_url());
    let id = create(&api, "3", 1800, None).await;
    let advanced = api.advance(3600).await;
    first.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;

    let second = common::sandbox(Some(db), None).await;
    let api = Api::new(&second.base_url());
    let (_, clock) = api.get("/sandbox/clock").await;
    assert_eq!(clock["nowMs"], advanced["nowMs"]);
    let (s, v) = api.get(&format!("/api/v1/invoices/{id}")).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("expired")));
    second.stop();
}

#[tokio::test]
async fn advance_rejects_bad_input() {
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    for body in [
        json!({}),
        json!({"seconds": -1}),
        json!({"seconds": 1.5}),
        json!({"seconds": u64::MAX}),
    ] {
        let (s, v) = api.post("/sandbox/clock/advance", body.clone()).await;
        assert_eq!(s, 400, "{body} -> {v}");
    }
    sb.stop();
}

#[tokio::test]
async fn realtime_follows_the_wall_clock_and_delivers_without_advance() {
    let rx = Receiver::start(200).await;
    let config = paystate_sandbox::Config::from_args(paystate_sandbox::Args {
        port: 0,
        database: ":memory:".into(),
        api_key: Some(common::KEY.into()),
        webhook_secret: Some(common::SECRET.into()),
        forward_to: Some(rx.url.clone()),
        realtime: true,
        rate_limit: false,
        ..Default::default()
    })
    .unwrap();
    let sb = paystate_sandbox::start(config).await.unwrap();
    let api = Api::new(&sb.base_url());
    let (_, c1) = api.get("/sandbox/clock").await;
    assert_eq!(c1["realtime"], true);
    let (s, _) = api
        .post("/sandbox/clock/advance", json!({"seconds": 1}))
        .await;
    assert_eq!(s, 400);
    let id = create(&api, "1", 300, None).await;
    let (s, _) = api
        .post("/api/v1/sandbox/simulate-payment", json!({"invoiceId": id}))
        .await;
    assert_eq!(s, 200);
    for _ in 0..200 {
        if !rx.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(rx.received().len(), 1);
    verify(&rx.received()[0]).unwrap();
    let (_, c2) = api.get("/sandbox/clock").await;
    assert!(c2["nowMs"].as_i64().unwrap() >= c1["nowMs"].as_i64().unwrap());
    sb.stop();
}

#[tokio::test]
async fn confirmation_window_closes_on_advance() {
    let rx = Receiver::start(200).await;
    let sb = common::sandbox(None, Some(rx.url.clone())).await;
    let api = Api::new(&sb.base_url());
    let id = create(&api, "8", 1800, None).await;
    let (s, v) = api
        .post(
            &format!("/sandbox/invoices/{id}/pay"),
            json!({"confirmed": false}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("processing")));
    let (_, state) = api.get(&format!("/sandbox/invoices/{id}")).await;
    let window_end = paystate::Invoice::from_json(&state["state"].to_string())
        .unwrap()
        .confirmation_deadline();
    let (_, clock) = api.get("/sandbox/clock").await;
    let to_end = u64::try_from(window_end.millis_since(ts(&clock["now"])) / 1000).unwrap();
    api.advance(to_end - 1).await;
    let (_, c) = api.get(&format!("/sandbox/invoices/{id}")).await;
    assert_eq!(c["state"]["status"], "processing");
    api.advance(1).await;
    let (_, c) = api.get(&format!("/sandbox/invoices/{id}")).await;
    assert_eq!(c["state"]["status"], "invalid");
    let last = c["journal"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ts(&last["at"]), window_end);
    // Never confirmed: no webhook.
    assert!(rx.received().is_empty());
    sb.stop();
}

#[tokio::test]
async fn concurrent_duplicate_references_create_one_invoice() {
    let sb = common::sandbox(None, None).await;
    let api = Api::new(&sb.base_url());
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            api.post(
                "/api/v1/invoices",
                json!({"amountUsdt": 1, "assetCode": "USDT_TRC20", "reference": "SAME-REF"}),
            )
            .await
            .0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    sb.stop();
}
