//! Routes: seed 001's API under `/api/v1`, the sandbox controls under `/sandbox`.
//!
//! Every route takes the Bearer key. Bodies are read as bytes under a size limit and
//! parsed by the core (`docs/spec.md §9`: a typed error naming the field), so no body a
//! client sends reaches a panic; every error answer has the seed's
//! `{statusCode, message, error}` shape.

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use paystate::dialect::usdt_gateway;
use paystate::json::{parse_object, Obj};
use paystate::Amount;
use serde_json::{json, Map, Value};

use crate::clock::to_timestamp;
use crate::error::ApiError;
use crate::gateway::{self, Lookup, Payment};
use crate::ratelimit::Class;
use crate::scheduler;
use crate::server::App;
use crate::store;

/// Largest request body accepted (the seed's largest request is well under 16 KiB of
/// metadata plus its text fields).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why a request body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRefusal {
    /// Larger than the router's size limit.
    TooLarge,
    /// Cut off or otherwise unreadable.
    Unreadable,
}

impl BodyRefusal {
    /// The HTTP status the seeds answer it with.
    pub fn status(self) -> u16 {
        match self {
            BodyRefusal::TooLarge => 413,
            BodyRefusal::Unreadable => 400,
        }
    }

    /// The error code of the seeds that answer with one (GatePay, Monetix).
    pub fn code(self) -> &'static str {
        match self {
            BodyRefusal::TooLarge => "limit_exceeded",
            BodyRefusal::Unreadable => "malformed_json",
        }
    }

    /// The message every seed and the sandbox's own API answer it with.
    pub fn message(self) -> String {
        match self {
            BodyRefusal::TooLarge => format!("Request body exceeds {MAX_BODY_BYTES} bytes"),
            BodyRefusal::Unreadable => "Request body could not be read".to_owned(),
        }
    }
}

/// Reads a request body under the router's size limit.
pub fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, BodyRefusal> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            BodyRefusal::TooLarge
        } else {
            BodyRefusal::Unreadable
        }
    })
}

impl From<BodyRefusal> for ApiError {
    /// The refusal in the sandbox's own (seed 001's) error shape.
    fn from(r: BodyRefusal) -> ApiError {
        ApiError::new(r.status(), r.message())
    }
}

/// Longest `advance` step: ten years.
pub const MAX_ADVANCE_SECONDS: u64 = 10 * 366 * 86_400;

/// Longest delay of a simulated confirmation or drop: thirty days.
pub const MAX_DELAY_SECONDS: u64 = 30 * 86_400;

type Shared = State<Arc<App>>;
type Body = Result<Bytes, BytesRejection>;

/// The whole API.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/v1/invoices", post(create_invoice).get(list_invoices))
        .route("/api/v1/invoices/{id}", get(get_invoice))
        .route(
            "/api/v1/invoices/reference/{reference}",
            get(get_by_reference),
        )
        .route("/api/v1/invoices/{id}/cancel", post(cancel))
        .route("/api/v1/account", get(account))
        .route("/api/v1/account/api-logs", get(api_logs))
        .route("/api/v1/sandbox/simulate-payment", post(simulate_payment))
        .route("/api/v1/sandbox/trigger-expiry", post(trigger_expiry))
        .route("/api/v1/sandbox/test-webhook", post(test_webhook))
        .route("/sandbox/clock", get(clock))
        .route("/sandbox/clock/advance", post(advance))
        .route("/sandbox/invoices", get(invoice_counts))
        .route("/sandbox/invoices/{id}", get(core_state))
        .route("/sandbox/invoices/{id}/pay", post(pay))
        .route("/sandbox/invoices/{id}/confirm", post(confirm))
        .route("/sandbox/invoices/{id}/drop", post(drop_transfer))
        .route("/sandbox/deliveries", get(deliveries))
        .route("/sandbox/account", post(set_account))
        .route("/sandbox/accounts/{account}", get(shared_account))
        .route(
            "/sandbox/accounts/{account}/transfers",
            post(shared_transfer),
        )
        .merge(crate::seed::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(seed_shaped_errors))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            log_api_request,
        ))
        // The checkout pages answer in HTML, outside the seed-shaped errors and the API
        // log; like every route, they see the state other processes changed.
        .merge(crate::checkout::router())
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            sync_shared_state,
        ))
        .with_state(app)
}

