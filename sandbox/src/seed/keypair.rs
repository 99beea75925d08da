//! Seed 004: invoices created with a public/private key pair, form-encoded as PHP's
//! `http_build_query` sends them (`docs/spec.md §8.5`), answered
//! `{"status": "success", "message": "<invoice url>"}` or
//! `{"status": "error", "message": ["..."]}`, with a callback that carries the private key,
//! tried 3 times 5 minutes apart until HTTP 200.
//!
//! The seed leaves the endpoint's URL blank (`$url = ''`); the sandbox serves it at
//! [`PATH`]. Keys: `public_key` is `--api-key`, `private_key` is `--webhook-secret` (the
//! callback's "signature" is that key, so it is the webhook secret).

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use paystate::dialect::keypair_invoice::{self, CallbackRender, InvoiceContext, InvoiceRequest};
use paystate::json::parse_object;
use paystate::{Amount, Command, Event, EventType, Invoice, Timestamp};
use serde_json::{json, Map, Value};

use super::{Answer, NewSeedInvoice, Seed};
use crate::error::ApiError;
use crate::ids;
use crate::server::App;
use crate::store::SeedInvoiceRow;

/// Where invoices are created.
pub const PATH: &str = "/api/invoice/create";

/// The fee `add_fee_to_price` adds (USDT): the seed names a fee without an amount.
pub const FEE: &str = "0.50";

/// The value the stored request holds instead of the private key.
const STORED_KEY: &str = "<stored>";

/// The routes of seed 004.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route(PATH, post(create))
}

fn error(status: u16, message: &str) -> ApiError {
    ApiError::with_body(status, keypair_invoice::error_body(message))
}

/// Turns a form body (`application/x-www-form-urlencoded`, as `http_build_query` writes
/// it) into the JSON object the core's parser reads: every value a string, empty values
/// left out (`http_build_query` writes `''` as `key=`, the seed's "no value"), and
/// `banned_coins[0]=..&banned_coins[1]=..` (PHP's array encoding) an array. A name given
/// twice is refused rather than silently resolved.
pub fn form_to_json(body: &[u8]) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, value) in form_urlencoded::parse(body) {
        if let Some((base, rest)) = name.split_once('[') {
            let index_ok = rest
                .strip_suffix(']')
                .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()));
            if base != "banned_coins" || !index_ok {
                return Err(format!(
                    "{}: only banned_coins may be sent as a list",
                    paystate::dialect::common::short(&name)
                ));
            }
            let entry = map
                .entry("banned_coins".to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            match entry {
                Value::Array(a) => a.push(Value::String(value.into_owned())),
                _ => return Err("banned_coins is given twice".to_owned()),
            }
            continue;
        }
        if !seen.insert(name.to_string()) || map.contains_key(name.as_ref()) {
            return Err(format!(
                "{} is given twice",
                paystate::dialect::common::short(&name)
            ));
        }
        if !value.is_empty() {
            map.insert(name.into_owned(), Value::String(value.into_owned()));
        }
    }
    Ok(map)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

fn rate_of(map: &Map<String, Value>) -> Result<Amount, ApiError> {
    let code = match map.get("price_currency") {
        None => "USD",
        Some(Value::String(s)) => s.as_str(),
        // The core names the type error.
        Some(_) => "USD",
    };
    let Some(rate) = super::fiat_rate(code) else {
        return Err(error(
            422,
            &format!(
                "price_currency: the sandbox converts USD, EUR and GBP only, not {}",
                paystate::dialect::common::short(code)
            ),
        ));
    };
    Amount::parse(rate, "rate").map_err(ApiError::internal)
}

fn context(id: String, now: Timestamp, rate: Amount) -> Result<InvoiceContext, ApiError> {
    Ok(InvoiceContext {
        id,
        now,
        rate,
        fee: Amount::parse(FEE, "fee").map_err(ApiError::internal)?,
        asset: None,
    })
}

