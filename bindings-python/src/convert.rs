//! Conversions at the Python edge: amounts (`Decimal`), times (`datetime` / int ms),
//! durations (int seconds / `timedelta`), bodies (`bytes` / `str`), enums and JSON.
//!
//! Nothing here decides a rule: amounts are handed to the core as exact text and the
//! core's grammar judges them; times become unix milliseconds and the core checks range.

use std::borrow::Cow;

use paystate::{Amount, Duration, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Value};

use crate::errors::{invalid_field, Core, Load};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ONE_MS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static ONE_S: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}

fn timedelta_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIMEDELTA.import(py, "datetime", "timedelta")
}

fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    EPOCH
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", utc)?;
            Ok(datetime_type(py)?
                .call((1970, 1, 1), Some(&kwargs))?
                .unbind())
        })
        .map(|o| o.bind(py))
}

fn timedelta_unit<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    ms: i64,
) -> PyResult<&'py Bound<'py, PyAny>> {
    cell.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(timedelta_type(py)?.call1((0, 0, 0, ms))?.unbind())
    })
    .map(|o| o.bind(py))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// The UTF-8 text of a Python `str`; a lone surrogate (not valid Unicode) is
/// `invalid_field` on `field`.
pub fn utf8(s: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    s.to_cow()
        .map(Cow::into_owned)
        .map_err(|_| invalid_field(field.to_owned(), "not valid Unicode (lone surrogate)"))
}

// ---- amounts -------------------------------------------------------------------------

/// The exact text of an amount given as `Decimal`, `str` or `int` (never `float`).
///
/// `str` is passed verbatim, so the core's strict grammar applies to it (`"1E+3"` is
/// `invalid_amount`). A `Decimal` is a value, not text: it is written in positional form
/// exactly (`Decimal("1E+3")` is `"1000"`, `Decimal("1E-7")` is `"0.0000001"`); NaN,
/// infinities and negative values reach the core as text it rejects (`invalid_amount`).
pub fn amount_text(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    if obj.is_instance_of::<PyString>() {
        return utf8(obj.cast::<PyString>()?, field);
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: amounts must be decimal.Decimal or str, not float (floats are inexact: \
             write Decimal(\"10.50\") or \"10.50\")"
        )));
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: amounts must be decimal.Decimal or str, not bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.str()?.to_cow()?.into_owned());
    }
    if obj.is_instance(decimal_type(obj.py())?)? {
        let text = obj.str()?.to_cow()?.into_owned();
        return Ok(positional(&text).unwrap_or(text));
    }
    Err(PyTypeError::new_err(format!(
        "{field}: amounts must be decimal.Decimal or str, not {}",
        type_name(obj)
    )))
}

/// Writes `Decimal.__str__` scientific output (`1.5E+3`, `1E-7`) positionally. Returns
/// `None` when there is no exponent or it is too large to be an amount anyway (the core
/// then rejects the original text).
fn positional(text: &str) -> Option<String> {
    let (mantissa, exp) = text.split_once(['E', 'e'])?;
    let exp: i64 = exp.parse().ok()?;
    if !(-64..=64).contains(&exp) {
        return None;
    }
    let (sign, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let all: String = format!("{int_part}{frac_part}");
    let point = i64::try_from(int_part.len()).ok()? + exp;
    let len = i64::try_from(all.len()).ok()?;
    let body = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        format!("0.{}{all}", "0".repeat(zeros))
    } else if point >= len {
        let zeros = usize::try_from(point - len).ok()?;
        format!("{all}{}", "0".repeat(zeros))
    } else {
        let at = usize::try_from(point).ok()?;
        let (a, b) = all.split_at_checked(at)?;
        format!("{a}.{b}")
    };
    Some(format!("{sign}{body}"))
}

/// An amount parsed by the core's grammar.
pub fn amount(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Amount> {
    Amount::parse(&amount_text(obj, field)?, field).core()
}

/// An optional amount (`None` stays `None`).
pub fn opt_amount(obj: Option<&Bound<'_, PyAny>>, field: &'static str) -> PyResult<Option<Amount>> {
    match obj {
        Some(o) if !o.is_none() => amount(o, field).map(Some),
        _ => Ok(None),
    }
}

/// A core amount as a `decimal.Decimal`, built from its exact text.
pub fn decimal<'py>(py: Python<'py>, a: &Amount) -> PyResult<Bound<'py, PyAny>> {
    decimal_type(py)?.call1((a.to_string(),))
}

/// An optional core amount as `Decimal | None`.
pub fn opt_decimal<'py>(py: Python<'py>, a: Option<&Amount>) -> PyResult<Bound<'py, PyAny>> {
    match a {
        Some(a) => decimal(py, a),
        None => Ok(py.None().into_bound(py)),
    }
}

// ---- time ----------------------------------------------------------------------------

