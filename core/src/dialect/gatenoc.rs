//! Seed 000, `gatenoc`: USD checkout sessions paid in USDT by Bybit internal transfer.
//!
//! `POST /api/v1/merchant/checkout-session` with header `X-Merchant-Key` and body
//! `{"amount": 10.50, "note": "order_123", "notify_url", "success_url", "support_url"}`.
//! The payer "must pay exact amount shown", 1 USD = 1 USDT, so the invoice is priced in
//! USD with rate 1, exact tolerance, paid in [`Asset::UsdtBybit`]. Errors are JSON with an
//! `error` string: 401 for a missing or invalid key, 422 for validation
//! (`{"error":"Amount below minimum","min_amount":1}`).

use serde_json::{json, Map, Value};
use subtle::ConstantTimeEq;

use super::common::{self, UrlRule};
use super::{CallbackResult, ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{Command, Expiry, Invoice, InvoiceSpec, Pricing, TransferInput};
use crate::json::{parse_object, Obj};
use crate::money::{Amount, Asset, Currency};
use crate::time::{Duration, Timestamp};
use crate::tolerance::Tolerance;

/// The smallest accepted `amount`, in USD (the seed's `min_amount`).
pub const MIN_AMOUNT: u64 = 1;
/// The asset the payer pays in: USDT moved inside Bybit.
pub const ASSET: Asset = Asset::UsdtBybit;
/// Session lifetime used when the host does not choose one. The seed only says
/// "short-lived"; 30 minutes matches seed 001's default invoice validity.
pub const DEFAULT_SESSION_TTL: Duration = Duration::seconds(1800);
/// Longest URL accepted (the seed sets no limit; this bounds hostile input).
pub const MAX_URL_LEN: usize = 2048;
/// The only event the gateway sends to `notify_url`.
pub const EVENT_PAYMENT_COMPLETED: &str = "payment.completed";

/// Inputs of a create request the core cannot know: the invoice id the host allocated,
/// the request time, and the session lifetime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutContext {
    /// The invoice id (the host's; event ids derive from it).
    pub id: String,
    /// When the request arrived.
    pub now: Timestamp,
    /// How long the session and invoice stay payable.
    pub ttl: Duration,
}

/// A validated checkout-session request.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutRequest {
    /// The invoice the session sells (priced in USD, due in USDT_BYBIT).
    pub invoice: ParsedInvoice,
    /// The USD amount as sent (`10.50` reads as 10.5).
    pub amount: Amount,
    /// The merchant's reference (`note`, or the legacy alias `username`).
    pub note: Option<String>,
    /// Which member carried the note: `note` or `username`.
    pub note_field: Option<&'static str>,
    /// HTTPS endpoint that receives `payment.completed`.
    pub notify_url: Option<String>,
    /// Where the payer returns after paying.
    pub success_url: Option<String>,
    /// The pay page's "Support & help" link.
    pub support_url: Option<String>,
}

