//! The five seed payment APIs ("dialects"), spoken both ways: parse a provider's create
//! request, render its responses and callbacks, parse its callbacks into commands.
//!
//! One small class of static methods per dialect (`Gatenoc`, `UsdtGateway`, `Gatepay`,
//! `Monetix`, `KeypairInvoice`). Thin: every rule is the core's (`paystate::dialect`);
//! this module converts arguments, wraps results and maps rejections
//! (`errors::Reject`) and errors (`errors::Core`).

// A rejection is the core's flat struct; the binding only passes it along.
#![allow(clippy::result_large_err)]

use paystate::dialect::{
    gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, CallbackResult, ParsedInvoice,
    Request, RequestContext, RequestKind,
};
use paystate::{Asset, Timestamp};
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::{self, datetime, decimal, opt_datetime, text};
use crate::errors::{rejection_to_py_err, Core, Reject};
use crate::invoice::{PyCommand, PyInvoice, PyInvoiceSpec};

/// A provider create request the provider's rules accept: the `InvoiceSpec` to pass to
/// `Invoice.create` (with the same `now`), the amount due, the deadline, and the
/// provider's extra fields.
#[pyclass(frozen, module = "paystate", name = "DialectRequest")]
pub struct PyDialectRequest {
    /// Always a kind that creates an invoice: [`accepted`] builds no other.
    inner: Request,
    invoice: ParsedInvoice,
}

fn wrong_dialect(expected: &str, got: &PyDialectRequest) -> PyErr {
    pyo3::exceptions::PyTypeError::new_err(format!(
        "request: expected a {expected} request, got a {} request",
        got.inner.kind().dialect()
    ))
}

#[pymethods]
impl PyDialectRequest {
    /// The dialect that parsed it: `gatenoc`, `usdt_gateway`, `gatepay`, `monetix` or
    /// `keypair_invoice`.
    #[getter]
    fn dialect(&self) -> &'static str {
        self.inner.kind().dialect()
    }

    /// The core create spec (pass it to `Invoice.create` with the same `now`).
    #[getter]
    fn spec(&self) -> PyInvoiceSpec {
        PyInvoiceSpec {
            inner: self.invoice.spec.clone(),
        }
    }

    /// The amount due in the asset (price × rate + surcharge, rounded up).
    #[getter]
    fn due<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.invoice.due)
    }

    /// The request time the spec was resolved at.
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.invoice.created_at)
    }

    /// The payment deadline.
    #[getter]
    fn deadline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.invoice.deadline)
    }

    /// The provider's fields the core spec does not hold (URLs, titles, flags, the amount
    /// as the provider prints it). Numbers are `int` or `Decimal`, never `float`.
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::from_json(py, &self.inner.extra())
    }

    fn __repr__(&self) -> String {
        let inv = &self.invoice;
        format!(
            "DialectRequest(dialect={:?}, id={:?}, due={:?}, deadline={:?})",
            self.inner.kind().dialect(),
            inv.spec.id,
            inv.due.to_string(),
            inv.deadline.to_string()
        )
    }
}

/// A provider callback translated for the core: the provider's raw status, the command to
/// apply to the invoice (or None when the status changes nothing the core tracks), and
/// when the provider says it happened.
#[pyclass(frozen, module = "paystate", name = "CallbackResult")]
pub struct PyCallbackResult {
    inner: CallbackResult,
}

#[pymethods]
impl PyCallbackResult {
    /// The provider's status exactly as sent (`confirmed`, `PAY_SUCCESS`, `success`).
    #[getter]
    fn provider_status(&self) -> &str {
        &self.inner.provider_status
    }

    /// The command to apply (`invoice.apply(result.command, now)`), or None.
    #[getter]
    fn command(&self) -> Option<PyCommand> {
        self.inner.command.clone().map(|inner| PyCommand { inner })
    }

    /// When the provider says the event happened, or None.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_datetime(py, self.inner.at)
    }

    fn __repr__(&self) -> String {
        format!(
            "CallbackResult(provider_status={:?}, command={}, at={})",
            self.inner.provider_status,
            self.inner
                .command
                .as_ref()
                .map_or("None".to_owned(), |c| c.to_json().to_string()),
            self.inner.at.map_or("None".to_owned(), |t| t.to_string())
        )
    }
}

fn callback(r: paystate::Result<CallbackResult>) -> PyResult<PyCallbackResult> {
    Ok(PyCallbackResult { inner: r.core()? })
}

