//! Invoices: the spec they are created from, commands, the journal, and the `Invoice` object.

use std::sync::{Arc, Mutex};

use crate::types::{
    amount_in, amount_out, events_out, from_stored_json, lock, opt_amount_in, secs_in,
    to_stored_json, ts_in, ts_out, Amount, Asset, Event, ExceptionFlag, RefundOutcome, Result,
    Snapshot, Status, Timestamp,
};

/// How the amount due is given.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Pricing {
    /// Directly in the asset.
    Due {
        /// The amount due, fitting the asset's scale.
        amount: Amount,
    },
    /// In a pricing currency, converted at `rate` asset units per currency unit, plus a
    /// surcharge in asset units; the result is rounded up to the asset's scale.
    Price {
        /// The price, fitting the currency's minor units.
        amount: Amount,
        /// ISO-4217 code (`USD`, `EUR`, `JPY`, ...).
        currency: String,
        /// Asset units per unit of currency (1 means 1 USD = 1 USDT).
        rate: Amount,
        /// Added after conversion, in asset units.
        surcharge: Amount,
    },
}

/// When the invoice stops accepting on-time payment.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Expiry {
    /// This many seconds after creation (at least 1).
    InSeconds {
        /// Seconds after creation.
        seconds: u64,
    },
    /// At this instant (after creation).
    At {
        /// The deadline.
        at: Timestamp,
    },
}

/// How much of the due amount may be missing for the invoice to count as paid.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Tolerance {
    /// The full amount is required.
    Exact,
    /// Up to this many asset units may be missing (`0 <= amount < due`).
    Absolute {
        /// The allowance in asset units.
        amount: Amount,
    },
    /// Up to this percentage of the due amount may be missing (`0 <= percent < 100`).
    Percent {
        /// The percentage, never rounded.
        percent: Amount,
    },
}

/// What happens to money whose transfer was made at or after the deadline.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum LatePayment {
    /// Held apart: it does not count, and stays refundable.
    Reject,
    /// Counts when made before `deadline + seconds` (half-open).
    AcceptWithin {
        /// The grace window in seconds.
        seconds: u64,
    },
}

/// Everything an invoice is created from. Start from [`new_invoice_spec`] (the core's
/// defaults) or [`invoice_spec_from_json`] (the scenario `create_invoice` shape).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct InvoiceSpec {
    /// The host's id for the invoice (1 to 128 bytes); event ids derive from it.
    pub id: String,
    /// The merchant's order reference.
    pub reference: Option<String>,
    /// The amount due, directly or priced in a currency.
    pub pricing: Pricing,
    /// The asset the invoice is paid in.
    pub asset: Asset,
    /// The payment deadline.
    pub expiry: Expiry,
    /// How much may be missing for the invoice to count as paid.
    pub tolerance: Tolerance,
    /// What to do with money sent after the deadline.
    pub late_payment: LatePayment,
    /// A surplus up to this amount does not raise `overpaid`.
    pub overpay_dust: Amount,
    /// How long after the deadline unconfirmed payment may still confirm, in seconds.
    pub confirmation_window_seconds: u64,
    /// Opaque host data carried along: a JSON object as text, or none.
    pub metadata_json: Option<String>,
}

