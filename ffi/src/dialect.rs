//! The five seed payment APIs ("dialects"): parse a provider's create request, render its
//! responses and callbacks, parse its callbacks into commands.
//!
//! Thin: every rule is the core's (`paystate::dialect`). Functions are named
//! `<dialect>_<core function>` (`gatenoc_parse_checkout_session`, ...). JSON bodies cross
//! as strings (the provider's exact shapes, numbers exact); amounts as [`Amount`].
//!
//! A create request the provider refuses is [`DialectError::Rejected`], which carries the
//! core code, the provider's field name, the HTTP status and the provider-shaped body the
//! seed documents. Callback parsers fail with the ordinary [`PaystateError`]
//! (`IntegrityConflict` when the callback disagrees with the invoice).

// A rejection is the core's flat struct; the binding only passes it along.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use paystate::dialect::{
    gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, ParsedInvoice, Rejection, Request,
    RequestContext, RequestKind,
};

use crate::invoice::{Command, Invoice, InvoiceSpec};
use crate::types::{
    amount_in, amount_out, opt_amount_in, secs_in, ts_in, ts_out, Amount, Asset, PaystateError,
    Result, Timestamp,
};

/// Why a dialect create request (or key check) failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DialectError {
    /// The provider's rules reject the request: answer with `http_status` and `body_json`
    /// where the seed documents them.
    #[error("{detail}")]
    Rejected {
        /// The stable core error code (`amount_below_minimum`, `invalid_field`, ...).
        code: String,
        /// The provider's field name (`amountUsdt`, `merchantTradeNo`), empty when none.
        field: String,
        /// The core's message (never contains a secret).
        detail: String,
        /// The HTTP status the provider answers with, where its document says.
        http_status: Option<u16>,
        /// The provider-shaped error body as JSON text, where its document shows one.
        body_json: Option<String>,
    },
    /// A host-supplied input (id, time, rate, asset) is invalid.
    #[error("{detail}")]
    Invalid {
        /// The stable core error code.
        code: String,
        /// The field the error is about, where there is one.
        field: Option<String>,
        /// The core's message.
        detail: String,
    },
}

impl From<Rejection> for DialectError {
    fn from(r: Rejection) -> Self {
        DialectError::Rejected {
            code: r.code().to_owned(),
            field: r.field.clone(),
            detail: r.error.to_string(),
            http_status: r.http_status,
            body_json: r.body.as_ref().map(|b| b.to_string()),
        }
    }
}

impl From<PaystateError> for DialectError {
    fn from(e: PaystateError) -> Self {
        DialectError::Invalid {
            code: e.code().to_owned(),
            field: e.field().map(str::to_owned),
            detail: e.to_string(),
        }
    }
}

type Parse<T> = std::result::Result<T, DialectError>;

/// A provider create request its rules accept: the spec to pass to `createInvoice` (with
/// the same `now`), the due amount, the deadline and the provider's extra fields.
#[derive(uniffi::Object)]
pub struct DialectRequest {
    /// The core's parsed request (`paystate::dialect::Request`).
    inner: Request,
    /// Its invoice: every request this binding wraps creates one (Monetix refunds and
    /// payouts have objects of their own).
    invoice: ParsedInvoice,
}

impl DialectRequest {
    fn invoice(&self) -> &ParsedInvoice {
        &self.invoice
    }

    fn wrong(&self, expected: &str) -> PaystateError {
        PaystateError::from(paystate::Error::InvalidField {
            field: "request".into(),
            reason: format!(
                "expected a {expected} request, got a {} request",
                self.dialect()
            ),
        })
    }

    /// Parses a create request through the core's one dispatch ([`Request::parse`]).
    fn parse(kind: RequestKind, body: &[u8], ctx: &RequestContext) -> Parse<Arc<DialectRequest>> {
        let inner = Request::parse(kind, body, ctx)?;
        // Every kind this binding wraps here creates an invoice; a refund or payout has
        // its own object (see `monetix_parse_refund`), so `None` is this file's mistake.
        let invoice = inner.invoice().cloned().ok_or_else(|| {
            PaystateError::from(paystate::Error::InvalidField {
                field: "request".into(),
                reason: format!("a {kind} request creates no invoice"),
            })
        })?;
        Ok(Arc::new(DialectRequest { inner, invoice }))
    }
}

