//! The transition table as data.
//!
//! The state machine consults [`allows`] before applying a command, and a property test
//! checks every transition it actually makes against [`RULES`], so the table printed by
//! `paystate states` (and embedded in the README) cannot drift from the code.

use serde::Serialize;

use super::command::CommandKind;
use super::status::Status;
use Status::*;

/// One row: from `from` (none: the invoice does not exist yet), `command` may lead to
/// any status in `to`. A (status, command) pair without a row is `invalid_transition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The status before the command (after due deadlines were applied).
    pub from: Option<Status>,
    /// The command.
    pub command: CommandKind,
    /// The statuses the command may lead to.
    pub to: &'static [Status],
    /// Why, in a few words: for diagrams and docs.
    pub note: &'static str,
}

const PAID_FAMILY: &[Status] = &[Paid, PartiallyRefunded, Refunded];

macro_rules! rule {
    ($from:expr, $cmd:ident, [$($to:expr),*], $note:expr) => {
        Rule { from: $from, command: CommandKind::$cmd, to: &[$($to),*], note: $note }
    };
}

/// Every allowed (status, command) → statuses rule.
pub const RULES: &[Rule] = &[
    rule!(None, Create, [Pending], "created"),
    // observe_transfer: on time counts; late follows the policy; closed invoices hold money.
    rule!(Some(Pending), ObserveTransfer, [Pending, Processing, Paid], "payment counted"),
    rule!(Some(Processing), ObserveTransfer, [Processing, Paid, PartiallyRefunded], "more payment (partially refunded when refunds made while expired exceed the surplus)"),
    rule!(Some(Expired), ObserveTransfer, [Expired, Processing, Paid, PartiallyRefunded, Invalid], "on-time or accepted late payment (partially refunded when earlier refunds exceed the surplus; invalid when reported unconfirmed after the confirmation window)"),
    Rule { from: Some(Paid), command: CommandKind::ObserveTransfer, to: PAID_FAMILY, note: "extra payment" },
    Rule { from: Some(PartiallyRefunded), command: CommandKind::ObserveTransfer, to: PAID_FAMILY, note: "extra payment" },
    Rule { from: Some(Refunded), command: CommandKind::ObserveTransfer, to: PAID_FAMILY, note: "extra payment" },
    rule!(Some(Cancelled), ObserveTransfer, [Cancelled], "held"),
    rule!(Some(Invalid), ObserveTransfer, [Invalid], "held"),
    // confirm_transfer
    rule!(Some(Pending), ConfirmTransfer, [Pending], "confirmed below threshold"),
    rule!(Some(Processing), ConfirmTransfer, [Processing, Paid, PartiallyRefunded], "confirmed (partially refunded when refunds made while expired exceed the surplus)"),
    rule!(Some(Expired), ConfirmTransfer, [Expired], "confirmed, not enough"),
    Rule { from: Some(Paid), command: CommandKind::ConfirmTransfer, to: PAID_FAMILY, note: "confirmed" },
    Rule { from: Some(PartiallyRefunded), command: CommandKind::ConfirmTransfer, to: PAID_FAMILY, note: "confirmed" },
    Rule { from: Some(Refunded), command: CommandKind::ConfirmTransfer, to: PAID_FAMILY, note: "confirmed" },
    rule!(Some(Cancelled), ConfirmTransfer, [Cancelled], "held money confirmed"),
    rule!(Some(Invalid), ConfirmTransfer, [Invalid], "confirmed"),
    // drop_transfer
    rule!(Some(Pending), DropTransfer, [Pending], "unconfirmed payment dropped"),
    rule!(Some(Processing), DropTransfer, [Processing, Pending, Expired], "unconfirmed payment dropped"),
    rule!(Some(Expired), DropTransfer, [Expired], "unconfirmed payment dropped"),
    Rule { from: Some(Paid), command: CommandKind::DropTransfer, to: PAID_FAMILY, note: "unconfirmed extra dropped" },
    Rule { from: Some(PartiallyRefunded), command: CommandKind::DropTransfer, to: PAID_FAMILY, note: "unconfirmed extra dropped" },
    Rule { from: Some(Refunded), command: CommandKind::DropTransfer, to: PAID_FAMILY, note: "unconfirmed extra dropped" },
    rule!(Some(Cancelled), DropTransfer, [Cancelled], "held money dropped"),
    rule!(Some(Invalid), DropTransfer, [Invalid], "dropped"),
    // tick: the deadlines
    rule!(Some(Pending), Tick, [Pending, Expired], "deadline reached"),
    rule!(Some(Processing), Tick, [Processing, Invalid], "confirmation window over"),
    rule!(Some(Paid), Tick, [Paid], "nothing due"),
    rule!(Some(Expired), Tick, [Expired], "nothing due"),
    rule!(Some(Cancelled), Tick, [Cancelled], "nothing due"),
    rule!(Some(Invalid), Tick, [Invalid], "nothing due"),
    rule!(Some(PartiallyRefunded), Tick, [PartiallyRefunded], "nothing due"),
    rule!(Some(Refunded), Tick, [Refunded], "nothing due"),
    // cancel
    rule!(Some(Pending), Cancel, [Cancelled], "merchant cancels (nothing received)"),
    // refunds never change a non-paid status
    rule!(Some(Pending), RequestRefund, [Pending], "held money refund"),
    rule!(Some(Processing), RequestRefund, [Processing], "held money refund"),
    rule!(Some(Paid), RequestRefund, [Paid], "refund requested"),
    rule!(Some(Expired), RequestRefund, [Expired], "refund requested"),
    rule!(Some(Cancelled), RequestRefund, [Cancelled], "refund requested"),
    rule!(Some(Invalid), RequestRefund, [Invalid], "refund requested"),
    rule!(Some(PartiallyRefunded), RequestRefund, [PartiallyRefunded], "refund requested"),
    rule!(Some(Refunded), RequestRefund, [Refunded], "refund requested"),
    rule!(Some(Pending), SettleRefund, [Pending], "refund settled"),
    rule!(Some(Processing), SettleRefund, [Processing], "refund settled"),
    Rule { from: Some(Paid), command: CommandKind::SettleRefund, to: PAID_FAMILY, note: "refund settled" },
    Rule { from: Some(PartiallyRefunded), command: CommandKind::SettleRefund, to: PAID_FAMILY, note: "refund settled" },
    Rule { from: Some(Refunded), command: CommandKind::SettleRefund, to: PAID_FAMILY, note: "refund settled" },
    rule!(Some(Expired), SettleRefund, [Expired], "refund settled"),
    rule!(Some(Cancelled), SettleRefund, [Cancelled], "refund settled"),
    rule!(Some(Invalid), SettleRefund, [Invalid], "refund settled"),
    // operator marks
    rule!(Some(Pending), MarkPaid, [Paid], "marked paid"),
    rule!(Some(Processing), MarkPaid, [Paid], "marked paid"),
    rule!(Some(Expired), MarkPaid, [Paid], "marked paid"),
    rule!(Some(Pending), MarkInvalid, [Invalid], "marked invalid"),
    rule!(Some(Processing), MarkInvalid, [Invalid], "marked invalid"),
    rule!(Some(Expired), MarkInvalid, [Invalid], "marked invalid"),
    rule!(Some(Paid), MarkInvalid, [Invalid], "marked invalid"),
    // payer claims
    rule!(Some(Pending), ClaimTxid, [Pending], "payer claims a txid"),
    rule!(Some(Processing), ClaimTxid, [Processing], "payer claims a txid"),
];

