//! SIGKILL in the middle of a burst of payments and deliveries, then a restart on the same
//! database: every accepted payment is applied exactly once, every webhook arrives, no
//! event id is ever sent with two different bodies, and the clock does not go back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Child;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{header, verify, Api, Receiver, KEY};
use serde_json::json;

const INVOICES: usize = 80;
/// Paid one by one before the burst, so deliveries are flowing when the kill comes.
const WARM_UP: usize = 20;
const KILL_AFTER_ACCEPTED: usize = 35;
const KILL_AFTER_RECEIVED: usize = 5;

/// Starts the built server on a free port; returns it and its base URL.
fn spawn(db: &std::path::Path, forward_to: &str) -> (Child, String) {
    common::spawn_binary(&[
        "--database".as_ref(),
        db.as_os_str(),
        "--forward-to".as_ref(),
        forward_to.as_ref(),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_nothing() {
    let rx = Receiver::start(200).await;
    let dir = common::TempDir::new("crash");
    let db = dir.database();

    let (mut child, base) = spawn(&db, &rx.url);
    let api = Api::new(&base);
    let mut ids = Vec::with_capacity(INVOICES);
    for i in 0..INVOICES {
        let (s, v) = api
            .post(
                "/api/v1/invoices",
                json!({"amountUsdt": format!("{}.25", i + 1), "assetCode": "USDT_TRC20",
                       "reference": format!("CRASH-{i}")}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let (_, before) = api.get("/sandbox/clock").await;

    // Deliveries take a few milliseconds each, so some are in flight at the kill.
    rx.delay_ms.store(3, Ordering::SeqCst);
    let mut accepted = BTreeSet::new();
    for id in ids.iter().take(WARM_UP) {
        let (s, _) = api
            .post(
                "/api/v1/sandbox/simulate-payment",
                json!({ "invoiceId": id }),
            )
            .await;
        assert_eq!(s, 200);
        accepted.insert(id.clone());
    }

    // The burst: every other payment at once; SIGKILL (by pid) once enough payments are
    // accepted and webhooks are arriving.
    let accepted_count = Arc::new(AtomicUsize::new(WARM_UP));
    let mut tasks = Vec::with_capacity(INVOICES);
    for id in ids.iter().skip(WARM_UP).cloned() {
        let api = api.clone();
        let count = Arc::clone(&accepted_count);
        tasks.push(tokio::spawn(async move {
            let auth = format!("Bearer {KEY}");
            let body = serde_json::to_vec(&json!({ "invoiceId": id })).unwrap();
            let r = api
                .raw(
                    axum::http::Method::POST,
                    "/api/v1/sandbox/simulate-payment",
                    Some(&auth),
                    body,
                )
                .await;
            let ok = matches!(r, Ok((200, _)));
            if ok {
                count.fetch_add(1, Ordering::SeqCst);
            }
            (id, ok)
        }));
    }
    for _ in 0..2000 {
        if accepted_count.load(Ordering::SeqCst) >= KILL_AFTER_ACCEPTED
            && rx.received().len() >= KILL_AFTER_RECEIVED
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL to this pid
    child.wait().unwrap();
    let received_before_kill = rx.received().len();
    for t in tasks {
        let (id, ok) = t.await.unwrap();
        if ok {
            accepted.insert(id);
        }
    }
    eprintln!(
        "crash test: {} of {INVOICES} payments accepted before SIGKILL, {received_before_kill} webhooks received",
        accepted.len(),
    );
    assert!(accepted.len() >= KILL_AFTER_ACCEPTED);

    // Restart on the same database.
    let (mut child, base) = spawn(&db, &rx.url);
    let api = Api::new(&base);
    let (_, after) = api.get("/sandbox/clock").await;
    assert!(after["nowMs"].as_i64().unwrap() >= before["nowMs"].as_i64().unwrap());

    // Every invoice holds at most one transfer; every accepted one exactly one, and paid.
    let mut paid = BTreeSet::new();
    for id in &ids {
        let (s, v) = api.get(&format!("/sandbox/invoices/{id}")).await;
        assert_eq!(s, 200);
        // State and journal were committed together: the journal replays to the state.
        let journal: Vec<paystate::JournalEntry> =
            serde_json::from_value(v["journal"].clone()).unwrap();
        let stored = paystate::Invoice::from_json(&v["state"].to_string()).unwrap();
        assert_eq!(paystate::Invoice::replay(&journal).unwrap(), stored, "{id}");
        let transfers = v["state"]["transfers"].as_array().unwrap().len();
        assert!(transfers <= 1, "{id}: {transfers} transfers");
        if accepted.contains(id) {
            assert_eq!(transfers, 1, "accepted payment of {id} lost");
            assert_eq!(v["state"]["status"], "paid");
        }
        if transfers == 1 {
            paid.insert(id.clone());
        } else {
            // Payments that never got an answer can be sent again after the restart.
            let (s, _) = api
                .post("/api/v1/sandbox/simulate-payment", json!({"invoiceId": id}))
                .await;
            assert_eq!(s, 200);
            paid.insert(id.clone());
        }
    }
    // Flush what is due (pending attempts resume now), then check the receiver.
    api.advance(0).await;
    let (_, list) = api.get("/sandbox/deliveries?limit=1000").await;
    let list = list["data"].as_array().unwrap();
    assert_eq!(list.len(), INVOICES, "one webhook per paid invoice");
    let mut expected_ids = BTreeSet::new();
    for d in list {
        assert_eq!(d["state"], "delivered", "{d}");
        assert!(paid.contains(d["invoiceId"].as_str().unwrap()));
        expected_ids.insert(d["id"].as_str().unwrap().to_owned());
    }
    let mut bodies: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for r in rx.received() {
        verify(&r).unwrap();
        let id = header(&r, "x-webhook-id").unwrap().to_owned();
        bodies.entry(id).or_default().insert(r.body.to_vec());
    }
    assert_eq!(
        bodies.keys().cloned().collect::<BTreeSet<_>>(),
        expected_ids,
        "every delivery arrived"
    );
    for (id, set) in &bodies {
        assert_eq!(set.len(), 1, "event {id} sent with {} bodies", set.len());
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A SQLite file is served by one sandbox process at a time: a second one on the same file
/// is refused at start-up (it would release the first one's delivery claims and send the
/// same attempts twice), and an owner killed by SIGKILL lets go of the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_has_one_process_and_a_killed_owner_lets_go() {
    let rx = Receiver::start(200).await;
    let dir = common::TempDir::new("owner");
    let db = dir.database();
    let (mut first, _) = spawn(&db, &rx.url);

    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_paystate-sandbox"))
        .args(["--port", "0", "--api-key", KEY, "--database"])
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Refused at once: bounded wait, and ended by its pid if it were serving instead.
    let mut status = None;
    for _ in 0..300 {
        status = second.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if status.is_none() {
        second.kill().unwrap();
        second.wait().unwrap();
        first.kill().unwrap();
        first.wait().unwrap();
        panic!("a second sandbox served the same SQLite file");
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.unwrap().success());
    assert!(
        stderr.contains("is in use by another sandbox"),
        "stderr: {stderr}"
    );

    first.kill().unwrap(); // SIGKILL to this pid: no clean shutdown
    first.wait().unwrap();
    let (mut third, base) = spawn(&db, &rx.url);
    let (s, _) = Api::new(&base).get("/sandbox/clock").await;
    third.kill().unwrap();
    third.wait().unwrap();
    assert_eq!(s, 200);
}
