//! Seed 003, `monetix`: the Bybit Pay method of Monetix (an ECommPay-platform API) —
//! purchases (Payment Page and Gate), refunds and payouts, with their callbacks.
//!
//! Amounts are integers in the currency's minor units (`12300` is 123.00 RUB); currencies
//! are ISO-4217 and this method accepts BRL, EUR, RUB and USD. Monetix converts to USD and
//! the payer pays through Bybit, so a purchase becomes an invoice priced in the currency
//! and due in [`Asset::UsdtBybit`] at the host's rate; the QR code expires one hour after
//! the purchase starts. Requests may carry "any other optional parameters", so unknown
//! members are accepted. Signatures (`general.signature`, `signature`) are checked by
//! [`crate::signature`]; here they only have to be present.

use serde_json::{json, Map, Value};

use super::common;
use super::{CallbackResult, ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{
    Command, Expiry, Invoice, InvoiceSpec, Pricing, RefundOutcome, RefundState, Status,
    TransferInput,
};
use crate::json::{parse_object, Obj};
use crate::money::{Amount, Asset, Currency};
use crate::time::{Duration, Timestamp};

/// The currencies Bybit Pay accepts ("Payment currencies BRL, EUR, RUB, USD").
pub const CURRENCIES: [&str; 4] = ["BRL", "EUR", "RUB", "USD"];
/// The asset a purchase is paid in.
pub const ASSET: Asset = Asset::UsdtBybit;
/// "The payment QR code expires 1 hour after the purchase was initiated."
pub const QR_LIFETIME: Duration = Duration::seconds(3600);
/// `customer.device_type` values.
pub const DEVICE_TYPES: [&str; 3] = ["APP", "WEB", "OTHERS"];
/// The `force_payment_method` value that selects Bybit Pay on the Payment Page.
pub const PAYMENT_METHOD: &str = "bybit";

/// Which Monetix interface a purchase request was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interface {
    /// Payment Page: flat parameters (`project_id`, `payment_amount`, `customer_email`...).
    PaymentPage,
    /// Gate: `POST /v2/payment/wallet/bybit/sale` with `general`, `customer`, `payment`.
    Gate,
}

/// The customer as a request describes them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Customer {
    /// `id` / `customer_id`.
    pub id: String,
    /// IP address of the customer's device (Gate).
    pub ip_address: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Payout account id.
    pub account_id: Option<String>,
    /// Browser name and version.
    pub browser: Option<String>,
    /// `APP`, `WEB` or `OTHERS`.
    pub device_type: Option<String>,
    /// Device id.
    pub device_id: Option<String>,
}

impl Customer {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        for (k, v) in [
            ("ip_address", &self.ip_address),
            ("email", &self.email),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("account_id", &self.account_id),
            ("browser", &self.browser),
            ("device_type", &self.device_type),
            ("device_id", &self.device_id),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// An amount in minor units with its currency, as Monetix sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    /// Minor units (`12300`).
    pub minor: u64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// The amount in major units (`12300` RUB -> `123`).
    pub fn amount(&self) -> Amount {
        Amount::from_minor_units(self.minor, self.currency.exponent()).unwrap_or(Amount::ZERO)
    }

    /// `{"minor": 12300, "amount": "123", "currency": "RUB"}`.
    pub fn to_json(&self) -> Value {
        json!({"minor": self.minor, "amount": self.amount().to_string(), "currency": self.currency.code()})
    }
}

/// Inputs of a purchase the core cannot know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurchaseContext {
    /// The invoice id.
    pub id: String,
    /// When the purchase started.
    pub now: Timestamp,
    /// USDT per unit of the purchase currency (Monetix converts on its side; the host
    /// supplies the rate it expects).
    pub rate: Amount,
}

/// A validated purchase request.
#[derive(Clone, Debug, PartialEq)]
pub struct PurchaseRequest {
    /// The invoice; its reference is `payment_id`.
    pub invoice: ParsedInvoice,
    /// Which interface the request is for.
    pub interface: Interface,
    /// `project_id`.
    pub project_id: u64,
    /// `payment_id`.
    pub payment_id: String,
    /// The purchase amount.
    pub money: Money,
    /// The customer.
    pub customer: Customer,
    /// `force_payment_method` (Payment Page).
    pub force_payment_method: Option<String>,
}

