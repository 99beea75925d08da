//! Seed 000 (gatenoc): `POST /api/v1/merchant/checkout-session` with `X-Merchant-Key`,
//! its single-use `checkout_url`, and the `payment.completed` callback with
//! `X-Gateway-Merchant-Key` (`docs/spec.md §8.1`).
//!
//! The checkout link is a checkout session (`docs/spec.md §5`): its token is the HMAC of
//! the session id under `--webhook-secret`; visiting it consumes the session and answers
//! 303 to the hosted page `/pay/{reference}`. A used or expired link is a message page in
//! the checkout page's style (410). A `HEAD` request (a link preview, a mail scanner, a
//! prefetch) answers what a `GET` would without using the link up. The link has the seed's shape, `{base}/checkout/{merchant_id}?cs={token}`;
//! `{base}/checkout/{token}` is accepted too.

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use paystate::dialect::gatenoc::{
    self, CheckoutContext, CheckoutRender, CompletedRender, DEFAULT_SESSION_TTL,
};
use paystate::session::{session_token, verify_session_token};
use paystate::{Command, Event, EventType, Invoice, Session};
use serde_json::{json, Value};

use super::{Answer, BodyRefusal, NewSeedInvoice, Seed};
use crate::error::ApiError;
use crate::ids;
use crate::server::App;
use crate::store;

/// The merchant id in checkout links (the seed's `merchant_id` is a number).
pub const MERCHANT_ID: u64 = 1;

/// The routes of seed 000.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/merchant/checkout-session", post(create))
        .route("/checkout/{token}", get(visit))
}

fn error(status: u16, body: Value) -> ApiError {
    ApiError::with_body(status, body)
}

async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    // A header that is not text cannot equal the key: it is checked as a wrong key.
    let key = headers
        .get("X-Merchant-Key")
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    gatenoc::check_merchant_key(key, &[app.config.api_key_for("000")])
        .map_err(ApiError::from_rejection)?;
    let bytes = super::read_body(body).map_err(|refusal| match refusal {
        BodyRefusal::TooLarge => error(413, json!({"error": refusal.message()})),
        BodyRefusal::Unreadable => error(422, json!({"error": refusal.message()})),
    })?;
    let now = app.clock.now();
    let ctx = CheckoutContext {
        id: ids::uuid_v4()?,
        now,
        ttl: DEFAULT_SESSION_TTL,
    };
    let req = gatenoc::parse_checkout_session(&bytes, &ctx).map_err(ApiError::from_rejection)?;
    let spec = req.invoice.spec.clone();
    let (invoice, _) = Invoice::create(spec.clone(), now)
        .map_err(|e| error(422, json!({"error": e.to_string()})))?;
    let session_id = format!("cs_{}", ids::random_hex::<16>()?);
    let session = Session::open(&session_id, &invoice, ctx.ttl, now)
        .map_err(|e| ApiError::internal(format_args!("session: {}", e.code())))?;
    let token = session_token(app.config.webhook_secret_for("000").as_bytes(), &session_id)
        .map_err(|e| ApiError::internal(format_args!("session token: {}", e.code())))?;
    let view = gatenoc::render_checkout_session(
        &req,
        &CheckoutRender {
            base_url: app.base_url.clone(),
            merchant_id: MERCHANT_ID,
            session_token: token.clone(),
        },
    );
    let session_text = serde_json::to_string(&session).map_err(ApiError::internal)?;
    let command = Command::Create(Box::new(spec));
    let notify = req.notify_url.clone();
    let request = req.extra_json();
    let out = view.clone();
    app.db
        .tx(move |tx| {
            super::insert_invoice(
                tx,
                &NewSeedInvoice {
                    seed: Seed::Gatenoc,
                    invoice: &invoice,
                    command: &command,
                    view: &view,
                    callback_url: notify.as_deref(),
                    seed_ref: None,
                    request: &request,
                },
                now,
            )?;
            store::insert_session(tx, &token, invoice.id(), &session_text)
        })
        .await?;
    Ok(Answer(out))
}

/// What visiting a link found.
enum Visit {
    /// The session was consumed: go to the hosted page.
    Pay(String),
    /// No such link.
    Unknown,
    /// Used already.
    Used,
    /// Past its time.
    Expired,
    /// The invoice can no longer be paid.
    Closed(String),
}

