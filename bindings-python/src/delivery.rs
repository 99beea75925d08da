//! Webhook delivery schedules.

use std::sync::Mutex;

use paystate::delivery::{DeliveryPlan, Next, Outcome, Policy};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyInt, PyString};

use crate::convert::{self, datetime, opt_datetime, text};
use crate::errors::{invalid_field, Core};
use crate::handle::{lock, state_handle};

static POLICY: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

fn policy_member(py: Python<'_>, p: Policy) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = Policy::ALL.iter().map(|x| x.name()).collect();
    convert::enum_member(
        py,
        &POLICY,
        "DeliveryPolicy",
        &values,
        Policy::ALL.iter().position(|x| *x == p),
    )
}

/// What a delivery plan wants next: retry at an instant, delivered, or gave up.
#[pyclass(frozen, eq, module = "paystate", name = "NextAttempt")]
#[derive(Clone, PartialEq)]
pub struct PyNext {
    inner: Next,
}

#[pymethods]
impl PyNext {
    /// `"retry_at"`, `"delivered"` or `"gave_up"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner {
            Next::RetryAt(_) => "retry_at",
            Next::Delivered => "delivered",
            Next::GaveUp => "gave_up",
        }
    }
    /// When the next attempt is due, or None once the plan is finished.
    #[getter]
    fn retry_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner {
            Next::RetryAt(t) => datetime(py, t),
            _ => Ok(py.None().into_bound(py)),
        }
    }
    /// Whether the plan is finished (delivered or gave up).
    #[getter]
    fn is_final(&self) -> bool {
        self.inner.is_final()
    }
    /// The JSON shape: `{"retry_at": RFC 3339}`, `"delivered"` or `"gave_up"`.
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serde_to_py(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        match self.inner {
            Next::RetryAt(t) => format!("NextAttempt(retry_at={t})"),
            Next::Delivered => "NextAttempt(delivered)".to_owned(),
            Next::GaveUp => "NextAttempt(gave_up)".to_owned(),
        }
    }
}

/// The delivery schedule of one event to one endpoint. Thread-safe; plain data.
#[pyclass(frozen, module = "paystate", name = "DeliveryPlan")]
pub struct PyDeliveryPlan {
    inner: Mutex<DeliveryPlan>,
}

/// A status or a failure's text, judged by the core (docs/spec.md §7).
fn outcome(obj: &Bound<'_, PyAny>) -> PyResult<Outcome> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "outcome: expected an HTTP status int or a failure's text (\"timeout\", \"error\", ...)",
        ));
    }
    if obj.is_instance_of::<PyInt>() {
        // Any Python int: i128 holds every value a host could mean as a status.
        let status: i128 = obj
            .extract()
            .map_err(|_| invalid_field("http_status", "out of range"))?;
        return Outcome::from_status(status).core();
    }
    if obj.is_instance_of::<PyString>() {
        return Outcome::parse(&text(obj, "error")?, "error").core();
    }
    Err(PyTypeError::new_err(
        "outcome: expected an HTTP status int or a failure's text (\"timeout\", \"error\", ...)",
    ))
}