impl PurchaseRequest {
    /// The fields the core spec does not hold, for logs and the CLI's `extra`.
    pub fn extra_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "interface".into(),
            json!(match self.interface {
                Interface::Gate => "gate",
                Interface::PaymentPage => "payment_page",
            }),
        );
        m.insert("project_id".into(), json!(self.project_id));
        m.insert("payment_id".into(), json!(self.payment_id));
        m.insert("payment".into(), self.money.to_json());
        m.insert("customer".into(), self.customer.to_json());
        if let Some(f) = &self.force_payment_method {
            m.insert("force_payment_method".into(), json!(f));
        }
        Value::Object(m)
    }
}

fn required_text(o: &Obj<'_>, name: &str) -> Result<String> {
    let v = common::non_empty(o, name)?;
    common::check_text(v, common::MAX_UNDOCUMENTED_TEXT, &o.path(name))?;
    Ok(v.to_owned())
}

fn optional_text(o: &Obj<'_>, name: &str) -> Result<Option<String>> {
    match o.opt_str(name)? {
        Some(v) => {
            common::check_text(v, common::MAX_UNDOCUMENTED_TEXT, &o.path(name))?;
            Ok(Some(v.to_owned()))
        }
        None => Ok(None),
    }
}

fn project_id(o: &Obj<'_>, name: &str) -> Result<u64> {
    let v = o.u64(name)?;
    if v == 0 {
        return Err(Error::invalid_field(
            o.path(name),
            "must be a positive project ID",
        ));
    }
    Ok(v)
}

fn payment_id(o: &Obj<'_>, name: &str) -> Result<String> {
    let v = o.str(name)?;
    common::check_id(v, &o.path(name))?;
    Ok(v.to_owned())
}

/// A currency this method accepts: ISO-4217 (`invalid_field` otherwise) and one of
/// [`CURRENCIES`] (`invalid_field`: "not supported by Bybit Pay").
pub fn currency(o: &Obj<'_>, name: &str) -> Result<Currency> {
    let code = o.str(name)?;
    let c = Currency::parse(code, o.path(name))?;
    if !CURRENCIES.contains(&c.code()) {
        return Err(Error::invalid_field(
            o.path(name),
            format!(
                "currency {} is not supported by Bybit Pay (BRL, EUR, RUB, USD)",
                c.code()
            ),
        ));
    }
    Ok(c)
}

/// A positive integer amount in minor units (`12300`, or `1.23e4` written in exponent
/// form): fractions, negatives, strings and zero are `invalid_amount`.
pub fn minor_units(o: &Obj<'_>, name: &str) -> Result<Option<u64>> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            // Read exactly, exponent form included (`1.23e4` is 12300): a number is judged
            // by its value, never by how it was written (docs/spec.md §2).
            let text = n.to_string();
            let v = Amount::from_json_number(&text, o.path(name))
                .ok()
                .and_then(|a| a.to_minor_units(0));
            match v {
                Some(0) => Err(Error::InvalidAmount {
                    field: o.path(name),
                    value: text,
                    reason: "must be greater than zero",
                }),
                Some(v) => Ok(Some(v)),
                None => Err(Error::InvalidAmount {
                    field: o.path(name),
                    value: common::short(&text),
                    reason:
                        "expected a whole number of minor currency units, such as 12300 for 123.00",
                }),
            }
        }
        Some(other) => Err(Error::InvalidAmount {
            field: o.path(name),
            value: crate::json::kind(other).to_owned(),
            reason: "expected a whole number of minor currency units, such as 12300 for 123.00",
        }),
    }
}

fn customer_common(c: &Obj<'_>, customer: &mut Customer) -> Result<()> {
    customer.browser = optional_text(c, "browser")?;
    customer.device_id = optional_text(c, "device_id")?;
    if let Some(d) = c.opt_str("device_type")? {
        if !DEVICE_TYPES.contains(&d) {
            return Err(Error::invalid_field(
                c.path("device_type"),
                "expected APP, WEB or OTHERS",
            ));
        }
        customer.device_type = Some(d.to_owned());
    }
    Ok(())
}

fn ip_address(c: &Obj<'_>) -> Result<String> {
    let ip = c.str("ip_address")?;
    if ip.parse::<std::net::IpAddr>().is_err() {
        return Err(Error::invalid_field(
            c.path("ip_address"),
            "is not an IP address",
        ));
    }
    Ok(ip.to_owned())
}

fn email(o: &Obj<'_>, name: &str) -> Result<String> {
    let e = o.str(name)?;
    common::check_email(e, &o.path(name))?;
    Ok(e.to_owned())
}

