//! Regression tests for what the fuzz targets in `fuzz/` found (see RELIABILITY.md).
//!
//! Each test is the minimal failing input of one finding, written as a plain test. A test
//! marked `#[ignore]` documents a finding that is reported but not yet fixed in the core:
//! remove the `ignore` together with the fix (`cargo test -p paystate --test
//! fuzz_regressions -- --include-ignored` runs them all).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use paystate::invoice::Expiry;
use paystate::{
    Amount, Asset, Currency, Duration, Invoice, InvoiceSpec, Matcher, Pricing, Timestamp,
};

fn amt(s: &str) -> Amount {
    Amount::parse(s, "a").unwrap()
}

fn t0() -> Timestamp {
    Timestamp::parse("2026-01-01T00:00:00Z", "t").unwrap()
}

/// F1 (fuzz target `matcher_ops`): `allocate` computes `due + k·step` with rust_decimal,
/// which rounds a result it cannot hold exactly instead of failing. With due
/// 9999999999999999999999999999 and step 0.003 the candidates after k = 0 round back onto
/// the taken window until one rounds up, and the matcher returned 10000000000000000000000000000:
/// not on the `due + k·step` lattice, 29 digits (not a valid amount: the stored matcher
/// does not load back). The contract: the smallest free `due + k·step`, exactly, or an
/// error.
#[test]
fn f1_allocate_never_rounds_a_payable_amount() {
    let mut m = Matcher::new();
    let due = amt("9999999999999999999999999999");
    let (step, allowance) = (amt("0.003"), amt("0.004"));
    match m.allocate("acc", "a", due, step, allowance) {
        // The window start due - 0.004 needs 31 digits: refused rather than rounded.
        Err(e) => {
            assert_eq!(e.code(), "invalid_field");
            return;
        }
        Ok(p) => assert_eq!(p, due),
    }
    match m.allocate("acc", "b", due, step, allowance) {
        Err(e) => assert_eq!(e.code(), "invalid_field"),
        Ok(p) => {
            // Must be exactly due + k·step for a whole k, and a valid amount.
            let k = (p.as_decimal() - due.as_decimal()) / step.as_decimal();
            assert!(
                k.fract().is_zero() && k.is_sign_positive(),
                "{p} is not due + k·step"
            );
            assert!(
                Amount::parse(&p.to_string(), "p").is_ok(),
                "{p} is not a valid amount"
            );
            let text = serde_json::to_string(&m).unwrap();
            assert!(
                serde_json::from_str::<Matcher>(&text).is_ok(),
                "stored matcher does not load"
            );
        }
    }
}

/// F2 (fuzz target `invoice_commands`): a priced invoice whose due (price × rate, rounded
/// up to the asset's scale) has more than 28 significant digits is created, but its stored
/// state (`to_json`) cannot be loaded (`from_json` fails: "more than 28 significant
/// digits"), and rust_decimal has already rounded the product (3333329999999999999999999999.7
/// for 9999999999999999999999999999 × 0.333333 = 3333329999999999999999999999.666666...6667,
/// not rounded *up* to 18 places as docs/spec.md §2 says). Creation must refuse a due it cannot
/// compute exactly (`invalid_amount`), or the state must round-trip.
#[test]
fn f2_priced_due_beyond_28_digits_is_refused_or_round_trips() {
    let spec = InvoiceSpec::new(
        "inv_fz",
        Pricing::Price {
            amount: amt("9999999999999999999999999999"),
            currency: Currency::parse("JPY", "c").unwrap(),
            rate: amt("0.333333"),
            surcharge: Amount::ZERO,
        },
        Asset::UsdtBsc,
        Expiry::In(Duration::from_seconds(60, "e").unwrap()),
    );
    match Invoice::create(spec, t0()) {
        Err(e) => assert_eq!(e.code(), "invalid_amount"),
        Ok((inv, _)) => {
            assert!(
                Amount::parse(&inv.due().to_string(), "due").is_ok(),
                "due {} is not a valid amount",
                inv.due()
            );
            assert_eq!(Invoice::from_json(&inv.to_json()).unwrap(), inv);
        }
    }
}

