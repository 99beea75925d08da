//! Invoices: creation, commands, events, snapshots, replay and stored state.

use std::cell::{Ref, RefCell};
use std::fmt::Write as _;
use std::rc::Rc;

use napi::bindgen_prelude::{External, FromNapiValue, Object, Unknown};
use napi::{Env, JsExternal, JsString, JsValue};
use napi_derive::napi;
use paystate::invoice::Snapshot;
use paystate::{Asset, Command, Event, JournalEntry, RefundOutcome};
use serde_json::{Map, Value};

use crate::conv;
use crate::dialect::HeldCommand;
use crate::err::{invalid_field, raise, type_error, OrThrow, R};
use crate::slab::Slab;

/// Appends `s` as a JSON string.
fn push_str(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("null"),
    }
}

/// Appends the JSON of a snapshot, in the camelCase shape of the TypeScript `Snapshot`.
fn push_snapshot(out: &mut String, s: &Snapshot) {
    out.push_str("{\"status\":\"");
    out.push_str(s.status.as_str());
    out.push_str("\",\"exceptions\":[");
    for (i, e) in s.exceptions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(e.as_str());
        out.push('"');
    }
    out.push(']');
    for (name, amount) in [
        ("amountPaid", &s.amount_paid),
        ("amountPending", &s.amount_pending),
        ("amountHeld", &s.amount_held),
        ("surplus", &s.surplus),
        ("amountRefunded", &s.amount_refunded),
        ("refundsInFlight", &s.refunds_in_flight),
        ("refundable", &s.refundable),
    ] {
        out.push_str(",\"");
        out.push_str(name);
        out.push_str("\":\"");
        out.push_str(&amount.to_string());
        out.push('"');
    }
    out.push('}');
}

/// The snapshot as JSON text (the JavaScript side parses it with `JSON.parse`).
fn snapshot_json(s: &Snapshot) -> String {
    let mut out = String::with_capacity(256);
    push_snapshot(&mut out, s);
    out
}

/// Events as JSON text `{"s": [snapshots], "e": [events]}`: each event in the shape of the
/// TypeScript `InvoiceEvent`, except `at`, which is unix milliseconds, and `invoice`, which
/// is the index of its snapshot in `s` (the events of one step share one snapshot, so it is
/// written once). The JavaScript side restores both. Used when [`events_text`] cannot
/// delimit the events (an id holding its separator).
pub(crate) fn events_json(events: &[Event]) -> String {
    let mut snaps: Vec<&Snapshot> = Vec::with_capacity(2);
    let mut out = String::with_capacity(200 * events.len() + 200);
    out.push_str("{\"e\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":");
        push_str(&mut out, &e.id);
        out.push_str(",\"type\":\"");
        out.push_str(e.event_type.as_str());
        out.push_str("\",\"invoiceId\":");
        push_str(&mut out, &e.invoice_id);
        out.push_str(",\"at\":");
        out.push_str(&e.at.as_millis().to_string());
        if let Some(tx) = &e.tx_id {
            out.push_str(",\"txId\":");
            push_str(&mut out, tx);
        }
        if let Some(r) = &e.refund_id {
            out.push_str(",\"refundId\":");
            push_str(&mut out, r);
        }
        if let Some(a) = &e.amount {
            out.push_str(",\"amount\":\"");
            out.push_str(&a.to_string());
            out.push('"');
        }
        if snaps.last() != Some(&&e.invoice) {
            snaps.push(&e.invoice);
        }
        out.push_str(",\"invoice\":");
        out.push_str(&(snaps.len().saturating_sub(1)).to_string());
        out.push('}');
    }
    out.push_str("],\"s\":[");
    for (i, snap) in snaps.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_snapshot(&mut out, snap);
    }
    out.push_str("]}");
    out
}

/// The separator of [`events_text`]'s fields (ASCII unit separator).
const SEP: char = '\u{1f}';

/// The code of a small number in [`events_text`]: one ASCII character from `0` (up to
/// [`MAX_CODE`]), which JavaScript reads with `charCodeAt(i) - 48`, with no substring and
/// no number parsing.
const CODE0: u8 = b'0';
/// The largest number one code character holds (`~` is the last printable ASCII).
const MAX_CODE: usize = (b'~' - CODE0) as usize;

fn code(n: usize) -> Option<char> {
    (n <= MAX_CODE)
        .then(|| u8::try_from(n).ok())
        .flatten()
        .map(|n| char::from(CODE0 + n))
}