impl From<paystate::InvoiceSpec> for InvoiceSpec {
    fn from(s: paystate::InvoiceSpec) -> Self {
        InvoiceSpec {
            id: s.id,
            reference: s.reference,
            pricing: match s.pricing {
                paystate::Pricing::Due(amount) => Pricing::Due {
                    amount: amount_out(amount),
                },
                paystate::Pricing::Price {
                    amount,
                    currency,
                    rate,
                    surcharge,
                } => Pricing::Price {
                    amount: amount_out(amount),
                    currency: currency.code().to_owned(),
                    rate: amount_out(rate),
                    surcharge: amount_out(surcharge),
                },
            },
            asset: s.asset,
            expiry: match s.expiry {
                paystate::invoice::Expiry::In(d) => Expiry::InSeconds {
                    seconds: d.as_seconds(),
                },
                paystate::invoice::Expiry::At(t) => Expiry::At { at: ts_out(t) },
            },
            tolerance: match s.tolerance {
                paystate::Tolerance::Exact => Tolerance::Exact,
                paystate::Tolerance::Absolute(a) => Tolerance::Absolute {
                    amount: amount_out(a),
                },
                paystate::Tolerance::Percent(p) => Tolerance::Percent {
                    percent: amount_out(p),
                },
            },
            late_payment: match s.late_payment {
                paystate::LatePayment::Reject => LatePayment::Reject,
                paystate::LatePayment::AcceptWithin(d) => LatePayment::AcceptWithin {
                    seconds: d.as_seconds(),
                },
            },
            overpay_dust: amount_out(s.overpay_dust),
            confirmation_window_seconds: s.confirmation_window.as_seconds(),
            metadata_json: s.metadata.map(|m| to_stored_json(&m)),
        }
    }
}

impl InvoiceSpec {
    /// Converts to the core's spec; amounts and times are parsed here with the field names
    /// of the JSON shape, and the core validates the rest when the invoice is created.
    pub(crate) fn to_core(&self) -> Result<paystate::InvoiceSpec> {
        let pricing = match &self.pricing {
            Pricing::Due { amount } => paystate::Pricing::Due(amount_in(amount, "invoice.due")?),
            Pricing::Price {
                amount,
                currency,
                rate,
                surcharge,
            } => paystate::Pricing::Price {
                amount: amount_in(amount, "invoice.price.amount")?,
                currency: paystate::Currency::parse(currency, "invoice.price.currency")?,
                rate: amount_in(rate, "invoice.rate")?,
                surcharge: amount_in(surcharge, "invoice.surcharge")?,
            },
        };
        let expiry = match &self.expiry {
            Expiry::InSeconds { seconds } => {
                paystate::invoice::Expiry::In(secs_in(*seconds, "invoice.expires_in")?)
            }
            Expiry::At { at } => paystate::invoice::Expiry::At(ts_in(*at, "invoice.expires_at")?),
        };
        let tolerance = match &self.tolerance {
            Tolerance::Exact => paystate::Tolerance::Exact,
            Tolerance::Absolute { amount } => {
                paystate::Tolerance::Absolute(amount_in(amount, "invoice.tolerance.absolute")?)
            }
            Tolerance::Percent { percent } => {
                paystate::Tolerance::Percent(amount_in(percent, "invoice.tolerance.percent")?)
            }
        };
        let late_payment = match &self.late_payment {
            LatePayment::Reject => paystate::LatePayment::Reject,
            LatePayment::AcceptWithin { seconds } => paystate::LatePayment::AcceptWithin(secs_in(
                *seconds,
                "invoice.late_payment.accept_within",
            )?),
        };
        let metadata = match &self.metadata_json {
            None => None,
            Some(text) => Some(paystate::json::parse_object(text.as_bytes())?),
        };
        let mut spec = paystate::InvoiceSpec::new(self.id.clone(), pricing, self.asset, expiry);
        spec.reference = self.reference.clone();
        spec.tolerance = tolerance;
        spec.late_payment = late_payment;
        spec.overpay_dust = amount_in(&self.overpay_dust, "invoice.overpay_dust")?;
        spec.confirmation_window = secs_in(
            self.confirmation_window_seconds,
            "invoice.confirmation_window",
        )?;
        spec.metadata = metadata;
        Ok(spec)
    }
}

/// A spec with the core's defaults: exact tolerance, late money rejected, no overpay dust,
/// a 24 h confirmation window, no reference and no metadata. Amounts in `pricing` are
/// checked when the invoice is created.
#[uniffi::export]
pub fn new_invoice_spec(id: String, pricing: Pricing, asset: Asset, expiry: Expiry) -> InvoiceSpec {
    // Build with placeholder pricing/expiry to read the core's defaults, then put the
    // caller's (unvalidated) values back: validation happens at creation.
    let defaults = paystate::InvoiceSpec::new(
        id,
        paystate::Pricing::Due(paystate::Amount::ZERO),
        asset,
        paystate::invoice::Expiry::In(paystate::Duration::ZERO),
    );
    InvoiceSpec {
        pricing,
        expiry,
        ..InvoiceSpec::from(defaults)
    }
}

