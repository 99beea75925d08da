//! Webhook signatures: pre-keyed verifiers, signers and the replay guard.

use std::cell::{Cell, OnceCell};
use std::sync::Mutex;

use paystate::signature::{
    Headers, ReplayGuard, Scheme, SignInput, Signed, Signer, TimeCheck, Verified, Verifier,
    VerifierOptions,
};
use paystate::Timestamp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::convert::{self, datetime, opt_datetime, text};
use crate::errors::Core;
use crate::handle::{lock, state_handle};

/// Bodies above this size are verified with the GIL released; small ones are not (the
/// release and re-acquire would cost more than the hashing).
const DETACH_ABOVE: usize = 4096;

static SCHEME: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

fn scheme_member(py: Python<'_>, s: Scheme) -> PyResult<Bound<'_, PyAny>> {
    let values: Vec<&str> = Scheme::ALL.iter().map(|x| x.name()).collect();
    convert::enum_member(
        py,
        &SCHEME,
        "Scheme",
        &values,
        Scheme::ALL.iter().position(|x| *x == s),
    )
}

fn scheme_arg(obj: &Bound<'_, PyAny>) -> PyResult<Scheme> {
    Scheme::parse(&text(obj, "scheme")?).core()
}

/// Secrets: one `str`/`bytes`, or a sequence of them (tried in order).
fn secrets(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Ok(vec![convert::raw(obj, "secrets")?.as_slice().to_vec()]);
    }
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(
            "secrets: expected a str or bytes secret, or a list of them",
        ));
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        out.push(convert::raw(&item, "secrets")?.as_slice().to_vec());
    }
    Ok(out)
}

// ---- headers ---------------------------------------------------------------------------

/// Header values read lazily from a Python object: a `dict`, any mapping with `.get`
/// (Starlette/Werkzeug headers, `email.message.Message`), or a list of `(name, value)`
/// pairs. Names match case-insensitively; values may be `str` or `bytes` (UTF-8).
///
/// Only the headers the scheme asks for are converted, and a value's UTF-8 bytes are
/// borrowed from a Python `bytes` object kept alive in a slot (no copy).
struct PyHeaders<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    kind: Kind,
    slots: [OnceCell<Bound<'py, PyBytes>>; 12],
    used: Cell<usize>,
}

#[derive(Clone, Copy)]
enum Kind {
    Dict,
    Mapping,
    Pairs,
}

/// Interned Python strings for the header names the core asks for (a handful), so a dict
/// lookup does not build and hash a new string every call.
type NameCache = Mutex<Vec<(String, Py<PyString>)>>;
static NAMES: PyOnceLock<NameCache> = PyOnceLock::new();
const MAX_CACHED_NAMES: usize = 64;

fn name_key<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    let cache = NAMES.get_or_init(py, || Mutex::new(Vec::new()));
    let mut names = lock(cache);
    if let Some((_, s)) = names.iter().find(|(n, _)| n == name) {
        return s.bind(py).clone();
    }
    let s = PyString::intern(py, name);
    if names.len() < MAX_CACHED_NAMES {
        names.push((name.to_owned(), s.clone().unbind()));
    }
    s
}

/// A header value as UTF-8 bytes held by Python: `bytes` as is, `str` encoded.
fn value_bytes<'py>(v: &Bound<'py, PyAny>) -> Option<Bound<'py, PyBytes>> {
    if let Ok(s) = v.cast::<PyString>() {
        return s.encode_utf8().ok();
    }
    let b = v.cast::<PyBytes>().ok()?;
    if std::str::from_utf8(b.as_bytes()).is_ok() {
        return Some(b.clone());
    }
    // Raw header bytes that are not UTF-8: keep them present (so a bad value is
    // `signature_malformed`, not `signature_missing`) with replacement characters.
    let lossy = String::from_utf8_lossy(b.as_bytes()).into_owned();
    Some(PyBytes::new(v.py(), lossy.as_bytes()))
}

fn value_string(v: &Bound<'_, PyAny>) -> Option<String> {
    value_bytes(v).map(|b| String::from_utf8_lossy(b.as_bytes()).into_owned())
}