/// Parses and validates a purchase request: the Gate body (`general`, `customer`,
/// `payment`) or the Payment Page parameters (`project_id`, `payment_id`, `customer_*`,
/// `payment_currency`, `payment_amount`, `signature`, `force_payment_method`). The seed
/// documents no error answer, so rejections carry only the code and the field.
pub fn parse_purchase(body: &[u8], ctx: &PurchaseContext) -> Result<PurchaseRequest, Rejection> {
    purchase_inner(body, ctx).map_err(Rejection::bare)
}

fn purchase_inner(body: &[u8], ctx: &PurchaseContext) -> Result<PurchaseRequest> {
    common::check_context(&ctx.id, None, Some(ctx.rate))?;
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let (interface, project, payment, money, customer, force) = if o.has("general") {
        let g = Obj::new(o.obj("general")?, "general");
        let project = project_id(&g, "project_id")?;
        let payment = payment_id(&g, "payment_id")?;
        common::non_empty(&g, "signature")?;
        let c = Obj::new(o.obj("customer")?, "customer");
        let mut customer = Customer {
            id: required_text(&c, "id")?,
            ip_address: Some(ip_address(&c)?),
            email: Some(email(&c, "email")?),
            first_name: Some(required_text(&c, "first_name")?),
            last_name: Some(required_text(&c, "last_name")?),
            ..Customer::default()
        };
        customer_common(&c, &mut customer)?;
        let p = Obj::new(o.obj("payment")?, "payment");
        let cur = currency(&p, "currency")?;
        let minor = minor_units(&p, "amount")?.ok_or_else(|| Error::MissingField {
            field: "payment.amount".into(),
        })?;
        (
            Interface::Gate,
            project,
            payment,
            Money {
                minor,
                currency: cur,
            },
            customer,
            None,
        )
    } else {
        let project = project_id(&o, "project_id")?;
        let payment = payment_id(&o, "payment_id")?;
        let customer = Customer {
            id: required_text(&o, "customer_id")?,
            email: Some(email(&o, "customer_email")?),
            first_name: Some(required_text(&o, "customer_first_name")?),
            last_name: Some(required_text(&o, "customer_last_name")?),
            ..Customer::default()
        };
        let cur = currency(&o, "payment_currency")?;
        let minor = minor_units(&o, "payment_amount")?.ok_or_else(|| Error::MissingField {
            field: "payment_amount".into(),
        })?;
        common::non_empty(&o, "signature")?;
        let force = o.opt_str("force_payment_method")?;
        if let Some(f) = force {
            if f != PAYMENT_METHOD {
                return Err(Error::invalid_field(
                    "force_payment_method",
                    format!("this method is selected with {PAYMENT_METHOD:?}"),
                ));
            }
        }
        (
            Interface::PaymentPage,
            project,
            payment,
            Money {
                minor,
                currency: cur,
            },
            customer,
            force.map(str::to_owned),
        )
    };
    let amount_field = match interface {
        Interface::Gate => "payment.amount",
        Interface::PaymentPage => "payment_amount",
    };
    let mut spec = InvoiceSpec::new(
        ctx.id.clone(),
        Pricing::Price {
            amount: money.amount(),
            currency: money.currency,
            rate: ctx.rate,
            surcharge: Amount::ZERO,
        },
        ASSET,
        Expiry::In(QR_LIFETIME),
    );
    spec.reference = Some(payment.clone());
    let invoice = ParsedInvoice::resolve(
        spec,
        ctx.now,
        &[
            ("invoice.price.amount", amount_field),
            ("invoice.reference", "payment_id"),
        ],
    )?;
    Ok(PurchaseRequest {
        invoice,
        interface,
        project_id: project,
        payment_id: payment,
        money,
        customer,
        force_payment_method: force,
    })
}

/// A validated refund request (`POST /v2/payment/wallet/bybit/refund`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// `general.project_id`.
    pub project_id: u64,
    /// The purchase being refunded.
    pub payment_id: String,
    /// The customer (`id`, `ip_address` and device data).
    pub customer: Customer,
    /// The amount of a partial refund; `None` refunds everything.
    pub amount: Option<u64>,
    /// The refund currency, when given.
    pub currency: Option<Currency>,
    /// `payment.description` (required).
    pub description: String,
}

