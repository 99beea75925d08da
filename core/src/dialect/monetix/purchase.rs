//! Seed 003 purchases: the Gate body and the Payment Page parameters, and the QR display
//! data a Gate purchase returns.

use serde_json::{json, Map, Value};

use super::{
    currency, customer_common, email, ip_address, minor_units, payment_id, project_id,
    required_text, Customer, Money, ASSET, PAYMENT_METHOD, QR_LIFETIME,
};
use crate::dialect::common;
use crate::dialect::{ParsedInvoice, Rejection};
use crate::error::{Error, Result};
use crate::invoice::{Expiry, InvoiceSpec, Pricing};
use crate::json::{parse_object, Obj};
use crate::money::Amount;
use crate::time::Timestamp;

/// Which Monetix interface a purchase request was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interface {
    /// Payment Page: flat parameters (`project_id`, `payment_amount`, `customer_email`...).
    PaymentPage,
    /// Gate: `POST /v2/payment/wallet/bybit/sale` with `general`, `customer`, `payment`.
    Gate,
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
