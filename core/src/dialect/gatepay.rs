//! Seed 002, `gatepay`: GatePay checkout orders (`POST /v1/pay/checkout/order`).
//!
//! The order is priced either in crypto (`currency` + `orderAmount`, at most 6 decimals)
//! or in fiat (`fiatCurrency` + `fiatAmount`, at most 2 decimals, converted at the host's
//! rate), plus `surchargeAmount` borne by the consumer, with `toleranceAmount` as an
//! absolute tolerance. The chain is `chain` and `fullCurrType` (`"MATIC"`,
//! `"USDT_MATIC"`). Responses are `{"status", "code", "errorMessage", "data"}`.

use serde_json::{json, Map, Value};

use super::common::{self, UrlRule};
use super::{CallbackResult, ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{Command, Expiry, Invoice, InvoiceSpec, Pricing, Status, TransferInput};
use crate::json::{parse_object, parse_value, Obj};
use crate::money::{Amount, Asset, Currency};
use crate::time::{Duration, Timestamp};
use crate::tolerance::Tolerance;

/// Shortest `merchantTradeNo`.
pub const MIN_TRADE_NO: usize = 5;
/// Longest `merchantTradeNo`.
pub const MAX_TRADE_NO: usize = 32;
/// Longest `returnUrl` / `cancelUrl`.
pub const MAX_URL: usize = 512;
/// Longest `channelId`.
pub const MAX_CHANNEL_ID: usize = 32;
/// Decimal places of crypto amounts (`orderAmount`, `surchargeAmount`, `toleranceAmount`).
pub const CRYPTO_DECIMALS: u32 = 6;
/// Decimal places of `fiatAmount`.
pub const FIAT_DECIMALS: u32 = 2;
/// Order lifetime when `orderExpireTime` is absent (GatePay's default of one hour; the
/// seed does not state one).
pub const DEFAULT_ORDER_TTL: Duration = Duration::seconds(3600);
/// The only crypto currency the core settles.
pub const CURRENCY: &str = "USDT";
/// `env.terminalType` values.
pub const TERMINAL_TYPES: [&str; 5] = ["APP", "WEB", "WAP", "MINIAPP", "OTHERS"];
/// `goods.goodsType` values: `01` tangible goods, `02` virtual goods.
pub const GOODS_TYPES: [&str; 2] = ["01", "02"];

/// The asset a GatePay chain name means (`MATIC` -> USDT on Polygon). Unknown chains are
/// `invalid_asset`.
pub fn chain_asset(chain: &str, field: &str) -> Result<Asset> {
    match chain {
        "TRX" | "TRON" | "TRC20" => Ok(Asset::UsdtTrc20),
        "ETH" | "ERC20" => Ok(Asset::UsdtErc20),
        "BSC" | "BEP20" => Ok(Asset::UsdtBsc),
        "MATIC" | "POL" | "POLYGON" => Ok(Asset::UsdtPolygon),
        other => Err(Error::InvalidAsset {
            field: field.to_owned().into(),
            value: common::short(other),
        }),
    }
}

/// Inputs the core cannot know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderContext {
    /// The invoice id.
    pub id: String,
    /// When the request arrived (`orderExpireTime` must be after it).
    pub now: Timestamp,
    /// USDT per unit of `fiatCurrency`, for fiat-priced orders (1 for USD at par).
    pub rate: Amount,
}

/// How the order is priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderPrice {
    /// `currency` + `orderAmount`.
    Crypto {
        /// The crypto amount as sent.
        order_amount: Amount,
    },
    /// `fiatCurrency` + `fiatAmount`.
    Fiat {
        /// The fiat currency.
        currency: Currency,
        /// The fiat amount.
        amount: Amount,
    },
}

/// A validated checkout order.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRequest {
    /// The invoice; its reference is `merchantTradeNo`.
    pub invoice: ParsedInvoice,
    /// The price as sent.
    pub price: OrderPrice,
    /// The consumer's surcharge in USDT (0 when absent).
    pub surcharge: Amount,
    /// `merchantUserId`.
    pub merchant_user_id: i64,
    /// `env.terminalType`.
    pub terminal_type: String,
    /// `goods` as sent.
    pub goods: Map<String, Value>,
    /// `chain` as sent.
    pub chain: String,
    /// `fullCurrType` as sent.
    pub full_curr_type: String,
    /// `returnUrl`.
    pub return_url: Option<String>,
    /// `cancelUrl`.
    pub cancel_url: Option<String>,
    /// `channelId`.
    pub channel_id: Option<String>,
}

