//! The hosted checkout page behind an invoice's `paymentUrl` (`{base}/pay/{reference}`):
//! what the payer sees and pays with. Every seed's payer link leads here (seed 000's
//! checkout link through a 303; the other seeds' invoices have their id as reference).
//! An on-chain invoice shows its address and a QR code; a `USDT_BYBIT` one (seeds 000 and
//! 003, a Bybit internal transfer) the Bybit UID and a reference instead, no QR code.
//!
//! * `GET /pay/{reference}`: server-rendered HTML — the exact amount, network and asset,
//!   the receiving address, a QR code of the payment URI built by the core
//!   (`docs/spec.md §11`) for what is still to send, the countdown to the deadline and the status. It works without
//!   JavaScript; with it, the status and the countdown follow the server.
//! * `GET /pay/{reference}/qr.svg`: that QR code, drawn by the `qrcode` crate as SVG.
//! * `GET /pay/{reference}/status`: the small JSON the page polls. The countdown is
//!   computed from the sandbox's clock (`nowMs`, `deadlineMs`, `secondsLeft`), never from
//!   the browser's: on the test clock it moves only when the clock is advanced.
//! * `POST /pay/{reference}/simulate/{action}`: the page's sandbox buttons (`exact`,
//!   `short`, `rest`, `over`, `advance`, `expire`). They need no API key — the page must
//!   not hold it — and call the same code as `/sandbox/invoices/{id}/pay` and
//!   `/sandbox/clock/advance`. A request must carry the header
//!   `X-Paystate-Checkout: simulate`: a cross-site page cannot add it without a CORS
//!   preflight this server never grants, so another web page open in the payer's browser
//!   cannot press these buttons.
//! * `POST /pay/{reference}/txid {"txId"}`: seed 000's TXID form ("customer submits TXID
//!   on the pay page"): the payer's transaction id, claimed on the invoice (`claim_txid`,
//!   `docs/spec.md §3`). The sandbox's pay buttons then send that transfer, whose id the
//!   shop's `payment.completed` carries as `bybit_pay_id`. Same header as the buttons.
//! * `GET /checkout/checkout.css`, `GET /checkout/checkout.js`: the page's assets, served
//!   from files compiled in, so the Content-Security-Policy can forbid inline script.
//!
//! An unknown reference is a 404 page and a cancelled invoice a 410 page, both plain
//! HTML (`message_page`); so is a seed-003 QR code's page once paid or past its hour
//! (single use). Every text that comes from a request (title, description, reference) is
//! HTML-escaped (`fill`).

use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use paystate::dialect::common::fixed_places;
use paystate::dialect::usdt_gateway;
use paystate::{Amount, Exception, Invoice, Status, Timestamp};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::gateway::{self, Payment};
use crate::http::json_response;
use crate::scheduler;
use crate::seed::Seed;
use crate::server::App;
use crate::store;

/// The page and the message page open alike: `head.html` (title, stylesheet), then their
/// own part.
const PAGE: &str = concat!(
    include_str!("checkout/head.html"),
    include_str!("checkout/page.html")
);
const MESSAGE: &str = concat!(
    include_str!("checkout/head.html"),
    include_str!("checkout/message.html")
);
/// A labelled value with a copy button (an address, a Bybit UID, a reference).
const COPY_FIELD: &str = include_str!("checkout/copy_field.html");
/// Where to send on a chain: the address, the QR code and the wallet link.
const CHAIN: &str = include_str!("checkout/chain.html");
/// Where to send inside Bybit (seeds 000 and 003): the UID and the reference, no QR code
/// (a Bybit internal transfer has no chain payment URI).
const BYBIT: &str = include_str!("checkout/bybit.html");
/// Seed 000's TXID form, under the Bybit UID and reference.
const TXID_FORM: &str = include_str!("checkout/txid.html");
const CSS: &str = include_str!("checkout/checkout.css");
const JS: &str = include_str!("checkout/checkout.js");

/// The header (and its value) the page's own requests (the simulate buttons, the TXID
/// form) must carry.
pub const SIMULATE_HEADER: (&str, &str) = ("x-paystate-checkout", "simulate");

