//! Standard Webhooks v1 (also Svix): `webhook-id`, `webhook-timestamp` (unix seconds) and
//! `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` over
//! `id.timestamp.body`; secrets are `whsec_` + base64 of the key bytes.
//!
//! Entries of other versions (`v1a` Ed25519) or that do not decode are skipped; only a
//! header with no usable `v1` entry is `signature_malformed`. The window is 300 s in both
//! directions by default, as every reference library does. The replay key is the
//! `webhook-id`, kept until the timestamp leaves the window. `svix-*` header names are
//! accepted when the `webhook-*` ones are absent.

use crate::error::{Error, Result};

use super::common::{
    check_window, decode_tag, find_match, header, keep_until, malformed, mismatch, missing, need,
    Ctx, Enc,
};
use super::keys::{Keyring, MAX_MAC};
use super::{Headers, ReplayKey, SignInput, Signed, Verified};

const ID: [&str; 2] = ["webhook-id", "svix-id"];
const TS: [&str; 2] = ["webhook-timestamp", "svix-timestamp"];
const SIG: [&str; 2] = ["webhook-signature", "svix-signature"];

fn lookup<'h, H: Headers + ?Sized>(h: &'h H, names: &[&str; 2]) -> Option<&'h str> {
    names.iter().find_map(|n| header(h, n))
}

/// Calls `f` with each decodable `v1` tag after the first `skip`; stops when it returns
/// true.
fn each_v1(header: &str, skip: usize, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let mut buf = [0u8; 72];
    let mut seen = 0usize;
    for entry in header.split(' ').filter(|e| !e.is_empty()) {
        let Some(("v1", text)) = entry.split_once(',') else {
            continue;
        };
        if let Some(tag) = decode_tag(text, Enc::Base64, 32, &mut buf) {
            seen += 1;
            if seen > skip && f(tag) {
                return true;
            }
        }
    }
    false
}

/// The first few usable tags, decoded once (the header is re-read only past them).
const CACHED: usize = 4;

struct Tags {
    tags: [[u8; 32]; CACHED],
    n: usize,
    more: bool,
}

impl Tags {
    fn read(header: &str) -> Tags {
        let mut t = Tags {
            tags: [[0u8; 32]; CACHED],
            n: 0,
            more: false,
        };
        each_v1(header, 0, &mut |tag| match t.tags.get_mut(t.n) {
            Some(slot) if tag.len() == 32 => {
                slot.copy_from_slice(tag);
                t.n += 1;
                false
            }
            _ => {
                t.more = true;
                true
            }
        });
        t
    }

    fn each(&self, header: &str, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        self.tags.iter().take(self.n).any(|t| f(t)) || (self.more && each_v1(header, self.n, f))
    }
}

pub(crate) fn verify<H: Headers + ?Sized>(ctx: &Ctx<'_>, h: &H, body: &[u8]) -> Result<Verified> {
    let id = lookup(h, &ID).ok_or_else(|| missing("webhook-id"))?;
    let ts_text = lookup(h, &TS).ok_or_else(|| missing("webhook-timestamp"))?;
    let sig = lookup(h, &SIG).ok_or_else(|| missing("webhook-signature"))?;
    let ts = ctx
        .read_timestamp(ts_text)
        .ok_or_else(|| malformed("webhook-timestamp must be unix seconds (ASCII digits)"))?;
    let tags = Tags::read(sig);
    if tags.n == 0 {
        return Err(malformed(
            "webhook-signature has no usable v1,<base64> entry",
        ));
    }
    let ts = check_window(ctx, ts, ts_text)?;
    let parts: [&[u8]; 5] = [id.as_bytes(), b".", ts_text.as_bytes(), b".", body];
    let i =
        find_match(ctx.keys, &parts, |f| tags.each(sig, f)).ok_or_else(|| mismatch(ctx.keys))?;
    let mut key = String::with_capacity(18 + id.len());
    key.push_str("standard_webhooks:");
    key.push_str(id);
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: Some(ts),
        replay: Some(ReplayKey {
            key,
            keep_until: keep_until(ctx, ts),
        }),
    })
}