impl OrderRequest {
    /// The order amount in USDT before the surcharge (the due amount minus the surcharge).
    pub fn order_amount_usdt(&self) -> Amount {
        match self.price {
            OrderPrice::Crypto { order_amount } => order_amount,
            OrderPrice::Fiat { .. } => self.invoice.due.saturating_sub(self.surcharge),
        }
    }

    /// The fields the core spec does not hold, for logs and the CLI's `extra`.
    pub fn extra_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("merchantTradeNo".into(), json!(self.invoice.spec.reference));
        m.insert("merchantUserId".into(), json!(self.merchant_user_id));
        m.insert("terminalType".into(), json!(self.terminal_type));
        m.insert("goods".into(), Value::Object(self.goods.clone()));
        m.insert("chain".into(), json!(self.chain));
        m.insert("fullCurrType".into(), json!(self.full_curr_type));
        m.insert(
            "orderAmount".into(),
            json!(self.order_amount_usdt().to_string()),
        );
        m.insert("surchargeAmount".into(), json!(self.surcharge.to_string()));
        if let OrderPrice::Fiat { currency, amount } = &self.price {
            m.insert("fiatCurrency".into(), json!(currency.code()));
            m.insert("fiatAmount".into(), json!(amount.to_string()));
        }
        for (k, v) in [
            ("returnUrl", &self.return_url),
            ("cancelUrl", &self.cancel_url),
            ("channelId", &self.channel_id),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// The error answer `{"status":"ERROR","code":...,"errorMessage":...}`. The seed documents
/// the envelope but no error codes or HTTP status, so `code` carries the core error code.
pub fn error_body(error: &Error) -> Value {
    json!({"status": "ERROR", "code": error.code(), "errorMessage": error.to_string()})
}

/// Parses and validates a checkout-order body.
pub fn parse_order(body: &[u8], ctx: &OrderContext) -> Result<OrderRequest, Rejection> {
    parse_inner(body, ctx).map_err(|e| {
        Rejection::of_request(e, |error| Rejection {
            field: error.field().unwrap_or_default().to_owned(),
            body: Some(error_body(&error)),
            error,
            http_status: None,
        })
    })
}

fn opt_string<'a>(o: &Obj<'a>, name: &str) -> Result<Option<&'a str>> {
    o.opt_str(name)
}