/// `GET /checkout/{merchant_id}?cs={token}` (the seed's link) or `GET /checkout/{token}`.
/// `HEAD` (which axum routes here too) looks without using the link.
async fn visit(
    State(app): State<Arc<App>>,
    method: Method,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let cs = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "cs")
            .map(|(_, v)| v.into_owned())
    });
    let token = cs.unwrap_or(segment);
    let use_it = method != Method::HEAD;
    match consume(&app, token, use_it).await {
        Ok(Visit::Pay(reference)) => {
            let mut resp = StatusCode::SEE_OTHER.into_response();
            match HeaderValue::from_str(&format!("/pay/{reference}")) {
                Ok(v) => {
                    resp.headers_mut().insert(header::LOCATION, v);
                    resp
                }
                Err(_) => page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Try the link again in a moment.",
                ),
            }
        }
        Ok(Visit::Unknown) => page(
            StatusCode::NOT_FOUND,
            "Checkout link not found",
            "This checkout link does not exist. Ask the shop for a new one.",
        ),
        Ok(Visit::Used) => page(
            StatusCode::GONE,
            "This checkout link was already used",
            "Each checkout link opens once. Ask the shop for a new link if you still need to pay.",
        ),
        Ok(Visit::Expired) => page(
            StatusCode::GONE,
            "This checkout link has expired",
            "Checkout links are short-lived. Ask the shop for a new link.",
        ),
        Ok(Visit::Closed(status)) => page(
            StatusCode::GONE,
            "This invoice can no longer be paid",
            &format!("Its status is {status}."),
        ),
        Err(_) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Try the link again in a moment.",
        ),
    }
}

/// Checks a link and, when `use_it`, uses it up (in the same transaction).
async fn consume(app: &Arc<App>, token: String, use_it: bool) -> Result<Visit, ApiError> {
    // A token is 64 lowercase hex digits (HMAC-SHA256); anything else is unknown.
    if token.len() != 64
        || !token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Ok(Visit::Unknown);
    }
    let now = app.clock.now();
    let secret = app.config.webhook_secret_for("000").to_owned();
    app.db
        .tx(move |tx| {
            let Some((invoice_id, state)) = store::session_by_token(tx, &token)? else {
                return Ok(Visit::Unknown);
            };
            let mut session: Session = serde_json::from_str(&state).map_err(ApiError::internal)?;
            let genuine = verify_session_token(secret.as_bytes(), session.id(), &token)
                .map_err(|e| ApiError::internal(format_args!("session token: {}", e.code())))?;
            if !genuine {
                return Ok(Visit::Unknown);
            }
            let Some(row) = store::invoice_by_id(tx, &invoice_id)? else {
                return Ok(Visit::Unknown);
            };
            let invoice = Invoice::from_json(&row.state)
                .map_err(|e| ApiError::internal(format_args!("stored state: {}", e.code())))?;
            match session.use_at(&invoice, now) {
                Ok(()) => {
                    if use_it {
                        let text = serde_json::to_string(&session).map_err(ApiError::internal)?;
                        store::update_session(tx, &token, &state, &text)?;
                    }
                    Ok(Visit::Pay(row.id))
                }
                Err(paystate::Error::SessionUsed { .. }) => Ok(Visit::Used),
                Err(paystate::Error::SessionExpired { .. }) => Ok(Visit::Expired),
                Err(_) => Ok(Visit::Closed(invoice.status_at(now).as_str().to_owned())),
            }
        })
        .await
}

/// A message page in the checkout page's style (no trace, no secret).
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    crate::checkout::message_page(status, title, text)
}

/// The `payment.completed` callback of a paid invoice (the only event the seed
/// documents). `bybit_pay_id` is the paying transfer's id (the TXID, when the payer
/// claimed one); `payment_record_id` is the event id, stable across retries.
pub fn webhook(invoice: &Invoice, event: &Event) -> Result<Option<Vec<u8>>, ApiError> {
    if event.event_type != EventType::Paid {
        return Ok(None);
    }
    let body = gatenoc::render_payment_completed(
        invoice,
        &CompletedRender {
            bybit_pay_id: super::paying_tx(invoice).unwrap_or_default().to_owned(),
            payment_record_id: event.id.clone(),
        },
    );
    super::webhook_bytes(&body)
}