/// A JSON response.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, text).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Rejections axum makes itself (an undecodable path segment, a bad query) answer in
/// plain text: they are given the seed's error shape too.
async fn seed_shaped_errors(resp: Response) -> Response {
    let status = resp.status();
    // JSON answers are already shaped; HTML pages (seed 000's checkout links) are meant.
    let is_json = resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if status.as_u16() < 400 || is_json {
        return resp;
    }
    let message = status.canonical_reason().unwrap_or("Request rejected");
    ApiError::new(status.as_u16(), message).into_response()
}

/// On PostgreSQL, several processes serve one database: before each request this one
/// takes up the clock and suspension the others may have changed.
async fn sync_shared_state(
    State(app): Shared,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Err(e) = scheduler::sync_shared(&app).await {
        return e.into_response();
    }
    next.run(req).await
}

/// Logs every request to seed 001's API (`/api/v1/...`) for `GET /api/v1/account/api-logs`:
/// method, path, status and time only. A failure to log never fails the request.
async fn log_api_request(
    State(app): Shared,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let at = app.clock.now_ms();
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let log = store::ApiLog {
        at,
        method,
        // Paths are client input: kept short.
        path: path.chars().take(300).collect(),
        status: resp.status().as_u16(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    // Written by the next transaction (`Db::log_api_request`): no transaction of its own.
    app.db.log_api_request(log);
    resp
}

/// `GET /api/v1/account/api-logs?limit=50`: the latest requests, newest first (1..100).
async fn api_logs(
    State(app): Shared,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    let limit = query_number(&query.unwrap_or_default(), "limit", 50, 100)?;
    let logs = app.db.tx(move |tx| store::api_logs(tx, limit)).await?;
    let data: Vec<Value> = logs
        .into_iter()
        .map(|l| {
            json!({
                "method": l.method,
                "path": l.path,
                "statusCode": l.status,
                "durationMs": l.duration_ms,
                "createdAt": to_timestamp(l.at).to_string(),
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })))
}

fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, &body)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Cannot find this route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(405, "Method not allowed on this route")
}

/// Checks `Authorization: Bearer test_...` against the configured key (`--api-key`; the
/// `/sandbox/` controls take it whatever `[seeds.001]` sets): the shape by the core's
/// seed-001 rule, the value in constant time.
pub(crate) fn authorize(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    authorize_key(headers, &app.config.api_key)
}

fn authorize_key(headers: &HeaderMap, key: &str) -> Result<(), ApiError> {
    let value = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::new(401, "Invalid API key"))?,
        ),
    };
    usdt_gateway::key_mode(value).map_err(ApiError::from_rejection)?;
    let given = value
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), key.as_bytes()) {
        return Err(ApiError::new(401, "Invalid API key"));
    }
    Ok(())
}

/// [`authorize`] for seed 001's own API, with seed 001's key (`[seeds.001] api_key`, else
/// `--api-key`), which a suspended account may not use (the seed: "403 Forbidden -
/// Account suspended").
fn authorize_api(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    authorize_key(headers, app.config.api_key_for("001"))?;
    if app.suspended.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::new(403, "Account suspended"));
    }
    Ok(())
}

/// Compares two secrets in time that depends on their lengths only.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A JSON object body (an empty body reads as `{}`), with only `allowed` members.
fn object(body: Body, allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let bytes = read_body(body)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let map = parse_object(&bytes).map_err(|e| ApiError::from_core(&e))?;
    Obj::new(&map, "")
        .deny_unknown(allowed)
        .map_err(|e| ApiError::from_core(&e))?;
    Ok(map)
}

fn core<T>(r: paystate::Result<T>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::from_core(&e))
}

// ---- seed 001 --------------------------------------------------------------------------

