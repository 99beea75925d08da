//! The Rust conformance runner: reads scenario files (`conformance/FORMAT.md`) and
//! drives the core's public API through them.
//!
//! A scenario runs against a fresh [`World`]. Each step is checked against its `expect`:
//! an error code (and every state left unchanged), or the listed state keys. A step field
//! or expect key the format does not list for its op fails the scenario, so typos in
//! scenario files cannot pass silently.

mod delivery;
mod signatures;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use paystate::json::Obj;
use paystate::{Amount, Command, Event, Invoice, JournalEntry, Match, Matcher, Session, Timestamp};
use serde_json::{Map, Value};

/// Everything a scenario can touch, starting empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct World {
    invoices: BTreeMap<String, Tracked>,
    matcher: Matcher,
    sessions: BTreeMap<String, Session>,
    signatures: signatures::State,
    deliveries: delivery::State,
}

/// An invoice with the journal the host would keep.
#[derive(Clone, Debug, PartialEq)]
struct Tracked {
    invoice: Invoice,
    journal: Vec<JournalEntry>,
}

/// What one step produced, for its `expect` checks.
#[derive(Default)]
pub(crate) struct Output {
    /// The invoice the invoice keys refer to.
    invoice: Option<String>,
    /// Event types the step emitted for that invoice.
    events: Vec<String>,
    payable: Option<Amount>,
    matched: Option<Match>,
    expires_at: Option<Timestamp>,
    pub(crate) valid: Option<bool>,
    pub(crate) headers: Option<Map<String, Value>>,
    pub(crate) signature: Option<String>,
    pub(crate) next: Option<Value>,
}

/// A step as read from the file.
pub(crate) struct Step<'a> {
    pub(crate) op: &'a str,
    pub(crate) at: Timestamp,
    pub(crate) fields: Obj<'a>,
}

/// Why a scenario failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step index (from 0), when a step failed.
    pub step: Option<usize>,
    /// The op of that step.
    pub op: Option<String>,
    /// What differed.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.step, &self.op) {
            (Some(i), Some(op)) => write!(f, "step {i} ({op}): {}", self.message),
            (Some(i), None) => write!(f, "step {i}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

fn fail(message: impl Into<String>) -> Failure {
    Failure {
        step: None,
        op: None,
        message: message.into(),
    }
}

/// The fields each op takes besides `op`, `at` and `expect`.
fn fields_of(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "create_invoice" => &["invoice"],
        "observe_transfer" => &["invoice", "transfer"],
        "confirm_transfer" | "drop_transfer" => &["invoice", "tx_id"],
        "tick" => &["invoice"],
        "cancel" => &["invoice"],
        "request_refund" => &["invoice", "refund_id", "amount"],
        "settle_refund" => &["invoice", "refund_id", "outcome"],
        "mark" => &["invoice", "status"],
        "claim_txid" => &["invoice", "tx_id"],
        "replay" => &["invoice"],
        "allocate_amount" => &["account", "invoice", "due", "step", "allowance"],
        "match_transfer" => &["account", "amount"],
        "register_amount" => &["account", "invoice", "payable", "allowance"],
        "release" => &["invoice"],
        "open_session" => &["session", "invoice", "ttl"],
        "use_session" => &["session"],
        "verify_signature" => &[
            "scheme",
            "secrets",
            "headers",
            "body",
            "body_base64",
            "tolerance_seconds",
            "replay_guard",
        ],
        "sign" => &["scheme", "secret", "body", "headers"],
        "plan_delivery" => &["delivery", "policy"],
        "report_attempt" => &["delivery", "http_status", "error", "duration_ms"],
        _ => return None,
    })
}

const INVOICE_KEYS: &[&str] = &[
    "status",
    "exceptions",
    "amount_paid",
    "amount_pending",
    "amount_held",
    "surplus",
    "amount_refunded",
    "refundable",
    "deadline",
    "events",
    "version",
];

