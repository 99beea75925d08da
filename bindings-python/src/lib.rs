//! `paystate._paystate`: the native half of the Python package `paystate`.
//!
//! Thin by design: every class converts Python values at the edge (`Decimal`, aware
//! `datetime`, `bytes`) and hands them to the core, and every core error is raised as a
//! `paystate.PaystateError` subclass by the single function in `errors`. The pure-Python
//! package (`python/paystate/`) defines the exceptions and enums and re-exports this module.
//!
//! `unsafe` stays forbidden: the PyO3 macros expand to code that respects that.

mod address;
mod convert;
mod delivery;
mod dialect;
mod errors;
mod handle;
mod invoice;
mod matching;
mod signature;

use pyo3::prelude::*;

use crate::errors::Core;

/// Parses an RFC 3339 time strictly (offsets allowed; sub-millisecond digits are
/// truncated toward the past) into a UTC `datetime`.
#[pyfunction]
fn parse_time<'py>(py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let t = convert::text(text, "time")?;
    let ts = paystate::Timestamp::parse(&t, "time").core()?;
    convert::datetime(py, ts)
}

/// Writes a time (aware `datetime` or int ms) as RFC 3339 in UTC (`2026-03-24T12:00:00Z`).
#[pyfunction]
fn format_time(time: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(convert::timestamp(time, "time")?.to_rfc3339())
}

/// Parses an amount with the core's strict grammar (`[0-9]+(\.[0-9]+)?`, at most 28
/// significant digits) into a `Decimal` in its shortest exact form.
#[pyfunction]
fn parse_amount<'py>(py: Python<'py>, text: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let a = convert::amount(text, "amount")?;
    convert::decimal(py, &a)
}

/// The native module. Import `paystate`, not this.
#[pymodule]
fn _paystate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ERROR_CODES", paystate::Error::CODES.to_vec())?;
    m.add_function(wrap_pyfunction!(parse_time, m)?)?;
    m.add_function(wrap_pyfunction!(format_time, m)?)?;
    m.add_function(wrap_pyfunction!(parse_amount, m)?)?;
    invoice::register(m)?;
    matching::register(m)?;
    signature::register(m)?;
    delivery::register(m)?;
    dialect::register(m)?;
    address::register(m)?;
    Ok(())
}
