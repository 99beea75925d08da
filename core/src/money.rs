//! Money: exact decimal amounts, the assets invoices are paid in, and pricing currencies.
//!
//! Amounts cross every boundary as strings. The parser is strict on purpose: `1e3`,
//! `1_000`, `+1`, ` 1` and `1.` are all rejected, because a payments API that silently
//! accepts them invites "I sent 1e3 and was charged 1000" incidents.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, FieldName, Result};

/// At most this many significant digits: the precision of `rust_decimal`.
pub const MAX_SIGNIFICANT_DIGITS: usize = 28;
/// Longest amount text accepted before any digit is looked at (leading zeros included).
const MAX_AMOUNT_TEXT: usize = 64;

/// A non-negative exact decimal amount. Equality and order are by value (`10.5 == 10.50`);
/// it prints in its shortest exact form (`10.5`). Arithmetic does not normalise on every
/// step (that is the expensive part of decimal math); printing does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// Parses an amount string strictly: `[0-9]+(\.[0-9]+)?`, at most 28 significant digits.
    /// `field` names the input in the error.
    pub fn parse(text: &str, field: impl Into<FieldName>) -> Result<Amount> {
        parse_decimal(text)
            .map(Amount::from_decimal)
            .map_err(|reason| Error::InvalidAmount {
                field: field.into(),
                value: truncate_for_message(text),
                reason,
            })
    }

    /// Reads a JSON number from its exact text (a seed API's `"amount": 10.50`), exponent
    /// form included: `1e-05`, which Python's `json.dumps` writes for 0.00001, is that
    /// number, so the caller can judge it by its own rules (docs/spec.md §2). A negative
    /// number is `invalid_amount`; one with more than 28 decimal places is
    /// `too_many_decimals` (scale 28), more than 28 significant digits `invalid_amount`.
    pub fn from_json_number(text: &str, field: impl Into<FieldName>) -> Result<Amount> {
        let field = field.into();
        let fail = |reason: &'static str| Error::InvalidAmount {
            field: field.clone(),
            value: truncate_for_message(text),
            reason,
        };
        let plain = json_number_text(text).map_err(|reason| match reason {
            NumberProblem::Places => Error::TooManyDecimals {
                field: field.clone(),
                value: truncate_for_message(text),
                scale: MAX_SIGNIFICANT_DIGITS as u32,
            },
            NumberProblem::Other(reason) => fail(reason),
        })?;
        parse_decimal(&plain)
            .map(Amount::from_decimal)
            .map_err(fail)
    }

    /// Parses a strictly positive amount.
    pub fn parse_positive(text: &str, field: impl Into<FieldName>) -> Result<Amount> {
        let field = field.into();
        let amount = Amount::parse(text, field.clone())?;
        if amount.is_zero() {
            return Err(Error::InvalidAmount {
                field,
                value: truncate_for_message(text),
                reason: "must be greater than zero",
            });
        }
        Ok(amount)
    }

    /// Wraps a decimal. Callers guarantee it is not negative.
    pub(crate) fn from_decimal(d: Decimal) -> Amount {
        Amount(d)
    }

    /// An amount from a whole number of units.
    pub fn from_units(units: u64) -> Amount {
        Amount(Decimal::from(units))
    }

    /// The underlying decimal, for arithmetic inside the core.
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// Whether this is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Number of decimal places in the shortest form (`1.50` has 1).
    pub fn decimal_places(&self) -> u32 {
        self.0.normalize().scale()
    }

    /// Checks that the amount fits `scale` decimal places; trailing zeros are free.
    pub fn check_scale(&self, scale: u32, field: impl Into<FieldName>) -> Result<()> {
        if self.decimal_places() > scale {
            return Err(Error::TooManyDecimals {
                field: field.into(),
                value: self.to_string(),
                scale,
            });
        }
        Ok(())
    }

    /// The exact sum, or `None` when it needs more than 28 significant digits (rust_decimal
    /// would silently round it).
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        // rust_decimal returns the other operand unchanged when one side is zero.
        if self.is_zero() || other.is_zero() {
            return Some(if self.is_zero() { other } else { self });
        }
        exact_op(self.0, other.0, Decimal::checked_add).map(Amount)
    }

    /// The exact difference, or `None` when `other > self` or it cannot be held exactly.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        if other.0 > self.0 {
            return None;
        }
        if other.is_zero() {
            return Some(self);
        }
        exact_op(self.0, other.0, Decimal::checked_sub).map(Amount)
    }

    /// The exact product, or `None` when it cannot be held exactly in 28 digits.
    pub fn checked_mul(self, other: Amount) -> Option<Amount> {
        if self.is_zero() || other.is_zero() {
            return Some(Amount::ZERO);
        }
        let r = self.0.checked_mul(other.0)?;
        exact(r, self.0.scale() + other.0.scale()).map(Amount)
    }

    /// This amount divided by 100, exactly (a percentage), or `None`.
    pub fn checked_percent_of(self) -> Option<Amount> {
        if self.is_zero() {
            return Some(Amount::ZERO);
        }
        let mut d = self.0;
        d.set_scale(d.scale() + 2).ok()?;
        exact(d, d.scale()).map(Amount)
    }

    /// Whether the value fits the amount grammar (at most 28 significant digits), so its
    /// text reads back as the same amount.
    pub fn fits_grammar(&self) -> bool {
        fits_28_digits(self.0)
    }

    /// Sum, saturating at the decimal maximum rather than panicking. Used only on totals the
    /// core has already proved exact (see `checked_add`).
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount::from_decimal(self.0.saturating_add(other.0))
    }

    /// Difference, floored at zero: money on an invoice is never negative.
    pub fn saturating_sub(self, other: Amount) -> Amount {
        if other.0 >= self.0 {
            Amount::ZERO
        } else {
            Amount::from_decimal(self.0 - other.0)
        }
    }

    /// The largest amount not above `self - other` (zero when `other >= self`). Equal to
    /// [`Amount::checked_sub`] whenever that is exact; otherwise the difference has more
    /// than 28 significant digits and is cut *down* to 28, so what it reports as available
    /// is never more than what is.
    pub fn floor_sub(self, other: Amount) -> Amount {
        if other.0 >= self.0 {
            return Amount::ZERO;
        }
        if let Some(exact) = self.checked_sub(other) {
            return exact;
        }
        // rust_decimal rounds the inexact difference to fit; rounding never crosses a power
        // of ten downwards, so its integer digits are at least the true ones, and `self`
        // (larger, and itself an amount) is exact at `keep` decimals.
        let Some(approx) = self.0.checked_sub(other.0) else {
            return Amount::ZERO;
        };
        // It may also round *up* across one (…999.95 → 1000), so one more decimal is tried.
        let int_digits = approx
            .trunc()
            .normalize()
            .mantissa()
            .unsigned_abs()
            .checked_ilog10();
        let keep = (MAX_SIGNIFICANT_DIGITS as u32).saturating_sub(int_digits.map_or(0, |d| d + 1));
        // `self − (other rounded up to `decimals` places)`: never above the exact rest.
        let cut = |decimals: u32| {
            let other_up = other
                .0
                .round_dp_with_strategy(decimals, RoundingStrategy::AwayFromZero);
            self.checked_sub(Amount(other_up))
        };
        let finer = (keep < MAX_SIGNIFICANT_DIGITS as u32)
            .then(|| cut(keep + 1))
            .flatten();
        finer.or_else(|| cut(keep)).unwrap_or(Amount::ZERO)
    }

    /// `self × factor + addend`, computed exactly however many digits the product needs on
    /// the way (a 28-digit rate such as `1 / 1.08` times a 2-decimal price needs 30), then
    /// rounded up to `scale` decimal places. `None` when the result is not an amount (more
    /// than 28 significant digits or decimal places). The due amount of a priced invoice
    /// (docs/spec.md §2).
    pub fn mul_add_round_up(self, factor: Amount, addend: Amount, scale: u32) -> Option<Amount> {
        wide::mul_add_round_up(self.0, factor.0, addend.0, scale).map(Amount)
    }

    /// `self × factor ÷ divisor`, rounded down to `scale` decimal places, computed exactly
    /// however many digits the product and the quotient need on the way (no 28-digit
    /// rounding of an intermediate, which can carry a quotient across a step of `scale`).
    /// `None` when `divisor` is zero or the result is not an amount (more than 28
    /// significant digits or decimal places). A share of a total in proportion to a price
    /// (docs/spec.md §8.4, Monetix refunds).
    pub fn mul_div_floor(self, factor: Amount, divisor: Amount, scale: u32) -> Option<Amount> {
        wide::mul_div_floor(self.0, factor.0, divisor.0, scale).map(Amount)
    }

    /// Rounds up (away from zero) to `scale` decimal places. Check [`Amount::fits_grammar`]
    /// on the result when the input is near 28 digits.
    pub fn round_up(self, scale: u32) -> Amount {
        Amount::from_decimal(
            self.0
                .round_dp_with_strategy(scale, RoundingStrategy::AwayFromZero),
        )
    }

    /// The amount in minor units of a currency with `exponent` decimals, when it is whole.
    pub fn to_minor_units(&self, exponent: u32) -> Option<u64> {
        use rust_decimal::prelude::ToPrimitive;
        let scaled = self
            .0
            .checked_mul(Decimal::from(10u64.checked_pow(exponent)?))?;
        if scaled.fract().is_zero() {
            scaled.trunc().to_u64()
        } else {
            None
        }
    }

    /// An amount from minor units of a currency with `exponent` decimals (`12300`, 2 -> `123`).
    pub fn from_minor_units(units: u64, exponent: u32) -> Option<Amount> {
        let mut d = Decimal::from(units);
        d.set_scale(exponent).ok()?;
        Some(Amount::from_decimal(d))
    }
}

