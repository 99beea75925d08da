//! Stored state and journals from arbitrary bytes (docs/spec.md §1: state is plain data).
//!
//! The first byte picks the reader, the rest is the document:
//! - `Invoice::from_json`: never panics; an accepted state writes back to itself
//!   (`to_json` then `from_json` is the identity) and survives a few commands;
//! - `serde_json::from_str::<Vec<JournalEntry>>` then `Invoice::replay`: a replayed invoice
//!   satisfies every state invariant (`common::check_state`), replays identically twice,
//!   and round-trips through `to_json`/`from_json`; the journal round-trips through JSON;
//! - `Command::from_json` / `InvoiceSpec::from_json` on a JSON object: an accepted command
//!   or spec writes back (`to_json`) to a document that reads as the same value.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use paystate::{Command, Error, Invoice, InvoiceSpec, JournalEntry, Timestamp};

fn known(e: &Error) {
    assert!(Error::CODES.contains(&e.code()), "unknown code {}", e.code());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode % 3 {
        0 => match Invoice::from_json(text) {
            Ok(inv) => {
                let stored = inv.to_json();
                let again = Invoice::from_json(&stored).expect("written state must load");
                assert!(again == inv, "from_json(to_json(x)) != x (F4)");
                let _ = inv.snapshot();
                let _ = inv.next_deadline();
                let mut later = inv.clone();
                let t = later.updated_at().as_millis().saturating_add(100 * 86_400_000);
                if let Ok(t) = Timestamp::from_millis(t, "t") {
                    let _ = later.tick(t);
                    let _ = later.apply(&Command::Cancel, t);
                    let _ = later.apply(&Command::ConfirmTransfer { tx_id: "x".into() }, t);
                }
            }
            Err(e) => known(&e),
        },
        1 => {
            let Ok(journal) = serde_json::from_str::<Vec<JournalEntry>>(text) else {
                return;
            };
            let jtext = serde_json::to_string(&journal).expect("journal to json");
            let jback: Vec<JournalEntry> = serde_json::from_str(&jtext).expect("written journal must load");
            assert_eq!(jback, journal, "journal round trip");
            match Invoice::replay(&journal) {
                Ok(inv) => {
                    common::check_state(&inv);
                    assert_eq!(Invoice::replay(&journal).expect("replay twice"), inv, "replay not deterministic");
                    let stored = inv.to_json();
                    match Invoice::from_json(&stored) {
                        Ok(back) => assert!(back == inv, "to_json/from_json of a replayed state:\n{stored}"),
                        Err(e) => panic!("replayed state does not load: {e}\n{stored}"),
                    }
                }
                Err(e) => known(&e),
            }
        }
        _ => {
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
                return;
            };
            match Command::from_json(&map) {
                Ok(c) => {
                    let v = c.to_json();
                    let m = v.as_object().expect("to_json is an object");
                    let back = Command::from_json(m).expect("written command must read");
                    assert_eq!(back, c, "command round trip");
                }
                Err(e) => known(&e),
            }
            match InvoiceSpec::from_json(&map) {
                Ok(s) => {
                    let v = s.to_json();
                    let m = v.as_object().expect("to_json is an object");
                    let back = InvoiceSpec::from_json(m).expect("written spec must read");
                    assert_eq!(back, s, "spec round trip");
                }
                Err(e) => known(&e),
            }
        }
    }
});