/// The context of a parser that reads none (a Monetix refund or payout): the core's
/// defaults, never looked at.
fn no_context() -> RequestContext {
    RequestContext::new(String::new(), paystate::Timestamp::default())
}

#[uniffi::export]
impl DialectRequest {
    /// `gatenoc`, `usdt_gateway`, `gatepay`, `monetix` or `keypair_invoice`.
    pub fn dialect(&self) -> String {
        self.inner.kind().dialect().to_owned()
    }

    /// The core create spec (pass it to `createInvoice` with the same `now`).
    pub fn spec(&self) -> InvoiceSpec {
        InvoiceSpec::from(self.invoice().spec.clone())
    }

    /// The amount due in the asset (price × rate + surcharge, rounded up).
    pub fn due(&self) -> Amount {
        amount_out(self.invoice().due)
    }

    /// The request time the spec was resolved at.
    pub fn created_at(&self) -> Timestamp {
        ts_out(self.invoice().created_at)
    }

    /// The payment deadline.
    pub fn deadline(&self) -> Timestamp {
        ts_out(self.invoice().deadline)
    }

    /// The provider's fields the core spec does not hold, as a JSON object text.
    pub fn extra_json(&self) -> String {
        self.inner.extra().to_string()
    }
}

/// A provider callback translated for the core.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CallbackResult {
    /// The provider's status exactly as sent (`confirmed`, `PAY_SUCCESS`, `success`).
    pub provider_status: String,
    /// The command to apply (`invoice.applyCommand`), or null when the status changes
    /// nothing the core tracks.
    pub command: Option<Command>,
    /// When the provider says it happened, if it says.
    pub at: Option<Timestamp>,
}

fn callback(r: paystate::Result<paystate::dialect::CallbackResult>) -> Result<CallbackResult> {
    let r = r?;
    Ok(CallbackResult {
        provider_status: r.provider_status,
        command: r.command.map(Command::from),
        at: r.at.map(ts_out),
    })
}

fn rate_or_one(rate: &Option<Amount>) -> Result<paystate::Amount> {
    Ok(opt_amount_in(rate, "rate")?.unwrap_or(paystate::Amount::from_units(1)))
}

// ---- seed 000: gatenoc ----

/// Parses a gatenoc checkout-session body for invoice `id` at `now` (`ttl_seconds`
/// defaults to 1800). Rejections are HTTP 422 with the provider's body.
#[uniffi::export]
pub fn gatenoc_parse_checkout_session(
    body: Vec<u8>,
    id: String,
    now: Timestamp,
    ttl_seconds: Option<u64>,
) -> Parse<Arc<DialectRequest>> {
    let mut ctx = RequestContext::new(id, ts_in(now, "now")?);
    if let Some(s) = ttl_seconds {
        ctx.session_ttl = secs_in(s, "ttl")?;
    }
    DialectRequest::parse(RequestKind::GatenocCheckoutSession, &body, &ctx)
}

/// Checks an `X-Merchant-Key` header (null when absent) against the merchant keys in
/// constant time; returns the index of the matching key, else a 401 rejection.
#[uniffi::export]
pub fn gatenoc_check_merchant_key(header: Option<String>, keys: Vec<String>) -> Parse<u32> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let i = gatenoc::check_merchant_key(header.as_deref(), &keys)?;
    Ok(u32::try_from(i).unwrap_or(u32::MAX))
}

/// The 200 response for a parsed gatenoc request (JSON text).
#[uniffi::export]
pub fn gatenoc_render_checkout_session(
    request: Arc<DialectRequest>,
    base_url: String,
    merchant_id: u64,
    session_token: String,
) -> Result<String> {
    let Request::GatenocCheckoutSession(req) = &request.inner else {
        return Err(request.wrong("gatenoc"));
    };
    let r = gatenoc::CheckoutRender {
        base_url,
        merchant_id,
        session_token,
    };
    Ok(gatenoc::render_checkout_session(req, &r).to_string())
}

/// The `payment.completed` notification for `invoice` (JSON text).
#[uniffi::export]
pub fn gatenoc_render_payment_completed(
    invoice: Arc<Invoice>,
    bybit_pay_id: String,
    payment_record_id: String,
) -> String {
    let r = gatenoc::CompletedRender {
        bybit_pay_id,
        payment_record_id,
    };
    invoice
        .with_core(|inv| gatenoc::render_payment_completed(inv, &r))
        .to_string()
}

