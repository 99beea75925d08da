//! Invoices: creation, commands, events, snapshots, replay and stored state.

use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Object, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use paystate::invoice::{RefundState, Snapshot};
use paystate::{Asset, Command, Event, JournalEntry, RefundOutcome};
use serde_json::{Map, Value};

use crate::conv;
use crate::err::{invalid_field, raise, type_error, OrThrow, R};

/// Builds the JavaScript snapshot object.
pub(crate) fn snapshot_js<'e>(env: &'e Env, s: &Snapshot) -> napi::Result<Object<'e>> {
    let mut o = Object::new(env)?;
    o.set("status", s.status.as_str())?;
    let exceptions: Vec<&str> = s.exceptions.iter().map(|e| e.as_str()).collect();
    o.set("exceptions", exceptions)?;
    o.set("amountPaid", s.amount_paid.to_string())?;
    o.set("amountPending", s.amount_pending.to_string())?;
    o.set("amountHeld", s.amount_held.to_string())?;
    o.set("surplus", s.surplus.to_string())?;
    o.set("amountRefunded", s.amount_refunded.to_string())?;
    o.set("refundsInFlight", s.refunds_in_flight.to_string())?;
    o.set("refundable", s.refundable.to_string())?;
    Ok(o)
}

/// Builds the JavaScript event object.
pub(crate) fn event_js<'e>(env: &'e Env, e: &Event) -> napi::Result<Object<'e>> {
    let mut o = Object::new(env)?;
    o.set("id", e.id.as_str())?;
    o.set("type", e.event_type.as_str())?;
    o.set("invoiceId", e.invoice_id.as_str())?;
    o.set("at", conv::date(env, e.at)?)?;
    if let Some(tx) = &e.tx_id {
        o.set("txId", tx.as_str())?;
    }
    if let Some(r) = &e.refund_id {
        o.set("refundId", r.as_str())?;
    }
    if let Some(a) = &e.amount {
        o.set("amount", a.to_string())?;
    }
    o.set("invoice", snapshot_js(env, &e.invoice)?)?;
    Ok(o)
}

pub(crate) fn events_js<'e>(env: &'e Env, events: &[Event]) -> napi::Result<Vec<Object<'e>>> {
    events.iter().map(|e| event_js(env, e)).collect()
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

/// An invoice: the payment state machine of one order (DESIGN §3).
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

impl Invoice {
    fn run<'e>(
        &mut self,
        env: &'e Env,
        command: &Command,
        now: paystate::Timestamp,
    ) -> napi::Result<Vec<Object<'e>>> {
        let events = self.inner.apply(command, now).or_throw(env)?;
        events_js(env, &events)
    }
}

