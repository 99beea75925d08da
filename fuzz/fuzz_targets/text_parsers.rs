//! The small text parsers at the edges: RFC 3339 timestamps, unix-millisecond timestamps,
//! signature-header timestamps, asset / currency / status / scheme / policy names.
//!
//! Checks: nothing panics; every accepted value prints to a form that parses back to the
//! same value; names parse only from their own spelling (or a documented alias); every
//! error code is one of `Error::CODES`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paystate::delivery::Policy;
use paystate::signature::{parse_scheme_timestamp, Scheme};
use paystate::{Asset, Currency, Error, Status, Timestamp};

fn known(e: &Error) {
    assert!(Error::CODES.contains(&e.code()), "unknown code {}", e.code());
}

fuzz_target!(|data: &[u8]| {
    // Raw i64 millis from the first 8 bytes.
    if data.len() >= 8 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[..8]);
        let ms = i64::from_le_bytes(b);
        match Timestamp::from_millis(ms, "t") {
            Ok(t) => {
                assert_eq!(t.as_millis(), ms);
                let shown = t.to_string();
                let back = Timestamp::parse(&shown, "t").expect("Display must re-parse");
                assert_eq!(back, t, "{shown}");
            }
            Err(e) => known(&e),
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Timestamp::parse(text, "at") {
        Ok(t) => {
            let shown = t.to_string();
            assert!(shown.ends_with('Z'), "{shown}");
            assert_eq!(Timestamp::parse(&shown, "at").expect("re-parse"), t, "{text:?} -> {shown}");
        }
        Err(e) => {
            known(&e);
            assert_eq!(e.code(), "invalid_field");
        }
    }
    for scheme in Scheme::ALL {
        if let Ok(t) = parse_scheme_timestamp(scheme, text, "timestamp") {
            assert!(!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()), "{scheme}: {text:?}");
            let n: i64 = text.parse().expect("digits");
            let ms = if scheme == Scheme::Gatepay { n } else { n * 1000 };
            assert_eq!(t.as_millis(), ms, "{scheme}: {text:?}");
        }
    }
    match Asset::parse(text, "asset") {
        Ok(a) => assert!(a.code() == text || (text == "USDT_MATIC" && a == Asset::UsdtPolygon), "{text:?}"),
        Err(e) => known(&e),
    }
    match Currency::parse(text, "currency") {
        Ok(c) => {
            assert_eq!(c.code(), text);
            assert!(c.exponent() <= 4);
        }
        Err(e) => known(&e),
    }
    match Status::parse(text, "status") {
        Ok(s) => assert_eq!(s.as_str(), text),
        Err(e) => known(&e),
    }
    match Scheme::parse(text) {
        Ok(s) => assert_eq!(s.name(), text),
        Err(e) => known(&e),
    }
    match Policy::parse(text) {
        Ok(p) => assert_eq!(p.name(), text),
        Err(e) => known(&e),
    }
});