/// Reads the scenario/JSON `create_invoice` shape (`{"id":..,"due":"5","asset":..,
/// "expires_in":1800,...}`) with the core's precise errors; amounts must be strings.
#[uniffi::export]
pub fn invoice_spec_from_json(json: String) -> Result<InvoiceSpec> {
    let map = paystate::json::parse_object(json.as_bytes())?;
    Ok(paystate::InvoiceSpec::from_json(&map)?.into())
}

/// Writes a spec in the JSON `create_invoice` shape (the inverse of [`invoice_spec_from_json`]).
#[uniffi::export]
pub fn invoice_spec_to_json(spec: InvoiceSpec) -> Result<String> {
    Ok(to_stored_json(&spec.to_core()?.to_json()))
}

/// An incoming transfer as the host's chain or exchange watcher saw it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TransferInput {
    /// The transaction id (hash, exchange record id): unique per invoice.
    pub tx_id: String,
    /// The amount, in the asset.
    pub amount: Amount,
    /// The asset it was sent in.
    pub asset: Asset,
    /// Whether it is final on its network.
    pub confirmed: bool,
    /// When the transfer was made; lateness is judged by it (default: the command's time).
    #[uniffi(default)]
    pub at: Option<Timestamp>,
}

impl TransferInput {
    fn to_core(&self) -> Result<paystate::invoice::TransferInput> {
        Ok(paystate::invoice::TransferInput {
            tx_id: self.tx_id.clone(),
            amount: amount_in(&self.amount, "transfer.amount")?,
            asset: self.asset,
            confirmed: self.confirmed,
            at: self.at.map(|t| ts_in(t, "transfer.at")).transpose()?,
        })
    }
}

/// A command to an invoice (docs/spec.md §3), as the host journals it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Command {
    /// Creates the invoice (the first entry of every journal).
    Create {
        /// What to create.
        spec: InvoiceSpec,
    },
    /// A transfer was seen (or seen again, or seen confirmed).
    ObserveTransfer {
        /// The transfer.
        transfer: TransferInput,
    },
    /// A transfer seen unconfirmed is now final.
    ConfirmTransfer {
        /// The transfer.
        tx_id: String,
    },
    /// An unconfirmed transfer was reorged out or failed.
    DropTransfer {
        /// The transfer.
        tx_id: String,
    },
    /// Applies the deadlines that have passed.
    Tick,
    /// The merchant cancels a pending invoice with nothing received.
    Cancel,
    /// Starts a refund (all that is refundable when `amount` is none).
    RequestRefund {
        /// The host's id for the refund.
        refund_id: String,
        /// How much; all that is refundable when none.
        amount: Option<Amount>,
    },
    /// Records how a refund ended.
    SettleRefund {
        /// The refund.
        refund_id: String,
        /// Succeeded or failed.
        outcome: RefundOutcome,
    },
    /// An operator forces the status to paid (the contract's `mark {status: paid}`).
    MarkPaid,
    /// An operator forces the status to invalid (`mark {status: invalid}`).
    MarkInvalid,
    /// The payer claims to have sent this transaction.
    ClaimTxid {
        /// The claimed transaction id.
        tx_id: String,
    },
}