/// Seconds the "advance" button moves the test clock.
pub const ADVANCE_STEP_SECONDS: u64 = 300;

/// The decimals the page shows amounts with at least (seed 001's `amountUsdtExact`).
const SHOWN_DECIMALS: u32 = 4;

/// The Content-Security-Policy of every page: no inline script, nothing from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

type Shared = State<Arc<App>>;

/// The checkout routes, merged into [`crate::http::router`].
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/pay/{reference}", get(page))
        .route("/pay/{reference}/status", get(status))
        .route("/pay/{reference}/qr.svg", get(qr))
        .route("/pay/{reference}/simulate/{action}", post(simulate))
        .route("/pay/{reference}/txid", post(submit_txid))
        .route("/checkout/checkout.css", get(css))
        .route("/checkout/checkout.js", get(js))
}

/// What the page knows about an invoice at `now`.
struct Snapshot {
    reference: String,
    invoice: Invoice,
    view: Map<String, Value>,
    /// The invoice's seed (`None`: seed 001).
    seed: Option<Seed>,
    now_ms: i64,
    realtime: bool,
}

/// Where the payer sends the money.
enum Destination {
    /// A chain address, with a payment URI for the QR code and the wallet link.
    Chain { address: String, uri: String },
    /// A Bybit internal transfer (`USDT_BYBIT`): the UID and the reference to note.
    Bybit {
        uid: &'static str,
        reference: String,
    },
}

/// Loads the invoice with this reference; `None` when there is none.
async fn load(app: &Arc<App>, reference: String) -> Result<Option<Snapshot>, ApiError> {
    let now_ms = app.clock.now_ms();
    let realtime = app.clock.is_realtime();
    let row = app
        .db
        .tx(move |tx| {
            let Some(row) = store::invoice_by_reference(tx, &reference)? else {
                return Ok((None, reference.clone()));
            };
            let seed = store::seed_invoice(tx, &row.id)?;
            Ok((Some((row, seed)), reference.clone()))
        })
        .await?;
    let (Some((row, seed_row)), reference) = row else {
        return Ok(None);
    };
    let seed = match seed_row {
        None => None,
        Some(r) => {
            Some(Seed::parse(&r.seed).ok_or_else(|| ApiError::internal("stored seed is unknown"))?)
        }
    };
    let invoice = Invoice::from_json(&row.state)
        .map_err(|e| ApiError::internal(format_args!("stored state: {e}")))?;
    let view = match serde_json::from_str::<Value>(&row.view) {
        Ok(Value::Object(m)) => m,
        _ => return Err(ApiError::internal("stored view is not an object")),
    };
    Ok(Some(Snapshot {
        reference,
        invoice,
        view,
        seed,
        now_ms,
        realtime,
    }))
}

impl Snapshot {
    fn now(&self) -> Timestamp {
        crate::clock::to_timestamp(self.now_ms)
    }

    fn status(&self) -> Status {
        self.invoice.status_at(self.now())
    }

    /// Counted money seen so far, confirmed or not.
    fn received(&self) -> Amount {
        self.invoice
            .amount_paid()
            .saturating_add(self.invoice.amount_pending())
    }

    /// What is still to send to reach the amount due.
    fn missing(&self) -> Amount {
        self.invoice.due().saturating_sub(self.received())
    }

