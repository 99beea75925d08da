//! Every signature scheme's verifier on arbitrary headers, bodies, secrets, options and
//! times, plus the two canonical-JSON forms on arbitrary (deeply nested) JSON.
//!
//! Checks: nothing panics (no stack overflow on deep nesting: bodies are depth-capped);
//! building a verifier fails only with `invalid_field`; `verify` fails only with the
//! signature codes of docs/spec.md §6; a success reports a key that exists, a timestamp exactly
//! for the timestamped schemes and a replay key exactly for the schemes that have one; a
//! success of a shared-key scheme (`gatenoc`, `keypair_invoice`, which a fuzzer can hit
//! because it picks both the secret and the message) means the presented key equals that
//! secret byte for byte. The NOWPayments canonical form is idempotent (it parses back to
//! a value whose canonical form is itself) and both canonical forms are deterministic.
#![no_main]

use arbitrary::Arbitrary;

use libfuzzer_sys::fuzz_target;
use paystate::signature::{
    monetix_signing_string, nowpayments_canonical, Scheme, TimeCheck, Verifier, VerifierOptions,
};
use paystate::{Duration, Timestamp};

const NAMES: [&str; 18] = [
    "X-Webhook-Signature",
    "X-GatePay-Timestamp",
    "X-GatePay-Nonce",
    "X-GatePay-Signature",
    "X-Gateway-Merchant-Key",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "Stripe-Signature",
    "X-Hub-Signature-256",
    "X-CC-Webhook-Signature",
    "X-Shopify-Hmac-Sha256",
    "shopify-hmac-sha256",
    "x-nowpayments-sig",
    "WEBHOOK-SIGNATURE",
];

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    /// `depth` levels of objects / arrays around a leaf (deep-nesting cases).
    Nested { depth: u8, arrays: Vec<bool>, leaf: String, key: String },
}

#[derive(Arbitrary, Debug)]
struct Input {
    scheme: u8,
    secrets: Vec<String>,
    headers: Vec<(Name, String)>,
    body: Body,
    now_ms: u64,
    time_check: u8,
    tolerance_s: u32,
}

fn nested(depth: u8, arrays: &[bool], leaf: &str, key: &str) -> Vec<u8> {
    let depth = usize::from(depth);
    let leaf = serde_json::to_string(leaf).unwrap_or_default();
    let key = serde_json::to_string(key).unwrap_or_default();
    let mut out = String::from("{");
    out.push_str(&key);
    out.push(':');
    let mut closers = Vec::new();
    for i in 0..depth {
        if arrays.get(i % arrays.len().max(1)).copied().unwrap_or(false) {
            out.push('[');
            closers.push(']');
        } else {
            out.push_str("{\"signature\":\"x\",");
            out.push_str(&key);
            out.push(':');
            closers.push('}');
        }
    }
    out.push_str(&leaf);
    while let Some(c) = closers.pop() {
        out.push(c);
    }
    out.push('}');
    out.into_bytes()
}

const SIGNATURE_CODES: [&str; 5] = [
    "malformed_json",
    "signature_missing",
    "signature_malformed",
    "timestamp_out_of_tolerance",
    "signature_mismatch",
];

