//! Seed 004, `keypair_invoice`: invoices created with a public/private key pair.
//!
//! The request carries `public_key`, `private_key`, `price_amount` (required),
//! `price_currency` (default USD), `expiration_date` in hours (default 12, at most 12),
//! `margin_ratio` (an absolute tolerance in USDT: with 1, 4 of 5 pays and 3.9 does not),
//! `add_fee_to_price`, `test`, `banned_coins` and URLs. The answer is
//! `{"status": "success", "message": "<invoice url>"}` or, with HTTP 422,
//! `{"status": "error", "message": ["..."]}`. The callback is sent only on success and
//! carries the merchant's private key for comparison (checked by [`crate::signature`]).
//!
//! The seed's own examples send `merchant_id` and `order_id` as numbers although the table
//! types them as strings, send `margin_ratio: 1.5` although the table says Integer, and the
//! PHP example posts form fields (all text); so ids accept strings or whole numbers, flags
//! accept `1`/`0` as numbers or text, and `margin_ratio` accepts a decimal.

use serde_json::{json, Map, Value};

use super::common::{self, UrlRule};
use super::{CallbackResult, ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{Command, Expiry, Invoice, InvoiceSpec, Pricing, TransferInput};
use crate::json::{kind, parse_object, parse_value, Obj};
use crate::money::{Amount, Asset, Currency};
use crate::time::{Duration, Timestamp};
use crate::tolerance::Tolerance;

/// Longest invoice lifetime and the default, in hours.
pub const MAX_EXPIRATION_HOURS: i64 = 12;
/// Longest URL accepted (the seed sets no limit).
pub const MAX_URL: usize = 2048;
/// Most entries accepted in `banned_coins`.
pub const MAX_BANNED_COINS: usize = 64;
/// The USDT networks this core settles, in the order they are offered.
pub const ASSETS: [Asset; 4] = [
    Asset::UsdtTrc20,
    Asset::UsdtErc20,
    Asset::UsdtBsc,
    Asset::UsdtPolygon,
];

/// The provider's coin code for an asset (`USDT-ERC20`, as in `banned_coins`).
pub fn coin_code(asset: Asset) -> &'static str {
    match asset {
        Asset::UsdtTrc20 => "USDT-TRC20",
        Asset::UsdtErc20 => "USDT-ERC20",
        Asset::UsdtBsc => "USDT-BEP20",
        Asset::UsdtPolygon => "USDT-POLYGON",
        Asset::UsdtBybit => "USDT-BYBIT",
    }
}

/// The asset a coin code names (`USDT-TRC20`, or the core code `USDT_TRC20`); `None` for
/// other coins.
pub fn coin_asset(code: &str) -> Option<Asset> {
    let upper = code.to_ascii_uppercase();
    ASSETS
        .into_iter()
        .chain([Asset::UsdtBybit])
        .find(|a| coin_code(*a) == upper || a.code() == upper)
}

/// Inputs the core cannot know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceContext {
    /// The invoice id.
    pub id: String,
    /// When the request arrived.
    pub now: Timestamp,
    /// Asset units per unit of `price_currency` (1 for USD at par).
    pub rate: Amount,
    /// The network fee, in the asset, added when `add_fee_to_price` is 1.
    pub fee: Amount,
    /// The network the payer pays on; `None` takes the first of [`ASSETS`] not banned.
    pub asset: Option<Asset>,
}

