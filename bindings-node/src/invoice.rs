//! Invoices: creation, commands, events, snapshots, replay and stored state.

use std::fmt::Write as _;

use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Object, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use paystate::invoice::Snapshot;
use paystate::{Asset, Command, Event, JournalEntry, RefundOutcome};
use serde_json::{Map, Value};

use crate::conv;
use crate::err::{invalid_field, raise, type_error, OrThrow, R};

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

/// Events as delimited text, which JavaScript splits and builds objects from faster than
/// `JSON.parse` reads the same events as JSON (issue 14: the parse was a third of
/// `observeTransfer`). `n SEP` then `n` snapshots of 9 fields (`status`, the exceptions
/// joined by `,`, the seven amounts in [`push_snapshot`]'s order), then 8 fields per event
/// (`id`, `type`, `invoiceId`, `at` in unix ms, `txId`, `refundId`, `amount`, the index of
/// its snapshot); an optional field is empty when absent, else `+` and its value. Only
/// vocabulary words and amounts are written unescaped besides the ids, so when an id holds
/// the separator the events go as [`events_json`] instead (text starting with `{`).
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
    let mut snaps: Vec<&Snapshot> = Vec::with_capacity(2);
    let mut index: Vec<usize> = Vec::with_capacity(events.len());
    for e in events {
        if snaps.last() != Some(&&e.invoice) {
            snaps.push(&e.invoice);
        }
        index.push(snaps.len().saturating_sub(1));
    }
    let mut out = String::with_capacity(160 * events.len() + 120);
    let _ = write!(out, "{}", snaps.len());
    for s in &snaps {
        out.push(SEP);
        out.push_str(s.status.as_str());
        out.push(SEP);
        for (i, e) in s.exceptions.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(e.as_str());
        }
        for amount in [
            &s.amount_paid,
            &s.amount_pending,
            &s.amount_held,
            &s.surplus,
            &s.amount_refunded,
            &s.refunds_in_flight,
            &s.refundable,
        ] {
            out.push(SEP);
            let _ = write!(out, "{amount}");
        }
    }
    for (e, k) in events.iter().zip(index) {
        for text in [e.id.as_str(), e.event_type.as_str(), e.invoice_id.as_str()] {
            out.push(SEP);
            out.push_str(text);
        }
        out.push(SEP);
        let _ = write!(out, "{}", e.at.as_millis());
        for opt in [e.tx_id.as_deref(), e.refund_id.as_deref()] {
            out.push(SEP);
            if let Some(t) = opt {
                out.push('+');
                out.push_str(t);
            }
        }
        out.push(SEP);
        if let Some(a) = &e.amount {
            out.push('+');
            let _ = write!(out, "{a}");
        }
        out.push(SEP);
        let _ = write!(out, "{k}");
    }
    out
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

/// An invoice: the payment state machine of one order (docs/spec.md §3).
///
/// Create one with `Invoice.create(spec, now)`, feed it what the host observes
/// (`observeTransfer`, `confirmTransfer`, ...) with the time it happens at, publish the
/// returned events, and store `toJSON()`. Every command first applies the deadlines that
/// have passed by its time, exactly as `tick` would. A command that throws leaves the
/// invoice untouched.
#[napi]
pub struct Invoice {
    pub(crate) inner: paystate::Invoice,
}

#[napi]
impl Invoice {
    /// Restores an invoice from the state `toJSON()` produced (an object or its JSON text).
    /// Another schema version is `invalid_field`; a document that is not this shape is
    /// `malformed_json`.
    #[napi(js_name = "fromJSON", ts_args_type = "state: InvoiceState | string")]
    pub fn from_json(env: &Env, state: Unknown<'_>) -> napi::Result<Invoice> {
        let text = conv::state_text(env, state, "state")?;
        Ok(Invoice {
            inner: paystate::Invoice::from_json(&text).or_throw(env)?,
        })
    }

    /// Rebuilds an invoice from its journal: the accepted commands with their times, the
    /// first being the creation (`{at, command: {op: 'create_invoice', invoice: spec}}`).
    #[napi(ts_args_type = "journal: JournalEntry[]")]
    pub fn replay(env: &Env, journal: Unknown<'_>) -> napi::Result<Invoice> {
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
        Ok(Invoice {
            inner: paystate::Invoice::replay(&entries).or_throw(env)?,
        })
    }