fn id_arg(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<String> {
    conv::string(env, v, field)
}

#[napi]
impl Invoice {
    /// Creates an invoice at `now`: validates every field of `spec`, starts `pending`, and
    /// returns it with its `invoice.created` event.
    ///
    /// `spec` takes camelCase or the contract's snake_case keys: `id`, `reference?`, `due`
    /// (a decimal string in the asset) or `price: {amount, currency}` with `rate?` and
    /// `surcharge?`, `asset`, `expiresIn` (seconds) or `expiresAt` (Date, ms or RFC 3339),
    /// `tolerance?` (`'exact'`, `{absolute: '1'}`, `{percent: '2.5'}`), `latePayment?`
    /// (`'reject'` or `{acceptWithin: seconds}`), `overpayDust?`, `confirmationWindow?`
    /// (seconds), `metadata?`.
    #[napi(
        ts_args_type = "spec: InvoiceSpec, now: TimeInput",
        ts_return_type = "CreatedInvoice"
    )]
    pub fn create<'e>(
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
        o.set("events", events_js(env, &events)?)?;
        Ok(o)
    }

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

    /// Applies a command in the journal shape (`{op: 'observe_transfer', transfer: {...}}`,
    /// `{op: 'cancel'}`, ...: the fields of the conformance step of that op) at `now`.
    #[napi(
        ts_args_type = "command: Command, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn apply<'e>(
        &mut self,
        env: &'e Env,
        command: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let command = command_of(env, command)?;
        self.run(env, &command, now)
    }

    /// A transfer was seen (or seen again, or seen confirmed). `transfer.at` is the
    /// transfer's own time (lateness is judged by it; default `now`). A known `txId` with
    /// the same amount and asset is a no-op (a confirmed repeat confirms it); another amount
    /// or asset is `integrity_conflict`; another asset than the invoice's is `asset_mismatch`.
    #[napi(
        ts_args_type = "transfer: TransferInput, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn observe_transfer<'e>(
        &mut self,
        env: &'e Env,
        transfer: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let t = conv::as_object(env, transfer, "transfer")?;
        let tx_id = required(env, conv::prop2(&t, "txId", "tx_id")?, "transfer.tx_id")?;
        let amount = required(env, conv::prop(&t, "amount")?, "transfer.amount")?;
        let asset = required(env, conv::prop(&t, "asset")?, "transfer.asset")?;
        let confirmed = required(env, conv::prop(&t, "confirmed")?, "transfer.confirmed")?;
        let input = paystate::invoice::TransferInput {
            tx_id: conv::string(env, tx_id, "transfer.tx_id")?,
            amount: conv::amount(env, amount, "transfer.amount")?,
            asset: Asset::parse(
                &conv::string(env, asset, "transfer.asset")?,
                "transfer.asset",
            )
            .or_throw(env)?,
            confirmed: conv::boolean(env, confirmed, "transfer.confirmed")?,
            at: conv::opt_time(env, conv::prop(&t, "at")?, "transfer.at")?,
        };
        self.run(env, &Command::ObserveTransfer(input), now)
    }

    /// A transfer seen unconfirmed is now final; may pay the invoice. Unknown id:
    /// `unknown_transfer`.
    #[napi(
        ts_args_type = "txId: string, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn confirm_transfer<'e>(
        &mut self,
        env: &'e Env,
        tx_id: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let tx_id = id_arg(env, tx_id, "tx_id")?;
        self.run(env, &Command::ConfirmTransfer { tx_id }, now)
    }

    /// An unconfirmed transfer was reorged out or failed: it stops counting. Dropping a
    /// confirmed transfer is `invalid_transition`; an unknown id `unknown_transfer`.
    #[napi(
        ts_args_type = "txId: string, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn drop_transfer<'e>(
        &mut self,
        env: &'e Env,
        tx_id: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let tx_id = id_arg(env, tx_id, "tx_id")?;
        self.run(env, &Command::DropTransfer { tx_id }, now)
    }

    /// Applies every deadline passed by `now` (expiry, end of the confirmation window).
    #[napi(ts_args_type = "now: TimeInput", ts_return_type = "InvoiceEvent[]")]
    pub fn tick<'e>(&mut self, env: &'e Env, now: Unknown<'_>) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        self.run(env, &Command::Tick, now)
    }

    /// The merchant cancels: only a `pending` invoice with nothing received or held,
    /// otherwise `invalid_transition`.
    #[napi(ts_args_type = "now: TimeInput", ts_return_type = "InvoiceEvent[]")]
    pub fn cancel<'e>(&mut self, env: &'e Env, now: Unknown<'_>) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        self.run(env, &Command::Cancel, now)
    }

    /// Starts a refund of `refund.amount` (all that is refundable when omitted). More than
    /// refundable is `refund_exceeds_available`; a known refund id `invalid_field`.
    #[napi(
        ts_args_type = "refund: RefundRequest, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn request_refund<'e>(
        &mut self,
        env: &'e Env,
        refund: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let r = conv::as_object(env, refund, "refund")?;
        let id = required(env, conv::prop2(&r, "refundId", "refund_id")?, "refund_id")?;
        let refund_id = conv::string(env, id, "refund_id")?;
        let amount = conv::opt_amount(env, conv::prop(&r, "amount")?, "amount")?;
        self.run(env, &Command::RequestRefund { refund_id, amount }, now)
    }

    /// Records how a refund ended: `'succeeded'` or `'failed'` (its amount is refundable
    /// again). Unknown or settled id: `unknown_refund`.
    #[napi(
        ts_args_type = "refundId: string, outcome: RefundOutcome, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn settle_refund<'e>(
        &mut self,
        env: &'e Env,
        refund_id: Unknown<'_>,
        outcome: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let refund_id = id_arg(env, refund_id, "refund_id")?;
        let outcome = match conv::string(env, outcome, "outcome")?.as_str() {
            "succeeded" => RefundOutcome::Succeeded,
            "failed" => RefundOutcome::Failed,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(raise(
                    env,
                    &invalid_field(
                        "outcome",
                        format!("expected succeeded or failed, found {shown:?}"),
                    ),
                ));
            }
        };
        self.run(env, &Command::SettleRefund { refund_id, outcome }, now)
    }

    /// An operator forces the status to `'paid'` (from pending, processing or expired) or
    /// `'invalid'` (also from paid); adds the `marked` exception.
    #[napi(
        ts_args_type = "status: 'paid' | 'invalid', now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn mark<'e>(
        &mut self,
        env: &'e Env,
        status: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let status = conv::string(env, status, "status")?;
        let mut m = Map::new();
        m.insert("op".into(), Value::String("mark".into()));
        m.insert("status".into(), Value::String(status));
        let command = Command::from_json(&m).or_throw(env)?;
        self.run(env, &command, now)
    }

    /// The payer claims to have sent this transaction (adds `txid_claimed` until it is
    /// observed). Claiming an id already claimed or observed is a no-op.
    #[napi(
        ts_args_type = "txId: string, now: TimeInput",
        ts_return_type = "InvoiceEvent[]"
    )]
    pub fn claim_txid<'e>(
        &mut self,
        env: &'e Env,
        tx_id: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Vec<Object<'e>>> {
        let now = conv::time(env, now, "now")?;
        let tx_id = id_arg(env, tx_id, "tx_id")?;
        self.run(env, &Command::ClaimTxid { tx_id }, now)
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

    /// Status, exceptions and every amount, at once.
    #[napi(ts_return_type = "Snapshot")]
    pub fn snapshot<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        snapshot_js(env, &self.inner.snapshot())
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
                o.set(
                    "state",
                    match r.state {
                        RefundState::InFlight => "in_flight",
                        RefundState::Succeeded => "succeeded",
                        RefundState::Failed => "failed",
                    },
                )?;
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

fn required<'a>(env: &Env, v: Option<Unknown<'a>>, field: &str) -> napi::Result<Unknown<'a>> {
    match v {
        Some(v) => Ok(v),
        None => Err(raise(env, &missing(field.to_owned()))),
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