/// A validated invoice request. The private key is checked and dropped, never stored.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceRequest {
    /// The invoice; its reference is `order_id`.
    pub invoice: ParsedInvoice,
    /// `public_key`.
    pub public_key: String,
    /// `test` is 1.
    pub test: bool,
    /// `email`.
    pub email: Option<String>,
    /// `merchant_id`.
    pub merchant_id: Option<String>,
    /// `order_id`.
    pub order_id: Option<String>,
    /// `customer_id`.
    pub customer_id: Option<i64>,
    /// `price_amount`.
    pub price_amount: Amount,
    /// `price_currency` (USD by default).
    pub price_currency: Currency,
    /// `add_fee_to_price` is 1.
    pub add_fee_to_price: bool,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `banned_coins`, upper-cased.
    pub banned_coins: Vec<String>,
    /// The USDT networks still offered after `banned_coins`.
    pub allowed_assets: Vec<Asset>,
    /// `callback_url`.
    pub callback_url: Option<String>,
    /// `cancel_url`.
    pub cancel_url: Option<String>,
    /// `success_url`.
    pub success_url: Option<String>,
    /// `expiration_date` in hours (12 when absent).
    pub expiration_hours: i64,
    /// `margin_ratio`.
    pub margin: Option<Amount>,
    /// `white_label` is 1.
    pub white_label: bool,
}

