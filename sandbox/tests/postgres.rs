//! Three sandbox processes on one PostgreSQL database (a throw-away cluster this test
//! starts with `scripts/postgres.sh`): a burst of concurrent payments on the same invoices
//! through different processes, one process SIGKILLed mid-burst, then: amounts exact,
//! every invoice's state equal to a replay of its journal, every delivery attempt made
//! once, nothing lost, no payable amount given to two open invoices of a shared account,
//! and one clock for all. A second test races seed state through three processes: a
//! single-use checkout link, a GatePay replay key, a seed-000 webhook.
//!
//! Runs when `PAYSTATE_PG_TESTS=1` (set by `scripts/test-all.sh sandbox`), and then fails
//! loudly if PostgreSQL cannot be started; without it, it says it is skipped and passes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{header, verify, Api, Receiver, KEY};
use serde_json::{json, Value};

/// Invoices paid in three parts, each part through a different process.
const SPLIT_INVOICES: usize = 40;
const PARTS: usize = 3;
/// Invoices on one shared account, all asking the same amount.
const SHARED_INVOICES: usize = 30;
const ACCOUNT: &str = "shared-main";
/// SIGKILL the third process once this many burst requests were answered.
const KILL_AFTER: usize = 60;
/// ... and once this many webhooks arrived (so attempts are in flight).
const KILL_AFTER_RECEIVED: usize = 5;
/// How long the receiver takes to answer.
const RECEIVER_DELAY_MS: u64 = 40;
/// The claim lease the processes run with: a killed process's attempt is retaken after it.
const LEASE_SECONDS: u64 = 3;

/// The throw-away cluster, stopped (by its postmaster pid, in the script) when dropped.
struct Cluster {
    url: String,
    dir: String,
}

fn script() -> String {
    format!("{}/../scripts/postgres.sh", env!("CARGO_MANIFEST_DIR"))
}

impl Cluster {
    fn start() -> Cluster {
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/postgres.sh");
        assert!(
            out.status.success(),
            "PAYSTATE_PG_TESTS=1 but scripts/postgres.sh could not start PostgreSQL"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}='")))
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or_else(|| panic!("postgres.sh printed no {name}"))
                .to_owned()
        };
        Cluster {
            url: var("DATABASE_URL"),
            dir: var("PAYSTATE_PG_DIR"),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .env("PAYSTATE_PG_DIR", &self.dir)
            .status();
    }
}

/// The sandbox processes, each killed by its pid when dropped.
struct Procs(Vec<Option<Child>>);

impl Procs {
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.0[i].take() {
            c.kill().unwrap(); // SIGKILL to this pid
            c.wait().unwrap();
        }
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        for i in 0..self.0.len() {
            if let Some(mut c) = self.0[i].take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

fn spawn(url: &str, forward_to: &str) -> (Child, String) {
    let lease = LEASE_SECONDS.to_string();
    common::spawn_binary(&[
        "--database".as_ref(),
        url.as_ref(),
        "--forward-to".as_ref(),
        forward_to.as_ref(),
        "--delivery-lease".as_ref(),
        lease.as_ref(),
    ])
}

/// The set-up both tests share, or `None` (after saying so) when `PAYSTATE_PG_TESTS` is
/// not `1`: a throw-away cluster, a receiver slow enough that attempts are in flight
/// while other processes look for work, and three sandbox processes on one database.
/// Bind the parts in this order: they drop in reverse, processes before the cluster.
async fn three_processes() -> Option<(Cluster, Receiver, Vec<Api>, Procs)> {
    if std::env::var("PAYSTATE_PG_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "postgres test SKIPPED: set PAYSTATE_PG_TESTS=1 to run it (scripts/test-all.sh sandbox does)"
        );
        return None;
    }
    let cluster = Cluster::start();
    let rx = Receiver::start(200).await;
    rx.delay_ms.store(RECEIVER_DELAY_MS, Ordering::SeqCst);
    let mut children = Vec::new();
    let mut apis = Vec::new();
    for _ in 0..3 {
        let (child, base) = spawn(&cluster.url, &rx.url);
        children.push(Some(child));
        apis.push(Api::new(&base));
    }
    Some((cluster, rx, apis, Procs(children)))
}

/// An amount string (at most 4 decimals, seed 001) as a whole number of 0.0001 units:
/// exact arithmetic for the checks.
fn units(v: &Value) -> i128 {
    let text = v.as_str().unwrap();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 4, "{text}");
    let frac = format!("{frac:0<4}");
    whole.parse::<i128>().unwrap() * 10_000 + frac.parse::<i128>().unwrap()
}

