//! Property tests over random command sequences (docs/spec.md §3 invariants).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use paystate::invoice::{table, CommandKind, EventType, Expiry, Pricing, TransferInput};
use paystate::{
    Amount, Asset, Command, Duration, Invoice, InvoiceSpec, JournalEntry, LatePayment,
    RefundOutcome, Status, Timestamp, Tolerance,
};
use proptest::prelude::*;

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn amount(units: u64, scale: u32) -> Amount {
    Amount::from_minor_units(units, scale).unwrap()
}

fn arb_spec() -> impl Strategy<Value = InvoiceSpec> {
    (
        1u64..5_000, // due in cents
        prop_oneof![Just(0u8), Just(1), Just(2)],
        0u64..300,     // tolerance size
        any::<bool>(), // accept late
        prop_oneof![Just(600u64), Just(1800)],
        0u64..3, // dust in cents
    )
        .prop_map(|(due, tol_kind, tol, late, expires, dust)| {
            let due_amount = amount(due, 2);
            let mut spec = InvoiceSpec::new(
                "inv",
                Pricing::Due(due_amount),
                Asset::UsdtTrc20,
                Expiry::In(Duration::seconds(expires)),
            );
            spec.tolerance = match tol_kind {
                0 => Tolerance::Exact,
                1 => Tolerance::Absolute(amount(tol.min(due - 1), 2)),
                _ => Tolerance::Percent(amount(tol % 100, 0)),
            };
            if late {
                spec.late_payment = LatePayment::AcceptWithin(Duration::seconds(600));
            }
            spec.overpay_dust = amount(dust, 2);
            spec.confirmation_window = Duration::seconds(3600);
            spec
        })
}

fn arb_command() -> impl Strategy<Value = Command> {
    let tx = prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")].prop_map(str::to_owned);
    let refund = prop_oneof![Just("r1"), Just("r2"), Just("r3")].prop_map(str::to_owned);
    prop_oneof![
        4 => (tx.clone(), 1u64..3_000, any::<bool>(), prop::option::of(0i64..4_000)).prop_map(
            |(tx_id, cents, confirmed, at)| Command::ObserveTransfer(TransferInput {
                tx_id,
                amount: amount(cents, 2),
                asset: Asset::UsdtTrc20,
                confirmed,
                at: at.map(|s| Timestamp::from_millis(T0 + s * 1000, "at").unwrap()),
            })
        ),
        2 => tx.clone().prop_map(|tx_id| Command::ConfirmTransfer { tx_id }),
        1 => tx.clone().prop_map(|tx_id| Command::DropTransfer { tx_id }),
        2 => Just(Command::Tick),
        1 => Just(Command::Cancel),
        2 => (refund.clone(), prop::option::of(1u64..3_000)).prop_map(|(refund_id, cents)| {
            Command::RequestRefund { refund_id, amount: cents.map(|c| amount(c, 2)) }
        }),
        2 => (refund, any::<bool>()).prop_map(|(refund_id, ok)| Command::SettleRefund {
            refund_id,
            outcome: if ok { RefundOutcome::Succeeded } else { RefundOutcome::Failed },
        }),
        1 => prop_oneof![Just(Status::Paid), Just(Status::Invalid)]
            .prop_map(|status| Command::Mark { status }),
        1 => tx.prop_map(|tx_id| Command::ClaimTxid { tx_id }),
    ]
}

/// Commands with the seconds after creation they are applied at (possibly out of order).
fn arb_script() -> impl Strategy<Value = (InvoiceSpec, Vec<(i64, Command)>)> {
    (
        arb_spec(),
        prop::collection::vec((0i64..6_000, arb_command()), 0..40),
    )
}

