//! Seed 002 (GatePay): `POST /v1/pay/checkout/order` with its signed request headers
//! (`X-GatePay-Certificate-ClientId`, `X-GatePay-Timestamp`, `X-GatePay-Nonce`,
//! `X-GatePay-Signature`, the `gatepay` scheme of `docs/spec.md §6`), and signed payment
//! notifications (`docs/spec.md §8.3`).
//!
//! What the seed leaves open, and the sandbox chose: requests are signed with `--api-key`
//! (the merchant's secret) and checked against the wall clock (the client signs with its
//! own clock; the test clock may be hours ahead), with each timestamp and nonce accepted
//! once (the replay guard); notifications are signed with `--webhook-secret`, go to the URL
//! set with `POST /sandbox/seeds/002/callback-url` (GatePay configures it per merchant) or
//! `--forward-to`, and follow the seed-less Standard Webhooks retry schedule. Errors are the
//! seed's envelope `{"status": "ERROR", "code", "errorMessage"}` with HTTP 400 (401 for the
//! client id or signature, 409 for a reused `merchantTradeNo`). Fiat prices convert at the
//! fixed rates [`super::FIAT_RATES`]. `prepayId` is numeric; `qrContent` and `location` are
//! the hosted page `/pay/{invoice id}`.

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use paystate::dialect::gatepay::{self, BizStatus, NotifyRender, OrderContext, OrderRender};
use paystate::json::parse_object;
use paystate::signature::{Scheme, Verifier};
use paystate::{Amount, Asset, Command, Event, EventType, Invoice};
use serde_json::{json, Value};

use super::{Answer, NewSeedInvoice, Seed};
use crate::error::ApiError;
use crate::ids;
use crate::server::App;
use crate::store;

/// The order endpoint.
pub const PATH: &str = "/v1/pay/checkout/order";

/// The merchant client id (`X-GatePay-Certificate-ClientId`).
pub const CLIENT_ID: &str = "paystate-sandbox-client";

/// The routes of seed 002.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route(PATH, post(order))
}

fn error(status: u16, code: &str, message: &str) -> ApiError {
    ApiError::with_body(
        status,
        json!({"status": "ERROR", "code": code, "errorMessage": message}),
    )
}

fn core_error(status: u16, e: &paystate::Error) -> ApiError {
    ApiError::with_body(status, gatepay::error_body(e))
}

/// The order's deposit address: the sandbox's address of its chain
/// ([`crate::gateway::deposit_address`]; GatePay orders are always on a chain).
fn address(asset: Asset) -> &'static str {
    crate::gateway::deposit_address(asset).unwrap_or_default()
}

async fn order(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let client = headers
        .get("X-GatePay-Certificate-ClientId")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if client.is_empty() {
        return Err(error(
            401,
            "signature_missing",
            "X-GatePay-Certificate-ClientId header is missing",
        ));
    }
    if !crate::http::constant_time_eq(client, CLIENT_ID.as_bytes()) {
        return Err(error(
            401,
            "signature_mismatch",
            "X-GatePay-Certificate-ClientId is not this merchant's client id",
        ));
    }
    let bytes = super::read_body(body).map_err(|r| error(r.status(), r.code(), &r.message()))?;
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect();
    let wall = paystate::Timestamp::from_millis(crate::clock::wall_millis(), "now")
        .map_err(|e| ApiError::internal(format_args!("wall clock: {}", e.code())))?;
    let verifier = Verifier::new(Scheme::Gatepay, &[app.config.api_key_for("002").as_bytes()])
        .map_err(|e| ApiError::internal(format_args!("verifier: {}", e.code())))?;
    let verified = verifier
        .verify(&pairs, &bytes, wall)
        .map_err(|e| core_error(401, &e))?;
    let now = app.clock.now();
    let map = parse_object(&bytes).map_err(|e| core_error(400, &e))?;
    let fiat = map
        .get("fiatCurrency")
        .and_then(Value::as_str)
        .unwrap_or("USD");
    let converted = super::fiat_rate(fiat);
    if map.contains_key("fiatAmount") && converted.is_none() {
        return Err(error(
            400,
            super::invalid_field_code(),
            &format!(
                "fiatCurrency: the sandbox converts USD, EUR and GBP only, not {}",
                paystate::dialect::common::short(fiat)
            ),
        ));
    }
    let ctx = OrderContext {
        id: ids::uuid_v4()?,
        now,
        rate: Amount::parse(converted.unwrap_or("1"), "rate").map_err(ApiError::internal)?,
    };
    let req = gatepay::parse_order(&bytes, &ctx).map_err(|r| core_error(400, &r.error))?;
    let spec = req.invoice.spec.clone();
    let (invoice, _) = Invoice::create(spec.clone(), now).map_err(|e| core_error(400, &e))?;
    let trade_no = spec.reference.clone().unwrap_or_default();
    let page = format!("{}/pay/{}", app.base_url, invoice.id());
    let answer = gatepay::render_order(
        &req,
        &OrderRender {
            prepay_id: super::numeric_id(invoice.id()).to_string(),
            qr_content: page.clone(),
            location: page,
            address: address(invoice.asset()).to_owned(),
        },
    );
    let command = Command::Create(Box::new(spec));
    let view = answer.clone();
    let request = req.extra_json();
    let replay = verified.replay;
    app.db
        .tx(move |tx| {
            if let Some(k) = &replay {
                if !store::record_replay(tx, &k.key, k.keep_until.as_millis(), wall.as_millis())? {
                    return Err(error(
                        401,
                        "replayed",
                        "this X-GatePay-Timestamp and X-GatePay-Nonce were already used",
                    ));
                }
            }
            if store::seed_invoice_by_ref(tx, Seed::Gatepay.code(), &trade_no)?.is_some() {
                return Err(error(
                    409,
                    super::invalid_field_code(),
                    "merchantTradeNo: must be unique, and this one was already used",
                ));
            }
            super::insert_invoice(
                tx,
                &NewSeedInvoice {
                    seed: Seed::Gatepay,
                    invoice: &invoice,
                    command: &command,
                    view: &view,
                    callback_url: None,
                    seed_ref: Some(&trade_no),
                    request: &request,
                },
                now,
            )
        })
        .await?;
    Ok(Answer(answer))
}

/// The notification an event causes: `PAY_SUCCESS` when paid, `PAY_CLOSE` when the order
/// times out, `PAY_ERROR` when the invoice is marked invalid.
pub fn webhook(_app: &App, invoice: &Invoice, event: &Event) -> Result<Option<Vec<u8>>, ApiError> {
    let status = match event.event_type {
        EventType::Paid => BizStatus::PaySuccess,
        EventType::Expired => BizStatus::PayClose,
        EventType::Invalid => BizStatus::PayError,
        _ => return Ok(None),
    };
    let body = gatepay::render_notification(
        invoice,
        status,
        &NotifyRender {
            prepay_id: super::numeric_id(invoice.id()).to_string(),
            client_id: CLIENT_ID.to_owned(),
            transaction_id: super::paying_tx(invoice).unwrap_or_default().to_owned(),
            create_time: event.at,
        },
    );
    super::webhook_bytes(&body)
}
