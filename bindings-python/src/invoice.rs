//! Invoices: specs, commands, the journal, events and snapshots.

use std::sync::Mutex;

use paystate::invoice::{Refund, RefundOutcome, Snapshot, SpecParts, Transfer, TransferInput};
use paystate::{
    Asset, Command, Currency, Event, EventType, Exception, Invoice, InvoiceSpec, JournalEntry,
    LatePayment, Status, Tolerance,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFrozenSet, PyString};
use serde_json::{Map, Value};

use crate::convert::{self, datetime, decimal, opt_datetime, opt_decimal, text};
use crate::errors::Core;
use crate::handle::{lock, state_handle};

static STATUS: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
static EXCEPTION: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
static EVENT_TYPE: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();
static ASSET: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

/// `status` as a `paystate.Status` member.
pub fn status_member(py: Python<'_>, s: Status) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = Status::ALL.iter().map(Status::as_str).collect();
    convert::enum_member(
        py,
        &STATUS,
        "Status",
        &values,
        Status::ALL.iter().position(|x| *x == s),
    )
}

fn exception_member(py: Python<'_>, e: Exception) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = Exception::ALL.iter().map(Exception::as_str).collect();
    convert::enum_member(
        py,
        &EXCEPTION,
        "InvoiceException",
        &values,
        Exception::ALL.iter().position(|x| *x == e),
    )
}

fn event_type_member(py: Python<'_>, t: EventType) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
    convert::enum_member(
        py,
        &EVENT_TYPE,
        "EventType",
        &values,
        EventType::ALL.iter().position(|x| *x == t),
    )
}

fn asset_member(py: Python<'_>, a: Asset) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = Asset::ALL.iter().map(Asset::code).collect();
    convert::enum_member(
        py,
        &ASSET,
        "Asset",
        &values,
        Asset::ALL.iter().position(|x| *x == a),
    )
}

fn exceptions_set<'py>(py: Python<'py>, snap: &Snapshot) -> PyResult<Bound<'py, PyAny>> {
    let members: PyResult<Vec<Bound<'py, PyAny>>> = snap
        .exceptions
        .iter()
        .map(|e| exception_member(py, e))
        .collect();
    Ok(PyFrozenSet::new(py, members?)?.into_any())
}

fn bool_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<bool> {
    match obj.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(PyTypeError::new_err(format!("{field}: expected bool"))),
    }
}

// ---- tolerance and late payment ----------------------------------------------------------

/// How much of the due amount may be missing for an invoice to count as paid.
#[pyclass(frozen, eq, module = "paystate", name = "Tolerance")]
#[derive(Clone, PartialEq)]
pub struct PyTolerance {
    inner: Tolerance,
}

#[pymethods]
impl PyTolerance {
    /// Pay the exact amount (the default).
    #[staticmethod]
    fn exact() -> Self {
        PyTolerance {
            inner: Tolerance::Exact,
        }
    }

    /// Up to this amount (in the asset) may be missing; `0 <= x < due`.
    #[staticmethod]
    fn absolute(amount: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyTolerance {
            inner: Tolerance::Absolute(convert::amount(amount, "invoice.tolerance.absolute")?),
        })
    }

    /// Up to this percentage of the due amount may be missing; `0 <= p < 100`.
    #[staticmethod]
    fn percent(percent: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyTolerance {
            inner: Tolerance::Percent(convert::amount(percent, "invoice.tolerance.percent")?),
        })
    }

    /// The JSON form (`"exact"`, `{"absolute": "1"}`, `{"percent": "2.5"}`).
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.inner.to_json())
    }

    fn __repr__(&self) -> String {
        format!("Tolerance({})", self.inner.to_json())
    }
}

/// What happens to money whose transfer was made at or after the deadline.
#[pyclass(frozen, eq, module = "paystate", name = "LatePayment")]
#[derive(Clone, PartialEq)]
pub struct PyLatePayment {
    inner: LatePayment,
}

#[pymethods]
impl PyLatePayment {
    /// Late money is held apart and stays refundable (the default).
    #[staticmethod]
    fn reject() -> Self {
        PyLatePayment {
            inner: LatePayment::Reject,
        }
    }

