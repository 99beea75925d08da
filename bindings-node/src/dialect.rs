//! The five seed payment APIs (docs/spec.md §8), spoken both ways: `gatenoc` (seed 000),
//! `usdt_gateway` (001), `gatepay` (002), `monetix` (003) and `keypair_invoice` (004).
//!
//! Thin: every function reads its JavaScript arguments, calls the core's
//! `paystate::dialect::*` function of the same name, and converts the answer. Parsers of
//! create requests return a plain object (`spec` for `Invoice.create`, `due`, `createdAt`,
//! `deadline`, `extra`, and an opaque `request` the renderers take) or throw the core's
//! `Rejection` as a `PaystateError` with `httpStatus`, `body` and `bodyJson` (`err.rs`).
//! Renderers return `{ body, json }`: the body as a JS object and its exact JSON text, since
//! some seeds print money as a JSON number (`"amount": 10.5`) that must not pass through a
//! JS `number`. Callback parsers return `{ providerStatus, command, at }` where `command` is
//! the journal-shaped command `invoice.apply(command, now)` takes.

use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{ClassInstance, External, FromNapiValue, Null, Object, Unknown};
use napi::{Env, JsValue, Property, PropertyAttributes, ValueType};
use napi_derive::napi;
use paystate::dialect::{
    gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, CallbackResult, Request,
    RequestContext, RequestKind,
};
use paystate::{Amount, Asset, Command, Duration};
use serde_json::Value;

use crate::conv;
use crate::err::{invalid_field, raise, rejection_error, type_error, OrThrow, R};
use crate::invoice::{invoice_arg, InvoiceArg};

/// A validated provider request as the core holds it: opaque, passed back to the renderers
/// (`gatenocRenderCheckoutSession(parsed.request, ...)`) and to `monetixRefundCommand` /
/// `monetixParsePayoutCallback`. The renderers also take the whole parsed object.
#[napi]
pub struct DialectRequest {
    held: Request,
}

#[napi]
impl DialectRequest {
    /// What was parsed: `gatenoc.checkout_session`, `usdt_gateway.invoice`,
    /// `gatepay.order`, `monetix.purchase`, `monetix.refund`, `monetix.payout` or
    /// `keypair_invoice.invoice`.
    #[napi(getter, ts_return_type = "DialectRequestKind")]
    pub fn kind(&self) -> &'static str {
        self.held.kind().as_str()
    }
}

// ---- argument helpers ----------------------------------------------------------------

/// A `DialectRequest`, or an object whose `request` is one (what the parsers return).
fn request_arg<'a>(env: &Env, v: Unknown<'a>, field: &str) -> R<ClassInstance<'a, DialectRequest>> {
    if v.get_type()? == ValueType::Object {
        if let Ok(r) = ClassInstance::<DialectRequest>::from_unknown(v) {
            return Ok(r);
        }
        if !v.is_array()? && !v.is_date()? && !v.is_typedarray()? {
            let obj = Object::from_unknown(v)?;
            if let Some(inner) = obj.get::<Unknown<'a>>("request")? {
                if inner.get_type()? == ValueType::Object {
                    if let Ok(r) = ClassInstance::<DialectRequest>::from_unknown(inner) {
                        return Ok(r);
                    }
                }
            }
        }
    }
    Err(type_error(
        env,
        &format!(
            "{field}: expected what a dialect parser returned (or its `request`), got {}",
            conv::kind(&v)
        ),
    ))
}

fn wrong_request(env: &Env, expected: &str, got: &DialectRequest) -> napi::Error {
    type_error(
        env,
        &format!(
            "request: expected a {expected} request, got a {} request",
            got.kind()
        ),
    )
}

/// A required property of an options object (absent: `missing_field`).
fn need<'a>(env: &Env, obj: &Object<'a>, name: &str) -> R<Unknown<'a>> {
    match obj.get::<Unknown<'a>>(name)? {
        Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => Ok(v),
        _ => Err(raise(
            env,
            &paystate::Error::MissingField {
                field: name.to_owned().into(),
            },
        )),
    }
}

fn need_str(env: &Env, obj: &Object<'_>, name: &str) -> R<String> {
    conv::string(env, need(env, obj, name)?, name)
}

fn need_time(env: &Env, obj: &Object<'_>, name: &str) -> R<paystate::Timestamp> {
    conv::time(env, need(env, obj, name)?, name)
}

