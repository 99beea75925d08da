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

    /// Reads the conformance `create_invoice` shape (`id`, `due` or `price`, `asset`,
    /// `expires_in` or `expires_at`, `tolerance`, `late_payment`, ...). Unknown members are
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
        let id = o.str("id")?.to_owned();
        let reference = o.opt_str("reference")?.map(str::to_owned);
        let asset = Asset::parse(o.str("asset")?, "invoice.asset")?;
        let pricing = match (o.opt_amount("due")?, o.opt_obj("price")?) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_field(
                    "invoice.price",
                    "give either due or price, not both",
                ))
            }
            (None, None) => return Err(Error::missing("invoice.due")),
            (Some(due), None) => {
                if o.has("rate") {
                    return Err(Error::invalid_field(
                        "invoice.rate",
                        "rate applies to price only",
                    ));
                }
                if o.has("surcharge") {
                    return Err(Error::invalid_field(
                        "invoice.surcharge",
                        "surcharge applies to price only (add it to due)",
                    ));
                }
                Pricing::Due(due)
            }
            (None, Some(price)) => {
                let p = Obj::new(price, "invoice.price");
                p.deny_unknown(&["amount", "currency"])?;
                Pricing::Price {
                    amount: p.amount("amount")?,
                    currency: Currency::parse_or_default(
                        p.opt_str("currency")?,
                        "invoice.price.currency",
                    )?,
                    rate: o.opt_amount("rate")?.unwrap_or(Amount::from_units(1)),
                    surcharge: o.opt_amount("surcharge")?.unwrap_or(Amount::ZERO),
                }
            }
        };
        let expiry = match (o.get("expires_in"), o.get("expires_at")) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_field(
                    "invoice.expires_at",
                    "give either expires_in or expires_at, not both",
                ))
            }
            (None, None) => return Err(Error::missing("invoice.expires_in")),
            (Some(_), None) => Expiry::In(Duration::from_seconds(
                o.u64("expires_in")?,
                "invoice.expires_in",
            )?),
            (None, Some(_)) => Expiry::At(Timestamp::parse(
                o.str("expires_at")?,
                "invoice.expires_at",
            )?),
        };
        let tolerance = match o.get("tolerance") {
            None => Tolerance::Exact,
            Some(Value::String(s)) if s == "exact" => Tolerance::Exact,
            Some(Value::Object(t)) => {
                let t = Obj::new(t, "invoice.tolerance");
                match (t.map().len(), t.get("absolute"), t.get("percent")) {
                    (1, Some(_), None) => Tolerance::Absolute(t.amount("absolute")?),
                    (1, None, Some(_)) => Tolerance::Percent(t.amount("percent")?),
                    _ => {
                        return Err(Error::invalid_field(
                            "invoice.tolerance",
                            "expected \"exact\", {\"absolute\": x} or {\"percent\": p}",
                        ))
                    }
                }
            }
            Some(_) => {
                return Err(Error::invalid_field(
                    "invoice.tolerance",
                    "expected \"exact\", {\"absolute\": x} or {\"percent\": p}",
                ))
            }
        };
        let late_payment = match o.get("late_payment") {
            None => LatePayment::Reject,
            Some(Value::String(s)) if s == "reject" => LatePayment::Reject,
            Some(Value::Object(l)) if l.len() == 1 && l.contains_key("accept_within") => {
                let l = Obj::new(l, "invoice.late_payment");
                LatePayment::AcceptWithin(Duration::from_seconds(
                    l.u64("accept_within")?,
                    "invoice.late_payment.accept_within",
                )?)
            }
            Some(_) => {
                return Err(Error::invalid_field(
                    "invoice.late_payment",
                    "expected \"reject\" or {\"accept_within\": seconds}",
                ))
            }
        };
        let overpay_dust = o.opt_amount("overpay_dust")?.unwrap_or(Amount::ZERO);
        let confirmation_window = match o.opt_u64("confirmation_window")? {
            Some(s) => Duration::from_seconds(s, "invoice.confirmation_window")?,
            None => DEFAULT_CONFIRMATION_WINDOW,
        };
        let metadata = o.opt_obj("metadata")?.cloned();
        Ok(InvoiceSpec {
            id,
            reference,
            pricing,
            asset,
            expiry,
            tolerance,
            late_payment,
            overpay_dust,
            confirmation_window,
            metadata,
        })
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
        m.insert(
            "tolerance".into(),
            match self.tolerance {
                Tolerance::Exact => json!("exact"),
                Tolerance::Absolute(x) => json!({"absolute": x.to_string()}),
                Tolerance::Percent(p) => json!({"percent": p.to_string()}),
            },
        );
        m.insert(
            "late_payment".into(),
            match self.late_payment {
                LatePayment::Reject => json!("reject"),
                LatePayment::AcceptWithin(w) => json!({"accept_within": w.as_seconds()}),
            },
        );
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