/// F2, second shape: sums of valid transfer amounts (each within 28 digits) exceed 28
/// digits; refunding "everything" stores a refund of that sum, and the stored state no
/// longer loads. Totals must either be refused when a command would push them beyond what
/// an amount can hold, or the stored form must read back what the core wrote.
#[test]
fn f2_refund_of_a_29_digit_total_round_trips() {
    use paystate::invoice::TransferInput;
    use paystate::Command;
    let spec = InvoiceSpec::new(
        "inv_big",
        Pricing::Due(amt("10")),
        Asset::UsdtTrc20,
        Expiry::In(Duration::from_seconds(60, "e").unwrap()),
    );
    let (mut inv, _) = Invoice::create(spec, t0()).unwrap();
    let big = amt("9999999999999999999999999999");
    for tx in ["t1", "t2"] {
        let cmd = Command::ObserveTransfer(TransferInput {
            tx_id: tx.into(),
            amount: big,
            asset: Asset::UsdtTrc20,
            confirmed: true,
            at: None,
        });
        if let Err(e) = inv.apply(&cmd, t0()) {
            assert_eq!(e.code(), "invalid_amount");
            return;
        }
    }
    if let Err(e) = inv.apply(
        &Command::RequestRefund {
            refund_id: "r1".into(),
            amount: None,
        },
        t0(),
    ) {
        assert_eq!(e.code(), "invalid_amount");
        return;
    }
    assert_eq!(Invoice::from_json(&inv.to_json()).unwrap(), inv);
}

/// F3 (fuzz target `matcher_ops`, exact reference): window bounds `P − allowance` are
/// computed with rust_decimal, which rounds a result beyond its precision (here
/// 9999999999999999999999999998.5, rounded half-even to ...998). An amount just below a
/// window then matches it: the matcher guesses, which docs/spec.md §4 forbids. Needs a payable
/// near 10^28 with a fractional allowance; the exact answer is `unmatched`.
#[test]
fn f3_match_uses_exact_window_bounds() {
    let mut m = Matcher::new();
    m.register("acc", "wide", amt("3"), amt("1")).unwrap();
    // The window of "big" would be [9999999999999999999999999998.5, 9999999999999999999999999999]:
    // its start needs 29 digits. The matcher refuses it rather than round it...
    match m.register(
        "acc",
        "big",
        amt("9999999999999999999999999999"),
        amt("0.5"),
    ) {
        Err(e) => assert_eq!(e.code(), "invalid_field"),
        // ...or, if it ever accepts it, must not match an amount below the window.
        Ok(()) => assert_eq!(
            m.match_amount("acc", amt("9999999999999999999999999998")),
            paystate::Match::Unmatched
        ),
    }
    // A window start that fits is still matched exactly.
    m.register(
        "acc",
        "near",
        amt("999999999999999999999999999"),
        amt("0.5"),
    )
    .unwrap();
    assert_eq!(
        m.match_amount("acc", amt("999999999999999999999999998.5")),
        paystate::Match::Matched("near".into())
    );
    assert_eq!(
        m.match_amount("acc", amt("999999999999999999999999998.4")),
        paystate::Match::Unmatched
    );
}

/// F1, with a window start that fits: the second candidate `due + 0.003` needs 31 digits,
/// so the allocation is refused instead of rounded onto `10^28`.
#[test]
fn f1_allocate_refuses_an_inexact_candidate() {
    let mut m = Matcher::new();
    let due = amt("9999999999999999999999999999");
    assert_eq!(
        m.allocate("acc", "a", due, amt("0.003"), Amount::ZERO)
            .unwrap(),
        due
    );
    let err = m
        .allocate("acc", "b", due, amt("0.003"), Amount::ZERO)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_field");
    assert_eq!(
        m.payable("b"),
        None,
        "a refused allocation registers nothing"
    );
}