fn opt_str(env: &Env, obj: &Object<'_>, name: &str) -> R<Option<String>> {
    conv::opt_string(env, obj.get(name)?, name)
}

/// `rate` of a context: a decimal string, 1 when absent.
fn rate(env: &Env, obj: &Object<'_>) -> R<Amount> {
    Ok(conv::opt_amount(env, obj.get("rate")?, "rate")?.unwrap_or(Amount::from_units(1)))
}

// ---- result builders -----------------------------------------------------------------

/// Parses a create request of `kind` with the core's dispatch, as
/// `{ spec, due, createdAt, deadline, extra, request }`.
fn parse_request<'e>(
    env: &'e Env,
    kind: RequestKind,
    body: &[u8],
    ctx: &RequestContext,
) -> R<Object<'e>> {
    let held = Request::parse(kind, body, ctx).or_throw(env)?;
    let mut o = Object::new(env)?;
    if let Some(inv) = held.invoice() {
        o.set("spec", conv::js_of(env, &inv.spec.to_json())?)?;
        o.set("due", inv.due.to_string())?;
        o.set("createdAt", conv::date(env, inv.created_at)?)?;
        o.set("deadline", conv::date(env, inv.deadline)?)?;
    }
    o.set("extra", conv::js_of(env, &held.extra())?)?;
    o.set("request", DialectRequest { held })?;
    Ok(o)
}

/// `{ body, json }`: the rendered body as a JS object and its exact JSON text.
fn rendered<'e>(env: &'e Env, v: &Value) -> R<Object<'e>> {
    let mut o = Object::new(env)?;
    o.set("body", conv::js_of(env, v)?)?;
    o.set("json", v.to_string())?;
    Ok(o)
}

/// `{ providerStatus, command, at }`.
/// A callback's command kept as the core's value beside its JavaScript form, so that
/// `invoice.apply(result.command, now)` hands the core this value instead of reading the
/// object back through JSON (one conversion, core to JavaScript, not four).
pub struct HeldCommand(pub(crate) Command);

/// The non-enumerable property of a callback's command object holding its [`HeldCommand`].
pub(crate) const HELD_KEY: &str = "__paystateCommand";

/// The name of [`HELD_KEY`], so `index.js` does not spell it a second time.
#[napi]
pub fn command_held_key() -> &'static str {
    HELD_KEY
}

/// Freezes the object built from `v` and every object inside it: the held command must stay
/// what the object shows (a caller who wants another command copies it, and the copy, which
/// holds nothing, is read as JSON).
fn freeze_deep(o: &mut Object<'_>, v: &Value) -> R<()> {
    if let Value::Object(map) = v {
        for (k, inner) in map {
            if inner.is_object() {
                let mut child: Object<'_> = o.get_named_property(k)?;
                freeze_deep(&mut child, inner)?;
            }
        }
    }
    o.freeze()
}

/// The command as a frozen JavaScript object holding the core's value.
fn command_js<'e>(env: &'e Env, c: &Command) -> R<Object<'e>> {
    let json = c.to_json();
    let mut o = Object::from_unknown(conv::js_of(env, &json)?)?;
    let held = External::new(HeldCommand(c.clone())).into_js_external(env)?;
    o.define_properties(&[Property::new()
        .with_utf8_name(HELD_KEY)?
        .with_value(&held)
        .with_property_attributes(PropertyAttributes::empty())])?;
    freeze_deep(&mut o, &json)?;
    Ok(o)
}

fn callback_js<'e>(env: &'e Env, r: &CallbackResult) -> R<Object<'e>> {
    let mut o = Object::new(env)?;
    o.set("providerStatus", r.provider_status.as_str())?;
    match &r.command {
        Some(c) => o.set("command", command_js(env, c)?)?,
        None => o.set("command", Null)?,
    }
    o.set("at", conv::opt_date(env, r.at)?)?;
    Ok(o)
}

fn invoice_of(env: &Env, v: Unknown<'_>) -> R<InvoiceArg> {
    invoice_arg(env, v, "invoice")
}

// ---- gatenoc (seed 000) --------------------------------------------------------------

