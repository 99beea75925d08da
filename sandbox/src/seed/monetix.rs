//! Seed 003 (Monetix, Bybit Pay through Gate): `POST /v2/payment/wallet/bybit/sale`,
//! `/refund` and `/payout`, each signed inside the body (`general.signature`, the
//! `monetix` scheme, `docs/spec.md §6`), and the callbacks the seed shows, signed the same
//! way (`docs/spec.md §8.4`).
//!
//! What the seed leaves open, and the sandbox chose: requests are signed with `--api-key`
//! (the merchant's secret), callbacks with `--webhook-secret`; the project id is
//! [`PROJECT_ID`]; the seed shows no synchronous answer, so a request accepted is
//! `{"status": "success", "project_id", "payment_id", "request_id"}` and a refused one
//! `{"status": "error", "code", "message"}` (400; 401 for the signature or project; 404 for
//! an unknown payment; 409 for a reused `payment_id`); callbacks go to the URL set with
//! `POST /sandbox/seeds/003/callback-url` (Monetix configures it per project) or
//! `--forward-to`. Purchases are converted at the fixed rates [`RATES`].

use std::sync::Arc;

use crate::store::Tx;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use paystate::dialect::monetix::{
    self, CallbackRender, Money, OperationStatus, OperationType, ProviderInfo, PurchaseContext,
};
use paystate::json::parse_object;
use paystate::signature::{Scheme, Verifier};
use paystate::{Amount, Command, Currency, Event, EventType, Invoice, RefundOutcome, Timestamp};
use serde_json::{json, Value};

use super::{Answer, NewSeedInvoice, Seed};
use crate::error::ApiError;
use crate::ids;
use crate::server::App;
use crate::store::{self, SeedInvoiceRow};

/// The sandbox's Monetix project id.
pub const PROJECT_ID: u64 = 1001;

/// USDT per unit of each purchase currency Bybit Pay accepts (fixed sandbox rates).
pub const RATES: [(&str, &str); 4] = [
    ("USD", "1"),
    ("EUR", "1.08"),
    ("BRL", "0.18"),
    ("RUB", "0.011"),
];

/// The routes of seed 003.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/payment/wallet/bybit/sale", post(sale))
        .route("/v2/payment/wallet/bybit/refund", post(refund))
        .route("/v2/payment/wallet/bybit/payout", post(payout))
}

fn error(status: u16, code: &str, message: &str) -> ApiError {
    ApiError::with_body(
        status,
        json!({"status": "error", "code": code, "message": message}),
    )
}

fn core_error(status: u16, e: &paystate::Error) -> ApiError {
    error(status, e.code(), &e.to_string())
}

/// An error from the shared invoice code, in this seed's shape.
fn reshape(e: ApiError) -> ApiError {
    if e.status >= 500 || e.body.get("code").is_some() {
        return e;
    }
    let message = e
        .body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("refused")
        .to_owned();
    error(e.status, "invalid_transition", &message)
}

/// The body, its signature checked with the merchant's secret (`--api-key`) and its
/// project checked: what every request of this seed goes through first.
fn verified(app: &App, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let bytes = super::read_body(body).map_err(|r| error(r.status(), r.code(), &r.message()))?;
    let verifier = Verifier::new(Scheme::Monetix, &[app.config.api_key_for("003").as_bytes()])
        .map_err(|e| ApiError::internal(format_args!("verifier: {}", e.code())))?;
    let no_headers: [(&str, &str); 0] = [];
    verifier
        .verify(&no_headers[..], &bytes, app.clock.now())
        .map_err(|e| {
            let status = if e.code() == "malformed_json" {
                400
            } else {
                401
            };
            core_error(status, &e)
        })?;
    Ok(bytes)
}

/// The answer to an accepted refund or payout (a sale's adds `sandbox_invoice_id`).
fn accepted(payment_id: &str, request_id: &str) -> Answer {
    Answer(json!({
        "status": "success",
        "project_id": PROJECT_ID,
        "payment_id": payment_id,
        "request_id": request_id,
    }))
}

fn check_project(project_id: u64) -> Result<(), ApiError> {
    if project_id != PROJECT_ID {
        return Err(error(
            401,
            "signature_mismatch",
            &format!("general.project_id: unknown project {project_id}"),
        ));
    }
    Ok(())
}