fn parse_inner(body: &[u8], ctx: &OrderContext) -> Result<OrderRequest> {
    common::check_context(&ctx.id, None, Some(ctx.rate))?;
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    o.deny_unknown(&[
        "merchantTradeNo",
        "env",
        "goods",
        "merchantUserId",
        "chain",
        "fullCurrType",
        "currency",
        "orderAmount",
        "surchargeAmount",
        "toleranceAmount",
        "fiatCurrency",
        "fiatAmount",
        "payCurrency",
        "orderExpireTime",
        "returnUrl",
        "cancelUrl",
        "channelId",
    ])?;
    let trade_no = o.str("merchantTradeNo")?;
    common::check_len(trade_no, MIN_TRADE_NO, MAX_TRADE_NO, "merchantTradeNo")?;
    common::check_id(trade_no, "merchantTradeNo")?;

    let env = Obj::new(o.obj("env")?, "env");
    let terminal_type = env.str("terminalType")?;
    if !TERMINAL_TYPES.contains(&terminal_type) {
        return Err(Error::invalid_field(
            "env.terminalType",
            format!("expected one of {TERMINAL_TYPES:?}"),
        ));
    }
    let goods_map = o.obj("goods")?;
    let goods = Obj::new(goods_map, "goods");
    let goods_type = goods.str("goodsType")?;
    if !GOODS_TYPES.contains(&goods_type) {
        return Err(Error::invalid_field(
            "goods.goodsType",
            "expected \"01\" (tangible) or \"02\" (virtual)",
        ));
    }
    let goods_name = common::non_empty(&goods, "goodsName")?;
    common::check_text(goods_name, common::MAX_UNDOCUMENTED_TEXT, "goods.goodsName")?;
    if let Some(d) = goods.opt_str("goodsDetail")? {
        common::check_text(d, common::MAX_UNDOCUMENTED_TEXT, "goods.goodsDetail")?;
    }
    let merchant_user_id =
        common::opt_i64(&o, "merchantUserId")?.ok_or_else(|| Error::MissingField {
            field: "merchantUserId".into(),
        })?;

    let chain = o.str("chain")?;
    let asset = chain_asset(chain, "chain")?;
    let full = o.str("fullCurrType")?;
    let (full_currency, full_chain) = full.split_once('_').unwrap_or((full, ""));
    if full_currency != CURRENCY {
        return Err(Error::InvalidAsset {
            field: "fullCurrType".into(),
            value: common::short(full),
        });
    }
    if full_chain != chain {
        return Err(Error::invalid_field(
            "fullCurrType",
            format!(
                "{:?} does not name the chain {:?}",
                common::short(full),
                common::short(chain)
            ),
        ));
    }
    for name in ["currency", "payCurrency"] {
        if let Some(c) = opt_string(&o, name)? {
            if c != CURRENCY {
                return Err(Error::InvalidAsset {
                    field: name.to_owned().into(),
                    value: common::short(c),
                });
            }
        }
    }

    let crypto = |name: &str| -> Result<Option<Amount>> {
        let a = common::string_amount(&o, name)?;
        if let Some(a) = a {
            a.check_scale(CRYPTO_DECIMALS, name.to_owned())?;
        }
        Ok(a)
    };
    let order_amount = crypto("orderAmount")?;
    let surcharge = crypto("surchargeAmount")?.unwrap_or(Amount::ZERO);
    let tolerance = crypto("toleranceAmount")?;
    let fiat_amount = common::string_amount(&o, "fiatAmount")?;
    let fiat_currency = opt_string(&o, "fiatCurrency")?;

    let price = match (order_amount, fiat_amount) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_field(
                "fiatAmount",
                "give orderAmount (crypto) or fiatAmount (fiat), not both",
            ))
        }
        (None, None) => {
            return Err(Error::MissingField {
                field: "orderAmount".into(),
            })
        }
        (Some(a), None) => {
            if fiat_currency.is_some() {
                return Err(Error::invalid_field(
                    "fiatCurrency",
                    "fiatCurrency applies to fiatAmount only",
                ));
            }
            if a.is_zero() {
                return Err(Error::InvalidAmount {
                    field: "orderAmount".into(),
                    value: a.to_string(),
                    reason: "must be greater than zero",
                });
            }
            OrderPrice::Crypto { order_amount: a }
        }
        (None, Some(a)) => {
            let code = fiat_currency.ok_or_else(|| Error::MissingField {
                field: "fiatCurrency".into(),
            })?;
            let currency = Currency::parse(code, "fiatCurrency")?;
            a.check_scale(FIAT_DECIMALS, "fiatAmount")?;
            OrderPrice::Fiat {
                currency,
                amount: a,
            }
        }
    };
    let pricing = match &price {
        OrderPrice::Crypto { order_amount } => Pricing::Due(order_amount.saturating_add(surcharge)),
        OrderPrice::Fiat { currency, amount } => Pricing::Price {
            amount: *amount,
            currency: *currency,
            rate: ctx.rate,
            surcharge,
        },
    };
    let expiry = match common::opt_i64(&o, "orderExpireTime")? {
        Some(ms) => Expiry::At(Timestamp::from_millis(ms, "orderExpireTime")?),
        None => Expiry::In(DEFAULT_ORDER_TTL),
    };
    let url = |name: &str| -> Result<Option<String>> {
        match o.opt_str(name)? {
            Some(u) => {
                common::check_url(u, MAX_URL, UrlRule::default(), name)?;
                Ok(Some(u.to_owned()))
            }
            None => Ok(None),
        }
    };
    let return_url = url("returnUrl")?;
    let cancel_url = url("cancelUrl")?;
    let channel_id = o.opt_str("channelId")?.map(str::to_owned);
    if let Some(c) = &channel_id {
        common::check_len(c, 0, MAX_CHANNEL_ID, "channelId")?;
    }

    let mut spec = InvoiceSpec::new(ctx.id.clone(), pricing, asset, expiry);
    spec.reference = Some(trade_no.to_owned());
    spec.tolerance = match tolerance {
        Some(t) => Tolerance::Absolute(t),
        None => Tolerance::Exact,
    };
    let amount_field = match price {
        OrderPrice::Crypto { .. } => "orderAmount",
        OrderPrice::Fiat { .. } => "fiatAmount",
    };
    let invoice = ParsedInvoice::resolve(
        spec,
        ctx.now,
        &[
            ("invoice.due", amount_field),
            ("invoice.price.amount", "fiatAmount"),
            ("invoice.surcharge", "surchargeAmount"),
            ("invoice.rate", "rate"),
            ("tolerance.absolute", "toleranceAmount"),
            ("invoice.tolerance.absolute", "toleranceAmount"),
            ("invoice.expires_at", "orderExpireTime"),
        ],
    )?;
    Ok(OrderRequest {
        invoice,
        price,
        surcharge,
        merchant_user_id,
        terminal_type: terminal_type.to_owned(),
        goods: goods_map.clone(),
        chain: chain.to_owned(),
        full_curr_type: full.to_owned(),
        return_url,
        cancel_url,
        channel_id,
    })
}