/// A time given as a timezone-aware `datetime` or int unix milliseconds.
pub fn timestamp(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Timestamp> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: times must be a timezone-aware datetime or int milliseconds, not bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        let ms: i64 = obj
            .extract()
            .map_err(|_| invalid_field(field, "milliseconds out of range"))?;
        return Timestamp::from_millis(ms, field).core();
    }
    if obj.is_instance(datetime_type(py)?)? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(invalid_field(
                field,
                "naive datetime: give a timezone-aware one, e.g. datetime.now(timezone.utc)",
            ));
        }
        let delta = obj.call_method1("__sub__", (epoch(py)?,))?;
        let ms: i64 = delta
            .call_method1("__floordiv__", (timedelta_unit(py, &ONE_MS, 1)?,))?
            .extract()
            .map_err(|_| invalid_field(field, "time out of range"))?;
        return Timestamp::from_millis(ms, field).core();
    }
    Err(PyTypeError::new_err(format!(
        "{field}: times must be a timezone-aware datetime or int milliseconds, not {}",
        type_name(obj)
    )))
}

/// An optional time.
pub fn opt_timestamp(
    obj: Option<&Bound<'_, PyAny>>,
    field: &'static str,
) -> PyResult<Option<Timestamp>> {
    match obj {
        Some(o) if !o.is_none() => timestamp(o, field).map(Some),
        _ => Ok(None),
    }
}

/// A core timestamp as a UTC `datetime`.
pub fn datetime<'py>(py: Python<'py>, t: Timestamp) -> PyResult<Bound<'py, PyAny>> {
    let delta = timedelta_type(py)?.call1((0, 0, 0, t.as_millis()))?;
    epoch(py)?.call_method1("__add__", (delta,))
}

/// An optional timestamp as `datetime | None`.
pub fn opt_datetime<'py>(py: Python<'py>, t: Option<Timestamp>) -> PyResult<Bound<'py, PyAny>> {
    match t {
        Some(t) => datetime(py, t),
        None => Ok(py.None().into_bound(py)),
    }
}

/// A core duration as a `timedelta`.
pub fn timedelta<'py>(py: Python<'py>, d: Duration) -> PyResult<Bound<'py, PyAny>> {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    timedelta_type(py)?.call1((0, 0, 0, ms))
}

/// A span as int seconds or a `timedelta` in whole seconds, as a core duration.
/// Negative values, values beyond `u64` seconds and fractions of a second are
/// `invalid_field` on `field`.
pub fn whole_seconds(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Duration> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: durations must be int seconds or datetime.timedelta, not {}",
            type_name(obj)
        )));
    }
    let secs = if obj.is_instance_of::<PyInt>() {
        obj.clone()
    } else if obj.is_instance(timedelta_type(py)?)? {
        let one = timedelta_unit(py, &ONE_S, 1000)?;
        let rest = obj.call_method1("__mod__", (&one,))?;
        if rest.is_truthy()? {
            return Err(invalid_field(field, "must be a whole number of seconds"));
        }
        obj.call_method1("__floordiv__", (one,))?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{field}: durations must be int seconds or datetime.timedelta, not {}",
            type_name(obj)
        )));
    };
    let s: u64 = secs.extract().map_err(|_| {
        let text = secs.str().map(|t| t.to_string()).unwrap_or_default();
        if text.starts_with('-') {
            invalid_field(
                field,
                format!("expected a non-negative whole number, found {text}"),
            )
        } else {
            invalid_field(field, format!("{text} is out of range"))
        }
    })?;
    Duration::from_seconds(s, field).core()
}

/// A span as int seconds or a `timedelta`, as a core duration (millisecond precision).
pub fn duration(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Duration> {
    let py = obj.py();
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: durations must be int seconds or datetime.timedelta, not {}",
            type_name(obj)
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        let s: i64 = obj
            .extract()
            .map_err(|_| invalid_field(field, "out of range"))?;
        let s = u64::try_from(s).map_err(|_| invalid_field(field, "must not be negative"))?;
        return Duration::from_seconds(s, field).core();
    }
    if obj.is_instance(timedelta_type(py)?)? {
        let ms: i64 = obj
            .call_method1("__floordiv__", (timedelta_unit(py, &ONE_MS, 1)?,))?
            .extract()
            .map_err(|_| invalid_field(field, "out of range"))?;
        let ms = u64::try_from(ms).map_err(|_| invalid_field(field, "must not be negative"))?;
        return Duration::from_millis(ms, field).core();
    }
    Err(PyTypeError::new_err(format!(
        "{field}: durations must be int seconds or datetime.timedelta, not {}",
        type_name(obj)
    )))
}

/// A duration given in milliseconds (int) or as a `timedelta`.
pub fn duration_ms(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Duration> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        let ms: i64 = obj
            .extract()
            .map_err(|_| invalid_field(field, "out of range"))?;
        let ms = u64::try_from(ms).map_err(|_| invalid_field(field, "must not be negative"))?;
        return Duration::from_millis(ms, field).core();
    }
    duration(obj, field)
}

// ---- strings, bytes, enums --------------------------------------------------------------

