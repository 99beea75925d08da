//! What an invoice is created from, validated field by field.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::json::Obj;
use crate::money::{Amount, Asset, Currency};
use crate::time::{Duration, Timestamp};
use crate::tolerance::Tolerance;

/// Longest invoice id or reference accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Largest `metadata` accepted at `create`, as compact JSON text in bytes: state grows
/// with it and must stay small enough for every host to store and reload
/// (docs/spec.md §2 "State documents").
pub const MAX_METADATA_BYTES: usize = 16_384;
/// Deepest `metadata` accepted at `create`, in nesting levels of objects and arrays (the
/// metadata object itself is level 1).
pub const MAX_METADATA_DEPTH: usize = 16;
/// Default window after the deadline for unconfirmed payment to confirm (24 hours).
pub const DEFAULT_CONFIRMATION_WINDOW: Duration = Duration::seconds(86_400);

/// How the amount due is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pricing {
    /// Directly in the asset.
    Due(Amount),
    /// In a pricing currency, converted at `rate` asset units per currency unit, plus a
    /// surcharge in asset units; the result is rounded up to the asset's scale.
    Price {
        /// The price, fitting the currency's minor units.
        amount: Amount,
        /// The ISO-4217 currency of the price.
        currency: Currency,
        /// Asset units per unit of currency (default 1: 1 USD = 1 USDT).
        rate: Amount,
        /// Added after conversion, in asset units (seed 002 `surchargeAmount`, seed 004 fee).
        surcharge: Amount,
    },
}

/// When the invoice stops accepting on-time payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// This long after creation.
    In(Duration),
    /// At this instant (must be after creation).
    At(Timestamp),
}

/// What happens to money whose transfer was made at or after the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LatePayment {
    /// Held apart: it does not count toward the invoice, and stays refundable.
    #[default]
    Reject,
    /// Counts when made before `deadline + window` (half-open).
    AcceptWithin(Duration),
}

/// Everything an invoice is created from. Build it in code, or read it from the
/// conformance `create_invoice` JSON shape with [`InvoiceSpec::from_json`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceSpec {
    /// The host's id for the invoice; event ids derive from it.
    pub id: String,
    /// The merchant's order reference.
    pub reference: Option<String>,
    /// The amount due, directly or priced in a currency.
    pub pricing: Pricing,
    /// The asset the invoice is paid in.
    pub asset: Asset,
    /// The payment deadline.
    pub expiry: Expiry,
    /// How much may be missing for the invoice to count as paid.
    pub tolerance: Tolerance,
    /// What to do with money sent after the deadline.
    pub late_payment: LatePayment,
    /// A surplus up to this amount does not raise `overpaid`.
    pub overpay_dust: Amount,
    /// How long after the deadline unconfirmed payment may still confirm.
    pub confirmation_window: Duration,
    /// Opaque data for the host, carried along.
    pub metadata: Option<Map<String, Value>>,
}

/// The fields of an [`InvoiceSpec`] as a caller gives them, each as optional as in the
/// `create_invoice` shape. [`InvoiceSpec::from_parts`] applies the rules that tie fields
/// together (due or price, expires_in or expires_at, rate/surcharge/currency with price
/// only) and the defaults; [`InvoiceSpec::from_json`] reads the JSON shape into these
/// parts and goes through the same function, so typed constructors in the bindings and
/// the JSON reader give the same answers and errors (docs/spec.md §3 "Creating an
/// invoice").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecParts {
    /// `id`.
    pub id: String,
    /// `reference`.
    pub reference: Option<String>,
    /// `asset`.
    pub asset: Asset,
    /// `due`: the amount due in the asset (either this or `price`).
    pub due: Option<Amount>,
    /// `price.amount`: the price in a currency (either this or `due`).
    pub price: Option<Amount>,
    /// `price.currency`; with `price` only. Omitted: the default currency (USD).
    pub currency: Option<Currency>,
    /// `rate`; with `price` only. Omitted: 1.
    pub rate: Option<Amount>,
    /// `surcharge`; with `price` only. Omitted: 0.
    pub surcharge: Option<Amount>,
    /// `expires_in` (either this or `expires_at`).
    pub expires_in: Option<Duration>,
    /// `expires_at` (either this or `expires_in`).
    pub expires_at: Option<Timestamp>,
    /// `tolerance`. Omitted: exact.
    pub tolerance: Option<Tolerance>,
    /// `late_payment`. Omitted: reject.
    pub late_payment: Option<LatePayment>,
    /// `overpay_dust`. Omitted: 0.
    pub overpay_dust: Option<Amount>,
    /// `confirmation_window`. Omitted: [`DEFAULT_CONFIRMATION_WINDOW`].
    pub confirmation_window: Option<Duration>,
    /// `metadata`.
    pub metadata: Option<Map<String, Value>>,
}