async fn create_invoice(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    let run = async {
        authorize_api(&app, &headers)?;
        app.limits.check(Class::Create)?;
        let bytes = read_body(body)?;
        let shared = shared_account_header(&headers)?;
        gateway::create_invoice(&app, bytes.to_vec(), shared).await
    };
    match run.await {
        Ok(v) => json_response(StatusCode::CREATED, &v),
        Err(e) => e.into_response(),
    }
}

/// The header a sandbox client sends to create an invoice paid into a shared account by
/// amount only (sandbox-only: seed 001 has no such field).
pub const SHARED_ACCOUNT_HEADER: &str = "x-sandbox-shared-account";

/// Longest shared account name.
const MAX_ACCOUNT_NAME: usize = 64;

fn check_account_name(name: &str, field: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_ACCOUNT_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{field} must be 1 to {MAX_ACCOUNT_NAME} characters of A-Z, a-z, 0-9, '-', '_', '.'"
        )))
    }
}

fn shared_account_header(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(SHARED_ACCOUNT_HEADER) else {
        return Ok(None);
    };
    let field = "X-Sandbox-Shared-Account";
    let name = v
        .to_str()
        .map_err(|_| ApiError::bad_request(format!("{field} must be ASCII")))?;
    check_account_name(name, field)?;
    Ok(Some(name.to_owned()))
}

async fn get_invoice(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    app.limits.check(Class::Get)?;
    Ok(ok(gateway::get_invoice(&app, Lookup::Id(id)).await?))
}

async fn get_by_reference(
    State(app): Shared,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    Ok(ok(
        gateway::get_invoice(&app, Lookup::Reference(reference)).await?
    ))
}

/// A positive whole number from a query parameter, digits only.
fn query_number(query: &str, name: &str, default: u32, max: u32) -> Result<u32, ApiError> {
    let mut found = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            found = Some(v);
        }
    }
    let Some(text) = found else {
        return Ok(default);
    };
    let bad = || ApiError::bad_request(format!("{name} must be a whole number from 1 to {max}"));
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(bad()),
    }
}

async fn list_invoices(
    State(app): Shared,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    app.limits.check(Class::List)?;
    let query = query.unwrap_or_default();
    let page = query_number(&query, "page", 1, 1_000_000)?;
    let limit = query_number(&query, "limit", 20, gateway::MAX_PAGE_LIMIT)?;
    Ok(ok(gateway::list_invoices(&app, page, limit).await?))
}

async fn cancel(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    Ok(ok(gateway::cancel(&app, id).await?))
}

async fn account(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    Ok(ok(gateway::account(&app).await?))
}

fn delay(o: &Obj<'_>, name: &str) -> Result<Option<u64>, ApiError> {
    let d = core(o.opt_u64(name))?;
    if d.is_some_and(|s| s > MAX_DELAY_SECONDS) {
        return Err(ApiError::bad_request(format!(
            "{name} must be at most {MAX_DELAY_SECONDS}"
        )));
    }
    Ok(d)
}

/// Seed 001: `invoiceId` (required), `delaySeconds` ("Delay before confirming"): the
/// exact amount is seen now, confirmed now or `delaySeconds` later.
async fn simulate_payment(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    app.limits.check(Class::Sandbox)?;
    let map = object(body, &["invoiceId", "delaySeconds"])?;
    let o = Obj::new(&map, "");
    let id = core(o.str("invoiceId"))?.to_owned();
    let delay = delay(&o, "delaySeconds")?.unwrap_or(0);
    let payment = Payment {
        amount: None,
        tx_id: None,
        confirmed: delay == 0,
        confirm_after: (delay > 0).then_some(delay),
        drop_after: None,
    };
    gateway::require_seed_001(&app, id.clone()).await?;
    let (invoice, tx_id) = gateway::pay(&app, id, payment).await?;
    let now = app.clock.now();
    Ok(ok(json!({
        "success": true,
        "invoiceId": invoice.id(),
        "txHash": tx_id,
        "status": gateway::seed_status(invoice.status_at(now)),
    })))
}

async fn trigger_expiry(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    app.limits.check(Class::Sandbox)?;
    let map = object(body, &["invoiceId"])?;
    let id = core(Obj::new(&map, "").str("invoiceId"))?.to_owned();
    Ok(ok(gateway::trigger_expiry(&app, id).await?))
}

