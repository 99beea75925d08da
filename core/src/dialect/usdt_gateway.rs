//! Seed 001, `usdt_gateway`: USDT invoices on TRC20, ERC20 or BSC.
//!
//! `POST /api/v1/invoices` with `Authorization: Bearer test_...|live_...` and body
//! `{"amountUsdt", "assetCode", "reference"?, "callbackUrl"?, "expirySeconds"?, "metadata"?,
//! "walletId"?, "title"?, "description"?, "useWhiteLabel"?, "returnUrl"?}`. The invoice is
//! due directly in the asset, exact tolerance ("pay the exact amount"). Errors are
//! `{"statusCode", "message", "error"}` with 400/401/403/404/409/429.

use serde_json::{json, Map, Value};

use super::common::{self, UrlRule};
use super::{CallbackResult, ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{Command, Expiry, Invoice, InvoiceSpec, Pricing, TransferInput};
use crate::json::{parse_object, Obj};
use crate::money::{Amount, Asset};
use crate::time::{Duration, Timestamp};

/// Decimal places `amountUsdt` may carry ("max 4 decimals"), narrower than the assets'.
pub const AMOUNT_DECIMALS: u32 = 4;
/// Shortest invoice validity, in seconds.
pub const MIN_EXPIRY_SECONDS: u64 = 300;
/// Longest invoice validity, in seconds.
pub const MAX_EXPIRY_SECONDS: u64 = 7200;
/// Validity when `expirySeconds` is absent.
pub const DEFAULT_EXPIRY_SECONDS: u64 = 1800;
/// Longest `reference`.
pub const MAX_REFERENCE: usize = 50;
/// Longest `title`.
pub const MAX_TITLE: usize = 200;
/// Longest `description`.
pub const MAX_DESCRIPTION: usize = 500;
/// Longest `callbackUrl` and `returnUrl`.
pub const MAX_URL: usize = 500;
/// The assets this API accepts in `assetCode`.
pub const ASSETS: [Asset; 3] = [Asset::UsdtTrc20, Asset::UsdtErc20, Asset::UsdtBsc];

/// The smallest `amountUsdt`: 0.0001.
pub fn min_amount() -> Amount {
    Amount::from_minor_units(1, AMOUNT_DECIMALS).unwrap_or(Amount::ZERO)
}

/// Whether an API key is a sandbox (`test_`) or production (`live_`) key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    /// `test_` key: invoices are test invoices (`isTest: true`) that can be simulated.
    Test,
    /// `live_` key: real invoices.
    Live,
}

/// The key mode from the `Authorization` header (`Bearer test_...` / `Bearer live_...`).
/// Missing: 401 `signature_missing`; any other shape: 401 `signature_malformed`. Whether
/// the key exists is the host's lookup.
pub fn key_mode(authorization: Option<&str>) -> Result<KeyMode, Rejection> {
    let unauthorized = |error: Error, message: &str| Rejection {
        error,
        field: "Authorization".into(),
        http_status: Some(401),
        body: Some(error_body(401, message)),
    };
    let Some(value) = authorization.filter(|v| !v.is_empty()) else {
        return Err(unauthorized(
            Error::SignatureMissing {
                what: "Authorization header".into(),
            },
            "Missing API key",
        ));
    };
    let key = value.strip_prefix("Bearer ").unwrap_or_default();
    if key.strip_prefix("test_").is_some_and(|k| !k.is_empty()) {
        Ok(KeyMode::Test)
    } else if key.strip_prefix("live_").is_some_and(|k| !k.is_empty()) {
        Ok(KeyMode::Live)
    } else {
        Err(unauthorized(
            Error::SignatureMalformed {
                what: "Authorization must be \"Bearer test_...\" or \"Bearer live_...\"".into(),
            },
            "Invalid API key",
        ))
    }
}

/// The error body `{"statusCode", "message", "error"}` for a status the API documents
/// (400, 401, 403, 404, 409, 429, 500); hosts use it for the statuses they decide
/// themselves (403 account suspended, 429 rate limited).
pub fn error_body(status: u16, message: &str) -> Value {
    let error = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    json!({"statusCode": status, "message": message, "error": error})
}

/// The 409 for a `reference` already used by this merchant (the host knows its
/// references; the seed: "Conflict - Duplicate reference").
pub fn duplicate_reference(reference: &str) -> Rejection {
    let message = format!(
        "Invoice with reference {} already exists",
        common::short(reference)
    );
    Rejection {
        error: Error::invalid_field("reference", message.clone()),
        field: "reference".into(),
        http_status: Some(409),
        body: Some(error_body(409, &message)),
    }
}