fn rate_for(bytes: &[u8]) -> Result<Amount, ApiError> {
    let map = parse_object(bytes).map_err(|e| core_error(400, &e))?;
    let code = map
        .get("payment")
        .and_then(|p| p.get("currency"))
        .or_else(|| map.get("payment_currency"))
        .and_then(Value::as_str)
        .unwrap_or("USD");
    // An unsupported currency is the core's to name; any rate lets it.
    let rate = RATES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("1", |(_, r)| *r);
    Amount::parse(rate, "rate").map_err(ApiError::internal)
}

async fn sale(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let bytes = verified(&app, body)?;
    let now = app.clock.now();
    let ctx = PurchaseContext {
        id: ids::uuid_v4()?,
        now,
        rate: rate_for(&bytes)?,
    };
    let req = monetix::parse_purchase(&bytes, &ctx).map_err(|r| core_error(400, &r.error))?;
    check_project(req.project_id)?;
    let spec = req.invoice.spec.clone();
    let (invoice, created) = Invoice::create(spec.clone(), now).map_err(|e| core_error(400, &e))?;
    let request_id = ids::random_hex::<20>()?;
    let request = json!({
        "currency": req.money.currency.code(),
        "minor": req.money.minor,
        "customer_id": req.customer.id,
        "request_id": request_id,
    });
    // `sandbox_invoice_id` names the invoice for the controls under /sandbox/invoices.
    let answer = json!({
        "status": "success",
        "project_id": req.project_id,
        "payment_id": req.payment_id,
        "request_id": request_id,
        "sandbox_invoice_id": invoice.id(),
    });
    let command = Command::Create(Box::new(spec));
    let payment_id = req.payment_id.clone();
    let view = answer.clone();
    let a = Arc::clone(&app);
    app.db
        .tx(move |tx| {
            if store::seed_invoice_by_ref(tx, Seed::Monetix.code(), &payment_id)?.is_some() {
                return Err(error(
                    409,
                    super::invalid_field_code(),
                    "general.payment_id: already used in this project",
                ));
            }
            super::insert_invoice(
                tx,
                &NewSeedInvoice {
                    seed: Seed::Monetix,
                    invoice: &invoice,
                    command: &command,
                    view: &view,
                    callback_url: None,
                    seed_ref: Some(&payment_id),
                    request: &request,
                },
                now,
            )?;
            // "After receiving and processing your purchase request, the payment platform
            // sends you the callback with the data for displaying the payment QR code."
            let seed_row = SeedInvoiceRow {
                invoice_id: invoice.id().to_owned(),
                seed: Seed::Monetix.code().to_owned(),
                seed_ref: Some(payment_id.clone()),
                request: request.to_string(),
            };
            if let (Some(url), Some(event)) =
                (super::target(&a, tx, Seed::Monetix)?, created.first())
            {
                let body = display_data_callback(&a, &seed_row, &invoice, event)?;
                super::enqueue(
                    tx,
                    Seed::Monetix,
                    &event.id,
                    "display_data",
                    Some(invoice.id()),
                    &url,
                    body,
                    now,
                )?;
            }
            Ok(())
        })
        .await?;
    app.wake.notify_one();
    Ok(Answer(answer))
}

struct Stored {
    money: Money,
    customer_id: String,
    request_id: String,
}