fn key_matches(k: &Bound<'_, PyAny>, name: &str) -> bool {
    value_bytes(k).is_some_and(|k| k.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
}

impl<'a, 'py> PyHeaders<'a, 'py> {
    fn new(obj: &'a Bound<'py, PyAny>) -> PyResult<Self> {
        let kind = if obj.is_instance_of::<PyDict>() {
            Kind::Dict
        } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            Kind::Pairs
        } else if obj.hasattr("get")? {
            Kind::Mapping
        } else {
            return Err(PyTypeError::new_err(
                "headers: expected a dict, a mapping with .get(), or a list of (name, value) pairs",
            ));
        };
        Ok(PyHeaders {
            obj,
            kind,
            slots: Default::default(),
            used: Cell::new(0),
        })
    }

    fn scan<I: Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>>(
        it: I,
        name: &str,
    ) -> Option<Bound<'py, PyBytes>> {
        for (k, v) in it {
            if key_matches(&k, name) {
                return value_bytes(&v);
            }
        }
        None
    }

    fn lookup(&self, name: &str) -> Option<Bound<'py, PyBytes>> {
        let py = self.obj.py();
        match self.kind {
            Kind::Dict => {
                let d = self.obj.cast::<PyDict>().ok()?;
                if let Ok(Some(v)) = d.get_item(name_key(py, name)) {
                    return value_bytes(&v);
                }
                let lower = name.to_ascii_lowercase();
                if lower != name {
                    if let Ok(Some(v)) = d.get_item(name_key(py, &lower)) {
                        return value_bytes(&v);
                    }
                }
                Self::scan(d.iter(), name)
            }
            Kind::Mapping => {
                for candidate in [name.to_owned(), name.to_ascii_lowercase()] {
                    if let Ok(v) = self.obj.call_method1("get", (candidate,)) {
                        if !v.is_none() {
                            return value_bytes(&v);
                        }
                    }
                }
                let items = self.obj.call_method0("items").ok()?;
                let pairs = items.try_iter().ok()?.filter_map(|p| {
                    p.ok()?
                        .extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()
                        .ok()
                });
                Self::scan(pairs, name)
            }
            Kind::Pairs => {
                let pairs = self.obj.try_iter().ok()?.filter_map(|p| {
                    p.ok()?
                        .extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()
                        .ok()
                });
                Self::scan(pairs, name)
            }
        }
    }

    /// Every header as owned pairs (before releasing the GIL).
    fn collect_all(&self) -> PyResult<Vec<(String, String)>> {
        let items: Bound<'py, PyAny> = match self.kind {
            Kind::Dict | Kind::Mapping => self.obj.call_method0("items")?,
            Kind::Pairs => self.obj.clone(),
        };
        let mut out = Vec::new();
        for p in items.try_iter()? {
            let Ok((k, v)) = p?.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>() else {
                continue;
            };
            if let (Some(k), Some(v)) = (value_string(&k), value_string(&v)) {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}

impl Headers for PyHeaders<'_, '_> {
    fn header(&self, name: &str) -> Option<&str> {
        let value = self.lookup(name)?;
        let i = self.used.get();
        let slot = self.slots.get(i)?;
        self.used.set(i + 1);
        slot.set(value).ok()?;
        slot.get()
            .and_then(|b| std::str::from_utf8(b.as_bytes()).ok())
    }
}

// ---- verifier ----------------------------------------------------------------------------

/// A successful verification.
#[pyclass(frozen, module = "paystate", name = "Verified")]
pub struct PyVerified {
    inner: Verified,
}

#[pymethods]
impl PyVerified {
    /// The scheme that verified.
    #[getter]
    fn scheme<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        scheme_member(py, self.inner.scheme)
    }
    /// Index of the secret that matched, in the order given.
    #[getter]
    fn key_index(&self) -> usize {
        self.inner.key_index
    }
    /// The signed timestamp, for timestamped schemes.
    #[getter]
    fn timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_datetime(py, self.inner.timestamp)
    }
    /// The replay-guard key (None for `gatenoc` and `keypair_invoice`).
    #[getter]
    fn replay_key(&self) -> Option<&str> {
        self.inner.replay.as_ref().map(|r| r.key.as_str())
    }
    /// Until when the replay guard must remember the key.
    #[getter]
    fn keep_until<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_datetime(py, self.inner.replay.as_ref().map(|r| r.keep_until))
    }
    fn __repr__(&self) -> String {
        format!(
            "Verified(scheme={:?}, key_index={})",
            self.inner.scheme.name(),
            self.inner.key_index
        )
    }
}

