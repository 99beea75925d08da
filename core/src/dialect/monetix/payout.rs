//! Seed 003 payouts (`POST /v2/payment/wallet/bybit/payout`): money sent to a customer,
//! belonging to no invoice.

use serde_json::{json, Value};

use super::{
    currency, customer_common, email, ip_address, minor_units, payment_id, project_id,
    required_text, Customer, Money,
};
use crate::dialect::common;
use crate::dialect::Rejection;
use crate::error::{Error, Result};
use crate::json::{parse_object, Obj};

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