fn stored(seed_row: &SeedInvoiceRow) -> Result<Stored, ApiError> {
    let v: Value = serde_json::from_str(&seed_row.request).map_err(ApiError::internal)?;
    let text = |n: &str| {
        v.get(n)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let currency = Currency::parse(&text("currency"), "currency").map_err(ApiError::internal)?;
    Ok(Stored {
        money: Money {
            minor: v.get("minor").and_then(Value::as_u64).unwrap_or(0),
            currency,
        },
        customer_id: text("customer_id"),
        request_id: text("request_id"),
    })
}

/// The due amount in US cents (`sum_converted`; USDT counts as USD here).
fn converted(invoice: &Invoice) -> Money {
    Money {
        minor: invoice.due().round_up(2).to_minor_units(2).unwrap_or(0),
        currency: Currency::USD,
    }
}

#[allow(clippy::too_many_arguments)]
fn render(
    invoice: &Invoice,
    s: &Stored,
    op_id: &str,
    op_type: OperationType,
    op_status: OperationStatus,
    payment_status: &str,
    payment_sum: Money,
    sum_initial: Money,
    at: Timestamp,
) -> Value {
    let success = matches!(op_status, OperationStatus::Success);
    let declined = matches!(op_status, OperationStatus::Decline);
    monetix::render_callback(&CallbackRender {
        project_id: PROJECT_ID,
        payment_id: invoice.spec().reference.clone().unwrap_or_default(),
        payment_type: "purchase".to_owned(),
        payment_status: payment_status.to_owned(),
        payment_date: at,
        payment_sum,
        description: format!("sandbox {}", op_type.as_str()),
        customer_id: Some(s.customer_id.clone()),
        operation_id: super::numeric_id(op_id),
        operation_type: op_type,
        operation_status: op_status,
        operation_date: at,
        created_date: invoice.created_at(),
        request_id: s.request_id.clone(),
        sum_initial,
        sum_converted: converted(invoice),
        code: if declined {
            ("20000".to_owned(), "General decline".to_owned())
        } else if success {
            ("0".to_owned(), "Success".to_owned())
        } else {
            ("0".to_owned(), "Awaiting customer action".to_owned())
        },
        provider: success.then(|| ProviderInfo {
            id: 1,
            payment_id: super::paying_tx(invoice).unwrap_or_default().to_owned(),
            auth_code: String::new(),
        }),
    })
}

fn display_data_callback(
    app: &App,
    seed_row: &SeedInvoiceRow,
    invoice: &Invoice,
    event: &Event,
) -> Result<Vec<u8>, ApiError> {
    let s = stored(seed_row)?;
    let mut body = render(
        invoice,
        &s,
        &event.id,
        OperationType::Sale,
        OperationStatus::AwaitingCustomerAction,
        "awaiting customer action",
        s.money,
        s.money,
        event.at,
    );
    if let Value::Object(m) = &mut body {
        m.insert(
            "display_data".into(),
            monetix::render_display_data(
                "",
                invoice.deadline(),
                &format!("{}/pay/{}", app.base_url, invoice.id()),
                s.money,
            ),
        );
    }
    serde_json::to_vec(&body).map_err(ApiError::internal)
}

/// The sale callback an event causes: `success` when the invoice is paid, `decline` when
/// its QR code expires unpaid (the seed: "expires 1 hour after the purchase was
/// initiated") or it is marked invalid. Refund callbacks are sent by `refund`.
pub fn webhook(
    _app: &App,
    seed_row: &SeedInvoiceRow,
    invoice: &Invoice,
    event: &Event,
) -> Result<Option<Vec<u8>>, ApiError> {
    let s = stored(seed_row)?;
    let (op_status, payment_status) = match event.event_type {
        EventType::Paid => (OperationStatus::Success, "success"),
        EventType::Expired | EventType::Invalid => (OperationStatus::Decline, "decline"),
        _ => return Ok(None),
    };
    let body = render(
        invoice,
        &s,
        &event.id,
        OperationType::Sale,
        op_status,
        payment_status,
        s.money,
        s.money,
        event.at,
    );
    super::webhook_bytes(&body)
}

async fn refund(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let bytes = verified(&app, body)?;
    let req = monetix::parse_refund(&bytes).map_err(|r| core_error(400, &r.error))?;
    check_project(req.project_id)?;
    let now = app.clock.now();
    let refund_id = format!("rf_{}", ids::random_hex::<12>()?);
    let request_id = ids::random_hex::<20>()?;
    let a = Arc::clone(&app);
    let rid = request_id.clone();
    let payment_id = req.payment_id.clone();
    app.db
        .tx(move |tx| {
            let Some(seed_row) =
                store::seed_invoice_by_ref(tx, Seed::Monetix.code(), &req.payment_id)?
            else {
                return Err(error(
                    404,
                    super::invalid_field_code(),
                    "general.payment_id: no such payment in this project",
                ));
            };
            let row = store::invoice_by_id(tx, &seed_row.invoice_id)?
                .ok_or_else(|| ApiError::internal("seed invoice without an invoice"))?;
            let invoice = Invoice::from_json(&row.state).map_err(ApiError::internal)?;
            let command = req
                .command(&invoice, &refund_id)
                .map_err(|e| core_error(400, &e))?;
            // Tried on a copy first, so a refusal keeps the core's own code.
            invoice
                .clone()
                .apply(&command, now)
                .map_err(|e| core_error(400, &e))?;
            let id = row.id.clone();
            let (before, _) =
                crate::gateway::apply_in_tx(&a, tx, &id, &command, now).map_err(reshape)?;
            let reserved = before
                .refunds()
                .iter()
                .find(|r| r.refund_id == refund_id)
                .map(|r| r.amount)
                .unwrap_or(Amount::ZERO);
            // The sandbox's Bybit settles a refund at once.
            let settle = Command::SettleRefund {
                refund_id: refund_id.clone(),
                outcome: RefundOutcome::Succeeded,
            };
            let (after, _) =
                crate::gateway::apply_in_tx(&a, tx, &id, &settle, now).map_err(reshape)?;
            refund_callback(
                &a, tx, &seed_row, &after, &req, reserved, &refund_id, &rid, now,
            )
        })
        .await?;
    app.wake.notify_one();
    Ok(accepted(&payment_id, &request_id))
}

#[allow(clippy::too_many_arguments)]
fn refund_callback(
    app: &App,
    tx: &Tx<'_>,
    seed_row: &SeedInvoiceRow,
    invoice: &Invoice,
    req: &monetix::RefundRequest,
    asset_amount: Amount,
    refund_id: &str,
    request_id: &str,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(url) = super::target(app, tx, Seed::Monetix)? else {
        return Ok(());
    };
    let mut s = stored(seed_row)?;
    s.request_id = request_id.to_owned();
    let refunded = Money {
        minor: req.amount.unwrap_or(s.money.minor),
        currency: s.money.currency,
    };
    // What is left of the purchase (the seed's full refund shows `sum.amount` 0).
    let left = Money {
        minor: s.money.minor.saturating_sub(refunded.minor),
        currency: s.money.currency,
    };
    let status = if left.minor == 0 {
        "refunded"
    } else {
        "partially refunded"
    };
    let body = render(
        invoice,
        &s,
        refund_id,
        OperationType::Refund,
        OperationStatus::Success,
        status,
        left,
        refunded,
        now,
    );
    let mut body = body;
    if let Some(Value::Object(op)) = body.get_mut("operation") {
        op.insert("refund_id".into(), json!(refund_id));
        op.insert("asset_amount".into(), json!(asset_amount.to_string()));
    }
    let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    super::enqueue(
        tx,
        Seed::Monetix,
        &format!("{}:{refund_id}", invoice.id()),
        "refund",
        Some(invoice.id()),
        &url,
        bytes,
        now,
    )
}

/// A payout belongs to no invoice: it is accepted, and its `success` callback sent.
async fn payout(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Answer, ApiError> {
    let bytes = verified(&app, body)?;
    let req = monetix::parse_payout(&bytes).map_err(|r| core_error(400, &r.error))?;
    check_project(req.project_id)?;
    let now = app.clock.now();
    let request_id = ids::random_hex::<20>()?;
    let event_id = format!("payout_{}", ids::uuid_v4()?);
    let a = Arc::clone(&app);
    let rid = request_id.clone();
    let payment_id = req.payment_id.clone();
    app.db
        .tx(move |tx| {
            let Some(url) = super::target(&a, tx, Seed::Monetix)? else {
                return Ok(());
            };
            let body = monetix::render_callback(&CallbackRender {
                project_id: PROJECT_ID,
                payment_id: req.payment_id.clone(),
                payment_type: "payout".to_owned(),
                payment_status: "success".to_owned(),
                payment_date: now,
                payment_sum: req.money,
                description: "sandbox payout".to_owned(),
                customer_id: Some(req.customer.id.clone()),
                operation_id: super::numeric_id(&event_id),
                operation_type: OperationType::Payout,
                operation_status: OperationStatus::Success,
                operation_date: now,
                created_date: now,
                request_id: rid.clone(),
                sum_initial: req.money,
                sum_converted: req.money,
                code: ("0".to_owned(), "Success".to_owned()),
                provider: None,
            });
            let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
            super::enqueue(
                tx,
                Seed::Monetix,
                &event_id,
                "payout",
                None,
                &url,
                bytes,
                now,
            )
        })
        .await?;
    app.wake.notify_one();
    Ok(accepted(&payment_id, &request_id))
}