/// F4 (fuzz target `invoice_json`): a `-0` inside an invoice's opaque `metadata` does not
/// survive storage: the journal reads it as one number, the stored state
/// (`to_json`/`from_json`) as another, so the replayed invoice and the reloaded one differ
/// (`PartialEq`), breaking "replay rebuilds the same state bit for bit" for such metadata.
#[test]
fn f4_metadata_negative_zero_round_trips() {
    let journal = r#"[{"at": "2026-01-01T00:00:00Z", "command": {"op": "create_invoice", "invoice": {"id": "inv_1", "asset": "USDT_TRC20", "due": "10", "expires_in": 1800, "metadata": {"a": [1, -0]}}}}]"#;
    let journal: Vec<paystate::JournalEntry> = serde_json::from_str(journal).unwrap();
    let inv = Invoice::replay(&journal).unwrap();
    let stored = inv.to_json();
    let back = Invoice::from_json(&stored).unwrap();
    assert_eq!(back, inv, "stored: {stored}");
}

/// F5 (fuzz target `matcher_ops`, strict mode): a failed `register` or `allocate` is not
/// side-effect free. `register` bumps the slot counter and creates an empty entry for the
/// account before the window is refused; `allocate` creates the empty account entry before
/// a candidate is refused. Nothing observable changes in matches or in the stored form,
/// but the matcher is no longer equal to what it was (docs/spec.md §1: an error leaves the state
/// untouched), and every failing call on a new account name leaves an entry behind, so a
/// caller can grow the matcher without bound through failing calls.
#[test]
fn f5_failed_register_or_allocate_leaves_the_matcher_untouched() {
    let mut m = Matcher::new();
    let before = m.clone();
    // Allowance above the payable amount: the window would start below zero.
    assert_eq!(
        m.register("acc-1", "a", amt("1"), amt("2"))
            .unwrap_err()
            .code(),
        "invalid_field"
    );
    assert_eq!(m, before, "failed register changed the matcher");
    let before = m.clone();
    let e = m
        .allocate("acc-3", "c", amt("1"), amt("1"), amt("2"))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_field");
    assert_eq!(m, before, "failed allocate changed the matcher");
}

/// F6 (fuzz target `invoice_commands`, strict mode): "refund everything" (`amount`
/// omitted) takes the refundable amount from a rounding subtraction. With 9999999999999999999999999999
/// confirmed and 0.000001 already in flight, the rest (9999999999999999999999999998.999999)
/// does not fit 28 digits and was rounded *up* to 9999999999999999999999999999, so the
/// second refund reserves more than the confirmed money (refund cap broken by 0.000001).
/// A refund must never exceed what is refundable, exactly; when the exact rest cannot be
/// an amount, refuse (`refund_exceeds_available` or `invalid_amount`) rather than round up.
#[test]
fn f6_refund_of_everything_never_exceeds_the_confirmed_money() {
    use paystate::invoice::TransferInput;
    use paystate::Command;
    let spec = InvoiceSpec::new(
        "inv_f6",
        Pricing::Due(amt("10")),
        Asset::UsdtTrc20,
        Expiry::In(Duration::from_seconds(60, "e").unwrap()),
    );
    let (mut inv, _) = Invoice::create(spec, t0()).unwrap();
    let big = amt("9999999999999999999999999999");
    let cmd = Command::ObserveTransfer(TransferInput {
        tx_id: "t1".into(),
        amount: big,
        asset: Asset::UsdtTrc20,
        confirmed: true,
        at: None,
    });
    inv.apply(&cmd, t0()).unwrap();
    let small = Command::RequestRefund {
        refund_id: "r1".into(),
        amount: Some(amt("0.000001")),
    };
    inv.apply(&small, t0()).unwrap();
    let all = Command::RequestRefund {
        refund_id: "r2".into(),
        amount: None,
    };
    if inv.apply(&all, t0()).is_ok() {
        let r2 = inv
            .refunds()
            .iter()
            .find(|r| r.refund_id == "r2")
            .unwrap()
            .amount;
        // r2 + 0.000001 <= big, i.e. r2 <= big - 0.000001 < big.
        assert!(
            r2 < big,
            "refund of everything reserved {r2}, with 0.000001 already in flight of {big}"
        );
    }
}