pub(crate) fn sign(keys: &Keyring, body: &[u8], input: &SignInput<'_>) -> Result<Signed> {
    let id = need(input.id, "id")?;
    // A receiver reads a blank header as missing (docs/spec.md §6), so an id that is only
    // white space would sign a message that can never verify (fuzz: signature_roundtrip).
    if id.is_empty() || id.contains('.') || id.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid_field(
            "id",
            "a webhook-id must be non-empty and contain no '.', white space or control character",
        ));
    }
    let ts = need(input.timestamp, "timestamp")?.as_seconds().to_string();
    let parts: [&[u8]; 5] = [id.as_bytes(), b".", ts.as_bytes(), b".", body];
    let mut sig = String::new();
    let mut out = [0u8; MAX_MAC];
    for key in keys.iter() {
        let n = key.mac(&parts, &mut out);
        if !sig.is_empty() {
            sig.push(' ');
        }
        sig.push_str("v1,");
        sig.push_str(&super::common::encode(
            Enc::Base64,
            out.get(..n).unwrap_or_default(),
        ));
    }
    Ok(Signed {
        headers: vec![
            ("webhook-id".to_owned(), id.to_owned()),
            ("webhook-timestamp".to_owned(), ts),
            ("webhook-signature".to_owned(), sig),
        ],
        signature: None,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, TimeCheck, Verifier, VerifierOptions};
    use crate::time::{Duration, Timestamp};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    // standard-webhooks/standard-webhooks libraries/python/tests/test_webhooks.py
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(s: i64) -> Timestamp {
        Timestamp::from_seconds(s, "now").unwrap()
    }

    fn hdr(sig: &str) -> [(&str, &str); 3] {
        [
            ("webhook-id", ID),
            ("webhook-timestamp", TS),
            ("webhook-signature", sig),
        ]
    }

    #[test]
    fn official_vector_and_window() {
        let v = Verifier::new(Scheme::StandardWebhooks, &[SECRET]).unwrap();
        let ok = v.verify(&hdr(SIG), BODY, at(1_614_265_330)).unwrap();
        assert_eq!(ok.timestamp, Some(at(1_614_265_330)));
        let r = ok.replay.unwrap();
        assert_eq!(r.key, format!("standard_webhooks:{ID}"));
        assert_eq!(r.keep_until, at(1_614_265_630));
        // exactly at the boundary, both sides
        assert!(v.verify(&hdr(SIG), BODY, at(1_614_265_630)).is_ok());
        assert!(v.verify(&hdr(SIG), BODY, at(1_614_265_030)).is_ok());
        let late = v.verify(&hdr(SIG), BODY, at(1_614_265_631)).unwrap_err();
        assert_eq!(late.code(), "timestamp_out_of_tolerance");
        let early = v.verify(&hdr(SIG), BODY, at(1_614_265_029)).unwrap_err();
        assert_eq!(early.code(), "timestamp_out_of_tolerance");
        // the window is checked before the MAC
        let bad = v
            .verify(&hdr(SIG), b"tampered", at(1_700_000_000))
            .unwrap_err();
        assert_eq!(bad.code(), "timestamp_out_of_tolerance");
    }

    #[test]
    fn options() {
        let skip = VerifierOptions {
            time_check: TimeCheck::Skip,
            ..VerifierOptions::default()
        };
        let v = Verifier::with_options(Scheme::StandardWebhooks, &[SECRET], skip).unwrap();
        let ok = v.verify(&hdr(SIG), BODY, at(1_700_000_000)).unwrap();
        assert_eq!(ok.replay.unwrap().keep_until, at(1_700_000_000 + 86_400));
        let zero = VerifierOptions::with_tolerance_seconds(0).unwrap();
        let v = Verifier::with_options(Scheme::StandardWebhooks, &[SECRET], zero).unwrap();
        assert!(v.verify(&hdr(SIG), BODY, at(1_614_265_330)).is_ok());
        assert!(v.verify(&hdr(SIG), BODY, at(1_614_265_331)).is_err());
        let ten = VerifierOptions {
            time_check: TimeCheck::Within(Duration::seconds(10)),
            ..VerifierOptions::default()
        };
        let v = Verifier::with_options(Scheme::StandardWebhooks, &[SECRET], ten).unwrap();
        assert_eq!(v.tolerance(), Some(Duration::seconds(10)));
    }

    #[test]
    fn multi_signature_header() {
        let v = Verifier::new(Scheme::StandardWebhooks, &[SECRET]).unwrap();
        let now = at(1_614_265_330);
        let other = format!("v1,{}", STANDARD.encode([9u8; 32]));
        // more usable entries than are cached: the real one is found past them
        let many = format!("{other} {other} {other} {other} {other} {other} {SIG}");
        assert_eq!(v.verify(&hdr(&many), BODY, now).unwrap().key_index, 0);
        let list = format!("v1a,xyz {other} junk  {SIG}");
        assert!(v.verify(&hdr(&list), BODY, now).is_ok());
        // present but empty counts as missing (docs/spec.md §6)
        assert_eq!(
            v.verify(&hdr(""), BODY, now).unwrap_err().code(),
            "signature_missing"
        );
        for bad in [
            "v1",
            "v2,abc",
            "v1,!!!!",
            "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            assert_eq!(
                v.verify(&hdr(bad), BODY, now).unwrap_err().code(),
                "signature_malformed",
                "{bad:?}"
            );
        }
        assert_eq!(
            v.verify(&hdr(&other), BODY, now).unwrap_err().code(),
            "signature_mismatch"
        );
    }

    #[test]
    fn missing_and_malformed() {
        let v = Verifier::new(Scheme::StandardWebhooks, &[SECRET]).unwrap();
        let now = at(1_614_265_330);
        let code = |h: &[(&str, &str)]| v.verify(h, BODY, now).unwrap_err().code();
        assert_eq!(
            code(&[("webhook-timestamp", TS), ("webhook-signature", SIG)]),
            "signature_missing"
        );
        assert_eq!(
            code(&[("webhook-id", ID), ("webhook-signature", SIG)]),
            "signature_missing"
        );
        assert_eq!(
            code(&[("webhook-id", ID), ("webhook-timestamp", TS)]),
            "signature_missing"
        );
        let with_ts = |ts: &str| {
            code(&[
                ("webhook-id", ID),
                ("webhook-timestamp", ts),
                ("webhook-signature", SIG),
            ])
        };
        assert_eq!(with_ts(""), "signature_missing");
        assert_eq!(
            code(&[
                ("webhook-id", ""),
                ("webhook-timestamp", TS),
                ("webhook-signature", SIG)
            ]),
            "signature_missing"
        );
        // leading zeros are well-formed (the MAC covers the text as sent: a mismatch);
        // one too large to represent is out of tolerance
        assert_eq!(with_ts(&format!("000{TS}")), "signature_mismatch");
        assert_eq!(
            with_ts("99999999999999999999"),
            "timestamp_out_of_tolerance"
        );
        for ts in ["1614265330.0", " 1614265330", "1.6e9", "0x10"] {
            assert_eq!(
                code(&[
                    ("webhook-id", ID),
                    ("webhook-timestamp", ts),
                    ("webhook-signature", SIG)
                ]),
                "signature_malformed",
                "{ts:?}"
            );
        }
        // svix names
        let svix = [
            ("svix-id", ID),
            ("svix-timestamp", TS),
            ("svix-signature", SIG),
        ];
        assert!(v.verify(&svix, BODY, now).is_ok());
    }

    #[test]
    fn rust_library_vector_and_rotation_signing() {
        // standard-webhooks libraries/rust/src/lib.rs
        let secret2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        let input = SignInput {
            id: Some("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"),
            nonce: None,
            timestamp: Some(at(1_649_367_553)),
        };
        let s = sign(Scheme::StandardWebhooks, &[secret2, SECRET], body, &input).unwrap();
        let sig = s.header("webhook-signature").unwrap();
        assert!(
            sig.starts_with("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw= v1,"),
            "{sig}"
        );
        let s = sign(
            Scheme::StandardWebhooks,
            &[SECRET],
            BODY,
            &SignInput {
                id: Some(ID),
                nonce: None,
                timestamp: Some(at(1_614_265_330)),
            },
        )
        .unwrap();
        assert_eq!(s.header("webhook-signature"), Some(SIG));
        assert_eq!(s.header("webhook-timestamp"), Some(TS));
        let e = sign(
            Scheme::StandardWebhooks,
            &[SECRET],
            BODY,
            &SignInput::default(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "missing_field");
        // An id a receiver would read as a missing header is refused when signing (a fuzz
        // finding of signature_roundtrip: a tab signed a message that never verifies).
        for id in ["", "\t", " ", "a\tb", "a\nb", "a.b"] {
            let e = sign(
                Scheme::StandardWebhooks,
                &[SECRET],
                BODY,
                &SignInput {
                    id: Some(id),
                    nonce: None,
                    timestamp: Some(at(1_614_265_330)),
                },
            )
            .unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_field", Some("id")),
                "{id:?}"
            );
        }
    }
}