impl Command {
    pub(crate) fn to_core(&self) -> Result<paystate::Command> {
        use paystate::Command as C;
        Ok(match self {
            Command::Create { spec } => C::Create(Box::new(spec.to_core()?)),
            Command::ObserveTransfer { transfer } => C::ObserveTransfer(transfer.to_core()?),
            Command::ConfirmTransfer { tx_id } => C::ConfirmTransfer {
                tx_id: tx_id.clone(),
            },
            Command::DropTransfer { tx_id } => C::DropTransfer {
                tx_id: tx_id.clone(),
            },
            Command::Tick => C::Tick,
            Command::Cancel => C::Cancel,
            Command::RequestRefund { refund_id, amount } => C::RequestRefund {
                refund_id: refund_id.clone(),
                amount: opt_amount_in(amount, "amount")?,
            },
            Command::SettleRefund { refund_id, outcome } => C::SettleRefund {
                refund_id: refund_id.clone(),
                outcome: *outcome,
            },
            Command::MarkPaid => C::Mark {
                status: paystate::Status::Paid,
            },
            Command::MarkInvalid => C::Mark {
                status: paystate::Status::Invalid,
            },
            Command::ClaimTxid { tx_id } => C::ClaimTxid {
                tx_id: tx_id.clone(),
            },
        })
    }
}

impl From<paystate::Command> for Command {
    fn from(c: paystate::Command) -> Self {
        use paystate::invoice::CommandKind;
        use paystate::Command as C;
        let kind = c.kind();
        match c {
            C::Create(spec) => Command::Create {
                spec: (*spec).into(),
            },
            C::ObserveTransfer(t) => Command::ObserveTransfer {
                transfer: TransferInput {
                    tx_id: t.tx_id,
                    amount: amount_out(t.amount),
                    asset: t.asset,
                    confirmed: t.confirmed,
                    at: t.at.map(ts_out),
                },
            },
            C::ConfirmTransfer { tx_id } => Command::ConfirmTransfer { tx_id },
            C::DropTransfer { tx_id } => Command::DropTransfer { tx_id },
            C::Tick => Command::Tick,
            C::Cancel => Command::Cancel,
            C::RequestRefund { refund_id, amount } => Command::RequestRefund {
                refund_id,
                amount: amount.map(amount_out),
            },
            C::SettleRefund { refund_id, outcome } => Command::SettleRefund { refund_id, outcome },
            C::Mark { .. } if kind == CommandKind::MarkPaid => Command::MarkPaid,
            C::Mark { .. } => Command::MarkInvalid,
            C::ClaimTxid { tx_id } => Command::ClaimTxid { tx_id },
        }
    }
}

/// Reads a command in the journal/scenario shape: `{"op": "observe_transfer", "transfer":
/// {...}}` (the fields of the scenario step of the same op; `create_invoice` takes
/// `invoice`). Unknown fields are `invalid_field`; amounts must be strings.
#[uniffi::export]
pub fn command_from_json(json: String) -> Result<Command> {
    let map = paystate::json::parse_object(json.as_bytes())?;
    Ok(paystate::Command::from_json(&map)?.into())
}

/// Writes a command in the journal shape (the inverse of [`command_from_json`]).
#[uniffi::export]
pub fn command_to_json(command: Command) -> Result<String> {
    Ok(to_stored_json(&command.to_core()?.to_json()))
}

/// One accepted command and the time it was applied at: a line of the journal.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct JournalEntry {
    /// When the host applied it.
    pub at: Timestamp,
    /// What was applied.
    pub command: Command,
}

fn journal_to_core(entries: &[JournalEntry]) -> Result<Vec<paystate::JournalEntry>> {
    entries
        .iter()
        .map(|e| {
            Ok(paystate::JournalEntry {
                at: ts_in(e.at, "at")?,
                command: e.command.to_core()?,
            })
        })
        .collect()
}

/// Writes a journal as JSON (`[{"at": "...", "command": {"op": ...}}, ...]`).
#[uniffi::export]
pub fn journal_to_json(entries: Vec<JournalEntry>) -> Result<String> {
    Ok(to_stored_json(&journal_to_core(&entries)?))
}

/// Reads a journal written by [`journal_to_json`] (or by any other paystate binding).
#[uniffi::export]
pub fn journal_from_json(json: String) -> Result<Vec<JournalEntry>> {
    let entries: Vec<paystate::JournalEntry> = from_stored_json(&json)?;
    Ok(entries
        .into_iter()
        .map(|e| JournalEntry {
            at: ts_out(e.at),
            command: e.command.into(),
        })
        .collect())
}