impl CheckoutRequest {
    /// The fields the core spec does not hold, for logs and the CLI's `extra`.
    pub fn extra_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("amount".into(), json!(self.amount.to_string()));
        m.insert("currency".into(), json!("USD"));
        if let Some(n) = &self.note {
            m.insert("note".into(), json!(n));
        }
        if let Some(f) = self.note_field {
            m.insert("note_field".into(), json!(f));
        }
        for (k, v) in [
            ("notify_url", &self.notify_url),
            ("success_url", &self.success_url),
            ("support_url", &self.support_url),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// Checks the `X-Merchant-Key` header against the merchant keys the host knows, in
/// constant time, returning the index of the matching key. Missing: 401
/// `{"error":"Missing X-Merchant-Key header",...}` (`signature_missing`); unknown:
/// 401 `{"error":"Invalid merchant key or inactive merchant",...}` (`signature_mismatch`).
/// The seed warns about "typos or extra spaces", so the value is compared as sent.
pub fn check_merchant_key(header: Option<&str>, keys: &[&str]) -> Result<usize, Rejection> {
    let hint = "Use a Gateway API merchant key from Integration and forward X-Merchant-Key \
                from your server with no typos or extra spaces.";
    let Some(value) = header.filter(|v| !v.is_empty()) else {
        return Err(Rejection {
            error: Error::SignatureMissing {
                what: "X-Merchant-Key header".into(),
            },
            field: "X-Merchant-Key".into(),
            http_status: Some(401),
            body: Some(json!({"error": "Missing X-Merchant-Key header", "hint": hint})),
        });
    };
    let mut found = None;
    for (i, key) in keys.iter().enumerate() {
        let same: bool = value.as_bytes().ct_eq(key.as_bytes()).into();
        if same && found.is_none() {
            found = Some(i);
        }
    }
    found.ok_or_else(|| Rejection {
        error: Error::SignatureMismatch { keys: keys.len() },
        field: "X-Merchant-Key".into(),
        http_status: Some(401),
        body: Some(json!({"error": "Invalid merchant key or inactive merchant", "hint": hint})),
    })
}

/// Parses and validates a checkout-session request body. Every rejection is HTTP 422
/// with `{"error": ...}`; below the minimum it is exactly
/// `{"error":"Amount below minimum","min_amount":1}`.
pub fn parse_checkout_session(
    body: &[u8],
    ctx: &CheckoutContext,
) -> Result<CheckoutRequest, Rejection> {
    parse_inner(body, ctx).map_err(|e| Rejection::of_request(e, reject))
}

fn reject(error: Error) -> Rejection {
    let field = error.field().unwrap_or_default().to_owned();
    let body = match &error {
        Error::AmountBelowMinimum { .. } => {
            json!({"error": "Amount below minimum", "min_amount": MIN_AMOUNT})
        }
        other => json!({"error": other.to_string()}),
    };
    Rejection {
        error,
        field,
        http_status: Some(422),
        body: Some(body),
    }
}

fn parse_inner(body: &[u8], ctx: &CheckoutContext) -> Result<CheckoutRequest> {
    common::check_context(&ctx.id, Some(ctx.ttl), None)?;
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    o.deny_unknown(&[
        "amount",
        "note",
        "username",
        "notify_url",
        "success_url",
        "support_url",
    ])?;
    let amount = common::number_amount(&o, "amount")?.ok_or_else(|| Error::MissingField {
        field: "amount".into(),
    })?;
    common::check_minimum(amount, Amount::from_units(MIN_AMOUNT), "amount")?;
    amount.check_scale(Currency::USD.exponent(), "amount")?;
    let (note, note_field) = match (o.opt_str("note")?, o.opt_str("username")?) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_field(
                "username",
                "give note or its legacy alias username, not both",
            ))
        }
        (Some(n), None) => (Some(n), Some("note")),
        (None, Some(u)) => (Some(u), Some("username")),
        (None, None) => (None, None),
    };
    if let (Some(n), Some(f)) = (note, note_field) {
        common::check_id(n, f)?;
    }
    let url = |name: &str, rule: UrlRule| -> Result<Option<String>> {
        match o.opt_str(name)? {
            Some(u) => {
                common::check_url(u, MAX_URL_LEN, rule, name)?;
                Ok(Some(u.to_owned()))
            }
            None => Ok(None),
        }
    };
    let https = UrlRule {
        https_only: true,
        public_domain: false,
    };
    let notify_url = url("notify_url", https)?;
    let success_url = url("success_url", UrlRule::default())?;
    let support_url = url("support_url", UrlRule::default())?;
    let mut spec = InvoiceSpec::new(
        ctx.id.clone(),
        Pricing::Price {
            amount,
            currency: Currency::USD,
            rate: Amount::from_units(1),
            surcharge: Amount::ZERO,
        },
        ASSET,
        Expiry::In(ctx.ttl),
    );
    spec.reference = note.map(str::to_owned);
    spec.tolerance = Tolerance::Exact;
    let invoice = ParsedInvoice::resolve(
        spec,
        ctx.now,
        &[
            ("invoice.price.amount", "amount"),
            ("invoice.reference", note_field.unwrap_or("note")),
        ],
    )?;
    Ok(CheckoutRequest {
        invoice,
        amount,
        note: note.map(str::to_owned),
        note_field,
        notify_url,
        success_url,
        support_url,
    })
}

/// What the 200 response needs beyond the request: the merchant id, the base URL and the
/// session token (the host derives it, e.g. with [`crate::session`]'s HMAC token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRender {
    /// `https://gatenoc.com`.
    pub base_url: String,
    /// The merchant's numeric id.
    pub merchant_id: u64,
    /// The `cs` query value of the checkout link.
    pub session_token: String,
}

