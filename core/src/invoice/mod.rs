//! The invoice state machine (docs/spec.md §3).
//!
//! An [`Invoice`] is plain data. [`Invoice::create`] and [`Invoice::apply`] are its only
//! transitions: `state + command + now -> state + events`, or a typed error that leaves the
//! state untouched. Every command first applies the deadlines that have passed by its time,
//! exactly as [`Command::Tick`] would, then itself, then any deadline it made due itself.
//! [`Invoice::next_deadline`] tells the host when to wake it.
//!
//! The money lives in the ledger (`ledger`: transfers, refunds, totals, refundable); what a
//! command will do is planned before anything changes (`plan`); this module holds the
//! status rules that read the money and the events they emit.

mod command;
mod event;
mod ledger;
mod plan;
mod spec;
pub(crate) use spec::{has_control, id_problem};
mod status;
pub mod table;

use serde::{Deserialize, Serialize};

pub use command::{
    transfer_from_json, Command, CommandKind, JournalEntry, RefundOutcome, TransferInput,
};
pub use event::{Event, EventType, Snapshot};
pub use ledger::{Refund, RefundState, Transfer};
pub use spec::{
    Expiry, InvoiceSpec, LatePayment, Pricing, SpecParts, DEFAULT_CONFIRMATION_WINDOW, MAX_ID_LEN,
    MAX_METADATA_BYTES, MAX_METADATA_DEPTH,
};
pub use status::{Exception, Exceptions, Status};

use ledger::Totals;
use plan::{EventDraft, Plan};

use crate::error::{Error, Result};
use crate::money::{Amount, Asset};
use crate::time::Timestamp;
use crate::tolerance::{assess, Tolerance};

/// The version of the serialised state; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Most transfers one invoice records, dropped ones included (docs/spec.md §2 "State
/// documents"): observing one more new transfer is `limit_exceeded` on `transfer.tx_id`, so
/// a stored invoice stays small enough to load back.
pub const MAX_TRANSFERS_PER_INVOICE: usize = 10_000;

/// An invoice: its creation spec and everything that happened to it since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    schema_version: u32,
    spec: InvoiceSpec,
    created_at: Timestamp,
    due: Amount,
    deadline: Timestamp,
    status: Status,
    exceptions: Exceptions,
    transfers: Vec<Transfer>,
    refunds: Vec<Refund>,
    claims: Vec<String>,
    /// Events emitted so far (the seq of the last one).
    seq: u64,
    /// Commands accepted so far, creation included: a version for optimistic concurrency.
    version: u64,
    /// The time of the last command that changed the invoice: time never runs backwards for
    /// an invoice. Stored as `clock`, its name in the state document.
    #[serde(rename = "clock")]
    updated_at: Timestamp,
}

impl Invoice {
    /// Creates an invoice at `now`: validates every field, starts **pending**, and emits
    /// `invoice.created`.
    pub fn create(spec: InvoiceSpec, now: Timestamp) -> Result<(Invoice, Vec<Event>)> {
        let (due, deadline) = spec.resolve(now)?;
        let mut invoice = Invoice {
            schema_version: SCHEMA_VERSION,
            spec,
            created_at: now,
            due,
            deadline,
            status: Status::Pending,
            exceptions: Exceptions::default(),
            transfers: Vec::new(),
            refunds: Vec::new(),
            claims: Vec::new(),
            seq: 0,
            version: 1,
            updated_at: now,
        };
        let totals = invoice.totals();
        let events = invoice.materialize(vec![EventDraft::bare(EventType::Created)], now, &totals);
        Ok((invoice, events))
    }

    /// Applies a command at `now` (a time before the last applied one counts as that one).
    /// On error the invoice is untouched.
    pub fn apply(&mut self, command: &Command, now: Timestamp) -> Result<Vec<Event>> {
        self.apply_inner(command, now, true)
    }

    /// The transition. `emit: false` (replay) advances the event sequence without building
    /// the events, which is most of the cost of a command.
    fn apply_inner(&mut self, command: &Command, now: Timestamp, emit: bool) -> Result<Vec<Event>> {
        let now = now.max(self.updated_at);
        let deadline_step = self.deadline_step(now);
        let status = deadline_step.map_or(self.status, |(s, _)| s);
        let plan = self.plan(command, status, now)?;
        // A command that changes nothing leaves the state equal, version included, so the
        // host can skip the write (docs/spec.md §2); `tick` exists to move the clock.
        let moves_time = matches!(command, Command::Tick) && now > self.updated_at;
        if deadline_step.is_none() && matches!(plan, Plan::Nothing) && !moves_time {
            return Ok(Vec::new());
        }

        let mut drafts = Vec::new();
        if let Some((s, ev)) = deadline_step {
            self.status = s;
            drafts.push(EventDraft::bare(ev));
        }
        let money_changed = self.execute(plan, now, &mut drafts);
        let totals = self.totals();
        if money_changed {
            self.settle_status(now, &totals, &mut drafts);
        }
        // A slow watcher can report an on-time, unconfirmed transfer after the confirmation
        // window already closed: the state must not hold a deadline that has passed.
        if let Some((s, ev)) = self.deadline_step(now) {
            self.status = s;
            drafts.push(EventDraft::bare(ev));
        }
        self.refresh_exceptions(&totals);
        self.updated_at = now;
        self.version += 1;
        if emit {
            Ok(self.materialize(drafts, now, &totals))
        } else {
            self.seq += drafts.len() as u64;
            Ok(Vec::new())
        }
    }

