//! docs/spec.md §2 "State documents": whatever the core writes, it reads back — whatever
//! its size or depth. Each document type is grown with the public API well past the
//! 1 MiB cap on request bodies, written, and read back equal. Loading refuses only text
//! that is not JSON (`malformed_json`) or a document breaking an invariant
//! (`invalid_state`), never with a signature error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]

use paystate::delivery::{DeliveryPlan, Outcome, Policy};
use paystate::invoice::{
    Command, Expiry, InvoiceSpec, Pricing, TransferInput, MAX_METADATA_BYTES, MAX_METADATA_DEPTH,
};
use paystate::json::{from_stored, MAX_JSON_BYTES};
use paystate::signature::ReplayGuard;
use paystate::{Amount, Asset, Duration, Invoice, Matcher, Session, Timestamp};
use serde_json::{json, Map, Value};

fn t(s: i64) -> Timestamp {
    Timestamp::from_seconds(s, "t").unwrap()
}

fn amount(s: &str) -> Amount {
    Amount::parse(s, "amount").unwrap()
}

fn spec(id: &str, metadata: Option<Map<String, Value>>) -> InvoiceSpec {
    let mut spec = InvoiceSpec::new(
        id,
        Pricing::Due(amount("1000000")),
        Asset::parse("USDT_TRC20", "asset").unwrap(),
        Expiry::In(Duration::seconds(3600)),
    );
    spec.metadata = metadata;
    spec
}

/// Serialises with serde (what every binding stores) and reads back with the core's loader.
fn round_trip<T>(doc: &T) -> (String, T)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let text = serde_json::to_string(doc).unwrap();
    let back = from_stored::<T>(&text).unwrap();
    (text, back)
}

#[test]
fn replay_guard_of_12_000_keys_loads_back() {
    let mut guard = ReplayGuard::default();
    for i in 0..12_000 {
        let key = format!("standard_webhooks:msg_{i:06}_{}", "x".repeat(40));
        guard.check_and_record(&key, t(10_000), t(0)).unwrap();
    }
    let (text, back) = round_trip(&guard);
    assert!(text.len() > MAX_JSON_BYTES, "{} bytes", text.len());
    assert_eq!(back, guard);
    assert_eq!(back.len(), 12_000);
    assert!(back.contains(
        &format!("standard_webhooks:msg_011999_{}", "x".repeat(40)),
        t(1)
    ));
}

#[test]
fn matcher_of_12_000_open_invoices_loads_back() {
    let mut matcher = Matcher::new();
    for i in 0..12_000u32 {
        let account = format!("account-{}-{}", i % 7, "a".repeat(32));
        let due = amount(&format!("{}.5", 10 + i));
        matcher
            .allocate(
                &account,
                &format!("inv_{i:06}_{}", "i".repeat(24)),
                due,
                amount("0.01"),
                amount("0"),
            )
            .unwrap();
    }
    let (text, back) = round_trip(&matcher);
    assert!(text.len() > MAX_JSON_BYTES, "{} bytes", text.len());
    assert_eq!(back, matcher);
    assert_eq!(back.len(), 12_000);
}

#[test]
fn invoice_with_6_000_transfers_loads_back() {
    let (mut invoice, _) = Invoice::create(spec("inv_many", None), t(0)).unwrap();
    for i in 0..6_000 {
        invoice
            .apply(
                &Command::ObserveTransfer(TransferInput {
                    tx_id: format!("{i:064x}"),
                    amount: amount("0.01"),
                    asset: Asset::parse("USDT_TRC20", "asset").unwrap(),
                    confirmed: true,
                    at: None,
                }),
                t(1),
            )
            .unwrap();
    }
    let text = invoice.to_json();
    assert!(text.len() > MAX_JSON_BYTES, "{} bytes", text.len());
    let back = Invoice::from_json(&text).unwrap();
    assert_eq!(back, invoice);
    assert_eq!(back.transfers().len(), 6_000);
    assert_eq!(back.amount_paid(), amount("60"));
    assert_eq!(from_stored::<Invoice>(&text).unwrap(), invoice);
}