/// Seed 000 (gatenoc): parses a `POST /api/v1/merchant/checkout-session` body
/// (`{"amount": 10.50, "note": "order_123", ...}`) at `context.now` into an invoice priced
/// in USD, due in `USDT_BYBIT`. `context.ttlSeconds` is the session lifetime (default 1800).
/// Throws a `PaystateError` with `httpStatus` 422 and the seed's body
/// (`{"error":"Amount below minimum","min_amount":1}`).
#[napi(
    ts_args_type = "body: Body, context: GatenocCheckoutContext",
    ts_return_type = "DialectParsed"
)]
pub fn gatenoc_parse_checkout_session<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    context: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let c = conv::as_object(env, context, "context")?;
    let ttl = match conv::opt_whole(env, c.get("ttlSeconds")?, "ttlSeconds")? {
        Some(s) => Duration::from_seconds(s, "ttlSeconds").or_throw(env)?,
        None => gatenoc::DEFAULT_SESSION_TTL,
    };
    let mut ctx = RequestContext::new(need_str(env, &c, "id")?, need_time(env, &c, "now")?);
    ctx.session_ttl = ttl;
    parse_request(
        env,
        RequestKind::GatenocCheckoutSession,
        body.as_slice(),
        &ctx,
    )
}

/// Seed 000 (gatenoc): checks an `X-Merchant-Key` header value (or `null` when absent)
/// against the merchant keys, in constant time, and returns the index of the key that
/// matched. Missing or unknown: a `PaystateError` (`signature_missing` /
/// `signature_mismatch`) with `httpStatus` 401 and the seed's body. Keys never appear in
/// messages.
#[napi(
    ts_args_type = "header: string | null | undefined, keys: string[]",
    ts_return_type = "number"
)]
pub fn gatenoc_check_merchant_key(
    env: &Env,
    header: Option<Unknown<'_>>,
    keys: Unknown<'_>,
) -> R<u32> {
    let header = conv::opt_string(env, header, "header")?;
    let mut owned = Vec::new();
    for k in conv::items(env, keys, "keys")? {
        owned.push(conv::string(env, k, "keys[]")?);
    }
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    let i = gatenoc::check_merchant_key(header.as_deref(), &refs).or_throw(env)?;
    Ok(u32::try_from(i).unwrap_or(u32::MAX))
}

/// Seed 000 (gatenoc): the 200 response to a checkout-session request, as `{ body, json }`.
/// The body's `amount` is a JSON number (`10.5`): write `json` to the wire, not
/// `JSON.stringify(body)`. `render` holds `baseUrl`, `merchantId` (a whole number) and
/// `sessionToken`.
#[napi(
    ts_args_type = "parsed: DialectParsed | DialectRequest, render: GatenocCheckoutRender",
    ts_return_type = "Rendered"
)]
pub fn gatenoc_render_checkout_session<'e>(
    env: &'e Env,
    parsed: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let req = request_arg(env, parsed, "parsed")?;
    let Request::GatenocCheckoutSession(r) = &req.held else {
        return Err(wrong_request(env, "gatenoc.checkout_session", &req));
    };
    let o = conv::as_object(env, render, "render")?;
    let render = gatenoc::CheckoutRender {
        base_url: need_str(env, &o, "baseUrl")?,
        merchant_id: conv::whole(env, need(env, &o, "merchantId")?, "merchantId")?,
        session_token: need_str(env, &o, "sessionToken")?,
    };
    rendered(env, &gatenoc::render_checkout_session(r, &render))
}

/// Seed 000 (gatenoc): the `payment.completed` notification for `invoice`, as
/// `{ body, json }` (`amount` is a JSON number: send `json`). `render` holds `bybitPayId`
/// and `paymentRecordId`.
#[napi(
    ts_args_type = "invoice: Invoice, render: GatenocCompletedRender",
    ts_return_type = "Rendered"
)]
pub fn gatenoc_render_payment_completed<'e>(
    env: &'e Env,
    invoice: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    let o = conv::as_object(env, render, "render")?;
    let render = gatenoc::CompletedRender {
        bybit_pay_id: need_str(env, &o, "bybitPayId")?,
        payment_record_id: need_str(env, &o, "paymentRecordId")?,
    };
    rendered(env, &gatenoc::render_payment_completed(&inv.inner, &render))
}

