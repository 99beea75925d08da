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
//!
//! One file per operation: `purchase`, `refund`, `payout`, and `callback` (the callbacks
//! of all three); this module holds the constants and the field rules they share.

use serde_json::{json, Map, Value};

use super::common;
use crate::error::{Error, Result};
use crate::invoice::{Invoice, Pricing};
use crate::json::Obj;
use crate::money::{Amount, Asset, Currency};
use crate::time::Duration;

mod callback;
mod payout;
mod purchase;
mod refund;

pub use callback::{
    parse_callback, parse_payout_callback, parse_refund_callback, parse_sale_callback,
    render_callback, Callback, CallbackRender, OperationStatus, OperationType, Outcome,
    PayoutResult, ProviderInfo,
};
pub use payout::{parse_payout, PayoutRequest};
pub use purchase::{
    parse_purchase, render_display_data, Interface, PurchaseContext, PurchaseRequest,
};
pub use refund::{parse_refund, RefundRequest};

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
        // Exact: a u64 has at most 20 digits and ISO-4217 exponents are at most 4, so
        // `from_minor_units` (which refuses only exponents above 28) always succeeds.
        Amount::from_minor_units(self.minor, self.currency.exponent()).unwrap_or(Amount::ZERO)
    }

    /// `{"minor": 12300, "amount": "123", "currency": "RUB"}`.
    pub fn to_json(&self) -> Value {
        json!({"minor": self.minor, "amount": self.amount().to_string(), "currency": self.currency.code()})
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
