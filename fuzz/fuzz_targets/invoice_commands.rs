//! Arbitrary command sequences against one invoice, with invariants checked after every
//! step against the contract (docs/spec.md §3) and a small model kept here.
//!
//! Inputs come from small pools (tx ids, refund ids, amounts around the due amount and the
//! asset's scale, times around the deadline and the end of the late-payment window, time
//! running backwards now and then), so the fuzzer spends its time on interleavings, not on
//! guessing strings. After every command:
//! - on error, the invoice is untouched (compared with a clone);
//! - the status change is listed in `table::RULES` for (status after deadlines, command),
//!   and a pair without a rule is `invalid_transition`;
//! - the transfers and refunds equal the model's (ids, amounts, confirmed, dropped, state);
//! - money conservation, refund cap, refundable, status/money agreement, exceptions and
//!   `next_deadline` (see `common::check_state`);
//! - predictable outcomes agree with the model (unknown ids, conflicts, wrong asset, too
//!   many decimals, cancel with money, refunds within / beyond what is refundable);
//! - events carry contiguous ids `"{id}:{seq}"` and the snapshot after the command;
//! - the version counts accepted commands that changed something (a no-op keeps it) and
//!   the clock never runs backwards;
//! - replaying the journal of accepted commands rebuilds the same state, and the journal
//!   and the state survive a JSON round trip.
//! A violation panics: it is a crash for libFuzzer.
#![no_main]

mod common;

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use paystate::invoice::table;
use paystate::invoice::{Expiry, RefundState, TransferInput};
use paystate::{
    Amount, Asset, Command, Currency, Duration, Invoice, InvoiceSpec, JournalEntry, LatePayment, Pricing,
    RefundOutcome, Status, Timestamp, Tolerance,
};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const DUES: [&str; 7] = ["10", "5", "0.000001", "33.33", "1000000", "9999999999999999999999999999", "1.5"];
const AMOUNTS: [&str; 14] = [
    "1", "4", "5", "10", "3.9", "0.000001", "9.999999", "20", "33.33", "0.5", "1.0000001", "0",
    "9999999999999999999999999999", "1000000",
];
const TOL_ABS: [&str; 4] = ["0", "1", "2", "0.000001"];
const TOL_PCT: [&str; 4] = ["0", "1", "1.5", "99.999"];
const DUST: [&str; 3] = ["0", "0.000001", "1"];
const EXPIRES: [u64; 4] = [1, 60, 600, 1800];
const WINDOWS: [u64; 3] = [1, 600, 86_400];
const ACCEPT: [u64; 3] = [1, 60, 3600];
/// Time steps between commands, in ms (negative: the host's clock ran backwards).
const STEPS: [i64; 12] = [0, 1, 999, 1_000, 59_999, 60_000, 600_000, 1_800_000, 86_400_000, 90_000_000, -1_000, -600_000];
const TXS: [&str; 4] = ["tx_a", "tx_b", "tx_c", "tx_d"];
const REFUNDS: [&str; 3] = ["r1", "r2", "r3"];

#[derive(Arbitrary, Debug)]
enum Tol {
    Exact,
    Absolute(u8),
    Percent(u8),
}

#[derive(Arbitrary, Debug)]
enum At {
    Now,
    BeforeDeadline,
    AtDeadline,
    AfterDeadline,
    LastAcceptedLate,
    EndOfLateWindow,
    Created,
    Offset(i32),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Observe { tx: u8, amount: u8, confirmed: bool, at: At, wrong_asset: bool },
    Confirm { tx: u8 },
    Drop { tx: u8 },
    Tick,
    TickFn,
    Cancel,
    RequestRefund { refund: u8, amount: Option<u8> },
    SettleRefund { refund: u8, succeeded: bool },
    MarkPaid,
    MarkInvalid,
    Claim { tx: u8 },
}

#[derive(Arbitrary, Debug)]
struct Step {
    dt: u8,
    op: Op,
}