/// Units back to an amount string.
fn text(units: i128) -> String {
    format!("{}.{:04}", units / 10_000, units % 10_000)
}

/// One request of the burst: where it goes, and the same request again for a live
/// process when its answer was lost.
#[derive(Clone)]
struct Payment {
    path: String,
    body: Value,
    process: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_one_database_sigkill_mid_burst() {
    let Some((cluster, rx, apis, mut procs)) = three_processes().await else {
        return;
    };

    // One clock: moved on process 0, read on process 1 and 2.
    let moved = apis[0].advance(60).await["nowMs"].as_i64().unwrap();
    for api in &apis[1..] {
        let (_, c) = api.get("/sandbox/clock").await;
        assert!(c["nowMs"].as_i64().unwrap() >= moved, "{c} behind {moved}");
    }

    // Invoices paid in parts: created through alternating processes.
    let mut split = Vec::new();
    for i in 0..SPLIT_INVOICES {
        let (s, v) = apis[i % 3]
            .post(
                "/api/v1/invoices",
                json!({"amountUsdt": text((i as i128 + 1) * 10_001 * PARTS as i128), "assetCode": "USDT_TRC20",
                       "reference": format!("SPLIT-{i}")}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        split.push((
            v["id"].as_str().unwrap().to_owned(),
            units(&v["amountUsdtExact"]),
        ));
    }
    // Shared-account invoices, all for 25 USDT, created concurrently through all three
    // processes: the matcher must still give each its own payable amount.
    let mut creates = Vec::new();
    for i in 0..SHARED_INVOICES {
        let api = apis[i % 3].clone();
        creates.push(tokio::spawn(async move {
            let auth = format!("Bearer {KEY}");
            let body = json!({"amountUsdt": 25, "assetCode": "USDT_TRC20",
                              "reference": format!("SHARED-{i}")});
            let mut req = hyper_request(&api.base, "/api/v1/invoices", &auth, &body);
            req.headers_mut()
                .insert("x-sandbox-shared-account", ACCOUNT.parse().unwrap());
            send(req).await
        }));
    }
    let mut shared = Vec::new();
    for c in creates {
        let (s, v) = c.await.unwrap();
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["sharedAccount"], ACCOUNT);
        shared.push((
            v["id"].as_str().unwrap().to_owned(),
            units(&v["amountUsdtExact"]),
        ));
    }
    let payables: BTreeSet<i128> = shared.iter().map(|(_, p)| *p).collect();
    assert_eq!(
        payables.len(),
        SHARED_INVOICES,
        "a payable amount given twice: {shared:?}"
    );
    let (_, acct) = apis[2].get(&format!("/sandbox/accounts/{ACCOUNT}")).await;
    assert_eq!(acct["windows"].as_array().unwrap().len(), SHARED_INVOICES);

    // The burst: every part of every split invoice, each part through another process,
    // and every shared-account transfer by amount, all at once.
    let mut burst = Vec::new();
    for (i, (id, due)) in split.iter().enumerate() {
        assert_eq!(due % PARTS as i128, 0);
        let part = due / PARTS as i128;
        for p in 0..PARTS {
            burst.push(Payment {
                path: format!("/sandbox/invoices/{id}/pay"),
                body: json!({"amount": text(part), "txId": format!("split-{i}-{p}")}),
                process: (i + p) % 3,
            });
        }
    }
    for (i, (_, payable)) in shared.iter().enumerate() {
        burst.push(Payment {
            path: format!("/sandbox/accounts/{ACCOUNT}/transfers"),
            body: json!({"amount": text(*payable), "txId": format!("shared-{i}")}),
            process: i % 3,
        });
    }
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for p in burst.clone() {
        let api = apis[p.process].clone();
        let answered = Arc::clone(&answered);
        tasks.push(tokio::spawn(async move {
            let auth = format!("Bearer {KEY}");
            let r = api
                .raw(
                    axum::http::Method::POST,
                    &p.path,
                    Some(&auth),
                    serde_json::to_vec(&p.body).unwrap(),
                )
                .await;
            if matches!(r, Ok((200, _))) {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            (p, r)
        }));
    }
    let started = Instant::now();
    while (answered.load(Ordering::SeqCst) < KILL_AFTER
        || rx.received().len() < KILL_AFTER_RECEIVED)
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    procs.kill(2);
    let received_at_kill = rx.received().len();
    let mut lost = Vec::new();
    let mut matched = BTreeMap::new();
    let mut accepted = 0usize;
    for t in tasks {
        let (p, r) = t.await.unwrap();
        match r {
            Ok((200, v)) => {
                accepted += 1;
                if let Some(id) = v["invoiceId"].as_str() {
                    if v.get("match").is_some() {
                        assert_eq!(v["match"], "matched", "{v}");
                        matched.insert(p.body["txId"].as_str().unwrap().to_owned(), id.to_owned());
                    }
                }
            }
            Ok((s, v)) if p.process != 2 => panic!("{} answered {s}: {v}", p.path),
            // Process 2 died: its answer is lost, whether or not it committed.
            _ => lost.push(p),
        }
    }
    eprintln!(
        "postgres test: {accepted} of {} burst requests answered, {} lost with the killed process, {received_at_kill} webhooks before the kill",
        burst.len(),
        lost.len()
    );
    assert!(accepted >= KILL_AFTER);
    // A lost request is sent again, the same transfer (same txId), to a live process: a
    // transfer the killed process had committed is then a repeat and changes nothing.
    for p in &lost {
        let (s, v) = apis[p.process % 2].post(&p.path, p.body.clone()).await;
        assert_eq!(s, 200, "{v}");
        if let (Some(id), Some("matched")) = (v["invoiceId"].as_str(), v["match"].as_str()) {
            matched.insert(p.body["txId"].as_str().unwrap().to_owned(), id.to_owned());
        }
    }
    // Each shared transfer went to the invoice whose payable amount it carried.
    for (i, (id, _)) in shared.iter().enumerate() {
        if let Some(got) = matched.get(&format!("shared-{i}")) {
            assert_eq!(got, id, "shared-{i} routed to the wrong invoice");
        }
    }

    // Every invoice: its exact transfers, paid, and its state what its journal replays to.
    let check = &apis[0];
    for (i, (id, due)) in split.iter().enumerate() {
        let v = core_state(check, id).await;
        let transfers = v["state"]["transfers"].as_array().unwrap();
        let tx_ids: BTreeSet<&str> = transfers
            .iter()
            .map(|t| t["tx_id"].as_str().unwrap())
            .collect();
        let want: BTreeSet<String> = (0..PARTS).map(|p| format!("split-{i}-{p}")).collect();
        assert_eq!(
            tx_ids,
            want.iter().map(String::as_str).collect(),
            "{id}: a transfer lost or doubled"
        );
        let sum: i128 = transfers.iter().map(|t| units(&t["amount"])).sum();
        assert_eq!(sum, *due, "{id}: amounts");
        assert_eq!(v["state"]["status"], "paid", "{id}");
    }
    for (i, (id, payable)) in shared.iter().enumerate() {
        let v = core_state(check, id).await;
        let transfers = v["state"]["transfers"].as_array().unwrap();
        assert_eq!(transfers.len(), 1, "{id}: {transfers:?}");
        assert_eq!(transfers[0]["tx_id"], format!("shared-{i}"));
        assert_eq!(units(&transfers[0]["amount"]), *payable);
        assert_eq!(v["state"]["status"], "paid", "{id}");
    }
    // Paid invoices released their amounts.
    let (_, acct) = check.get(&format!("/sandbox/accounts/{ACCOUNT}")).await;
    assert_eq!(acct["windows"], json!([]), "{acct}");

    // Deliveries: one per paid invoice, each delivered by exactly one attempt. The killed
    // process's claims run out after the lease and the live processes take them.
    let paid = SPLIT_INVOICES + SHARED_INVOICES;
    let deadline = Instant::now() + Duration::from_secs(60);
    let list = loop {
        check.advance(0).await;
        let (_, list) = check.get("/sandbox/deliveries?limit=1000").await;
        let list = list["data"].as_array().unwrap().clone();
        let done = list.iter().filter(|d| d["state"] == "delivered").count();
        if done == paid || Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(list.len(), paid, "one webhook per paid invoice");
    let mut expected_ids = BTreeSet::new();
    for d in &list {
        assert_eq!(d["state"], "delivered", "{d}");
        let attempts = d["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "one attempt per delivery: {d}");
        assert_eq!(attempts[0]["n"], 1);
        expected_ids.insert(d["id"].as_str().unwrap().to_owned());
    }
    // What the receiver saw: every delivery, with one body per id; an id received twice
    // only when the killed process had sent it (before the kill) and a live process made
    // the unrecorded attempt again after its claim ran out.
    let received = rx.received();
    let mut before: BTreeMap<String, usize> = BTreeMap::new();
    let mut after: BTreeMap<String, usize> = BTreeMap::new();
    let mut bodies: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for (n, r) in received.iter().enumerate() {
        verify(r).unwrap();
        let id = header(r, "x-webhook-id").unwrap().to_owned();
        bodies
            .entry(id.clone())
            .or_default()
            .insert(r.body.to_vec());
        let side = if n < received_at_kill {
            &mut before
        } else {
            &mut after
        };
        *side.entry(id).or_default() += 1;
    }
    assert_eq!(
        bodies.keys().cloned().collect::<BTreeSet<_>>(),
        expected_ids,
        "every delivery arrived"
    );
    let mut resent = 0;
    for (id, set) in &bodies {
        assert_eq!(set.len(), 1, "event {id} sent with {} bodies", set.len());
        let (b, a) = (
            before.get(id).copied().unwrap_or(0),
            after.get(id).copied().unwrap_or(0),
        );
        assert!(
            b <= 1 && a <= 1,
            "{id} sent {b} times before the kill, {a} after: a double send"
        );
        if b == 1 && a == 1 {
            resent += 1;
        }
    }
    eprintln!(
        "postgres test: {} webhooks, {resent} retaken from the killed process",
        received.len()
    );

    // A restarted third process sees the same world.
    let (child, base) = spawn(&cluster.url, &rx.url);
    procs.0[2] = Some(child);
    let (s, v) = Api::new(&base).get("/api/v1/invoices?limit=1").await;
    assert_eq!(s, 200);
    assert_eq!(
        v["meta"]["total"],
        (SPLIT_INVOICES + SHARED_INVOICES) as u64
    );
    drop(procs);
}

/// The core state and journal of an invoice, checked: the journal replays to the state.
async fn core_state(api: &Api, id: &str) -> Value {
    let (s, v) = api.get(&format!("/sandbox/invoices/{id}")).await;
    assert_eq!(s, 200, "{v}");
    let journal: Vec<paystate::JournalEntry> =
        serde_json::from_value(v["journal"].clone()).unwrap();
    let stored = paystate::Invoice::from_json(&v["state"].to_string()).unwrap();
    assert_eq!(
        paystate::Invoice::replay(&journal).unwrap(),
        stored,
        "{id}: journal and state differ"
    );
    v
}

fn hyper_request(
    base: &str,
    path: &str,
    auth: &str,
    body: &Value,
) -> axum::http::Request<http_body_util::Full<bytes::Bytes>> {
    axum::http::Request::builder()
        .method("POST")
        .uri(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("authorization", auth)
        .body(http_body_util::Full::new(bytes::Bytes::from(
            serde_json::to_vec(body).unwrap(),
        )))
        .unwrap()
}

async fn send(req: axum::http::Request<http_body_util::Full<bytes::Bytes>>) -> (u16, Value) {
    use http_body_util::BodyExt as _;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let resp = tokio::time::timeout(Duration::from_secs(60), client.request(req))
        .await
        .unwrap()
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// The wall clock now (GatePay signs with it).
fn wall_now() -> paystate::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    paystate::Timestamp::from_millis(i64::try_from(ms).unwrap(), "now").unwrap()
}

/// Seed state three processes may update at once is guarded: seed 000's single-use
/// checkout link opened through every process at the same moment is used exactly once;
/// one GatePay timestamp and nonce signed over three different orders and sent to the
/// three processes at once is accepted once (the replay rows); a seed-000 webhook is made
/// by one attempt of one process while all three advance the clock (the same claim as
/// seed 001's deliveries).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_state_is_guarded_across_processes() {
    let Some((_cluster, rx, apis, _procs)) = three_processes().await else {
        return;
    };

    // Seed 000: one session, its link opened 4 times through each process at once.
    let (s, v) = apis[0]
        .send_json(
            axum::http::Method::POST,
            "/api/v1/merchant/checkout-session",
            &[
                ("content-type", "application/json"),
                ("X-Merchant-Key", KEY),
            ],
            br#"{"amount":12.5,"note":"order_race"}"#.to_vec(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let url = v["checkout_url"].as_str().unwrap();
    let link = url[url.find("/checkout/").unwrap()..].to_owned();
    let visits = (0..12).map(|i| {
        let api = apis[i % 3].clone();
        let link = link.clone();
        tokio::spawn(async move {
            let (s, h, _) = api
                .send(axum::http::Method::GET, &link, &[], Vec::new())
                .await;
            (s, h.get("location").map(|l| l.to_str().unwrap().to_owned()))
        })
    });
    let mut opened = Vec::new();
    for visit in visits.collect::<Vec<_>>() {
        let (s, location) = visit.await.unwrap();
        match s {
            303 => opened.push(location.unwrap()),
            410 => {}
            other => panic!("a link visit answered {other}"),
        }
    }
    assert_eq!(opened.len(), 1, "the single-use link opened {opened:?}");
    let id = opened[0].strip_prefix("/pay/").unwrap().to_owned();

    // GatePay: one timestamp and nonce over three orders, one order per process.
    let at = wall_now();
    let orders = (0..3).map(|i| {
        let api = apis[i].clone();
        tokio::spawn(async move {
            let body = serde_json::to_vec(&json!({
                "merchantTradeNo": format!("RACE-{i}"),
                "env": {"terminalType": "APP"},
                "merchantUserId": 123,
                "goods": {"goodsType": "02", "goodsName": "Order", "goodsDetail": "Order"},
                "chain": "MATIC",
                "fullCurrType": "USDT_MATIC",
                "currency": "USDT",
                "orderAmount": "1"
            }))
            .unwrap();
            let input = paystate::signature::SignInput {
                id: None,
                nonce: Some("race-nonce"),
                timestamp: Some(at),
            };
            let mut headers = paystate::signature::sign(
                paystate::signature::Scheme::Gatepay,
                &[KEY],
                &body,
                &input,
            )
            .unwrap()
            .headers;
            headers.push((
                "X-GatePay-Certificate-ClientId".into(),
                "paystate-sandbox-client".into(),
            ));
            headers.push(("Content-Type".into(), "application/json".into()));
            let h: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            api.send_json(
                axum::http::Method::POST,
                "/v1/pay/checkout/order",
                &h,
                body.clone(),
            )
            .await
        })
    });
    let mut accepted = 0;
    for order in orders.collect::<Vec<_>>() {
        let (s, v) = order.await.unwrap();
        match s {
            200 => accepted += 1,
            401 => assert_eq!(v["code"], "replayed", "{v}"),
            other => panic!("an order answered {other}: {v}"),
        }
    }
    assert_eq!(
        accepted, 1,
        "one timestamp and nonce accepted {accepted} times"
    );

    // Seed 000's payment.completed: paid through process 1, the clock advanced through
    // all three at once; one attempt by one process.
    let (s, p) = apis[1]
        .post(
            &format!("/sandbox/invoices/{id}/pay"),
            json!({"txId": "SBX-RACE-1"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let started = Instant::now();
    while rx.received().is_empty() && started.elapsed() < Duration::from_secs(20) {
        let advances = apis.iter().cloned().map(|api| {
            tokio::spawn(async move {
                api.advance(0).await;
            })
        });
        for a in advances.collect::<Vec<_>>() {
            a.await.unwrap();
        }
    }
    // Every process looks for due work once more after the delivery was recorded.
    for api in &apis {
        api.advance(0).await;
    }
    let got = rx.received();
    assert_eq!(
        got.len(),
        1,
        "the seed-000 webhook arrived {} times",
        got.len()
    );
    assert_eq!(header(&got[0], "X-Gateway-Merchant-Key"), Some(KEY));
    let deliveries = apis[2].deliveries(&id).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let attempts = deliveries[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "one attempt: {}", deliveries[0]);
}