/// Seed 000 (gatenoc): parses a `payment.completed` notification for `invoice` into a
/// confirmed `observe_transfer` of the invoice's due amount. Another amount or note is
/// `integrity_conflict`; another event is `invalid_field`.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice",
    ts_return_type = "CallbackResult"
)]
pub fn gatenoc_parse_payment_completed<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    callback_js(
        env,
        &gatenoc::parse_payment_completed(body.as_slice(), &inv.inner).or_throw(env)?,
    )
}

// ---- usdt_gateway (seed 001) ---------------------------------------------------------

/// Seed 001 (usdt_gateway): parses a `POST /api/v1/invoices` body (`{"amountUsdt":
/// 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345"}`) at `context.now`.
/// `context.generatedReference` is used when the body has no `reference`. Throws a
/// `PaystateError` with `httpStatus` 400 and `{"statusCode":400,"message":...,"error":"Bad Request"}`.
#[napi(
    ts_args_type = "body: Body, context: UsdtGatewayInvoiceContext",
    ts_return_type = "DialectParsed"
)]
pub fn usdt_gateway_parse_invoice<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    context: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let c = conv::as_object(env, context, "context")?;
    let mut ctx = RequestContext::new(need_str(env, &c, "id")?, need_time(env, &c, "now")?);
    ctx.generated_reference = opt_str(env, &c, "generatedReference")?;
    parse_request(env, RequestKind::UsdtGatewayInvoice, body.as_slice(), &ctx)
}

/// Seed 001 (usdt_gateway): the key mode of an `Authorization` header (`Bearer test_...`
/// is `'test'`, `Bearer live_...` is `'live'`). Missing or malformed: a `PaystateError`
/// with `httpStatus` 401 and the API's body.
#[napi(
    ts_args_type = "authorization: string | null | undefined",
    ts_return_type = "'test' | 'live'"
)]
pub fn usdt_gateway_key_mode(env: &Env, authorization: Option<Unknown<'_>>) -> R<&'static str> {
    let a = conv::opt_string(env, authorization, "authorization")?;
    Ok(match usdt_gateway::key_mode(a.as_deref()).or_throw(env)? {
        usdt_gateway::KeyMode::Test => "test",
        usdt_gateway::KeyMode::Live => "live",
    })
}

/// Seed 001 (usdt_gateway): the 409 answer to a `reference` this merchant already used (the
/// host knows its references). Returns, without throwing, the `PaystateError`
/// (`invalid_field` on `reference`) with `httpStatus` 409 and the API's body
/// (`{"statusCode":409,"message":...,"error":"Conflict"}`): throw it or send its `bodyJson`.
#[napi(
    ts_args_type = "reference: string",
    ts_return_type = "DialectRejection"
)]
pub fn usdt_gateway_duplicate_reference<'e>(env: &'e Env, reference: Unknown<'_>) -> R<Object<'e>> {
    let reference = conv::string(env, reference, "reference")?;
    rejection_error(env, &usdt_gateway::duplicate_reference(&reference))
}

/// Seed 001 (usdt_gateway): the API's error body `{"statusCode", "message", "error"}` for
/// an HTTP status the host decides itself (403 suspended, 404, 429 rate limited), as
/// `{ body, json }`. `error` is the status's name (`"Too Many Requests"`).
#[napi(
    ts_args_type = "status: number, message: string",
    ts_return_type = "Rendered"
)]
pub fn usdt_gateway_error_body<'e>(
    env: &'e Env,
    status: Unknown<'_>,
    message: Unknown<'_>,
) -> R<Object<'e>> {
    let status = conv::whole(env, status, "status")?;
    let Ok(status) = u16::try_from(status) else {
        return Err(raise(
            env,
            &invalid_field("status", format!("{status} is not an HTTP status")),
        ));
    };
    let message = conv::string(env, message, "message")?;
    rendered(env, &usdt_gateway::error_body(status, &message))
}

/// Seed 001 (usdt_gateway): the 201 response, as `{ body, json }`. `render` holds
/// `payoutAddress`, `paymentUrl` and `isTest`.
#[napi(
    ts_args_type = "parsed: DialectParsed | DialectRequest, render: UsdtGatewayInvoiceRender",
    ts_return_type = "Rendered"
)]
pub fn usdt_gateway_render_invoice<'e>(
    env: &'e Env,
    parsed: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let req = request_arg(env, parsed, "parsed")?;
    let Request::UsdtGatewayInvoice(r) = &req.held else {
        return Err(wrong_request(env, "usdt_gateway.invoice", &req));
    };
    let o = conv::as_object(env, render, "render")?;
    let render = usdt_gateway::InvoiceRender {
        payout_address: need_str(env, &o, "payoutAddress")?,
        payment_url: need_str(env, &o, "paymentUrl")?,
        is_test: conv::boolean(env, need(env, &o, "isTest")?, "isTest")?,
    };
    rendered(env, &usdt_gateway::render_invoice(r, &render))
}