/// `{"k": {"k": ... {"leaf": "v"}}}`, `depth` levels of objects in all.
fn nested(depth: usize) -> Map<String, Value> {
    let mut value = json!({"leaf": "v"});
    for _ in 1..depth {
        value = json!({ "k": value });
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// An object of exactly `bytes` bytes as compact JSON: `{"pad":"xxx..."}`.
fn sized(bytes: usize) -> Map<String, Value> {
    let overhead = r#"{"pad":""}"#.len();
    let mut map = Map::new();
    map.insert("pad".into(), Value::String("x".repeat(bytes - overhead)));
    assert_eq!(serde_json::to_string(&map).unwrap().len(), bytes);
    map
}

#[test]
fn metadata_at_its_limits_loads_back_and_beyond_them_is_refused_at_create() {
    for metadata in [nested(MAX_METADATA_DEPTH), sized(MAX_METADATA_BYTES)] {
        let (invoice, _) = Invoice::create(spec("inv_meta", Some(metadata.clone())), t(0)).unwrap();
        let back = Invoice::from_json(&invoice.to_json()).unwrap();
        assert_eq!(back, invoice);
        assert_eq!(back.spec().metadata.as_ref(), Some(&metadata));
    }
    for metadata in [
        nested(MAX_METADATA_DEPTH + 1),
        sized(MAX_METADATA_BYTES + 1),
    ] {
        let e = Invoice::create(spec("inv_meta", Some(metadata)), t(0)).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_field", Some("metadata")));
    }
    // The JSON path (bindings, conformance) reaches the same check.
    let mut map = serde_json::from_value::<Map<String, Value>>(json!({
        "id": "inv_meta", "due": "5", "asset": "USDT_TRC20", "expires_in": 60
    }))
    .unwrap();
    map.insert(
        "metadata".into(),
        Value::Object(nested(MAX_METADATA_DEPTH + 1)),
    );
    let e = InvoiceSpec::from_json(&map)
        .and_then(|s| Invoice::create(s, t(0)))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_field", Some("metadata")));
}

#[test]
fn session_and_delivery_plan_load_back() {
    let (invoice, _) = Invoice::create(spec(&"i".repeat(128), None), t(0)).unwrap();
    let mut session =
        Session::open(&"s".repeat(128), &invoice, Duration::seconds(600), t(0)).unwrap();
    session.use_at(&invoice, t(5)).unwrap();
    let (_, back) = round_trip(&session);
    assert_eq!(back, session);

    for policy in Policy::ALL {
        let mut plan = DeliveryPlan::new("e".repeat(4096), policy, t(0));
        let mut now = t(0);
        while let Some(due) = plan.next_deadline() {
            now = now.max(due);
            plan.report(Outcome::Http(500), now, None).unwrap();
        }
        assert!(plan.is_finished());
        let (_, back) = round_trip(&plan);
        assert_eq!(back, plan);
    }
}

#[test]
fn loading_refuses_only_non_json_or_broken_documents() {
    fn codes<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> &'static str {
        from_stored::<T>(text).unwrap_err().code()
    }
    for text in ["", "not json", "{", "[1,2", "\"x\""] {
        assert_eq!(codes::<ReplayGuard>(text), "malformed_json", "{text:?}");
        assert_eq!(codes::<Matcher>(text), "malformed_json", "{text:?}");
        assert_eq!(codes::<Session>(text), "malformed_json", "{text:?}");
        assert_eq!(codes::<DeliveryPlan>(text), "malformed_json", "{text:?}");
    }
    for text in ["", "not json", "{", "[1,2"] {
        assert_eq!(
            Invoice::from_json(text).unwrap_err().code(),
            "malformed_json",
            "{text:?}"
        );
    }
    // A guard holding more keys than its capacity cannot have been written by the core.
    let mut guard = ReplayGuard::new(2).unwrap();
    guard.check_and_record("github:aa", t(100), t(0)).unwrap();
    guard.check_and_record("github:bb", t(100), t(0)).unwrap();
    let text = serde_json::to_string(&guard)
        .unwrap()
        .replace("\"capacity\":2", "\"capacity\":1");
    assert_eq!(codes::<ReplayGuard>(&text), "invalid_state");
}

#[test]
fn every_delivery_plan_the_core_writes_loads_back() {
    // Loading replays a plan's attempts to check it (invalid_state otherwise): every plan
    // reached by reports and ticks, in or out of order, must pass that check. 400 fixed
    // pseudo-random walks (a linear congruential generator: no randomness in tests).
    let outcomes = [
        Outcome::Http(200),
        Outcome::Http(204),
        Outcome::Http(404),
        Outcome::Http(410),
        Outcome::Http(500),
        Outcome::Timeout,
        Outcome::Http(999),
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for walk in 0..400 {
        let policy = Policy::ALL[walk % Policy::ALL.len()];
        let mut plan = DeliveryPlan::new(format!("plan_{walk}"), policy, t(1_000));
        let mut now = 1_000i64;
        for _ in 0..16 {
            // time moves forward or (as reports may) backward
            now += i64::try_from(next(5_000)).unwrap() - 1_000;
            if next(4) == 0 {
                plan.tick(t(now.max(0)));
            } else {
                let outcome = outcomes[usize::try_from(next(7)).unwrap()];
                let duration = match next(3) {
                    0 => None,
                    1 => Some(Duration::seconds(next(40))),
                    _ => Some(Duration::from_millis(next(40_000), "d").unwrap()),
                };
                let _ = plan.report(outcome, t(now.max(0)), duration);
            }
            let (_, back) = round_trip(&plan);
            assert_eq!(back, plan, "walk {walk}");
        }
    }
}