    /// When the host should wake the invoice next (`tick`): the payment deadline while
    /// pending, the end of the confirmation window while processing, else `null`.
    #[napi(ts_return_type = "Date | null")]
    pub fn next_deadline<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::opt_date(env, self.inner.next_deadline())
    }

    /// The status the invoice would have at `now` once due deadlines are applied, without
    /// applying them.
    #[napi(ts_args_type = "now: TimeInput", ts_return_type = "InvoiceStatus")]
    pub fn status_at(&self, env: &Env, now: Unknown<'_>) -> napi::Result<String> {
        let now = conv::time(env, now, "now")?;
        Ok(self.inner.status_at(now).as_str().to_owned())
    }

    /// The invoice id (the host's).
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The merchant's order reference, if any.
    #[napi(getter)]
    pub fn reference(&self) -> Option<String> {
        self.inner.spec().reference.clone()
    }

    /// The status.
    #[napi(getter, ts_return_type = "InvoiceStatus")]
    pub fn status(&self) -> String {
        self.inner.status().as_str().to_owned()
    }

    /// The exceptions beside the status.
    #[napi(getter, ts_return_type = "InvoiceException[]")]
    pub fn exceptions(&self) -> Vec<String> {
        self.inner
            .exceptions()
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect()
    }

    /// The asset it is paid in.
    #[napi(getter, ts_return_type = "Asset")]
    pub fn asset(&self) -> String {
        self.inner.asset().code().to_owned()
    }

    /// The amount due, in the asset (decimal string).
    #[napi(getter)]
    pub fn due(&self) -> String {
        self.inner.due().to_string()
    }

    /// The least received amount that pays it (due minus the tolerance's allowance).
    #[napi(getter)]
    pub fn threshold(&self) -> String {
        self.inner.threshold().to_string()
    }

    /// Confirmed transfers that count toward the invoice.
    #[napi(getter)]
    pub fn amount_paid(&self) -> String {
        self.inner.amount_paid().to_string()
    }

    /// Unconfirmed transfers that count toward the invoice.
    #[napi(getter)]
    pub fn amount_pending(&self) -> String {
        self.inner.amount_pending().to_string()
    }

    /// Money that arrived but does not count (late, or sent to a closed invoice).
    #[napi(getter)]
    pub fn amount_held(&self) -> String {
        self.inner.amount_held().to_string()
    }

    /// Money that may still be refunded.
    #[napi(getter)]
    pub fn refundable(&self) -> String {
        self.inner.refundable().to_string()
    }

    /// The payment deadline.
    #[napi(getter, ts_return_type = "Date")]
    pub fn deadline<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        Ok(conv::date(env, self.inner.deadline())?.to_unknown())
    }

    /// The end of the window in which unconfirmed payment may still confirm.
    #[napi(getter, ts_return_type = "Date")]
    pub fn confirmation_deadline<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        Ok(conv::date(env, self.inner.confirmation_deadline())?.to_unknown())
    }

    /// When it was created.
    #[napi(getter, ts_return_type = "Date")]
    pub fn created_at<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        Ok(conv::date(env, self.inner.created_at())?.to_unknown())
    }

    /// When the last command was applied.
    #[napi(getter, ts_return_type = "Date")]
    pub fn updated_at<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        Ok(conv::date(env, self.inner.updated_at())?.to_unknown())
    }

    /// Commands accepted so far, creation included: a version for optimistic concurrency.
    #[napi(getter)]
    pub fn version(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let v = self.inner.version() as f64;
        v
    }

    /// The creation spec in the contract's JSON shape (the `invoice` of `create_invoice`).
    #[napi(getter, ts_return_type = "Record<string, unknown>")]
    pub fn spec<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::js_of(env, &self.inner.spec().to_json())
    }

    /// Every transfer observed, oldest first.
    #[napi(getter, ts_return_type = "Transfer[]")]
    pub fn transfers<'e>(&self, env: &'e Env) -> napi::Result<Vec<Object<'e>>> {
        self.inner
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
    }

    /// Every refund requested, oldest first.
    #[napi(getter, ts_return_type = "Refund[]")]
    pub fn refunds<'e>(&self, env: &'e Env) -> napi::Result<Vec<Object<'e>>> {
        self.inner
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
    }

    /// Transaction ids the payer claimed.
    #[napi(getter)]
    pub fn claims(&self) -> Vec<String> {
        self.inner.claims().to_vec()
    }

    /// The storable state (with `schema_version`) as a plain object; `JSON.stringify(invoice)`
    /// uses it. Restore with `Invoice.fromJSON`.
    #[napi(js_name = "toJSON", ts_return_type = "InvoiceState")]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::js_of_text(env, &self.inner.to_json())
    }

    /// The storable state as JSON text (what `toJSON()` holds, serialised by the core).
    #[napi(js_name = "toJSONString")]
    pub fn to_json_string(&self) -> String {
        self.inner.to_json()
    }

    /// A copy of this invoice.
    #[napi]
    pub fn clone(&self) -> Invoice {
        Invoice {
            inner: self.inner.clone(),
        }
    }

    /// Whether `other` holds exactly the same state.
    #[napi(ts_args_type = "other: Invoice")]
    pub fn equals(&self, env: &Env, other: Unknown<'_>) -> napi::Result<bool> {
        Ok(self.inner == invoice_arg(env, other, "other")?.inner)
    }
}

// The commands. Each is a plain function over the native invoice (the JavaScript `Invoice`
// class calls it from its method of the same name): a plain function crosses N-API far
// more cheaply than a class method, and the events come back as one JSON string.

fn run(
    env: &Env,
    invoice: &mut Invoice,
    command: &Command,
    now: paystate::Timestamp,
) -> napi::Result<String> {
    let events = invoice.inner.apply(command, now).or_throw(env)?;
    Ok(events_text(&events))
}

