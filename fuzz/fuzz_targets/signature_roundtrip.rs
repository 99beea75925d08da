//! Sign, verify, then flip one bit (docs/spec.md §6).
//!
//! For every scheme: what `sign` produces verifies with the same secret (second in a
//! rotated pair, so `key_index` is 1) at the signed time, twice with the same replay key,
//! and the replay guard then refuses it. Then one bit is flipped:
//! - in the body: raw-body schemes must refuse; the canonical-JSON schemes (monetix,
//!   nowpayments) may accept only when the flipped body has the same canonical form (same
//!   signed content); `keypair_invoice` only when the presented key is unchanged;
//!   `gatenoc` signs no body.
//! - in the tag's bytes (decoded, flipped, re-encoded in the scheme's encoding): must refuse.
//! - in the text of any header value: must refuse, except a case flip of a hex letter
//!   inside a hex tag (same bytes).
//! - in the text of the in-body tag (monetix `signature`, keypair `private_key`): must refuse.
#![no_main]

use arbitrary::Arbitrary;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use paystate::signature::{
    monetix_signing_string, nowpayments_canonical, ReplayGuard, Scheme, SignInput, Verifier,
};
use paystate::Timestamp;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
struct Input {
    scheme: u8,
    secret: String,
    secret_bytes: Vec<u8>,
    body: Vec<u8>,
    body_fields: Vec<(String, String)>,
    id: String,
    nonce: String,
    ts_ms: u64,
    body_bit: u32,
    tag_bit: u16,
    header_flip: (u8, u16, u8),
}