/// What the success response needs beyond the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRender {
    /// GatePay's order id.
    pub prepay_id: String,
    /// The QR payload.
    pub qr_content: String,
    /// The cashier page (`https://www.gate.com/cashier?prepayid=...`).
    pub location: String,
    /// The deposit address on the order's chain.
    pub address: String,
}

/// The success response exactly as the seed shows it: `{"status":"SUCCESS","code":"000000",
/// "errorMessage":"","data":{...}}` with amounts as strings, `expireTime` in unix
/// milliseconds, empty strings for the fiat fields of a crypto order and an absent
/// `channelId`, and `chain` naming the request's chain.
pub fn render_order(req: &OrderRequest, r: &OrderRender) -> Value {
    let goods_name = req
        .goods
        .get("goodsName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (fiat_currency, fiat_amount) = match &req.price {
        OrderPrice::Fiat { currency, amount } => (currency.code().to_owned(), amount.to_string()),
        OrderPrice::Crypto { .. } => (String::new(), String::new()),
    };
    let order_amount = req.order_amount_usdt().to_string();
    json!({
        "status": "SUCCESS",
        "code": "000000",
        "errorMessage": "",
        "data": {
            "prepayId": r.prepay_id,
            "orderAmount": order_amount,
            "surchargeAmount": req.surcharge.to_string(),
            "currency": CURRENCY,
            "fiatCurrency": fiat_currency,
            "fiatAmount": fiat_amount,
            "terminalType": req.terminal_type,
            "expireTime": req.invoice.deadline.as_millis(),
            "qrContent": r.qr_content,
            "location": r.location,
            "payCurrency": CURRENCY,
            "payAmount": req.invoice.due.to_string(),
            "chain": {
                "chain_type": req.chain,
                "address": r.address,
                "fullCurrType": req.full_curr_type,
            },
            "channelId": req.channel_id.clone().unwrap_or_default(),
            "goodsName": goods_name,
            "inUsdt": order_amount,
        }
    })
}

/// A payment notification status (`bizStatus` of `bizType` `PAY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BizStatus {
    /// The order was paid.
    PaySuccess,
    /// The payment failed.
    PayError,
    /// The order was closed (timed out or closed by the merchant).
    PayClose,
}

impl BizStatus {
    /// Parses a documented status; anything else is `invalid_field` (never pending).
    pub fn parse(text: &str) -> Result<BizStatus> {
        match text {
            "PAY_SUCCESS" => Ok(BizStatus::PaySuccess),
            "PAY_ERROR" => Ok(BizStatus::PayError),
            "PAY_CLOSE" => Ok(BizStatus::PayClose),
            other => Err(Error::invalid_field(
                "bizStatus",
                format!("unknown GatePay bizStatus {:?}", common::short(other)),
            )),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            BizStatus::PaySuccess => "PAY_SUCCESS",
            BizStatus::PayError => "PAY_ERROR",
            BizStatus::PayClose => "PAY_CLOSE",
        }
    }
}

/// What a payment notification needs beyond the invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyRender {
    /// GatePay's order id (`bizId`).
    pub prepay_id: String,
    /// The merchant's client id.
    pub client_id: String,
    /// The payment's transaction id.
    pub transaction_id: String,
    /// When the notification is made.
    pub create_time: Timestamp,
}