/// Parses `body` as a create request of `kind` (each binding and the CLI share core's
/// dispatch and its context defaults: rate 1, fee 0, docs/spec.md §8).
fn accepted(kind: RequestKind, body: &[u8], ctx: &RequestContext) -> PyResult<PyDialectRequest> {
    let inner = Request::parse(kind, body, ctx).rejected()?;
    let invoice = inner.invoice().cloned().ok_or_else(|| {
        crate::errors::invalid_field("request", format!("{kind} creates no invoice"))
    })?;
    Ok(PyDialectRequest { inner, invoice })
}

/// The core's context for invoice `id` at `now`, every other member at its default.
fn context(id: &Bound<'_, PyAny>, now: &Bound<'_, PyAny>) -> PyResult<RequestContext> {
    Ok(RequestContext::new(text(id, "id")?, timestamp(now, "now")?))
}

/// Sets `slot` from an optional amount argument; absent or None keeps core's default.
fn set_amount(
    slot: &mut paystate::Amount,
    arg: Option<&Bound<'_, PyAny>>,
    field: &'static str,
) -> PyResult<()> {
    if let Some(a) = convert::opt_amount(arg, field)? {
        *slot = a;
    }
    Ok(())
}

fn json<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    convert::from_json(py, v)
}

fn u64_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<u64> {
    obj.extract::<u64>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{field}: expected a non-negative int below 2**64"
        ))
    })
}

fn timestamp(obj: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Timestamp> {
    convert::timestamp(obj, field)
}

// ---- seed 000: gatenoc --------------------------------------------------------------------

/// Seed 000, `gatenoc`: USD checkout sessions paid in USDT by Bybit internal transfer
/// (`POST /api/v1/merchant/checkout-session`).
#[pyclass(frozen, module = "paystate", name = "Gatenoc")]
pub struct PyGatenoc;

#[pymethods]
impl PyGatenoc {
    /// Parses a checkout-session body (`{"amount": 10.50, "note": ...}`) for invoice `id`
    /// at `now`; `ttl` (seconds or timedelta) defaults to 1800 s. Raises
    /// `DialectRejection` (HTTP 422 and the provider's body) when the seed's rules refuse it.
    #[staticmethod]
    #[pyo3(signature = (body, *, id, now, ttl=None))]
    fn parse_checkout_session(
        body: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        ttl: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDialectRequest> {
        let raw = convert::raw(body, "body")?;
        let mut ctx = context(id, now)?;
        if let Some(t) = ttl.filter(|t| !t.is_none()) {
            ctx.session_ttl = convert::duration(t, "ttl")?;
        }
        accepted(RequestKind::GatenocCheckoutSession, raw.as_slice(), &ctx)
    }

    /// Checks an `X-Merchant-Key` header (None when absent) against the merchant keys, in
    /// constant time; returns the index of the matching key or raises `DialectRejection`
    /// (HTTP 401, `signature_missing` or `signature_mismatch`).
    #[staticmethod]
    fn check_merchant_key(header: Option<&str>, keys: Vec<String>) -> PyResult<usize> {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        gatenoc::check_merchant_key(header, &keys).rejected()
    }

    /// The 200 response for a parsed request: `checkout_url`, `merchant_id`, `amount` (a
    /// `Decimal`), `currency`, `expires_at`, `note`.
    #[staticmethod]
    #[pyo3(signature = (request, *, base_url, merchant_id, session_token))]
    fn render_checkout_session<'py>(
        py: Python<'py>,
        request: &PyDialectRequest,
        base_url: String,
        merchant_id: &Bound<'py, PyAny>,
        session_token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Request::GatenocCheckoutSession(req) = &request.inner else {
            return Err(wrong_dialect("gatenoc", request));
        };
        let r = gatenoc::CheckoutRender {
            base_url,
            merchant_id: u64_arg(merchant_id, "merchant_id")?,
            session_token,
        };
        json(py, &gatenoc::render_checkout_session(req, &r))
    }

    /// The `payment.completed` notification the gateway POSTs to `notify_url`.
    #[staticmethod]
    #[pyo3(signature = (invoice, *, bybit_pay_id, payment_record_id))]
    fn render_payment_completed<'py>(
        py: Python<'py>,
        invoice: &PyInvoice,
        bybit_pay_id: String,
        payment_record_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = gatenoc::CompletedRender {
            bybit_pay_id,
            payment_record_id,
        };
        let v = invoice.with_state(|inv| gatenoc::render_payment_completed(inv, &r));
        json(py, &v)
    }

    /// Parses a `payment.completed` notification for `invoice` (not applied). An amount
    /// or note that disagrees with the invoice raises `IntegrityError`.
    #[staticmethod]
    fn parse_payment_completed(
        body: &Bound<'_, PyAny>,
        invoice: &PyInvoice,
    ) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(invoice.with_state(|inv| gatenoc::parse_payment_completed(raw.as_slice(), inv)))
    }
}