impl RefundRequest {
    /// The normalised object the CLI prints under `refund`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("project_id".into(), json!(self.project_id));
        m.insert("payment_id".into(), json!(self.payment_id));
        m.insert("customer".into(), self.customer.to_json());
        m.insert("full".into(), json!(self.amount.is_none()));
        m.insert("amount".into(), json!(self.amount));
        m.insert("currency".into(), json!(self.currency.map(|c| c.code())));
        m.insert("description".into(), json!(self.description));
        Value::Object(m)
    }

    /// The core command that reserves this refund on the purchase's invoice: the refund
    /// is converted to the asset in proportion to the invoice price (`refund / price *
    /// due`, rounded down so no more leaves than was asked). The currency must be the
    /// invoice's and `payment_id` its reference, else `integrity_conflict`.
    pub fn command(&self, invoice: &Invoice, refund_id: &str) -> Result<Command> {
        check_payment_id(&self.payment_id, invoice, "general.payment_id")?;
        common::check_id(refund_id, "refund_id")?;
        let amount = match self.amount {
            None => None,
            Some(minor) => {
                let (price, cur) = invoice_price(invoice)?;
                let cur_given = self.currency.unwrap_or(cur);
                if cur_given != cur {
                    return Err(common::conflict(
                        "payment.currency",
                        format!(
                            "refund currency {cur_given} differs from the purchase currency {cur}"
                        ),
                    ));
                }
                let refund = Money {
                    minor,
                    currency: cur,
                }
                .amount();
                Some(proportional(refund, price, invoice)?)
            }
        };
        Ok(Command::RequestRefund {
            refund_id: refund_id.to_owned(),
            amount,
        })
    }
}

fn proportional(part: Amount, whole: Amount, invoice: &Invoice) -> Result<Amount> {
    use rust_decimal::RoundingStrategy;
    let v = part
        .as_decimal()
        .checked_mul(invoice.due().as_decimal())
        .and_then(|x| x.checked_div(whole.as_decimal()))
        .ok_or_else(|| Error::InvalidAmount {
            field: "payment.amount".into(),
            value: part.to_string(),
            reason: "cannot be converted to the invoice asset",
        })?;
    let rounded = v.round_dp_with_strategy(invoice.asset().scale(), RoundingStrategy::ToZero);
    Amount::parse(&rounded.normalize().to_string(), "payment.amount")
}

fn invoice_price(invoice: &Invoice) -> Result<(Amount, Currency)> {
    match &invoice.spec().pricing {
        Pricing::Price {
            amount, currency, ..
        } => Ok((*amount, *currency)),
        Pricing::Due(_) => Err(Error::invalid_field(
            "invoice",
            "a Monetix invoice is priced in a currency",
        )),
    }
}

fn check_payment_id(id: &str, invoice: &Invoice, field: &str) -> Result<()> {
    if Some(id) != invoice.spec().reference.as_deref() {
        return Err(common::conflict(
            field,
            format!("payment {:?} is not this invoice's", common::short(id)),
        ));
    }
    Ok(())
}

/// Parses and validates a refund request.
pub fn parse_refund(body: &[u8]) -> Result<RefundRequest, Rejection> {
    refund_inner(body).map_err(Rejection::bare)
}

fn refund_inner(body: &[u8]) -> Result<RefundRequest> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let g = Obj::new(o.obj("general")?, "general");
    let project = project_id(&g, "project_id")?;
    let payment = payment_id(&g, "payment_id")?;
    common::non_empty(&g, "signature")?;
    let c = Obj::new(o.obj("customer")?, "customer");
    let mut customer = Customer {
        id: required_text(&c, "id")?,
        ip_address: Some(ip_address(&c)?),
        ..Customer::default()
    };
    customer_common(&c, &mut customer)?;
    let p = Obj::new(o.obj("payment")?, "payment");
    let description = required_text(&p, "description")?;
    let cur = if p.has("currency") {
        Some(currency(&p, "currency")?)
    } else {
        None
    };
    let amount = minor_units(&p, "amount")?;
    Ok(RefundRequest {
        project_id: project,
        payment_id: payment,
        customer,
        amount,
        currency: cur,
        description,
    })
}

/// A validated payout request (`POST /v2/payment/wallet/bybit/payout`). Payouts send money
/// to a customer and belong to no invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRequest {
    /// `general.project_id`.
    pub project_id: u64,
    /// The payout's own payment id.
    pub payment_id: String,
    /// The customer, with `account_id`.
    pub customer: Customer,
    /// The amount.
    pub money: Money,
}

impl PayoutRequest {
    /// The normalised object the CLI prints under `payout`.
    pub fn to_json(&self) -> Value {
        json!({
            "project_id": self.project_id,
            "payment_id": self.payment_id,
            "customer": self.customer.to_json(),
            "payment": self.money.to_json(),
        })
    }
}