fn check_invariants(inv: &Invoice) {
    let snap = inv.snapshot();
    let live: Amount = inv
        .transfers()
        .iter()
        .filter(|t| !t.dropped)
        .fold(Amount::ZERO, |acc, t| acc.saturating_add(t.amount));
    // Money conservation.
    assert_eq!(
        snap.amount_paid
            .saturating_add(snap.amount_pending)
            .saturating_add(snap.amount_held),
        live
    );
    // Refunds never exceed confirmed money.
    let confirmed: Amount = inv
        .transfers()
        .iter()
        .filter(|t| !t.dropped && t.confirmed)
        .fold(Amount::ZERO, |acc, t| acc.saturating_add(t.amount));
    assert!(snap.amount_refunded.saturating_add(snap.refunds_in_flight) <= confirmed);
    // Exceptions follow the money.
    let received = snap.amount_paid.saturating_add(snap.amount_pending);
    assert_eq!(
        snap.exceptions.contains(paystate::Exception::Underpaid),
        !received.is_zero() && received < inv.threshold()
    );
    assert_eq!(snap.surplus, received.saturating_sub(inv.due()));
    // Refund statuses are a function of the money (unless an operator forced the status).
    if snap.status.is_paid_family() && !snap.exceptions.contains(paystate::Exception::Marked) {
        let held_confirmed = inv
            .transfers()
            .iter()
            .filter(|t| !t.dropped && !t.counted && t.confirmed)
            .fold(Amount::ZERO, |acc, t| acc.saturating_add(t.amount));
        let refunded = snap.amount_refunded;
        let want =
            if !refunded.is_zero() && refunded >= snap.amount_paid.saturating_add(held_confirmed) {
                Status::Refunded
            } else if refunded > snap.surplus.saturating_add(held_confirmed) {
                Status::PartiallyRefunded
            } else {
                Status::Paid
            };
        assert_eq!(snap.status, want, "refund status against the money");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn invariants_hold_on_any_sequence((spec, script) in arb_script()) {
        let t0 = Timestamp::from_millis(T0, "t").unwrap();
        let (mut inv, _) = Invoice::create(spec.clone(), t0).unwrap();
        let mut journal = vec![JournalEntry { at: t0, command: Command::Create(Box::new(spec)) }];
        for (secs, command) in script {
            let at = Timestamp::from_millis(T0 + secs * 1000, "t").unwrap();
            let before = inv.clone();
            let from = before.status_at(at);
            match inv.apply(&command, at) {
                Ok(events) => {
                    // Every status change is one the transition table lists.
                    let rule = table::rule(Some(from), command.kind());
                    prop_assert!(rule.is_some(), "{:?} from {from} not in the table", command.kind());
                    prop_assert!(rule.unwrap().to.contains(&inv.status()),
                        "{:?}: {from} -> {} not in the table", command.kind(), inv.status());
                    // Event ids are sequential and deterministic.
                    for e in &events {
                        prop_assert!(e.id.starts_with("inv:"));
                        prop_assert_eq!(&e.invoice.status, &inv.status());
                    }
                    journal.push(JournalEntry { at, command: command.clone() });
                    // Entering paid, by any command from any status, emits invoice.paid.
                    if inv.status() == Status::Paid && from != Status::Paid {
                        prop_assert!(events.iter().any(|e| e.event_type == EventType::Paid),
                            "{:?}: {from} -> paid without invoice.paid", command.kind());
                    }
                    // A state never holds a deadline that has passed by its own time.
                    prop_assert!(inv.next_deadline().is_none_or(|d| d > inv.updated_at()),
                        "{:?} left {} holding a passed deadline", command.kind(), inv.status());
                    // Idempotency: the same command again changes nothing, version included
                    // (a repeated observation, confirmation, drop, claim or tick).
                    if matches!(command.kind(), CommandKind::Tick | CommandKind::ConfirmTransfer | CommandKind::ObserveTransfer | CommandKind::DropTransfer | CommandKind::ClaimTxid) {
                        let mut again = inv.clone();
                        let events = again.apply(&command, at).unwrap();
                        prop_assert!(events.is_empty());
                        prop_assert_eq!(&again, &inv);
                    }
                }
                Err(_) => prop_assert_eq!(&inv, &before, "a failed command changed the state"),
            }
            check_invariants(&inv);
        }
        // Replay equality and serde round trip.
        prop_assert_eq!(&Invoice::replay(&journal).unwrap(), &inv);
        prop_assert_eq!(&Invoice::from_json(&inv.to_json()).unwrap(), &inv);
        let text = serde_json::to_string(&journal).unwrap();
        let back: Vec<JournalEntry> = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, journal);
    }

    #[test]
    fn terminal_statuses_leave_only_by_listed_commands((spec, script) in arb_script()) {
        let t0 = Timestamp::from_millis(T0, "t").unwrap();
        let (mut inv, _) = Invoice::create(spec, t0).unwrap();
        for (secs, command) in script {
            let at = Timestamp::from_millis(T0 + secs * 1000, "t").unwrap();
            let from = inv.status_at(at);
            if inv.apply(&command, at).is_ok() {
                match from {
                    Status::Cancelled => prop_assert_eq!(inv.status(), Status::Cancelled),
                    Status::Invalid => prop_assert_eq!(inv.status(), Status::Invalid),
                    Status::Refunded | Status::PartiallyRefunded | Status::Paid => {
                        prop_assert!(inv.status().is_paid_family() || inv.status() == Status::Invalid);
                        if inv.status() == Status::Invalid {
                            prop_assert_eq!(command.kind(), CommandKind::MarkInvalid);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn tolerance_boundary_is_exact_to_the_last_decimal(
        due_units in 2u64..10_000_000_000,
        allowance_units in 0u64..1_000_000,
        scale in prop_oneof![Just(6u32), Just(8), Just(18)],
    ) {
        let asset = match scale { 6 => Asset::UsdtTrc20, 8 => Asset::UsdtBybit, _ => Asset::UsdtBsc };
        let due = amount(due_units, scale);
        let allowance = amount(allowance_units.min(due_units - 1), scale);
        let threshold = due.saturating_sub(allowance);
        let one = amount(1, scale);
        for (paid, expect) in [(threshold, Status::Paid), (threshold.saturating_sub(one), Status::Pending)] {
            if paid.is_zero() { continue; }
            let mut spec = InvoiceSpec::new("inv", Pricing::Due(due), asset, Expiry::In(Duration::seconds(60)));
            spec.tolerance = Tolerance::Absolute(allowance);
            let t0 = Timestamp::from_millis(T0, "t").unwrap();
            let (mut inv, _) = Invoice::create(spec, t0).unwrap();
            inv.apply(&Command::ObserveTransfer(TransferInput {
                tx_id: "x".into(), amount: paid, asset, confirmed: true, at: None,
            }), t0).unwrap();
            prop_assert_eq!(inv.status(), expect);
        }
    }

    #[test]
    fn amount_text_round_trips(int in 0u64..1_000_000_000_000_000_000, frac in 0u64..1_000_000_000, digits in 0usize..10) {
        let text = if digits == 0 { int.to_string() } else { format!("{int}.{:0>width$}", frac % 10u64.pow(digits as u32), width = digits) };
        let a = Amount::parse(&text, "a").unwrap();
        prop_assert_eq!(Amount::parse(&a.to_string(), "a").unwrap(), a);
    }
}