/// The position of `x` in `all` (the core's `ALL` list of a vocabulary, which `index.js`
/// reads once from `statuses()`, `eventTypes()` and `exceptions()`) as a code character.
fn vocab_code<T: PartialEq>(all: &[T], x: &T) -> Option<char> {
    all.iter().position(|a| a == x).and_then(code)
}

/// `flags` bits of an event in [`events_text`].
const HAS_TX: usize = 1;
const HAS_REFUND: usize = 2;
const HAS_AMOUNT: usize = 4;
const SAME_INVOICE_ID: usize = 8;
const SAME_AT: usize = 16;

/// Events as compact text, which `index.js` reads with a cursor (`indexOf` of the
/// separator, `charCodeAt` for codes) into the objects `JSON.parse` would make from
/// [`events_json`], in about half the time of splitting every field (issue 14: turning the
/// events into objects was a third of `observeTransfer`). Codes are single characters (see
/// [`code`]); words of the vocabulary cross as their index in the core's `ALL` lists.
///
/// `n` (code: how many snapshots), then per snapshot: the status (code), each exception
/// (code), `SEP`, the seven amounts of [`push_snapshot`]'s order each followed by `SEP`;
/// then per event: its type (code), the index of its snapshot (code), its flags (code:
/// [`HAS_TX`], [`HAS_REFUND`], [`HAS_AMOUNT`], [`SAME_INVOICE_ID`] and [`SAME_AT`] as the
/// previous event), `id SEP`, `invoiceId SEP` (empty when the same), `at SEP` in unix ms
/// (empty when the same), then `txId SEP`, `refundId SEP`, `amount SEP` when present.
/// When an id holds the separator, or a count does not fit a code, the events go as
/// [`events_json`] instead (text starting with `{`).
pub(crate) fn events_text(events: &[Event]) -> String {
    let has_sep = |t: &str| t.contains(SEP);
    if events.iter().any(|e| {
        has_sep(&e.id)
            || has_sep(&e.invoice_id)
            || e.tx_id.as_deref().is_some_and(has_sep)
            || e.refund_id.as_deref().is_some_and(has_sep)
    }) {
        return events_json(events);
    }
    compact_events(events).unwrap_or_else(|| events_json(events))
}

fn compact_events(events: &[Event]) -> Option<String> {
    use paystate::{EventType, Exception, Status};
    let mut snaps: Vec<&Snapshot> = Vec::with_capacity(2);
    let mut index: Vec<usize> = Vec::with_capacity(events.len());
    for e in events {
        if snaps.last() != Some(&&e.invoice) {
            snaps.push(&e.invoice);
        }
        index.push(snaps.len().saturating_sub(1));
    }
    let mut out = String::with_capacity(96 * events.len() + 64);
    out.push(code(snaps.len())?);
    for s in &snaps {
        out.push(vocab_code(&Status::ALL, &s.status)?);
        for x in s.exceptions.iter() {
            out.push(vocab_code(&Exception::ALL, &x)?);
        }
        out.push(SEP);
        for amount in [
            &s.amount_paid,
            &s.amount_pending,
            &s.amount_held,
            &s.surplus,
            &s.amount_refunded,
            &s.refunds_in_flight,
            &s.refundable,
        ] {
            let _ = write!(out, "{amount}{SEP}");
        }
    }
    let mut previous: Option<&Event> = None;
    for (e, k) in events.iter().zip(index) {
        let same_id = previous.is_some_and(|p| p.invoice_id == e.invoice_id);
        let same_at = previous.is_some_and(|p| p.at == e.at);
        let mut flags = 0;
        for (bit, on) in [
            (HAS_TX, e.tx_id.is_some()),
            (HAS_REFUND, e.refund_id.is_some()),
            (HAS_AMOUNT, e.amount.is_some()),
            (SAME_INVOICE_ID, same_id),
            (SAME_AT, same_at),
        ] {
            if on {
                flags |= bit;
            }
        }
        out.push(vocab_code(&EventType::ALL, &e.event_type)?);
        out.push(code(k)?);
        out.push(code(flags)?);
        out.push_str(&e.id);
        out.push(SEP);
        if !same_id {
            out.push_str(&e.invoice_id);
        }
        out.push(SEP);
        if !same_at {
            let _ = write!(out, "{}", e.at.as_millis());
        }
        out.push(SEP);
        for t in [e.tx_id.as_deref(), e.refund_id.as_deref()]
            .into_iter()
            .flatten()
        {
            out.push_str(t);
            out.push(SEP);
        }
        if let Some(a) = &e.amount {
            let _ = write!(out, "{a}{SEP}");
        }
        previous = Some(e);
    }
    Some(out)
}

