//! The command plan: what a validated command will do, computed without touching the
//! invoice so a failure leaves it untouched, then carried out infallibly (docs/spec.md §3).

use super::ledger::{Refund, RefundState, Transfer};
use super::{
    spec, status, table, Command, CommandKind, EventType, Exception, Invoice, LatePayment,
    RefundOutcome, Status, TransferInput, MAX_TRANSFERS_PER_INVOICE,
};
use crate::error::{Error, Result};
use crate::money::Amount;
use crate::time::Timestamp;

/// What a validated command will do; computed without touching state so a failure
/// leaves the invoice untouched, then executed infallibly.
pub(super) enum Plan<'c> {
    Nothing,
    NewTransfer {
        input: &'c TransferInput,
        made_at: Timestamp,
        late: bool,
        counted: bool,
    },
    /// A dropped transfer observed again: it counts again as a new observation.
    Reobserve {
        index: usize,
        input: &'c TransferInput,
        made_at: Timestamp,
        late: bool,
        counted: bool,
    },
    Confirm(usize),
    Drop(usize),
    Cancel,
    RequestRefund {
        refund_id: &'c str,
        amount: Amount,
    },
    SettleRefund(usize, RefundOutcome),
    Mark(Status),
    Claim(&'c str),
}

/// An event before the snapshot and id are attached (`materialize` completes it).
pub(super) struct EventDraft {
    pub(super) event_type: EventType,
    pub(super) tx_id: Option<String>,
    pub(super) refund_id: Option<String>,
    pub(super) amount: Option<Amount>,
}

impl EventDraft {
    pub(super) fn bare(event_type: EventType) -> Self {
        EventDraft {
            event_type,
            tx_id: None,
            refund_id: None,
            amount: None,
        }
    }
}

impl Invoice {
    pub(super) fn not_allowed(kind: CommandKind, status: Status) -> Error {
        Error::InvalidTransition {
            command: kind.as_str(),
            subject: "invoice",
            state: status.as_str().to_owned(),
        }
    }

    pub(super) fn transfer_is(command: &'static str, state: &str) -> Error {
        Error::InvalidTransition {
            command,
            subject: "transfer",
            state: state.to_owned(),
        }
    }