    /// Late money counts when made before `deadline + window` (int seconds or timedelta).
    #[staticmethod]
    fn accept_within(window: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyLatePayment {
            inner: LatePayment::AcceptWithin(convert::whole_seconds(
                window,
                "invoice.late_payment.accept_within",
            )?),
        })
    }

    /// The JSON form (`"reject"` or `{"accept_within": seconds}`).
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.inner.to_json())
    }

    fn __repr__(&self) -> String {
        format!("LatePayment({})", self.inner.to_json())
    }
}

/// A `tolerance=` argument: a `Tolerance`, or its name as a string (`"exact"`), read by
/// the core's reader of the same spelling.
fn tolerance_arg(t: &Bound<'_, PyAny>) -> PyResult<Tolerance> {
    if let Ok(tol) = t.cast::<PyTolerance>() {
        Ok(tol.get().inner)
    } else if t.is_instance_of::<PyString>() {
        let name = Value::String(text(t, "invoice.tolerance")?);
        Tolerance::from_json(&name, "invoice.tolerance").core()
    } else {
        Err(PyTypeError::new_err(
            "invoice.tolerance: expected Tolerance.exact(), Tolerance.absolute(x) or Tolerance.percent(p)",
        ))
    }
}

/// A `late_payment=` argument: a `LatePayment`, or its name as a string (`"reject"`).
fn late_payment_arg(l: &Bound<'_, PyAny>) -> PyResult<LatePayment> {
    if let Ok(lp) = l.cast::<PyLatePayment>() {
        Ok(lp.get().inner)
    } else if l.is_instance_of::<PyString>() {
        let name = Value::String(text(l, "invoice.late_payment")?);
        LatePayment::from_json(&name).core()
    } else {
        Err(PyTypeError::new_err(
            "invoice.late_payment: expected LatePayment.reject() or LatePayment.accept_within(seconds)",
        ))
    }
}

// ---- spec ----------------------------------------------------------------------------------

/// Everything an invoice is created from, validated by the core.
#[pyclass(frozen, eq, module = "paystate", name = "InvoiceSpec")]
#[derive(Clone, PartialEq)]
pub struct PyInvoiceSpec {
    pub inner: InvoiceSpec,
}

#[pymethods]
impl PyInvoiceSpec {
    /// Built from its parts by the core (`InvoiceSpec::from_parts`), which applies the
    /// rules between fields and the defaults: no JSON on the way.
    #[new]
    #[pyo3(signature = (id, *, asset, due=None, price=None, currency=None, rate=None, surcharge=None,
        expires_in=None, expires_at=None, reference=None, tolerance=None, late_payment=None,
        overpay_dust=None, confirmation_window=None, metadata=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        id: &Bound<'py, PyAny>,
        asset: &Bound<'py, PyAny>,
        due: Option<&Bound<'_, PyAny>>,
        price: Option<&Bound<'_, PyAny>>,
        currency: Option<&Bound<'_, PyAny>>,
        rate: Option<&Bound<'_, PyAny>>,
        surcharge: Option<&Bound<'_, PyAny>>,
        expires_in: Option<&Bound<'_, PyAny>>,
        expires_at: Option<&Bound<'_, PyAny>>,
        reference: Option<&Bound<'_, PyAny>>,
        tolerance: Option<&Bound<'_, PyAny>>,
        late_payment: Option<&Bound<'_, PyAny>>,
        overpay_dust: Option<&Bound<'_, PyAny>>,
        confirmation_window: Option<&Bound<'_, PyAny>>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        fn some<'py>(o: Option<&Bound<'py, PyAny>>) -> Option<Bound<'py, PyAny>> {
            o.filter(|v| !v.is_none()).cloned()
        }
        let id = text(id, "invoice.id")?;
        let reference = some(reference)
            .map(|r| text(&r, "invoice.reference"))
            .transpose()?;
        let asset = Asset::parse(&text(asset, "invoice.asset")?, "invoice.asset").core()?;
        let mut parts = SpecParts::new(id, asset);
        parts.reference = reference;
        parts.due = convert::opt_amount(due, "invoice.due")?;
        parts.price = convert::opt_amount(price, "invoice.price.amount")?;
        // An omitted currency stays omitted: the core decides its default
        // (docs/spec.md §2, "Pricing currencies").
        parts.currency = some(currency)
            .map(|c| {
                Currency::parse(
                    &text(&c, "invoice.price.currency")?,
                    "invoice.price.currency",
                )
                .core()
            })
            .transpose()?;
        parts.rate = convert::opt_amount(rate, "invoice.rate")?;
        parts.surcharge = convert::opt_amount(surcharge, "invoice.surcharge")?;
        parts.expires_in = some(expires_in)
            .map(|e| convert::whole_seconds(&e, "invoice.expires_in"))
            .transpose()?;
        parts.expires_at = convert::opt_timestamp(expires_at, "invoice.expires_at")?;
        parts.tolerance = some(tolerance).map(|t| tolerance_arg(&t)).transpose()?;
        parts.late_payment = some(late_payment)
            .map(|l| late_payment_arg(&l))
            .transpose()?;
        parts.overpay_dust = convert::opt_amount(overpay_dust, "invoice.overpay_dust")?;
        parts.confirmation_window = some(confirmation_window)
            .map(|c| convert::whole_seconds(&c, "invoice.confirmation_window"))
            .transpose()?;
        parts.metadata = some(metadata)
            .map(|md| convert::json_object(&md, "invoice.metadata"))
            .transpose()?;
        Ok(PyInvoiceSpec {
            inner: InvoiceSpec::from_parts(parts).core()?,
        })
    }