#[derive(Arbitrary, Debug)]
struct Input {
    due: u8,
    priced: Option<(u8, bool)>,
    asset_bsc: bool,
    tolerance: Tol,
    late: Option<u8>,
    expires: u8,
    dust: u8,
    window: u8,
    steps: Vec<Step>,
}

fn pick<T: Copy>(pool: &[T], i: u8) -> T {
    pool[usize::from(i) % pool.len()]
}

fn amt(s: &str) -> Amount {
    Amount::parse(s, "a").expect("pool amount")
}

#[derive(Clone, Debug, PartialEq)]
struct MTransfer {
    amount: Amount,
    confirmed: bool,
    dropped: bool,
}

#[derive(Default)]
struct Model {
    transfers: BTreeMap<String, MTransfer>,
    order: Vec<String>,
    refunds: BTreeMap<String, (Amount, RefundState)>,
    claims: Vec<String>,
    marked: bool,
}

fn spec_from(input: &Input) -> InvoiceSpec {
    let asset = if input.asset_bsc { Asset::UsdtBsc } else { Asset::UsdtTrc20 };
    let due = amt(pick(&DUES, input.due));
    let pricing = match input.priced {
        None => Pricing::Due(due),
        Some((r, jpy)) => Pricing::Price {
            amount: due,
            currency: Currency::parse(if jpy { "JPY" } else { "USD" }, "c").expect("currency"),
            rate: amt(pick(&["1", "0.9", "3", "0.333333"], r)),
            surcharge: amt(pick(&["0", "0.1", "1"], r / 4)),
        },
    };
    let mut spec = InvoiceSpec::new(
        "inv_fz",
        pricing,
        asset,
        Expiry::In(Duration::from_seconds(pick(&EXPIRES, input.expires), "e").expect("dur")),
    );
    spec.tolerance = match input.tolerance {
        Tol::Exact => Tolerance::Exact,
        Tol::Absolute(i) => Tolerance::Absolute(amt(pick(&TOL_ABS, i))),
        Tol::Percent(i) => Tolerance::Percent(amt(pick(&TOL_PCT, i))),
    };
    spec.late_payment = match input.late {
        None => LatePayment::Reject,
        Some(i) => LatePayment::AcceptWithin(Duration::from_seconds(pick(&ACCEPT, i), "w").expect("dur")),
    };
    spec.overpay_dust = amt(pick(&DUST, input.dust));
    spec.confirmation_window = Duration::from_seconds(pick(&WINDOWS, input.window), "w").expect("dur");
    spec
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms.clamp(0, 253_402_300_799_999), "t").expect("in range")
}