impl SpecParts {
    /// Parts with only the id and the asset; set the others before
    /// [`InvoiceSpec::from_parts`].
    pub fn new(id: impl Into<String>, asset: Asset) -> SpecParts {
        SpecParts {
            id: id.into(),
            reference: None,
            asset,
            due: None,
            price: None,
            currency: None,
            rate: None,
            surcharge: None,
            expires_in: None,
            expires_at: None,
            tolerance: None,
            late_payment: None,
            overpay_dust: None,
            confirmation_window: None,
            metadata: None,
        }
    }
}

impl InvoiceSpec {
    /// A spec with the defaults: exact tolerance, late money rejected, no dust, 24 h window.
    pub fn new(id: impl Into<String>, pricing: Pricing, asset: Asset, expiry: Expiry) -> Self {
        InvoiceSpec {
            id: id.into(),
            reference: None,
            pricing,
            asset,
            expiry,
            tolerance: Tolerance::Exact,
            late_payment: LatePayment::Reject,
            overpay_dust: Amount::ZERO,
            confirmation_window: DEFAULT_CONFIRMATION_WINDOW,
            metadata: None,
        }
    }

    /// Validates every field and computes the due amount and the deadline for `now`.
    pub fn resolve(&self, now: Timestamp) -> Result<(Amount, Timestamp)> {
        check_id(&self.id, "invoice.id")?;
        if let Some(reference) = &self.reference {
            check_id(reference, "invoice.reference")?;
        }
        let scale = self.asset.scale();
        let due = match &self.pricing {
            Pricing::Due(due) => {
                positive(*due, "invoice.due")?;
                due.check_scale(scale, "invoice.due")?;
                *due
            }
            Pricing::Price {
                amount,
                currency,
                rate,
                surcharge,
            } => {
                positive(*amount, "invoice.price.amount")?;
                amount.check_scale(currency.exponent(), "invoice.price.amount")?;
                positive(*rate, "invoice.rate")?;
                surcharge.check_scale(scale, "invoice.surcharge")?;
                let out_of_range = || Error::InvalidAmount {
                    field: "invoice.price.amount".into(),
                    value: amount.to_string(),
                    reason:
                        "price × rate + surcharge, rounded up, is more than 28 significant digits",
                };
                // Exact however long the product: only the rounded result must be an
                // amount (docs/spec.md §2).
                amount
                    .mul_add_round_up(*rate, *surcharge, scale)
                    .ok_or_else(out_of_range)?
            }
        };
        self.tolerance.validate(due)?;
        if let Tolerance::Absolute(x) = self.tolerance {
            x.check_scale(scale, "invoice.tolerance.absolute")?;
        }
        self.overpay_dust
            .check_scale(scale, "invoice.overpay_dust")?;
        let deadline = match self.expiry {
            Expiry::In(d) if d.as_millis() == 0 => {
                return Err(Error::invalid_field(
                    "invoice.expires_in",
                    "must be at least 1 second",
                ))
            }
            Expiry::In(d) => now.plus(d),
            Expiry::At(t) if t <= now => {
                return Err(Error::invalid_field(
                    "invoice.expires_at",
                    format!("{t} is not after the creation time {now}"),
                ))
            }
            Expiry::At(t) => t,
        };
        check_metadata(self.metadata.as_ref())?;
        Ok((due, deadline))
    }

    /// A spec from its parts: `due` or `price` (not both, one required), `expires_in` or
    /// `expires_at` (likewise), `rate`, `surcharge` and `currency` with `price` only, and
    /// the defaults for what is omitted. Errors name the field as the JSON shape does
    /// (`invoice.price`, `invoice.due`, `invoice.rate`, ...). Values are checked against
    /// each other and the clock by [`InvoiceSpec::resolve`] at creation, as for every spec.
    pub fn from_parts(parts: SpecParts) -> Result<InvoiceSpec> {
        let SpecParts {
            id,
            reference,
            asset,
            due,
            price,
            currency,
            rate,
            surcharge,
            expires_in,
            expires_at,
            tolerance,
            late_payment,
            overpay_dust,
            confirmation_window,
            metadata,
        } = parts;
        Ok(InvoiceSpec {
            id,
            reference,
            pricing: pricing(due, price, currency, rate, surcharge)?,
            asset,
            expiry: expiry(expires_in, expires_at)?,
            tolerance: tolerance.unwrap_or_default(),
            late_payment: late_payment.unwrap_or_default(),
            overpay_dust: overpay_dust.unwrap_or(Amount::ZERO),
            confirmation_window: confirmation_window.unwrap_or(DEFAULT_CONFIRMATION_WINDOW),
            metadata,
        })
    }