    /// Reads the conformance `create_invoice` shape (amounts as strings).
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let m = convert::json_object(data, "invoice")?;
        Ok(PyInvoiceSpec {
            inner: InvoiceSpec::from_json(&m).core()?,
        })
    }

    /// The conformance `create_invoice` shape (amounts as strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.inner.to_json())
    }

    /// The host's invoice id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The merchant's order reference.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.inner.reference.as_deref()
    }

    /// The asset the invoice is paid in.
    #[getter]
    fn asset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        asset_member(py, self.inner.asset)
    }

    /// The tolerance policy.
    #[getter]
    fn tolerance(&self) -> PyTolerance {
        PyTolerance {
            inner: self.inner.tolerance,
        }
    }

    /// The host's opaque metadata, if any.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner.metadata {
            Some(m) => convert::from_json(py, &Value::Object(m.clone())),
            None => Ok(py.None().into_bound(py)),
        }
    }

    fn __repr__(&self) -> String {
        format!("InvoiceSpec({})", self.inner.to_json())
    }
}

// ---- commands and the journal ----------------------------------------------------------

/// A command to an invoice, as the host journals it.
#[pyclass(frozen, eq, module = "paystate", name = "Command")]
#[derive(Clone, PartialEq)]
pub struct PyCommand {
    pub inner: Command,
}

fn command(m: Map<String, Value>) -> PyResult<PyCommand> {
    Ok(PyCommand {
        inner: Command::from_json(&m).core()?,
    })
}

/// A command built from typed arguments, its fields checked by the core as `from_dict`
/// checks them (`Command::check`).
fn checked(inner: Command) -> PyResult<PyCommand> {
    inner.check().core()?;
    Ok(PyCommand { inner })
}

fn transfer_input(
    tx_id: &Bound<'_, PyAny>,
    amount: &Bound<'_, PyAny>,
    asset: &Bound<'_, PyAny>,
    confirmed: &Bound<'_, PyAny>,
    made_at: Option<&Bound<'_, PyAny>>,
) -> PyResult<TransferInput> {
    Ok(TransferInput {
        tx_id: text(tx_id, "transfer.tx_id")?,
        amount: convert::amount(amount, "transfer.amount")?,
        asset: Asset::parse(&text(asset, "transfer.asset")?, "transfer.asset").core()?,
        confirmed: bool_arg(confirmed, "transfer.confirmed")?,
        at: convert::opt_timestamp(made_at, "transfer.at")?,
    })
}

/// `"succeeded"` or `"failed"` (or `RefundOutcome`), as the core spells them.
fn refund_outcome(outcome: &Bound<'_, PyAny>) -> PyResult<RefundOutcome> {
    RefundOutcome::parse(&text(outcome, "outcome")?, "outcome").core()
}

