//! Strict amount parsing (docs/spec.md §2), differentially against a reference written here.
//!
//! The reference accepts exactly `[0-9]+(\.[0-9]+)?` with at most 28 digits between the
//! first and the last non-zero digit of the value (leading zeros of the integer part and
//! trailing zeros of the fraction are free; this also bounds the scale to 28, the limit of
//! `rust_decimal`), and at most 64 bytes of text (the core's documented input cap). Checks:
//! `Amount::parse` never panics; it accepts exactly what the reference accepts; Display is
//! the reference's shortest form and re-parses to the same value; serde agrees; the
//! decimal-place count, `check_scale`, `parse_positive` and minor units are consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paystate::Amount;

/// The shortest canonical text of an accepted amount, or `None` when it must be rejected.
fn reference(text: &str) -> Option<(String, usize)> {
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let (int, frac) = match text.find('.') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) {
        return None;
    }
    if let Some(f) = frac {
        if !digits(f) {
            return None; // empty fraction, a second '.', or any other character
        }
    }
    let int_t = int.trim_start_matches('0');
    let frac_t = frac.unwrap_or("").trim_end_matches('0');
    if int_t.len() + frac_t.len() > 28 {
        return None;
    }
    let mut out = if int_t.is_empty() { "0".to_owned() } else { int_t.to_owned() };
    if !frac_t.is_empty() {
        out.push('.');
        out.push_str(frac_t);
    }
    Some((out, frac_t.len()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A JSON number's text (exponent form included) is read exactly: never a panic; a
    // plain amount reads as itself; any accepted number prints as an amount that re-parses
    // and, written back with the exponent spelled out, reads the same.
    if let Ok(n) = Amount::from_json_number(text, "amount") {
        let shown = n.to_string();
        assert_eq!(Amount::parse(&shown, "amount").ok(), Some(n), "{text:?} read as {shown}");
        assert_eq!(Amount::from_json_number(&format!("{shown}e0"), "amount").ok(), Some(n));
    }
    if let Ok(a) = Amount::parse(text, "amount") {
        assert_eq!(Amount::from_json_number(text, "amount").ok(), Some(a), "plain {text:?}");
        // Moving the point by an exponent changes nothing when it is moved back.
        if let Ok(shifted) = Amount::from_json_number(&format!("{text}e-3"), "amount") {
            assert_eq!(
                shifted.mul_add_round_up(Amount::from_units(1000), Amount::ZERO, 28),
                Some(a),
                "{text}e-3 × 1000"
            );
        }
    }
    let got = Amount::parse(text, "amount");
    let want = reference(text);
    match (&got, &want) {
        (Ok(a), Some((canonical, places))) => {
            let shown = a.to_string();
            assert_eq!(&shown, canonical, "Display of {text:?}");
            let again = Amount::parse(&shown, "amount").expect("Display must re-parse");
            assert_eq!(again, *a, "re-parse of {shown:?}");
            assert_eq!(a.decimal_places() as usize, *places, "places of {text:?}");
            for scale in 0..=30u32 {
                assert_eq!(
                    a.check_scale(scale, "amount").is_ok(),
                    *places <= scale as usize,
                    "check_scale({scale}) of {text:?}"
                );
            }
            assert_eq!(a.is_zero(), canonical == "0");
            assert_eq!(
                Amount::parse_positive(text, "amount").is_ok(),
                canonical != "0",
                "parse_positive of {text:?}"
            );
            // serde: a JSON string in, the canonical JSON string out.
            let json = serde_json::to_string(text).expect("string to json");
            let via_serde: Amount = serde_json::from_str(&json).expect("serde must agree with parse");
            assert_eq!(via_serde, *a);
            assert_eq!(serde_json::to_string(a).expect("ser"), format!("\"{canonical}\""));
            // Minor units round-trip exactly when whole.
            for exp in 0..=4u32 {
                if let Some(units) = a.to_minor_units(exp) {
                    assert!(*places <= exp as usize, "{text:?} has {places} places, not whole at {exp}");
                    assert_eq!(Amount::from_minor_units(units, exp), Some(*a), "minor units of {text:?}");
                }
            }
        }
        (Err(e), None) => {
            assert_eq!(e.code(), "invalid_amount", "{text:?}");
            assert!(Amount::parse_positive(text, "amount").is_err());
            let json = serde_json::to_string(text).expect("string to json");
            assert!(serde_json::from_str::<Amount>(&json).is_err(), "serde accepted {text:?}");
            // The message shows at most 40 characters of the input.
            let msg = e.to_string();
            assert!(msg.chars().count() < 400, "message too long for {text:?}");
        }
        (Ok(a), None) => panic!("wrong acceptance: {text:?} parsed as {a}"),
        (Err(e), Some((c, _))) => panic!("wrong rejection: {text:?} (canonical {c}) -> {e}"),
    }
});
