//! Helpers shared by several targets: state invariants of an invoice that must hold after
//! every accepted command, whatever the history.
#![allow(dead_code)]

use paystate::invoice::RefundState;
use paystate::{Amount, Exception, Invoice, Status};
use rust_decimal::Decimal;

/// Exact sum. A total beyond the 28 significant digits of an amount (rust_decimal then
/// rounds instead of failing) is a finding: F2 (transfer totals) and F6 (refund totals),
/// both fixed, the core refusing commands that would push a total there.
pub fn sum<I: IntoIterator<Item = Amount>>(items: I) -> Option<Decimal> {
    let items: Vec<Amount> = items.into_iter().collect();
    let total = items.iter().try_fold(Decimal::ZERO, |acc, a| add2(acc, a.as_decimal()));
    assert!(total.is_some(), "a money total exceeds 28 significant digits (F2/F6): {items:?}");
    total
}

/// `a + b` (non-negative) when it is an amount of at most 28 significant digits, else
/// `None`. Computed in fixed point (integer part, 10^-28 units), never with rust_decimal
/// itself, which rounds instead of failing.
pub fn add2(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (x, y) = (fx(a), fx(b));
    let (i, f) = (x.0 + y.0, x.1 + y.1);
    from_fx(i + f / ONE, f % ONE)
}

const ONE: i128 = 10_000_000_000_000_000_000_000_000_000; // 10^28

/// A non-negative decimal as (integer part, fraction in 10^-28 units).
fn fx(d: Decimal) -> (i128, i128) {
    let (m, sc) = (d.mantissa(), d.scale());
    let p = 10i128.pow(sc);
    (m / p, (m % p) * 10i128.pow(28 - sc))
}

/// `x + y > z`, exactly (fixed point, no rounding).
pub fn sum_exceeds(x: Decimal, y: Decimal, z: Decimal) -> bool {
    sum_exceeds_all(&[x, y], z)
}

/// `xs[0] + xs[1] + ... > z`, exactly.
pub fn sum_exceeds_all(xs: &[Decimal], z: Decimal) -> bool {
    let (mut i, mut f) = (0i128, 0i128);
    for x in xs {
        let a = fx(*x);
        i += a.0;
        f += a.1;
    }
    (i + f / ONE, f % ONE) > fx(z)
}

/// `x - ys[0] - ys[1] - ...` (not negative) as an amount of at most 28 digits, or `None`.
pub fn exact_sub_all(x: Decimal, ys: &[Decimal]) -> Option<Decimal> {
    let mut rest = x;
    for y in ys {
        rest = exact_sub(rest, *y)?;
    }
    Some(rest)
}

/// `x - y` (with `y <= x`) when it is an amount of at most 28 significant digits, computed
/// in fixed point; `None` when the exact difference needs more digits.
pub fn exact_sub(x: Decimal, y: Decimal) -> Option<Decimal> {
    let (a, b) = (fx(x), fx(y));
    let (mut i, mut f) = (a.0 - b.0, a.1 - b.1);
    if f < 0 {
        f += ONE;
        i -= 1;
    }
    from_fx(i, f)
}

/// The decimal `i + f·10^-28` (`f` in 0..10^28) when it is a non-negative amount of at most
/// 28 significant digits.
fn from_fx(i: i128, f: i128) -> Option<Decimal> {
    if i < 0 {
        return None;
    }
    let mut decimals = 28u32;
    let mut frac = f;
    while decimals > 0 && frac % 10 == 0 {
        frac /= 10;
        decimals -= 1;
    }
    let int_digits = if i == 0 { 0 } else { i.ilog10() + 1 };
    let frac_digits = if i == 0 && frac != 0 { frac.ilog10() + 1 } else { decimals };
    if int_digits + frac_digits > 28 {
        return None;
    }
    let m = i.checked_mul(10i128.pow(decimals))? + frac;
    Some(Decimal::from_i128_with_scale(m, decimals))
}

pub fn dec(a: Amount) -> Decimal {
    a.as_decimal()
}

