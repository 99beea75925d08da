//! Matching transfers to invoices by amount, and checkout sessions.

use std::sync::Mutex;

use paystate::matching::DEFAULT_ALLOWANCE;
use paystate::session::{session_token as core_token, verify_session_token as core_verify_token};
use paystate::{Match, Matcher, Session};
use pyo3::prelude::*;

use crate::convert::{
    self, amount as parse_amount, datetime, decimal, opt_amount, opt_datetime, text as str_arg,
};
use crate::errors::Core;
use crate::handle::{lock, state_handle};
use crate::invoice::PyInvoice;

/// The answer to "whose payment is this amount?": matched, ambiguous or unmatched.
#[pyclass(frozen, eq, module = "paystate", name = "Match")]
#[derive(Clone, PartialEq)]
pub struct PyMatch {
    inner: Match,
}

#[pymethods]
impl PyMatch {
    /// `"matched"`, `"ambiguous"` or `"unmatched"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner {
            Match::Matched(_) => "matched",
            Match::Ambiguous(_) => "ambiguous",
            Match::Unmatched => "unmatched",
        }
    }

    /// The invoice, when exactly one window holds the amount.
    #[getter]
    fn invoice_id(&self) -> Option<&str> {
        match &self.inner {
            Match::Matched(id) => Some(id),
            _ => None,
        }
    }

    /// The invoices whose windows hold the amount (sorted; one when matched).
    #[getter]
    fn candidates(&self) -> Vec<String> {
        match &self.inner {
            Match::Matched(id) => vec![id.clone()],
            Match::Ambiguous(ids) => ids.clone(),
            Match::Unmatched => Vec::new(),
        }
    }

    /// The JSON shape: `{"matched": id}`, `{"ambiguous": [ids]}` or `"unmatched"`.
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serde_to_py(py, &self.inner)
    }

    /// True only when matched to exactly one invoice.
    fn __bool__(&self) -> bool {
        matches!(self.inner, Match::Matched(_))
    }

    fn __repr__(&self) -> String {
        match &self.inner {
            Match::Matched(id) => format!("Match(matched={id:?})"),
            Match::Ambiguous(ids) => format!("Match(ambiguous={ids:?})"),
            Match::Unmatched => "Match(unmatched)".to_owned(),
        }
    }
}

/// Payable amounts per receiving account; tells incoming transfers apart by amount.
/// Thread-safe (an internal lock serialises changes).
#[pyclass(frozen, module = "paystate", name = "Matcher")]
pub struct PyMatcher {
    inner: Mutex<Matcher>,
}

state_handle! {
impl PyMatcher {
    #[new]
    fn new() -> Self {
        PyMatcher {
            inner: Mutex::new(Matcher::new()),
        }
    }

    /// Allocates and registers the smallest `due + k*step` whose window
    /// `[P - allowance, P]` overlaps no other window on `account`; returns it.
    #[pyo3(signature = (account, invoice_id, due, step, allowance=None))]
    fn allocate<'py>(
        &self,
        py: Python<'py>,
        account: &Bound<'py, PyAny>,
        invoice_id: &Bound<'py, PyAny>,
        due: &Bound<'py, PyAny>,
        step: &Bound<'py, PyAny>,
        allowance: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let account = str_arg(account, "account")?;
        let invoice_id = str_arg(invoice_id, "invoice")?;
        let due = parse_amount(due, "due")?;
        let step = parse_amount(step, "step")?;
        let allowance = opt_amount(allowance, "allowance")?.unwrap_or(DEFAULT_ALLOWANCE);
        let p = lock(&self.inner)
            .allocate(&account, &invoice_id, due, step, allowance)
            .core()?;
        decimal(py, &p)
    }

    /// Registers an amount the host chose itself (windows may overlap).
    #[pyo3(signature = (account, invoice_id, payable, allowance=None))]
    fn register(
        &self,
        account: &Bound<'_, PyAny>,
        invoice_id: &Bound<'_, PyAny>,
        payable: &Bound<'_, PyAny>,
        allowance: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let account = str_arg(account, "account")?;
        let invoice_id = str_arg(invoice_id, "invoice")?;
        let payable = parse_amount(payable, "payable")?;
        let allowance = opt_amount(allowance, "allowance")?.unwrap_or(DEFAULT_ALLOWANCE);
        lock(&self.inner)
            .register(&account, &invoice_id, payable, allowance)
            .core()
    }

    /// Which invoice an incoming `amount` on `account` belongs to (never a guess).
    fn match_amount(
        &self,
        account: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
    ) -> PyResult<PyMatch> {
        let account = str_arg(account, "account")?;
        let a = parse_amount(amount, "amount")?;
        Ok(PyMatch {
            inner: lock(&self.inner).match_amount(&account, a),
        })
    }

    /// The payable amount registered for an invoice, or None.
    fn payable<'py>(
        &self,
        py: Python<'py>,
        invoice_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = str_arg(invoice_id, "invoice")?;
        let p = lock(&self.inner).payable(&id);
        convert::opt_decimal(py, p.as_ref())
    }

    /// Frees an invoice's amount; unknown ids are a no-op.
    fn release(&self, invoice_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = str_arg(invoice_id, "invoice")?;
        lock(&self.inner).release(&id);
        Ok(())
    }

    fn __len__(&self) -> usize {
        lock(&self.inner).len()
    }

    fn __repr__(&self) -> String {
        format!("Matcher(windows={})", lock(&self.inner).len())
    }
}
}