/// `"paid"` or `"invalid"` (or `Status`); `apply` and `Command::check` refuse the others.
fn mark_status(status: &Bound<'_, PyAny>) -> PyResult<Status> {
    Status::parse(&text(status, "status")?, "status").core()
}

#[pymethods]
impl PyCommand {
    /// Creates the invoice (the first entry of every journal).
    #[staticmethod]
    fn create(spec: &PyInvoiceSpec) -> Self {
        PyCommand {
            inner: Command::Create(Box::new(spec.inner.clone())),
        }
    }

    /// A transfer was seen (or seen again, or seen confirmed).
    #[staticmethod]
    #[pyo3(signature = (tx_id, amount, asset, *, confirmed, made_at=None))]
    fn observe_transfer(
        tx_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        asset: &Bound<'_, PyAny>,
        confirmed: &Bound<'_, PyAny>,
        made_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        checked(Command::ObserveTransfer(transfer_input(
            tx_id, amount, asset, confirmed, made_at,
        )?))
    }

    /// A transfer seen unconfirmed is now final.
    #[staticmethod]
    fn confirm_transfer(tx_id: &Bound<'_, PyAny>) -> PyResult<Self> {
        checked(Command::ConfirmTransfer {
            tx_id: text(tx_id, "tx_id")?,
        })
    }

    /// An unconfirmed transfer was reorged out or failed.
    #[staticmethod]
    fn drop_transfer(tx_id: &Bound<'_, PyAny>) -> PyResult<Self> {
        checked(Command::DropTransfer {
            tx_id: text(tx_id, "tx_id")?,
        })
    }

    /// Applies the deadlines that have passed.
    #[staticmethod]
    fn tick() -> Self {
        PyCommand {
            inner: Command::Tick,
        }
    }

    /// Cancels a pending invoice with nothing received.
    #[staticmethod]
    fn cancel() -> Self {
        PyCommand {
            inner: Command::Cancel,
        }
    }

    /// Starts a refund (all that is refundable when `amount` is None).
    #[staticmethod]
    #[pyo3(signature = (refund_id, amount=None))]
    fn request_refund(
        refund_id: &Bound<'_, PyAny>,
        amount: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        checked(Command::RequestRefund {
            refund_id: text(refund_id, "refund_id")?,
            amount: convert::opt_amount(amount, "amount")?,
        })
    }

    /// Records how a refund ended (`"succeeded"` or `"failed"`).
    #[staticmethod]
    fn settle_refund(refund_id: &Bound<'_, PyAny>, outcome: &Bound<'_, PyAny>) -> PyResult<Self> {
        checked(Command::SettleRefund {
            refund_id: text(refund_id, "refund_id")?,
            outcome: refund_outcome(outcome)?,
        })
    }

    /// An operator forces the status to `paid` or `invalid`.
    #[staticmethod]
    fn mark(status: &Bound<'_, PyAny>) -> PyResult<Self> {
        checked(Command::Mark {
            status: mark_status(status)?,
        })
    }

    /// The payer claims to have sent this transaction.
    #[staticmethod]
    fn claim_txid(tx_id: &Bound<'_, PyAny>) -> PyResult<Self> {
        checked(Command::ClaimTxid {
            tx_id: text(tx_id, "tx_id")?,
        })
    }

    /// Reads the journal shape `{"op": ..., <fields>}`.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        command(convert::json_object(data, "command")?)
    }

    /// The journal shape `{"op": ..., <fields>}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.inner.to_json())
    }

    /// The op name (`observe_transfer`, `create_invoice`, ...).
    #[getter]
    fn op(&self) -> String {
        self.inner
            .to_json()
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn __repr__(&self) -> String {
        format!("Command({})", self.inner.to_json())
    }
}

/// One accepted command and the time it was applied at: a line of the journal.
#[pyclass(frozen, eq, module = "paystate", name = "JournalEntry")]
#[derive(Clone, PartialEq)]
pub struct PyJournalEntry {
    pub inner: JournalEntry,
}