/// A webhook verifier for one scheme and one set of secrets (key rotation: any may
/// match). Build it once per endpoint and reuse it from any thread: keys are derived up
/// front, and verification never mutates it. Secrets never appear in its repr.
#[pyclass(frozen, module = "paystate", name = "Verifier")]
pub struct PyVerifier {
    inner: Verifier,
}

fn options(
    tolerance: Option<&Bound<'_, PyAny>>,
    check_time: bool,
    replay_retention: Option<&Bound<'_, PyAny>>,
) -> PyResult<VerifierOptions> {
    let mut o = VerifierOptions::default();
    if let Some(t) = tolerance.filter(|t| !t.is_none()) {
        o.time_check = TimeCheck::Within(convert::duration(t, "tolerance")?);
    }
    if !check_time {
        o.time_check = TimeCheck::Skip;
    }
    if let Some(r) = replay_retention.filter(|r| !r.is_none()) {
        o.replay_retention = convert::duration(r, "replay_retention")?;
    }
    Ok(o)
}

fn verify_with(
    py: Python<'_>,
    verifier: &Verifier,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
) -> PyResult<PyVerified> {
    // `now` is always the host's: no binding reads the clock (docs/spec.md §1).
    let now: Timestamp = convert::timestamp(now, "now")?;
    let raw = convert::raw(body, "body")?;
    let hdrs = PyHeaders::new(headers)?;
    let body = raw.as_slice();
    let result = if body.len() > DETACH_ABOVE {
        let owned = hdrs.collect_all()?;
        py.detach(|| verifier.verify(&owned, body, now))
    } else {
        verifier.verify(&hdrs, body, now)
    };
    Ok(PyVerified {
        inner: result.core()?,
    })
}

#[pymethods]
impl PyVerifier {
    /// `tolerance` (int seconds or timedelta) replaces the scheme's time window;
    /// `check_time=False` skips the time check explicitly; `replay_retention` is how long
    /// replay keys of untimestamped messages are kept (default 24 h).
    #[new]
    #[pyo3(signature = (scheme, secrets, *, tolerance=None, check_time=true, replay_retention=None))]
    fn new(
        scheme: &Bound<'_, PyAny>,
        secrets: &Bound<'_, PyAny>,
        tolerance: Option<&Bound<'_, PyAny>>,
        check_time: bool,
        replay_retention: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let scheme = scheme_arg(scheme)?;
        let keys = self::secrets(secrets)?;
        let opts = options(tolerance, check_time, replay_retention)?;
        Ok(PyVerifier {
            inner: Verifier::with_options(scheme, &keys, opts).core()?,
        })
    }

    /// Verifies one delivery: the headers, the raw body (`bytes`, or `str` as UTF-8) and
    /// `now`, the time of receipt (required). Raises `SignatureError` on failure.
    #[pyo3(signature = (headers, body, now))]
    fn verify(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PyVerified> {
        verify_with(py, &self.inner, headers, body, now)
    }

    /// The scheme this verifier checks.
    #[getter]
    fn scheme<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        scheme_member(py, self.inner.scheme())
    }

    /// How many secrets it tries.
    #[getter]
    fn key_count(&self) -> usize {
        self.inner.key_count()
    }

    /// The time window applied, or None (no timestamp, or the check is skipped).
    #[getter]
    fn tolerance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.tolerance() {
            Some(d) => convert::timedelta(py, d),
            None => Ok(py.None().into_bound(py)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(scheme={:?}, keys={})",
            self.inner.scheme().name(),
            self.inner.key_count()
        )
    }
}

/// One-shot verification (builds the keys every call: prefer a `Verifier`).
#[pyfunction]
#[pyo3(signature = (scheme, secrets, headers, body, now, *, tolerance=None, check_time=true))]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    scheme: &Bound<'_, PyAny>,
    secrets: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    tolerance: Option<&Bound<'_, PyAny>>,
    check_time: bool,
) -> PyResult<PyVerified> {
    let v = PyVerifier::new(scheme, secrets, tolerance, check_time, None)?;
    verify_with(py, &v.inner, headers, body, now)
}

// ---- signer --------------------------------------------------------------------------------

/// What a provider would send: headers, and for schemes that sign inside the body the
/// signature value and the body to send.
#[pyclass(frozen, module = "paystate", name = "Signed")]
pub struct PySigned {
    inner: Signed,
}