/// One reported attempt as a host or a conformance scenario holds it, judged by the core
/// (docs/spec.md §7): exactly one of `http_status` (an int; outside 100..=599 is
/// `invalid_field` on `http_status`) or `error` (`"timeout"` or a transport error's name;
/// empty text is `invalid_field` on `error`). Neither is `missing_field` on `http_status`;
/// both is `invalid_field` on `error`. Returns the outcome as [`PyDeliveryPlan::report`]
/// takes it and the plan records it: the status int, `"timeout"` or `"error"`.
#[pyfunction]
#[pyo3(signature = (http_status=None, error=None))]
fn report_outcome<'py>(
    py: Python<'py>,
    http_status: Option<&Bound<'py, PyAny>>,
    error: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let status = match http_status.filter(|s| !s.is_none()) {
        Some(s) if s.is_instance_of::<PyInt>() && !s.is_instance_of::<PyBool>() => Some(
            // Any Python int: i128 holds every value a host could mean as a status.
            s.extract::<i128>()
                .map_err(|_| invalid_field("http_status", "out of range"))?,
        ),
        Some(_) => return Err(PyTypeError::new_err("http_status: expected an int")),
        None => None,
    };
    let error = match error.filter(|e| !e.is_none()) {
        Some(e) => Some(text(e, "error")?),
        None => None,
    };
    Ok(
        match Outcome::from_report(status, error.as_deref()).core()? {
            Outcome::Http(s) => s.into_pyobject(py)?.into_any(),
            Outcome::Timeout => PyString::new(py, Outcome::TIMEOUT).into_any(),
            Outcome::Error => PyString::new(py, "error").into_any(),
        },
    )
}

state_handle! {
impl PyDeliveryPlan {
    /// A new plan whose first attempt is due at `now`.
    #[new]
    #[pyo3(signature = (delivery_id, policy, *, now))]
    fn new(
        delivery_id: &Bound<'_, PyAny>,
        policy: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let id = text(delivery_id, "delivery")?;
        let policy = Policy::parse(&text(policy, "policy")?).core()?;
        let now = convert::timestamp(now, "now")?;
        Ok(PyDeliveryPlan {
            inner: Mutex::new(DeliveryPlan::new(id, policy, now)),
        })
    }

    /// Records an attempt made at `now`: `outcome` is the HTTP status, `"timeout"`, or a
    /// transport error's name (`"error"`, `"connection_refused"`: any other non-empty text,
    /// docs/spec.md §7); `duration` is int milliseconds or a timedelta. Returns what comes next;
    /// a report on a finished plan is `invalid_transition`.
    #[pyo3(signature = (outcome, *, now, duration=None))]
    fn report(
        &self,
        outcome: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        duration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyNext> {
        let o = self::outcome(outcome)?;
        let now = convert::timestamp(now, "now")?;
        let d = match duration.filter(|d| !d.is_none()) {
            Some(d) => Some(convert::duration_ms(d, "duration_ms")?),
            None => None,
        };
        let mut guard = lock(&self.inner);
        let mut next_plan = guard.clone();
        let next = next_plan.report(o, now, d).core()?;
        *guard = next_plan;
        Ok(PyNext { inner: next })
    }

    /// Applies the time; True when an attempt is due at `now`.
    fn tick(&self, now: &Bound<'_, PyAny>) -> PyResult<bool> {
        let now = convert::timestamp(now, "now")?;
        Ok(lock(&self.inner).tick(now))
    }

    /// What the plan wants next.
    #[getter]
    fn next(&self) -> PyNext {
        PyNext {
            inner: lock(&self.inner).next(),
        }
    }

    /// When the next attempt is due, or None once finished.
    fn next_deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = lock(&self.inner).next_deadline();
        opt_datetime(py, t)
    }

    /// The plan id.
    #[getter]
    fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }

    /// The policy it follows.
    #[getter]
    fn policy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = lock(&self.inner).policy();
        policy_member(py, p)
    }

    /// Number of attempts reported so far.
    #[getter]
    fn attempts(&self) -> usize {
        lock(&self.inner).attempts().len()
    }

    /// Whether the plan is finished.
    #[getter]
    fn is_finished(&self) -> bool {
        lock(&self.inner).is_finished()
    }

    fn __repr__(&self) -> String {
        let p = lock(&self.inner);
        format!(
            "DeliveryPlan(id={:?}, policy={:?}, attempts={})",
            p.id(),
            p.policy().name(),
            p.attempts().len()
        )
    }
}
}

/// Registers delivery classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNext>()?;
    m.add_class::<PyDeliveryPlan>()?;
    m.add_function(wrap_pyfunction!(report_outcome, m)?)?;
    Ok(())
}