/// Seed 001 (usdt_gateway): the payment webhook (`status: "confirmed"`) for `invoice`, as
/// `{ body, json }`. `render` holds `merchantId`, `payoutAddress`, `txHash` and `paidAt`.
#[napi(
    ts_args_type = "invoice: Invoice, render: UsdtGatewayWebhookRender",
    ts_return_type = "Rendered"
)]
pub fn usdt_gateway_render_webhook<'e>(
    env: &'e Env,
    invoice: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    let o = conv::as_object(env, render, "render")?;
    let render = usdt_gateway::WebhookRender {
        merchant_id: need_str(env, &o, "merchantId")?,
        payout_address: need_str(env, &o, "payoutAddress")?,
        tx_hash: need_str(env, &o, "txHash")?,
        paid_at: need_time(env, &o, "paidAt")?,
    };
    rendered(env, &usdt_gateway::render_webhook(&inv.inner, &render))
}

/// Seed 001 (usdt_gateway): parses a webhook for `invoice`. `confirmed` is a confirmed
/// `observe_transfer` of `tx_hash`; `pending` and `expired` have `command: null`; another
/// reference, asset or amount is `integrity_conflict`; an unknown status `invalid_field`.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice",
    ts_return_type = "CallbackResult"
)]
pub fn usdt_gateway_parse_webhook<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    callback_js(
        env,
        &usdt_gateway::parse_webhook(body.as_slice(), &inv.inner).or_throw(env)?,
    )
}

// ---- gatepay (seed 002) --------------------------------------------------------------

/// Seed 002 (gatepay): parses a `POST /v1/pay/checkout/order` body at `context.now`.
/// `context.rate` (a decimal string, default `"1"`) is USDT per unit of `fiatCurrency` for
/// fiat-priced orders. Throws a `PaystateError` whose `body` is
/// `{"status":"ERROR","code":...,"errorMessage":...}`.
#[napi(
    ts_args_type = "body: Body, context: GatepayOrderContext",
    ts_return_type = "DialectParsed"
)]
pub fn gatepay_parse_order<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    context: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let c = conv::as_object(env, context, "context")?;
    let mut ctx = RequestContext::new(need_str(env, &c, "id")?, need_time(env, &c, "now")?);
    ctx.rate = rate(env, &c)?;
    parse_request(env, RequestKind::GatepayOrder, body.as_slice(), &ctx)
}

/// Seed 002 (gatepay): the success response (`{"status":"SUCCESS","code":"000000",...}`),
/// as `{ body, json }`. `render` holds `prepayId`, `qrContent`, `location` and `address`.
#[napi(
    ts_args_type = "parsed: DialectParsed | DialectRequest, render: GatepayOrderRender",
    ts_return_type = "Rendered"
)]
pub fn gatepay_render_order<'e>(
    env: &'e Env,
    parsed: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let req = request_arg(env, parsed, "parsed")?;
    let Request::GatepayOrder(r) = &req.held else {
        return Err(wrong_request(env, "gatepay.order", &req));
    };
    let o = conv::as_object(env, render, "render")?;
    let render = gatepay::OrderRender {
        prepay_id: need_str(env, &o, "prepayId")?,
        qr_content: need_str(env, &o, "qrContent")?,
        location: need_str(env, &o, "location")?,
        address: need_str(env, &o, "address")?,
    };
    rendered(env, &gatepay::render_order(r, &render))
}