/// The spec keys a JavaScript caller may write in camelCase, and their contract spelling.
const SPEC_KEYS: &[(&str, &str)] = &[
    ("expiresIn", "expires_in"),
    ("expiresAt", "expires_at"),
    ("latePayment", "late_payment"),
    ("overpayDust", "overpay_dust"),
    ("confirmationWindow", "confirmation_window"),
];

/// Reads an invoice spec written in JavaScript (camelCase or the contract's snake_case
/// keys; `expiresAt` as a `Date`, milliseconds or RFC 3339) into the contract's JSON shape.
pub(crate) fn spec_map(env: &Env, v: Unknown<'_>) -> napi::Result<Map<String, Value>> {
    let raw = conv::json_object(env, v, "invoice")?;
    let mut map = Map::new();
    for (k, val) in raw {
        let key = SPEC_KEYS
            .iter()
            .find(|(camel, _)| *camel == k)
            .map_or(k, |(_, snake)| (*snake).to_owned());
        let val = match (key.as_str(), val) {
            ("expires_at", Value::Number(n)) => {
                let ms = n.as_i64().ok_or_else(|| {
                    raise(
                        env,
                        &invalid_field("invoice.expires_at", "expected whole unix milliseconds"),
                    )
                })?;
                let t = paystate::Timestamp::from_millis(ms, "invoice.expires_at").or_throw(env)?;
                Value::String(t.to_rfc3339())
            }
            ("late_payment", Value::Object(mut m)) => {
                if let Some(w) = m.shift_remove("acceptWithin") {
                    m.insert("accept_within".into(), w);
                }
                Value::Object(m)
            }
            (_, val) => val,
        };
        map.insert(key, val);
    }
    Ok(map)
}

/// An invoice behind a handle (docs/spec.md §3). The public `Invoice` class is written in
/// JavaScript (`index.js`) over these plain functions: a plain exported function crosses
/// N-API far more cheaply than a method or getter of a napi class.
///
/// Each invoice crosses as a pair: its slot number in this thread's [`Slab`], which the
/// commands take (one bounds-checked index; napi-rs checks every `External` argument
/// against a process-wide `Mutex<HashMap>` of live payloads, ~10 % of `observeTransfer` with
/// 20 000 invoices alive, issue 14), and an `External` [`InvoiceOwner`] kept on the
/// `Invoice` under [`HANDLE_KEY`]: V8 collects it with the `Invoice` (its finalizer frees
/// the slot), and the functions that take an `Invoice` object read it, so only an
/// `Invoice` made here passes for one.
pub struct InvoiceHandle {
    pub(crate) inner: paystate::Invoice,
}

thread_local! {
    static INVOICES: RefCell<Slab<InvoiceHandle>> = const { RefCell::new(Slab::new()) };
}

/// The JavaScript form of an invoice's slot ([`Slab`]).
type Handle = i64;

/// Owns an invoice's slot; dropped by napi when its `Invoice` is collected.
pub struct InvoiceOwner(Handle);

impl Drop for InvoiceOwner {
    fn drop(&mut self) {
        // Finalizers run on the JavaScript thread, never inside a native call of ours; if the
        // slab were borrowed (or this thread exiting) the slot is left, not a panic.
        let _ = INVOICES.try_with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.remove(self.0);
            }
        });
    }
}

/// A new invoice as the pair `[slot, owner]` that `index.js` wraps in an `Invoice`.
fn handle<'e>(env: &'e Env, inner: paystate::Invoice) -> napi::Result<Vec<Unknown<'e>>> {
    let h = INVOICES
        .with(|s| s.borrow_mut().insert(InvoiceHandle { inner }))
        .ok_or_else(|| napi::Error::from_reason("too many invoices alive on this thread"))?;
    let owner = External::new(InvoiceOwner(h)).into_unknown(env)?;
    Ok(vec![env.create_int64(h)?.to_unknown(), owner])
}