#[pymethods]
impl PyJournalEntry {
    #[new]
    fn new(at: &Bound<'_, PyAny>, command: &PyCommand) -> PyResult<Self> {
        Ok(PyJournalEntry {
            inner: JournalEntry {
                at: convert::timestamp(at, "at")?,
                command: command.inner.clone(),
            },
        })
    }

    /// When the command was applied.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.inner.at)
    }

    /// The command.
    #[getter]
    fn command(&self) -> PyCommand {
        PyCommand {
            inner: self.inner.command.clone(),
        }
    }

    /// `{"at": RFC 3339, "command": {...}}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serde_to_py(py, &self.inner)
    }

    /// Reads `{"at": RFC 3339, "command": {...}}`.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        entry_from_dict(data)
    }

    fn __repr__(&self) -> String {
        format!(
            "JournalEntry(at={}, command={})",
            self.inner.at,
            self.inner.command.to_json()
        )
    }
}

fn entry_from_dict(data: &Bound<'_, PyAny>) -> PyResult<PyJournalEntry> {
    let m = convert::json_object(data, "journal")?;
    Ok(PyJournalEntry {
        inner: JournalEntry::from_json(&m).core()?,
    })
}

// ---- events and snapshots ----------------------------------------------------------------

/// The money and status of an invoice at one instant.
#[pyclass(frozen, eq, module = "paystate", name = "Snapshot")]
#[derive(Clone, PartialEq)]
pub struct PySnapshot {
    inner: Snapshot,
}

#[pymethods]
impl PySnapshot {
    /// The status.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_member(py, self.inner.status)
    }
    /// The exceptions beside the status.
    #[getter]
    fn exceptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        exceptions_set(py, &self.inner)
    }
    /// Confirmed transfers that count toward the invoice.
    #[getter]
    fn amount_paid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount_paid)
    }
    /// Unconfirmed transfers that count toward the invoice.
    #[getter]
    fn amount_pending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount_pending)
    }
    /// Money that arrived but does not count.
    #[getter]
    fn amount_held<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount_held)
    }
    /// `max(0, received - due)`.
    #[getter]
    fn surplus<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.surplus)
    }
    /// Succeeded refunds.
    #[getter]
    fn amount_refunded<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount_refunded)
    }
    /// Refunds requested and not yet settled.
    #[getter]
    fn refunds_in_flight<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.refunds_in_flight)
    }
    /// Money that may still be refunded.
    #[getter]
    fn refundable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.refundable)
    }
    /// The JSON shape (amounts as strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serde_to_py(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "Snapshot(status={}, amount_paid={}, amount_pending={})",
            self.inner.status, self.inner.amount_paid, self.inner.amount_pending
        )
    }
}

/// Something that happened to an invoice, with a deterministic id `"{invoice_id}:{seq}"`.
#[pyclass(frozen, eq, module = "paystate", name = "Event")]
#[derive(Clone, PartialEq)]
pub struct PyEvent {
    inner: Event,
}

#[pymethods]
impl PyEvent {
    /// `"{invoice_id}:{seq}"`: stable across replays, for deduplicating deliveries.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// What happened.
    #[getter]
    fn r#type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        event_type_member(py, self.inner.event_type)
    }
    /// The invoice.
    #[getter]
    fn invoice_id(&self) -> &str {
        &self.inner.invoice_id
    }
    /// When the command that emitted it was applied.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.inner.at)
    }
    /// The transfer concerned, if any.
    #[getter]
    fn tx_id(&self) -> Option<&str> {
        self.inner.tx_id.as_deref()
    }
    /// The refund concerned, if any.
    #[getter]
    fn refund_id(&self) -> Option<&str> {
        self.inner.refund_id.as_deref()
    }
    /// The amount of the transfer or refund concerned, if any.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_decimal(py, self.inner.amount.as_ref())
    }
    /// The invoice after the command.
    #[getter]
    fn snapshot(&self) -> PySnapshot {
        PySnapshot {
            inner: self.inner.invoice.clone(),
        }
    }
    /// The invoice status after the command.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_member(py, self.inner.invoice.status)
    }
    /// The webhook payload shape (`type`, `id`, amounts as strings, times RFC 3339).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serde_to_py(py, &self.inner)
    }
    /// The webhook payload as compact JSON text.
    fn to_json(&self) -> PyResult<String> {
        convert::to_json_text(&self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "Event(id={:?}, type={:?})",
            self.inner.id,
            self.inner.event_type.as_str()
        )
    }
}