/// Seed 002 (gatepay): a payment notification for `invoice` with `status` (`PAY_SUCCESS`,
/// `PAY_ERROR`, `PAY_CLOSE`), as `{ body, json }`. `render` holds `prepayId`, `clientId`,
/// `transactionId` and `createTime`.
#[napi(
    ts_args_type = "invoice: Invoice, status: GatepayBizStatus, render: GatepayNotifyRender",
    ts_return_type = "Rendered"
)]
pub fn gatepay_render_notification<'e>(
    env: &'e Env,
    invoice: Unknown<'_>,
    status: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    let status = gatepay::BizStatus::parse(&conv::string(env, status, "status")?).or_throw(env)?;
    let o = conv::as_object(env, render, "render")?;
    let render = gatepay::NotifyRender {
        prepay_id: need_str(env, &o, "prepayId")?,
        client_id: need_str(env, &o, "clientId")?,
        transaction_id: need_str(env, &o, "transactionId")?,
        create_time: need_time(env, &o, "createTime")?,
    };
    rendered(
        env,
        &gatepay::render_notification(&inv.inner, status, &render),
    )
}

/// Seed 002 (gatepay): parses a payment notification for `invoice`. `PAY_SUCCESS` is a
/// confirmed `observe_transfer`, `PAY_ERROR` is `mark` invalid, `PAY_CLOSE` has
/// `command: null`; another trade number, currency or amount is `integrity_conflict`.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice",
    ts_return_type = "CallbackResult"
)]
pub fn gatepay_parse_notification<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    callback_js(
        env,
        &gatepay::parse_notification(body.as_slice(), &inv.inner).or_throw(env)?,
    )
}

// ---- monetix (seed 003) --------------------------------------------------------------

/// Seed 003 (monetix): parses a Bybit Pay purchase (Gate `{general, customer, payment}` or
/// Payment Page flat parameters) at `context.now`. `context.rate` (a decimal string,
/// default `"1"`) is USDT per unit of the purchase currency. Rejections carry no
/// `httpStatus` or `body` (`null`): the seed documents none.
#[napi(
    ts_args_type = "body: Body, context: MonetixPurchaseContext",
    ts_return_type = "DialectParsed"
)]
pub fn monetix_parse_purchase<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    context: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let c = conv::as_object(env, context, "context")?;
    let mut ctx = RequestContext::new(need_str(env, &c, "id")?, need_time(env, &c, "now")?);
    ctx.rate = rate(env, &c)?;
    parse_request(env, RequestKind::MonetixPurchase, body.as_slice(), &ctx)
}

/// Seed 003 (monetix): the purchase's `display_data` array (QR code, lifetime, amount in
/// minor units, currency), as `{ body, json }`. `render` holds `qrData`, `lifetime` (the
/// QR code's expiry) and `qrUrl`.
#[napi(
    ts_args_type = "parsed: DialectParsed | DialectRequest, render: MonetixDisplayRender",
    ts_return_type = "Rendered<Array<Record<string, string>>>"
)]
pub fn monetix_render_display_data<'e>(
    env: &'e Env,
    parsed: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let req = request_arg(env, parsed, "parsed")?;
    let Request::MonetixPurchase(r) = &req.held else {
        return Err(wrong_request(env, "monetix.purchase", &req));
    };
    let o = conv::as_object(env, render, "render")?;
    let qr_data = need_str(env, &o, "qrData")?;
    let lifetime = need_time(env, &o, "lifetime")?;
    let qr_url = need_str(env, &o, "qrUrl")?;
    rendered(
        env,
        &monetix::render_display_data(&qr_data, lifetime, &qr_url, r.money),
    )
}

/// Seed 003 (monetix): parses a refund request. Returns `{ refund, request }`: `refund` is
/// the normalised request (`project_id`, `payment_id`, `customer`, `full`, `amount` in
/// minor units or `null`, `currency`, `description`), `request` what
/// `monetixRefundCommand` takes.
#[napi(ts_args_type = "body: Body", ts_return_type = "MonetixParsedRefund")]
pub fn monetix_parse_refund<'e>(env: &'e Env, body: Unknown<'_>) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let r = monetix::parse_refund(body.as_slice()).or_throw(env)?;
    let mut o = Object::new(env)?;
    o.set("refund", conv::js_of(env, &r.to_json())?)?;
    o.set(
        "request",
        DialectRequest {
            held: Request::MonetixRefund(r),
        },
    )?;
    Ok(o)
}