    /// Reads the conformance `create_invoice` shape (`id`, `due` or `price`, `asset`,
    /// `expires_in` or `expires_at`, `tolerance`, `late_payment`, ...) into [`SpecParts`]
    /// and builds it with [`InvoiceSpec::from_parts`]. Unknown members are
    /// `invalid_field`; amounts must be strings.
    pub fn from_json(map: &Map<String, Value>) -> Result<InvoiceSpec> {
        let o = Obj::new(map, "invoice");
        o.deny_unknown(&[
            "id",
            "reference",
            "due",
            "price",
            "rate",
            "surcharge",
            "asset",
            "expires_in",
            "expires_at",
            "tolerance",
            "late_payment",
            "overpay_dust",
            "confirmation_window",
            "metadata",
        ])?;
        let id = o.str("id")?;
        let reference = o.opt_str("reference")?.map(str::to_owned);
        let mut parts = SpecParts::new(id, Asset::parse(o.str("asset")?, "invoice.asset")?);
        parts.reference = reference;
        parts.due = o.opt_amount("due")?;
        if let Some(price) = o.opt_obj("price")? {
            let p = Obj::new(price, "invoice.price");
            p.deny_unknown(&["amount", "currency"])?;
            parts.price = Some(p.amount("amount")?);
            parts.currency = p
                .opt_str("currency")?
                .map(|c| Currency::parse(c, "invoice.price.currency"))
                .transpose()?;
        }
        parts.rate = o.opt_amount("rate")?;
        parts.surcharge = o.opt_amount("surcharge")?;
        parts.expires_in = o
            .opt_u64("expires_in")?
            .map(|s| Duration::from_seconds(s, "invoice.expires_in"))
            .transpose()?;
        parts.expires_at = o
            .opt_str("expires_at")?
            .map(|t| Timestamp::parse(t, "invoice.expires_at"))
            .transpose()?;
        parts.tolerance = o
            .get("tolerance")
            .map(|t| Tolerance::from_json(t, "invoice.tolerance"))
            .transpose()?;
        parts.late_payment = o
            .get("late_payment")
            .map(LatePayment::from_json)
            .transpose()?;
        parts.overpay_dust = o.opt_amount("overpay_dust")?;
        parts.confirmation_window = o
            .opt_u64("confirmation_window")?
            .map(|s| Duration::from_seconds(s, "invoice.confirmation_window"))
            .transpose()?;
        parts.metadata = o.opt_obj("metadata")?.cloned();
        InvoiceSpec::from_parts(parts)
    }

    /// The conformance `create_invoice` shape, the inverse of [`InvoiceSpec::from_json`].
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        if let Some(r) = &self.reference {
            m.insert("reference".into(), json!(r));
        }
        match &self.pricing {
            Pricing::Due(d) => {
                m.insert("due".into(), json!(d.to_string()));
            }
            Pricing::Price {
                amount,
                currency,
                rate,
                surcharge,
            } => {
                m.insert(
                    "price".into(),
                    json!({"amount": amount.to_string(), "currency": currency.code()}),
                );
                m.insert("rate".into(), json!(rate.to_string()));
                m.insert("surcharge".into(), json!(surcharge.to_string()));
            }
        }
        m.insert("asset".into(), json!(self.asset.code()));
        match self.expiry {
            Expiry::In(d) => m.insert("expires_in".into(), json!(d.as_seconds())),
            Expiry::At(t) => m.insert("expires_at".into(), json!(t.to_string())),
        };
        m.insert("tolerance".into(), self.tolerance.to_json());
        m.insert("late_payment".into(), self.late_payment.to_json());
        m.insert("overpay_dust".into(), json!(self.overpay_dust.to_string()));
        m.insert(
            "confirmation_window".into(),
            json!(self.confirmation_window.as_seconds()),
        );
        if let Some(meta) = &self.metadata {
            m.insert("metadata".into(), Value::Object(meta.clone()));
        }
        Value::Object(m)
    }
}

