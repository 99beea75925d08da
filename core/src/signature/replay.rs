//! The replay guard: a bounded, time-windowed set of message keys (docs/spec.md §6).
//!
//! A valid signature proves who sent a message, not that it is new: a captured request can
//! be sent again. After a successful [`Verifier::verify`](super::Verifier::verify), the host
//! records the [`ReplayKey`](super::ReplayKey) here; a key seen before is `replayed`.
//! Keys come only from signed material (an id, a nonce, a timestamp with the body's
//! digest, or the tag), carry the scheme's name and never depend on which secret matched,
//! so an attacker cannot dodge the guard by changing an unsigned header or dropping one
//! signature of several (docs/spec.md §6).
//!
//! The guard is plain data (serde, with a `schema_version`) so the host can persist it.
//! Each key is kept until its `keep_until` passes — after that the signature's own time
//! window rejects the message anyway. The guard never forgets a key still inside its
//! window: when full it first drops the keys whose window has passed, and if none has,
//! recording is `limit_exceeded` and nothing changes, so the host can grow it or keep
//! keys as rows. Every operation is O(log n).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

use super::Verified;

/// Default capacity: 100 000 keys.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A bounded set of recently accepted message keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "GuardRepr", into = "GuardRepr")]
pub struct ReplayGuard {
    capacity: usize,
    by_key: BTreeMap<String, Timestamp>,
    by_expiry: BTreeSet<(Timestamp, String)>,
}

/// The stored form: entries ordered by expiry, then key, so output is deterministic.
#[derive(Serialize, Deserialize)]
struct GuardRepr {
    schema_version: u32,
    capacity: usize,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    keep_until: Timestamp,
}

impl From<ReplayGuard> for GuardRepr {
    fn from(g: ReplayGuard) -> Self {
        GuardRepr {
            schema_version: 1,
            capacity: g.capacity,
            entries: g
                .by_expiry
                .into_iter()
                .map(|(keep_until, key)| Entry { key, keep_until })
                .collect(),
        }
    }
}

impl TryFrom<GuardRepr> for ReplayGuard {
    type Error = Error;

    /// Only what the guard could have written loads back: schema 1, a capacity of at least
    /// 1, at most `capacity` entries, each key once (else `invalid_state`).
    fn try_from(r: GuardRepr) -> Result<Self> {
        let broken = |reason: String| Err(Error::InvalidState { reason });
        if r.schema_version != 1 {
            return broken(format!(
                "unsupported replay guard schema_version {}",
                r.schema_version
            ));
        }
        if r.capacity == 0 {
            return broken("replay guard capacity must be at least 1".to_owned());
        }
        if r.entries.len() > r.capacity {
            return broken(format!(
                "replay guard holds {} keys, more than its capacity {}",
                r.entries.len(),
                r.capacity
            ));
        }
        let mut g = ReplayGuard {
            capacity: r.capacity,
            ..ReplayGuard::default()
        };
        for e in r.entries {
            if g.by_key.contains_key(&e.key) {
                return broken(format!(
                    "replay guard holds key {:?} twice",
                    crate::error::short(&e.key)
                ));
            }
            g.insert(e.key, e.keep_until);
        }
        Ok(g)
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        ReplayGuard {
            capacity: DEFAULT_CAPACITY,
            by_key: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }
}

impl ReplayGuard {
    /// An empty guard holding at most `capacity` keys (at least 1, else `invalid_field`).
    pub fn new(capacity: usize) -> Result<ReplayGuard> {
        if capacity == 0 {
            return Err(Error::invalid_field("capacity", "must be at least 1"));
        }
        Ok(ReplayGuard {
            capacity,
            ..ReplayGuard::default()
        })
    }

    /// The most keys kept at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Keys currently stored (some may have expired but not been dropped yet).
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether `key` is held and still inside its window at `now`.
    pub fn contains(&self, key: &str, now: Timestamp) -> bool {
        self.by_key.get(key).is_some_and(|until| *until >= now)
    }

    /// Accepts a key once: `replayed` if it is held and its window has not passed at
    /// `now`; otherwise records it until `keep_until`, first dropping the keys whose window
    /// has passed. When every one of `capacity` keys is still inside its window, the
    /// answer is `limit_exceeded` (field `replay_guard`): a live key is never evicted.
    /// On either error the guard is unchanged.
    pub fn check_and_record(
        &mut self,
        key: &str,
        keep_until: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        if self.contains(key, now) {
            return Err(Error::Replayed {
                key: key.chars().take(120).collect(),
            });
        }
        self.purge(now);
        if keep_until < now {
            // Its window is already over: nothing could replay it.
            return Ok(());
        }
        // `purge` dropped every key whose window has passed: what is left is live.
        if self.by_key.len() >= self.capacity {
            return Err(Error::LimitExceeded {
                field: "replay_guard".into(),
                limit: u64::try_from(self.capacity).unwrap_or(u64::MAX),
                reason: "every key is still inside its window: grow the guard or keep keys as rows"
                    .to_owned(),
            });
        }
        self.insert(key.to_owned(), keep_until);
        Ok(())
    }