/// The expect keys each op accepts besides `error`.
fn expect_keys_of(op: &str) -> &'static [&'static str] {
    match op {
        "allocate_amount" => &["payable"],
        "match_transfer" => &["match"],
        "register_amount" | "release" | "use_session" => &[],
        "open_session" => &["expires_at"],
        "verify_signature" => &["valid"],
        "sign" => &["headers", "signature"],
        "plan_delivery" | "report_attempt" => &["next"],
        _ => INVOICE_KEYS,
    }
}

impl World {
    /// A fresh, empty world.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one step and checks its expectation.
    pub fn run_step(&mut self, step_value: &Value) -> Result<(), Failure> {
        self.run_step_reporting(step_value).map(|_| ())
    }

    /// The invoices of the world, by id.
    pub fn invoices(&self) -> impl Iterator<Item = (&str, &Invoice)> {
        self.invoices
            .iter()
            .map(|(id, t)| (id.as_str(), &t.invoice))
    }

    /// Runs one step, checks its expectation, and says what it did: the invoice it
    /// concerned and the event types it emitted for it (for `paystate replay`).
    pub fn run_step_reporting(
        &mut self,
        step_value: &Value,
    ) -> Result<(Option<String>, Vec<String>), Failure> {
        let Value::Object(map) = step_value else {
            return Err(fail("a step must be a JSON object"));
        };
        let s = Obj::new(map, "");
        let op = s
            .opt_str("op")
            .ok()
            .flatten()
            .ok_or_else(|| fail("step has no op"))?;
        let Some(fields) = fields_of(op) else {
            return Err(fail(format!("unknown op {op:?}")));
        };
        if let Some(k) = map.keys().find(|k| {
            !["op", "at", "expect"].contains(&k.as_str()) && !fields.contains(&k.as_str())
        }) {
            return Err(fail(format!("field {k:?} is not a field of {op}")));
        }
        let at_text = s
            .opt_str("at")
            .ok()
            .flatten()
            .ok_or_else(|| fail("step has no \"at\" time"))?;
        let at = Timestamp::parse(at_text, "at").map_err(|e| fail(e.to_string()))?;
        let expect = match map.get("expect") {
            None => None,
            Some(Value::Object(e)) => Some(e),
            Some(_) => return Err(fail("expect must be an object")),
        };
        if let Some(e) = expect {
            let allowed = expect_keys_of(op);
            if let Some(k) = e
                .keys()
                .find(|k| *k != "error" && !allowed.contains(&k.as_str()))
            {
                return Err(fail(format!("unknown expect key {k:?} for {op}")));
            }
            if e.contains_key("error") && e.len() > 1 {
                return Err(fail("expect has error and state keys at once"));
            }
        }
        let step = Step { op, at, fields: s };
        let before = self.clone();
        let result = self.execute(&step);
        match (result, expect.and_then(|e| e.get("error"))) {
            (Err(err), Some(code)) => {
                if code.as_str() != Some(err.code()) {
                    return Err(fail(format!(
                        "expected error {code}, got {} ({err})",
                        err.code()
                    )));
                }
                if *self != before {
                    return Err(fail(format!("error {} changed the state", err.code())));
                }
                Ok((None, Vec::new()))
            }
            (Err(err), None) => Err(fail(format!("unexpected error {}: {err}", err.code()))),
            (Ok(_), Some(code)) => Err(fail(format!(
                "expected error {code}, but the step succeeded"
            ))),
            (Ok(out), None) => {
                if let Some(e) = expect {
                    self.check(e, &out)?;
                }
                Ok((out.invoice, out.events))
            }
        }
    }

