//! Matcher operations against a brute-force reference model (docs/spec.md §4).
//!
//! The model is a plain list of windows `[P − allowance, P]` per account. `allocate` is
//! answered by scanning k = 0, 1, 2, ... for the first `due + k·step` whose window meets no
//! other window (closed intervals) — computed exactly: a candidate that `rust_decimal`
//! cannot represent exactly (it would round) is an error, never a silently different
//! amount. `match` is a linear scan: matched / ambiguous (sorted ids) / unmatched. The
//! matcher must agree exactly, including which calls fail, and keep agreeing after a
//! JSON round trip of its state (which rebuilds its indexes).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paystate::{Amount, Match, Matcher};
use rust_decimal::Decimal;

mod common;

const ACCOUNTS: [&str; 2] = ["main", "alt"];
const IDS: [&str; 8] = ["i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7"];
const DUES: [&str; 7] = ["3", "10", "0.01", "1.5", "3.005", "1000000000000000000000000000", "9999999999999999999999999999"];
const STEPS: [&str; 6] = ["0.01", "0.1", "1", "0.5", "0", "0.003"];
const ALLOWANCES: [&str; 6] = ["0", "0.01", "0.05", "0.5", "1", "0.004"];
const PAYABLES: [&str; 8] = ["3", "3.01", "10", "10.5", "0", "1.5", "2.99", "9999999999999999999999999999"];
const PROBES: [&str; 8] = ["3", "3.005", "2.99", "10", "9.5", "0.01", "1.5", "10.01"];

#[derive(Arbitrary, Debug)]
enum Edge {
    Top,
    Bottom,
    Above,
    Below,
    Middle,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Allocate { account: u8, id: u8, due: u8, step: u8, allowance: u8 },
    Register { account: u8, id: u8, payable: u8, allowance: u8 },
    MatchPool { account: u8, amount: u8 },
    MatchEdge { window: u8, edge: Edge },
    Release { id: u8 },
    RoundTrip,
}

fn pick<T: Copy>(pool: &[T], i: u8) -> T {
    pool[usize::from(i) % pool.len()]
}

fn amt(s: &str) -> Amount {
    Amount::parse(s, "a").expect("pool amount")
}

#[derive(Clone, Debug)]
struct W {
    account: &'static str,
    id: &'static str,
    payable: Decimal,
    allowance: Decimal,
}

/// Exact fixed point: (integer part, fraction in units of 10^-28), fraction in 0..10^28.
/// The reference never uses rust_decimal arithmetic, which rounds near 28 digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Fx(i128, i128);

const ONE: i128 = 10_000_000_000_000_000_000_000_000_000; // 10^28

fn fx(d: Decimal) -> Fx {
    let m = d.mantissa();
    let s = d.scale();
    let p = 10i128.pow(s);
    Fx(m / p, (m % p) * 10i128.pow(28 - s))
}

fn norm(i: i128, f: i128) -> Fx {
    Fx(i + f.div_euclid(ONE), f.rem_euclid(ONE))
}

fn add(a: Fx, b: Fx) -> Fx {
    norm(a.0 + b.0, a.1 + b.1)
}

fn sub(a: Fx, b: Fx) -> Fx {
    norm(a.0 - b.0, a.1 - b.1)
}

fn mul_k(a: Fx, k: u64) -> Fx {
    let k = i128::from(k);
    norm(a.0 * k, a.1 * k)
}

/// The window start `p − a` when it is a non-negative amount of at most 28 significant
/// digits (the matcher refuses other windows, `invalid_field`).
fn start_ok(p: Decimal, a: Decimal) -> bool {
    let d = sub(fx(p), fx(a));
    if d.0 < 0 {
        return false;
    }
    let frac = format!("{:028}", d.1);
    let frac = frac.trim_end_matches('0');
    let text = if frac.is_empty() { d.0.to_string() } else { format!("{}.{}", d.0, frac) };
    Amount::parse(&text, "s").is_ok()
}

fn meets(ws: &[W], account: &str, lo: Fx, hi: Fx) -> bool {
    ws.iter().any(|w| {
        w.account == account && sub(fx(w.payable), fx(w.allowance)) <= hi && fx(w.payable) >= lo
    })
}

/// `due + k·step` exactly, or `None` when a Decimal cannot hold it exactly.
fn exact_candidate(due: Decimal, step: Decimal, k: u64) -> Option<Decimal> {
    let exact = add(fx(due), mul_k(fx(step), k));
    let p = step.checked_mul(Decimal::from(k))?.checked_add(due)?;
    if fx(p) != exact {
        return None; // rust_decimal rounded it
    }
    Some(p.normalize())
}