/// The pricing of a spec's parts (see [`InvoiceSpec::from_parts`]).
fn pricing(
    due: Option<Amount>,
    price: Option<Amount>,
    currency: Option<Currency>,
    rate: Option<Amount>,
    surcharge: Option<Amount>,
) -> Result<Pricing> {
    match (due, price) {
        (Some(_), Some(_)) => Err(Error::invalid_field(
            "invoice.price",
            "give either due or price, not both",
        )),
        (None, None) => Err(Error::missing("invoice.due")),
        (Some(due), None) => {
            if rate.is_some() {
                return Err(Error::invalid_field(
                    "invoice.rate",
                    "rate applies to price only",
                ));
            }
            if surcharge.is_some() {
                return Err(Error::invalid_field(
                    "invoice.surcharge",
                    "surcharge applies to price only (add it to due)",
                ));
            }
            if currency.is_some() {
                return Err(Error::invalid_field(
                    "invoice.price.currency",
                    "currency applies to price only",
                ));
            }
            Ok(Pricing::Due(due))
        }
        (None, Some(amount)) => Ok(Pricing::Price {
            amount,
            // The default pricing currency is decided here, for every language
            // (docs/spec.md §2 "Pricing currencies").
            currency: currency.unwrap_or_default(),
            rate: rate.unwrap_or(Amount::from_units(1)),
            surcharge: surcharge.unwrap_or(Amount::ZERO),
        }),
    }
}

/// The expiry of a spec's parts (see [`InvoiceSpec::from_parts`]).
fn expiry(expires_in: Option<Duration>, expires_at: Option<Timestamp>) -> Result<Expiry> {
    match (expires_in, expires_at) {
        (Some(_), Some(_)) => Err(Error::invalid_field(
            "invoice.expires_at",
            "give either expires_in or expires_at, not both",
        )),
        (None, None) => Err(Error::missing("invoice.expires_in")),
        (Some(d), None) => Ok(Expiry::In(d)),
        (None, Some(t)) => Ok(Expiry::At(t)),
    }
}

impl LatePayment {
    /// Reads `"reject"` or `{"accept_within": seconds}`; anything else is
    /// `invalid_field` on `invoice.late_payment`.
    pub fn from_json(value: &Value) -> Result<LatePayment> {
        match value {
            Value::String(s) if s == "reject" => Ok(LatePayment::Reject),
            Value::Object(l) if l.len() == 1 && l.contains_key("accept_within") => {
                let l = Obj::new(l, "invoice.late_payment");
                Ok(LatePayment::AcceptWithin(Duration::from_seconds(
                    l.u64("accept_within")?,
                    "invoice.late_payment.accept_within",
                )?))
            }
            _ => Err(Error::invalid_field(
                "invoice.late_payment",
                "expected \"reject\" or {\"accept_within\": seconds}",
            )),
        }
    }

    /// `"reject"` or `{"accept_within": seconds}`, the inverse of
    /// [`LatePayment::from_json`].
    pub fn to_json(&self) -> Value {
        match self {
            LatePayment::Reject => json!("reject"),
            LatePayment::AcceptWithin(w) => json!({"accept_within": w.as_seconds()}),
        }
    }
}

fn positive(a: Amount, field: &'static str) -> Result<()> {
    if a.is_zero() {
        return Err(Error::InvalidAmount {
            field: field.into(),
            value: a.to_string(),
            reason: "must be greater than zero",
        });
    }
    Ok(())
}

/// `metadata` within [`MAX_METADATA_DEPTH`] and [`MAX_METADATA_BYTES`], else
/// `invalid_field` on `metadata` (docs/spec.md §2 "State documents").
fn check_metadata(metadata: Option<&Map<String, Value>>) -> Result<()> {
    let Some(map) = metadata else {
        return Ok(());
    };
    let depth = 1 + map.values().map(crate::json::nesting).max().unwrap_or(0);
    if depth > MAX_METADATA_DEPTH {
        return Err(Error::invalid_field(
            "metadata",
            format!("nested {depth} levels deep, more than {MAX_METADATA_DEPTH}"),
        ));
    }
    let bytes = serde_json::to_string(map).map_or(usize::MAX, |t| t.len());
    if bytes > MAX_METADATA_BYTES {
        return Err(Error::invalid_field(
            "metadata",
            format!("{bytes} bytes of compact JSON, more than {MAX_METADATA_BYTES}"),
        ));
    }
    Ok(())
}

/// Ids and references: 1 to 128 bytes, no control characters.
pub(crate) fn check_id(id: &str, field: &'static str) -> Result<()> {
    match id_problem(id) {
        Some(reason) => Err(Error::invalid_field(field, reason)),
        None => Ok(()),
    }
}