/// Reads one journal line, `{"at": RFC 3339, "command": {"op": ...}}`, with the core's
/// typed errors (`journal.at`, `journal.command`, then the command's own fields).
#[uniffi::export]
pub fn journal_entry_from_json(json: String) -> Result<JournalEntry> {
    let map = paystate::json::parse_object(json.as_bytes())?;
    let e = paystate::JournalEntry::from_json(&map)?;
    Ok(JournalEntry {
        at: ts_out(e.at),
        command: e.command.into(),
    })
}

/// A transfer as the invoice recorded it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Transfer {
    /// The transaction id.
    pub tx_id: String,
    /// The amount.
    pub amount: Amount,
    /// Whether it is final.
    pub confirmed: bool,
    /// Whether it counts toward the invoice (false: held).
    pub counted: bool,
    /// Whether it was dropped (reorged out or failed).
    pub dropped: bool,
    /// Whether it was made at or after the deadline.
    pub late: bool,
    /// When it was made.
    pub made_at: Timestamp,
    /// When it was first observed.
    pub observed_at: Timestamp,
}

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RefundState {
    /// Requested, not yet settled.
    InFlight,
    /// The money left.
    Succeeded,
    /// It did not.
    Failed,
}

/// A refund as the invoice recorded it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Refund {
    /// The host's id for it.
    pub refund_id: String,
    /// The amount.
    pub amount: Amount,
    /// Where it stands.
    pub state: RefundState,
    /// When it was requested.
    pub requested_at: Timestamp,
    /// When it was settled, if it was.
    pub settled_at: Option<Timestamp>,
}

/// An invoice: a mutable handle over the core's state machine.
///
/// Every command method applies one command at `now` under a lock and returns the events
/// it emitted (deadlines that passed by `now` are applied first, with their events). A
/// command that fails throws `PaystateError` and leaves the invoice untouched. Time never
/// runs backwards: a command dated before the last one is applied as of that last time.
/// Store it with [`Invoice::to_json`]; rebuild it with [`Invoice::from_json`] or by
/// replaying its journal.
#[derive(uniffi::Object)]
pub struct Invoice {
    inner: Mutex<paystate::Invoice>,
}

impl Invoice {
    pub(crate) fn wrap(inner: paystate::Invoice) -> Arc<Invoice> {
        Arc::new(Invoice {
            inner: Mutex::new(inner),
        })
    }

    /// Runs `f` on the core state under the lock, without a copy (dialect renders and
    /// callback parsers).
    pub(crate) fn with_core<T>(&self, f: impl FnOnce(&paystate::Invoice) -> T) -> T {
        f(&lock(&self.inner))
    }

    /// A copy of the core state (for sessions and tests in this crate).
    pub(crate) fn core(&self) -> paystate::Invoice {
        lock(&self.inner).clone()
    }

    fn run(&self, command: paystate::Command, now: Timestamp) -> Result<Vec<Event>> {
        let now = ts_in(now, "now")?;
        let events = lock(&self.inner).apply(&command, now)?;
        Ok(events_out(events))
    }
}

/// A newly created invoice and the events its creation emitted (`invoice.created`).
#[derive(uniffi::Record)]
pub struct CreatedInvoice {
    /// The invoice, **pending**.
    pub invoice: Arc<Invoice>,
    /// `[invoice.created]`.
    pub events: Vec<Event>,
}

/// Validates every field of `spec` and creates a **pending** invoice at `now`.
#[uniffi::export]
pub fn create_invoice(spec: InvoiceSpec, now: Timestamp) -> Result<CreatedInvoice> {
    let spec = spec.to_core()?;
    let (invoice, events) = paystate::Invoice::create(spec, ts_in(now, "now")?)?;
    Ok(CreatedInvoice {
        invoice: Invoice::wrap(invoice),
        events: events_out(events),
    })
}