// ---- seed 001: usdt_gateway -------------------------------------------------------------

/// Seed 001, `usdt_gateway`: USDT invoices on TRC20/ERC20/BSC (`POST /api/v1/invoices`).
#[pyclass(frozen, module = "paystate", name = "UsdtGateway")]
pub struct PyUsdtGateway;

#[pymethods]
impl PyUsdtGateway {
    /// Parses a create-invoice body (`{"amountUsdt": 150.0000, "assetCode": ...}`) for
    /// invoice `id` at `now`; `generated_reference` is used when the request has none.
    /// Raises `DialectRejection` (HTTP 400 and the provider's body) when refused.
    #[staticmethod]
    #[pyo3(signature = (body, *, id, now, generated_reference=None))]
    fn parse_invoice(
        body: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        generated_reference: Option<String>,
    ) -> PyResult<PyDialectRequest> {
        let raw = convert::raw(body, "body")?;
        let mut ctx = context(id, now)?;
        ctx.generated_reference = generated_reference;
        accepted(RequestKind::UsdtGatewayInvoice, raw.as_slice(), &ctx)
    }

    /// The key mode of an `Authorization` header (None when absent): `"test"` or `"live"`;
    /// raises `DialectRejection` (HTTP 401) when missing or malformed.
    #[staticmethod]
    fn key_mode(authorization: Option<&str>) -> PyResult<&'static str> {
        Ok(match usdt_gateway::key_mode(authorization).rejected()? {
            usdt_gateway::KeyMode::Test => "test",
            usdt_gateway::KeyMode::Live => "live",
        })
    }

    /// The 409 rejection for a `reference` this merchant already used (returned, not
    /// raised: the host decides).
    #[staticmethod]
    fn duplicate_reference(py: Python<'_>, reference: &str) -> Py<PyAny> {
        let err = rejection_to_py_err(py, &usdt_gateway::duplicate_reference(reference));
        err.into_value(py).into_any()
    }

    /// The error body `{"statusCode", "message", "error"}` for an HTTP status.
    #[staticmethod]
    fn error_body<'py>(py: Python<'py>, status: u16, message: &str) -> PyResult<Bound<'py, PyAny>> {
        json(py, &usdt_gateway::error_body(status, message))
    }

    /// The 201 response for a parsed request.
    #[staticmethod]
    #[pyo3(signature = (request, *, payout_address, payment_url, is_test))]
    fn render_invoice<'py>(
        py: Python<'py>,
        request: &PyDialectRequest,
        payout_address: String,
        payment_url: String,
        is_test: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Request::UsdtGatewayInvoice(req) = &request.inner else {
            return Err(wrong_dialect("usdt_gateway", request));
        };
        let r = usdt_gateway::InvoiceRender {
            payout_address,
            payment_url,
            is_test,
        };
        json(py, &usdt_gateway::render_invoice(req, &r))
    }

    /// The payment webhook payload (`status: "confirmed"`) for `invoice`.
    #[staticmethod]
    #[pyo3(signature = (invoice, *, merchant_id, payout_address, tx_hash, paid_at))]
    fn render_webhook<'py>(
        py: Python<'py>,
        invoice: &PyInvoice,
        merchant_id: String,
        payout_address: String,
        tx_hash: String,
        paid_at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = usdt_gateway::WebhookRender {
            merchant_id,
            payout_address,
            tx_hash,
            paid_at: timestamp(paid_at, "paid_at")?,
        };
        let v = invoice.with_state(|inv| usdt_gateway::render_webhook(inv, &r));
        json(py, &v)
    }

    /// Parses a webhook for `invoice` (not applied). Reference, asset or amount that
    /// disagree with the invoice raise `IntegrityError`.
    #[staticmethod]
    fn parse_webhook(body: &Bound<'_, PyAny>, invoice: &PyInvoice) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(invoice.with_state(|inv| usdt_gateway::parse_webhook(raw.as_slice(), inv)))
    }
}

// ---- seed 002: gatepay ------------------------------------------------------------------