    fn execute(&mut self, step: &Step<'_>) -> paystate::Result<Output> {
        let f = &step.fields;
        let at = step.at;
        match step.op {
            "create_invoice" => {
                let spec = paystate::InvoiceSpec::from_json(f.obj("invoice")?)?;
                if self.invoices.contains_key(&spec.id) {
                    return Err(unknown_or_reused("invoice.id", "already exists", &spec.id));
                }
                let (invoice, events) = Invoice::create(spec.clone(), at)?;
                let id = invoice.id().to_owned();
                self.invoices.insert(
                    id.clone(),
                    Tracked {
                        invoice,
                        journal: vec![JournalEntry {
                            at,
                            command: Command::Create(Box::new(spec)),
                        }],
                    },
                );
                Ok(invoice_output(id, &events))
            }
            "observe_transfer" | "confirm_transfer" | "drop_transfer" | "cancel"
            | "request_refund" | "settle_refund" | "mark" | "claim_txid" => {
                let id = f.str("invoice")?;
                let mut command_json = f.map().clone();
                command_json.remove("invoice");
                command_json.remove("at");
                command_json.remove("expect");
                command_json.insert("op".into(), Value::String(step.op.into()));
                let command = Command::from_json(&command_json)?;
                let tracked = self.tracked_mut(id)?;
                let events = tracked.invoice.apply(&command, at)?;
                tracked.journal.push(JournalEntry { at, command });
                Ok(invoice_output(id.to_owned(), &events))
            }
            "tick" => {
                let named = f.opt_str("invoice")?;
                if let Some(id) = named {
                    self.tracked_mut(id)?;
                }
                let mut out = Output {
                    invoice: named.map(str::to_owned),
                    ..Output::default()
                };
                for (id, tracked) in &mut self.invoices {
                    let events = tracked.invoice.apply(&Command::Tick, at)?;
                    tracked.journal.push(JournalEntry {
                        at,
                        command: Command::Tick,
                    });
                    if named == Some(id.as_str()) {
                        out.events = event_types(&events);
                    }
                }
                for session in self.sessions.values_mut() {
                    session.tick(at);
                }
                self.deliveries.tick(at);
                Ok(out)
            }
            "replay" => {
                let id = f.str("invoice")?;
                let tracked = self.tracked_mut(id)?;
                let rebuilt = Invoice::replay(&tracked.journal)?;
                if rebuilt != tracked.invoice {
                    return Err(paystate::Error::IntegrityConflict {
                        field: "journal".into(),
                        reason: "replaying the journal did not rebuild the identical state".into(),
                    });
                }
                tracked.invoice = rebuilt;
                Ok(invoice_output(id.to_owned(), &[]))
            }
            "allocate_amount" => {
                let id = f.str("invoice")?;
                self.tracked_mut(id)?;
                let payable = self.matcher.allocate(
                    f.str("account")?,
                    id,
                    f.amount("due")?,
                    f.amount("step")?,
                    f.opt_amount("allowance")?
                        .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE),
                )?;
                Ok(Output {
                    payable: Some(payable),
                    ..Output::default()
                })
            }
            "register_amount" => {
                let id = f.str("invoice")?;
                self.tracked_mut(id)?;
                self.matcher.register(
                    f.str("account")?,
                    id,
                    f.amount("payable")?,
                    f.opt_amount("allowance")?
                        .unwrap_or(paystate::matching::DEFAULT_ALLOWANCE),
                )?;
                Ok(Output::default())
            }
            "match_transfer" => Ok(Output {
                matched: Some(
                    self.matcher
                        .match_amount(f.str("account")?, f.amount("amount")?),
                ),
                ..Output::default()
            }),
            "release" => {
                self.matcher.release(f.str("invoice")?);
                Ok(Output::default())
            }
            "open_session" => {
                let session_id = f.str("session")?;
                if self.sessions.contains_key(session_id) {
                    return Err(unknown_or_reused("session", "already exists", session_id));
                }
                let invoice = &self.tracked_mut(f.str("invoice")?)?.invoice;
                let ttl = paystate::Duration::from_seconds(f.u64("ttl")?, "ttl")?;
                let session = Session::open(session_id, invoice, ttl, at)?;
                let expires_at = session.expires_at();
                self.sessions.insert(session_id.to_owned(), session);
                Ok(Output {
                    expires_at: Some(expires_at),
                    ..Output::default()
                })
            }
            "use_session" => {
                let session_id = f.str("session")?;
                let mut session = self
                    .sessions
                    .get(session_id)
                    .cloned()
                    .ok_or_else(|| unknown_or_reused("session", "is unknown", session_id))?;
                let invoice = &self.tracked_mut(session.invoice_id())?.invoice;
                session.use_at(invoice, at)?;
                self.sessions.insert(session_id.to_owned(), session);
                Ok(Output::default())
            }
            "verify_signature" | "sign" => self.signatures.execute(step),
            "plan_delivery" | "report_attempt" => self.deliveries.execute(step),
            other => Err(paystate::Error::InvalidField {
                field: "op".into(),
                reason: format!("op {other:?} is not implemented"),
            }),
        }
    }

    fn tracked_mut(&mut self, id: &str) -> paystate::Result<&mut Tracked> {
        self.invoices
            .get_mut(id)
            .ok_or_else(|| unknown_or_reused("invoice", "is unknown", id))
    }

    fn check(&self, expect: &Map<String, Value>, out: &Output) -> Result<(), Failure> {
        let invoice = out
            .invoice
            .as_deref()
            .and_then(|id| self.invoices.get(id))
            .map(|t| &t.invoice);
        for (key, want) in expect {
            let got_ok = match key.as_str() {
                "events" => {
                    let want: Vec<&str> = want
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    if want != out.events {
                        return Err(fail(format!(
                            "events: expected {want:?}, got {:?}",
                            out.events
                        )));
                    }
                    true
                }
                "payable" => amount_eq(want, out.payable),
                "match" => match &out.matched {
                    Some(m) => match_value(m) == *want,
                    None => false,
                },
                "expires_at" => time_eq(want, out.expires_at),
                "valid" => out.valid.is_some() && Some(want) == out.valid.map(Value::Bool).as_ref(),
                "next" => out.next.as_ref().is_some_and(|n| next_eq(want, n)),
                "signature" => out
                    .signature
                    .as_deref()
                    .is_some_and(|s| Some(s) == want.as_str()),
                "headers" => {
                    let Some(got) = &out.headers else {
                        return Err(fail("this step produced no headers"));
                    };
                    let Some(want) = want.as_object() else {
                        return Err(fail("expect.headers must be an object"));
                    };
                    for (name, value) in want {
                        let found = got
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(name))
                            .map(|(_, v)| v);
                        if found != Some(value) {
                            return Err(fail(format!(
                                "header {name}: expected {value}, got {}",
                                found.map_or("nothing".to_owned(), Value::to_string)
                            )));
                        }
                    }
                    true
                }
                invoice_key => {
                    let Some(inv) = invoice else {
                        return Err(fail(format!(
                            "expect.{invoice_key} needs an invoice on the step"
                        )));
                    };
                    let snap = inv.snapshot();
                    let got: Value = match invoice_key {
                        "status" => Value::String(snap.status.as_str().into()),
                        "exceptions" => {
                            let mut want_list: Vec<&str> = want
                                .as_array()
                                .map(|a| a.iter().filter_map(Value::as_str).collect())
                                .unwrap_or_default();
                            want_list.sort_unstable();
                            let mut got_list: Vec<&str> =
                                snap.exceptions.iter().map(|e| e.as_str()).collect();
                            got_list.sort_unstable();
                            if want_list != got_list {
                                return Err(fail(format!(
                                    "exceptions: expected {want_list:?}, got {got_list:?}"
                                )));
                            }
                            continue;
                        }
                        "deadline" => {
                            if !time_eq(want, Some(inv.deadline())) {
                                return Err(fail(format!(
                                    "deadline: expected {want}, got {}",
                                    inv.deadline()
                                )));
                            }
                            continue;
                        }
                        "version" => Value::from(inv.version()),
                        "amount_paid" => amount_value(snap.amount_paid),
                        "amount_pending" => amount_value(snap.amount_pending),
                        "amount_held" => amount_value(snap.amount_held),
                        "surplus" => amount_value(snap.surplus),
                        "amount_refunded" => amount_value(snap.amount_refunded),
                        "refundable" => amount_value(snap.refundable),
                        other => return Err(fail(format!("unknown expect key {other:?}"))),
                    };
                    let same = match (&got, want) {
                        (Value::String(g), Value::String(w)) if invoice_key != "status" => {
                            Amount::parse(w, "expect").ok() == Amount::parse(g, "got").ok()
                        }
                        _ => got == *want,
                    };
                    if !same {
                        return Err(fail(format!("{invoice_key}: expected {want}, got {got}")));
                    }
                    true
                }
            };
            if !got_ok {
                return Err(fail(format!(
                    "{key}: expected {want}, got {}",
                    describe(key, out)
                )));
            }
        }
        Ok(())
    }
}