/// Parses and validates a payout request.
pub fn parse_payout(body: &[u8]) -> Result<PayoutRequest, Rejection> {
    payout_inner(body).map_err(Rejection::bare)
}

fn payout_inner(body: &[u8]) -> Result<PayoutRequest> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let g = Obj::new(o.obj("general")?, "general");
    let project = project_id(&g, "project_id")?;
    let payment = payment_id(&g, "payment_id")?;
    common::non_empty(&g, "signature")?;
    let c = Obj::new(o.obj("customer")?, "customer");
    let mut customer = Customer {
        id: required_text(&c, "id")?,
        ip_address: Some(ip_address(&c)?),
        email: Some(email(&c, "email")?),
        first_name: Some(required_text(&c, "first_name")?),
        last_name: Some(required_text(&c, "last_name")?),
        account_id: Some(required_text(&c, "account_id")?),
        ..Customer::default()
    };
    customer_common(&c, &mut customer)?;
    let p = Obj::new(o.obj("payment")?, "payment");
    let cur = currency(&p, "currency")?;
    let minor = minor_units(&p, "amount")?.ok_or_else(|| Error::MissingField {
        field: "payment.amount".into(),
    })?;
    Ok(PayoutRequest {
        project_id: project,
        payment_id: payment,
        customer,
        money: Money {
            minor,
            currency: cur,
        },
    })
}

/// The `display_data` array a Gate purchase returns for showing the QR code, exactly as the
/// seed lists it: `qr_data` (base64 image), `lifetime` (unix seconds), `qr_url`, `amount`
/// (minor units) and `currency`, every `data` a string.
pub fn render_display_data(
    qr_data: &str,
    lifetime: Timestamp,
    qr_url: &str,
    money: Money,
) -> Value {
    json!([
        {"type": "qr_data", "title": "QR code", "data": qr_data},
        {"type": "add_info", "title": "lifetime", "data": lifetime.as_seconds().to_string()},
        {"type": "qr_url", "title": "QR code", "data": qr_url},
        {"type": "add_info", "title": "amount", "data": money.minor.to_string()},
        {"type": "add_info", "title": "currency", "data": money.currency.code()},
    ])
}

/// `operation.type` of a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationType {
    /// A purchase.
    Sale,
    /// A refund of a purchase.
    Refund,
    /// A payout.
    Payout,
}

impl OperationType {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            OperationType::Sale => "sale",
            OperationType::Refund => "refund",
            OperationType::Payout => "payout",
        }
    }

    fn parse(text: &str) -> Result<OperationType> {
        match text {
            "sale" => Ok(OperationType::Sale),
            "refund" => Ok(OperationType::Refund),
            "payout" => Ok(OperationType::Payout),
            other => Err(Error::invalid_field(
                "operation.type",
                format!("unknown operation type {:?}", common::short(other)),
            )),
        }
    }
}

/// `operation.status` of a callback: the seed's `success` and `decline`, and the
/// platform's intermediate statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    /// Completed.
    Success,
    /// Declined (e.g. the QR code expired unpaid).
    Decline,
    /// Failed with an error.
    Error,
    /// Being processed.
    Processing,
    /// Waiting for a 3-D Secure result.
    Awaiting3dsResult,
    /// Waiting for the customer to return from a redirect.
    AwaitingRedirectResult,
    /// Waiting for clarification.
    AwaitingClarification,
    /// Waiting for the customer.
    AwaitingCustomerAction,
    /// Waiting for the merchant's authorisation.
    AwaitingMerchantAuth,
}

impl OperationStatus {
    /// Parses a status; anything else is `invalid_field` (never pending).
    pub fn parse(text: &str) -> Result<OperationStatus> {
        Ok(match text {
            "success" => OperationStatus::Success,
            "decline" => OperationStatus::Decline,
            "error" => OperationStatus::Error,
            "processing" => OperationStatus::Processing,
            "awaiting 3ds result" => OperationStatus::Awaiting3dsResult,
            "awaiting redirect result" => OperationStatus::AwaitingRedirectResult,
            "awaiting clarification" => OperationStatus::AwaitingClarification,
            "awaiting customer action" => OperationStatus::AwaitingCustomerAction,
            "awaiting merchant auth" => OperationStatus::AwaitingMerchantAuth,
            other => {
                return Err(Error::invalid_field(
                    "operation.status",
                    format!("unknown operation status {:?}", common::short(other)),
                ))
            }
        })
    }