/// Parses a `payment.completed` notification for `invoice` (not applied).
#[uniffi::export]
pub fn gatenoc_parse_payment_completed(
    body: Vec<u8>,
    invoice: Arc<Invoice>,
) -> Result<CallbackResult> {
    callback(invoice.with_core(|inv| gatenoc::parse_payment_completed(&body, inv)))
}

// ---- seed 001: usdt_gateway ----

/// Parses a usdt_gateway create-invoice body for invoice `id` at `now`;
/// `generated_reference` is used when the request has none. Rejections are HTTP 400.
#[uniffi::export]
pub fn usdt_gateway_parse_invoice(
    body: Vec<u8>,
    id: String,
    now: Timestamp,
    generated_reference: Option<String>,
) -> Parse<Arc<DialectRequest>> {
    let mut ctx = RequestContext::new(id, ts_in(now, "now")?);
    ctx.generated_reference = generated_reference;
    DialectRequest::parse(RequestKind::UsdtGatewayInvoice, &body, &ctx)
}

/// The key mode of an `Authorization` header: `test` or `live`; a 401 rejection when
/// missing or malformed.
#[uniffi::export]
pub fn usdt_gateway_key_mode(authorization: Option<String>) -> Parse<String> {
    Ok(match usdt_gateway::key_mode(authorization.as_deref())? {
        usdt_gateway::KeyMode::Test => "test".to_owned(),
        usdt_gateway::KeyMode::Live => "live".to_owned(),
    })
}

/// The 201 response for a parsed usdt_gateway request (JSON text).
#[uniffi::export]
pub fn usdt_gateway_render_invoice(
    request: Arc<DialectRequest>,
    payout_address: String,
    payment_url: String,
    is_test: bool,
) -> Result<String> {
    let Request::UsdtGatewayInvoice(req) = &request.inner else {
        return Err(request.wrong("usdt_gateway"));
    };
    let r = usdt_gateway::InvoiceRender {
        payout_address,
        payment_url,
        is_test,
    };
    Ok(usdt_gateway::render_invoice(req, &r).to_string())
}

/// The payment webhook (`status: "confirmed"`) for `invoice` (JSON text).
#[uniffi::export]
pub fn usdt_gateway_render_webhook(
    invoice: Arc<Invoice>,
    merchant_id: String,
    payout_address: String,
    tx_hash: String,
    paid_at: Timestamp,
) -> Result<String> {
    let r = usdt_gateway::WebhookRender {
        merchant_id,
        payout_address,
        tx_hash,
        paid_at: ts_in(paid_at, "paid_at")?,
    };
    Ok(invoice
        .with_core(|inv| usdt_gateway::render_webhook(inv, &r))
        .to_string())
}

/// Parses a usdt_gateway webhook for `invoice` (not applied).
#[uniffi::export]
pub fn usdt_gateway_parse_webhook(body: Vec<u8>, invoice: Arc<Invoice>) -> Result<CallbackResult> {
    callback(invoice.with_core(|inv| usdt_gateway::parse_webhook(&body, inv)))
}

// ---- seed 002: gatepay ----

/// Parses a GatePay checkout-order body for invoice `id` at `now`; `rate` (USDT per unit
/// of `fiatCurrency`) defaults to 1.
#[uniffi::export]
pub fn gatepay_parse_order(
    body: Vec<u8>,
    id: String,
    now: Timestamp,
    rate: Option<Amount>,
) -> Parse<Arc<DialectRequest>> {
    let mut ctx = RequestContext::new(id, ts_in(now, "now")?);
    ctx.rate = rate_or_one(&rate)?;
    DialectRequest::parse(RequestKind::GatepayOrder, &body, &ctx)
}

/// The success response for a parsed GatePay order (JSON text).
#[uniffi::export]
pub fn gatepay_render_order(
    request: Arc<DialectRequest>,
    prepay_id: String,
    qr_content: String,
    location: String,
    address: String,
) -> Result<String> {
    let Request::GatepayOrder(req) = &request.inner else {
        return Err(request.wrong("gatepay"));
    };
    let r = gatepay::OrderRender {
        prepay_id,
        qr_content,
        location,
        address,
    };
    Ok(gatepay::render_order(req, &r).to_string())
}