/// A `str` argument (a `str`-valued enum member gives its value).
pub fn text(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => utf8(s, field),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{field}: expected str, not {}",
            type_name(obj)
        ))),
    }
}

/// Raw bytes of a body or secret: `bytes`, `bytearray`, or `str` (encoded as UTF-8).
pub enum Raw<'a> {
    /// Borrowed from an immutable `bytes` object.
    Borrowed(&'a [u8]),
    /// Copied (bytearray) or encoded (str).
    Owned(Vec<u8>),
}

impl Raw<'_> {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Raw::Borrowed(b) => b,
            Raw::Owned(v) => v,
        }
    }
}

/// Reads `bytes`, `bytearray` or `str` (UTF-8).
pub fn raw<'a>(obj: &'a Bound<'_, PyAny>, field: &str) -> PyResult<Raw<'a>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Raw::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Raw::Owned(utf8(s, field)?.into_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Raw::Owned(b.to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "{field}: expected bytes or str, not {}",
        type_name(obj)
    )))
}

/// The member of a pure-Python enum (`paystate._enums.<class_name>`) at `index` of
/// `values` (the core's `ALL` order). Members are cached per class.
pub fn enum_member<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Vec<Py<PyAny>>>,
    class_name: &str,
    values: &[&str],
    index: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let members = cell.get_or_try_init(py, || -> PyResult<Vec<Py<PyAny>>> {
        let cls = py.import("paystate._enums")?.getattr(class_name)?;
        values
            .iter()
            .map(|v| cls.call1((*v,)).map(Bound::unbind))
            .collect()
    })?;
    match index.and_then(|i| members.get(i)) {
        Some(m) => Ok(m.bind(py).clone()),
        None => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "paystate: no {class_name} member for this value"
        ))),
    }
}

// ---- JSON --------------------------------------------------------------------------------

const MAX_DEPTH: usize = 64;

fn int_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let text = obj.str()?.to_cow()?.into_owned();
    serde_json::from_str::<Value>(&text)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}

/// A Python value as JSON: dict (str keys), list, tuple, str, int, bool, None, and
/// `Decimal` (written as a JSON number from its exact text). Floats are refused: this
/// JSON carries money. Nesting deeper than 64 is `invalid_field`.
pub fn to_json(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Value> {
    to_json_at(obj, field, 0)
}

fn to_json_at(obj: &Bound<'_, PyAny>, field: &'static str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(invalid_field(field, "nested too deeply"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int_json(obj);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(utf8(s, field)?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = text(&k, field)?;
            map.insert(key, to_json_at(&v, field, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        let items: PyResult<Vec<Value>> =
            l.iter().map(|v| to_json_at(&v, field, depth + 1)).collect();
        return Ok(Value::Array(items?));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let items: PyResult<Vec<Value>> =
            t.iter().map(|v| to_json_at(&v, field, depth + 1)).collect();
        return Ok(Value::Array(items?));
    }
    if obj.is_instance(decimal_type(obj.py())?)? {
        let is_finite: bool = obj.call_method0("is_finite")?.extract()?;
        if !is_finite {
            return Err(invalid_field(field, "NaN and infinities are not JSON"));
        }
        let text = obj.str()?.to_cow()?.into_owned();
        let text = positional(&text).unwrap_or(text);
        return serde_json::from_str::<Value>(&text)
            .map_err(|_| invalid_field(field, "this Decimal is not a JSON number"));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: floats are not accepted (money is never a float): use decimal.Decimal or str"
        )));
    }
    Err(PyTypeError::new_err(format!(
        "{field}: {} is not JSON (dict, list, str, int, bool, None, Decimal)",
        type_name(obj)
    )))
}

/// JSON as Python: objects are dicts, numbers are `int` when integral, else `Decimal`
/// (exact; never `float`).
pub fn from_json<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            let text = n.to_string();
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                py.get_type::<PyInt>().call1((text,))?
            } else {
                decimal_type(py)?.call1((text,))?
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_json(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, from_json(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// A mapping argument as a JSON object (TypeError when it is not a dict).
pub fn json_object(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Map<String, Value>> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a dict, not {}",
            type_name(obj)
        )));
    }
    match to_json(obj, field)? {
        Value::Object(m) => Ok(m),
        _ => Err(invalid_field(field, "expected an object")),
    }
}

/// State text for `from_json`: `str` or `bytes` (UTF-8).
pub fn state_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let raw = raw(obj, "text")?;
    String::from_utf8(raw.as_slice().to_vec())
        .map_err(|_| crate::errors::malformed_state("not UTF-8"))
}

/// Serialises core state with serde (never fails for the core's plain data).
pub fn to_json_text<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}

/// Reads stored core state; a document that does not load is `paystate.StateError`.
pub fn from_json_text<T: serde::de::DeserializeOwned>(obj: &Bound<'_, PyAny>) -> PyResult<T> {
    let text = state_text(obj)?;
    paystate::json::from_stored(&text).loading()
}

/// A core serde value as Python (dicts, lists, str, int, Decimal).
pub fn serde_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    from_json(py, &v)
}