/// `Invoice.create`: `{invoice, events}` with the events as JSON text.
#[napi(
    ts_args_type = "spec: InvoiceSpec, now: TimeInput",
    ts_return_type = "{ invoice: Invoice; events: string }"
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
    o.set("invoice", Invoice { inner })?;
    o.set("events", events_text(&events))?;
    Ok(o)
}

/// `invoice.snapshot()`: status, exceptions and every amount, as JSON text.
#[napi(ts_args_type = "invoice: Invoice")]
pub fn invoice_snapshot(invoice: ClassInstance<'_, Invoice>) -> String {
    snapshot_json(&invoice.inner.snapshot())
}

/// `invoice.apply(command, now)`: a command in the journal shape.
#[napi(ts_args_type = "invoice: Invoice, command: Command, now: TimeInput")]
pub fn invoice_apply(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    command: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let command = command_of(env, command)?;
    run(env, &mut invoice, &command, now)
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
    ts_args_type = "invoice: Invoice, txId: unknown, amount: unknown, asset: unknown, confirmed: unknown, at: unknown, now: TimeInput"
)]
#[allow(clippy::too_many_arguments)]
pub fn invoice_observe_transfer(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    tx_id: Unknown<'_>,
    amount: Unknown<'_>,
    asset: Unknown<'_>,
    confirmed: Unknown<'_>,
    at: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
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
    run(env, &mut invoice, &Command::ObserveTransfer(input), now)
}

/// `invoice.confirmTransfer(txId, now)`.
#[napi(ts_args_type = "invoice: Invoice, txId: string, now: TimeInput")]
pub fn invoice_confirm_transfer(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let tx_id = conv::string(env, tx_id, "tx_id")?;
    run(env, &mut invoice, &Command::ConfirmTransfer { tx_id }, now)
}

/// `invoice.dropTransfer(txId, now)`.
#[napi(ts_args_type = "invoice: Invoice, txId: string, now: TimeInput")]
pub fn invoice_drop_transfer(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let tx_id = conv::string(env, tx_id, "tx_id")?;
    run(env, &mut invoice, &Command::DropTransfer { tx_id }, now)
}

/// `invoice.tick(now)`.
#[napi(ts_args_type = "invoice: Invoice, now: TimeInput")]
pub fn invoice_tick(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    run(env, &mut invoice, &Command::Tick, now)
}

/// `invoice.cancel(now)`.
#[napi(ts_args_type = "invoice: Invoice, now: TimeInput")]
pub fn invoice_cancel(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    run(env, &mut invoice, &Command::Cancel, now)
}

/// `invoice.requestRefund(refund, now)`, with the refund's fields read in JavaScript.
#[napi(ts_args_type = "invoice: Invoice, refundId: unknown, amount: unknown, now: TimeInput")]
pub fn invoice_request_refund(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    refund_id: Unknown<'_>,
    amount: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let refund_id = conv::string(env, required(env, refund_id, "refund_id")?, "refund_id")?;
    let amount = conv::opt_amount(env, Some(amount), "amount")?;
    run(
        env,
        &mut invoice,
        &Command::RequestRefund { refund_id, amount },
        now,
    )
}

/// `invoice.settleRefund(refundId, outcome, now)`.
#[napi(ts_args_type = "invoice: Invoice, refundId: string, outcome: RefundOutcome, now: TimeInput")]
pub fn invoice_settle_refund(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    refund_id: Unknown<'_>,
    outcome: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let refund_id = conv::string(env, refund_id, "refund_id")?;
    let outcome =
        RefundOutcome::parse(&conv::string(env, outcome, "outcome")?, "outcome").or_throw(env)?;
    run(
        env,
        &mut invoice,
        &Command::SettleRefund { refund_id, outcome },
        now,
    )
}

/// `invoice.mark(status, now)`: the core type built directly (the core itself refuses a
/// status other than paid or invalid).
#[napi(ts_args_type = "invoice: Invoice, status: 'paid' | 'invalid', now: TimeInput")]
pub fn invoice_mark(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    status: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let status = conv::string(env, status, "status")?;
    let status = paystate::Status::parse(&status, "status").or_throw(env)?;
    run(env, &mut invoice, &Command::Mark { status }, now)
}

/// `invoice.claimTxid(txId, now)`.
#[napi(ts_args_type = "invoice: Invoice, txId: string, now: TimeInput")]
pub fn invoice_claim_txid(
    env: &Env,
    mut invoice: ClassInstance<'_, Invoice>,
    tx_id: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<String> {
    let now = conv::time(env, now, "now")?;
    let tx_id = conv::string(env, tx_id, "tx_id")?;
    run(env, &mut invoice, &Command::ClaimTxid { tx_id }, now)
}

/// An `Invoice` argument; anything else is a `TypeError`.
pub(crate) fn invoice_arg<'a>(
    env: &Env,
    v: Unknown<'a>,
    field: &str,
) -> R<ClassInstance<'a, Invoice>> {
    let is_object = v.get_type()? == napi::ValueType::Object;
    match is_object.then(|| ClassInstance::<Invoice>::from_unknown(v)) {
        Some(Ok(inv)) => Ok(inv),
        _ => Err(type_error(
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