fn parse_obj(b: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(b) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Where the tag is and how it is written.
#[derive(Clone, Copy, PartialEq)]
enum Enc {
    Hex,
    B64,
    Raw,
}

fn tag_location(scheme: Scheme) -> (Option<&'static str>, &'static str, Enc) {
    // (header name, prefix inside the value, encoding); no header: in the body.
    match scheme {
        Scheme::UsdtGateway => (Some("X-Webhook-Signature"), "", Enc::Hex),
        Scheme::Gatepay => (Some("X-GatePay-Signature"), "", Enc::Hex),
        Scheme::Github => (Some("X-Hub-Signature-256"), "sha256=", Enc::Hex),
        Scheme::CoinbaseCommerce => (Some("X-CC-Webhook-Signature"), "", Enc::Hex),
        Scheme::Shopify => (Some("X-Shopify-Hmac-Sha256"), "", Enc::B64),
        Scheme::Nowpayments => (Some("x-nowpayments-sig"), "", Enc::Hex),
        Scheme::StandardWebhooks => (Some("webhook-signature"), "v1,", Enc::B64),
        Scheme::Stripe => (Some("Stripe-Signature"), "v1=", Enc::Hex),
        Scheme::Gatenoc => (Some("X-Gateway-Merchant-Key"), "", Enc::Raw),
        Scheme::Monetix => (None, "signature", Enc::B64),
        Scheme::KeypairInvoice => (None, "private_key", Enc::Raw),
    }
}

fn in_body_tag(scheme: Scheme, m: &Map<String, Value>) -> Option<String> {
    match scheme {
        Scheme::Monetix => m
            .get("signature")
            .or_else(|| m.get("general").and_then(Value::as_object).and_then(|g| g.get("signature")))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Scheme::KeypairInvoice => m
            .get("private_key")
            .or_else(|| m.get("privatekey"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

fn set_in_body_tag(scheme: Scheme, m: &mut Map<String, Value>, tag: String) {
    let name = if scheme == Scheme::Monetix { "signature" } else { "private_key" };
    if m.contains_key(name) || scheme == Scheme::KeypairInvoice {
        m.insert(name.to_owned(), Value::String(tag));
    } else if let Some(Value::Object(g)) = m.get_mut("general") {
        g.insert(name.to_owned(), Value::String(tag));
    }
}

fn flip_bytes(enc: Enc, text: &str, bit: u16) -> Option<String> {
    let mut bytes = match enc {
        Enc::Hex => hex::decode(text).ok()?,
        Enc::B64 => STANDARD.decode(text).ok()?,
        Enc::Raw => text.as_bytes().to_vec(),
    };
    if bytes.is_empty() {
        return None;
    }
    let i = usize::from(bit) % (bytes.len() * 8);
    bytes[i / 8] ^= 1 << (i % 8);
    Some(match enc {
        Enc::Hex => hex::encode(bytes),
        Enc::B64 => STANDARD.encode(bytes),
        Enc::Raw => String::from_utf8(bytes).ok()?,
    })
}

fuzz_target!(|input: Input| {
    let scheme = Scheme::ALL[usize::from(input.scheme) % Scheme::ALL.len()];
    let (secret, other) = if scheme == Scheme::StandardWebhooks {
        if input.secret_bytes.is_empty() {
            return;
        }
        let mut o = input.secret_bytes.clone();
        o[0] ^= 0x55;
        (format!("whsec_{}", STANDARD.encode(&input.secret_bytes)), format!("whsec_{}", STANDARD.encode(&o)))
    } else {
        (input.secret.clone(), format!("{}~other", input.secret))
    };
    // A body: for the schemes that read JSON, an object built from fields when the raw
    // bytes are not one.
    let body = if scheme.parses_body() && parse_obj(&input.body).is_none() {
        let mut m = Map::new();
        for (k, v) in input.body_fields.iter().take(6) {
            m.insert(k.clone(), Value::String(v.clone()));
        }
        serde_json::to_vec(&m).expect("object")
    } else {
        input.body.clone()
    };
    let Ok(ts) = Timestamp::from_millis((input.ts_ms % 253_402_000_000_000) as i64, "ts") else {
        return;
    };
    let sign_input = SignInput { id: Some(&input.id), nonce: Some(&input.nonce), timestamp: Some(ts) };
    let signed = match paystate::signature::sign(scheme, &[secret.as_str()], &body, &sign_input) {
        Ok(s) => s,
        Err(e) => {
            // Only a bad secret, id or nonce, or a body that is not an object.
            assert!(
                ["invalid_field", "malformed_json", "missing_field"].contains(&e.code()),
                "{scheme}: sign failed with {}: {e}",
                e.code()
            );
            return;
        }
    };
    let sent = signed.body.clone().unwrap_or_else(|| body.clone());
    let headers: Vec<(String, String)> = signed.headers.clone();
    let v = Verifier::new(scheme, &[other.as_str(), secret.as_str()]).expect("a secret that signs also verifies");
    let ok = match v.verify(&headers, &sent, ts) {
        Ok(ok) => ok,
        Err(e) => panic!("{scheme}: a signed message does not verify: {} {e}", e.code()),
    };
    assert_eq!(ok.key_index, 1, "{scheme}: wrong key index");
    let again = v.verify(&headers, &sent, ts).expect("verifies twice");
    assert_eq!(again, ok, "{scheme}: verify not deterministic");
    let mut guard = ReplayGuard::new(16).expect("guard");
    guard.record(&ok, ts).expect("first delivery is new");
    if scheme.has_replay_key() {
        assert_eq!(guard.record(&again, ts).map_err(|e| e.code()), Err("replayed"), "{scheme}: replay not caught");
    }

    // 1. One bit of the body.
    if !sent.is_empty() {
        let mut flipped = sent.clone();
        let i = (input.body_bit as usize) % (sent.len() * 8);
        flipped[i / 8] ^= 1 << (i % 8);
        if v.verify(&headers, &flipped, ts).is_ok() {
            match scheme {
                Scheme::Gatenoc => {}
                Scheme::Monetix => {
                    let a = parse_obj(&sent).expect("sent is an object");
                    let b = parse_obj(&flipped).expect("accepted body is an object");
                    assert_eq!(monetix_signing_string(&a), monetix_signing_string(&b), "monetix: flipped body accepted with other content");
                    assert_eq!(in_body_tag(scheme, &a), in_body_tag(scheme, &b), "monetix: flipped tag accepted");
                }
                Scheme::Nowpayments => {
                    let a: Value = serde_json::from_slice(&sent).expect("json");
                    let b: Value = serde_json::from_slice(&flipped).expect("json");
                    assert_eq!(nowpayments_canonical(&a), nowpayments_canonical(&b), "nowpayments: flipped body accepted with other content");
                }
                Scheme::KeypairInvoice => {
                    let a = parse_obj(&sent).expect("object");
                    let b = parse_obj(&flipped).expect("object");
                    assert_eq!(in_body_tag(scheme, &a), in_body_tag(scheme, &b), "keypair: other key accepted");
                }
                _ => panic!("{scheme}: body with bit {i} flipped still verifies"),
            }
        }
    }

    // 2. One bit of the tag's bytes, re-encoded.
    let (header, prefix, enc) = tag_location(scheme);
    match header {
        Some(name) => {
            let idx = headers.iter().position(|(k, _)| k.eq_ignore_ascii_case(name)).expect("tag header present");
            let value = &headers[idx].1;
            let start = value.find(prefix).map(|p| p + prefix.len()).unwrap_or(0);
            let end = value[start..].find([',', ' ']).map_or(value.len(), |e| start + e);
            let tag = &value[start..end];
            if let Some(new_tag) = flip_bytes(enc, tag, input.tag_bit) {
                let mut h = headers.clone();
                h[idx].1 = format!("{}{}{}", &value[..start], new_tag, &value[end..]);
                assert!(v.verify(&h, &sent, ts).is_err(), "{scheme}: tag with a flipped bit verifies: {:?}", h[idx].1);
            }
        }
        None => {
            let m = parse_obj(&sent).expect("signed body is an object");
            let tag = in_body_tag(scheme, &m).expect("tag in body");
            if let Some(new_tag) = flip_bytes(enc, &tag, input.tag_bit) {
                let mut m2 = m.clone();
                set_in_body_tag(scheme, &mut m2, new_tag.clone());
                let b2 = serde_json::to_vec(&m2).expect("json");
                assert!(v.verify(&headers, &b2, ts).is_err(), "{scheme}: in-body tag with a flipped bit verifies");
            }
            // And one bit of the tag's text inside the raw body.
            let (_, text_bit, _) = input.header_flip;
            let needle = serde_json::to_string(&tag).expect("json string");
            if let Some(pos) = find_sub(&sent, needle.as_bytes()) {
                let inner = &needle.as_bytes()[1..needle.len() - 1];
                if !inner.is_empty() {
                    let j = usize::from(text_bit) % (inner.len() * 7);
                    let mut b3 = sent.clone();
                    b3[pos + 1 + j / 7] ^= 1 << (j % 7);
                    if let Ok(ok3) = v.verify(&headers, &b3, ts) {
                        let m3 = parse_obj(&b3).expect("object");
                        assert_eq!(in_body_tag(scheme, &m3), Some(tag.clone()), "{scheme}: flipped in-body tag text verifies ({ok3:?})");
                    }
                }
            }
        }
    }

    // 3. One bit of any header value's text (ASCII bits only, so it stays a string).
    let (hi, pos, bit) = input.header_flip;
    if !headers.is_empty() {
        let hidx = usize::from(hi) % headers.len();
        let value = headers[hidx].1.as_bytes().to_vec();
        if !value.is_empty() {
            let p = usize::from(pos) % value.len();
            let mut nv = value.clone();
            nv[p] ^= 1 << (bit % 7);
            if let Ok(nv) = String::from_utf8(nv) {
                let mut h = headers.clone();
                h[hidx].1 = nv.clone();
                if v.verify(&h, &sent, ts).is_ok() {
                    let (tag_header, prefix, enc) = tag_location(scheme);
                    let is_tag_header = tag_header.is_some_and(|n| n.eq_ignore_ascii_case(&headers[hidx].0));
                    let old = value[p];
                    let new = nv.as_bytes()[p];
                    let hex_case = enc == Enc::Hex
                        && is_tag_header
                        && old.is_ascii_hexdigit()
                        && old.is_ascii_alphabetic()
                        && old.eq_ignore_ascii_case(&new)
                        && p >= prefix.len();
                    assert!(hex_case, "{scheme}: header {} with bit flipped at {p} still verifies: {nv:?}", headers[hidx].0);
                }
            }
        }
    }
});

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}