impl InvoiceRequest {
    /// The fields the core spec does not hold, for logs and the CLI's `extra` (never the
    /// private key).
    pub fn extra_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("public_key".into(), json!(self.public_key));
        m.insert("test".into(), json!(self.test));
        m.insert("price_amount".into(), json!(self.price_amount.to_string()));
        m.insert("price_currency".into(), json!(self.price_currency.code()));
        m.insert("add_fee_to_price".into(), json!(self.add_fee_to_price));
        m.insert("expiration_date".into(), json!(self.expiration_hours));
        m.insert("white_label".into(), json!(self.white_label));
        m.insert("banned_coins".into(), json!(self.banned_coins));
        m.insert(
            "allowed_assets".into(),
            json!(self
                .allowed_assets
                .iter()
                .map(|a| a.code())
                .collect::<Vec<_>>()),
        );
        if let Some(c) = self.customer_id {
            m.insert("customer_id".into(), json!(c));
        }
        if let Some(x) = self.margin {
            m.insert("margin_ratio".into(), json!(x.to_string()));
        }
        for (k, v) in [
            ("email", &self.email),
            ("merchant_id", &self.merchant_id),
            ("order_id", &self.order_id),
            ("title", &self.title),
            ("description", &self.description),
            ("callback_url", &self.callback_url),
            ("cancel_url", &self.cancel_url),
            ("success_url", &self.success_url),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// The error answer: HTTP 422, `{"status":"error","message":["..."]}` (the seed's clients
/// print `message[0]`).
pub fn error_body(message: &str) -> Value {
    json!({"status": "error", "message": [message]})
}

/// The success answer: `{"status":"success","message":"<invoice url>"}`.
pub fn render_invoice(invoice_url: &str) -> Value {
    json!({"status": "success", "message": invoice_url})
}

/// Parses and validates an invoice request (JSON; form posts decoded to the same keys).
pub fn parse_invoice(body: &[u8], ctx: &InvoiceContext) -> Result<InvoiceRequest, Rejection> {
    parse_inner(body, ctx).map_err(|e| {
        Rejection::of_request(e, |error| Rejection {
            field: error.field().unwrap_or_default().to_owned(),
            body: Some(error_body(&error.to_string())),
            error,
            http_status: Some(422),
        })
    })
}

fn flag(o: &Obj<'_>, name: &str) -> Result<bool> {
    match common::opt_i64_or_text(o, name)? {
        None | Some(0) => Ok(false),
        Some(1) => Ok(true),
        Some(other) => Err(Error::invalid_field(
            name.to_owned(),
            format!("expected 1 or 0, got {other}"),
        )),
    }
}

fn banned_coins(o: &Obj<'_>) -> Result<Vec<String>> {
    let parsed;
    let list = match o.get("banned_coins") {
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(Value::String(s)) => {
            parsed = parse_value(s.as_bytes()).map_err(|_| {
                Error::invalid_field("banned_coins", "expected a JSON array of coin codes")
            })?;
            match &parsed {
                Value::Array(a) => a,
                _ => {
                    return Err(Error::invalid_field(
                        "banned_coins",
                        "expected a JSON array of coin codes",
                    ))
                }
            }
        }
        Some(other) => {
            return Err(Error::invalid_field(
                "banned_coins",
                format!("expected a JSON array of coin codes, found {}", kind(other)),
            ))
        }
    };
    if list.len() > MAX_BANNED_COINS {
        return Err(Error::invalid_field(
            "banned_coins",
            format!("at most {MAX_BANNED_COINS} coins"),
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for v in list {
        let code = v.as_str().unwrap_or_default();
        let valid = !code.is_empty()
            && code.len() <= 32
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(Error::invalid_field(
                "banned_coins",
                format!(
                    "{} is not a coin code such as \"USDT-ERC20\"",
                    common::short(&v.to_string())
                ),
            ));
        }
        out.push(code.to_ascii_uppercase());
    }
    Ok(out)
}

fn is_banned(asset: Asset, banned: &[String]) -> bool {
    banned
        .iter()
        .any(|b| b == "USDT" || coin_asset(b) == Some(asset))
}

fn parse_inner(body: &[u8], ctx: &InvoiceContext) -> Result<InvoiceRequest> {
    common::check_context(&ctx.id, None, Some(ctx.rate))?;
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    o.deny_unknown(&[
        "public_key",
        "private_key",
        "test",
        "email",
        "merchant_id",
        "order_id",
        "customer_id",
        "price_amount",
        "price_currency",
        "add_fee_to_price",
        "title",
        "description",
        "banned_coins",
        "callback_url",
        "cancel_url",
        "success_url",
        "expiration_date",
        "margin_ratio",
        "white_label",
    ])?;
    let public_key = common::non_empty(&o, "public_key")?.to_owned();
    common::non_empty(&o, "private_key")?;
    let test = flag(&o, "test")?;
    let email = match o.opt_str("email")? {
        Some(e) => {
            common::check_email(e, "email")?;
            Some(e.to_owned())
        }
        None => None,
    };
    let merchant_id = common::opt_id_text(&o, "merchant_id")?;
    let order_id = common::opt_id_text(&o, "order_id")?;
    if let Some(id) = &order_id {
        common::check_id(id, "order_id")?;
    }
    let customer_id = common::opt_i64_or_text(&o, "customer_id")?;
    let price_amount =
        common::lenient_amount(&o, "price_amount")?.ok_or_else(|| Error::MissingField {
            field: "price_amount".into(),
        })?;
    let price_currency =
        Currency::parse_or_default(o.opt_str("price_currency")?, "price_currency")?;
    let add_fee_to_price = flag(&o, "add_fee_to_price")?;
    let title = o.opt_str("title")?.map(str::to_owned);
    if let Some(t) = &title {
        common::check_text(t, common::MAX_UNDOCUMENTED_TEXT, "title")?;
    }
    let description = o.opt_str("description")?.map(str::to_owned);
    if let Some(d) = &description {
        common::check_text(d, common::MAX_UNDOCUMENTED_TEXT, "description")?;
    }
    let banned = banned_coins(&o)?;
    let allowed: Vec<Asset> = ASSETS
        .into_iter()
        .filter(|a| !is_banned(*a, &banned))
        .collect();
    let asset = match ctx.asset {
        Some(a) if is_banned(a, &banned) => {
            return Err(Error::InvalidAsset {
                field: "banned_coins".into(),
                value: format!("{} is banned for this invoice", coin_code(a)),
            })
        }
        Some(a) => a,
        None => allowed
            .first()
            .copied()
            .ok_or_else(|| Error::InvalidAsset {
                field: "banned_coins".into(),
                value: "every USDT network is banned".into(),
            })?,
    };
    // The fee is the host's: more decimals than the asset has is its mistake, not the payer's.
    ctx.fee.check_scale(asset.scale(), "context.fee")?;
    let url = |name: &str, rule: UrlRule| -> Result<Option<String>> {
        match o.opt_str(name)? {
            Some(u) => {
                common::check_url(u, MAX_URL, rule, name)?;
                Ok(Some(u.to_owned()))
            }
            None => Ok(None),
        }
    };
    let callback_url = url(
        "callback_url",
        UrlRule {
            https_only: false,
            public_domain: true,
        },
    )?;
    let cancel_url = url("cancel_url", UrlRule::default())?;
    let success_url = url("success_url", UrlRule::default())?;
    let expiration_hours =
        common::opt_i64_or_text(&o, "expiration_date")?.unwrap_or(MAX_EXPIRATION_HOURS);
    if !(1..=MAX_EXPIRATION_HOURS).contains(&expiration_hours) {
        return Err(Error::invalid_field(
            "expiration_date",
            format!("must be between 1 and {MAX_EXPIRATION_HOURS} hours, got {expiration_hours}"),
        ));
    }
    let margin = common::lenient_amount(&o, "margin_ratio")?;
    let white_label = flag(&o, "white_label")?;

    let hours = u64::try_from(expiration_hours).unwrap_or(12);
    let mut spec = InvoiceSpec::new(
        ctx.id.clone(),
        Pricing::Price {
            amount: price_amount,
            currency: price_currency,
            rate: ctx.rate,
            surcharge: if add_fee_to_price {
                ctx.fee
            } else {
                Amount::ZERO
            },
        },
        asset,
        Expiry::In(Duration::from_seconds(
            hours.saturating_mul(3600),
            "expiration_date",
        )?),
    );
    spec.reference = order_id.clone();
    spec.tolerance = match margin {
        Some(x) => Tolerance::Absolute(x),
        None => Tolerance::Exact,
    };
    let invoice = ParsedInvoice::resolve(
        spec,
        ctx.now,
        &[
            ("invoice.price.amount", "price_amount"),
            ("invoice.surcharge", "add_fee_to_price"),
            ("invoice.rate", "rate"),
            ("tolerance.absolute", "margin_ratio"),
            ("invoice.tolerance.absolute", "margin_ratio"),
            ("invoice.reference", "order_id"),
        ],
    )?;
    Ok(InvoiceRequest {
        invoice,
        public_key,
        test,
        email,
        merchant_id,
        order_id,
        customer_id,
        price_amount,
        price_currency,
        add_fee_to_price,
        title,
        description,
        banned_coins: banned,
        allowed_assets: allowed,
        callback_url,
        cancel_url,
        success_url,
        expiration_hours,
        margin,
        white_label,
    })
}

/// What the payment callback needs beyond the request. `private_key` is the merchant's
/// (the callback repeats it "for compare yours").
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackRender {
    /// The merchant's private key.
    pub private_key: String,
    /// The provider's invoice id.
    pub id: String,
    /// The amount received, in the paid coin.
    pub amount: Amount,
    /// The paid coin (`USDT-TRC20`).
    pub amount_currency: String,
    /// The page the payer came from.
    pub ref_url: String,
    /// The payer's IP address.
    pub ip: String,
    /// When the invoice was created.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for CallbackRender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackRender")
            .field("private_key", &"<redacted>")
            .field("id", &self.id)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

/// The success callback with the members the seed lists, in its order: `private_key, id,
/// email, merchant_id, order_id, customer_id, price_amount, price_currency, amount,
/// amount_currency, add_fee_to_price, title, description, ref_url, cancel_url,
/// success_url, callback_url, ip, test, created_at, expiration_date`. Amounts are decimal
/// strings, flags `1` or null (the seed: null means live), absent values null.
pub fn render_callback(req: &InvoiceRequest, r: &CallbackRender) -> Value {
    let one_or_null = |b: bool| if b { json!(1) } else { Value::Null };
    let mut m = Map::new();
    m.insert("private_key".into(), json!(r.private_key));
    m.insert("id".into(), json!(r.id));
    m.insert("email".into(), json!(req.email));
    m.insert("merchant_id".into(), json!(req.merchant_id));
    m.insert("order_id".into(), json!(req.order_id));
    m.insert("customer_id".into(), json!(req.customer_id));
    m.insert("price_amount".into(), json!(req.price_amount.to_string()));
    m.insert("price_currency".into(), json!(req.price_currency.code()));
    m.insert("amount".into(), json!(r.amount.to_string()));
    m.insert("amount_currency".into(), json!(r.amount_currency));
    m.insert("add_fee_to_price".into(), one_or_null(req.add_fee_to_price));
    m.insert("title".into(), json!(req.title));
    m.insert("description".into(), json!(req.description));
    m.insert("ref_url".into(), json!(r.ref_url));
    m.insert("cancel_url".into(), json!(req.cancel_url));
    m.insert("success_url".into(), json!(req.success_url));
    m.insert("callback_url".into(), json!(req.callback_url));
    m.insert("ip".into(), json!(r.ip));
    m.insert("test".into(), one_or_null(req.test));
    m.insert("created_at".into(), json!(r.created_at.to_string()));
    m.insert("expiration_date".into(), json!(req.expiration_hours));
    Value::Object(m)
}

/// Parses a payment callback into the command it means. The seed sends it only when the
/// payment succeeded and it has no status member, so the only mapping is "paid": a
/// confirmed transfer (`id` as the transaction id) of `amount` in `amount_currency`; the
/// invoice's `margin_ratio` then decides paid or underpaid. `price_amount`,
/// `price_currency`, `order_id` and the paid coin must agree with the invoice, else
/// `integrity_conflict`. The private key (`private_key`, or `privatekey` as the seed's
/// examples read it) is verified separately by [`crate::signature`].
pub fn parse_callback(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let (price, currency) = match &invoice.spec().pricing {
        Pricing::Price {
            amount, currency, ..
        } => (*amount, *currency),
        Pricing::Due(d) => (*d, Currency::USD),
    };
    let got_price =
        common::lenient_amount(&o, "price_amount")?.ok_or_else(|| Error::MissingField {
            field: "price_amount".into(),
        })?;
    if got_price != price {
        return Err(common::conflict(
            "price_amount",
            format!("callback price {got_price} differs from the invoice price {price}"),
        ));
    }
    let got_currency = o.opt_str("price_currency")?.unwrap_or("USD");
    if got_currency != currency.code() {
        return Err(common::conflict(
            "price_currency",
            format!(
                "callback currency {:?} differs from the invoice currency {currency}",
                common::short(got_currency)
            ),
        ));
    }
    let order_id = common::opt_id_text(&o, "order_id")?;
    if order_id.as_deref() != invoice.spec().reference.as_deref() {
        return Err(common::conflict(
            "order_id",
            "callback order_id differs from the invoice reference",
        ));
    }
    let coin = o.str("amount_currency")?;
    let asset = coin_asset(coin).ok_or_else(|| {
        common::conflict(
            "amount_currency",
            format!("paid in {:?}, not a USDT network", common::short(coin)),
        )
    })?;
    if asset != invoice.asset() {
        return Err(common::conflict(
            "amount_currency",
            format!("paid in {asset}, the invoice asset is {}", invoice.asset()),
        ));
    }
    let amount = common::lenient_amount(&o, "amount")?.ok_or_else(|| Error::MissingField {
        field: "amount".into(),
    })?;
    let id =
        common::opt_id_text(&o, "id")?.ok_or_else(|| Error::MissingField { field: "id".into() })?;
    common::check_id(&id, "id")?;
    Ok(CallbackResult {
        provider_status: "success".into(),
        command: Some(Command::ObserveTransfer(TransferInput {
            tx_id: id,
            amount,
            asset,
            confirmed: true,
            at: None,
        })),
        at: None,
    })
}