/// Inputs the core cannot know: the invoice id and the request time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceContext {
    /// The invoice id (the API's UUID `id`).
    pub id: String,
    /// When the request arrived.
    pub now: Timestamp,
    /// The reference to use when the request has none ("Auto-generated if not provided").
    pub generated_reference: Option<String>,
}

/// A validated create-invoice request.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceRequest {
    /// The invoice (due in the asset, exact tolerance).
    pub invoice: ParsedInvoice,
    /// `amountUsdt` as sent.
    pub amount: Amount,
    /// Whether the request carried its own `reference` (false: generated).
    pub reference_given: bool,
    /// Webhook URL.
    pub callback_url: Option<String>,
    /// `expirySeconds` in effect (1800 when absent).
    pub expiry_seconds: u64,
    /// Wallet to pay into (default wallet when absent).
    pub wallet_id: Option<String>,
    /// Shown on the payment page.
    pub title: Option<String>,
    /// Shown on the payment page.
    pub description: Option<String>,
    /// The merchant asked for `whiteLabel` data.
    pub use_white_label: bool,
    /// Where the payer returns after paying.
    pub return_url: Option<String>,
}

impl InvoiceRequest {
    /// The fields the core spec does not hold, for logs and the CLI's `extra`.
    pub fn extra_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "amountUsdtExact".into(),
            json!(common::fixed_places(self.amount, AMOUNT_DECIMALS)),
        );
        m.insert("expirySeconds".into(), json!(self.expiry_seconds));
        m.insert("useWhiteLabel".into(), json!(self.use_white_label));
        for (k, v) in [
            ("callbackUrl", &self.callback_url),
            ("walletId", &self.wallet_id),
            ("title", &self.title),
            ("description", &self.description),
            ("returnUrl", &self.return_url),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// Parses and validates a create-invoice body. Rejections are HTTP 400 with
/// `{"statusCode":400,"message":...,"error":"Bad Request"}`; too many decimals reads
/// exactly "Amount must have at most 4 decimal places".
pub fn parse_invoice(body: &[u8], ctx: &InvoiceContext) -> Result<InvoiceRequest, Rejection> {
    parse_inner(body, ctx).map_err(|e| Rejection::of_request(e, reject))
}

/// The API's 400 answer for a request it refuses.
fn reject(error: Error) -> Rejection {
    let message = match (&error, error.field()) {
        (Error::TooManyDecimals { .. }, Some("amountUsdt")) => {
            "Amount must have at most 4 decimal places".to_owned()
        }
        (Error::AmountBelowMinimum { .. }, Some("amountUsdt")) => {
            "Amount must be at least 0.0001".to_owned()
        }
        (other, _) => other.to_string(),
    };
    Rejection {
        field: error.field().unwrap_or_default().to_owned(),
        error,
        http_status: Some(400),
        body: Some(error_body(400, &message)),
    }
}

fn parse_inner(body: &[u8], ctx: &InvoiceContext) -> Result<InvoiceRequest> {
    common::check_context(&ctx.id, None, None)?;
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    o.deny_unknown(&[
        "amountUsdt",
        "assetCode",
        "reference",
        "callbackUrl",
        "expirySeconds",
        "metadata",
        "walletId",
        "title",
        "description",
        "useWhiteLabel",
        "returnUrl",
    ])?;
    let amount = common::lenient_amount(&o, "amountUsdt")?.ok_or_else(|| Error::MissingField {
        field: "amountUsdt".into(),
    })?;
    amount.check_scale(AMOUNT_DECIMALS, "amountUsdt")?;
    common::check_minimum(amount, min_amount(), "amountUsdt")?;
    let code = o.str("assetCode")?;
    let asset = Asset::parse(code, "assetCode")?;
    if !ASSETS.contains(&asset) {
        return Err(Error::InvalidAsset {
            field: "assetCode".into(),
            value: common::short(code),
        });
    }
    let reference = o.opt_str("reference")?;
    if let Some(r) = reference {
        common::check_len(r, 1, MAX_REFERENCE, "reference")?;
        common::check_id(r, "reference")?;
    }
    let url = |name: &str| -> Result<Option<String>> {
        match o.opt_str(name)? {
            Some(u) => {
                common::check_url(u, MAX_URL, UrlRule::default(), name)?;
                Ok(Some(u.to_owned()))
            }
            None => Ok(None),
        }
    };
    let callback_url = url("callbackUrl")?;
    let return_url = url("returnUrl")?;
    let expiry_seconds = o
        .opt_u64("expirySeconds")?
        .unwrap_or(DEFAULT_EXPIRY_SECONDS);
    if !(MIN_EXPIRY_SECONDS..=MAX_EXPIRY_SECONDS).contains(&expiry_seconds) {
        return Err(Error::invalid_field(
            "expirySeconds",
            format!(
                "must be between {MIN_EXPIRY_SECONDS} and {MAX_EXPIRY_SECONDS}, got {expiry_seconds}"
            ),
        ));
    }
    let metadata = o.opt_obj("metadata")?.cloned();
    let wallet_id = o.opt_str("walletId")?.map(str::to_owned);
    if let Some(w) = &wallet_id {
        common::check_id(w, "walletId")?;
    }
    let title = o.opt_str("title")?.map(str::to_owned);
    if let Some(t) = &title {
        common::check_text(t, MAX_TITLE, "title")?;
    }
    let description = o.opt_str("description")?.map(str::to_owned);
    if let Some(d) = &description {
        common::check_text(d, MAX_DESCRIPTION, "description")?;
    }
    let use_white_label = o.opt_bool("useWhiteLabel")?.unwrap_or(false);
    let mut spec = InvoiceSpec::new(
        ctx.id.clone(),
        Pricing::Due(amount),
        asset,
        Expiry::In(Duration::from_seconds(expiry_seconds, "expirySeconds")?),
    );
    spec.reference = reference
        .map(str::to_owned)
        .or_else(|| ctx.generated_reference.clone());
    spec.metadata = metadata;
    let invoice = ParsedInvoice::resolve(
        spec,
        ctx.now,
        &[
            ("invoice.due", "amountUsdt"),
            ("invoice.reference", "reference"),
            ("invoice.id", "id"),
        ],
    )?;
    Ok(InvoiceRequest {
        invoice,
        amount,
        reference_given: reference.is_some(),
        callback_url,
        expiry_seconds,
        wallet_id,
        title,
        description,
        use_white_label,
        return_url,
    })
}

/// The network names the white-label data shows for an asset. The seed shows Tron's;
/// the others follow the same pattern.
pub fn network(asset: Asset) -> (&'static str, &'static str) {
    match asset {
        Asset::UsdtTrc20 => ("tron", "Tron (TRC20)"),
        Asset::UsdtErc20 => ("ethereum", "Ethereum (ERC20)"),
        Asset::UsdtBsc => ("bsc", "BNB Smart Chain (BEP20)"),
        Asset::UsdtPolygon => ("polygon", "Polygon"),
        Asset::UsdtBybit => ("bybit", "Bybit"),
    }
}

/// What the 201 response needs beyond the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceRender {
    /// The merchant wallet address the payer sends to (also the white-label `qrData`).
    pub payout_address: String,
    /// The hosted payment page (`https://pay.example.com/ORDER-12345`); the white-label
    /// `cancelUrl` and `statusUrl` are this plus `/cancel` and `/status`.
    pub payment_url: String,
    /// Whether the invoice was made with a `test_` key.
    pub is_test: bool,
}