fn live(h: Handle) -> napi::Result<Rc<RefCell<InvoiceHandle>>> {
    INVOICES
        .with(|s| s.borrow().get(h))
        .ok_or_else(|| napi::Error::from_reason("not a live invoice handle"))
}

/// Runs `f` with the invoice behind `h`.
fn with<T>(h: Handle, f: impl FnOnce(&InvoiceHandle) -> napi::Result<T>) -> napi::Result<T> {
    let cell = live(h)?;
    let inv = cell
        .try_borrow()
        .map_err(|_| napi::Error::from_reason("the invoice is being changed"))?;
    f(&inv)
}

/// Runs `f` with the invoice behind `h`, to change it.
fn with_mut<T>(
    h: Handle,
    f: impl FnOnce(&mut InvoiceHandle) -> napi::Result<T>,
) -> napi::Result<T> {
    let cell = live(h)?;
    let mut inv = cell
        .try_borrow_mut()
        .map_err(|_| napi::Error::from_reason("the invoice is in use"))?;
    f(&mut inv)
}

/// The non-enumerable property under which a JavaScript `Invoice` keeps its handle, read by
/// the functions that take an `Invoice` (sessions, dialects, `equals`).
pub(crate) const HANDLE_KEY: &str = "__paystateInvoice";

/// The name of [`HANDLE_KEY`], so `index.js` does not spell it a second time.
#[napi]
pub fn invoice_handle_key() -> &'static str {
    HANDLE_KEY
}

/// `Invoice.fromJSON`: restores an invoice from the state `toJSON()` produced (an object or
/// its JSON text). Another schema version is `invalid_field`; a document that is not this
/// shape is `malformed_json`.
#[napi(
    ts_args_type = "state: InvoiceState | string",
    ts_return_type = "[number, ExternalObject<'Invoice'>]"
)]
pub fn invoice_from_json<'e>(env: &'e Env, state: Unknown<'_>) -> napi::Result<Vec<Unknown<'e>>> {
    let text = conv::state_text(env, state, "state")?;
    handle(env, paystate::Invoice::from_json(&text).or_throw(env)?)
}

/// `Invoice.replay`: rebuilds an invoice from its journal, the first entry being the
/// creation (`{at, command: {op: 'create_invoice', invoice: spec}}`).
#[napi(
    ts_args_type = "journal: JournalEntry[]",
    ts_return_type = "[number, ExternalObject<'Invoice'>]"
)]
pub fn invoice_replay<'e>(env: &'e Env, journal: Unknown<'_>) -> napi::Result<Vec<Unknown<'e>>> {
    let mut entries = Vec::new();
    for (i, item) in conv::items(env, journal, "journal")?
        .into_iter()
        .enumerate()
    {
        let obj = conv::as_object(env, item, "journal[]")?;
        let at = conv::prop(&obj, "at")?
            .ok_or_else(|| raise(env, &missing(format!("journal[{i}].at"))))?;
        let at = conv::time(env, at, "journal[].at")?;
        let command = conv::prop(&obj, "command")?
            .ok_or_else(|| raise(env, &missing(format!("journal[{i}].command"))))?;
        entries.push(JournalEntry {
            at,
            command: command_of(env, command)?,
        });
    }
    handle(env, paystate::Invoice::replay(&entries).or_throw(env)?)
}

#[allow(clippy::cast_precision_loss)]
fn ms(t: paystate::Timestamp) -> f64 {
    t.as_millis() as f64
}

/// `invoice.nextDeadline()` in unix milliseconds, or `null`.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_next_deadline(invoice: Handle) -> napi::Result<Option<f64>> {
    with(invoice, |invoice| Ok(invoice.inner.next_deadline().map(ms)))
}

/// `invoice.statusAt(now)`.
#[napi(
    ts_args_type = "invoice: number, now: TimeInput",
    ts_return_type = "InvoiceStatus"
)]
pub fn invoice_status_at(env: &Env, invoice: Handle, now: Unknown<'_>) -> napi::Result<String> {
    with(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        Ok(invoice.inner.status_at(now).as_str().to_owned())
    })
}

/// `invoice.id`.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_id(invoice: Handle) -> napi::Result<String> {
    with(invoice, |invoice| Ok(invoice.inner.id().to_owned()))
}

/// `invoice.reference`.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_reference(invoice: Handle) -> napi::Result<Option<String>> {
    with(invoice, |invoice| {
        Ok(invoice.inner.spec().reference.clone())
    })
}