/// Seed 002, `gatepay`: checkout orders (`POST /v1/pay/checkout/order`).
#[pyclass(frozen, module = "paystate", name = "Gatepay")]
pub struct PyGatepay;

#[pymethods]
impl PyGatepay {
    /// Parses a checkout-order body for invoice `id` at `now`; `rate` is USDT per unit of
    /// `fiatCurrency` for fiat-priced orders (default 1). Raises `DialectRejection` (body
    /// `{"status":"ERROR",...}`) when refused.
    #[staticmethod]
    #[pyo3(signature = (body, *, id, now, rate=None))]
    fn parse_order(
        body: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        rate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDialectRequest> {
        let raw = convert::raw(body, "body")?;
        let mut ctx = context(id, now)?;
        set_amount(&mut ctx.rate, rate, "rate")?;
        accepted(RequestKind::GatepayOrder, raw.as_slice(), &ctx)
    }

    /// The success response for a parsed order.
    #[staticmethod]
    #[pyo3(signature = (request, *, prepay_id, qr_content, location, address))]
    fn render_order<'py>(
        py: Python<'py>,
        request: &PyDialectRequest,
        prepay_id: String,
        qr_content: String,
        location: String,
        address: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Request::GatepayOrder(req) = &request.inner else {
            return Err(wrong_dialect("gatepay", request));
        };
        let r = gatepay::OrderRender {
            prepay_id,
            qr_content,
            location,
            address,
        };
        json(py, &gatepay::render_order(req, &r))
    }

    /// A payment notification for `invoice` with `status` `PAY_SUCCESS`, `PAY_ERROR` or
    /// `PAY_CLOSE`.
    #[staticmethod]
    #[pyo3(signature = (invoice, status, *, prepay_id, client_id, transaction_id, create_time))]
    fn render_notification<'py>(
        py: Python<'py>,
        invoice: &PyInvoice,
        status: &str,
        prepay_id: String,
        client_id: String,
        transaction_id: String,
        create_time: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let status = gatepay::BizStatus::parse(status).core()?;
        let r = gatepay::NotifyRender {
            prepay_id,
            client_id,
            transaction_id,
            create_time: timestamp(create_time, "create_time")?,
        };
        let v = invoice.with_state(|inv| gatepay::render_notification(inv, status, &r));
        json(py, &v)
    }

    /// Parses a payment notification for `invoice` (not applied). Trade number, currency
    /// or amount that disagree with the invoice raise `IntegrityError`.
    #[staticmethod]
    fn parse_notification(
        body: &Bound<'_, PyAny>,
        invoice: &PyInvoice,
    ) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(invoice.with_state(|inv| gatepay::parse_notification(raw.as_slice(), inv)))
    }
}

// ---- seed 003: monetix ------------------------------------------------------------------

/// A validated Monetix refund request (`/v2/payment/wallet/bybit/refund`).
#[pyclass(frozen, module = "paystate", name = "MonetixRefund")]
pub struct PyMonetixRefund {
    inner: monetix::RefundRequest,
}

#[pymethods]
impl PyMonetixRefund {
    /// The purchase's `payment_id`.
    #[getter]
    fn payment_id(&self) -> &str {
        &self.inner.payment_id
    }

    /// The normalised request (`project_id`, `payment_id`, `customer`, `full`, `amount`
    /// in minor units or None, `currency`, `description`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.to_json())
    }

    /// The `request_refund` command that reserves this refund on the purchase's invoice
    /// (amount converted to the asset in proportion to the price, rounded down).
    fn command(&self, invoice: &PyInvoice, refund_id: &str) -> PyResult<PyCommand> {
        let c = invoice.with_state(|inv| self.inner.command(inv, refund_id));
        Ok(PyCommand { inner: c.core()? })
    }

    fn __repr__(&self) -> String {
        format!("MonetixRefund({})", self.inner.to_json())
    }
}

/// A validated Monetix payout request (`/v2/payment/wallet/bybit/payout`).
#[pyclass(frozen, module = "paystate", name = "MonetixPayout")]
pub struct PyMonetixPayout {
    inner: monetix::PayoutRequest,
}

#[pymethods]
impl PyMonetixPayout {
    /// The payout's own `payment_id`.
    #[getter]
    fn payment_id(&self) -> &str {
        &self.inner.payment_id
    }

    /// The normalised request (`project_id`, `payment_id`, `customer`, `payment`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.to_json())
    }

    fn __repr__(&self) -> String {
        format!("MonetixPayout({})", self.inner.to_json())
    }
}