/// Exact arithmetic beyond 28 digits, for the places that need it: a product of two
/// amounts before it is rounded or divided (docs/spec.md §2 "Due amount"). A 256-bit unsigned integer
/// in four little-endian 64-bit limbs is enough for two 96-bit mantissas plus a scaled
/// addend.
mod wide {
    use rust_decimal::Decimal;

    use super::{MAX_SIGNIFICANT_DIGITS, TEN_POW_28};

    #[derive(Clone, Copy, PartialEq, Eq)]
    struct U256([u64; 4]);

    impl U256 {
        const ZERO: U256 = U256([0; 4]);

        fn from_u128(v: u128) -> U256 {
            U256([v as u64, (v >> 64) as u64, 0, 0])
        }

        fn to_u128(self) -> Option<u128> {
            let [a, b, c, d] = self.0;
            (c == 0 && d == 0).then_some(u128::from(a) | (u128::from(b) << 64))
        }

        fn is_zero(self) -> bool {
            self == U256::ZERO
        }

        /// `self × m`, or `None` on overflow.
        fn mul_small(self, m: u64) -> Option<U256> {
            let mut out = [0u64; 4];
            let mut carry: u128 = 0;
            for (o, limb) in out.iter_mut().zip(self.0) {
                let v = u128::from(limb) * u128::from(m) + carry;
                *o = v as u64;
                carry = v >> 64;
            }
            (carry == 0).then_some(U256(out))
        }