fuzz_target!(|input: Input| {
    let spec = spec_from(&input);
    let t0 = ts(T0);
    let Ok((mut inv, created)) = Invoice::create(spec.clone(), t0) else {
        return;
    };
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].id, "inv_fz:1");
    let mut seq = 1u64;
    // Accepted commands that changed something: what `version` counts (create is 1).
    let mut changes = 1usize;
    let mut journal = vec![JournalEntry { at: t0, command: Command::Create(spec.clone().into()) }];
    let mut model = Model::default();
    let mut now_ms = T0;
    let asset = inv.asset();
    let deadline = inv.deadline().as_millis();
    let late_window = match spec.late_payment {
        LatePayment::Reject => 0,
        LatePayment::AcceptWithin(w) => w.as_millis() as i64,
    };
    common::check_state(&inv);

    for step in input.steps.iter().take(48) {
        now_ms = (now_ms + pick(&STEPS, step.dt)).max(0);
        let now = ts(now_ms);
        let command = match &step.op {
            Op::Observe { tx, amount, confirmed, at, wrong_asset } => {
                let at = match at {
                    At::Now => None,
                    At::BeforeDeadline => Some(ts(deadline - 1)),
                    At::AtDeadline => Some(ts(deadline)),
                    At::AfterDeadline => Some(ts(deadline + 1)),
                    At::LastAcceptedLate => Some(ts(deadline + late_window - 1)),
                    At::EndOfLateWindow => Some(ts(deadline + late_window)),
                    At::Created => Some(t0),
                    At::Offset(o) => Some(ts(now_ms + i64::from(*o))),
                };
                Command::ObserveTransfer(TransferInput {
                    tx_id: pick(&TXS, *tx).to_owned(),
                    amount: amt(pick(&AMOUNTS, *amount)),
                    asset: if *wrong_asset { Asset::UsdtErc20 } else { asset },
                    confirmed: *confirmed,
                    at,
                })
            }
            Op::Confirm { tx } => Command::ConfirmTransfer { tx_id: pick(&TXS, *tx).to_owned() },
            Op::Drop { tx } => Command::DropTransfer { tx_id: pick(&TXS, *tx).to_owned() },
            Op::Tick | Op::TickFn => Command::Tick,
            Op::Cancel => Command::Cancel,
            Op::RequestRefund { refund, amount } => Command::RequestRefund {
                refund_id: pick(&REFUNDS, *refund).to_owned(),
                amount: amount.map(|i| amt(pick(&AMOUNTS, i))),
            },
            Op::SettleRefund { refund, succeeded } => Command::SettleRefund {
                refund_id: pick(&REFUNDS, *refund).to_owned(),
                outcome: if *succeeded { RefundOutcome::Succeeded } else { RefundOutcome::Failed },
            },
            Op::MarkPaid => Command::Mark { status: Status::Paid },
            Op::MarkInvalid => Command::Mark { status: Status::Invalid },
            Op::Claim { tx } => Command::ClaimTxid { tx_id: pick(&TXS, *tx).to_owned() },
        };

        let before = inv.clone();
        let from = inv.status_at(now);
        let allowed = table::allows(from, command.kind());
        // Refundable before the command, from the model (docs/spec.md §3).
        let confirmed_counted: Amount = inv
            .transfers()
            .iter()
            .filter(|t| !t.dropped && t.counted && t.confirmed)
            .fold(Amount::ZERO, |a, t| a.saturating_add(t.amount));
        let confirmed_held: Amount = inv
            .transfers()
            .iter()
            .filter(|t| !t.dropped && !t.counted && t.confirmed)
            .fold(Amount::ZERO, |a, t| a.saturating_add(t.amount));
        let out: Amount = model
            .refunds
            .values()
            .filter(|(_, s)| *s != RefundState::Failed)
            .fold(Amount::ZERO, |a, (x, _)| a.saturating_add(*x));
        let counted = if matches!(from, Status::Pending | Status::Processing) { Amount::ZERO } else { confirmed_counted };
        // Confirmed money is an exact total (F2); refunds are checked against it exactly,
        // and the refund total must stay an amount too (F6).
        let money = counted.saturating_add(confirmed_held);
        let rest: Option<Amount> = if out >= money {
            Some(Amount::ZERO)
        } else {
            common::exact_sub(money.as_decimal(), out.as_decimal()).map(|d| Amount::parse(&d.to_string(), "rest").expect("an exact rest is an amount"))
        };

        let result = if matches!(step.op, Op::TickFn) {
            Ok(inv.tick(now))
        } else {
            inv.apply(&command, now)
        };

        // Outcomes the model can predict.
        let expect_err: Option<&str> = if !allowed {
            Some("invalid_transition")
        } else {
            match &command {
                Command::ObserveTransfer(t) => match model.transfers.get(&t.tx_id) {
                    _ if t.amount.is_zero() => Some("invalid_amount"),
                    Some(k) if k.amount != t.amount || t.asset != asset => Some("integrity_conflict"),
                    // A dropped transfer observed again counts again (docs/spec.md §3), so
                    // the live total must stay exact as for a new one.
                    Some(k)
                        if k.dropped
                            && model
                                .transfers
                                .values()
                                .filter(|k| !k.dropped)
                                .try_fold(t.amount.as_decimal(), |acc, k| common::add2(acc, k.amount.as_decimal()))
                                .is_none() =>
                    {
                        Some("invalid_amount")
                    }
                    Some(_) => None,
                    None if t.asset != asset => Some("asset_mismatch"),
                    None if t.amount.decimal_places() > asset.scale() => Some("too_many_decimals"),
                    // Totals stay exact: a transfer that would push the live total beyond
                    // 28 significant digits is refused (the fix of F2).
                    None if model
                        .transfers
                        .values()
                        .filter(|k| !k.dropped)
                        .try_fold(t.amount.as_decimal(), |acc, k| common::add2(acc, k.amount.as_decimal()))
                        .is_none() =>
                    {
                        Some("invalid_amount")
                    }
                    None => None,
                },
                Command::ConfirmTransfer { tx_id } | Command::DropTransfer { tx_id } => {
                    match model.transfers.get(tx_id) {
                        None => Some("unknown_transfer"),
                        Some(k) if matches!(command, Command::DropTransfer { .. }) && k.confirmed => {
                            Some("invalid_transition")
                        }
                        Some(k) if matches!(command, Command::ConfirmTransfer { .. }) && k.dropped && !k.confirmed => {
                            Some("invalid_transition")
                        }
                        Some(_) => None,
                    }
                }
                Command::Cancel if model.transfers.values().any(|t| !t.dropped) => Some("invalid_transition"),
                Command::RequestRefund { refund_id, amount } => {
                    if model.refunds.contains_key(refund_id) {
                        Some("invalid_field")
                    } else {
                        match amount {
                            Some(a) if a.is_zero() => Some("invalid_amount"),
                            Some(a) if a.decimal_places() > asset.scale() => Some("too_many_decimals"),
                            Some(a) if common::sum_exceeds(a.as_decimal(), out.as_decimal(), money.as_decimal()) => {
                                Some("refund_exceeds_available")
                            }
                            Some(a) if common::add2(out.as_decimal(), a.as_decimal()).is_none() => Some("invalid_amount"),
                            None if rest == Some(Amount::ZERO) => Some("refund_exceeds_available"),
                            // The rest needs more than 28 digits: the refund total could not be one.
                            None if rest.is_none() => Some("invalid_amount"),
                            _ => None,
                        }
                    }
                }
                Command::SettleRefund { refund_id, .. } => match model.refunds.get(refund_id) {
                    Some((_, RefundState::InFlight)) => None,
                    _ => Some("unknown_refund"),
                },
                _ => None,
            }
        };

        match result {
            Err(e) => {
                assert_eq!(inv, before, "state changed by a failed {:?}: {e}", command.kind());
                assert!(paystate::Error::CODES.contains(&e.code()));
                match expect_err {
                    Some(code) => assert_eq!(e.code(), code, "{command:?} at {now}"),
                    None => panic!("{command:?} from {from} at {now} failed unexpectedly: {} {e}", e.code()),
                }
            }
            Ok(events) => {
                if let Some(code) = expect_err {
                    panic!("{command:?} from {from} at {now} succeeded, expected {code}");
                }
                // The status change is in the table.
                let to = inv.status();
                let rule = table::rule(Some(from), command.kind()).expect("allowed means a rule");
                assert!(
                    rule.to.contains(&to),
                    "transition {from} --{}--> {to} is not in RULES ({:?})",
                    command.kind().as_str(),
                    rule.to
                );
                // Events: contiguous ids, snapshot after the command.
                let snap = inv.snapshot();
                for ev in &events {
                    seq += 1;
                    assert_eq!(ev.id, format!("inv_fz:{seq}"));
                    assert_eq!(ev.invoice_id, "inv_fz");
                    assert_eq!(ev.invoice, snap);
                    assert_eq!(ev.at, inv.updated_at());
                }
                if before.status() != to && !(before.status().is_paid_family() && to.is_paid_family()) {
                    assert!(!events.is_empty(), "status {} -> {to} without an event", before.status());
                }
                assert!(inv.updated_at() >= before.updated_at(), "clock ran backwards");
                // The version counts commands that changed something; a command that
                // changes nothing emits nothing and leaves the state equal, its clock
                // included (docs/spec.md §2).
                if inv.version() == before.version() {
                    assert!(events.is_empty(), "events without a version bump");
                    assert!(inv == before, "{command:?}: the state changed but the version did not");
                } else {
                    assert_eq!(inv.updated_at(), now.max(before.updated_at()));
                    assert_eq!(inv.version(), before.version() + 1);
                    changes += 1;
                }

                // Update the model.
                match &command {
                    Command::ObserveTransfer(t) => {
                        match model.transfers.get_mut(&t.tx_id) {
                            Some(k) => {
                                if k.dropped {
                                    // Re-included after a reorg: counts again as observed now.
                                    k.dropped = false;
                                    k.confirmed = t.confirmed;
                                } else if t.confirmed {
                                    k.confirmed = true;
                                }
                            }
                            None => {
                                model.transfers.insert(
                                    t.tx_id.clone(),
                                    MTransfer { amount: t.amount, confirmed: t.confirmed, dropped: false },
                                );
                                model.order.push(t.tx_id.clone());
                                model.claims.retain(|c| *c != t.tx_id);
                            }
                        }
                    }
                    Command::ConfirmTransfer { tx_id } => {
                        if let Some(k) = model.transfers.get_mut(tx_id) {
                            k.confirmed = true;
                        }
                    }
                    Command::DropTransfer { tx_id } => {
                        if let Some(k) = model.transfers.get_mut(tx_id) {
                            k.dropped = true;
                        }
                    }
                    Command::RequestRefund { refund_id, amount } => {
                        let a = amount.or(rest).expect("a refund of everything succeeds only with an exact rest");
                        model.refunds.insert(refund_id.clone(), (a, RefundState::InFlight));
                    }
                    Command::SettleRefund { refund_id, outcome } => {
                        if let Some(r) = model.refunds.get_mut(refund_id) {
                            r.1 = match outcome {
                                RefundOutcome::Succeeded => RefundState::Succeeded,
                                RefundOutcome::Failed => RefundState::Failed,
                            };
                        }
                    }
                    Command::Mark { .. } => model.marked = true,
                    Command::ClaimTxid { tx_id } => {
                        if !model.claims.contains(tx_id) && !model.transfers.contains_key(tx_id) {
                            model.claims.push(tx_id.clone());
                        }
                    }
                    _ => {}
                }
                journal.push(JournalEntry { at: now, command: command.clone() });
            }
        }

        // State against the model.
        let got: Vec<(String, MTransfer)> = inv
            .transfers()
            .iter()
            .map(|t| (t.tx_id.clone(), MTransfer { amount: t.amount, confirmed: t.confirmed, dropped: t.dropped }))
            .collect();
        let want: Vec<(String, MTransfer)> =
            model.order.iter().map(|id| (id.clone(), model.transfers[id].clone())).collect();
        assert_eq!(got, want, "transfers differ from the model");
        for r in inv.refunds() {
            assert_eq!(model.refunds.get(&r.refund_id), Some(&(r.amount, r.state)), "refund {}", r.refund_id);
        }
        assert_eq!(inv.refunds().len(), model.refunds.len());
        assert_eq!(inv.claims(), model.claims.as_slice(), "claims");
        assert_eq!(inv.exceptions().contains(paystate::Exception::Marked), model.marked, "marked");
        assert_eq!(inv.version() as usize, changes, "version");
        common::check_state(&inv);

        // Replay equality after every step.
        let replayed = Invoice::replay(&journal).expect("the journal of accepted commands must replay");
        assert_eq!(replayed, inv, "replay differs");
    }

    // Storage round trips.
    let text = inv.to_json();
    match Invoice::from_json(&text) {
        Ok(back) => assert_eq!(back, inv, "to_json/from_json"),
        Err(e) => panic!("stored state must load: {e}\n{text}\n{journal:?}"),
    }
    let jtext = serde_json::to_string(&journal).expect("journal to json");
    match serde_json::from_str::<Vec<JournalEntry>>(&jtext) {
        Ok(jback) => assert_eq!(jback, journal, "journal round trip"),
        Err(e) => panic!("journal from json: {e}\n{jtext}"),
    }
});