/// Seed 003 (monetix): the `request_refund` command a parsed refund means for the
/// purchase's `invoice` (the refund converted to the asset in proportion to the price,
/// rounded down), under the host's `refundId`. Apply it with `invoice.apply(command, now)`.
/// Another payment id or currency is `integrity_conflict`.
#[napi(
    ts_args_type = "refund: MonetixParsedRefund | DialectRequest, invoice: Invoice, refundId: string",
    ts_return_type = "Command"
)]
pub fn monetix_refund_command<'e>(
    env: &'e Env,
    refund: Unknown<'_>,
    invoice: Unknown<'_>,
    refund_id: Unknown<'_>,
) -> R<Unknown<'e>> {
    let req = request_arg(env, refund, "refund")?;
    let Request::MonetixRefund(r) = &req.held else {
        return Err(wrong_request(env, "monetix.refund", &req));
    };
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    let refund_id = conv::string(env, refund_id, "refundId")?;
    let command = r.command(&inv.inner, &refund_id).or_throw(env)?;
    conv::js_of(env, &command.to_json())
}

/// Seed 003 (monetix): parses a payout request (payouts belong to no invoice). Returns
/// `{ payout, request }`: `payout` is the normalised request (`project_id`, `payment_id`,
/// `customer`, `payment: {minor, amount, currency}`), `request` what
/// `monetixParsePayoutCallback` takes.
#[napi(ts_args_type = "body: Body", ts_return_type = "MonetixParsedPayout")]
pub fn monetix_parse_payout<'e>(env: &'e Env, body: Unknown<'_>) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let r = monetix::parse_payout(body.as_slice()).or_throw(env)?;
    let mut o = Object::new(env)?;
    o.set("payout", conv::js_of(env, &r.to_json())?)?;
    o.set(
        "request",
        DialectRequest {
            held: Request::MonetixPayout(r),
        },
    )?;
    Ok(o)
}

/// Seed 003 (monetix): parses a purchase (`sale`) callback for `invoice`. `success` is a
/// confirmed `observe_transfer` of the due amount, `decline`/`error` is `mark` invalid,
/// intermediate statuses have `command: null`; another payment id, currency or amount is
/// `integrity_conflict`.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice",
    ts_return_type = "CallbackResult"
)]
pub fn monetix_parse_sale_callback<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    callback_js(
        env,
        &monetix::parse_sale_callback(body.as_slice(), &inv.inner).or_throw(env)?,
    )
}

/// Seed 003 (monetix): parses a refund callback for `invoice` into the `settle_refund`
/// command (`success` succeeded, `decline`/`error` failed, intermediate `null`).
/// `refundId` names the refund; omitted, the invoice's single refund in flight is meant.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice, refundId?: string | null",
    ts_return_type = "CallbackResult"
)]
pub fn monetix_parse_refund_callback<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
    refund_id: Option<Unknown<'_>>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    let refund_id = conv::opt_string(env, refund_id, "refundId")?;
    let r = monetix::parse_refund_callback(body.as_slice(), &inv.inner, refund_id.as_deref())
        .or_throw(env)?;
    callback_js(env, &r)
}

/// Seed 003 (monetix): parses a payout callback for a parsed payout request:
/// `{ providerStatus, outcome: 'succeeded' | 'failed' | 'in_progress', operationId, at }`.
/// Another payment id or sum is `integrity_conflict`.
#[napi(
    ts_args_type = "body: Body, payout: MonetixParsedPayout | DialectRequest",
    ts_return_type = "MonetixPayoutResult"
)]
pub fn monetix_parse_payout_callback<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    payout: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let req = request_arg(env, payout, "payout")?;
    let Request::MonetixPayout(p) = &req.held else {
        return Err(wrong_request(env, "monetix.payout", &req));
    };
    let r = monetix::parse_payout_callback(body.as_slice(), p).or_throw(env)?;
    let mut o = Object::new(env)?;
    o.set("providerStatus", r.provider_status.as_str())?;
    o.set(
        "outcome",
        match r.outcome {
            monetix::Outcome::Succeeded => "succeeded",
            monetix::Outcome::Failed => "failed",
            monetix::Outcome::InProgress => "in_progress",
        },
    )?;
    o.set("operationId", r.operation_id.as_str())?;
    o.set("at", conv::opt_date(env, r.at)?)?;
    Ok(o)
}

// ---- keypair_invoice (seed 004) ------------------------------------------------------

