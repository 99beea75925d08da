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
    /// is converted to the asset in proportion to the invoice price (`refund × due /
    /// price`, computed exactly and rounded down to the asset's scale so no more leaves
    /// than was asked; docs/spec.md §8.4). A share that cannot be computed exactly in 28
    /// significant digits is `invalid_amount` on `payment.amount`, never a rounded guess.
    /// The currency must be the invoice's and `payment_id` its reference, else
    /// `integrity_conflict`.
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

/// `part × due / whole` in the invoice asset, rounded down to its scale, exactly
/// ([`Amount::mul_div_floor`]). It used to go through `rust_decimal` division, whose
/// quotient is rounded to 28 significant digits: near a step of the asset's scale that
/// rounding carried the refund one unit *above* its exact share before truncation.
fn proportional(part: Amount, whole: Amount, invoice: &Invoice) -> Result<Amount> {
    part.mul_div_floor(invoice.due(), whole, invoice.asset().scale())
        .ok_or_else(|| Error::InvalidAmount {
            field: "payment.amount".into(),
            value: part.to_string(),
            reason: "its share of the invoice's due amount cannot be computed exactly in 28 significant digits",
        })
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

#[cfg(test)]
mod tests {
    use super::super::ASSET;
    use super::*;
    use crate::invoice::{Expiry, InvoiceSpec, Pricing};
    use crate::time::{Duration, Timestamp};

    fn amt(s: &str) -> Amount {
        Amount::parse(s, "t").unwrap()
    }

    /// A purchase of `price` RUB due `price × rate + surcharge` in the Monetix asset.
    fn invoice(price: &str, rate: &str, surcharge: &str) -> Invoice {
        let mut spec = InvoiceSpec::new(
            "inv",
            Pricing::Price {
                amount: amt(price),
                currency: Currency::parse("RUB", "t").unwrap(),
                rate: amt(rate),
                surcharge: amt(surcharge),
            },
            ASSET,
            Expiry::In(Duration::seconds(3600)),
        );
        spec.reference = Some("payment_47".into());
        let now = Timestamp::from_seconds(1_700_000_000, "t").unwrap();
        Invoice::create(spec, now).unwrap().0
    }

    fn refund_of(minor: u64, invoice: &Invoice) -> Result<Option<Amount>> {
        let req = RefundRequest {
            project_id: 1,
            payment_id: "payment_47".into(),
            customer: Customer::default(),
            amount: Some(minor),
            currency: None,
            description: "d".into(),
        };
        match req.command(invoice, "r1")? {
            Command::RequestRefund { amount, .. } => Ok(amount),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refunds_are_the_price_share_of_the_due_amount_rounded_down() {
        let inv = invoice("123", "0.01", "0");
        assert_eq!(inv.due(), amt("1.23"));
        assert_eq!(refund_of(12300, &inv).unwrap(), Some(amt("1.23")));
        assert_eq!(refund_of(4100, &inv).unwrap(), Some(amt("0.41")));
        let inv = invoice("3", "0.33333333", "0");
        assert_eq!(inv.due(), amt("0.99999999"));
        assert_eq!(refund_of(300, &inv).unwrap(), Some(amt("0.99999999")));
        assert_eq!(refund_of(100, &inv).unwrap(), Some(amt("0.33333333")));
        // 0.01 / 3.00 × 0.99999999 = 0.0033333333: rounded down to the asset's 8 places.
        assert_eq!(refund_of(1, &inv).unwrap(), Some(amt("0.00333333")));
    }

    /// Regression: the share went through rust_decimal division, whose quotient is
    /// rounded to fit 28-odd digits: 0.12 / 0.13 × 70000000000000000000.28000084 =
    /// 64615384615384615384.873846929… came out as …87384693 at 8 places, one unit
    /// (10^-8 USDT) more than the refund's exact share.
    #[test]
    fn the_share_is_exact_near_28_digits() {
        let inv = invoice("0.13", "0.0001", "70000000000000000000.27998784");
        assert_eq!(inv.due(), amt("70000000000000000000.28000084"));
        assert_eq!(
            refund_of(12, &inv).unwrap(),
            Some(amt("64615384615384615384.87384692"))
        );
    }

    #[test]
    fn a_share_that_is_not_an_amount_is_refused() {
        // 184467440737095516.15 RUB / 0.01 RUB × 10 000 000 000 has 30 integer digits.
        let inv = invoice("0.01", "1", "9999999999.99");
        assert_eq!(inv.due(), amt("10000000000"));
        let err = refund_of(u64::MAX, &inv).unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("invalid_amount", Some("payment.amount"))
        );
    }
}