    /// The page's word for where the invoice stands: the core's status, with a pending or
    /// expired invoice the core marks underpaid shown as `underpaid` while it is open.
    fn state(&self) -> &'static str {
        let status = self.status();
        match status {
            Status::Pending if self.invoice.exceptions().contains(Exception::Underpaid) => {
                "underpaid"
            }
            Status::Pending => "pending",
            Status::Processing => "processing",
            s if s.is_paid_family() => "paid",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
            _ => "invalid",
        }
    }

    /// What the QR code and the wallet link ask for: what is still missing, or the whole
    /// amount once nothing is (so a paid or over-paid page still shows a valid request).
    fn to_send(&self) -> Amount {
        let missing = self.missing();
        if missing.is_zero() {
            self.invoice.due()
        } else {
            missing
        }
    }

    /// Where to send, and for a chain the core's payment request URI for
    /// [`Snapshot::to_send`] (`docs/spec.md §11`).
    fn destination(&self) -> Result<Destination, ApiError> {
        let asset = self.invoice.asset();
        // Seed 001's answer names the address it gave the shop; the other seeds' answers
        // may not, and their invoices are paid to the sandbox's address of the chain.
        let address = self
            .view
            .get("payoutAddress")
            .and_then(Value::as_str)
            .or_else(|| gateway::deposit_address(asset));
        let Some(address) = address else {
            return Ok(Destination::Bybit {
                uid: gateway::BYBIT_UID,
                reference: self.pay_reference(),
            });
        };
        let uri = paystate::payment_uri::payment_uri(asset, address, self.to_send())
            .map_err(|e| ApiError::internal(format_args!("payment URI: {e}")))?;
        Ok(Destination::Chain {
            address: address.to_owned(),
            uri,
        })
    }

    /// What the payer notes on a Bybit transfer: the shop's reference of the invoice (seed
    /// 000's `note`, seed 003's `payment_id`), else the invoice id.
    fn pay_reference(&self) -> String {
        self.invoice
            .spec()
            .reference
            .clone()
            .unwrap_or_else(|| self.invoice.id().to_owned())
    }

    /// A single-use payment page (seed 003's QR code: "can be used for payment only
    /// once", "expires 1 hour after the purchase was initiated") that can no longer be
    /// used: what its message page says. `None` while it is open, and for every other seed.
    fn used_up(&self) -> Option<(&'static str, &'static str)> {
        if self.seed != Some(Seed::Monetix) {
            return None;
        }
        let status = self.status();
        if status.is_paid_family() {
            Some((
                "This payment QR code was already used",
                "It paid this purchase; a QR code pays once. To pay again, start a new \
                 purchase in the shop.",
            ))
        } else if status == Status::Expired {
            Some((
                "This payment QR code has expired",
                "A payment QR code can be used for one hour. Do not send anything now: start \
                 a new purchase in the shop.",
            ))
        } else {
            None
        }
    }

    fn deadline_ms(&self) -> i64 {
        self.invoice.deadline().as_millis()
    }

    /// Whole seconds until the deadline on the sandbox clock, rounded up; 0 once reached.
    fn seconds_left(&self) -> i64 {
        let ms = self.deadline_ms().saturating_sub(self.now_ms).max(0);
        ms.saturating_add(999) / 1000
    }

    /// What the TXID form says of a submitted TXID whose transfer has not come yet (the
    /// status JSON carries it; the script shows what it is given).
    fn txid_note(&self) -> String {
        crate::seed::unseen_claims(&self.invoice)
            .next()
            .map(|tx_id| format!("TXID {tx_id} submitted: waiting for that transfer."))
            .unwrap_or_default()
    }

    fn white_label(&self, key: &str) -> Option<&str> {
        self.view
            .get("whiteLabel")
            .and_then(|w| w.get(key))
            .and_then(Value::as_str)
    }

    fn status_json(&self) -> Result<Value, ApiError> {
        let (network, network_label) = usdt_gateway::network(self.invoice.asset());
        let status = self.status();
        let (label, hint) = state_words(self.state());
        let (address, uri, uid, pay_reference) = match self.destination()? {
            Destination::Chain { address, uri } => (Some(address), Some(uri), None, None),
            Destination::Bybit { uid, reference } => (None, None, Some(uid), Some(reference)),
        };
        Ok(json!({
            "reference": self.reference,
            "seed": self.seed.map_or("001", Seed::code),
            "state": self.state(),
            "label": label,
            "hint": hint,
            "status": status.as_str(),
            "seedStatus": gateway::seed_status(status),
            "open": status.is_open(),
            "exceptions": self.invoice.exceptions().iter().map(|e| e.as_str()).collect::<Vec<_>>(),
            "assetCode": self.invoice.asset().code(),
            "network": network,
            "networkLabel": network_label,
            "address": address,
            "bybitUid": uid,
            "payReference": pay_reference,
            "amountDue": show(self.invoice.due()),
            "amountPaid": show(self.invoice.amount_paid()),
            "amountPending": show(self.invoice.amount_pending()),
            "amountReceived": show(self.received()),
            "amountMissing": show(self.missing()),
            "amountToSend": show(self.to_send()),
            "paymentUri": uri,
            "now": self.now().to_string(),
            "nowMs": self.now_ms,
            "expiresAt": self.invoice.deadline().to_string(),
            "deadlineMs": self.deadline_ms(),
            "secondsLeft": self.seconds_left(),
            "realtime": self.realtime,
            "txidsClaimed": crate::seed::unseen_claims(&self.invoice).collect::<Vec<_>>(),
            "txidNote": self.txid_note(),
        }))
    }
}

