//! The replay guard (docs/spec.md §6) against a model written here: a map key -> keep_until.
//!
//! `check_and_record(key, keep_until, now)`: `replayed` (guard unchanged) when the key is
//! held with keep_until >= now; otherwise keys whose window passed (< now) are dropped,
//! a key whose own window is already over is not recorded, and when every one of
//! `capacity` keys is still live the answer is `limit_exceeded` with the guard unchanged
//! (a live key is never evicted, docs/spec.md §6). The guard never holds more than its
//! capacity, and round-trips through JSON.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paystate::signature::ReplayGuard;
use paystate::Timestamp;

#[derive(Arbitrary, Debug)]
enum Op {
    Record { key: u8, keep: u8, dt: u8 },
    Purge { dt: u8 },
    Contains { key: u8, dt: u8 },
    RoundTrip,
}

const KEEP: [i64; 6] = [-1, 0, 1, 1_000, 300_000, 86_400_000];
const DT: [i64; 6] = [0, 1, 999, 300_000, -1_000, 86_400_001];

#[derive(Arbitrary, Debug)]
struct Input {
    capacity: u8,
    ops: Vec<Op>,
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms.max(0), "t").expect("in range")
}

fuzz_target!(|input: Input| {
    let cap = usize::from(input.capacity % 6);
    let Ok(mut g) = ReplayGuard::new(cap) else {
        assert_eq!(cap, 0);
        return;
    };
    let mut model: BTreeMap<String, i64> = BTreeMap::new();
    let mut now = 1_767_225_600_000i64;
    for op in input.ops.iter().take(64) {
        match op {
            Op::Record { key, keep, dt } => {
                now = (now + DT[usize::from(*dt) % DT.len()]).max(0);
                let key = format!("k{}", key % 12);
                let keep_until = (now + KEEP[usize::from(*keep) % KEEP.len()]).max(0);
                let before = g.clone();
                let got = g.check_and_record(&key, ts(keep_until), ts(now));
                if model.get(&key).is_some_and(|u| *u >= now) {
                    assert_eq!(got.map_err(|e| e.code()), Err("replayed"));
                    assert_eq!(g, before, "a replayed key changed the guard");
                } else {
                    model.retain(|_, u| *u >= now);
                    if keep_until >= now && model.len() >= cap {
                        assert_eq!(got.map_err(|e| e.code()), Err("limit_exceeded"));
                        // purging expired keys changes nothing observable: none had expired
                        assert_eq!(g, before, "a refused key changed the guard");
                    } else {
                        assert!(got.is_ok(), "{key} refused: {got:?}");
                        if keep_until >= now {
                            model.insert(key, keep_until);
                        }
                    }
                }
            }
            Op::Purge { dt } => {
                now = (now + DT[usize::from(*dt) % DT.len()]).max(0);
                g.purge(ts(now));
                model.retain(|_, u| *u >= now);
            }
            Op::Contains { key, dt } => {
                let t = (now + DT[usize::from(*dt) % DT.len()]).max(0);
                let key = format!("k{}", key % 12);
                assert_eq!(g.contains(&key, ts(t)), model.get(&key).is_some_and(|u| *u >= t), "contains({key})");
            }
            Op::RoundTrip => {
                let text = serde_json::to_string(&g).expect("ser");
                let back: ReplayGuard = serde_json::from_str(&text).expect("de");
                assert_eq!(back, g);
            }
        }
        assert!(g.len() <= cap, "guard over capacity");
        assert_eq!(g.len(), model.len(), "size");
        assert_eq!(g.next_deadline().map(|t| t.as_millis()), model.values().min().copied());
        for (k, u) in &model {
            assert!(g.contains(k, ts(*u)), "{k} missing");
        }
    }
});