fn events(list: Vec<Event>) -> Vec<PyEvent> {
    list.into_iter().map(|inner| PyEvent { inner }).collect()
}

/// A transfer as the invoice recorded it.
#[pyclass(frozen, eq, module = "paystate", name = "Transfer")]
#[derive(Clone, PartialEq)]
pub struct PyTransfer {
    inner: Transfer,
}

#[pymethods]
impl PyTransfer {
    /// The transaction id.
    #[getter]
    fn tx_id(&self) -> &str {
        &self.inner.tx_id
    }
    /// The amount, in the invoice's asset.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount)
    }
    /// Final on its network.
    #[getter]
    fn confirmed(&self) -> bool {
        self.inner.confirmed
    }
    /// Counts toward the invoice (False: held apart).
    #[getter]
    fn counted(&self) -> bool {
        self.inner.counted
    }
    /// Reorged out or failed.
    #[getter]
    fn dropped(&self) -> bool {
        self.inner.dropped
    }
    /// Made at or after the deadline.
    #[getter]
    fn late(&self) -> bool {
        self.inner.late
    }
    /// When the transfer was made.
    #[getter]
    fn made_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.inner.made_at)
    }
    /// When the invoice learned of it.
    #[getter]
    fn observed_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.inner.observed_at)
    }
    fn __repr__(&self) -> String {
        format!(
            "Transfer(tx_id={:?}, amount={})",
            self.inner.tx_id, self.inner.amount
        )
    }
}

/// A refund as the invoice recorded it.
#[pyclass(frozen, eq, module = "paystate", name = "Refund")]
#[derive(Clone, PartialEq)]
pub struct PyRefund {
    inner: Refund,
}

#[pymethods]
impl PyRefund {
    /// The host's refund id.
    #[getter]
    fn refund_id(&self) -> &str {
        &self.inner.refund_id
    }
    /// The amount.
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.inner.amount)
    }
    /// `"in_flight"`, `"succeeded"` or `"failed"`.
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.state.as_str()
    }
    /// When it was requested.
    #[getter]
    fn requested_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.inner.requested_at)
    }
    /// When it was settled, if it was.
    #[getter]
    fn settled_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_datetime(py, self.inner.settled_at)
    }
    fn __repr__(&self) -> String {
        format!(
            "Refund(refund_id={:?}, amount={})",
            self.inner.refund_id, self.inner.amount
        )
    }
}

// ---- the invoice ---------------------------------------------------------------------------

/// An invoice: its spec and everything that happened to it since. Thread-safe: commands
/// on one invoice are serialised by an internal lock.
#[pyclass(frozen, module = "paystate", name = "Invoice")]
pub struct PyInvoice {
    pub inner: Mutex<Invoice>,
}

impl PyInvoice {
    fn wrap(invoice: Invoice) -> Self {
        PyInvoice {
            inner: Mutex::new(invoice),
        }
    }

    /// Runs `f` on the current state under the lock (no clone).
    pub fn with_state<T>(&self, f: impl FnOnce(&Invoice) -> T) -> T {
        f(&lock(&self.inner))
    }

    /// A clone of the current state.
    pub fn state(&self) -> Invoice {
        lock(&self.inner).clone()
    }

    fn run(&self, cmd: &Command, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyEvent>> {
        let now = convert::timestamp(now, "now")?;
        let evs = lock(&self.inner).apply(cmd, now).core()?;
        Ok(events(evs))
    }

    fn read<'py, T>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&Invoice) -> T,
        conv: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = f(&lock(&self.inner));
        conv(py, v)
    }
}

fn dec<'py>(py: Python<'py>, a: paystate::Amount) -> PyResult<Bound<'py, PyAny>> {
    decimal(py, &a)
}