/// A payment notification for `invoice`; `status` is `PAY_SUCCESS`, `PAY_ERROR` or
/// `PAY_CLOSE` (JSON text).
#[uniffi::export]
pub fn gatepay_render_notification(
    invoice: Arc<Invoice>,
    status: String,
    prepay_id: String,
    client_id: String,
    transaction_id: String,
    create_time: Timestamp,
) -> Result<String> {
    let status = gatepay::BizStatus::parse(&status)?;
    let r = gatepay::NotifyRender {
        prepay_id,
        client_id,
        transaction_id,
        create_time: ts_in(create_time, "create_time")?,
    };
    Ok(invoice
        .with_core(|inv| gatepay::render_notification(inv, status, &r))
        .to_string())
}

/// Parses a GatePay payment notification for `invoice` (not applied).
#[uniffi::export]
pub fn gatepay_parse_notification(body: Vec<u8>, invoice: Arc<Invoice>) -> Result<CallbackResult> {
    callback(invoice.with_core(|inv| gatepay::parse_notification(&body, inv)))
}

// ---- seed 003: monetix ----

/// A validated Monetix refund request.
#[derive(uniffi::Object)]
pub struct MonetixRefund {
    inner: monetix::RefundRequest,
}

#[uniffi::export]
impl MonetixRefund {
    /// The purchase's `payment_id`.
    pub fn payment_id(&self) -> String {
        self.inner.payment_id.clone()
    }

    /// The normalised request as JSON text.
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// The `request_refund` command reserving this refund on the purchase's invoice.
    pub fn command(&self, invoice: Arc<Invoice>, refund_id: String) -> Result<Command> {
        let c = invoice.with_core(|inv| self.inner.command(inv, &refund_id))?;
        Ok(Command::from(c))
    }
}

/// A validated Monetix payout request.
#[derive(uniffi::Object)]
pub struct MonetixPayout {
    inner: monetix::PayoutRequest,
}

#[uniffi::export]
impl MonetixPayout {
    /// The payout's own `payment_id`.
    pub fn payment_id(&self) -> String {
        self.inner.payment_id.clone()
    }

    /// The normalised request as JSON text.
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }
}

/// A Monetix payout callback.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PayoutResult {
    /// The provider's `operation.status` exactly as sent.
    pub provider_status: String,
    /// `succeeded`, `failed` or `in_progress`.
    pub outcome: String,
    /// Monetix's operation id.
    pub operation_id: String,
    /// When the operation happened, if said.
    pub at: Option<Timestamp>,
}

/// Parses a Monetix purchase (Payment Page or Gate) for invoice `id` at `now`; `rate`
/// (USDT per unit of the purchase currency) defaults to 1.
#[uniffi::export]
pub fn monetix_parse_purchase(
    body: Vec<u8>,
    id: String,
    now: Timestamp,
    rate: Option<Amount>,
) -> Parse<Arc<DialectRequest>> {
    let mut ctx = RequestContext::new(id, ts_in(now, "now")?);
    ctx.rate = rate_or_one(&rate)?;
    DialectRequest::parse(RequestKind::MonetixPurchase, &body, &ctx)
}

/// `Request::parse` answered a kind other than the one asked for: this file's mistake,
/// reported rather than a panic.
fn other_kind(asked: RequestKind, got: &Request) -> PaystateError {
    PaystateError::from(paystate::Error::InvalidField {
        field: "request".into(),
        reason: format!("asked for a {asked} request, got a {}", got.kind()),
    })
}

/// Parses a Monetix refund request.
#[uniffi::export]
pub fn monetix_parse_refund(body: Vec<u8>) -> Parse<Arc<MonetixRefund>> {
    match Request::parse(RequestKind::MonetixRefund, &body, &no_context())? {
        Request::MonetixRefund(inner) => Ok(Arc::new(MonetixRefund { inner })),
        other => Err(other_kind(RequestKind::MonetixRefund, &other).into()),
    }
}

/// Parses a Monetix payout request.
#[uniffi::export]
pub fn monetix_parse_payout(body: Vec<u8>) -> Parse<Arc<MonetixPayout>> {
    match Request::parse(RequestKind::MonetixPayout, &body, &no_context())? {
        Request::MonetixPayout(inner) => Ok(Arc::new(MonetixPayout { inner })),
        other => Err(other_kind(RequestKind::MonetixPayout, &other).into()),
    }
}