#[uniffi::export]
impl Invoice {
    /// Reads an invoice stored with [`Invoice::to_json`] (checks `schema_version` and that
    /// the stored due amount and deadline agree with the spec).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Invoice>> {
        Ok(Invoice::wrap(paystate::Invoice::from_json(&json)?))
    }

    /// Rebuilds an invoice by replaying its journal from creation: the same state, bit for bit.
    #[uniffi::constructor]
    pub fn replay(journal: Vec<JournalEntry>) -> Result<Arc<Invoice>> {
        Ok(Invoice::wrap(paystate::Invoice::replay(&journal_to_core(
            &journal,
        )?)?))
    }

    /// Applies any command (the journal form); see the named methods for each rule.
    pub fn apply_command(&self, command: Command, now: Timestamp) -> Result<Vec<Event>> {
        self.run(command.to_core()?, now)
    }

    /// A transfer was seen: counts, is held, or pays the invoice (docs/spec.md §3).
    pub fn observe_transfer(&self, transfer: TransferInput, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::ObserveTransfer(transfer.to_core()?), now)
    }

    /// Marks a transfer confirmed; may pay the invoice. Unknown id: `unknown_transfer`.
    pub fn confirm_transfer(&self, tx_id: String, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::ConfirmTransfer { tx_id }, now)
    }

    /// An unconfirmed transfer stops counting. Confirmed: `invalid_transition`.
    pub fn drop_transfer(&self, tx_id: String, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::DropTransfer { tx_id }, now)
    }

    /// Applies every deadline that has passed by `now` (expiry, confirmation window).
    pub fn tick(&self, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::Tick, now)
    }

    /// Cancels a pending invoice with nothing received or held.
    pub fn cancel(&self, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::Cancel, now)
    }

    /// Starts a refund of `amount` (all that is refundable when none).
    pub fn request_refund(
        &self,
        refund_id: String,
        amount: Option<Amount>,
        now: Timestamp,
    ) -> Result<Vec<Event>> {
        self.run(
            paystate::Command::RequestRefund {
                refund_id,
                amount: opt_amount_in(&amount, "amount")?,
            },
            now,
        )
    }

    /// Records how a refund ended.
    pub fn settle_refund(
        &self,
        refund_id: String,
        outcome: RefundOutcome,
        now: Timestamp,
    ) -> Result<Vec<Event>> {
        self.run(paystate::Command::SettleRefund { refund_id, outcome }, now)
    }

    /// An operator marks it paid (from pending, processing or expired); adds `marked`.
    pub fn mark_paid(&self, now: Timestamp) -> Result<Vec<Event>> {
        self.run(Command::MarkPaid.to_core()?, now)
    }

    /// An operator marks it invalid (from pending, processing, expired or paid); adds `marked`.
    pub fn mark_invalid(&self, now: Timestamp) -> Result<Vec<Event>> {
        self.run(Command::MarkInvalid.to_core()?, now)
    }

    /// The payer claims a transaction id (pending or processing); adds `txid_claimed`.
    pub fn claim_txid(&self, tx_id: String, now: Timestamp) -> Result<Vec<Event>> {
        self.run(paystate::Command::ClaimTxid { tx_id }, now)
    }

    /// The invoice id.
    pub fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }

    /// The spec it was created from.
    pub fn spec(&self) -> InvoiceSpec {
        lock(&self.inner).spec().clone().into()
    }

    /// The status as of the last command (see [`Invoice::status_at`] for "now").
    pub fn status(&self) -> Status {
        lock(&self.inner).status()
    }

    /// The status the invoice would have at `now` if ticked, without changing it.
    pub fn status_at(&self, now: Timestamp) -> Result<Status> {
        Ok(lock(&self.inner).status_at(ts_in(now, "now")?))
    }

    /// The exceptions beside the status.
    pub fn exceptions(&self) -> Vec<ExceptionFlag> {
        lock(&self.inner).exceptions().iter().collect()
    }

    /// Status, exceptions and every amount at once.
    pub fn snapshot(&self) -> Snapshot {
        lock(&self.inner).snapshot().into()
    }

    /// When to wake the invoice up again (`tick`): the deadline while pending, the end of
    /// the confirmation window while processing, none once settled.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        lock(&self.inner).next_deadline().map(ts_out)
    }

    /// The payment deadline.
    pub fn deadline(&self) -> Timestamp {
        ts_out(lock(&self.inner).deadline())
    }

    /// The deadline plus the confirmation window.
    pub fn confirmation_deadline(&self) -> Timestamp {
        ts_out(lock(&self.inner).confirmation_deadline())
    }

    /// When it was created.
    pub fn created_at(&self) -> Timestamp {
        ts_out(lock(&self.inner).created_at())
    }

    /// The time of the last command applied.
    pub fn updated_at(&self) -> Timestamp {
        ts_out(lock(&self.inner).updated_at())
    }

    /// The amount due, in the asset.
    pub fn due(&self) -> Amount {
        amount_out(lock(&self.inner).due())
    }

    /// Due minus the tolerance's allowance: confirmed money at or above it pays.
    pub fn threshold(&self) -> Amount {
        amount_out(lock(&self.inner).threshold())
    }

    /// The asset it is paid in.
    pub fn asset(&self) -> Asset {
        lock(&self.inner).asset()
    }

    /// Increases with every accepted command (optimistic locking in the host's store).
    pub fn version(&self) -> u64 {
        lock(&self.inner).version()
    }

    /// Every transfer seen, in order.
    pub fn transfers(&self) -> Vec<Transfer> {
        lock(&self.inner)
            .transfers()
            .iter()
            .map(|t| Transfer {
                tx_id: t.tx_id.clone(),
                amount: amount_out(t.amount),
                confirmed: t.confirmed,
                counted: t.counted,
                dropped: t.dropped,
                late: t.late,
                made_at: ts_out(t.made_at),
                observed_at: ts_out(t.observed_at),
            })
            .collect()
    }

    /// Every refund, in order.
    pub fn refunds(&self) -> Vec<Refund> {
        lock(&self.inner)
            .refunds()
            .iter()
            .map(|r| Refund {
                refund_id: r.refund_id.clone(),
                amount: amount_out(r.amount),
                state: match r.state {
                    paystate::invoice::RefundState::InFlight => RefundState::InFlight,
                    paystate::invoice::RefundState::Succeeded => RefundState::Succeeded,
                    paystate::invoice::RefundState::Failed => RefundState::Failed,
                },
                requested_at: ts_out(r.requested_at),
                settled_at: r.settled_at.map(ts_out),
            })
            .collect()
    }

    /// The storable state (JSON with `schema_version`); equal states give equal text.
    pub fn to_json(&self) -> String {
        lock(&self.inner).to_json()
    }

    /// An independent copy (commands on one do not affect the other).
    pub fn copy(&self) -> Arc<Invoice> {
        Invoice::wrap(self.core())
    }

    /// Whether two handles hold the identical state.
    pub fn same_state(&self, other: Arc<Invoice>) -> bool {
        if std::ptr::eq(self, Arc::as_ptr(&other)) {
            return true;
        }
        self.core() == other.core()
    }
}

/// One row of the transition table: from `from` (none: the invoice does not exist yet),
/// `command` may lead to any status in `to`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TransitionRule {
    /// The status before the command (after due deadlines were applied).
    pub from: Option<Status>,
    /// The command's snake_case name (`observe_transfer`, `mark_paid`, ...).
    pub command: String,
    /// The statuses it may lead to.
    pub to: Vec<Status>,
    /// Why, in a few words.
    pub note: String,
}

/// The invoice state machine as data: every allowed (status, command) → statuses rule. A
/// pair without a row is `invalid_transition`.
#[uniffi::export]
pub fn transition_rules() -> Vec<TransitionRule> {
    paystate::invoice::table::RULES
        .iter()
        .map(|r| TransitionRule {
            from: r.from,
            command: r.command.as_str().to_owned(),
            to: r.to.to_vec(),
            note: r.note.to_owned(),
        })
        .collect()
}

/// The transition table as a Mermaid state diagram.
#[uniffi::export]
pub fn transition_table_mermaid() -> String {
    paystate::invoice::table::mermaid()
}