/// `invoice.status`.
#[napi(ts_args_type = "invoice: number", ts_return_type = "InvoiceStatus")]
pub fn invoice_status(invoice: Handle) -> napi::Result<&'static str> {
    with(invoice, |invoice| Ok(invoice.inner.status().as_str()))
}

/// `invoice.exceptions`.
#[napi(
    ts_args_type = "invoice: number",
    ts_return_type = "InvoiceException[]"
)]
pub fn invoice_exceptions(invoice: Handle) -> napi::Result<Vec<&'static str>> {
    with(invoice, |invoice| {
        Ok({
            invoice
                .inner
                .exceptions()
                .iter()
                .map(|e| e.as_str())
                .collect()
        })
    })
}

/// `invoice.asset`.
#[napi(ts_args_type = "invoice: number", ts_return_type = "Asset")]
pub fn invoice_asset(invoice: Handle) -> napi::Result<&'static str> {
    with(invoice, |invoice| Ok(invoice.inner.asset().code()))
}

/// The amounts of the `Invoice` getters, as decimal strings in the order of
/// `index.js`'s `AMOUNTS`: due, threshold, amountPaid, amountPending, amountHeld,
/// refundable (one crossing for whichever is read).
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_amounts(invoice: Handle) -> napi::Result<String> {
    with(invoice, |invoice| {
        Ok({
            let i = &invoice.inner;
            let mut out = String::with_capacity(64);
            for (k, a) in [
                i.due(),
                i.threshold(),
                i.amount_paid(),
                i.amount_pending(),
                i.amount_held(),
                i.refundable(),
            ]
            .iter()
            .enumerate()
            {
                if k > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{a}");
            }
            out
        })
    })
}

/// The times of the `Invoice` getters in unix milliseconds: deadline, confirmationDeadline,
/// createdAt, updatedAt.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_times(invoice: Handle) -> napi::Result<Vec<f64>> {
    with(invoice, |invoice| {
        Ok({
            let i = &invoice.inner;
            vec![
                ms(i.deadline()),
                ms(i.confirmation_deadline()),
                ms(i.created_at()),
                ms(i.updated_at()),
            ]
        })
    })
}

/// `invoice.version`.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_version(invoice: Handle) -> napi::Result<f64> {
    with(invoice, |invoice| {
        Ok({
            #[allow(clippy::cast_precision_loss)]
            let v = invoice.inner.version() as f64;
            v
        })
    })
}

/// `invoice.spec`: the creation spec in the contract's JSON shape.
#[napi(
    ts_args_type = "invoice: number",
    ts_return_type = "Record<string, unknown>"
)]
pub fn invoice_spec<'e>(env: &'e Env, invoice: Handle) -> napi::Result<Unknown<'e>> {
    with(invoice, |invoice| {
        conv::js_of(env, &invoice.inner.spec().to_json())
    })
}

/// `invoice.transfers`: every transfer observed, oldest first.
#[napi(ts_args_type = "invoice: number", ts_return_type = "Transfer[]")]
pub fn invoice_transfers<'e>(env: &'e Env, invoice: Handle) -> napi::Result<Vec<Object<'e>>> {
    with(invoice, |invoice| {
        invoice
            .inner
            .transfers()
            .iter()
            .map(|t| {
                let mut o = Object::new(env)?;
                o.set("txId", t.tx_id.as_str())?;
                o.set("amount", t.amount.to_string())?;
                o.set("confirmed", t.confirmed)?;
                o.set("counted", t.counted)?;
                o.set("dropped", t.dropped)?;
                o.set("late", t.late)?;
                o.set("madeAt", conv::date(env, t.made_at)?)?;
                o.set("observedAt", conv::date(env, t.observed_at)?)?;
                Ok(o)
            })
            .collect()
    })
}

/// `invoice.refunds`: every refund requested, oldest first.
#[napi(ts_args_type = "invoice: number", ts_return_type = "Refund[]")]
pub fn invoice_refunds<'e>(env: &'e Env, invoice: Handle) -> napi::Result<Vec<Object<'e>>> {
    with(invoice, |invoice| {
        invoice
            .inner
            .refunds()
            .iter()
            .map(|r| {
                let mut o = Object::new(env)?;
                o.set("refundId", r.refund_id.as_str())?;
                o.set("amount", r.amount.to_string())?;
                o.set("state", r.state.as_str())?;
                o.set("requestedAt", conv::date(env, r.requested_at)?)?;
                o.set("settledAt", conv::opt_date(env, r.settled_at)?)?;
                Ok(o)
            })
            .collect()
    })
}

