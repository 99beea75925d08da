//! The paid / underpaid / overpaid decision.
//!
//! Payers of stablecoin invoices routinely send a little less than asked (exchange
//! withdrawal fees, rounding in wallets). A tolerance lets the merchant accept that
//! without a support ticket; the boundary is inclusive so "exactly the allowance short"
//! pays, as seed 004's `margin_ratio` example requires.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::json::Obj;
use crate::money::Amount;

/// How much of the due amount may be missing for the invoice to count as paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tolerance {
    /// The full amount is required (seeds 000 and 001).
    #[default]
    Exact,
    /// Up to this many asset units may be missing (seed 004 `margin_ratio`, seed 002
    /// `toleranceAmount`); `0 <= x < due`.
    Absolute(Amount),
    /// Up to this percentage of the due amount may be missing (BTCPay's payment
    /// tolerance); `0 <= p < 100`, never rounded.
    Percent(Amount),
}

impl Tolerance {
    /// Checks the range against the due amount: out of range is `invalid_field`.
    pub fn validate(&self, due: Amount) -> Result<()> {
        match self {
            Tolerance::Exact => Ok(()),
            Tolerance::Absolute(x) if *x < due => Ok(()),
            Tolerance::Absolute(x) => Err(Error::invalid_field(
                "tolerance.absolute",
                format!("allowance {x} must be less than the due amount {due}"),
            )),
            Tolerance::Percent(p) if p.as_decimal() < Decimal::ONE_HUNDRED => {
                // The allowance must be computable exactly.
                self.allowance(due).map(|_| ()).ok_or_else(|| {
                    Error::invalid_field("tolerance.percent", "allowance is not representable")
                })
            }
            Tolerance::Percent(p) => Err(Error::invalid_field(
                "tolerance.percent",
                format!("percentage {p} must be less than 100"),
            )),
        }
    }

    /// Reads `"exact"`, `{"absolute": x}` or `{"percent": p}` (amounts as strings);
    /// anything else is `invalid_field` on `field` (`invoice.tolerance` in a spec).
    pub fn from_json(value: &Value, field: &str) -> Result<Tolerance> {
        let shape = || {
            Error::invalid_field(
                field.to_owned(),
                "expected \"exact\", {\"absolute\": x} or {\"percent\": p}",
            )
        };
        match value {
            Value::String(s) if s == "exact" => Ok(Tolerance::Exact),
            Value::Object(t) => {
                let t = Obj::new(t, field);
                match (t.map().len(), t.get("absolute"), t.get("percent")) {
                    (1, Some(_), None) => Ok(Tolerance::Absolute(t.amount("absolute")?)),
                    (1, None, Some(_)) => Ok(Tolerance::Percent(t.amount("percent")?)),
                    _ => Err(shape()),
                }
            }
            _ => Err(shape()),
        }
    }

    /// `"exact"`, `{"absolute": "x"}` or `{"percent": "p"}`, the inverse of
    /// [`Tolerance::from_json`].
    pub fn to_json(&self) -> Value {
        match self {
            Tolerance::Exact => json!("exact"),
            Tolerance::Absolute(x) => json!({"absolute": x.to_string()}),
            Tolerance::Percent(p) => json!({"percent": p.to_string()}),
        }
    }

    /// The amount that may be missing from `due`; `None` only when not representable.
    pub fn allowance(&self, due: Amount) -> Option<Amount> {
        match self {
            Tolerance::Exact => Some(Amount::ZERO),
            Tolerance::Absolute(x) => Some(*x),
            Tolerance::Percent(p) => due.checked_mul(*p).and_then(|v| v.checked_percent_of()),
        }
    }

    /// The least received amount that pays `due`: `due − allowance` (inclusive boundary).
    pub fn threshold(&self, due: Amount) -> Amount {
        due.saturating_sub(self.allowance(due).unwrap_or(Amount::ZERO))
    }
}

/// What the money on an invoice means against its due amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// Received reaches the threshold.
    pub reaches_threshold: bool,
    /// Something was received, but less than the threshold.
    pub underpaid: bool,
    /// The surplus is above the overpay dust.
    pub overpaid: bool,
    /// `max(0, received − due)`.
    pub surplus: Amount,
}

/// Judges `received` against `due`, its `threshold` and the `overpay_dust`.
pub fn assess(
    received: Amount,
    due: Amount,
    threshold: Amount,
    overpay_dust: Amount,
) -> Assessment {
    let surplus = received.saturating_sub(due);
    Assessment {
        reaches_threshold: received >= threshold,
        underpaid: !received.is_zero() && received < threshold,
        overpaid: surplus > overpay_dust,
        surplus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s, "a").unwrap()
    }

    #[test]
    fn seed_004_margin_examples() {
        let t1 = Tolerance::Absolute(a("1"));
        assert_eq!(t1.threshold(a("5")), a("4"));
        assert!(assess(a("4"), a("5"), t1.threshold(a("5")), Amount::ZERO).reaches_threshold);
        assert!(!assess(a("3.9"), a("5"), t1.threshold(a("5")), Amount::ZERO).reaches_threshold);
        let t2 = Tolerance::Absolute(a("2"));
        assert!(assess(a("3.9"), a("5"), t2.threshold(a("5")), Amount::ZERO).reaches_threshold);
    }

    #[test]
    fn percent_is_not_rounded() {
        let t = Tolerance::Percent(a("1.5"));
        assert_eq!(t.threshold(a("33.33")), a("32.83005"));
        assert_eq!(
            Tolerance::Percent(a("100"))
                .validate(a("5"))
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        assert_eq!(
            Tolerance::Absolute(a("5"))
                .validate(a("5"))
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        assert!(Tolerance::Absolute(a("0")).validate(a("5")).is_ok());
    }

    #[test]
    fn dust_and_underpaid() {
        let s = assess(a("10.000001"), a("10"), a("10"), a("0.00001"));
        assert!(!s.overpaid && !s.underpaid && s.reaches_threshold);
        assert_eq!(s.surplus, a("0.000001"));
        assert!(!assess(Amount::ZERO, a("10"), a("10"), Amount::ZERO).underpaid);
    }
}