        /// `self + other`, or `None` on overflow.
        fn add(self, other: U256) -> Option<U256> {
            let mut out = [0u64; 4];
            let mut carry = false;
            for ((o, a), b) in out.iter_mut().zip(self.0).zip(other.0) {
                let (s1, c1) = a.overflowing_add(b);
                let (s2, c2) = s1.overflowing_add(u64::from(carry));
                *o = s2;
                carry = c1 || c2;
            }
            (!carry).then_some(U256(out))
        }

        /// `(self / d, self % d)` for a non-zero `d`.
        fn div_rem_small(self, d: u64) -> (U256, u64) {
            let mut out = [0u64; 4];
            let mut rem: u128 = 0;
            for (o, limb) in out.iter_mut().zip(self.0).rev() {
                let cur = (rem << 64) | u128::from(limb);
                *o = (cur / u128::from(d)) as u64;
                rem = cur % u128::from(d);
            }
            (U256(out), rem as u64)
        }

        /// `(self / d, self % d)` for a non-zero `d` below 2^127, bit by bit (the remainder
        /// stays below `d`, so shifting it left never overflows).
        fn div_rem_u128(self, d: u128) -> Option<(U256, u128)> {
            if d == 0 || d >> 127 != 0 {
                return None;
            }
            let mut out = [0u64; 4];
            let mut rem: u128 = 0;
            for (i, limb) in self.0.iter().enumerate().rev() {
                for bit in (0..64).rev() {
                    rem = (rem << 1) | u128::from((limb >> bit) & 1);
                    if rem >= d {
                        rem -= d;
                        if let Some(o) = out.get_mut(i) {
                            *o |= 1 << bit;
                        }
                    }
                }
            }
            Some((U256(out), rem))
        }

        /// `a × b` for two 128-bit values: never overflows 256 bits.
        fn mul_u128(a: u128, b: u128) -> U256 {
            let (a0, a1) = (a as u64, (a >> 64) as u64);
            let (b0, b1) = (b as u64, (b >> 64) as u64);
            let lo = U256::from_u128(u128::from(a0) * u128::from(b0));
            let mid1 = u128::from(a0) * u128::from(b1);
            let mid2 = u128::from(a1) * u128::from(b0);
            let hi = u128::from(a1) * u128::from(b1);
            let shifted = |v: u128, limbs: usize| {
                let mut out = [0u64; 4];
                for (i, o) in out.iter_mut().enumerate() {
                    *o = match i.checked_sub(limbs) {
                        Some(0) => v as u64,
                        Some(1) => (v >> 64) as u64,
                        _ => 0,
                    };
                }
                U256(out)
            };
            // The sum is a × b < 2^256, so no step overflows.
            [shifted(mid1, 1), shifted(mid2, 1), shifted(hi, 2)]
                .into_iter()
                .fold(lo, |acc, v| acc.add(v).unwrap_or(acc))
        }
    }

    /// `10^n` steps of at most 10^19 (which fits a limb).
    fn pow10_steps(mut n: u32) -> impl Iterator<Item = u64> {
        std::iter::from_fn(move || {
            (n > 0).then(|| {
                let step = n.min(19);
                n -= step;
                10u64.pow(step)
            })
        })
    }

    fn scale_up(v: U256, n: u32) -> Option<U256> {
        pow10_steps(n).try_fold(v, |acc, m| acc.mul_small(m))
    }