async fn test_webhook(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize_api(&app, &headers)?;
    app.limits.check(Class::Sandbox)?;
    let map = object(body, &["url", "invoiceId"])?;
    let o = Obj::new(&map, "");
    let url = core(o.opt_str("url"))?.map(str::to_owned);
    if let Some(u) = &url {
        gateway::check_target_url(u, "url")?;
    }
    let invoice_id = core(o.opt_str("invoiceId"))?.map(str::to_owned);
    Ok(ok(gateway::test_webhook(&app, url, invoice_id).await?))
}

// ---- sandbox controls -------------------------------------------------------------------

fn clock_json(app: &App) -> Value {
    let ms = app.clock.now_ms();
    json!({
        "now": to_timestamp(ms).to_string(),
        "nowMs": ms,
        "realtime": app.clock.is_realtime(),
    })
}

async fn clock(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    Ok(ok(clock_json(&app)))
}

/// `{"seconds": N}`: returns once everything that fell due has been applied or attempted.
async fn advance(State(app): Shared, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let map = object(body, &["seconds"])?;
    let seconds = core(Obj::new(&map, "").u64("seconds"))?;
    if seconds > MAX_ADVANCE_SECONDS {
        return Err(ApiError::bad_request(format!(
            "seconds must be at most {MAX_ADVANCE_SECONDS}"
        )));
    }
    if app.clock.is_realtime() {
        return Err(ApiError::bad_request(
            "the clock follows the wall clock (--realtime); it cannot be advanced",
        ));
    }
    scheduler::advance(&app, seconds).await?;
    Ok(ok(clock_json(&app)))
}

/// `GET /sandbox/invoices`: how many invoices the sandbox holds, in all and per seed (seed
/// 001's own list and stats count only its invoices).
async fn invoice_counts(State(app): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    Ok(ok(gateway::invoice_counts(&app).await?))
}

async fn core_state(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    Ok(ok(gateway::core_state(&app, id).await?))
}

/// The payer's side of a `pay` or shared-account transfer body.
fn payment(map: &Map<String, Value>) -> Result<Payment, ApiError> {
    let o = Obj::new(map, "");
    let amount = match core(o.opt_str("amount"))? {
        Some(text) => Some(core(Amount::parse_positive(text, "amount"))?),
        None => None,
    };
    let tx_id = core(o.opt_str("txId"))?.map(str::to_owned);
    let confirmed = core(o.opt_bool("confirmed"))?.unwrap_or(true);
    let confirm_after = delay(&o, "confirmAfterSeconds")?;
    let drop_after = delay(&o, "dropAfterSeconds")?;
    if confirmed && (confirm_after.is_some() || drop_after.is_some()) {
        return Err(ApiError::bad_request(
            "confirmAfterSeconds and dropAfterSeconds need \"confirmed\": false",
        ));
    }
    Ok(Payment {
        amount,
        tx_id,
        confirmed,
        confirm_after,
        drop_after,
    })
}

/// The members a payment body may carry (`pay` and `shared_transfer`).
const PAYMENT_FIELDS: &[&str] = &[
    "amount",
    "txId",
    "confirmed",
    "confirmAfterSeconds",
    "dropAfterSeconds",
];

/// `{"amount"?: "12.5", "txId"?, "confirmed"?: true, "confirmAfterSeconds"?, "dropAfterSeconds"?}`:
/// exact (no amount), short or over (an amount), in parts (several calls), late (after
/// advancing past the deadline), unconfirmed then confirmed or dropped.
async fn pay(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let map = object(body, PAYMENT_FIELDS)?;
    let payment = payment(&map)?;
    let (invoice, tx_id) = gateway::pay(&app, id.clone(), payment).await?;
    let now = app.clock.now();
    Ok(ok(json!({
        "invoiceId": invoice.id(),
        "txId": tx_id,
        "status": invoice.status_at(now).as_str(),
        "seedStatus": gateway::seed_status(invoice.status_at(now)),
    })))
}