/// The 201 response exactly as the seed shows it; `whiteLabel` only when the request set
/// `useWhiteLabel: true`; `metadata` only when the request carried it. `createdAt` is the
/// request time and `expiresAt` the deadline.
pub fn render_invoice(req: &InvoiceRequest, r: &InvoiceRender) -> Value {
    let spec = &req.invoice.spec;
    let created_at = req.invoice.created_at;
    let mut m = Map::new();
    m.insert("id".into(), json!(spec.id));
    m.insert("reference".into(), json!(spec.reference));
    m.insert("assetCode".into(), json!(spec.asset.code()));
    m.insert("payoutAddress".into(), json!(r.payout_address));
    m.insert(
        "amountUsdtExact".into(),
        json!(common::fixed_places(req.amount, AMOUNT_DECIMALS)),
    );
    m.insert("status".into(), json!("pending"));
    m.insert("expiresAt".into(), json!(req.invoice.deadline.to_string()));
    m.insert("paymentUrl".into(), json!(r.payment_url));
    m.insert("createdAt".into(), json!(created_at.to_string()));
    m.insert("isTest".into(), json!(r.is_test));
    if let Some(meta) = &spec.metadata {
        m.insert("metadata".into(), Value::Object(meta.clone()));
    }
    if req.use_white_label {
        let (network, label) = network(spec.asset);
        let mut w = Map::new();
        let base = r.payment_url.trim_end_matches('/');
        w.insert("cancelUrl".into(), json!(format!("{base}/cancel")));
        w.insert("statusUrl".into(), json!(format!("{base}/status")));
        w.insert("qrData".into(), json!(r.payout_address));
        w.insert("network".into(), json!(network));
        w.insert("networkLabel".into(), json!(label));
        w.insert("expiresAt".into(), json!(req.invoice.deadline.to_string()));
        if let Some(t) = &req.title {
            w.insert("title".into(), json!(t));
        }
        if let Some(d) = &req.description {
            w.insert("description".into(), json!(d));
        }
        m.insert("whiteLabel".into(), Value::Object(w));
    }
    Value::Object(m)
}

