//! Seed 003 refunds (`POST /v2/payment/wallet/bybit/refund`) and the command a refund
//! request becomes for its invoice.

use serde_json::{json, Map, Value};

use super::{
    check_payment_id, currency, customer_common, invoice_price, ip_address, minor_units,
    payment_id, project_id, required_text, Customer, Money,
};
use crate::dialect::common;
use crate::dialect::Rejection;
use crate::error::{Error, Result};
use crate::invoice::{Command, Invoice};
use crate::json::{parse_object, Obj};
use crate::money::{Amount, Currency};

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