    pub(super) fn plan<'c>(
        &self,
        command: &'c Command,
        status: Status,
        now: Timestamp,
    ) -> Result<Plan<'c>> {
        let kind = command.kind();
        // Creation is not a step of an existing invoice in any status: the command is
        // wrong, not its moment (docs/spec.md §3).
        if let Command::Create(_) = command {
            return Err(Error::invalid_field(
                "op",
                "create_invoice starts a new invoice: use Invoice::create",
            ));
        }
        if let Command::Mark { status: to } = command {
            super::command::check_mark(*to)?;
        }
        if !table::allows(status, kind) {
            return Err(Self::not_allowed(kind, status));
        }
        match command {
            Command::Create(_) => Err(Error::invalid_field("op", "create_invoice on an invoice")),
            Command::Tick => Ok(Plan::Nothing),
            Command::ObserveTransfer(input) => self.plan_observe(input, status, now),
            Command::ConfirmTransfer { tx_id } => {
                spec::check_id(tx_id, "tx_id")?;
                let (i, t) = self.known_transfer(tx_id)?;
                if t.dropped {
                    Err(Self::transfer_is("confirm_transfer", "dropped"))
                } else if t.confirmed {
                    Ok(Plan::Nothing)
                } else {
                    Ok(Plan::Confirm(i))
                }
            }
            Command::DropTransfer { tx_id } => {
                spec::check_id(tx_id, "tx_id")?;
                let (i, t) = self.known_transfer(tx_id)?;
                if t.confirmed {
                    Err(Self::transfer_is("drop_transfer", "confirmed"))
                } else if t.dropped {
                    Ok(Plan::Nothing)
                } else {
                    Ok(Plan::Drop(i))
                }
            }
            Command::Cancel => {
                let received = self.transfers.iter().any(|t| !t.dropped);
                if received {
                    return Err(Error::InvalidTransition {
                        command: "cancel",
                        subject: "invoice",
                        state: format!("{status} with money received"),
                    });
                }
                Ok(Plan::Cancel)
            }
            Command::RequestRefund { refund_id, amount } => {
                spec::check_id(refund_id, "refund_id")?;
                if self.refunds.iter().any(|r| r.refund_id == *refund_id) {
                    return Err(Error::invalid_field(
                        "refund_id",
                        format!("refund {:?} already exists", status::short(refund_id)),
                    ));
                }
                let t = self.totals();
                let available = self.refundable_with(status, &t);
                let amount = match amount {
                    Some(a) => {
                        if a.is_zero() {
                            return Err(Error::InvalidAmount {
                                field: "amount".into(),
                                value: a.to_string(),
                                reason: "must be greater than zero",
                            });
                        }
                        a.check_scale(self.spec.asset.scale(), "amount")?;
                        *a
                    }
                    None => available,
                };
                if amount > available || amount.is_zero() {
                    return Err(Error::RefundExceedsAvailable {
                        requested: amount.to_string(),
                        available: available.to_string(),
                    });
                }
                // Like the transfer totals, the refund total must stay an exact amount, so
                // the refund cap is checked without rounding (F6).
                if t.refunded
                    .checked_add(t.in_flight)
                    .and_then(|total| total.checked_add(amount))
                    .is_none()
                {
                    return Err(Error::InvalidAmount {
                        field: "amount".into(),
                        value: amount.to_string(),
                        reason: "the refunds on this invoice would total more than 28 significant digits",
                    });
                }
                Ok(Plan::RequestRefund { refund_id, amount })
            }
            Command::SettleRefund { refund_id, outcome } => {
                spec::check_id(refund_id, "refund_id")?;
                self.refunds
                    .iter()
                    .position(|r| r.refund_id == *refund_id && r.state == RefundState::InFlight)
                    .map(|i| Plan::SettleRefund(i, *outcome))
                    .ok_or_else(|| Error::UnknownRefund {
                        refund_id: refund_id.clone(),
                    })
            }
            Command::Mark { status: to } => Ok(Plan::Mark(*to)),
            Command::ClaimTxid { tx_id } => {
                spec::check_id(tx_id, "tx_id")?;
                if self.claims.iter().any(|c| c == tx_id) || self.find_transfer(tx_id).is_some() {
                    Ok(Plan::Nothing)
                } else {
                    Ok(Plan::Claim(tx_id))
                }
            }
        }
    }

    pub(super) fn plan_observe<'c>(
        &self,
        input: &'c TransferInput,
        status: Status,
        now: Timestamp,
    ) -> Result<Plan<'c>> {
        spec::check_id(&input.tx_id, "transfer.tx_id")?;
        if input.amount.is_zero() {
            return Err(Error::InvalidAmount {
                field: "transfer.amount".into(),
                value: input.amount.to_string(),
                reason: "must be greater than zero",
            });
        }
        let known = self.find_transfer(&input.tx_id);
        if let Some(i) = known {
            return match self.transfers.get(i) {
                // Re-included after a reorg: it counts again, as a new observation with the
                // time it now carries (docs/spec.md §3).
                Some(k)
                    if k.dropped && k.amount == input.amount && input.asset == self.spec.asset =>
                {
                    self.check_total(input)?;
                    let (made_at, late, counted) = self.classify(input, status, now);
                    Ok(Plan::Reobserve {
                        index: i,
                        input,
                        made_at,
                        late,
                        counted,
                    })
                }
                Some(k) if k.amount == input.amount && input.asset == self.spec.asset => {
                    if input.confirmed && !k.confirmed {
                        Ok(Plan::Confirm(i))
                    } else {
                        Ok(Plan::Nothing)
                    }
                }
                Some(k) => Err(Error::IntegrityConflict {
                    field: "transfer".into(),
                    reason: format!(
                        "transfer {:?} was seen as {} {}, now as {} {}",
                        status::short(&input.tx_id),
                        k.amount,
                        self.spec.asset,
                        input.amount,
                        input.asset
                    ),
                }),
                None => Ok(Plan::Nothing),
            };
        }
        if input.asset != self.spec.asset {
            return Err(Error::AssetMismatch {
                field: "transfer.asset".into(),
                expected: self.spec.asset.code().into(),
                got: input.asset.code().into(),
            });
        }
        input
            .amount
            .check_scale(self.spec.asset.scale(), "transfer.amount")?;
        if self.transfers.len() >= MAX_TRANSFERS_PER_INVOICE {
            return Err(Error::LimitExceeded {
                field: "transfer.tx_id".into(),
                limit: MAX_TRANSFERS_PER_INVOICE as u64,
                reason: format!("an invoice records at most {MAX_TRANSFERS_PER_INVOICE} transfers"),
            });
        }
        self.check_total(input)?;
        let (made_at, late, counted) = self.classify(input, status, now);
        Ok(Plan::NewTransfer {
            input,
            made_at,
            late,
            counted,
        })
    }

    /// When a transfer was made, whether it is late, and whether it counts.
    pub(super) fn classify(
        &self,
        input: &TransferInput,
        status: Status,
        now: Timestamp,
    ) -> (Timestamp, bool, bool) {
        let made_at = input.at.unwrap_or(now);
        let late = made_at >= self.deadline;
        let counted = match status {
            Status::Cancelled | Status::Invalid => false,
            _ if !late => true,
            _ => match self.spec.late_payment {
                LatePayment::Reject => false,
                LatePayment::AcceptWithin(w) => made_at < self.deadline.plus(w),
            },
        };
        (made_at, late, counted)
    }

    /// Carries out a validated plan; says whether money moved (the status then follows it).
    pub(super) fn execute(
        &mut self,
        plan: Plan<'_>,
        now: Timestamp,
        out: &mut Vec<EventDraft>,
    ) -> bool {
        match plan {
            Plan::Nothing => false,
            Plan::NewTransfer {
                input,
                made_at,
                late,
                counted,
            } => {
                self.transfers.push(Transfer {
                    tx_id: input.tx_id.clone(),
                    amount: input.amount,
                    confirmed: input.confirmed,
                    counted,
                    dropped: false,
                    late,
                    made_at,
                    observed_at: now,
                });
                self.received(input, late, out);
                true
            }
            Plan::Reobserve {
                index,
                input,
                made_at,
                late,
                counted,
            } => {
                if let Some(t) = self.transfers.get_mut(index) {
                    t.confirmed = input.confirmed;
                    t.counted = counted;
                    t.dropped = false;
                    t.late = late;
                    t.made_at = made_at;
                    t.observed_at = now;
                }
                self.received(input, late, out);
                true
            }
            Plan::Confirm(i) => {
                if let Some(t) = self.transfers.get_mut(i) {
                    t.confirmed = true;
                }
                true
            }
            Plan::Drop(i) => {
                if let Some(t) = self.transfers.get_mut(i) {
                    t.dropped = true;
                    out.push(EventDraft {
                        event_type: EventType::PaymentDropped,
                        tx_id: Some(t.tx_id.clone()),
                        refund_id: None,
                        amount: Some(t.amount),
                    });
                }
                true
            }
            Plan::Cancel => {
                self.set_status(Status::Cancelled, out);
                false
            }
            Plan::RequestRefund { refund_id, amount } => {
                self.refunds.push(Refund {
                    refund_id: refund_id.to_owned(),
                    amount,
                    state: RefundState::InFlight,
                    requested_at: now,
                    settled_at: None,
                });
                out.push(EventDraft {
                    event_type: EventType::RefundRequested,
                    tx_id: None,
                    refund_id: Some(refund_id.to_owned()),
                    amount: Some(amount),
                });
                // Only succeeded refunds move the refund statuses; a reservation does not.
                false
            }
            Plan::SettleRefund(i, outcome) => {
                let Some(r) = self.refunds.get_mut(i) else {
                    return false;
                };
                r.settled_at = Some(now);
                r.state = RefundState::from(outcome);
                out.push(EventDraft {
                    event_type: match outcome {
                        RefundOutcome::Succeeded => EventType::Refunded,
                        RefundOutcome::Failed => EventType::RefundFailed,
                    },
                    tx_id: None,
                    refund_id: Some(r.refund_id.clone()),
                    amount: Some(r.amount),
                });
                // The refunded event carries the resulting status; no second event.
                true
            }
            Plan::Mark(status) => {
                self.exceptions.set(Exception::Marked, true);
                self.set_status(status, out);
                false
            }
            Plan::Claim(tx_id) => {
                self.claims.push(tx_id.to_owned());
                out.push(EventDraft {
                    event_type: EventType::TxidClaimed,
                    tx_id: Some(tx_id.to_owned()),
                    refund_id: None,
                    amount: None,
                });
                false
            }
        }
    }

    /// The events and exceptions of a transfer that now counts or is held.
    pub(super) fn received(
        &mut self,
        input: &TransferInput,
        late: bool,
        out: &mut Vec<EventDraft>,
    ) {
        self.claims.retain(|c| *c != input.tx_id);
        out.push(EventDraft {
            event_type: EventType::PaymentReceived,
            tx_id: Some(input.tx_id.clone()),
            refund_id: None,
            amount: Some(input.amount),
        });
        if late {
            self.exceptions.set(Exception::PaidLate, true);
            out.push(EventDraft {
                event_type: EventType::PaidLate,
                tx_id: Some(input.tx_id.clone()),
                refund_id: None,
                amount: Some(input.amount),
            });
        }
    }
}