/// A Monetix payout callback: the raw status, the outcome (`succeeded`, `failed`,
/// `in_progress`), the operation id and when it happened.
#[pyclass(frozen, module = "paystate", name = "PayoutResult")]
pub struct PyPayoutResult {
    inner: monetix::PayoutResult,
}

#[pymethods]
impl PyPayoutResult {
    /// The provider's `operation.status` exactly as sent.
    #[getter]
    fn provider_status(&self) -> &str {
        &self.inner.provider_status
    }

    /// `"succeeded"`, `"failed"` or `"in_progress"`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.inner.outcome.as_str()
    }

    /// Monetix's operation id.
    #[getter]
    fn operation_id(&self) -> &str {
        &self.inner.operation_id
    }

    /// When the operation happened, or None.
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_datetime(py, self.inner.at)
    }

    fn __repr__(&self) -> String {
        format!(
            "PayoutResult(provider_status={:?}, outcome={:?}, operation_id={:?})",
            self.inner.provider_status,
            self.outcome(),
            self.inner.operation_id
        )
    }
}

/// Seed 003, `monetix`: Bybit Pay purchase, refund and payout (Payment Page and Gate).
#[pyclass(frozen, module = "paystate", name = "Monetix")]
pub struct PyMonetix;

#[pymethods]
impl PyMonetix {
    /// Parses a purchase (Payment Page or Gate `sale`) for invoice `id` at `now`; `rate`
    /// is USDT per unit of the purchase currency (default 1). Raises `DialectRejection`.
    #[staticmethod]
    #[pyo3(signature = (body, *, id, now, rate=None))]
    fn parse_purchase(
        body: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        rate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDialectRequest> {
        let raw = convert::raw(body, "body")?;
        let mut ctx = context(id, now)?;
        set_amount(&mut ctx.rate, rate, "rate")?;
        accepted(RequestKind::MonetixPurchase, raw.as_slice(), &ctx)
    }

    /// Parses a refund request. Raises `DialectRejection`.
    #[staticmethod]
    fn parse_refund(body: &Bound<'_, PyAny>) -> PyResult<PyMonetixRefund> {
        let raw = convert::raw(body, "body")?;
        Ok(PyMonetixRefund {
            inner: monetix::parse_refund(raw.as_slice()).rejected()?,
        })
    }

    /// Parses a payout request. Raises `DialectRejection`.
    #[staticmethod]
    fn parse_payout(body: &Bound<'_, PyAny>) -> PyResult<PyMonetixPayout> {
        let raw = convert::raw(body, "body")?;
        Ok(PyMonetixPayout {
            inner: monetix::parse_payout(raw.as_slice()).rejected()?,
        })
    }

    /// The Gate `display_data` list for a parsed purchase: QR data, lifetime (`lifetime`
    /// is the QR code's expiry time), QR URL, amount in minor units and currency.
    #[staticmethod]
    #[pyo3(signature = (request, *, qr_data, lifetime, qr_url))]
    fn render_display_data<'py>(
        py: Python<'py>,
        request: &PyDialectRequest,
        qr_data: &str,
        lifetime: &Bound<'py, PyAny>,
        qr_url: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Request::MonetixPurchase(req) = &request.inner else {
            return Err(wrong_dialect("monetix", request));
        };
        let lifetime = timestamp(lifetime, "lifetime")?;
        json(
            py,
            &monetix::render_display_data(qr_data, lifetime, qr_url, req.money),
        )
    }

    /// Parses a `sale` callback for `invoice` (not applied): success observes the due
    /// amount, decline/error marks the invoice invalid, in-progress statuses give None.
    #[staticmethod]
    fn parse_sale_callback(
        body: &Bound<'_, PyAny>,
        invoice: &PyInvoice,
    ) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(invoice.with_state(|inv| monetix::parse_sale_callback(raw.as_slice(), inv)))
    }

    /// Parses a `refund` callback for `invoice` into a `settle_refund` command;
    /// `refund_id` defaults to the only refund in flight.
    #[staticmethod]
    #[pyo3(signature = (body, invoice, refund_id=None))]
    fn parse_refund_callback(
        body: &Bound<'_, PyAny>,
        invoice: &PyInvoice,
        refund_id: Option<&str>,
    ) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(
            invoice
                .with_state(|inv| monetix::parse_refund_callback(raw.as_slice(), inv, refund_id)),
        )
    }

    /// Parses a `payout` callback for a parsed payout request.
    #[staticmethod]
    fn parse_payout_callback(
        body: &Bound<'_, PyAny>,
        payout: &PyMonetixPayout,
    ) -> PyResult<PyPayoutResult> {
        let raw = convert::raw(body, "body")?;
        Ok(PyPayoutResult {
            inner: monetix::parse_payout_callback(raw.as_slice(), &payout.inner).core()?,
        })
    }
}