fn describe(key: &str, out: &Output) -> String {
    match key {
        "payable" => format!("{:?}", out.payable.map(|a| a.to_string())),
        "match" => out
            .matched
            .as_ref()
            .map_or("nothing".into(), |m| match_value(m).to_string()),
        "expires_at" => format!("{:?}", out.expires_at.map(|t| t.to_string())),
        "valid" => format!("{:?}", out.valid),
        "next" => out.next.as_ref().map_or("nothing".into(), Value::to_string),
        "signature" => format!("{:?}", out.signature),
        _ => "something else".into(),
    }
}

fn invoice_output(id: String, events: &[Event]) -> Output {
    Output {
        invoice: Some(id),
        events: event_types(events),
        ..Output::default()
    }
}

fn event_types(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| e.event_type.as_str().to_owned())
        .collect()
}

/// The "world error" of conformance/FORMAT.md (`world_error` in grammar.json, whose code
/// cli/tests/grammar.rs holds this to): an unknown or reused invoice, session or delivery id.
pub(crate) fn unknown_or_reused(field: &'static str, what: &str, id: &str) -> paystate::Error {
    paystate::Error::InvalidField {
        field: field.into(),
        reason: format!("{id:?} {what}"),
    }
}

fn amount_value(a: Amount) -> Value {
    Value::String(a.to_string())
}