    /// Applies every deadline passed by `now` (the `tick` command).
    pub fn tick(&mut self, now: Timestamp) -> Vec<Event> {
        self.apply(&Command::Tick, now).unwrap_or_default()
    }

    /// Rebuilds an invoice from its journal. The first entry must be the creation.
    pub fn replay(journal: &[JournalEntry]) -> Result<Invoice> {
        let mut entries = journal.iter();
        let mut invoice = match entries.next() {
            Some(JournalEntry {
                at,
                command: Command::Create(spec),
            }) => Invoice::create(spec.as_ref().clone(), *at)?.0,
            _ => {
                return Err(Error::invalid_field(
                    "journal",
                    "must start with the create_invoice command",
                ))
            }
        };
        for entry in entries {
            invoice.apply_inner(&entry.command, entry.at, false)?;
        }
        Ok(invoice)
    }

    /// When the host should wake the invoice next (`tick`): the payment deadline while
    /// pending, the end of the confirmation window while processing, else never.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        match self.status {
            Status::Pending => Some(self.deadline),
            Status::Processing => Some(self.confirmation_deadline()),
            _ => None,
        }
    }

    // ---- reading ---------------------------------------------------------------------

    /// The status the invoice would have at `now` once due deadlines are applied, without
    /// applying them (sessions ask this).
    pub fn status_at(&self, now: Timestamp) -> Status {
        self.deadline_step(now.max(self.updated_at))
            .map_or(self.status, |(s, _)| s)
    }

    /// The invoice id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The spec it was created from.
    pub fn spec(&self) -> &InvoiceSpec {
        &self.spec
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The exceptions beside the status.
    pub fn exceptions(&self) -> Exceptions {
        self.exceptions
    }

    /// The asset it is paid in.
    pub fn asset(&self) -> Asset {
        self.spec.asset
    }

    /// The amount due, in the asset.
    pub fn due(&self) -> Amount {
        self.due
    }

    /// The least received amount that pays it (due − tolerance allowance).
    pub fn threshold(&self) -> Amount {
        self.spec.tolerance.threshold(self.due)
    }

    /// The tolerance policy.
    pub fn tolerance(&self) -> Tolerance {
        self.spec.tolerance
    }

    /// The payment deadline.
    pub fn deadline(&self) -> Timestamp {
        self.deadline
    }

    /// When unconfirmed payment stops being waited for (deadline + confirmation window).
    pub fn confirmation_deadline(&self) -> Timestamp {
        self.deadline.plus(self.spec.confirmation_window)
    }

    /// When it was created.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The time of the last command that changed it (a command dated earlier is applied
    /// as of this time).
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Commands accepted so far, creation included (for optimistic concurrency).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The transfers, in the order observed.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// The refunds, in the order requested.
    pub fn refunds(&self) -> &[Refund] {
        &self.refunds
    }

    /// Transaction ids the payer claimed.
    pub fn claims(&self) -> &[String] {
        &self.claims
    }

    /// Status, exceptions and every amount, at once.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_with(&self.totals())
    }

    fn snapshot_with(&self, t: &Totals) -> Snapshot {
        Snapshot {
            status: self.status,
            exceptions: self.exceptions,
            amount_paid: t.paid,
            amount_pending: t.pending,
            amount_held: t.held,
            surplus: t.received().saturating_sub(self.due),
            amount_refunded: t.refunded,
            refunds_in_flight: t.in_flight,
            refundable: self.refundable_with(self.status, t),
        }
    }

    /// Confirmed transfers that count.
    pub fn amount_paid(&self) -> Amount {
        self.totals().paid
    }

    /// Unconfirmed transfers that count.
    pub fn amount_pending(&self) -> Amount {
        self.totals().pending
    }

    /// Money that arrived but does not count.
    pub fn amount_held(&self) -> Amount {
        self.totals().held
    }

    /// Money that may still be refunded.
    pub fn refundable(&self) -> Amount {
        self.refundable_with(self.status, &self.totals())
    }

    /// Serialises the state (with `schema_version`) for the host's database.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Restores a state written by [`Invoice::to_json`]. A document of another schema
    /// version is `invalid_field`; one that is not this shape is `malformed_json`.
    pub fn from_json(text: &str) -> Result<Invoice> {
        let value = crate::json::parse_value(text.as_bytes())?;
        match value.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            other => {
                return Err(Error::invalid_field(
                    "schema_version",
                    format!("expected {SCHEMA_VERSION}, found {other:?}"),
                ))
            }
        }
        // Deserialise from the text, not from `value`: opaque metadata must come back byte
        // for byte, and a `Value` detour turns an arbitrary-precision `-0` into `0` (F4).
        drop(value);
        let invoice: Invoice = serde_json::from_str(text).map_err(Error::malformed_json)?;
        // A stored state must be one the machine could have produced.
        let (due, deadline) = invoice.spec.resolve(invoice.created_at)?;
        if due != invoice.due || deadline != invoice.deadline {
            return Err(Error::invalid_field(
                "due",
                "stored due or deadline disagrees with the spec",
            ));
        }
        Ok(invoice)
    }

    // ---- the machine -----------------------------------------------------------------

    /// The status the deadlines passed by `now` lead to, with its event.
    fn deadline_step(&self, now: Timestamp) -> Option<(Status, EventType)> {
        match self.status {
            Status::Pending if now >= self.deadline => Some((Status::Expired, EventType::Expired)),
            Status::Processing if now >= self.confirmation_deadline() => {
                Some((Status::Invalid, EventType::Invalid))
            }
            _ => None,
        }
    }

    /// After money changed: the status the money now justifies. Entering **paid**, from
    /// any status, emits `invoice.paid`; a paid, partially refunded or refunded invoice
    /// takes the refund status its money gives (docs/spec.md §3).
    fn settle_status(&mut self, now: Timestamp, t: &Totals, out: &mut Vec<EventDraft>) {
        let threshold = self.threshold();
        let next = match self.status {
            Status::Pending | Status::Processing | Status::Expired => {
                if t.paid >= threshold {
                    Status::Paid
                } else if t.received() >= threshold {
                    Status::Processing
                } else if now >= self.deadline {
                    Status::Expired
                } else {
                    Status::Pending
                }
            }
            // Confirmed money never leaves the paid family: only the refund rule moves it.
            Status::Paid | Status::PartiallyRefunded | Status::Refunded => Status::Paid,
            Status::Cancelled | Status::Invalid => return,
        };
        if next != Status::Paid {
            self.set_status(next, out);
            return;
        }
        let family = self.paid_family_status(t);
        let entering_paid = !self.status.is_paid_family()
            || (family == Status::Paid && self.status != Status::Paid);
        if entering_paid {
            out.push(EventDraft::bare(EventType::Paid));
        }
        self.status = family;
    }

    /// Paid, partially refunded or refunded, from the refunds against the confirmed money.
    fn paid_family_status(&self, t: &Totals) -> Status {
        let confirmed = t.paid.saturating_add(t.held_confirmed);
        let surplus = t.received().saturating_sub(self.due);
        if !t.refunded.is_zero() && t.refunded >= confirmed {
            Status::Refunded
        } else if t.refunded > surplus.saturating_add(t.held_confirmed) {
            Status::PartiallyRefunded
        } else {
            Status::Paid
        }
    }

    fn set_status(&mut self, next: Status, out: &mut Vec<EventDraft>) {
        if next != self.status {
            self.status = next;
            if let Some(ev) = EventType::for_status(next) {
                out.push(EventDraft::bare(ev));
            }
        }
    }

    /// The exceptions that follow from the money (underpaid, overpaid, txid_claimed).
    fn refresh_exceptions(&mut self, t: &Totals) {
        let a = assess(
            t.received(),
            self.due,
            self.threshold(),
            self.spec.overpay_dust,
        );
        self.exceptions.set(Exception::Underpaid, a.underpaid);
        self.exceptions.set(Exception::Overpaid, a.overpaid);
        self.exceptions
            .set(Exception::TxidClaimed, !self.claims.is_empty());
    }

    fn materialize(&mut self, drafts: Vec<EventDraft>, at: Timestamp, t: &Totals) -> Vec<Event> {
        if drafts.is_empty() {
            return Vec::new();
        }
        let snapshot = self.snapshot_with(t);
        drafts
            .into_iter()
            .map(|p| {
                self.seq += 1;
                Event {
                    id: format!("{}:{}", self.spec.id, self.seq),
                    event_type: p.event_type,
                    invoice_id: self.spec.id.clone(),
                    at,
                    tx_id: p.tx_id,
                    refund_id: p.refund_id,
                    amount: p.amount,
                    invoice: snapshot.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