async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let bytes = super::read_body(body).map_err(|r| error(r.status(), &r.message()))?;
    // The seed's PHP and Node examples send a form, its Python example JSON: both work.
    let map = if is_json(&headers) {
        parse_object(&bytes).map_err(|e| error(422, &e.to_string()))?
    } else {
        form_to_json(&bytes).map_err(|m| error(422, &m))?
    };
    let json_body = serde_json::to_vec(&map).map_err(ApiError::internal)?;
    let now = app.clock.now();
    let ctx = context(ids::uuid_v4()?, now, rate_of(&map)?)?;
    let req = keypair_invoice::parse_invoice(&json_body, &ctx).map_err(ApiError::from_rejection)?;
    let private_key = map
        .get("private_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !crate::http::constant_time_eq(
        req.public_key.as_bytes(),
        app.config.api_key_for("004").as_bytes(),
    ) || !crate::http::constant_time_eq(
        private_key.as_bytes(),
        app.config.webhook_secret_for("004").as_bytes(),
    ) {
        return Err(error(401, "Invalid public_key or private_key"));
    }
    let spec = req.invoice.spec.clone();
    let (invoice, _) =
        Invoice::create(spec.clone(), now).map_err(|e| error(422, &e.to_string()))?;
    let url = format!("{}/pay/{}", app.base_url, invoice.id());
    let view = keypair_invoice::render_invoice(&url);
    // What the callback is rendered from: the request as parsed (without the private key)
    // and the context it was parsed in, so the same request is rebuilt exactly.
    let mut stored = map.clone();
    stored.insert("private_key".into(), json!(STORED_KEY));
    let request = json!({
        "body": Value::Object(stored),
        "rate": ctx.rate.to_string(),
        "fee": ctx.fee.to_string(),
        "asset": invoice.asset().code(),
        "createdMs": now.as_millis(),
    });
    let command = Command::Create(Box::new(spec));
    let callback = req.callback_url.clone();
    let view_out = view.clone();
    app.db
        .tx(move |tx| {
            super::insert_invoice(
                tx,
                &NewSeedInvoice {
                    seed: Seed::Keypair,
                    invoice: &invoice,
                    command: &command,
                    view: &view,
                    callback_url: callback.as_deref(),
                    seed_ref: None,
                    request: &request,
                },
                now,
            )
        })
        .await?;
    Ok(Answer(view_out))
}

/// Rebuilds the create request of a stored invoice.
fn stored_request(
    seed_row: &SeedInvoiceRow,
    invoice: &Invoice,
) -> Result<InvoiceRequest, ApiError> {
    let stored: Value = serde_json::from_str(&seed_row.request).map_err(ApiError::internal)?;
    let text = |name: &str| stored.get(name).and_then(Value::as_str).unwrap_or_default();
    let rate = Amount::parse(text("rate"), "rate").map_err(ApiError::internal)?;
    let fee = Amount::parse(text("fee"), "fee").map_err(ApiError::internal)?;
    let created = stored.get("createdMs").and_then(Value::as_i64).unwrap_or(0);
    let ctx = InvoiceContext {
        id: invoice.id().to_owned(),
        now: crate::clock::to_timestamp(created),
        rate,
        fee,
        asset: Some(invoice.asset()),
    };
    let body = serde_json::to_vec(stored.get("body").unwrap_or(&Value::Null))
        .map_err(ApiError::internal)?;
    keypair_invoice::parse_invoice(&body, &ctx)
        .map_err(|r| ApiError::internal(format_args!("stored request: {}", r.error.code())))
}

/// The callback of a paid invoice (the seed sends one "if payment success"), without the
/// private key: the `keypair_invoice` signer puts it in when the attempt is made, so the
/// outbox and `/sandbox/deliveries` never hold it.
pub fn webhook(
    app: &App,
    seed_row: &SeedInvoiceRow,
    invoice: &Invoice,
    event: &Event,
) -> Result<Option<Vec<u8>>, ApiError> {
    if event.event_type != EventType::Paid {
        return Ok(None);
    }
    let req = stored_request(seed_row, invoice)?;
    let body = keypair_invoice::render_callback(
        &req,
        &CallbackRender {
            private_key: String::new(),
            id: invoice.id().to_owned(),
            amount: invoice.amount_paid(),
            amount_currency: keypair_invoice::coin_code(invoice.asset()).to_owned(),
            ref_url: format!("{}/pay/{}", app.base_url, invoice.id()),
            ip: "127.0.0.1".to_owned(),
            created_at: invoice.created_at(),
        },
    );
    let mut map = match body {
        Value::Object(m) => m,
        _ => return Err(ApiError::internal("callback is not an object")),
    };
    map.shift_remove("private_key");
    super::webhook_bytes(&Value::Object(map))
}