#[pymethods]
impl PySigned {
    /// Headers to send, with the provider's own spelling.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.headers {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    /// `monetix`: the signature placed in the body; `keypair_invoice`: the key.
    #[getter]
    fn signature(&self) -> Option<&str> {
        self.inner.signature.as_deref()
    }
    /// `monetix` and `keypair_invoice`: the body to send.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.body.as_ref().map(|b| PyBytes::new(py, b))
    }
    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.inner.headers.iter().map(|(k, _)| k.as_str()).collect();
        format!("Signed(headers={names:?}, signature=<redacted>)")
    }
}

/// Signs webhooks as a provider would (the host is the sender).
#[pyclass(frozen, module = "paystate", name = "Signer")]
pub struct PySigner {
    inner: Signer,
}

fn sign_with(
    signer: &Signer,
    body: &Bound<'_, PyAny>,
    id: Option<&Bound<'_, PyAny>>,
    nonce: Option<&Bound<'_, PyAny>>,
    timestamp: Option<&Bound<'_, PyAny>>,
) -> PyResult<PySigned> {
    let raw = convert::raw(body, "body")?;
    let id = id
        .filter(|v| !v.is_none())
        .map(|v| text(v, "id"))
        .transpose()?;
    let nonce = nonce
        .filter(|v| !v.is_none())
        .map(|v| text(v, "nonce"))
        .transpose()?;
    let timestamp = convert::opt_timestamp(timestamp, "timestamp")?;
    let input = SignInput {
        id: id.as_deref(),
        nonce: nonce.as_deref(),
        timestamp,
    };
    Ok(PySigned {
        inner: signer.sign(raw.as_slice(), &input).core()?,
    })
}

#[pymethods]
impl PySigner {
    #[new]
    fn new(scheme: &Bound<'_, PyAny>, secrets: &Bound<'_, PyAny>) -> PyResult<Self> {
        let scheme = scheme_arg(scheme)?;
        let keys = self::secrets(secrets)?;
        Ok(PySigner {
            inner: Signer::new(scheme, &keys).core()?,
        })
    }

    /// Signs `body`; `id`, `nonce` and `timestamp` are the inputs the scheme signs.
    #[pyo3(signature = (body, *, id=None, nonce=None, timestamp=None))]
    fn sign(
        &self,
        body: &Bound<'_, PyAny>,
        id: Option<&Bound<'_, PyAny>>,
        nonce: Option<&Bound<'_, PyAny>>,
        timestamp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySigned> {
        sign_with(&self.inner, body, id, nonce, timestamp)
    }

    /// Signs `body` with the inputs that `headers` carry, as a verifier reads them: the id
    /// (`webhook-id`, `id`), the nonce (`X-GatePay-Nonce`, `nonce`) and the timestamp in
    /// the scheme's digits (`webhook-timestamp`, `X-GatePay-Timestamp`, `timestamp`, `t`),
    /// which is `now` when none is given.
    #[pyo3(signature = (body, headers, *, now))]
    fn sign_from_headers(
        &self,
        body: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PySigned> {
        let raw = convert::raw(body, "body")?;
        let now = convert::timestamp(now, "now")?;
        let scheme = self.inner.scheme();
        let hdrs = PyHeaders::new(headers)?;
        let input = SignInput::from_headers(scheme, &hdrs, now).core()?;
        Ok(PySigned {
            inner: self.inner.sign(raw.as_slice(), &input).core()?,
        })
    }

    /// The scheme this signer produces.
    #[getter]
    fn scheme<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        scheme_member(py, self.inner.scheme())
    }

    fn __repr__(&self) -> String {
        format!("Signer(scheme={:?})", self.inner.scheme().name())
    }
}

/// One-shot signing.
#[pyfunction]
#[pyo3(signature = (scheme, secrets, body, *, id=None, nonce=None, timestamp=None))]
fn sign(
    scheme: &Bound<'_, PyAny>,
    secrets: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    id: Option<&Bound<'_, PyAny>>,
    nonce: Option<&Bound<'_, PyAny>>,
    timestamp: Option<&Bound<'_, PyAny>>,
) -> PyResult<PySigned> {
    let signer = PySigner::new(scheme, secrets)?;
    sign_with(&signer.inner, body, id, nonce, timestamp)
}

/// Reads a timestamp header value the way `scheme` writes it (seconds or milliseconds).
#[pyfunction]
fn parse_scheme_timestamp<'py>(
    py: Python<'py>,
    scheme: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let scheme = scheme_arg(scheme)?;
    let v = text(value, "timestamp")?;
    let t = paystate::signature::parse_scheme_timestamp(scheme, &v, "timestamp").core()?;
    datetime(py, t)
}