/// Vector mode: the input is one known-answer vector in the `tests/vectors` format
/// (`scheme`, `secrets`, `headers`, `body`, `at`), so the committed vectors are the seed
/// corpus and libFuzzer mutates real, valid messages. Same checks, except that an accepted
/// MAC is expected here (the vectors are valid).
fn vector_mode(data: &[u8]) {
    let Ok(serde_json::Value::Object(v)) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Some(scheme) = v.get("scheme").and_then(|s| s.as_str()).and_then(|s| Scheme::parse(s).ok()) else {
        return;
    };
    let secrets: Vec<String> = v
        .get("secrets")
        .and_then(|s| s.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).take(3).collect())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = v
        .get("headers")
        .and_then(|h| h.as_object())
        .map(|h| h.iter().filter_map(|(k, x)| x.as_str().map(|x| (k.clone(), x.to_owned()))).collect())
        .unwrap_or_default();
    let body = v.get("body").and_then(|b| b.as_str()).unwrap_or("").as_bytes().to_vec();
    let Some(now) = v.get("at").and_then(|a| a.as_str()).and_then(|a| Timestamp::parse(a, "at").ok()) else {
        return;
    };
    let Ok(verifier) = Verifier::new(scheme, &secrets) else {
        return;
    };
    match verifier.verify(&headers, &body, now) {
        Err(e) => assert!(SIGNATURE_CODES.contains(&e.code()), "{scheme}: unexpected code {}", e.code()),
        Ok(ok) => {
            assert!(ok.key_index < secrets.len());
            assert_eq!(ok.timestamp.is_some(), scheme.is_timestamped());
            assert_eq!(ok.replay.is_some(), scheme.has_replay_key());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        vector_mode(data);
        return;
    }
    let Ok(input) = Input::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else {
        return;
    };
    let scheme = Scheme::ALL[usize::from(input.scheme) % Scheme::ALL.len()];
    let secrets: Vec<&str> = input.secrets.iter().take(3).map(String::as_str).collect();
    let time_check = match input.time_check % 3 {
        0 => TimeCheck::SchemeDefault,
        1 => match Duration::from_seconds(u64::from(input.tolerance_s), "t") {
            Ok(d) => TimeCheck::Within(d),
            Err(_) => TimeCheck::SchemeDefault,
        },
        _ => TimeCheck::Skip,
    };
    let options = VerifierOptions { time_check, ..VerifierOptions::default() };
    let headers: Vec<(String, String)> = input
        .headers
        .iter()
        .take(8)
        .map(|(n, v)| {
            let name = match n {
                Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
                Name::Other(s) => s.clone(),
            };
            (name, v.clone())
        })
        .collect();
    let body = match &input.body {
        Body::Raw(b) => b.clone(),
        Body::Nested { depth, arrays, leaf, key } => nested(*depth, arrays, leaf, key),
    };
    let Ok(now) = Timestamp::from_millis((input.now_ms % 253_402_300_799_999) as i64, "now") else {
        return;
    };

    // The canonical forms on whatever the body is.
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(&body) {
        let value = serde_json::Value::Object(map.clone());
        let c1 = nowpayments_canonical(&value);
        assert_eq!(c1, nowpayments_canonical(&value), "nowpayments canonical not deterministic");
        let reparsed: serde_json::Value = serde_json::from_slice(&c1).expect("canonical form must be JSON");
        assert_eq!(nowpayments_canonical(&reparsed), c1, "nowpayments canonical not idempotent");
        assert_eq!(monetix_signing_string(&map), monetix_signing_string(&map));
    }

    let verifier = match Verifier::with_options(scheme, &secrets, options) {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(e.code(), "invalid_field", "{scheme}: building a verifier: {e}");
            return;
        }
    };
    match verifier.verify(&headers, &body, now) {
        Err(e) => {
            assert!(SIGNATURE_CODES.contains(&e.code()), "{scheme}: unexpected code {}: {e}", e.code());
            assert!(e.is_signature_error());
            if e.code() == "malformed_json" {
                assert!(scheme.parses_body(), "{scheme} does not read the body but said malformed_json");
            }
        }
        Ok(v) => {
            assert_eq!(v.scheme, scheme);
            assert!(v.key_index < secrets.len());
            assert_eq!(v.timestamp.is_some(), scheme.is_timestamped(), "{scheme}: timestamp");
            assert_eq!(v.replay.is_some(), scheme.has_replay_key(), "{scheme}: replay key");
            let secret = secrets[v.key_index];
            match scheme {
                Scheme::Gatenoc => {
                    let presented = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("X-Gateway-Merchant-Key"))
                        .map(|(_, v)| v.as_str());
                    assert_eq!(presented, Some(secret), "gatenoc accepted a key that is not the secret");
                }
                Scheme::KeypairInvoice => {
                    let map: serde_json::Map<String, serde_json::Value> =
                        serde_json::from_slice(&body).expect("accepted body is an object");
                    let presented = map.get("private_key").or_else(|| map.get("privatekey"));
                    assert_eq!(
                        presented.and_then(|v| v.as_str()),
                        Some(secret),
                        "keypair_invoice accepted a key that is not the secret"
                    );
                }
                _ => {
                    // A fuzzer cannot forge an HMAC: an accepted MAC here is suspicious
                    // enough to stop and look at.
                    panic!("{scheme}: arbitrary input verified (key {}): {headers:?}", v.key_index);
                }
            }
        }
    }
});
