//! The one place where a core [`paystate::Error`] becomes a Python exception.
//!
//! The exception classes are pure Python (`paystate/_errors.py`); the factory
//! `paystate._errors._from_core(code, field, message)` picks the subclass for the code.
//! It is imported once and cached.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core error into the matching `paystate.PaystateError` subclass, with
/// `.code`, `.field` and the core's message (which never contains a secret).
pub fn to_py_err(py: Python<'_>, e: &paystate::Error) -> PyErr {
    make_err(py, e, false)
}

/// Like [`to_py_err`], for an error met while loading a stored state document: text
/// that does not parse is then `paystate.StateError`, never a signature error
/// (`docs/spec.md` §2, "State documents").
pub fn to_py_load_err(py: Python<'_>, e: &paystate::Error) -> PyErr {
    make_err(py, e, true)
}

fn make_err(py: Python<'_>, e: &paystate::Error, loading: bool) -> PyErr {
    let make = match FROM_CORE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("paystate._errors")?
            .getattr("_from_core")?
            .unbind())
    }) {
        Ok(f) => f.bind(py),
        Err(import_error) => return import_error,
    };
    match make.call1((e.code(), e.field(), e.to_string(), loading)) {
        Ok(exc) => PyErr::from_value(exc),
        Err(other) => other,
    }
}

/// `?`-friendly mapping of core results.
pub trait Core<T> {
    /// Maps the core error, if any, to its Python exception.
    fn core(self) -> PyResult<T>;
}

impl<T> Core<T> for Result<T, paystate::Error> {
    fn core(self) -> PyResult<T> {
        self.map_err(|e| Python::attach(|py| to_py_err(py, &e)))
    }
}

/// `?`-friendly mapping of core results met while loading stored state.
pub trait Load<T> {
    /// Maps the core error, if any, to its Python exception as a loading error.
    fn loading(self) -> PyResult<T>;
}

impl<T> Load<T> for Result<T, paystate::Error> {
    fn loading(self) -> PyResult<T> {
        self.map_err(|e| Python::attach(|py| to_py_load_err(py, &e)))
    }
}

/// An `invalid_field` error raised by the conversion layer itself (a naive datetime, an
/// integer out of range), expressed in the core's vocabulary.
pub fn invalid_field(
    field: impl Into<paystate::error::FieldName>,
    reason: impl Into<String>,
) -> PyErr {
    let e = paystate::Error::InvalidField {
        field: field.into(),
        reason: reason.into(),
    };
    Python::attach(|py| to_py_err(py, &e))
}

/// A `malformed_json` loading error for state documents that do not parse.
pub fn malformed_state(reason: impl std::fmt::Display) -> PyErr {
    let e = paystate::Error::malformed_json(reason);
    Python::attach(|py| to_py_load_err(py, &e))
}

static FROM_REJECTION: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a dialect [`Rejection`](paystate::dialect::Rejection) into a
/// `paystate.DialectRejection` (a `ValidationError`) carrying the core code, the
/// provider's field name, the message, and the provider's HTTP status and body.
pub fn rejection_to_py_err(py: Python<'_>, r: &paystate::dialect::Rejection) -> PyErr {
    let make = match FROM_REJECTION.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("paystate._errors")?
            .getattr("_from_rejection")?
            .unbind())
    }) {
        Ok(f) => f.bind(py),
        Err(import_error) => return import_error,
    };
    let body = match &r.body {
        Some(b) => match crate::convert::from_json(py, b) {
            Ok(v) => v,
            Err(e) => return e,
        },
        None => py.None().into_bound(py),
    };
    let field = (!r.field.is_empty()).then_some(r.field.as_str());
    match make.call1((r.code(), field, r.error.to_string(), r.http_status, body)) {
        Ok(exc) => PyErr::from_value(exc),
        Err(other) => other,
    }
}

/// `?`-friendly mapping of dialect create-request results.
pub trait Reject<T> {
    /// Maps the rejection, if any, to `paystate.DialectRejection`.
    fn rejected(self) -> PyResult<T>;
}

impl<T> Reject<T> for Result<T, paystate::dialect::Rejection> {
    fn rejected(self) -> PyResult<T> {
        self.map_err(|r| Python::attach(|py| rejection_to_py_err(py, &r)))
    }
}
