//! Checkout sessions (docs/spec.md §5): open/use sequences interleaved with invoice commands,
//! against the contract's rules, plus session tokens.
//!
//! `open` fails with `invalid_transition` unless the invoice is pending at that time,
//! `invalid_field` for a zero ttl; a session expires at min(now + ttl, invoice deadline).
//! `use` checks, in order: already used (`session_used`), at or past its deadline
//! (`session_expired`), invoice no longer pending (`invalid_transition`); time never runs
//! backwards for a session, and a `tick` counts as applied to every session (a use dated
//! before it counts as of the tick); a failed use leaves it unchanged; sessions round-trip through
//! JSON. A token verifies for its own session and secret only; a token accepted after a
//! change of its text must decode to the same bytes (hex case).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paystate::invoice::{Expiry, TransferInput};
use paystate::session::{session_token, verify_session_token};
use paystate::{Amount, Asset, Command, Duration, Invoice, InvoiceSpec, Pricing, Session, Status, Timestamp};

const T0: i64 = 1_767_225_600_000;
const TTLS: [u64; 5] = [0, 1, 60_000, 600_000, 3_600_000];
const STEPS: [i64; 8] = [0, 1, 999, 60_000, 599_999, 600_000, -60_000, 3_600_000];
const SIDS: [&str; 3] = ["s1", "s2", "s3"];

#[derive(Arbitrary, Debug)]
enum Op {
    Open { sid: u8, ttl: u8 },
    Use { sid: u8 },
    Pay { full: bool, confirmed: bool },
    Cancel,
    Tick,
    Token { sid: u8, secret: Vec<u8>, other: String, flip: u16 },
    RoundTrip { sid: u8 },
}

#[derive(Arbitrary, Debug)]
struct Input {
    expires_s: u16,
    steps: Vec<(u8, Op)>,
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms.max(0), "t").expect("in range")
}

fuzz_target!(|input: Input| {
    let expires = u64::from(input.expires_s % 7200) + 1;
    let spec = InvoiceSpec::new(
        "inv_s",
        Pricing::Due(Amount::from_units(10)),
        Asset::UsdtTrc20,
        Expiry::In(Duration::from_seconds(expires, "e").expect("dur")),
    );
    let (mut inv, _) = Invoice::create(spec, ts(T0)).expect("valid spec");
    // Each session with the model's clock: its opening, then every tick and use applied.
    let mut sessions: Vec<Option<(Session, Timestamp)>> = vec![None, None, None];
    let mut now_ms = T0;
    let mut paid = 0u32;
    for (dt, op) in input.steps.iter().take(40) {
        now_ms = (now_ms + STEPS[usize::from(*dt) % STEPS.len()]).max(0);
        let now = ts(now_ms);
        match op {
            Op::Open { sid, ttl } => {
                let i = usize::from(*sid) % SIDS.len();
                let ttl_ms = TTLS[usize::from(*ttl) % TTLS.len()];
                let ttl = Duration::from_millis(ttl_ms, "ttl").expect("dur");
                let got = Session::open(SIDS[i], &inv, ttl, now);
                let status = inv.status_at(now);
                match got {
                    Ok(s) => {
                        assert!(ttl_ms > 0 && status == Status::Pending, "opened with ttl {ttl_ms} on {status}");
                        assert_eq!(s.expires_at(), now.plus(ttl).min(inv.deadline()), "expires_at");
                        assert_eq!(s.invoice_id(), "inv_s");
                        assert_eq!(s.used_at(), None);
                        assert!(!s.is_closed(now) || s.expires_at() <= now);
                        sessions[i] = Some((s, now));
                    }
                    Err(e) => {
                        let want = if ttl_ms == 0 { "invalid_field" } else { "invalid_transition" };
                        assert!(ttl_ms == 0 || status != Status::Pending, "open refused on pending: {e}");
                        assert_eq!(e.code(), want);
                    }
                }
            }
            Op::Use { sid } => {
                let i = usize::from(*sid) % SIDS.len();
                let Some((s, clock)) = sessions[i].as_mut() else { continue };
                let before = s.clone();
                let t = now.max(*clock);
                let want: Result<(), &str> = if s.used_at().is_some() {
                    Err("session_used")
                } else if t >= s.expires_at() {
                    Err("session_expired")
                } else if inv.status_at(t) != Status::Pending {
                    Err("invalid_transition")
                } else {
                    Ok(())
                };
                let got = s.use_at(&inv, now);
                assert_eq!(got.as_ref().map_err(|e| e.code()), want.as_ref().map_err(|c| *c), "use at {now}");
                match got {
                    Ok(()) => {
                        assert_eq!(s.used_at(), Some(t));
                        assert!(s.is_closed(t));
                        *clock = t;
                    }
                    Err(_) => assert_eq!(*s, before, "failed use changed the session"),
                }
            }
            Op::Pay { full, confirmed } => {
                paid += 1;
                let amount = if *full { Amount::from_units(10) } else { Amount::from_units(1) };
                let cmd = Command::ObserveTransfer(TransferInput {
                    tx_id: format!("tx{paid}"),
                    amount,
                    asset: Asset::UsdtTrc20,
                    confirmed: *confirmed,
                    at: None,
                });
                let _ = inv.apply(&cmd, now);
            }
            Op::Cancel => {
                let _ = inv.apply(&Command::Cancel, now);
            }
            Op::Tick => {
                let _ = inv.tick(now);
                for (s, clock) in sessions.iter_mut().flatten() {
                    s.tick(now);
                    *clock = now.max(*clock);
                    assert_eq!(s.updated_at(), *clock, "session clock after a tick at {now}");
                }
            }
            Op::Token { sid, secret, other, flip } => {
                let id = SIDS[usize::from(*sid) % SIDS.len()];
                match session_token(secret, id) {
                    Ok(tok) => {
                        assert_eq!(tok.len(), 64);
                        assert_eq!(verify_session_token(secret, id, &tok).ok(), Some(true));
                        for o in SIDS.iter().filter(|o| **o != id) {
                            assert_eq!(verify_session_token(secret, o, &tok).ok(), Some(false), "token valid for {o}");
                        }
                        let mut b = tok.clone().into_bytes();
                        let k = usize::from(*flip) % (b.len() * 7);
                        b[k / 7] ^= 1 << (k % 7);
                        if let Ok(t2) = String::from_utf8(b) {
                            if verify_session_token(secret, id, &t2).ok() == Some(true) {
                                assert!(t2.eq_ignore_ascii_case(&tok), "flipped token {t2} verifies");
                            }
                        }
                        if verify_session_token(secret, id, other).ok() == Some(true) {
                            assert!(other.eq_ignore_ascii_case(&tok), "arbitrary token {other:?} verifies");
                        }
                    }
                    Err(e) => {
                        assert!(secret.is_empty());
                        assert_eq!(e.code(), "invalid_field");
                    }
                }
            }
            Op::RoundTrip { sid } => {
                let i = usize::from(*sid) % SIDS.len();
                if let Some((s, _)) = &sessions[i] {
                    let text = serde_json::to_string(s).expect("ser");
                    let back: Session = serde_json::from_str(&text).expect("de");
                    assert_eq!(&back, s);
                }
            }
        }
    }
});