/// The rule for `command` from `from`, if the command is allowed there.
pub fn rule(from: Option<Status>, command: CommandKind) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.from == from && r.command == command)
}

/// Whether `command` is allowed from `from`.
pub fn allows(from: Status, command: CommandKind) -> bool {
    rule(Some(from), command).is_some()
}

/// The table as a Mermaid `stateDiagram-v2`, one arrow per (from, to) pair with the
/// commands that make it; self-loops are left out to keep the diagram readable.
pub fn mermaid() -> String {
    let mut edges: Vec<(String, String, Vec<&'static str>)> = Vec::new();
    for r in RULES {
        let from = r.from.map_or("[*]".to_owned(), |s| s.as_str().to_owned());
        for to in r.to {
            if r.from == Some(*to) {
                continue;
            }
            let to = to.as_str().to_owned();
            match edges.iter_mut().find(|(f, t, _)| *f == from && *t == to) {
                Some((_, _, cmds)) => {
                    if !cmds.contains(&r.command.as_str()) {
                        cmds.push(r.command.as_str());
                    }
                }
                None => edges.push((from.clone(), to, vec![r.command.as_str()])),
            }
        }
    }
    let mut out = String::from("stateDiagram-v2\n");
    for (from, to, cmds) in edges {
        out.push_str(&format!("    {from} --> {to}: {}\n", cmds.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_per_pair() {
        for (i, a) in RULES.iter().enumerate() {
            for b in RULES.iter().skip(i + 1) {
                assert!(!(a.from == b.from && a.command == b.command), "{a:?} twice");
            }
        }
    }

    #[test]
    fn every_status_has_tick_and_observe() {
        for s in Status::ALL {
            assert!(allows(s, CommandKind::Tick));
            assert!(allows(s, CommandKind::ObserveTransfer));
            assert!(allows(s, CommandKind::RequestRefund));
        }
        assert!(!allows(Status::Paid, CommandKind::Cancel));
        assert!(!allows(Status::Refunded, CommandKind::MarkInvalid));
    }

    #[test]
    fn mermaid_has_every_status() {
        let m = mermaid();
        for s in Status::ALL {
            assert!(m.contains(s.as_str()), "{s} missing");
        }
    }
}