    /// How the operation stands: finished well, finished badly, or still going.
    pub fn outcome(&self) -> Outcome {
        match self {
            OperationStatus::Success => Outcome::Succeeded,
            OperationStatus::Decline | OperationStatus::Error => Outcome::Failed,
            OperationStatus::Processing
            | OperationStatus::Awaiting3dsResult
            | OperationStatus::AwaitingRedirectResult
            | OperationStatus::AwaitingClarification
            | OperationStatus::AwaitingCustomerAction
            | OperationStatus::AwaitingMerchantAuth => Outcome::InProgress,
        }
    }
}

/// Where an operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded.
    Succeeded,
    /// It was declined or failed.
    Failed,
    /// Not final yet.
    InProgress,
}

/// A callback's parsed fields, shared by sale, refund and payout callbacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// `payment.id`.
    pub payment_id: String,
    /// `payment.type` (`purchase`, `payout`).
    pub payment_type: String,
    /// `payment.status` as sent (`success`, `decline`, `refunded`, ...).
    pub payment_status: String,
    /// `payment.sum`: what remains of the payment (0 after a full refund).
    pub payment_sum: Money,
    /// `operation.id`.
    pub operation_id: String,
    /// `operation.type`.
    pub operation_type: OperationType,
    /// `operation.status` as sent.
    pub operation_status_raw: String,
    /// `operation.status` parsed.
    pub operation_status: OperationStatus,
    /// `operation.date`.
    pub operation_date: Option<Timestamp>,
    /// `operation.sum_initial`: the operation's amount in the request currency.
    pub sum_initial: Money,
    /// `operation.code` (`"0"` on success).
    pub code: Option<String>,
    /// `operation.message`.
    pub message: Option<String>,
}

fn money(o: &Obj<'_>, name: &str) -> Result<Money> {
    let path = o.path(name).into_owned();
    let s = Obj::new(o.obj(name)?, &path);
    let currency = Currency::parse(s.str("currency")?, s.path("currency"))?;
    let minor = s.u64("amount")?;
    Ok(Money { minor, currency })
}

/// Parses any Monetix callback body (`payment`, `operation`, `customer`?, `signature`).
/// Unknown `operation.type` or `operation.status` is `invalid_field`. `payment.date` is
/// kept as text only (the seed's own refund example has a five-digit year there).
pub fn parse_callback(body: &[u8]) -> Result<Callback> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let p = Obj::new(o.obj("payment")?, "payment");
    let op = Obj::new(o.obj("operation")?, "operation");
    let operation_type = OperationType::parse(op.str("type")?)?;
    let raw = op.str("status")?;
    let operation_status = OperationStatus::parse(raw)?;
    let operation_date = op
        .opt_str("date")?
        .map(|d| common::parse_time_lenient_offset(d, "operation.date"))
        .transpose()?;
    let operation_id = common::opt_id_text(&op, "id")?.ok_or_else(|| Error::MissingField {
        field: "operation.id".into(),
    })?;
    Ok(Callback {
        payment_id: p.str("id")?.to_owned(),
        payment_type: p.str("type")?.to_owned(),
        payment_status: p.str("status")?.to_owned(),
        payment_sum: money(&p, "sum")?,
        operation_id,
        operation_type,
        operation_status_raw: raw.to_owned(),
        operation_status,
        operation_date,
        sum_initial: money(&op, "sum_initial")?,
        code: common::opt_id_text(&op, "code")?,
        message: op.opt_str("message")?.map(str::to_owned),
    })
}

fn expect_type(cb: &Callback, t: OperationType) -> Result<()> {
    if cb.operation_type != t {
        return Err(Error::invalid_field(
            "operation.type",
            format!(
                "expected a {} callback, got {}",
                t.as_str(),
                cb.operation_type.as_str()
            ),
        ));
    }
    Ok(())
}