state_handle! {
impl PyInvoice {
    /// Creates an invoice at `now`; returns it with its `invoice.created` event.
    #[staticmethod]
    fn create(spec: &PyInvoiceSpec, now: &Bound<'_, PyAny>) -> PyResult<(Self, Vec<PyEvent>)> {
        let now = convert::timestamp(now, "now")?;
        let (invoice, evs) = Invoice::create(spec.inner.clone(), now).core()?;
        Ok((PyInvoice::wrap(invoice), events(evs)))
    }

    /// Applies any command (see `Command`) at `now`. On error the invoice is untouched.
    fn apply(&self, command: &PyCommand, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyEvent>> {
        self.run(&command.inner, now)
    }

    /// A transfer was seen. `made_at` is the transfer's own time (default: `now`).
    #[pyo3(signature = (tx_id, amount, asset, *, confirmed, now, made_at=None))]
    fn observe_transfer(
        &self,
        tx_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        asset: &Bound<'_, PyAny>,
        confirmed: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        made_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyEvent>> {
        // Built directly (no JSON round trip): `apply` validates the tx id and the amount.
        let cmd = Command::ObserveTransfer(transfer_input(
            tx_id, amount, asset, confirmed, made_at,
        )?);
        self.run(&cmd, now)
    }

    /// A transfer seen unconfirmed is now final.
    #[pyo3(signature = (tx_id, *, now))]
    fn confirm_transfer(
        &self,
        tx_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyEvent>> {
        // Built directly (no JSON round trip): `apply` validates the tx id.
        let cmd = Command::ConfirmTransfer {
            tx_id: text(tx_id, "tx_id")?,
        };
        self.run(&cmd, now)
    }

    /// An unconfirmed transfer was reorged out or failed.
    #[pyo3(signature = (tx_id, *, now))]
    fn drop_transfer(
        &self,
        tx_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyEvent>> {
        let cmd = Command::DropTransfer {
            tx_id: text(tx_id, "tx_id")?,
        };
        self.run(&cmd, now)
    }

    /// Applies every deadline passed by `now`.
    fn tick(&self, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyEvent>> {
        self.run(&Command::Tick, now)
    }

    /// Cancels a pending invoice with nothing received or held.
    #[pyo3(signature = (*, now))]
    fn cancel(&self, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyEvent>> {
        self.run(&Command::Cancel, now)
    }

    /// Starts a refund of `amount` (all that is refundable when None).
    #[pyo3(signature = (refund_id, amount=None, *, now))]
    fn request_refund(
        &self,
        refund_id: &Bound<'_, PyAny>,
        amount: Option<&Bound<'_, PyAny>>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyEvent>> {
        // `apply` validates the refund id and the amount's scale.
        let cmd = Command::RequestRefund {
            refund_id: text(refund_id, "refund_id")?,
            amount: convert::opt_amount(amount, "amount")?,
        };
        self.run(&cmd, now)
    }

    /// Records how a refund ended: `"succeeded"` or `"failed"`.
    #[pyo3(signature = (refund_id, outcome, *, now))]
    fn settle_refund(
        &self,
        refund_id: &Bound<'_, PyAny>,
        outcome: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyEvent>> {
        // `apply` validates the refund id.
        let cmd = Command::SettleRefund {
            refund_id: text(refund_id, "refund_id")?,
            outcome: refund_outcome(outcome)?,
        };
        self.run(&cmd, now)
    }

    /// An operator forces the status to `paid` or `invalid`.
    #[pyo3(signature = (status, *, now))]
    fn mark(&self, status: &Bound<'_, PyAny>, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyEvent>> {
        // `apply` refuses statuses other than paid and invalid.
        let status = mark_status(status)?;
        self.run(&Command::Mark { status }, now)
    }

    /// The payer claims to have sent this transaction.
    #[pyo3(signature = (tx_id, *, now))]
    fn claim_txid(
        &self,
        tx_id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyEvent>> {
        // `apply` validates the tx id.
        let cmd = Command::ClaimTxid {
            tx_id: text(tx_id, "tx_id")?,
        };
        self.run(&cmd, now)
    }

    /// When to wake the invoice next (`tick`), or None.
    fn next_deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::next_deadline, opt_datetime)
    }

    /// The status the invoice would have at `now`, without applying deadlines.
    fn status_at<'py>(
        &self,
        py: Python<'py>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = convert::timestamp(now, "now")?;
        let st = lock(&self.inner).status_at(now);
        status_member(py, st)
    }

    /// Status, exceptions and every amount at once.
    fn snapshot(&self) -> PySnapshot {
        PySnapshot {
            inner: lock(&self.inner).snapshot(),
        }
    }

    /// The invoice id.
    #[getter]
    fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }
    /// The status.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let st = lock(&self.inner).status();
        status_member(py, st)
    }
    /// The exceptions beside the status.
    #[getter]
    fn exceptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let snap = lock(&self.inner).snapshot();
        exceptions_set(py, &snap)
    }
    /// The asset it is paid in.
    #[getter]
    fn asset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let a = lock(&self.inner).asset();
        asset_member(py, a)
    }
    /// The amount due, in the asset.
    #[getter]
    fn due<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::due, dec)
    }
    /// The least received amount that pays it.
    #[getter]
    fn threshold<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::threshold, dec)
    }
    /// Confirmed transfers that count.
    #[getter]
    fn amount_paid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::amount_paid, dec)
    }
    /// Unconfirmed transfers that count.
    #[getter]
    fn amount_pending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::amount_pending, dec)
    }
    /// Money that arrived but does not count.
    #[getter]
    fn amount_held<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::amount_held, dec)
    }
    /// Money that may still be refunded.
    #[getter]
    fn refundable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::refundable, dec)
    }
    /// The payment deadline.
    #[getter]
    fn deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::deadline, datetime)
    }
    /// Deadline plus the confirmation window.
    #[getter]
    fn confirmation_deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::confirmation_deadline, datetime)
    }
    /// When it was created.
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::created_at, datetime)
    }
    /// The time of the last applied command.
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read(py, Invoice::updated_at, datetime)
    }
    /// Commands accepted so far, creation included (for optimistic concurrency).
    #[getter]
    fn version(&self) -> u64 {
        lock(&self.inner).version()
    }
    /// The spec it was created from.
    #[getter]
    fn spec(&self) -> PyInvoiceSpec {
        PyInvoiceSpec {
            inner: lock(&self.inner).spec().clone(),
        }
    }
    /// The transfers, in the order observed.
    #[getter]
    fn transfers(&self) -> Vec<PyTransfer> {
        lock(&self.inner)
            .transfers()
            .iter()
            .map(|t| PyTransfer { inner: t.clone() })
            .collect()
    }
    /// The refunds, in the order requested.
    #[getter]
    fn refunds(&self) -> Vec<PyRefund> {
        lock(&self.inner)
            .refunds()
            .iter()
            .map(|r| PyRefund { inner: r.clone() })
            .collect()
    }
    /// Transaction ids the payer claimed.
    #[getter]
    fn claims(&self) -> Vec<String> {
        lock(&self.inner).claims().to_vec()
    }

    /// Rebuilds an invoice from its journal (`JournalEntry` objects or their dicts); the
    /// first entry must be the creation.
    #[staticmethod]
    fn replay(journal: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut entries = Vec::new();
        for item in journal.try_iter()? {
            let item = item?;
            match item.cast::<PyJournalEntry>() {
                Ok(e) => entries.push(e.get().inner.clone()),
                Err(_) if item.is_instance_of::<PyDict>() => {
                    entries.push(entry_from_dict(&item)?.inner)
                }
                Err(_) => {
                    return Err(PyTypeError::new_err(
                        "journal entries must be JournalEntry or dict",
                    ))
                }
            }
        }
        Ok(PyInvoice::wrap(Invoice::replay(&entries).core()?))
    }

    fn __repr__(&self) -> String {
        let inv = lock(&self.inner);
        format!(
            "Invoice(id={:?}, status={}, due={} {}, version={})",
            inv.id(),
            inv.status(),
            inv.due(),
            inv.asset(),
            inv.version()
        )
    }
}
}

/// Registers the invoice classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTolerance>()?;
    m.add_class::<PyLatePayment>()?;
    m.add_class::<PyInvoiceSpec>()?;
    m.add_class::<PyCommand>()?;
    m.add_class::<PyJournalEntry>()?;
    m.add_class::<PySnapshot>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<PyTransfer>()?;
    m.add_class::<PyRefund>()?;
    m.add_class::<PyInvoice>()?;
    Ok(())
}