/// F7 (fuzz target `matcher_json`, a timeout): a stored matcher whose window claims a huge
/// step index (`"allocated": ["1", "0.01", 9360126]`) made loading rebuild nine million
/// explicit free indices (13 s, 439 MB), although its payable amount (3) is not even on
/// that lattice. Loading now checks payable = due + k·step and refuses an index held twice,
/// and free indices are kept as ranges, so a consistent matcher with a huge index loads in
/// space that follows its windows, not the index.
#[test]
fn f7_stored_matcher_with_a_huge_step_index_loads_in_bounded_space() {
    let off_lattice = r#"{"windows": [{"account": "main", "invoice": "a", "payable": "3", "allowance": "0", "allocated": ["1", "0.01", 9360126]}]}"#;
    let e = serde_json::from_str::<Matcher>(off_lattice).unwrap_err();
    assert!(e.to_string().contains("due + k"), "{e}");
    let twice = r#"{"windows": [
        {"account": "main", "invoice": "a", "payable": "1.01", "allowance": "0", "allocated": ["1", "0.01", 1]},
        {"account": "main", "invoice": "b", "payable": "1.02", "allowance": "0", "allocated": ["1", "0.01", 2]},
        {"account": "main", "invoice": "c", "payable": "1.01", "allowance": "0", "allocated": ["1", "0.01", 1]}]}"#;
    let e = serde_json::from_str::<Matcher>(twice).unwrap_err();
    assert!(e.to_string().contains("held twice"), "{e}");
    // On the lattice with an index near the top of u64: loads, and its free amounts below
    // are handed out smallest first.
    let k = u64::MAX - 1;
    let sparse = format!(
        r#"{{"windows": [{{"account": "main", "invoice": "a", "payable": "{}", "allowance": "0", "allocated": ["1", "0.000000000000000001", {k}]}}]}}"#,
        amt("1")
            .checked_add(
                Amount::from_units(k)
                    .checked_mul(amt("0.000000000000000001"))
                    .unwrap()
            )
            .unwrap()
    );
    let mut m: Matcher = serde_json::from_str(&sparse).unwrap();
    let step = amt("0.000000000000000001");
    assert_eq!(
        m.allocate("main", "b", amt("1"), step, amt("0")).unwrap(),
        amt("1")
    );
    assert_eq!(
        m.allocate("main", "c", amt("1"), step, amt("0")).unwrap(),
        amt("1.000000000000000001")
    );
    // Writes back and loads again to an equal matcher.
    let again: Matcher = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(again, m);
}

/// F8 (fuzz target `matcher_json`, a timeout): allocating next to a wide window probed the
/// lattice one step at a time, so a window covering millions of steps cost a million probes
/// per call (1 to 3 s) and then failed with "no free payable amount within a million
/// steps", although the first free amount was right above the window. A candidate that
/// meets windows now jumps past the highest of them.
#[test]
fn f8_allocation_jumps_past_a_wide_window() {
    let stored = r#"{"windows": [{"account": "main", "invoice": "a", "payable": "5555555110", "allowance": "5555555110"}]}"#;
    let mut m: Matcher = serde_json::from_str(stored).unwrap();
    let step = amt("0.01");
    assert_eq!(
        m.allocate("main", "b", amt("1"), step, amt("0")).unwrap(),
        amt("5555555110.01")
    );
    // The indices jumped over are free again once the wide window goes, smallest first.
    m.release("a");
    assert_eq!(
        m.allocate("main", "c", amt("1"), step, amt("0")).unwrap(),
        amt("1")
    );
    // With an allowance the window must clear the wide one entirely: start > 5555555110.
    let mut m: Matcher = serde_json::from_str(stored).unwrap();
    assert_eq!(
        m.allocate("main", "d", amt("1"), step, amt("0.5")).unwrap(),
        amt("5555555110.51")
    );
}