/// Parses a purchase (`sale`) callback into the command it means for the invoice:
/// `success` observes a confirmed transfer of the invoice's due amount (Monetix reports
/// the purchase paid in full; the transaction id is `operation.id`, its time
/// `operation.date`); `decline` and `error` mark the invoice `invalid` (the single-use QR
/// code can no longer be paid); intermediate statuses map to no command. `payment.id`
/// must be the invoice's reference and `sum_initial` its price, else `integrity_conflict`.
pub fn parse_sale_callback(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Sale)?;
    check_payment_id(&cb.payment_id, invoice, "payment.id")?;
    let (price, cur) = invoice_price(invoice)?;
    if cb.sum_initial.currency != cur {
        return Err(common::conflict(
            "operation.sum_initial.currency",
            format!(
                "callback currency {} differs from the invoice currency {cur}",
                cb.sum_initial.currency
            ),
        ));
    }
    if cb.sum_initial.amount() != price {
        return Err(common::conflict(
            "operation.sum_initial.amount",
            format!(
                "callback amount {} differs from the invoice price {price}",
                cb.sum_initial.amount()
            ),
        ));
    }
    let command = match cb.operation_status.outcome() {
        Outcome::Succeeded => {
            common::check_id(&cb.operation_id, "operation.id")?;
            Some(Command::ObserveTransfer(TransferInput {
                tx_id: cb.operation_id.clone(),
                amount: invoice.due(),
                asset: invoice.asset(),
                confirmed: true,
                at: cb.operation_date,
            }))
        }
        Outcome::Failed => Some(Command::Mark {
            status: Status::Invalid,
        }),
        Outcome::InProgress => None,
    };
    Ok(CallbackResult {
        provider_status: cb.operation_status_raw,
        command,
        at: cb.operation_date,
    })
}

/// Parses a refund callback into the command that settles the refund: `success` ->
/// succeeded, `decline`/`error` -> failed, intermediate -> no command. `refund_id` is the
/// host's id for the refund; when `None`, the invoice's single refund in flight is meant
/// (none or several is `invalid_field`). `payment.id` must be the invoice's reference,
/// the currency its price currency, and the amount at most its price, else
/// `integrity_conflict`.
pub fn parse_refund_callback(
    body: &[u8],
    invoice: &Invoice,
    refund_id: Option<&str>,
) -> Result<CallbackResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Refund)?;
    check_payment_id(&cb.payment_id, invoice, "payment.id")?;
    let (price, cur) = invoice_price(invoice)?;
    if cb.sum_initial.currency != cur {
        return Err(common::conflict(
            "operation.sum_initial.currency",
            format!(
                "refund currency {} differs from the invoice currency {cur}",
                cb.sum_initial.currency
            ),
        ));
    }
    if cb.sum_initial.amount() > price {
        return Err(common::conflict(
            "operation.sum_initial.amount",
            format!(
                "refund of {} exceeds the invoice price {price}",
                cb.sum_initial.amount()
            ),
        ));
    }
    let refund_id = match refund_id {
        Some(id) => id.to_owned(),
        None => {
            let mut in_flight = invoice
                .refunds()
                .iter()
                .filter(|r| r.state == RefundState::InFlight);
            match (in_flight.next(), in_flight.next()) {
                (Some(r), None) => r.refund_id.clone(),
                (None, _) => {
                    return Err(Error::invalid_field("refund_id", "no refund is in flight"))
                }
                (Some(_), Some(_)) => {
                    return Err(Error::invalid_field(
                        "refund_id",
                        "several refunds are in flight: name the one this callback settles",
                    ))
                }
            }
        }
    };
    let command = match cb.operation_status.outcome() {
        Outcome::Succeeded => Some(Command::SettleRefund {
            refund_id,
            outcome: RefundOutcome::Succeeded,
        }),
        Outcome::Failed => Some(Command::SettleRefund {
            refund_id,
            outcome: RefundOutcome::Failed,
        }),
        Outcome::InProgress => None,
    };
    Ok(CallbackResult {
        provider_status: cb.operation_status_raw,
        command,
        at: cb.operation_date,
    })
}

/// A payout callback, normalised (payouts belong to no invoice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutResult {
    /// `operation.status` as sent.
    pub provider_status: String,
    /// Succeeded, failed or in progress.
    pub outcome: Outcome,
    /// `operation.id`.
    pub operation_id: String,
    /// `operation.date`.
    pub at: Option<Timestamp>,
}

/// Parses a payout callback for `payout`: `payment.id`, currency and amount must match the
/// request, else `integrity_conflict`.
pub fn parse_payout_callback(body: &[u8], payout: &PayoutRequest) -> Result<PayoutResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Payout)?;
    if cb.payment_id != payout.payment_id {
        return Err(common::conflict(
            "payment.id",
            format!(
                "payout {:?} is not this payout",
                common::short(&cb.payment_id)
            ),
        ));
    }
    if cb.sum_initial != payout.money {
        return Err(common::conflict(
            "operation.sum_initial",
            format!(
                "callback sum {} {} differs from the payout {} {}",
                cb.sum_initial.minor,
                cb.sum_initial.currency,
                payout.money.minor,
                payout.money.currency
            ),
        ));
    }
    Ok(PayoutResult {
        provider_status: cb.operation_status_raw,
        outcome: cb.operation_status.outcome(),
        operation_id: cb.operation_id,
        at: cb.operation_date,
    })
}

