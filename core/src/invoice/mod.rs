//! The invoice state machine (DESIGN §3).
//!
//! An [`Invoice`] is plain data. [`Invoice::create`] and [`Invoice::apply`] are its only
//! transitions: `state + command + now -> state + events`, or a typed error that leaves the
//! state untouched. Every command first applies the deadlines that have passed by its time,
//! exactly as [`Command::Tick`] would, then itself. [`Invoice::next_deadline`] tells the host
//! when to wake it.

mod command;
mod event;
mod spec;
pub(crate) use spec::{has_control, id_problem};
mod status;
pub mod table;

use serde::{Deserialize, Serialize};

pub use command::{
    transfer_from_json, Command, CommandKind, JournalEntry, RefundOutcome, TransferInput,
};
pub use event::{Event, EventType, Snapshot};
pub use spec::{
    Expiry, InvoiceSpec, LatePayment, Pricing, DEFAULT_CONFIRMATION_WINDOW, MAX_ID_LEN,
};
pub use status::{Exception, Exceptions, Status};

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
    /// The time of the last applied command: time never runs backwards for an invoice.
    clock: Timestamp,
}

/// Sums over the transfers and refunds, computed on demand (a handful of entries).
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    paid: Amount,
    pending: Amount,
    held: Amount,
    held_confirmed: Amount,
    refunded: Amount,
    in_flight: Amount,
}

impl Totals {
    fn received(&self) -> Amount {
        self.paid.saturating_add(self.pending)
    }
}

/// What a validated command will do; computed without touching state so a failure
/// leaves the invoice untouched, then executed infallibly.
enum Plan<'c> {
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

/// An event before the snapshot and id are attached.
struct Pending {
    event_type: EventType,
    tx_id: Option<String>,
    refund_id: Option<String>,
    amount: Option<Amount>,
}