    /// `⌊a × b ÷ c⌋` at `scale` decimals, exactly: `⌊am·bm·10^(scale+sc) ÷
    /// (cm·10^(sa+sb))⌋` in integers. When the power of ten lands on the divisor side it is
    /// divided out first (`⌊⌊n ÷ x⌋ ÷ y⌋ = ⌊n ÷ xy⌋` for positive integers).
    pub(super) fn mul_div_floor(a: Decimal, b: Decimal, c: Decimal, scale: u32) -> Option<Decimal> {
        if a.is_sign_negative() || b.is_sign_negative() || c.is_sign_negative() || c.is_zero() {
            return None;
        }
        if scale > MAX_SIGNIFICANT_DIGITS as u32 {
            return None;
        }
        let product = U256::mul_u128(a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
        let (up, down) = (scale + c.scale(), a.scale() + b.scale());
        let numerator = if up >= down {
            scale_up(product, up - down)?
        } else {
            pow10_steps(down - up).fold(product, |v, d| v.div_rem_small(d).0)
        };
        let (quotient, _) = numerator.div_rem_u128(c.mantissa().unsigned_abs())?;
        to_decimal(quotient, scale)
    }

    /// `value × 10^-scale` in its shortest form, when that is an amount.
    fn to_decimal(mut value: U256, mut value_scale: u32) -> Option<Decimal> {
        while value_scale > 0 && !value.is_zero() {
            let (q, r) = value.div_rem_small(10);
            if r != 0 {
                break;
            }
            value = q;
            value_scale -= 1;
        }
        let mantissa = value.to_u128().filter(|m| *m < TEN_POW_28)?;
        if value_scale > MAX_SIGNIFICANT_DIGITS as u32 {
            return None;
        }
        Decimal::try_from_i128_with_scale(i128::try_from(mantissa).ok()?, value_scale).ok()
    }

    pub(super) fn mul_add_round_up(
        a: Decimal,
        b: Decimal,
        c: Decimal,
        scale: u32,
    ) -> Option<Decimal> {
        if a.is_sign_negative() || b.is_sign_negative() || c.is_sign_negative() {
            return None;
        }
        // a × b + c at the common scale s, exactly.
        let product = U256::mul_u128(a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
        let product_scale = a.scale() + b.scale();
        let s = product_scale.max(c.scale());
        let sum = scale_up(product, s - product_scale)?.add(scale_up(
            U256::from_u128(c.mantissa().unsigned_abs()),
            s - c.scale(),
        )?)?;
        // Rounded up to `scale`: divide by 10^(s − scale), adding one if anything was cut.
        let (mut value, mut value_scale) = (sum, s);
        if s > scale {
            let mut cut = false;
            for d in pow10_steps(s - scale) {
                let (q, r) = value.div_rem_small(d);
                value = q;
                cut |= r != 0;
            }
            if cut {
                value = value.add(U256::from_u128(1))?;
            }
            value_scale = scale;
        }
        // Shortest form, so 28 digits are judged on the value.
        to_decimal(value, value_scale)
    }
}

/// 10^28: a mantissa below it has at most 28 digits.
const TEN_POW_28: u128 = 10_000_000_000_000_000_000_000_000_000;

fn fits_28_digits(d: Decimal) -> bool {
    // Normalising only drops trailing zeros, so a mantissa already below 10^28 fits; the
    // (rare) larger one is normalised before it is judged.
    d.mantissa().unsigned_abs() < TEN_POW_28 || d.normalize().mantissa().unsigned_abs() < TEN_POW_28
}

/// `a op b` (add or sub) when exact and within 28 digits. Operands are used as they are
/// first (no normalising on the hot path); trailing zeros can make an exact result look
/// rounded (`1.000000 + 9…998` needs 34 digits at scale 6), so a refusal is retried on
/// normalised operands before it stands.
fn exact_op(
    a: Decimal,
    b: Decimal,
    op: fn(Decimal, Decimal) -> Option<Decimal>,
) -> Option<Decimal> {
    let run = |a: Decimal, b: Decimal| op(a, b).and_then(|r| exact(r, a.scale().max(b.scale())));
    run(a, b).or_else(|| {
        let (na, nb) = (a.normalize(), b.normalize());
        if (na.scale(), nb.scale()) == (a.scale(), b.scale()) {
            return None;
        }
        run(na, nb)
    })
}

/// `r` if it was computed without rounding (rust_decimal lowers the scale when it has to
/// round) and fits 28 significant digits.
fn exact(r: Decimal, expected_scale: u32) -> Option<Decimal> {
    (r.scale() == expected_scale && fits_28_digits(r)).then_some(r)
}

/// Why a JSON number is not an amount.
enum NumberProblem {
    /// More than 28 decimal places.
    Places,
    Other(&'static str),
}

/// Rewrites the text of a JSON number (`-?int(.frac)?([eE][+-]?exp)?`) as a plain decimal
/// of the amount grammar, exactly, or says why it is not an amount. The exponent only
/// moves the decimal point, so nothing is rounded.
fn json_number_text(text: &str) -> std::result::Result<String, NumberProblem> {
    use NumberProblem::Other;
    if text.len() > 2 * MAX_AMOUNT_TEXT {
        return Err(Other("too long"));
    }
    if text.starts_with('-') {
        return Err(Other("must not be negative"));
    }
    let (number, exponent) = match text.find(['e', 'E']) {
        Some(i) => (
            text.get(..i).unwrap_or_default(),
            Some(text.get(i + 1..).unwrap_or_default()),
        ),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (int_part, frac_part, frac_ok) = match number.split_once('.') {
        Some((int, frac)) => (int, frac, all_digits(frac)),
        None => (number, "", true),
    };
    if !all_digits(int_part) || !frac_ok {
        return Err(Other("expected a JSON number"));
    }
    // The exponent, clamped: anything beyond ±10^6 is far outside 28 digits either way.
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (negative, digits) = match e.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, e.strip_prefix('+').unwrap_or(e)),
            };
            if !all_digits(digits) {
                return Err(Other("expected a JSON number"));
            }
            let trimmed = digits.trim_start_matches('0');
            let magnitude = if trimmed.len() > 7 {
                10_000_000
            } else {
                trimmed.parse::<i64>().unwrap_or(0)
            };
            if negative {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    // value = digits × 10^point, digits without leading or trailing zeros.
    let joined: String = [int_part, frac_part].concat();
    let lead = joined.bytes().take_while(|&b| b == b'0').count();
    let digits = joined.get(lead..).unwrap_or_default();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        return Ok("0".to_owned());
    }
    let trailing = joined.len() - lead - digits.len();
    let point = exponent - frac_part.len() as i64 + trailing as i64;
    let places = (-point).max(0);
    if places > MAX_SIGNIFICANT_DIGITS as i64 {
        return Err(NumberProblem::Places);
    }
    let int_digits = digits.len() as i64 + point;
    if digits.len() > MAX_SIGNIFICANT_DIGITS || int_digits > MAX_SIGNIFICANT_DIGITS as i64 {
        return Err(Other("more than 28 significant digits"));
    }
    Ok(if point >= 0 {
        // A whole number: the digits and `point` zeros.
        let zeros = "0".repeat(usize::try_from(point).unwrap_or(0));
        format!("{digits}{zeros}")
    } else if int_digits > 0 {
        let split = usize::try_from(int_digits).unwrap_or(0);
        let (int, frac) = digits.split_at_checked(split).unwrap_or((digits, ""));
        format!("{int}.{frac}")
    } else {
        let zeros = "0".repeat(usize::try_from(-int_digits).unwrap_or(0));
        format!("0.{zeros}{digits}")
    })
}

/// The strict grammar. Returns the reason on failure (no allocation on the happy path).
fn parse_decimal(text: &str) -> std::result::Result<Decimal, &'static str> {
    if text.is_empty() {
        return Err("empty");
    }
    if text.len() > MAX_AMOUNT_TEXT {
        return Err("too long");
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((int, frac)) => (int.as_bytes(), Some(frac.as_bytes())),
        None => (text.as_bytes(), None),
    };
    if int_part.is_empty() {
        return Err("expected a digit before the decimal point");
    }
    if !int_part.iter().all(u8::is_ascii_digit) {
        return Err("expected only ASCII digits and one decimal point (no sign, exponent, underscore or space)");
    }
    if let Some(frac) = frac_part {
        if frac.is_empty() {
            return Err("expected a digit after the decimal point");
        }
        if !frac.iter().all(u8::is_ascii_digit) {
            return Err("expected only ASCII digits and one decimal point (no sign, exponent, underscore or space)");
        }
    }
    // Count significant digits: strip leading zeros of the integer part and trailing zeros
    // of the fraction (they are free), then what remains must fit the decimal's precision.
    let int_trimmed: &[u8] = {
        let first = int_part.iter().position(|&b| b != b'0');
        match first {
            Some(i) => int_part.get(i..).unwrap_or_default(),
            None => &[],
        }
    };
    let frac_trimmed: &[u8] = match frac_part {
        Some(frac) => {
            let last = frac.iter().rposition(|&b| b != b'0');
            match last {
                Some(i) => frac.get(..=i).unwrap_or_default(),
                None => &[],
            }
        }
        None => &[],
    };
    if frac_trimmed.len() > MAX_SIGNIFICANT_DIGITS {
        return Err("more than 28 decimal places");
    }
    let significant = if int_trimmed.is_empty() {
        // 0.000123: leading fraction zeros are not significant, but they take scale.
        let lead = frac_trimmed.iter().take_while(|&&b| b == b'0').count();
        frac_trimmed.len() - lead
    } else {
        int_trimmed.len() + frac_trimmed.len()
    };
    if significant > MAX_SIGNIFICANT_DIGITS
        || int_trimmed.len() + frac_trimmed.len() > MAX_SIGNIFICANT_DIGITS
    {
        return Err("more than 28 significant digits");
    }
    let mut mantissa: i128 = 0;
    for &b in int_trimmed.iter().chain(frac_trimmed.iter()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
            .ok_or("more than 28 significant digits")?;
    }
    let scale = u32::try_from(frac_trimmed.len()).map_err(|_| "too long")?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| "out of range")
}