/// The 200 response exactly as the seed shows it: `checkout_url` and `invoice_url` (the
/// same link), `merchant_id`, `amount` as a JSON number, `currency`, `expires_at` with a
/// `+00:00` offset, and `note` only when one was sent.
pub fn render_checkout_session(req: &CheckoutRequest, r: &CheckoutRender) -> Value {
    let url = format!(
        "{}/checkout/{}?cs={}",
        r.base_url.trim_end_matches('/'),
        r.merchant_id,
        r.session_token
    );
    let mut m = Map::new();
    m.insert("checkout_url".into(), json!(url));
    m.insert("invoice_url".into(), json!(url));
    m.insert("merchant_id".into(), json!(r.merchant_id));
    m.insert("amount".into(), common::json_number(req.amount));
    m.insert("currency".into(), json!("USD"));
    m.insert(
        "expires_at".into(),
        json!(common::rfc3339_utc_offset(req.invoice.deadline)),
    );
    if let Some(n) = &req.note {
        m.insert("note".into(), json!(n));
    }
    Value::Object(m)
}

/// What a `payment.completed` notification carries beyond the invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedRender {
    /// Bybit Pay's order id for the payment (or the TXID the payer submitted).
    pub bybit_pay_id: String,
    /// The gateway's internal payment record id.
    pub payment_record_id: String,
}

/// The JSON the gateway POSTs to `notify_url`: `{"event": "payment.completed", "amount",
/// "bybit_pay_id", "note", "payment_record_id"}` (with header `X-Gateway-Merchant-Key`).
/// The seed names the members but shows no body: `event` is our name for the event member,
/// `amount` is the invoice's USD amount as a number, `note` is null when none was sent.
pub fn render_payment_completed(invoice: &Invoice, r: &CompletedRender) -> Value {
    let amount = usd_amount(invoice);
    json!({
        "event": EVENT_PAYMENT_COMPLETED,
        "amount": common::json_number(amount),
        "bybit_pay_id": r.bybit_pay_id,
        "note": invoice.spec().reference,
        "payment_record_id": r.payment_record_id,
    })
}

fn usd_amount(invoice: &Invoice) -> Amount {
    match &invoice.spec().pricing {
        Pricing::Price { amount, .. } => *amount,
        Pricing::Due(d) => *d,
    }
}

/// Parses a `payment.completed` notification into the core command it means: the payer's
/// exact payment was recorded, so the invoice observes a confirmed transfer of its due
/// amount, with `bybit_pay_id` as the transaction id.
///
/// Exhaustive mapping: `payment.completed` is the only event the seed documents; any
/// other `event` is `invalid_field`. The `amount` must equal the invoice's USD amount and
/// the `note` its reference, else `integrity_conflict`.
pub fn parse_payment_completed(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let event = o.opt_str("event")?.unwrap_or(EVENT_PAYMENT_COMPLETED);
    let command = match event {
        EVENT_PAYMENT_COMPLETED => {
            let amount =
                common::lenient_amount(&o, "amount")?.ok_or_else(|| Error::MissingField {
                    field: "amount".into(),
                })?;
            if amount != usd_amount(invoice) {
                return Err(common::conflict(
                    "amount",
                    format!(
                        "callback amount {amount} differs from the invoice amount {}",
                        usd_amount(invoice)
                    ),
                ));
            }
            let note = o.opt_str("note")?;
            if note != invoice.spec().reference.as_deref() {
                return Err(common::conflict(
                    "note",
                    "callback note differs from the invoice reference",
                ));
            }
            let tx_id =
                common::opt_id_text(&o, "bybit_pay_id")?.ok_or_else(|| Error::MissingField {
                    field: "bybit_pay_id".into(),
                })?;
            common::check_id(&tx_id, "bybit_pay_id")?;
            Command::ObserveTransfer(TransferInput {
                tx_id,
                amount: invoice.due(),
                asset: invoice.asset(),
                confirmed: true,
                at: None,
            })
        }
        other => {
            return Err(Error::invalid_field(
                "event",
                format!("unknown event {:?}", common::short(other)),
            ))
        }
    };
    Ok(CallbackResult {
        provider_status: event.to_owned(),
        command: Some(command),
        at: None,
    })
}