// ---- seed 004: keypair_invoice ----------------------------------------------------------

/// Seed 004, `keypair_invoice`: the invoice form API (public/private key pair).
#[pyclass(frozen, module = "paystate", name = "KeypairInvoice")]
pub struct PyKeypairInvoice;

#[pymethods]
impl PyKeypairInvoice {
    /// Parses an invoice request for invoice `id` at `now`; `rate` (default 1) prices the
    /// fiat amount, `fee` (default 0) is added when `add_fee_to_price` is set, `asset`
    /// picks the coin (default: the first USDT network not banned). Raises
    /// `DialectRejection` (HTTP 422, `{"status":"error","message":[...]}`).
    #[staticmethod]
    #[pyo3(signature = (body, *, id, now, rate=None, fee=None, asset=None))]
    fn parse_invoice(
        body: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        rate: Option<&Bound<'_, PyAny>>,
        fee: Option<&Bound<'_, PyAny>>,
        asset: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDialectRequest> {
        let raw = convert::raw(body, "body")?;
        let mut ctx = context(id, now)?;
        set_amount(&mut ctx.rate, rate, "rate")?;
        set_amount(&mut ctx.fee, fee, "fee")?;
        if let Some(a) = asset.filter(|a| !a.is_none()) {
            ctx.asset = Some(Asset::parse(&text(a, "asset")?, "asset").core()?);
        }
        accepted(RequestKind::KeypairInvoice, raw.as_slice(), &ctx)
    }

    /// The success answer `{"status": "success", "message": invoice_url}`.
    #[staticmethod]
    fn render_invoice<'py>(py: Python<'py>, invoice_url: &str) -> PyResult<Bound<'py, PyAny>> {
        json(py, &keypair_invoice::render_invoice(invoice_url))
    }

    /// The error answer `{"status": "error", "message": [message]}`.
    #[staticmethod]
    fn error_body<'py>(py: Python<'py>, message: &str) -> PyResult<Bound<'py, PyAny>> {
        json(py, &keypair_invoice::error_body(message))
    }

    /// The success callback for a parsed request (it repeats the merchant's
    /// `private_key`, as the seed does: send it only to the merchant's callback URL).
    #[staticmethod]
    #[pyo3(signature = (request, *, private_key, id, amount, amount_currency, ref_url, ip, created_at))]
    #[allow(clippy::too_many_arguments)]
    fn render_callback<'py>(
        py: Python<'py>,
        request: &PyDialectRequest,
        private_key: String,
        id: String,
        amount: &Bound<'py, PyAny>,
        amount_currency: String,
        ref_url: String,
        ip: String,
        created_at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Request::KeypairInvoice(req) = &request.inner else {
            return Err(wrong_dialect("keypair_invoice", request));
        };
        let r = keypair_invoice::CallbackRender {
            private_key,
            id,
            amount: convert::amount(amount, "amount")?,
            amount_currency,
            ref_url,
            ip,
            created_at: timestamp(created_at, "created_at")?,
        };
        json(py, &keypair_invoice::render_callback(req, &r))
    }

    /// Parses a payment callback for `invoice` (not applied). Price, currency, order id
    /// or coin that disagree with the invoice raise `IntegrityError`.
    #[staticmethod]
    fn parse_callback(body: &Bound<'_, PyAny>, invoice: &PyInvoice) -> PyResult<PyCallbackResult> {
        let raw = convert::raw(body, "body")?;
        callback(invoice.with_state(|inv| keypair_invoice::parse_callback(raw.as_slice(), inv)))
    }
}

/// Registers the dialect classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDialectRequest>()?;
    m.add_class::<PyCallbackResult>()?;
    m.add_class::<PyGatenoc>()?;
    m.add_class::<PyUsdtGateway>()?;
    m.add_class::<PyGatepay>()?;
    m.add_class::<PyMonetix>()?;
    m.add_class::<PyMonetixRefund>()?;
    m.add_class::<PyMonetixPayout>()?;
    m.add_class::<PyPayoutResult>()?;
    m.add_class::<PyKeypairInvoice>()?;
    Ok(())
}