fn truncate_for_message(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.normalize(), f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0.normalize())
    }
}

impl FromStr for Amount {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Amount::parse(s, "amount")
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0.normalize())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_decimal(&text)
            .map(Amount::from_decimal)
            .map_err(serde::de::Error::custom)
    }
}

/// A stablecoin on a network. The scale is the token's on-chain decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Asset {
    /// USDT on Tron, 6 decimals.
    #[serde(rename = "USDT_TRC20")]
    UsdtTrc20,
    /// USDT on Ethereum, 6 decimals.
    #[serde(rename = "USDT_ERC20")]
    UsdtErc20,
    /// USDT on BNB Smart Chain, 18 decimals.
    #[serde(rename = "USDT_BSC")]
    UsdtBsc,
    /// USDT on Polygon (alias `USDT_MATIC`), 6 decimals.
    #[serde(rename = "USDT_POLYGON", alias = "USDT_MATIC")]
    UsdtPolygon,
    /// USDT moved inside Bybit (internal transfers, seed 000), 8 decimals.
    #[serde(rename = "USDT_BYBIT")]
    UsdtBybit,
}

impl Asset {
    /// Every asset, in a stable order.
    pub const ALL: [Asset; 5] = [
        Asset::UsdtTrc20,
        Asset::UsdtErc20,
        Asset::UsdtBsc,
        Asset::UsdtPolygon,
        Asset::UsdtBybit,
    ];