/// A short-lived, single-use checkout view of an invoice.
#[pyclass(frozen, module = "paystate", name = "Session")]
pub struct PySession {
    inner: Mutex<Session>,
}

state_handle! {
impl PySession {
    /// Opens a session on a pending invoice; it expires at the earlier of `now + ttl`
    /// (int seconds or timedelta) and the invoice deadline.
    #[staticmethod]
    #[pyo3(signature = (session_id, invoice, ttl, *, now))]
    fn open(
        session_id: &Bound<'_, PyAny>,
        invoice: &PyInvoice,
        ttl: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let id = str_arg(session_id, "session")?;
        let ttl = convert::duration(ttl, "ttl")?;
        let now = convert::timestamp(now, "now")?;
        let inv = invoice.state();
        Ok(PySession {
            inner: Mutex::new(Session::open(&id, &inv, ttl, now).core()?),
        })
    }

    /// Consumes the session: `session_used`, `session_expired`, or `invalid_transition`
    /// when the invoice is no longer pending.
    #[pyo3(name = "use", signature = (invoice, *, now))]
    fn use_(&self, invoice: &PyInvoice, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let now = convert::timestamp(now, "now")?;
        let inv = invoice.state();
        let mut guard = lock(&self.inner);
        let mut next = guard.clone();
        next.use_at(&inv, now).core()?;
        *guard = next;
        Ok(())
    }

    /// Applies time to the session as a `tick` does to every invoice: a later `use` dated
    /// before `now` counts as of `now` (docs/spec.md §2). An earlier time changes nothing.
    #[pyo3(signature = (now))]
    fn tick(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let now = convert::timestamp(now, "now")?;
        lock(&self.inner).tick(now);
        Ok(())
    }

    /// The session id.
    #[getter]
    fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }

    /// The invoice it shows.
    #[getter]
    fn invoice_id(&self) -> String {
        lock(&self.inner).invoice_id().to_owned()
    }

    /// When it stops being usable.
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = lock(&self.inner).expires_at();
        datetime(py, t)
    }

    /// When it was used, if it was.
    #[getter]
    fn used_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = lock(&self.inner).used_at();
        opt_datetime(py, t)
    }

    /// Whether it can no longer be used at `now`.
    fn is_closed(&self, now: &Bound<'_, PyAny>) -> PyResult<bool> {
        let now = convert::timestamp(now, "now")?;
        Ok(lock(&self.inner).is_closed(now))
    }

    fn __repr__(&self) -> String {
        let s = lock(&self.inner);
        format!(
            "Session(id={:?}, invoice_id={:?}, expires_at={})",
            s.id(),
            s.invoice_id(),
            s.expires_at()
        )
    }
}
}

/// The link token of a session: hex HMAC-SHA256 of the session id under a server secret.
#[pyfunction]
fn session_token(secret: &Bound<'_, PyAny>, session_id: &Bound<'_, PyAny>) -> PyResult<String> {
    let secret = convert::raw(secret, "secret")?;
    let id = str_arg(session_id, "session")?;
    core_token(secret.as_slice(), &id).core()
}

/// Checks a session link token in constant time.
#[pyfunction]
fn verify_session_token(
    secret: &Bound<'_, PyAny>,
    session_id: &Bound<'_, PyAny>,
    token: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let secret = convert::raw(secret, "secret")?;
    let id = str_arg(session_id, "session")?;
    let token = str_arg(token, "token")?;
    core_verify_token(secret.as_slice(), &id, &token).core()
}

/// Registers matching and session classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMatch>()?;
    m.add_class::<PyMatcher>()?;
    m.add_class::<PySession>()?;
    m.add_function(wrap_pyfunction!(session_token, m)?)?;
    m.add_function(wrap_pyfunction!(verify_session_token, m)?)?;
    Ok(())
}