/// `invoice.claims`: transaction ids the payer claimed.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_claims(invoice: Handle) -> napi::Result<Vec<String>> {
    with(invoice, |invoice| Ok(invoice.inner.claims().to_vec()))
}

/// `invoice.toJSON()`: the storable state as a plain object.
#[napi(ts_args_type = "invoice: number", ts_return_type = "InvoiceState")]
pub fn invoice_to_json<'e>(env: &'e Env, invoice: Handle) -> napi::Result<Unknown<'e>> {
    with(invoice, |invoice| {
        conv::js_of_text(env, &invoice.inner.to_json())
    })
}

/// `invoice.toJSONString()`: the storable state as JSON text, serialised by the core.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_to_json_string(invoice: Handle) -> napi::Result<String> {
    with(invoice, |invoice| Ok(invoice.inner.to_json()))
}

/// `invoice.clone()`.
#[napi(
    ts_args_type = "invoice: number",
    ts_return_type = "[number, ExternalObject<'Invoice'>]"
)]
pub fn invoice_clone<'e>(env: &'e Env, invoice: Handle) -> napi::Result<Vec<Unknown<'e>>> {
    let inner = with(invoice, |invoice| Ok(invoice.inner.clone()))?;
    handle(env, inner)
}

/// `invoice.equals(other)`: whether `other` (an `Invoice`) holds exactly the same state.
#[napi(ts_args_type = "invoice: number, other: Invoice")]
pub fn invoice_equals(env: &Env, invoice: Handle, other: Unknown<'_>) -> napi::Result<bool> {
    with(invoice, |invoice| {
        let other = invoice_arg(env, other, "other")?;
        let same = invoice.inner == other.get()?.inner;
        Ok(same)
    })
}

// The commands. Each is a plain function over the handle (the JavaScript `Invoice` class
// calls it from its method of the same name), and the events come back as one string.

fn run(
    env: &Env,
    invoice: &mut InvoiceHandle,
    command: &Command,
    now: paystate::Timestamp,
) -> napi::Result<String> {
    let events = invoice.inner.apply(command, now).or_throw(env)?;
    Ok(events_text(&events))
}

/// `Invoice.create`: `{invoice, events}` with the events as text (see [`events_text`]).
#[napi(
    ts_args_type = "spec: InvoiceSpec, now: TimeInput",
    ts_return_type = "{ invoice: [number, ExternalObject<'Invoice'>]; events: string }"
)]
pub fn invoice_create<'e>(
    env: &'e Env,
    spec: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<Object<'e>> {
    let now = conv::time(env, now, "now")?;
    let map = spec_map(env, spec)?;
    let spec = paystate::InvoiceSpec::from_json(&map).or_throw(env)?;
    let (inner, events) = paystate::Invoice::create(spec, now).or_throw(env)?;
    let mut o = Object::new(env)?;
    o.set("invoice", handle(env, inner)?)?;
    o.set("events", events_text(&events))?;
    Ok(o)
}

/// `invoice.snapshot()`: status, exceptions and every amount, as JSON text.
#[napi(ts_args_type = "invoice: number")]
pub fn invoice_snapshot(invoice: Handle) -> napi::Result<String> {
    with(invoice, |invoice| {
        Ok(snapshot_json(&invoice.inner.snapshot()))
    })
}

/// `invoice.apply(command, now)`: a command in the journal shape.
#[napi(ts_args_type = "invoice: number, command: Command, now: TimeInput")]
pub fn invoice_apply(
    env: &Env,
    invoice: Handle,
    command: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let command = command_of(env, command)?;
        run(env, invoice, &command, now)
    })
}

/// `invoice.apply(command, now)` with a dialect callback's command object: the core's
/// command it holds, applied as is.
#[napi(ts_args_type = "invoice: number, held: ExternalObject<'Command'>, now: TimeInput")]
pub fn invoice_apply_held(
    env: &Env,
    invoice: Handle,
    held: &External<HeldCommand>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        run(env, invoice, &held.0, now)
    })
}

/// A required field the JavaScript side read from an object (`undefined` when absent).
fn required<'a>(env: &Env, v: Unknown<'a>, field: &str) -> napi::Result<Unknown<'a>> {
    if v.get_type()? == napi::ValueType::Undefined {
        Err(raise(env, &missing(field.to_owned())))
    } else {
        Ok(v)
    }
}