/// The Monetix (ECommPay) signing string of a JSON body: every scalar flattened to
/// `path:value`, sorted, joined with `;` (the `signature` members removed).
#[pyfunction]
fn monetix_signing_string(body: &Bound<'_, PyAny>) -> PyResult<String> {
    let raw = convert::raw(body, "body")?;
    let map = paystate::json::parse_object(raw.as_slice()).core()?;
    Ok(paystate::signature::monetix_signing_string(&map))
}

// ---- replay guard --------------------------------------------------------------------------

/// A bounded, time-windowed set of accepted message keys: `replayed` on a repeat.
/// `capacity` defaults to 100 000 keys; when full, the key that expires first is dropped.
/// Thread-safe; plain data (`to_json`) the host can persist.
#[pyclass(frozen, module = "paystate", name = "ReplayGuard")]
pub struct PyReplayGuard {
    inner: Mutex<ReplayGuard>,
}

state_handle! {
impl PyReplayGuard {
    #[new]
    #[pyo3(signature = (capacity=None))]
    fn new(capacity: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let Some(capacity) = capacity.filter(|c| !c.is_none()) else {
            return Ok(PyReplayGuard {
                inner: Mutex::new(ReplayGuard::default()),
            });
        };
        if capacity.is_instance_of::<pyo3::types::PyBool>()
            || !capacity.is_instance_of::<pyo3::types::PyInt>()
        {
            return Err(PyTypeError::new_err("capacity: expected an int"));
        }
        let cap = capacity
            .extract::<i64>()
            .ok()
            .and_then(|c| usize::try_from(c).ok())
            .ok_or_else(|| {
                crate::errors::invalid_field("capacity", "must be between 1 and 2**63 - 1")
            })?;
        Ok(PyReplayGuard {
            inner: Mutex::new(ReplayGuard::new(cap).core()?),
        })
    }

    /// Records a successful verification; `replayed` if its key was seen in its window.
    /// Schemes without a replay key pass untouched.
    #[pyo3(signature = (verified, *, now))]
    fn record(&self, verified: &PyVerified, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let now = convert::timestamp(now, "now")?;
        lock(&self.inner).record(&verified.inner, now).core()
    }

    /// Accepts `key` once, remembering it until `keep_until`; `replayed` on a repeat.
    #[pyo3(signature = (key, keep_until, *, now))]
    fn check_and_record(
        &self,
        key: &Bound<'_, PyAny>,
        keep_until: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let key = text(key, "key")?;
        let keep_until = convert::timestamp(keep_until, "keep_until")?;
        let now = convert::timestamp(now, "now")?;
        lock(&self.inner)
            .check_and_record(&key, keep_until, now)
            .core()
    }

    /// Whether `key` is held and still inside its window at `now`.
    #[pyo3(signature = (key, *, now))]
    fn contains(&self, key: &Bound<'_, PyAny>, now: &Bound<'_, PyAny>) -> PyResult<bool> {
        let key = text(key, "key")?;
        let now = convert::timestamp(now, "now")?;
        Ok(lock(&self.inner).contains(&key, now))
    }

    /// Drops every key whose window has passed at `now`.
    fn purge(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let now = convert::timestamp(now, "now")?;
        lock(&self.inner).purge(now);
        Ok(())
    }

    /// When the next key expires, or None.
    fn next_deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = lock(&self.inner).next_deadline();
        opt_datetime(py, t)
    }

    /// The most keys kept at once.
    #[getter]
    fn capacity(&self) -> usize {
        lock(&self.inner).capacity()
    }

    fn __len__(&self) -> usize {
        lock(&self.inner).len()
    }

    fn __repr__(&self) -> String {
        let g = lock(&self.inner);
        format!("ReplayGuard(len={}, capacity={})", g.len(), g.capacity())
    }
}
}

/// Registers signature classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVerified>()?;
    m.add_class::<PyVerifier>()?;
    m.add_class::<PySigned>()?;
    m.add_class::<PySigner>()?;
    m.add_class::<PyReplayGuard>()?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(parse_scheme_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(monetix_signing_string, m)?)?;
    Ok(())
}