/// Invariants of the stored state alone (no history needed). Panics on violation.
pub fn check_state(inv: &Invoice) {
    let s = inv.snapshot();
    let zero = Decimal::ZERO;
    for (name, a) in [
        ("amount_paid", s.amount_paid),
        ("amount_pending", s.amount_pending),
        ("amount_held", s.amount_held),
        ("surplus", s.surplus),
        ("amount_refunded", s.amount_refunded),
        ("refunds_in_flight", s.refunds_in_flight),
        ("refundable", s.refundable),
    ] {
        assert!(dec(a) >= zero, "{name} negative: {a}");
        // Amounts are kept normalised: Display re-parses to the same value.
        let shown = a.to_string();
        match Amount::parse(&shown, "x") {
            Ok(back) => assert_eq!(back, a, "{name} {shown} does not re-parse to itself"),
            Err(_) => panic!("{name} {shown} is not a valid amount (F2)"),
        }
    }
    assert_eq!(s.status, inv.status());
    assert_eq!(s.exceptions, inv.exceptions());

    let live: Vec<_> = inv.transfers().iter().filter(|t| !t.dropped).collect();
    // Money conservation: paid + pending + held = the non-dropped transfers.
    let total = sum(live.iter().map(|t| t.amount));
    let parts = sum([s.amount_paid, s.amount_pending, s.amount_held]);
    if let (Some(total), Some(parts)) = (total, parts) {
        assert_eq!(parts, total, "conservation: paid+pending+held != sum of live transfers");
    }
    let paid = sum(live.iter().filter(|t| t.counted && t.confirmed).map(|t| t.amount));
    let pending = sum(live.iter().filter(|t| t.counted && !t.confirmed).map(|t| t.amount));
    let held = sum(live.iter().filter(|t| !t.counted).map(|t| t.amount));
    let held_confirmed = sum(live.iter().filter(|t| !t.counted && t.confirmed).map(|t| t.amount));
    let confirmed = sum(live.iter().filter(|t| t.confirmed).map(|t| t.amount));
    if let (Some(p), Some(q), Some(h)) = (paid, pending, held) {
        assert_eq!(dec(s.amount_paid), p, "amount_paid");
        assert_eq!(dec(s.amount_pending), q, "amount_pending");
        assert_eq!(dec(s.amount_held), h, "amount_held");
    }
    // A confirmed transfer is final: never dropped.
    assert!(
        inv.transfers().iter().all(|t| !(t.confirmed && t.dropped)),
        "a confirmed transfer was dropped"
    );
    // Transfer ids are unique.
    for (i, a) in inv.transfers().iter().enumerate() {
        assert!(inv.transfers().iter().skip(i + 1).all(|b| b.tx_id != a.tx_id), "duplicate tx {}", a.tx_id);
    }
    for (i, a) in inv.refunds().iter().enumerate() {
        assert!(inv.refunds().iter().skip(i + 1).all(|b| b.refund_id != a.refund_id), "duplicate refund");
    }

    let refunded = sum(inv.refunds().iter().filter(|r| r.state == RefundState::Succeeded).map(|r| r.amount));
    let in_flight = sum(inv.refunds().iter().filter(|r| r.state == RefundState::InFlight).map(|r| r.amount));
    let (Some(refunded), Some(in_flight), Some(confirmed), Some(held_confirmed), Some(paid), Some(pending)) =
        (refunded, in_flight, confirmed, held_confirmed, paid, pending)
    else {
        return; // overflowing sums: the exact checks below do not apply
    };
    assert_eq!(dec(s.amount_refunded), refunded, "amount_refunded");
    assert_eq!(dec(s.refunds_in_flight), in_flight, "refunds_in_flight");
    // Refund cap: never more refunded or reserved than confirmed money counted or held.
    let out = add2(refunded, in_flight);
    if let Some(out) = out {
        assert!(out <= confirmed, "refund cap: refunded {refunded} + in flight {in_flight} > confirmed {confirmed}");
    }
    // Refundable, docs/spec.md §3.
    let counted = match s.status {
        Status::Pending | Status::Processing => zero,
        _ => paid,
    };
    // When the rest needs more than 28 digits it is reported cut down to 28 (F6): never
    // above the exact rest, and less than one unit in the 28th digit below it.
    if let Some(money) = add2(counted, held_confirmed) {
        let got = dec(s.refundable);
        let out = [refunded, in_flight];
        if !sum_exceeds_all(&out, money) {
            match exact_sub_all(money, &out) {
                Some(want) => assert_eq!(got, want, "refundable"),
                None => {
                    assert!(!sum_exceeds_all(&[got, refunded, in_flight], money), "refundable {got} above the exact rest");
                    let int_digits = got.trunc().mantissa().checked_ilog10().map_or(0, |d| d + 1);
                    let ulp = Decimal::new(1, 28u32.saturating_sub(int_digits));
                    assert!(sum_exceeds_all(&[got, ulp, refunded, in_flight], money), "refundable {got} not the floor");
                }
            }
        } else {
            assert_eq!(got, zero, "refundable");
        }
    }

    // Status and money agree.
    let due = dec(inv.due());
    let threshold = dec(inv.threshold());
    let Some(received) = add2(paid, pending) else { return };
    let surplus = (received - due).max(zero);
    assert_eq!(dec(s.surplus), surplus, "surplus");
    let marked = inv.exceptions().contains(Exception::Marked);
    match s.status {
        Status::Pending => assert!(received < threshold, "pending with received {received} >= threshold {threshold}"),
        Status::Processing => assert!(
            paid < threshold && received >= threshold,
            "processing with paid {paid}, received {received}, threshold {threshold}"
        ),
        Status::Expired => assert!(received < threshold, "expired with received {received} >= threshold {threshold}"),
        Status::Paid | Status::PartiallyRefunded | Status::Refunded => {
            if !marked {
                assert!(paid >= threshold, "{} with paid {paid} < threshold {threshold}", s.status);
            }
            // The paid family follows the refunds (docs/spec.md §3). An operator's mark forces
            // the status (`mark paid` on an expired, fully refunded invoice gives paid), so
            // marked invoices are exempt until the next refund settles.
            let (Some(all_confirmed), Some(cap)) = (add2(paid, held_confirmed), add2(surplus, held_confirmed)) else {
                return;
            };
            let want = if refunded != zero && refunded >= all_confirmed {
                Status::Refunded
            } else if refunded > cap {
                Status::PartiallyRefunded
            } else {
                Status::Paid
            };
            if !marked {
                assert_eq!(s.status, want, "paid family: refunded {refunded}, confirmed {all_confirmed}, surplus {surplus}");
            }
        }
        Status::Cancelled => {
            // Cancel needs nothing received; anything later is held, never counted.
            assert!(inv.transfers().iter().all(|t| !t.counted || t.dropped), "cancelled invoice counts money");
        }
        Status::Invalid => {}
    }
    // Exceptions follow the money.
    let dust = dec(inv.spec().overpay_dust);
    let ex = inv.exceptions();
    assert_eq!(ex.contains(Exception::Underpaid), received > zero && received < threshold, "underpaid");
    assert_eq!(ex.contains(Exception::Overpaid), surplus > dust, "overpaid");
    assert_eq!(ex.contains(Exception::TxidClaimed), !inv.claims().is_empty(), "txid_claimed");
    if inv.transfers().iter().any(|t| t.late) {
        assert!(ex.contains(Exception::PaidLate), "late transfer without paid_late");
    }
    // Claims are never for an observed transfer.
    for c in inv.claims() {
        assert!(inv.transfers().iter().all(|t| &t.tx_id != c), "claim {c} already observed");
    }
    // The wake-up time.
    let want_deadline = match s.status {
        Status::Pending => Some(inv.deadline()),
        Status::Processing => Some(inv.confirmation_deadline()),
        _ => None,
    };
    assert_eq!(inv.next_deadline(), want_deadline, "next_deadline");
}

/// Whether an amount's text is a valid input amount (at most 28 significant digits).
pub fn reparses(a: Amount) -> bool {
    Amount::parse(&a.to_string(), "x").is_ok()
}