/// `invoice.observeTransfer(transfer, now)`, with the transfer's fields read in JavaScript.
#[napi(
    ts_args_type = "invoice: number, txId: unknown, amount: unknown, asset: unknown, confirmed: unknown, at: unknown, now: TimeInput"
)]
#[allow(clippy::too_many_arguments)]
pub fn invoice_observe_transfer(
    env: &Env,
    invoice: Handle,
    tx_id: Unknown<'_>,
    amount: Unknown<'_>,
    asset: Unknown<'_>,
    confirmed: Unknown<'_>,
    at: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let tx_id = required(env, tx_id, "transfer.tx_id")?;
        let amount = required(env, amount, "transfer.amount")?;
        let asset = required(env, asset, "transfer.asset")?;
        let confirmed = required(env, confirmed, "transfer.confirmed")?;
        let input = paystate::invoice::TransferInput {
            tx_id: conv::string(env, tx_id, "transfer.tx_id")?,
            amount: conv::amount(env, amount, "transfer.amount")?,
            asset: Asset::parse(
                &conv::string(env, asset, "transfer.asset")?,
                "transfer.asset",
            )
            .or_throw(env)?,
            confirmed: conv::boolean(env, confirmed, "transfer.confirmed")?,
            at: conv::opt_time(env, Some(at), "transfer.at")?,
        };
        run(env, invoice, &Command::ObserveTransfer(input), now)
    })
}

/// `invoice.observeTransfer(transfer, now)` when JavaScript has seen that every field has
/// its usual type (strings, a boolean, no `at`, `now` in milliseconds): the values cross
/// without a type query each. Anything else goes through [`invoice_observe_transfer`],
/// which names what is wrong.
#[napi(
    ts_args_type = "invoice: number, txId: string, amount: string, asset: string, confirmed: boolean, now: number"
)]
#[allow(clippy::too_many_arguments)]
pub fn invoice_observe_transfer_typed<'e>(
    env: &'e Env,
    invoice: Handle,
    tx_id: String,
    amount: String,
    asset: String,
    confirmed: bool,
    now: f64,
) -> napi::Result<JsString<'e>> {
    with_mut(invoice, |invoice| {
        let now = conv::millis(env, now, "now")?;
        let input = paystate::invoice::TransferInput {
            tx_id,
            amount: paystate::Amount::parse(&amount, "transfer.amount").or_throw(env)?,
            asset: Asset::parse(&asset, "transfer.asset").or_throw(env)?,
            confirmed,
            at: None,
        };
        let events = invoice
            .inner
            .apply(&Command::ObserveTransfer(input), now)
            .or_throw(env)?;
        conv::js_text(env, &events_text(&events))
    })
}

/// `invoice.confirmTransfer(txId, now)`.
#[napi(ts_args_type = "invoice: number, txId: string, now: TimeInput")]
pub fn invoice_confirm_transfer(
    env: &Env,
    invoice: Handle,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let tx_id = conv::string(env, tx_id, "tx_id")?;
        run(env, invoice, &Command::ConfirmTransfer { tx_id }, now)
    })
}

/// `invoice.dropTransfer(txId, now)`.
#[napi(ts_args_type = "invoice: number, txId: string, now: TimeInput")]
pub fn invoice_drop_transfer(
    env: &Env,
    invoice: Handle,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let tx_id = conv::string(env, tx_id, "tx_id")?;
        run(env, invoice, &Command::DropTransfer { tx_id }, now)
    })
}

/// `invoice.tick(now)`.
#[napi(ts_args_type = "invoice: number, now: TimeInput")]
pub fn invoice_tick(env: &Env, invoice: Handle, now: Unknown<'_>) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        run(env, invoice, &Command::Tick, now)
    })
}

/// `invoice.cancel(now)`.
#[napi(ts_args_type = "invoice: number, now: TimeInput")]
pub fn invoice_cancel(env: &Env, invoice: Handle, now: Unknown<'_>) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        run(env, invoice, &Command::Cancel, now)
    })
}