/// Why `id` is not an acceptable id or reference, if it is not (the field is the caller's).
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("must not be empty".into())
    } else if id.len() > MAX_ID_LEN {
        Some(format!("longer than {MAX_ID_LEN} bytes"))
    } else if has_control(id) {
        Some("contains control characters".into())
    } else {
        None
    }
}

/// Whether text holds a control character (C0, DEL or C1). Ids are almost always ASCII,
/// checked byte-wise; other text char-wise, where the C1 controls live.
pub(crate) fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b.is_ascii_control())
    } else {
        text.chars().any(char::is_control)
    }
}

impl Serialize for InvoiceSpec {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for InvoiceSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        InvoiceSpec::from_json(&map).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amt(s: &str) -> Amount {
        Amount::parse(s, "t").unwrap()
    }

    fn from_json(v: Value) -> Result<InvoiceSpec> {
        InvoiceSpec::from_json(v.as_object().unwrap())
    }

    fn code(r: Result<InvoiceSpec>) -> (String, Option<String>) {
        let e = r.unwrap_err();
        (e.code().to_owned(), e.field().map(str::to_owned))
    }

    #[test]
    fn parts_and_json_build_the_same_spec_with_the_same_defaults() {
        let mut parts = SpecParts::new("inv_1", Asset::UsdtTrc20);
        parts.price = Some(amt("100"));
        parts.expires_in = Some(Duration::seconds(900));
        let typed = InvoiceSpec::from_parts(parts).unwrap();
        let json = from_json(
            json!({"id": "inv_1", "asset": "USDT_TRC20", "price": {"amount": "100"}, "expires_in": 900}),
        )
        .unwrap();
        assert_eq!(typed, json);
        assert_eq!(
            typed.pricing,
            Pricing::Price {
                amount: amt("100"),
                currency: Currency::USD,
                rate: Amount::from_units(1),
                surcharge: Amount::ZERO,
            }
        );
        assert_eq!(typed.tolerance, Tolerance::Exact);
        assert_eq!(typed.late_payment, LatePayment::Reject);
        assert_eq!(typed.confirmation_window, DEFAULT_CONFIRMATION_WINDOW);
        assert_eq!(
            InvoiceSpec::from_json(typed.to_json().as_object().unwrap()),
            Ok(typed)
        );
    }

    /// The typed parts `set` and the JSON members `extra` (over an id, an asset and
    /// `expires_in: 60`) are refused with `code` on `field` both ways.
    fn refused_alike(set: fn(&mut SpecParts), extra: Option<Value>, code_: &str, field: &str) {
        let want = (code_.to_owned(), Some(field.to_owned()));
        let mut p = SpecParts::new("i", Asset::UsdtTrc20);
        p.expires_in = Some(Duration::seconds(60));
        set(&mut p);
        assert_eq!(code(InvoiceSpec::from_parts(p)), want, "typed {field}");
        if let Some(extra) = extra {
            let mut v = json!({"id": "i", "asset": "USDT_TRC20", "expires_in": 60});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            assert_eq!(code(from_json(v)), want, "json {field}");
        }
    }

    #[test]
    fn parts_and_json_refuse_the_same_combinations() {
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.price = Some(amt("1"));
            },
            Some(json!({"due": "1", "price": {"amount": "1"}})),
            "invalid_field",
            "invoice.price",
        );
        refused_alike(|_| {}, Some(json!({})), "missing_field", "invoice.due");
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.rate = Some(amt("2"));
            },
            Some(json!({"due": "1", "rate": "2"})),
            "invalid_field",
            "invoice.rate",
        );
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.surcharge = Some(amt("2"));
            },
            Some(json!({"due": "1", "surcharge": "2"})),
            "invalid_field",
            "invoice.surcharge",
        );
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.expires_at = Some(Timestamp::from_seconds(1_900_000_000, "t").unwrap());
            },
            Some(json!({"due": "1", "expires_at": "2030-03-17T17:46:40Z"})),
            "invalid_field",
            "invoice.expires_at",
        );
        // No expiry at all (the JSON base always has one).
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.expires_in = None;
            },
            None,
            "missing_field",
            "invoice.expires_in",
        );
        // A currency without a price has no JSON spelling (it lives inside `price`); the
        // typed form refuses it on the same field.
        refused_alike(
            |p| {
                p.due = Some(amt("1"));
                p.currency = Some(Currency::USD);
            },
            None,
            "invalid_field",
            "invoice.price.currency",
        );
    }
}