/// The Gate `display_data` list for a parsed purchase (JSON array text); `lifetime` is
/// the QR code's expiry time.
#[uniffi::export]
pub fn monetix_render_display_data(
    request: Arc<DialectRequest>,
    qr_data: String,
    lifetime: Timestamp,
    qr_url: String,
) -> Result<String> {
    let Request::MonetixPurchase(req) = &request.inner else {
        return Err(request.wrong("monetix"));
    };
    let lifetime = ts_in(lifetime, "lifetime")?;
    Ok(monetix::render_display_data(&qr_data, lifetime, &qr_url, req.money).to_string())
}

/// Parses a Monetix `sale` callback for `invoice` (not applied).
#[uniffi::export]
pub fn monetix_parse_sale_callback(body: Vec<u8>, invoice: Arc<Invoice>) -> Result<CallbackResult> {
    callback(invoice.with_core(|inv| monetix::parse_sale_callback(&body, inv)))
}

/// Parses a Monetix `refund` callback for `invoice`; `refund_id` defaults to the only
/// refund in flight.
#[uniffi::export]
pub fn monetix_parse_refund_callback(
    body: Vec<u8>,
    invoice: Arc<Invoice>,
    refund_id: Option<String>,
) -> Result<CallbackResult> {
    callback(
        invoice.with_core(|inv| monetix::parse_refund_callback(&body, inv, refund_id.as_deref())),
    )
}

/// Parses a Monetix `payout` callback for a parsed payout request.
#[uniffi::export]
pub fn monetix_parse_payout_callback(
    body: Vec<u8>,
    payout: Arc<MonetixPayout>,
) -> Result<PayoutResult> {
    let r = monetix::parse_payout_callback(&body, &payout.inner)?;
    Ok(PayoutResult {
        provider_status: r.provider_status,
        outcome: match r.outcome {
            monetix::Outcome::Succeeded => "succeeded",
            monetix::Outcome::Failed => "failed",
            monetix::Outcome::InProgress => "in_progress",
        }
        .to_owned(),
        operation_id: r.operation_id,
        at: r.at.map(ts_out),
    })
}

// ---- seed 004: keypair_invoice ----

/// Parses a keypair_invoice request for invoice `id` at `now`; `rate` defaults to 1,
/// `fee` to 0, `asset` to the first USDT network not banned. Rejections are HTTP 422.
#[uniffi::export]
pub fn keypair_invoice_parse_invoice(
    body: Vec<u8>,
    id: String,
    now: Timestamp,
    rate: Option<Amount>,
    fee: Option<Amount>,
    asset: Option<Asset>,
) -> Parse<Arc<DialectRequest>> {
    let mut ctx = RequestContext::new(id, ts_in(now, "now")?);
    ctx.rate = rate_or_one(&rate)?;
    if let Some(fee) = opt_amount_in(&fee, "fee")? {
        ctx.fee = fee;
    }
    ctx.asset = asset;
    DialectRequest::parse(RequestKind::KeypairInvoice, &body, &ctx)
}

/// The success answer `{"status":"success","message":invoice_url}` (JSON text).
#[uniffi::export]
pub fn keypair_invoice_render_invoice(invoice_url: String) -> String {
    keypair_invoice::render_invoice(&invoice_url).to_string()
}

/// The success callback for a parsed request (JSON text). It repeats the merchant's
/// `private_key`, as the seed does: send it only to the merchant's callback URL.
#[uniffi::export]
#[allow(clippy::too_many_arguments)]
pub fn keypair_invoice_render_callback(
    request: Arc<DialectRequest>,
    private_key: String,
    id: String,
    amount: Amount,
    amount_currency: String,
    ref_url: String,
    ip: String,
    created_at: Timestamp,
) -> Result<String> {
    let Request::KeypairInvoice(req) = &request.inner else {
        return Err(request.wrong("keypair_invoice"));
    };
    let r = keypair_invoice::CallbackRender {
        private_key,
        id,
        amount: amount_in(&amount, "amount")?,
        amount_currency,
        ref_url,
        ip,
        created_at: ts_in(created_at, "created_at")?,
    };
    Ok(keypair_invoice::render_callback(req, &r).to_string())
}

/// Parses a keypair_invoice payment callback for `invoice` (not applied).
#[uniffi::export]
pub fn keypair_invoice_parse_callback(
    body: Vec<u8>,
    invoice: Arc<Invoice>,
) -> Result<CallbackResult> {
    callback(invoice.with_core(|inv| keypair_invoice::parse_callback(&body, inv)))
}