fn amount_eq(want: &Value, got: Option<Amount>) -> bool {
    match (want.as_str().map(|w| Amount::parse(w, "expect")), got) {
        (Some(Ok(w)), Some(g)) => w == g,
        _ => false,
    }
}

pub(crate) fn time_eq(want: &Value, got: Option<Timestamp>) -> bool {
    match (want.as_str().map(|w| Timestamp::parse(w, "expect")), got) {
        (Some(Ok(w)), Some(g)) => w == g,
        _ => false,
    }
}

fn next_eq(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => match (w.get("retry_at"), g.get("retry_at")) {
            (Some(wt), Some(Value::String(gt))) => {
                time_eq(wt, Timestamp::parse(gt, "got").ok()) && w.len() == 1
            }
            _ => false,
        },
        _ => want == got,
    }
}

fn match_value(m: &Match) -> Value {
    match m {
        Match::Matched(id) => serde_json::json!({ "matched": id }),
        Match::Ambiguous(ids) => serde_json::json!({ "ambiguous": ids }),
        Match::Unmatched => Value::String("unmatched".into()),
    }
}

/// Runs one scenario document.
pub fn run_scenario(doc: &Value) -> Result<(), Failure> {
    let steps = doc
        .get("steps")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("scenario has no steps array"))?;
    if doc.get("name").and_then(Value::as_str).is_none() {
        return Err(fail("scenario has no name"));
    }
    let mut world = World::new();
    for (i, step) in steps.iter().enumerate() {
        world.run_step(step).map_err(|mut f| {
            f.step = Some(i);
            f.op = step.get("op").and_then(Value::as_str).map(str::to_owned);
            f
        })?;
    }
    Ok(())
}

/// The result of a run over files.
#[derive(Debug, Default)]
pub struct Report {
    /// Scenario files that passed.
    pub passed: usize,
    /// `(file, failure)` for each failed scenario.
    pub failed: Vec<(PathBuf, Failure)>,
}

impl Report {
    /// The closing line: `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed.len())
    }
}

/// Every `*.json` file below each path (a file is taken as is), sorted by path.
pub fn collect(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs every scenario file below `paths`.
pub fn run_paths(paths: &[PathBuf]) -> std::io::Result<Report> {
    let mut report = Report::default();
    for file in collect(paths)? {
        let outcome = std::fs::read(&file)
            .map_err(|e| fail(format!("cannot read: {e}")))
            .and_then(|bytes| {
                serde_json::from_slice::<Value>(&bytes).map_err(|e| fail(format!("not JSON: {e}")))
            })
            .and_then(|doc| run_scenario(&doc));
        match outcome {
            Ok(()) => report.passed += 1,
            Err(f) => report.failed.push((file, f)),
        }
    }
    Ok(report)
}
