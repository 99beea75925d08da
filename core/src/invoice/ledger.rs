//! The invoice's ledger (docs/spec.md §3 "Money on an invoice"): the transfers and refunds
//! it recorded, the totals over them, and what may still be refunded. The status rules read
//! these sums; nothing here decides a status.

use serde::{Deserialize, Serialize};

use super::{Invoice, RefundOutcome, Status, TransferInput};
use crate::error::{Error, Result};
use crate::money::Amount;
use crate::time::Timestamp;

/// A transfer as the invoice recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The transaction id.
    pub tx_id: String,
    /// The amount, in the invoice's asset.
    pub amount: Amount,
    /// Final on its network.
    pub confirmed: bool,
    /// Counts toward the invoice (false: held apart).
    pub counted: bool,
    /// Reorged out or failed; no longer counts or is held.
    pub dropped: bool,
    /// Made at or after the deadline.
    pub late: bool,
    /// When the transfer was made.
    pub made_at: Timestamp,
    /// When the invoice learned of it.
    pub observed_at: Timestamp,
}

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Requested, not settled: its amount is reserved.
    InFlight,
    /// The money left.
    Succeeded,
    /// It did not leave; the amount is refundable again.
    Failed,
}

impl RefundState {
    /// Every state, in a stable order.
    pub const ALL: [RefundState; 3] = [
        RefundState::InFlight,
        RefundState::Succeeded,
        RefundState::Failed,
    ];

    /// The contract's spelling: `in_flight`, `succeeded` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundState::InFlight => "in_flight",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
        }
    }
}

impl std::fmt::Display for RefundState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a settled refund stands.
impl From<RefundOutcome> for RefundState {
    fn from(outcome: RefundOutcome) -> RefundState {
        match outcome {
            RefundOutcome::Succeeded => RefundState::Succeeded,
            RefundOutcome::Failed => RefundState::Failed,
        }
    }
}

/// A refund as the invoice recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The host's refund id.
    pub refund_id: String,
    /// The amount.
    pub amount: Amount,
    /// Where it stands.
    pub state: RefundState,
    /// When it was requested.
    pub requested_at: Timestamp,
    /// When it was settled.
    pub settled_at: Option<Timestamp>,
}

/// Sums over the transfers and refunds, computed on demand.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Totals {
    pub(super) paid: Amount,
    pub(super) pending: Amount,
    pub(super) held: Amount,
    pub(super) held_confirmed: Amount,
    pub(super) refunded: Amount,
    pub(super) in_flight: Amount,
}

impl Totals {
    pub(super) fn received(&self) -> Amount {
        self.paid.saturating_add(self.pending)
    }
}

impl Invoice {
    pub(super) fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for tr in self.transfers.iter().filter(|t| !t.dropped) {
            match (tr.counted, tr.confirmed) {
                (true, true) => t.paid = t.paid.saturating_add(tr.amount),
                (true, false) => t.pending = t.pending.saturating_add(tr.amount),
                (false, confirmed) => {
                    t.held = t.held.saturating_add(tr.amount);
                    if confirmed {
                        t.held_confirmed = t.held_confirmed.saturating_add(tr.amount);
                    }
                }
            }
        }
        for r in &self.refunds {
            match r.state {
                RefundState::Succeeded => t.refunded = t.refunded.saturating_add(r.amount),
                RefundState::InFlight => t.in_flight = t.in_flight.saturating_add(r.amount),
                RefundState::Failed => {}
            }
        }
        t
    }

    /// Refundable = confirmed counted money once the invoice is settled one way or the
    /// other, plus confirmed held money, minus what was refunded or is in flight.
    pub(super) fn refundable_with(&self, status: Status, t: &Totals) -> Amount {
        let counted = match status {
            Status::Pending | Status::Processing => Amount::ZERO,
            _ => t.paid,
        };
        // Floor subtraction: a rest beyond 28 digits is reported cut down, never rounded up.
        counted
            .saturating_add(t.held_confirmed)
            .floor_sub(t.refunded.saturating_add(t.in_flight))
    }

    pub(super) fn find_transfer(&self, tx_id: &str) -> Option<usize> {
        self.transfers.iter().position(|t| t.tx_id == tx_id)
    }

    /// The recorded transfer `tx_id` and its index, or `unknown_transfer`.
    pub(super) fn known_transfer(&self, tx_id: &str) -> Result<(usize, &Transfer)> {
        self.transfers
            .iter()
            .enumerate()
            .find(|(_, t)| t.tx_id == tx_id)
            .ok_or_else(|| Error::UnknownTransfer {
                tx_id: tx_id.to_owned(),
            })
    }

    /// Totals must stay exact: refuse a transfer that would push them beyond 28 digits.
    pub(super) fn check_total(&self, input: &TransferInput) -> Result<()> {
        let total = self
            .transfers
            .iter()
            .filter(|t| !t.dropped)
            .try_fold(input.amount, |acc, t| acc.checked_add(t.amount));
        if total.is_none() {
            return Err(Error::InvalidAmount {
                field: "transfer.amount".into(),
                value: input.amount.to_string(),
                reason: "the invoice's total would exceed 28 significant digits",
            });
        }
        Ok(())
    }
}