/// Seed 004 (keypair_invoice): parses an invoice-form request (JSON, or a form post decoded
/// to the same keys) at `context.now`. `context.rate` (default `"1"`) is asset units per
/// `price_currency` unit, `context.fee` (default `"0"`) the network fee added when
/// `add_fee_to_price` is 1, `context.asset` the network paid on (default: the first not
/// banned). The private key is checked and dropped. Throws a `PaystateError` with
/// `httpStatus` 422 and `{"status":"error","message":["..."]}`.
#[napi(
    ts_args_type = "body: Body, context: KeypairInvoiceContext",
    ts_return_type = "DialectParsed"
)]
pub fn keypair_invoice_parse_invoice<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    context: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let c = conv::as_object(env, context, "context")?;
    let asset = match opt_str(env, &c, "asset")? {
        Some(code) => Some(Asset::parse(&code, "asset").or_throw(env)?),
        None => None,
    };
    let mut ctx = RequestContext::new(need_str(env, &c, "id")?, need_time(env, &c, "now")?);
    ctx.rate = rate(env, &c)?;
    ctx.fee = conv::opt_amount(env, c.get("fee")?, "fee")?.unwrap_or(Amount::ZERO);
    ctx.asset = asset;
    parse_request(env, RequestKind::KeypairInvoice, body.as_slice(), &ctx)
}

/// Seed 004 (keypair_invoice): the success answer `{"status":"success","message":
/// "<invoice url>"}`, as `{ body, json }`.
#[napi(ts_args_type = "invoiceUrl: string", ts_return_type = "Rendered")]
pub fn keypair_invoice_render_invoice<'e>(env: &'e Env, invoice_url: Unknown<'_>) -> R<Object<'e>> {
    let url = conv::string(env, invoice_url, "invoiceUrl")?;
    rendered(env, &keypair_invoice::render_invoice(&url))
}

/// Seed 004 (keypair_invoice): the error answer `{"status":"error","message":["..."]}`
/// (sent with HTTP 422) for a message the host decides itself, as `{ body, json }`.
#[napi(ts_args_type = "message: string", ts_return_type = "Rendered")]
pub fn keypair_invoice_error_body<'e>(env: &'e Env, message: Unknown<'_>) -> R<Object<'e>> {
    let message = conv::string(env, message, "message")?;
    rendered(env, &keypair_invoice::error_body(&message))
}

/// Seed 004 (keypair_invoice): the payment callback for a parsed request, as
/// `{ body, json }`. `render` holds `privateKey` (the callback repeats the merchant's key,
/// as the seed does), `id`, `amount` (a decimal string), `amountCurrency` (`USDT-TRC20`),
/// `refUrl`, `ip` and `createdAt`.
#[napi(
    ts_args_type = "parsed: DialectParsed | DialectRequest, render: KeypairInvoiceCallbackRender",
    ts_return_type = "Rendered"
)]
pub fn keypair_invoice_render_callback<'e>(
    env: &'e Env,
    parsed: Unknown<'_>,
    render: Unknown<'_>,
) -> R<Object<'e>> {
    let req = request_arg(env, parsed, "parsed")?;
    let Request::KeypairInvoice(r) = &req.held else {
        return Err(wrong_request(env, "keypair_invoice.invoice", &req));
    };
    let o = conv::as_object(env, render, "render")?;
    let render = keypair_invoice::CallbackRender {
        private_key: need_str(env, &o, "privateKey")?,
        id: need_str(env, &o, "id")?,
        amount: conv::amount(env, need(env, &o, "amount")?, "amount")?,
        amount_currency: need_str(env, &o, "amountCurrency")?,
        ref_url: need_str(env, &o, "refUrl")?,
        ip: need_str(env, &o, "ip")?,
        created_at: need_time(env, &o, "createdAt")?,
    };
    rendered(env, &keypair_invoice::render_callback(r, &render))
}

/// Seed 004 (keypair_invoice): parses a payment callback for `invoice` into a confirmed
/// `observe_transfer` of `amount` (the invoice's margin then decides paid or underpaid).
/// Another price, currency, order id or coin is `integrity_conflict`.
#[napi(
    ts_args_type = "body: Body, invoice: Invoice",
    ts_return_type = "CallbackResult"
)]
pub fn keypair_invoice_parse_callback<'e>(
    env: &'e Env,
    body: Unknown<'_>,
    invoice: Unknown<'_>,
) -> R<Object<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let arg = invoice_of(env, invoice)?;
    let inv = arg.get()?;
    callback_js(
        env,
        &keypair_invoice::parse_callback(body.as_slice(), &inv.inner).or_throw(env)?,
    )
}