/// What the payment webhook needs beyond the invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRender {
    /// The merchant's id.
    pub merchant_id: String,
    /// The wallet address paid into.
    pub payout_address: String,
    /// The on-chain transaction hash.
    pub tx_hash: String,
    /// When the payment was confirmed.
    pub paid_at: Timestamp,
}

/// The webhook payload exactly as the seed shows it (`status: "confirmed"`), sent with
/// `X-Webhook-Signature`, `X-Webhook-Id` and `X-Invoice-Reference`. The amount is the
/// invoice's exact amount at 4 decimals.
pub fn render_webhook(invoice: &Invoice, r: &WebhookRender) -> Value {
    let spec = invoice.spec();
    let mut m = Map::new();
    m.insert("invoice_reference".into(), json!(spec.reference));
    m.insert("merchant_id".into(), json!(r.merchant_id));
    m.insert("status".into(), json!("confirmed"));
    m.insert("asset_code".into(), json!(spec.asset.code()));
    m.insert("payout_address".into(), json!(r.payout_address));
    m.insert(
        "amount_usdt_exact".into(),
        json!(common::fixed_places(invoice.due(), AMOUNT_DECIMALS)),
    );
    m.insert("tx_hash".into(), json!(r.tx_hash));
    m.insert(
        "metadata".into(),
        spec.metadata.clone().map_or(Value::Null, Value::Object),
    );
    m.insert("paid_at".into(), json!(r.paid_at.to_string()));
    Value::Object(m)
}

/// A status this API reports for an invoice (the webhook's `status`, the poll endpoint's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderStatus {
    /// "Keep polling".
    Pending,
    /// "Payment received!" — the webhook status.
    Confirmed,
    /// "Invoice expired".
    Expired,
}

impl ProviderStatus {
    /// Parses the documented statuses; anything else is `invalid_field` (never pending).
    pub fn parse(text: &str) -> Result<ProviderStatus> {
        match text {
            "pending" => Ok(ProviderStatus::Pending),
            "confirmed" => Ok(ProviderStatus::Confirmed),
            "expired" => Ok(ProviderStatus::Expired),
            other => Err(Error::invalid_field(
                "status",
                format!("unknown usdt_gateway status {:?}", common::short(other)),
            )),
        }
    }
}

/// Parses a webhook into the core command it means. `confirmed` observes a confirmed
/// transfer `tx_hash` of `amount_usdt_exact` at `paid_at`; `pending` and `expired` change
/// nothing the core does not derive itself (expiry is the core's deadline), so they map to
/// no command. `invoice_reference`, `asset_code` and `amount_usdt_exact` must agree with
/// the invoice, else `integrity_conflict`.
pub fn parse_webhook(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let raw = o.str("status")?;
    let status = ProviderStatus::parse(raw)?;
    let reference = o.opt_str("invoice_reference")?;
    if let (Some(r), Some(expected)) = (reference, invoice.spec().reference.as_deref()) {
        if r != expected {
            return Err(common::conflict(
                "invoice_reference",
                format!("callback is for {:?}, not this invoice", common::short(r)),
            ));
        }
    }
    let asset_code = o.str("asset_code")?;
    let asset = Asset::parse(asset_code, "asset_code")?;
    if asset != invoice.asset() {
        return Err(common::conflict(
            "asset_code",
            format!(
                "callback asset {asset} differs from the invoice asset {}",
                invoice.asset()
            ),
        ));
    }
    let amount =
        common::lenient_amount(&o, "amount_usdt_exact")?.ok_or_else(|| Error::MissingField {
            field: "amount_usdt_exact".into(),
        })?;
    if amount != invoice.due() {
        return Err(common::conflict(
            "amount_usdt_exact",
            format!(
                "callback amount {amount} differs from the invoice amount {}",
                invoice.due()
            ),
        ));
    }
    let at = o
        .opt_str("paid_at")?
        .map(|t| Timestamp::parse(t, "paid_at"))
        .transpose()?;
    let command = match status {
        ProviderStatus::Confirmed => {
            let tx = o.str("tx_hash")?;
            common::check_id(tx, "tx_hash")?;
            Some(Command::ObserveTransfer(TransferInput {
                tx_id: tx.to_owned(),
                amount,
                asset,
                confirmed: true,
                at,
            }))
        }
        ProviderStatus::Pending | ProviderStatus::Expired => None,
    };
    Ok(CallbackResult {
        provider_status: raw.to_owned(),
        command,
        at,
    })
}