impl Pending {
    fn bare(event_type: EventType) -> Self {
        Pending {
            event_type,
            tx_id: None,
            refund_id: None,
            amount: None,
        }
    }
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
            clock: now,
        };
        let totals = invoice.totals();
        let events = invoice.materialize(vec![Pending::bare(EventType::Created)], now, &totals);
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
        let now = now.max(self.clock);
        let deadline_step = self.deadline_step(now);
        let status = deadline_step.map_or(self.status, |(s, _)| s);
        let plan = self.plan(command, status, now)?;
        // A command that changes nothing leaves the state equal, version included, so the
        // host can skip the write (docs/spec.md §2); `tick` exists to move the clock.
        let moves_clock = matches!(command, Command::Tick) && now > self.clock;
        if deadline_step.is_none() && matches!(plan, Plan::Nothing) && !moves_clock {
            return Ok(Vec::new());
        }

        let mut pending = Vec::new();
        if let Some((s, ev)) = deadline_step {
            self.status = s;
            pending.push(Pending::bare(ev));
        }
        let money_changed = self.execute(plan, now, &mut pending);
        let totals = self.totals();
        if money_changed {
            self.settle_status(now, &totals, &mut pending);
        }
        // A slow watcher can report an on-time, unconfirmed transfer after the confirmation
        // window already closed: the state must not hold a deadline that has passed.
        if let Some((s, ev)) = self.deadline_step(now) {
            self.status = s;
            pending.push(Pending::bare(ev));
        }
        self.refresh_exceptions(&totals);
        self.clock = now;
        self.version += 1;
        if emit {
            Ok(self.materialize(pending, now, &totals))
        } else {
            self.seq += pending.len() as u64;
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
        self.deadline_step(now.max(self.clock))
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

    /// The time of the last applied command.
    pub fn updated_at(&self) -> Timestamp {
        self.clock
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

    fn totals(&self) -> Totals {
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
    fn refundable_with(&self, status: Status, t: &Totals) -> Amount {
        let counted = match status {
            Status::Pending | Status::Processing => Amount::ZERO,
            _ => t.paid,
        };
        // Floor subtraction: a rest beyond 28 digits is reported cut down, never rounded up.
        counted
            .saturating_add(t.held_confirmed)
            .floor_sub(t.refunded.saturating_add(t.in_flight))
    }

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

    fn not_allowed(kind: CommandKind, status: Status) -> Error {
        Error::InvalidTransition {
            command: kind.as_str(),
            subject: "invoice",
            state: status.as_str().to_owned(),
        }
    }

    fn find_transfer(&self, tx_id: &str) -> Option<usize> {
        self.transfers.iter().position(|t| t.tx_id == tx_id)
    }

    /// The recorded transfer `tx_id` and its index, or `unknown_transfer`.
    fn known_transfer(&self, tx_id: &str) -> Result<(usize, &Transfer)> {
        self.transfers
            .iter()
            .enumerate()
            .find(|(_, t)| t.tx_id == tx_id)
            .ok_or_else(|| Error::UnknownTransfer {
                tx_id: tx_id.to_owned(),
            })
    }

    fn transfer_is(command: &'static str, state: &str) -> Error {
        Error::InvalidTransition {
            command,
            subject: "transfer",
            state: state.to_owned(),
        }
    }

    fn plan<'c>(&self, command: &'c Command, status: Status, now: Timestamp) -> Result<Plan<'c>> {
        let kind = command.kind();
        if let Command::Mark { status: to } = command {
            if !matches!(to, Status::Paid | Status::Invalid) {
                return Err(Error::invalid_field(
                    "status",
                    format!("an invoice can be marked paid or invalid, not {to}"),
                ));
            }
        }
        if !table::allows(status, kind) {
            return Err(Self::not_allowed(kind, status));
        }
        match command {
            Command::Create(_) => Err(Self::not_allowed(kind, status)),
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

    fn plan_observe<'c>(
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

    /// Totals must stay exact: refuse a transfer that would push them beyond 28 digits.
    fn check_total(&self, input: &TransferInput) -> Result<()> {
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

    /// When a transfer was made, whether it is late, and whether it counts.
    fn classify(
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
    fn execute(&mut self, plan: Plan<'_>, now: Timestamp, out: &mut Vec<Pending>) -> bool {
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
                    out.push(Pending {
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
                out.push(Pending {
                    event_type: EventType::RefundRequested,
                    tx_id: None,
                    refund_id: Some(refund_id.to_owned()),
                    amount: Some(amount),
                });
                true
            }
            Plan::SettleRefund(i, outcome) => {
                let Some(r) = self.refunds.get_mut(i) else {
                    return false;
                };
                r.settled_at = Some(now);
                r.state = RefundState::from(outcome);
                out.push(Pending {
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
                out.push(Pending {
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
    fn received(&mut self, input: &TransferInput, late: bool, out: &mut Vec<Pending>) {
        self.claims.retain(|c| *c != input.tx_id);
        out.push(Pending {
            event_type: EventType::PaymentReceived,
            tx_id: Some(input.tx_id.clone()),
            refund_id: None,
            amount: Some(input.amount),
        });
        if late {
            self.exceptions.set(Exception::PaidLate, true);
            out.push(Pending {
                event_type: EventType::PaidLate,
                tx_id: Some(input.tx_id.clone()),
                refund_id: None,
                amount: Some(input.amount),
            });
        }
    }

    /// After money changed: the status the money now justifies. Entering **paid**, from
    /// any status, emits `invoice.paid`; a paid, partially refunded or refunded invoice
    /// takes the refund status its money gives (docs/spec.md §3).
    fn settle_status(&mut self, now: Timestamp, t: &Totals, out: &mut Vec<Pending>) {
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
            out.push(Pending::bare(EventType::Paid));
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

    fn set_status(&mut self, next: Status, out: &mut Vec<Pending>) {
        if next != self.status {
            self.status = next;
            if let Some(ev) = EventType::for_status(next) {
                out.push(Pending::bare(ev));
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

    fn materialize(&mut self, pending: Vec<Pending>, at: Timestamp, t: &Totals) -> Vec<Event> {
        if pending.is_empty() {
            return Vec::new();
        }
        let snapshot = self.snapshot_with(t);
        pending
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