/// A payment notification (the seed documents no callback; this follows GatePay's public
/// notification shape: `bizType`, `bizId`, `bizStatus`, `client_id` and `data` as a JSON
/// string), sent with the `X-GatePay-*` signature headers.
pub fn render_notification(invoice: &Invoice, status: BizStatus, r: &NotifyRender) -> Value {
    let spec = invoice.spec();
    let mut data = Map::new();
    data.insert("merchantTradeNo".into(), json!(spec.reference));
    data.insert("currency".into(), json!(CURRENCY));
    data.insert("orderAmount".into(), json!(invoice.due().to_string()));
    data.insert("payCurrency".into(), json!(CURRENCY));
    data.insert("payAmount".into(), json!(invoice.due().to_string()));
    data.insert("transactionId".into(), json!(r.transaction_id));
    data.insert("createTime".into(), json!(r.create_time.as_millis()));
    json!({
        "bizType": "PAY",
        "bizId": r.prepay_id,
        "bizStatus": status.as_str(),
        "client_id": r.client_id,
        "data": Value::Object(data).to_string(),
    })
}

/// Parses a payment notification into the core command it means:
/// `PAY_SUCCESS` observes a confirmed transfer (`transactionId`, else `bizId`) of
/// `payAmount` (else `orderAmount` + `surchargeAmount`); `PAY_ERROR` marks the invoice
/// invalid (the payment failed for good); `PAY_CLOSE` maps to no command, because a timed-out
/// order is the core's own expiry and a merchant close is the host's own `cancel`.
/// `merchantTradeNo`, `currency` and the order amount must agree with the invoice, else
/// `integrity_conflict`. `data` may be a JSON string (as GatePay sends it) or an object.
pub fn parse_notification(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let biz_type = o.str("bizType")?;
    if biz_type != "PAY" {
        return Err(Error::invalid_field(
            "bizType",
            format!("unknown bizType {:?}", common::short(biz_type)),
        ));
    }
    let raw = o.str("bizStatus")?;
    let status = BizStatus::parse(raw)?;
    let data_owned;
    let data_map = match o.get("data") {
        Some(Value::String(s)) => match parse_value(s.as_bytes())? {
            Value::Object(m) => {
                data_owned = m;
                &data_owned
            }
            _ => return Err(Error::invalid_field("data", "expected a JSON object")),
        },
        _ => o.obj("data")?,
    };
    let d = Obj::new(data_map, "data");
    let trade_no = d.str("merchantTradeNo")?;
    if Some(trade_no) != invoice.spec().reference.as_deref() {
        return Err(common::conflict(
            "data.merchantTradeNo",
            format!(
                "notification is for {:?}, not this invoice",
                common::short(trade_no)
            ),
        ));
    }
    if let Some(c) = d.opt_str("currency")? {
        if c != CURRENCY {
            return Err(common::conflict(
                "data.currency",
                format!("notification currency {:?} is not USDT", common::short(c)),
            ));
        }
    }
    if let Some(chain) = d.opt_str("chain")? {
        let asset = chain_asset(chain, "data.chain")?;
        if asset != invoice.asset() {
            return Err(common::conflict(
                "data.chain",
                format!(
                    "notification asset {asset} differs from the invoice asset {}",
                    invoice.asset()
                ),
            ));
        }
    }
    let order_amount = common::lenient_amount(&d, "orderAmount")?;
    let surcharge = common::lenient_amount(&d, "surchargeAmount")?.unwrap_or(Amount::ZERO);
    let pay_amount = common::lenient_amount(&d, "payAmount")?;
    let total = match (pay_amount, order_amount) {
        (Some(p), _) => p,
        (None, Some(a)) => a.saturating_add(surcharge),
        (None, None) => {
            return Err(Error::MissingField {
                field: "data.orderAmount".into(),
            })
        }
    };
    if let Some(a) = order_amount {
        let expected = invoice.due();
        if a != expected && a.saturating_add(surcharge) != expected {
            return Err(common::conflict(
                "data.orderAmount",
                format!("notification amount {a} differs from the invoice amount {expected}"),
            ));
        }
    }
    let command = match status {
        BizStatus::PaySuccess => {
            let tx = match d.opt_str("transactionId")? {
                Some(t) => t.to_owned(),
                None => common::opt_id_text(&o, "bizId")?.ok_or_else(|| Error::MissingField {
                    field: "bizId".into(),
                })?,
            };
            common::check_id(&tx, "data.transactionId")?;
            Some(Command::ObserveTransfer(TransferInput {
                tx_id: tx,
                amount: total,
                asset: invoice.asset(),
                confirmed: true,
                at: None,
            }))
        }
        BizStatus::PayError => Some(Command::Mark {
            status: Status::Invalid,
        }),
        BizStatus::PayClose => None,
    };
    Ok(CallbackResult {
        provider_status: raw.to_owned(),
        command,
        at: None,
    })
}