/// An amount with at least four decimals, exactly (never rounded).
fn show(a: Amount) -> String {
    fixed_places(a, SHOWN_DECIMALS)
}

/// `hh:mm:ss` (or `mm:ss` under an hour), as the page's script writes it too.
fn countdown_text(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value for a template slot.
enum Slot {
    /// Text, escaped on insertion.
    Text(String),
    /// Markup generated by this module (the QR code), inserted as is.
    Trusted(String),
}

/// Fills every `{{name}}` of `template`. A slot the template names but `slots` lacks is
/// a bug of this module, reported as an internal error rather than shown half-filled.
fn fill(template: &str, slots: &[(&str, Slot)]) -> Result<String, ApiError> {
    let mut out = String::with_capacity(template.len() + 4096);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once("{{") {
        out.push_str(before);
        let (name, tail) = after
            .split_once("}}")
            .ok_or_else(|| ApiError::internal("checkout template: unclosed slot"))?;
        let slot = slots
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s)
            .ok_or_else(|| ApiError::internal(format_args!("checkout template: no {name}")))?;
        match slot {
            Slot::Text(t) => out.push_str(&escape_html(t)),
            Slot::Trusted(t) => out.push_str(t),
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

/// [`COPY_FIELD`] filled: the element `id` holding `value` (escaped), labelled by the
/// element `label_id` reading `label`, its copy button named `copy_label` (both texts
/// of this module, inserted as written).
fn copy_field(
    id: &str,
    label_id: &str,
    label: &'static str,
    value: String,
    copy_label: &'static str,
) -> Result<Slot, ApiError> {
    fill(
        COPY_FIELD.trim_end_matches('\n'),
        &[
            ("id", Slot::Text(id.to_owned())),
            ("labelId", Slot::Text(label_id.to_owned())),
            ("label", Slot::Trusted(label.to_owned())),
            ("value", Slot::Text(value)),
            ("copyLabel", Slot::Trusted(copy_label.to_owned())),
        ],
    )
    .map(Slot::Trusted)
}

/// The QR code of `data` as an SVG document.
fn qr_svg(data: &str) -> Result<String, ApiError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::internal(format_args!("QR code: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(QR_PIXELS, QR_PIXELS)
        .quiet_zone(true)
        .build())
}

/// The smallest side of the QR code in CSS pixels.
const QR_PIXELS: u32 = 240;

fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// A page with one message in the checkout page's style: an unknown reference, a
/// cancelled invoice, a used or expired single-use link, a failure.
pub(crate) fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    let filled = fill(
        MESSAGE,
        &[
            ("title", Slot::Text(title.to_owned())),
            ("text", Slot::Text(text.to_owned())),
        ],
    );
    match filled {
        Ok(body) => html(status, body),
        // Only a broken template gets here; still no trace.
        Err(_) => html(status, escape_html(text)),
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

/// Percent-encodes a path segment (the page's own links to its status and simulate
/// endpoints, where the reference may hold any character the seed allows).
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /pay/{reference}`.
async fn page(State(app): Shared, Path(reference): Path<String>) -> Response {
    match render_page(&app, reference).await {
        Ok(resp) => resp,
        Err(e) => message_page(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "Something went wrong",
            "This payment page could not be shown. Try again in a moment.",
        ),
    }
}

async fn render_page(app: &Arc<App>, reference: String) -> Result<Response, ApiError> {
    let Some(snap) = load(app, reference).await? else {
        return Ok(message_page(
            StatusCode::NOT_FOUND,
            "Payment not found",
            "There is no payment with this link. Check the link you were given, or ask \
             the shop for a new one.",
        ));
    };
    if let Some((title, text)) = snap.used_up() {
        return Ok(message_page(StatusCode::GONE, title, text));
    }
    let status = snap.status();
    if status == Status::Cancelled {
        return Ok(message_page(
            StatusCode::GONE,
            "This payment was cancelled",
            "The shop cancelled this payment. Do not send anything to its address; ask the \
             shop for a new payment link.",
        ));
    }
    let asset = snap.invoice.asset();
    let due = snap.invoice.due();
    let (_, network_label) = usdt_gateway::network(asset);
    let title = snap.white_label("title").map_or_else(
        || format!("Payment {}", snap.pay_reference()),
        str::to_owned,
    );
    let description = snap.white_label("description").unwrap_or_default();
    let segment = path_segment(&snap.reference);
    let status_json = snap.status_json()?;
    let field = |k: &str| {
        status_json
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let rate = |factor: &str| -> Result<String, ApiError> { Ok(show(scaled(due, factor)?)) };
    let destination = match snap.destination()? {
        Destination::Chain { address, uri } => fill(
            CHAIN,
            &[
                (
                    "addressField",
                    copy_field(
                        "address",
                        "address-label",
                        "To this address",
                        address,
                        "Copy address",
                    )?,
                ),
                ("uri", Slot::Text(uri)),
                (
                    "qrUrl",
                    Slot::Text(format!("/pay/{segment}/qr.svg?v={}", show(snap.to_send()))),
                ),
                ("toSend", Slot::Text(show(snap.to_send()))),
                ("assetCode", Slot::Text(asset.code().to_owned())),
                ("network", Slot::Text(network_label.to_owned())),
            ],
        )?,
        Destination::Bybit { uid, reference } => fill(
            BYBIT,
            &[
                (
                    "uidField",
                    copy_field(
                        "bybit-uid",
                        "uid-label",
                        "To this Bybit account (UID), by internal transfer",
                        uid.to_owned(),
                        "Copy Bybit UID",
                    )?,
                ),
                (
                    "referenceField",
                    copy_field(
                        "pay-reference",
                        "pay-reference-label",
                        "Reference (write it in the transfer's note)",
                        reference,
                        "Copy reference",
                    )?,
                ),
                ("howTo", Slot::Text(bybit_how_to(snap.seed).to_owned())),
                // Generated from TXID_FORM, every text in it escaped by `fill`.
                ("txidForm", Slot::Trusted(txid_form(&snap, &segment)?)),
            ],
        )?,
    };
    let body = fill(
        PAGE,
        &[
            ("title", Slot::Text(title)),
            ("description", Slot::Text(description.to_owned())),
            ("reference", Slot::Text(snap.reference.clone())),
            ("statusUrl", Slot::Text(format!("/pay/{segment}/status"))),
            (
                "simulateUrl",
                Slot::Text(format!("/pay/{segment}/simulate/")),
            ),
            ("state", Slot::Text(snap.state().to_owned())),
            ("stateLabel", Slot::Text(field("label"))),
            ("stateHint", Slot::Text(field("hint"))),
            ("amount", Slot::Text(show(due))),
            ("assetCode", Slot::Text(asset.code().to_owned())),
            ("network", Slot::Text(network_label.to_owned())),
            // Generated above from CHAIN or BYBIT, every text in it escaped by `fill`.
            ("destination", Slot::Trusted(destination)),
            ("segment", Slot::Text(segment.clone())),
            ("expiresAt", Slot::Text(field("expiresAt"))),
            ("countdown", Slot::Text(countdown_text(snap.seconds_left()))),
            ("missing", Slot::Text(field("amountMissing"))),
            ("received", Slot::Text(field("amountReceived"))),
            ("shortAmount", Slot::Text(rate(SHORT_FACTOR)?)),
            ("overAmount", Slot::Text(rate(OVER_FACTOR)?)),
            (
                "advanceMinutes",
                Slot::Text((ADVANCE_STEP_SECONDS / 60).to_string()),
            ),
            ("realtime", Slot::Text(snap.realtime.to_string())),
            // The wall clock cannot be advanced: no clock buttons.
            (
                "clockHidden",
                Slot::Trusted(if snap.realtime { " hidden" } else { "" }.to_owned()),
            ),
        ],
    )?;
    Ok(html(StatusCode::OK, body))
}

/// Seed 000's TXID form with the TXID already submitted, if any; empty for other seeds.
fn txid_form(snap: &Snapshot, segment: &str) -> Result<String, ApiError> {
    if snap.seed != Some(Seed::Gatenoc) {
        return Ok(String::new());
    }
    fill(
        TXID_FORM,
        &[
            ("txidUrl", Slot::Text(format!("/pay/{segment}/txid"))),
            ("claimed", Slot::Text(snap.txid_note())),
        ],
    )
}

/// How a Bybit invoice is paid, in the words of its seed.
fn bybit_how_to(seed: Option<Seed>) -> &'static str {
    if seed == Some(Seed::Monetix) {
        "Pay with Bybit Pay in the Bybit app: a transfer inside Bybit, no blockchain and no \
         chain address. This payment can be used once, within one hour."
    } else {
        "Pay with a Bybit internal transfer in the Bybit app: USDT to the UID above, with the \
         reference in the note; no blockchain and no chain address."
    }
}

/// The words shown for a page state, and what the payer should do now. The only table:
/// the status JSON carries both, the script shows what it is given.
fn state_words(state: &str) -> (&'static str, &'static str) {
    match state {
        "pending" => ("Waiting for payment", ""),
        "underpaid" => (
            "Underpaid: part of the amount arrived",
            "Send the missing amount to the same address before the time runs out.",
        ),
        "processing" => (
            "Payment seen, waiting for confirmation",
            "Nothing more to send; this page updates by itself.",
        ),
        "paid" => ("Paid", "Thank you. Nothing more to send."),
        "expired" => (
            "Expired",
            "Do not send anything now: ask the shop for a new payment link.",
        ),
        "cancelled" => (
            "Cancelled",
            "Do not send anything now: ask the shop for a new payment link.",
        ),
        _ => (
            "Invalid",
            "Ask the shop before sending anything to this address.",
        ),
    }
}

/// "Pay short" sends 90 % of the amount due, "pay over" 110 %.
const SHORT_FACTOR: &str = "0.9";
const OVER_FACTOR: &str = "1.1";

fn scaled(amount: Amount, factor: &str) -> Result<Amount, ApiError> {
    let f = Amount::parse(factor, "factor").map_err(|e| ApiError::from_core(&e))?;
    amount
        .checked_mul(f)
        .ok_or_else(|| ApiError::bad_request("amount is too large to scale"))
}

/// `GET /pay/{reference}/status`.
async fn status(State(app): Shared, Path(reference): Path<String>) -> Result<Response, ApiError> {
    let snap = load(&app, reference)
        .await?
        .ok_or_else(|| ApiError::not_found("Invoice not found"))?;
    let mut resp = json_response(StatusCode::OK, &snap.status_json()?);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `GET /pay/{reference}/qr.svg`: the QR code of the current payment URI (what is still
/// to send). Any query (the page adds `?v=<amount>`) only makes a fresh URL for caches.
async fn qr(State(app): Shared, Path(reference): Path<String>) -> Result<Response, ApiError> {
    let snap = load(&app, reference)
        .await?
        .ok_or_else(|| ApiError::not_found("Invoice not found"))?;
    if snap.status() == Status::Cancelled {
        return Err(ApiError::new(410, "This payment was cancelled"));
    }
    let Destination::Chain { uri, .. } = snap.destination()? else {
        return Err(ApiError::not_found(
            "A Bybit internal transfer has no payment URI, so no QR code",
        ));
    };
    let mut resp = qr_svg(&uri)?.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}

/// Refuses a request that does not carry [`SIMULATE_HEADER`]: only the page's own script
/// adds it (another site's page would need a CORS preflight this server never grants).
fn from_the_page(headers: &HeaderMap) -> Result<(), ApiError> {
    let (name, value) = SIMULATE_HEADER;
    if headers.get(name).and_then(|v| v.to_str().ok()) == Some(value) {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            format!("the checkout page's requests need the header {name}: {value}"),
        ))
    }
}

/// `POST /pay/{reference}/txid {"txId"}`: seed 000's TXID form; answers the new status
/// JSON. Other seeds' pages have no such form (404).
async fn submit_txid(
    State(app): Shared,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    from_the_page(&headers)?;
    let snap = load(&app, reference.clone())
        .await?
        .ok_or_else(|| ApiError::not_found("Invoice not found"))?;
    if snap.seed != Some(Seed::Gatenoc) {
        return Err(ApiError::not_found("This payment takes no TXID"));
    }
    let bytes = crate::http::read_body(body)?;
    crate::seed::claim_txid(&app, snap.invoice.id().to_owned(), &bytes).await?;
    let after = load(&app, reference)
        .await?
        .ok_or_else(|| ApiError::not_found("Invoice not found"))?;
    Ok(crate::http::json_response(
        StatusCode::OK,
        &after.status_json()?,
    ))
}

/// `POST /pay/{reference}/simulate/{action}`: answers the new status JSON.
async fn simulate(
    State(app): Shared,
    headers: HeaderMap,
    Path((reference, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    from_the_page(&headers)?;
    let snap = load(&app, reference.clone())
        .await?
        .ok_or_else(|| ApiError::not_found("Invoice not found"))?;
    let due = snap.invoice.due();
    let amount = match action.as_str() {
        "exact" => Some(due),
        "short" => Some(scaled(due, SHORT_FACTOR)?),
        "over" => Some(scaled(due, OVER_FACTOR)?),
        "rest" => {
            let missing = snap.missing();
            if missing.is_zero() {
                return Err(ApiError::new(409, "Nothing is left to pay"));
            }
            Some(missing)
        }
        "advance" | "expire" => None,
        _ => {
            return Err(ApiError::not_found(
                "action must be exact, short, rest, over, advance or expire",
            ))
        }
    };
    match amount {
        Some(amount) => {
            let id = snap.invoice.id().to_owned();
            // A TXID the payer submitted on the page is the transfer that now arrives.
            let tx_id = crate::seed::unseen_claims(&snap.invoice)
                .next()
                .map(str::to_owned);
            let payment = Payment {
                amount: Some(amount),
                tx_id,
                confirmed: true,
                confirm_after: None,
                drop_after: None,
            };
            gateway::pay(&app, id, payment).await?;
        }
        None => {
            if snap.realtime {
                return Err(ApiError::bad_request(
                    "the clock follows the wall clock (--realtime); it cannot be advanced",
                ));
            }
            let seconds = if action == "expire" {
                // Just past the deadline, so the core expires it as time would.
                u64::try_from(snap.seconds_left())
                    .unwrap_or(0)
                    .saturating_add(1)
            } else {
                ADVANCE_STEP_SECONDS
            };
            scheduler::advance(&app, seconds).await?;
        }
    }
    let after = load(&app, reference)
        .await?
        .ok_or_else(|| ApiError::internal("invoice vanished"))?;
    Ok(json_response(StatusCode::OK, &after.status_json()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            escape_html(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn fill_escapes_text_and_refuses_unknown_slots() {
        let out = fill(
            "<p>{{a}}</p>{{b}}",
            &[
                ("a", Slot::Text("<b>".into())),
                ("b", Slot::Trusted("<i></i>".into())),
            ],
        );
        assert_eq!(out, Ok("<p>&lt;b&gt;</p><i></i>".to_owned()));
        assert!(fill("{{nope}}", &[]).is_err());
        assert!(fill("{{open", &[]).is_err());
    }

    #[test]
    fn countdown_formats() {
        assert_eq!(countdown_text(0), "00:00");
        assert_eq!(countdown_text(-5), "00:00");
        assert_eq!(countdown_text(1799), "29:59");
        assert_eq!(countdown_text(3600), "1:00:00");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("ORDER-1_a.b~"), "ORDER-1_a.b~");
        assert_eq!(path_segment("a b/\"<"), "a%20b%2F%22%3C");
    }

    #[test]
    fn qr_is_an_svg_document() {
        let svg = qr_svg("ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer");
        let svg = svg.unwrap_or_default();
        assert!(
            svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(svg.contains("<path"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