/// `{"amount": "150.0001", "txId"?, "confirmed"?: true, "confirmAfterSeconds"?,
/// "dropAfterSeconds"?}`: a transfer into shared account `account` that carries only its
/// amount; the matcher routes it to the invoice whose payable amount it is.
async fn shared_transfer(
    State(app): Shared,
    headers: HeaderMap,
    Path(account): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    check_account_name(&account, "account")?;
    let map = object(body, PAYMENT_FIELDS)?;
    let payment = payment(&map)?;
    if payment.amount.is_none() {
        return Err(ApiError::bad_request("amount is required"));
    }
    Ok(ok(gateway::shared_transfer(&app, account, payment).await?))
}

/// The payable amounts a shared account's matcher holds.
async fn shared_account(
    State(app): Shared,
    headers: HeaderMap,
    Path(account): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    check_account_name(&account, "account")?;
    Ok(ok(gateway::shared_account(&app, account).await?))
}

async fn transfer_command(
    app: Arc<App>,
    headers: HeaderMap,
    id: String,
    body: Body,
    confirm: bool,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let map = object(body, &["txId"])?;
    let tx_id = core(Obj::new(&map, "").str("txId"))?.to_owned();
    let command = if confirm {
        paystate::Command::ConfirmTransfer { tx_id }
    } else {
        paystate::Command::DropTransfer { tx_id }
    };
    let invoice = gateway::command(&app, id, command).await?;
    let now = app.clock.now();
    Ok(ok(json!({
        "invoiceId": invoice.id(),
        "status": invoice.status_at(now).as_str(),
        "seedStatus": gateway::seed_status(invoice.status_at(now)),
    })))
}

async fn confirm(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    transfer_command(app, headers, id, body, true).await
}

async fn drop_transfer(
    State(app): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    transfer_command(app, headers, id, body, false).await
}

/// Every delivery with every attempt: `?invoiceId=...&limit=N` (default 100, at most 1000).
async fn deliveries(
    State(app): Shared,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let query = query.unwrap_or_default();
    let limit = query_number(&query, "limit", 100, 1000)?;
    let invoice_id = query
        .split('&')
        .find_map(|p| p.strip_prefix("invoiceId="))
        .map(str::to_owned);
    let list = app
        .db
        .tx(move |tx| {
            let rows = store::deliveries(tx, invoice_id.as_deref(), limit)?;
            let mut out = Vec::with_capacity(rows.len());
            for d in rows {
                let attempts: Vec<Value> = store::attempts(tx, &d.id)?
                    .into_iter()
                    .map(|a| {
                        json!({
                            "n": a.n,
                            "at": to_timestamp(a.at).to_string(),
                            "outcome": a.outcome,
                            "statusCode": a.status_code,
                            "latencyMs": a.latency_ms,
                            "error": a.error,
                        })
                    })
                    .collect();
                let plan: Value = serde_json::from_str(&d.plan).unwrap_or(Value::Null);
                let state = match plan.get("next") {
                    Some(Value::String(s)) => s.clone(),
                    _ => "pending".to_owned(),
                };
                out.push(json!({
                    "id": d.id,
                    "eventType": d.event_type,
                    "invoiceId": d.invoice_id,
                    "url": d.url,
                    "state": state,
                    "nextAttemptAt": d.next_at.map(|t| to_timestamp(t).to_string()),
                    "createdAt": to_timestamp(d.created_at).to_string(),
                    "body": String::from_utf8_lossy(&d.body),
                    "attempts": attempts,
                }));
            }
            Ok(out)
        })
        .await?;
    Ok(ok(json!({"data": list})))
}

/// `{"suspended": true|false}`: while suspended, seed 001's API answers 403 "Account
/// suspended" (the controls under `/sandbox` keep working). Kept across restarts.
async fn set_account(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    authorize(&app, &headers)?;
    let map = object(body, &["suspended"])?;
    let suspended = core(Obj::new(&map, "").bool("suspended"))?;
    app.db
        .tx(move |tx| {
            store::meta_set(
                tx,
                crate::server::SUSPENDED_KEY,
                if suspended { "1" } else { "0" },
            )
        })
        .await?;
    app.suspended
        .store(suspended, std::sync::atomic::Ordering::SeqCst);
    Ok(ok(json!({ "suspended": suspended })))
}