    /// The canonical code (`USDT_TRC20`).
    pub fn code(&self) -> &'static str {
        match self {
            Asset::UsdtTrc20 => "USDT_TRC20",
            Asset::UsdtErc20 => "USDT_ERC20",
            Asset::UsdtBsc => "USDT_BSC",
            Asset::UsdtPolygon => "USDT_POLYGON",
            Asset::UsdtBybit => "USDT_BYBIT",
        }
    }

    /// Decimal places a transfer of this asset can carry.
    pub fn scale(&self) -> u32 {
        match self {
            Asset::UsdtTrc20 | Asset::UsdtErc20 | Asset::UsdtPolygon => 6,
            Asset::UsdtBsc => 18,
            Asset::UsdtBybit => 8,
        }
    }

    /// Parses an asset code (case-sensitive, as the contract spells it; `USDT_MATIC` is an alias).
    pub fn parse(code: &str, field: impl Into<FieldName>) -> Result<Asset> {
        match code {
            "USDT_TRC20" => Ok(Asset::UsdtTrc20),
            "USDT_ERC20" => Ok(Asset::UsdtErc20),
            "USDT_BSC" => Ok(Asset::UsdtBsc),
            "USDT_POLYGON" | "USDT_MATIC" => Ok(Asset::UsdtPolygon),
            "USDT_BYBIT" => Ok(Asset::UsdtBybit),
            _ => Err(Error::InvalidAsset {
                field: field.into(),
                value: truncate_for_message(code),
            }),
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An ISO-4217 pricing currency, with the number of minor-unit digits it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

/// ISO-4217 active codes and their minor-unit exponents (ISO 4217 list, 2024 edition).
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

impl Currency {
    /// US dollars, the default pricing currency.
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };

    /// Looks up an ISO-4217 alphabetic code (upper case). Unknown codes are `invalid_field`.
    pub fn parse(code: &str, field: impl Into<FieldName>) -> Result<Currency> {
        CURRENCIES
            .binary_search_by(|(c, _)| (*c).cmp(code))
            .ok()
            .and_then(|i| CURRENCIES.get(i))
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| {
                Error::invalid_field(
                    field,
                    format!("unknown ISO-4217 currency {:?}", truncate_for_message(code)),
                )
            })
    }

    /// The pricing currency of an optional code: USD when it is omitted, decided here so
    /// every language agrees (docs/spec.md §2); otherwise [`Currency::parse`].
    pub fn parse_or_default(code: Option<&str>, field: impl Into<FieldName>) -> Result<Currency> {
        match code {
            Some(code) => Currency::parse(code, field),
            None => Ok(Currency::default()),
        }
    }

    /// The alphabetic code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Number of minor-unit digits (USD 2, JPY 0, KWD 3).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

/// USD: the pricing currency when none is given (docs/spec.md §2).
impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::parse(&text, "currency").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {

    /// `mul_div_floor` against integer arithmetic: `floor(a·b·10^s / c)` over small
    /// mantissas at several scales, the divisor's scale included.
    #[test]
    fn mul_div_floor_is_the_exact_floor() {
        let dec = |m: u64, scale: u32| Amount::from_minor_units(m, scale).unwrap();
        for a in 1..=24u64 {
            for b in 1..=24u64 {
                for c in [1u64, 3, 7, 9, 11, 12, 13, 30, 97] {
                    for (sa, sb, sc, s) in [(0, 0, 0, 0), (2, 6, 2, 6), (2, 0, 1, 3), (0, 2, 3, 1)]
                    {
                        // (a/10^sa)(b/10^sb)/(c/10^sc) at s decimals:
                        // floor(a·b·10^(s+sc) / (c·10^(sa+sb))).
                        let num = u128::from(a * b) * 10u128.pow(s + sc);
                        let den = u128::from(c) * 10u128.pow(sa + sb);
                        let want = u64::try_from(num / den).unwrap();
                        let got = dec(a, sa).mul_div_floor(dec(b, sb), dec(c, sc), s);
                        assert_eq!(
                            got,
                            Some(dec(want, s)),
                            "{a}e-{sa} × {b}e-{sb} / {c}e-{sc} @ {s}"
                        );
                    }
                }
            }
        }
        assert_eq!(dec(1, 0).mul_div_floor(dec(1, 0), Amount::ZERO, 6), None);
    }

    /// Two shares rust_decimal gets one unit wrong at 6 places: its quotient of an exact
    /// 29-digit product, rounded to fit, carries …238100|95… up to …238101; and a product
    /// of 29 digits is itself rounded before the division. Both are exact here.
    #[test]
    fn mul_div_floor_does_not_trust_rounded_intermediates() {
        let a = |s: &str| Amount::parse(s, "t").unwrap();
        let naive = |p: Amount, d: Amount, w: Amount| {
            (p.as_decimal() * d.as_decimal() / w.as_decimal())
                .round_dp_with_strategy(6, RoundingStrategy::ToZero)
                .to_string()
        };
        let (part, due, price) = (a("0.04"), a("7000000000000000000010.00003"), a("0.21"));
        assert_eq!(naive(part, due, price), "1333333333333333333335.238101");
        assert_eq!(
            part.mul_div_floor(due, price, 6),
            Some(a("1333333333333333333335.2381"))
        );
        let (part, due, price) = (a("0.12"), a("7000000000000000000006.000018"), a("0.13"));
        assert_eq!(naive(part, due, price), "6461538461538461538467.07694");
        assert_eq!(
            part.mul_div_floor(due, price, 6),
            Some(a("6461538461538461538467.076939"))
        );
    }

    /// A product or a result beyond 28 significant digits is refused, not rounded.
    #[test]
    fn mul_div_floor_refuses_what_it_cannot_hold() {
        let a = Amount::parse("12345678901234567.89", "t").unwrap();
        let b = Amount::parse("1234567890123.456789", "t").unwrap();
        assert_eq!(a.mul_div_floor(b, Amount::from_units(1), 6), None);
        // 10^22 / 0.03 = 333…333.333333|3… has 23 integer digits: not an amount at 6 places.
        let big = Amount::parse("10000000000000000000000", "t").unwrap();
        let price = Amount::parse("0.03", "t").unwrap();
        assert_eq!(big.mul_div_floor(Amount::from_units(1), price, 6), None);
    }
    use super::*;

    fn ok(s: &str) -> String {
        Amount::parse(s, "a")
            .map(|a| a.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn floor_sub_never_reports_more_than_the_exact_rest() {
        let a = |s: &str| Amount::parse(s, "a").unwrap();
        assert_eq!(a("10.5").floor_sub(a("0.25")), a("10.25"));
        assert_eq!(a("1").floor_sub(a("1")), Amount::ZERO);
        assert_eq!(a("1").floor_sub(a("2")), Amount::ZERO);
        let big = a("9999999999999999999999999999");
        // Exact rest 9999999999999999999999999998.999999 needs 34 digits: cut down, not up.
        assert_eq!(
            big.floor_sub(a("0.000001")),
            a("9999999999999999999999999998")
        );
        assert_eq!(
            a("1000000000000000000000000000").floor_sub(a("0.5")),
            a("999999999999999999999999999.5")
        );
        assert_eq!(
            a("1000000000000000000000000000").floor_sub(a("0.05")),
            a("999999999999999999999999999.9")
        );
    }

    #[test]
    fn strict_grammar() {
        assert_eq!(ok("10.50"), "10.5");
        assert_eq!(ok("0"), "0");
        assert_eq!(ok("007.000"), "7");
        assert_eq!(ok("0.000001"), "0.000001");
        for bad in [
            "", "1e3", "1_000", "+1", "-1", " 1", "1 ", "1.", ".5", "1..2", "1,5", "0x10", "１",
        ] {
            let err = Amount::parse(bad, "a").err().map(|e| e.code());
            assert_eq!(err, Some("invalid_amount"), "{bad:?}");
        }
    }

    #[test]
    fn precision_limit() {
        assert_eq!(
            ok("1234567890123456789012345678"),
            "1234567890123456789012345678"
        );
        assert!(Amount::parse("12345678901234567890123456789", "a").is_err());
        assert_eq!(
            ok("0.0000000000000000000000000001"),
            "0.0000000000000000000000000001"
        );
        assert!(Amount::parse("0.00000000000000000000000000001", "a").is_err());
    }

    #[test]
    fn decimal_places_are_capped_at_28_on_the_value() {
        let err = Amount::parse("0.00000000000000000000000000001", "a").unwrap_err();
        assert_eq!(err.code(), "invalid_amount");
        assert!(err.to_string().contains("28 decimal places"), "{err}");
        // Trailing zeros are free: 30 written places, 1 on the value.
        assert_eq!(ok("1.000000000000000000000000000000"), "1");
        assert!(Amount::parse("1.0000000000000000000000000001", "a").is_err());
    }

    #[test]
    fn json_numbers_in_exponent_form_are_read_exactly() {
        let n = |s: &str| {
            Amount::from_json_number(s, "a")
                .map(|a| a.to_string())
                .unwrap_or_else(|e| e.code().to_owned())
        };
        assert_eq!(n("1e-05"), "0.00001");
        assert_eq!(n("1E-5"), "0.00001");
        assert_eq!(n("1.5e2"), "150");
        assert_eq!(n("1.5e+2"), "150");
        assert_eq!(n("1.23e4"), "12300");
        assert_eq!(n("12.5e-1"), "1.25");
        assert_eq!(n("0.000e5"), "0");
        assert_eq!(n("10.50"), "10.5");
        assert_eq!(n("0"), "0");
        assert_eq!(n("100e-2"), "1");
        assert_eq!(n("1e-28"), "0.0000000000000000000000000001");
        assert_eq!(n("1e-29"), "too_many_decimals");
        assert_eq!(n("1e-99999999999999999999"), "too_many_decimals");
        assert_eq!(n("1e27"), "1000000000000000000000000000");
        assert_eq!(n("1e28"), "invalid_amount");
        assert_eq!(n("1e99999999999999999999"), "invalid_amount");
        assert_eq!(n("-1e-05"), "invalid_amount");
        assert_eq!(n("-0"), "invalid_amount");
        assert_eq!(n("1e"), "invalid_amount");
        assert_eq!(n("1.e5"), "invalid_amount");
        assert_eq!(n(".5"), "invalid_amount");
    }

    #[test]
    fn due_products_are_exact_before_rounding() {
        // Python: Decimal(1) / Decimal("1.08") at its default 28-digit precision.
        let rate = Amount::parse("0.9259259259259259259259259259", "r").unwrap();
        let a = |s: &str| Amount::parse(s, "a").unwrap();
        let due = |price: &str, surcharge: &str, scale: u32| {
            a(price)
                .mul_add_round_up(rate, a(surcharge), scale)
                .map(|d| d.to_string())
        };
        // Expected values from Python's decimal at 100 digits, quantized ROUND_UP.
        assert_eq!(due("100.00", "0", 6).as_deref(), Some("92.592593"));
        assert_eq!(due("19.99", "0", 6).as_deref(), Some("18.50926"));
        assert_eq!(
            due("19.99", "0", 18).as_deref(),
            Some("18.50925925925925926")
        );
        assert_eq!(due("0.01", "1.5", 6).as_deref(), Some("1.50926"));
        assert_eq!(
            due("9999999999.99", "0", 8).as_deref(),
            Some("9259259259.25")
        );
        assert_eq!(
            due("99999999999999999999.99", "0", 6).as_deref(),
            Some("92592592592592592592.583334")
        );
        // Exact products stay exact; only the result must be an amount.
        assert_eq!(
            a("10").mul_add_round_up(a("0.33333333"), Amount::ZERO, 6),
            Some(a("3.333334"))
        );
        let big = a("9999999999999999999999999999");
        assert_eq!(big.mul_add_round_up(a("10"), Amount::ZERO, 6), None);
        assert_eq!(big.mul_add_round_up(big, big, 6), None);
        assert_eq!(big.mul_add_round_up(a("1"), Amount::ZERO, 6), Some(big));
        assert_eq!(big.mul_add_round_up(a("1"), a("1"), 6), None);
    }

    #[test]
    fn positive_and_scale() {
        assert_eq!(
            Amount::parse_positive("0.000", "a").err().map(|e| e.code()),
            Some("invalid_amount")
        );
        let a = Amount::parse("1.0000000", "a").ok();
        assert_eq!(a.map(|a| a.check_scale(6, "a").is_ok()), Some(true));
        let b = Amount::parse("1.0000001", "a").ok();
        assert_eq!(
            b.and_then(|b| b.check_scale(6, "a").err())
                .map(|e| e.code()),
            Some("too_many_decimals")
        );
    }

    #[test]
    fn minor_units_round_trip() {
        assert_eq!(
            Amount::from_minor_units(12300, 2).map(|a| a.to_string()),
            Some("123".into())
        );
        let a = Amount::parse("123.45", "a").ok();
        assert_eq!(a.and_then(|a| a.to_minor_units(2)), Some(12345));
        let b = Amount::parse("123.456", "a").ok();
        assert_eq!(b.and_then(|b| b.to_minor_units(2)), None);
        assert_eq!(
            Amount::from_minor_units(500, 0).map(|a| a.to_string()),
            Some("500".into())
        );
    }

    #[test]
    fn currencies_sorted_and_known() {
        assert!(CURRENCIES
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.0 < b.0)));
        assert_eq!(
            Currency::parse("JPY", "c").map(|c| c.exponent()).ok(),
            Some(0)
        );
        assert_eq!(
            Currency::parse("usd", "c").err().map(|e| e.code()),
            Some("invalid_field")
        );
    }

    #[test]
    fn assets() {
        assert_eq!(
            Asset::parse("USDT_MATIC", "asset").ok(),
            Some(Asset::UsdtPolygon)
        );
        assert_eq!(
            Asset::parse("USDT", "asset").err().map(|e| e.code()),
            Some("invalid_asset")
        );
        assert_eq!(Asset::UsdtBsc.scale(), 18);
    }
}