fn reference_match(ws: &[W], account: &str, a: Decimal) -> Match {
    let a = fx(a);
    let mut ids: Vec<String> = ws
        .iter()
        .filter(|w| w.account == account && sub(fx(w.payable), fx(w.allowance)) <= a && a <= fx(w.payable))
        .map(|w| w.id.to_owned())
        .collect();
    ids.sort();
    match ids.len() {
        0 => Match::Unmatched,
        1 => Match::Matched(ids.remove(0)),
        _ => Match::Ambiguous(ids),
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut m = Matcher::new();
    let mut model: Vec<W> = Vec::new();
    for op in ops.iter().take(64) {
        match op {
            Op::Allocate { account, id, due, step, allowance } => {
                let (account, id) = (pick(&ACCOUNTS, *account), pick(&IDS, *id));
                let (due, step, allowance) = (amt(pick(&DUES, *due)), amt(pick(&STEPS, *step)), amt(pick(&ALLOWANCES, *allowance)));
                let before = m.clone();
                let got = m.allocate(account, id, due, step, allowance);
                if got.is_err() {
                    // F5: a failed call must leave the matcher as it was.
                    assert!(m == before, "failed allocate changed the matcher (F5)");
                }
                let want: Result<Decimal, &str> = if model.iter().any(|w| w.id == id) {
                    Err("invalid_field")
                } else if due.is_zero() || step.is_zero() {
                    Err("invalid_amount")
                } else {
                    let a = allowance.as_decimal();
                    let mut k = 0u64;
                    loop {
                        match exact_candidate(due.as_decimal(), step.as_decimal(), k) {
                            None => break Err("not exact"),
                            Some(p) if !start_ok(p, a) => break Err("invalid_field"),
                            Some(p) if !meets(&model, account, sub(fx(p), fx(a)), fx(p)) => break Ok(p),
                            Some(_) => {}
                        }
                        k += 1;
                        assert!(k < 100_000, "reference probing too long: pools too wide");
                    }
                };
                match (&got, &want) {
                    (Ok(p), Ok(q)) => {
                        assert_eq!(p.as_decimal(), *q, "allocate({account}, {id}, {due}, {step}, {allowance})");
                        assert_eq!(m.payable(id), Some(*p));
                        model.push(W { account, id, payable: *q, allowance: allowance.as_decimal() });
                    }
                    (Err(e), Err(code)) => {
                        let code = if *code == "not exact" { "invalid_field" } else { *code };
                        assert_eq!(e.code(), code, "allocate({account}, {id}, {due}, {step}, {allowance})")
                    }
                    _ => panic!(
                        "allocate({account}, {id}, {due}, {step}, {allowance}): matcher {:?}, reference {:?}",
                        got.as_ref().map(|p| p.to_string()).map_err(|e| e.to_string()),
                        want.map(|d| d.to_string())
                    ),
                }
            }
            Op::Register { account, id, payable, allowance } => {
                let (account, id) = (pick(&ACCOUNTS, *account), pick(&IDS, *id));
                let (payable, allowance) = (amt(pick(&PAYABLES, *payable)), amt(pick(&ALLOWANCES, *allowance)));
                let before = m.clone();
                let got = m.register(account, id, payable, allowance);
                if got.is_err() {
                    assert!(m == before, "failed register changed the matcher (F5)");
                }
                let want: Result<(), &str> = if model.iter().any(|w| w.id == id) {
                    Err("invalid_field")
                } else if payable.is_zero() {
                    Err("invalid_amount")
                } else if !start_ok(payable.as_decimal(), allowance.as_decimal()) {
                    Err("invalid_field")
                } else {
                    Ok(())
                };
                match (&got, want) {
                    (Ok(()), Ok(())) => model.push(W {
                        account,
                        id,
                        payable: payable.as_decimal(),
                        allowance: allowance.as_decimal(),
                    }),
                    (Err(e), Err(code)) => assert_eq!(e.code(), code),
                    _ => panic!("register({account}, {id}, {payable}, {allowance}): {got:?} vs {want:?}"),
                }
            }
            Op::MatchPool { account, amount } => {
                let account = pick(&ACCOUNTS, *account);
                let a = amt(pick(&PROBES, *amount));
                let got = m.match_amount(account, a);
                let want = reference_match(&model, account, a.as_decimal());
                assert_eq!(got, want, "match({account}, {a})");
            }
            Op::MatchEdge { window, edge } => {
                if model.is_empty() {
                    continue;
                }
                let w = model[usize::from(*window) % model.len()].clone();
                let tiny = Decimal::new(1, 6);
                let d = match edge {
                    Edge::Top => Some(w.payable),
                    Edge::Bottom => w.payable.checked_sub(w.allowance),
                    Edge::Above => w.payable.checked_add(tiny),
                    Edge::Below => w.payable.checked_sub(w.allowance).and_then(|x| x.checked_sub(tiny)),
                    Edge::Middle => w.payable.checked_sub(w.allowance / Decimal::TWO),
                };
                // Probe amounts are exact inputs: rounded neighbours are still valid probes.
                let Some(d) = d else { continue };
                if d.is_sign_negative() {
                    continue;
                }
                let Ok(a) = Amount::parse(&d.normalize().to_string(), "a") else { continue };
                for account in ACCOUNTS {
                    let got = m.match_amount(account, a);
                    let want = reference_match(&model, account, a.as_decimal());
                    assert_eq!(got, want, "match({account}, {a})");
                }
            }
            Op::Release { id } => {
                let id = pick(&IDS, *id);
                m.release(id);
                model.retain(|w| w.id != id);
                assert_eq!(m.payable(id), None);
            }
            Op::RoundTrip => {
                let text = serde_json::to_string(&m).expect("matcher to json");
                let back: Matcher = serde_json::from_str(&text).unwrap_or_else(|e| panic!("written matcher must load: {e}\n{text}"));
                assert_eq!(back.len(), m.len());
                let again = serde_json::to_string(&back).expect("again");
                assert_eq!(again, text, "matcher JSON not stable");
                m = back;
            }
        }
        assert_eq!(m.len(), model.len(), "window count");
        for w in &model {
            assert_eq!(m.payable(w.id).map(|p| p.as_decimal()), Some(w.payable), "payable of {}", w.id);
        }
    }
});