/// `invoice.requestRefund(refund, now)`, with the refund's fields read in JavaScript.
#[napi(ts_args_type = "invoice: number, refundId: unknown, amount: unknown, now: TimeInput")]
pub fn invoice_request_refund(
    env: &Env,
    invoice: Handle,
    refund_id: Unknown<'_>,
    amount: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let refund_id = conv::string(env, required(env, refund_id, "refund_id")?, "refund_id")?;
        let amount = conv::opt_amount(env, Some(amount), "amount")?;
        run(
            env,
            invoice,
            &Command::RequestRefund { refund_id, amount },
            now,
        )
    })
}

/// `invoice.settleRefund(refundId, outcome, now)`.
#[napi(ts_args_type = "invoice: number, refundId: string, outcome: RefundOutcome, now: TimeInput")]
pub fn invoice_settle_refund(
    env: &Env,
    invoice: Handle,
    refund_id: Unknown<'_>,
    outcome: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let refund_id = conv::string(env, refund_id, "refund_id")?;
        let outcome = RefundOutcome::parse(&conv::string(env, outcome, "outcome")?, "outcome")
            .or_throw(env)?;
        run(
            env,
            invoice,
            &Command::SettleRefund { refund_id, outcome },
            now,
        )
    })
}

/// `invoice.mark(status, now)`: the core type built directly (the core itself refuses a
/// status other than paid or invalid).
#[napi(ts_args_type = "invoice: number, status: 'paid' | 'invalid', now: TimeInput")]
pub fn invoice_mark(
    env: &Env,
    invoice: Handle,
    status: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let status = conv::string(env, status, "status")?;
        let status = paystate::Status::parse(&status, "status").or_throw(env)?;
        run(env, invoice, &Command::Mark { status }, now)
    })
}

/// `invoice.claimTxid(txId, now)`.
#[napi(ts_args_type = "invoice: number, txId: string, now: TimeInput")]
pub fn invoice_claim_txid(
    env: &Env,
    invoice: Handle,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    with_mut(invoice, |invoice| {
        let now = conv::time(env, now, "now")?;
        let tx_id = conv::string(env, tx_id, "tx_id")?;
        run(env, invoice, &Command::ClaimTxid { tx_id }, now)
    })
}

/// An `Invoice` argument: the JavaScript object, whose handle sits under [`HANDLE_KEY`].
pub(crate) struct InvoiceArg(Rc<RefCell<InvoiceHandle>>);

impl InvoiceArg {
    /// The invoice (checked to be one by [`invoice_arg`]).
    pub(crate) fn get(&self) -> napi::Result<Ref<'_, InvoiceHandle>> {
        self.0
            .try_borrow()
            .map_err(|_| napi::Error::from_reason("the invoice is being changed"))
    }
}

/// An `Invoice` argument; anything else is a `TypeError`.
pub(crate) fn invoice_arg(env: &Env, v: Unknown<'_>, field: &str) -> R<InvoiceArg> {
    let found = if v.get_type()? == napi::ValueType::Object {
        match conv::prop(&Object::from_unknown(v)?, HANDLE_KEY)? {
            Some(h) if h.get_type()? == napi::ValueType::External => {
                // napi-rs checks that the external holds this exact type, made by this addon.
                let owner = JsExternal::from_unknown(h)?;
                match owner.get_value::<InvoiceOwner>() {
                    Ok(o) => live(o.0).ok(),
                    Err(_) => None,
                }
            }
            _ => None,
        }
    } else {
        None
    };
    match found {
        Some(cell) => Ok(InvoiceArg(cell)),
        None => Err(type_error(
            env,
            &format!("{field}: expected an Invoice, got {}", conv::kind(&v)),
        )),
    }
}

fn missing(field: String) -> paystate::Error {
    paystate::Error::MissingField {
        field: field.into(),
    }
}

/// Reads a journal-shaped command (`{op, ...}`) through the core's own reader.
pub(crate) fn command_of(env: &Env, v: Unknown<'_>) -> napi::Result<Command> {
    let mut map = conv::json_object(env, v, "command")?;
    if let Some(Value::Object(inv)) = map.get("invoice") {
        if map.get("op").and_then(Value::as_str) == Some("create_invoice") {
            let inv = inv.clone();
            let mut fixed = Map::new();
            for (k, val) in inv {
                let key = SPEC_KEYS
                    .iter()
                    .find(|(camel, _)| *camel == k)
                    .map_or(k, |(_, snake)| (*snake).to_owned());
                fixed.insert(key, val);
            }
            map.insert("invoice".into(), Value::Object(fixed));
        }
    }
    Command::from_json(&map).or_throw(env)
}
