//! The ordered-set key of a window: an exact, order-preserving fixed-width form of its
//! payable amount (docs/spec.md §4).
//!
//! Comparing two `Decimal`s of different scales rescales a 96-bit mantissa, and a search
//! in the ordered set makes dozens of comparisons: profiled, they were a third of an
//! allocation. An amount `x ≥ 0` splits exactly into its integer part `I = ⌊x⌋ < 2^96`
//! and its fraction `F = (x − I)·10^28 < 10^28 < 2^96`, and `x < y` exactly when
//! `(I, F) < (I', F')`. The key holds both as big-endian 32-bit words, then the window
//! handle (ties are allowed), so the set compares plain arrays.

use rust_decimal::Decimal;

/// `[I (3 words), F (3 words), handle]`.
pub(super) type Key = [u32; 7];

/// The key of amount `x` (never negative) for window `handle`.
pub(super) fn key(x: Decimal, handle: u32) -> Key {
    let m = x.mantissa().unsigned_abs();
    let scale = x.scale();
    // A Decimal's scale is at most 28, so both powers fit a u128; the fallbacks are never
    // taken.
    let unit = 10u128.checked_pow(scale).unwrap_or(1);
    let widen = 10u128.checked_pow(28u32.saturating_sub(scale)).unwrap_or(1);
    let i = m / unit;
    let f = (m % unit).saturating_mul(widen);
    [
        (i >> 64) as u32,
        (i >> 32) as u32,
        i as u32,
        (f >> 64) as u32,
        (f >> 32) as u32,
        f as u32,
        handle,
    ]
}

/// The window handle of a key.
pub(super) fn handle(k: &Key) -> u32 {
    let [.., h] = *k;
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn orders_as_the_amounts_do() {
        let texts = [
            "0",
            "0.0000000000000000000000000001",
            "0.5",
            "0.50",
            "0.9999999999999999999999999999",
            "1",
            "1.000000",
            "3.005",
            "3.01",
            "25",
            "25.000001",
            "4294967296.5",
            "18446744073709551616",
            "9999999999999999999999999998.5",
            "9999999999999999999999999999",
            "79228162514264337593543950335",
        ];
        let ds: Vec<Decimal> = texts
            .iter()
            .map(|t| Decimal::from_str(t).unwrap())
            .collect();
        for a in &ds {
            for b in &ds {
                assert_eq!(key(*a, 0).cmp(&key(*b, 0)), a.cmp(b), "{a} vs {b}");
            }
        }
        assert!(
            key(ds[2], 1) > key(ds[3], 0),
            "equal amounts order by handle"
        );
        assert_eq!(handle(&key(ds[5], 42)), 42);
    }
}