/// The provider (Bybit) part of a callback's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Provider id at Monetix.
    pub id: u64,
    /// The provider's payment id.
    pub payment_id: String,
    /// Authorisation code (empty for Bybit Pay).
    pub auth_code: String,
}

/// Everything a callback body carries, for a gateway that sends them. Fields follow the
/// seed's examples in order; the `signature` member is added by
/// [`crate::signature`]'s Monetix signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackRender {
    /// `project_id`.
    pub project_id: u64,
    /// `payment.id`.
    pub payment_id: String,
    /// `payment.type`: `purchase` or `payout`.
    pub payment_type: String,
    /// `payment.status`: `success`, `decline`, `refunded`, ...
    pub payment_status: String,
    /// `payment.date`.
    pub payment_date: Timestamp,
    /// `payment.sum`.
    pub payment_sum: Money,
    /// `payment.description`.
    pub description: String,
    /// `customer.id`, when the callback names the customer.
    pub customer_id: Option<String>,
    /// `operation.id`.
    pub operation_id: u64,
    /// `operation.type`.
    pub operation_type: OperationType,
    /// `operation.status`.
    pub operation_status: OperationStatus,
    /// `operation.date`.
    pub operation_date: Timestamp,
    /// `operation.created_date`.
    pub created_date: Timestamp,
    /// `operation.request_id`.
    pub request_id: String,
    /// `operation.sum_initial`.
    pub sum_initial: Money,
    /// `operation.sum_converted` (USD).
    pub sum_converted: Money,
    /// `operation.code` and `operation.message` (`"0"`/`"Success"`,
    /// `"20000"`/`"General decline"`).
    pub code: (String, String),
    /// `operation.provider`, when known.
    pub provider: Option<ProviderInfo>,
}

fn sum_json(m: &Money) -> Value {
    json!({"amount": m.minor, "currency": m.currency.code()})
}

fn status_str(s: OperationStatus) -> &'static str {
    match s {
        OperationStatus::Success => "success",
        OperationStatus::Decline => "decline",
        OperationStatus::Error => "error",
        OperationStatus::Processing => "processing",
        OperationStatus::Awaiting3dsResult => "awaiting 3ds result",
        OperationStatus::AwaitingRedirectResult => "awaiting redirect result",
        OperationStatus::AwaitingClarification => "awaiting clarification",
        OperationStatus::AwaitingCustomerAction => "awaiting customer action",
        OperationStatus::AwaitingMerchantAuth => "awaiting merchant auth",
    }
}

/// A sale, refund or payout callback body exactly as the seed's examples lay it out
/// (without `signature`).
pub fn render_callback(r: &CallbackRender) -> Value {
    let mut m = Map::new();
    m.insert("project_id".into(), json!(r.project_id));
    m.insert(
        "payment".into(),
        json!({
            "id": r.payment_id,
            "type": r.payment_type,
            "status": r.payment_status,
            "date": common::iso8601_compact_offset(r.payment_date),
            "method": "Bybit",
            "sum": sum_json(&r.payment_sum),
            "description": r.description,
        }),
    );
    if let Some(c) = &r.customer_id {
        m.insert("customer".into(), json!({"id": c}));
    }
    let mut op = Map::new();
    op.insert("id".into(), json!(r.operation_id));
    op.insert("type".into(), json!(r.operation_type.as_str()));
    op.insert("status".into(), json!(status_str(r.operation_status)));
    op.insert(
        "date".into(),
        json!(common::iso8601_compact_offset(r.operation_date)),
    );
    op.insert(
        "created_date".into(),
        json!(common::iso8601_compact_offset(r.created_date)),
    );
    op.insert("request_id".into(), json!(r.request_id));
    op.insert("sum_initial".into(), sum_json(&r.sum_initial));
    op.insert("sum_converted".into(), sum_json(&r.sum_converted));
    op.insert("code".into(), json!(r.code.0));
    op.insert("message".into(), json!(r.code.1));
    if let Some(p) = &r.provider {
        op.insert(
            "provider".into(),
            json!({"id": p.id, "payment_id": p.payment_id, "auth_code": p.auth_code}),
        );
    }
    m.insert("operation".into(), Value::Object(op));
    Value::Object(m)
}