    /// [`check_and_record`](Self::check_and_record) for a verification result; schemes
    /// without a replay key (`gatenoc`, `keypair_invoice`) pass untouched.
    pub fn record(&mut self, verified: &Verified, now: Timestamp) -> Result<()> {
        match &verified.replay {
            Some(r) => self.check_and_record(&r.key, r.keep_until, now),
            None => Ok(()),
        }
    }

    /// Drops every key whose window has passed at `now`.
    pub fn purge(&mut self, now: Timestamp) {
        while let Some((until, _)) = self.by_expiry.first() {
            if *until >= now {
                break;
            }
            if let Some((_, k)) = self.by_expiry.pop_first() {
                self.by_key.remove(&k);
            }
        }
    }

    /// When the next key expires (the host may purge then; nothing else is time-driven).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.by_expiry.first().map(|(t, _)| *t)
    }

    /// Same as [`purge`](Self::purge), for symmetry with invoices and delivery plans.
    pub fn tick(&mut self, now: Timestamp) {
        self.purge(now);
    }

    fn insert(&mut self, key: String, keep_until: Timestamp) {
        if let Some(old) = self.by_key.insert(key.clone(), keep_until) {
            self.by_expiry.remove(&(old, key.clone()));
        }
        self.by_expiry.insert((keep_until, key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_seconds(s, "t").unwrap()
    }

    #[test]
    fn replay_inside_window_only() {
        let mut g = ReplayGuard::default();
        g.check_and_record("a", t(100), t(0)).unwrap();
        let e = g.check_and_record("a", t(100), t(50)).unwrap_err();
        assert_eq!(e.code(), "replayed");
        // at keep_until still held (closed window), after it gone
        assert_eq!(
            g.check_and_record("a", t(100), t(100)).unwrap_err().code(),
            "replayed"
        );
        g.check_and_record("a", t(300), t(101)).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g.next_deadline(), Some(t(300)));
    }

    #[test]
    fn full_guard_never_evicts_a_live_key() {
        let mut g = ReplayGuard::new(2).unwrap();
        g.check_and_record("late", t(500), t(0)).unwrap();
        g.check_and_record("early", t(100), t(0)).unwrap();
        // Both keys are live at 1: the third is refused and nothing changes.
        let before = g.clone();
        let e = g.check_and_record("new", t(300), t(1)).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("limit_exceeded", Some("replay_guard"))
        );
        assert_eq!(g, before);
        // A replay of a live key is still `replayed`, not `limit_exceeded`.
        assert_eq!(
            g.check_and_record("early", t(100), t(1))
                .unwrap_err()
                .code(),
            "replayed"
        );
        // Once `early`'s window has passed its slot is free.
        g.check_and_record("new", t(300), t(101)).unwrap();
        assert!(g.contains("late", t(102)));
        assert!(!g.contains("early", t(102)));
        assert!(g.contains("new", t(102)));
        assert!(ReplayGuard::new(0).is_err());
    }

    #[test]
    fn stored_guard_must_keep_its_invariants() {
        let load = |text: &str| crate::json::from_stored::<ReplayGuard>(text).map(|_| ());
        let entry = |k: &str| format!(r#"{{"key":"{k}","keep_until":"1970-01-01T00:00:10Z"}}"#);
        let doc = |v: u32, cap: usize, keys: &[&str]| {
            let entries: Vec<String> = keys.iter().map(|k| entry(k)).collect();
            format!(
                r#"{{"schema_version":{v},"capacity":{cap},"entries":[{}]}}"#,
                entries.join(",")
            )
        };
        assert!(load(&doc(1, 2, &["a", "b"])).is_ok());
        for bad in [
            doc(1, 1, &["a", "b"]),
            doc(1, 0, &[]),
            doc(2, 2, &["a"]),
            doc(1, 5, &["a", "a"]),
        ] {
            let e = load(&bad).unwrap_err();
            assert_eq!(e.code(), "invalid_state", "{bad}: {e}");
        }
        assert_eq!(load("{").unwrap_err().code(), "malformed_json");
        assert_eq!(
            load(r#"{"schema_version":1}"#).unwrap_err().code(),
            "malformed_json"
        );
    }

    #[test]
    fn failed_check_leaves_state_and_serde_round_trips() {
        let mut g = ReplayGuard::new(10).unwrap();
        g.check_and_record("x", t(100), t(0)).unwrap();
        g.check_and_record("y", t(10), t(0)).unwrap();
        let before = g.clone();
        assert!(g.check_and_record("x", t(100), t(20)).is_err());
        assert_eq!(g, before);
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(
            json,
            r#"{"schema_version":1,"capacity":10,"entries":[{"key":"y","keep_until":"1970-01-01T00:00:10Z"},{"key":"x","keep_until":"1970-01-01T00:01:40Z"}]}"#
        );
        let back: ReplayGuard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g);
        g.tick(t(50));
        assert_eq!(g.len(), 1);
    }
}
