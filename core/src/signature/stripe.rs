//! Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=...]`, the MAC is
//! HMAC-SHA256 over `t.body` keyed with the whole secret string (`whsec_` included, no
//! base64). Several `v1` entries appear while a secret is rolled; any match passes, other
//! schemes (`v0`) and entries that do not decode are ignored.
//!
//! Unlike Stripe's SDKs, the window is checked in both directions and before the MAC.
//! The replay key is the timestamp's value with the SHA-256 of the body, never the matched
//! tag: during a key roll a captured delivery stripped of one of its `v1` entries is still
//! the same message (docs/spec.md §6).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::error::Result;

use super::common::{
    check_window, decode_tag, find_match, header, keep_until, malformed, mismatch, missing, need,
    push_hex, Ctx, Enc,
};
use super::keys::{Keyring, MAX_MAC};
use super::{Headers, ReplayKey, SignInput, Signed, Verified};

const HEADER: &str = "Stripe-Signature";

fn items(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header
        .split(',')
        .filter_map(|item| item.trim_matches(' ').split_once('='))
}

/// Calls `f` with each decodable `v1` tag after the first `skip`; stops when it returns
/// true.
fn each_v1(header: &str, skip: usize, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let mut buf = [0u8; 72];
    let mut seen = 0usize;
    for (k, v) in items(header) {
        if k != "v1" {
            continue;
        }
        if let Some(tag) = decode_tag(v, Enc::Hex, 32, &mut buf) {
            seen += 1;
            if seen > skip && f(tag) {
                return true;
            }
        }
    }
    false
}

/// The first few usable tags, decoded once (a roll signs with two secrets; the header is
/// re-read only past these).
const CACHED: usize = 4;

/// `Stripe-Signature` read in one pass: the first `t=` and the first decodable `v1` tags.
struct Parsed<'h> {
    t: Option<&'h str>,
    tags: [[u8; 32]; CACHED],
    n: usize,
    more: bool,
}

impl<'h> Parsed<'h> {
    fn read(header: &'h str) -> Parsed<'h> {
        let mut p = Parsed {
            t: None,
            tags: [[0u8; 32]; CACHED],
            n: 0,
            more: false,
        };
        for (k, v) in items(header) {
            match k {
                "t" if p.t.is_none() => p.t = Some(v),
                "v1" if !p.more => {
                    let mut buf = [0u8; 72];
                    let Some(tag) = decode_tag(v, Enc::Hex, 32, &mut buf) else {
                        continue;
                    };
                    match p.tags.get_mut(p.n) {
                        Some(slot) if tag.len() == 32 => {
                            slot.copy_from_slice(tag);
                            p.n += 1;
                        }
                        _ => p.more = true,
                    }
                }
                _ => {}
            }
        }
        p
    }

    fn each(&self, header: &str, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        self.tags.iter().take(self.n).any(|t| f(t)) || (self.more && each_v1(header, self.n, f))
    }
}

pub(crate) fn verify<H: Headers + ?Sized>(ctx: &Ctx<'_>, h: &H, body: &[u8]) -> Result<Verified> {
    let header = header(h, HEADER).ok_or_else(|| missing(HEADER))?;
    let parsed = Parsed::read(header);
    let ts_text = parsed
        .t
        .ok_or_else(|| malformed("Stripe-Signature has no t=<timestamp>"))?;
    let ts = ctx
        .read_timestamp(ts_text)
        .ok_or_else(|| malformed("Stripe-Signature t= must be unix seconds (ASCII digits)"))?;
    if parsed.n == 0 {
        return Err(malformed("Stripe-Signature has no usable v1=<hex> entry"));
    }
    let ts = check_window(ctx, ts, ts_text)?;
    let parts: [&[u8]; 3] = [ts_text.as_bytes(), b".", body];
    let i = find_match(ctx.keys, &parts, |f| parsed.each(header, f))
        .ok_or_else(|| mismatch(ctx.keys))?;
    // The body's digest only once the MAC matched: a refused delivery costs one pass.
    let mut key = String::with_capacity(7 + 20 + 1 + 64);
    key.push_str("stripe:");
    // Writing into a String cannot fail.
    let _ = write!(key, "{}:", ts.as_seconds());
    push_hex(&mut key, &Sha256::digest(body));
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
    let t = need(input.timestamp, "timestamp")?.as_seconds().to_string();
    let parts: [&[u8]; 3] = [t.as_bytes(), b".", body];
    let mut header = format!("t={t}");
    let mut out = [0u8; MAX_MAC];
    for key in keys.iter() {
        let n = key.mac(&parts, &mut out);
        header.push_str(",v1=");
        push_hex(&mut header, out.get(..n).unwrap_or_default());
    }
    Ok(Signed {
        headers: vec![(HEADER.to_owned(), header)],
        signature: None,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    // Produced identically by stripe-python 16.1.0 and stripe-node 23.1.0 (research §3 #19).
    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const HEADER: &str =
        "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";

    fn at(s: i64) -> Timestamp {
        Timestamp::from_seconds(s, "now").unwrap()
    }

    #[test]
    fn sdk_vector() {
        let v = Verifier::new(Scheme::Stripe, &[SECRET]).unwrap();
        let ok = v
            .verify(&[("stripe-signature", HEADER)], BODY, at(1_700_000_000))
            .unwrap();
        // timestamp value + SHA-256 of the body (`sha256sum` of BODY)
        assert_eq!(
            ok.replay.unwrap().key,
            "stripe:1700000000:9abdb463d32d99e43b6ab75d825da3861f8dd0a81bd85c4f58b9bca5b91b4df8"
        );
        let s = sign(
            Scheme::Stripe,
            &[SECRET],
            BODY,
            &SignInput {
                timestamp: Some(at(1_700_000_000)),
                ..SignInput::default()
            },
        )
        .unwrap();
        assert_eq!(s.header("Stripe-Signature"), Some(HEADER));
    }

    #[test]
    fn replay_key_ignores_which_secret_matched() {
        // A key roll: the sender signs with both secrets; a captured copy stripped of the
        // entry that matched first is still the same message.
        let now = at(1_700_000_000);
        let input = SignInput {
            timestamp: Some(now),
            ..SignInput::default()
        };
        let both = sign(Scheme::Stripe, &["whsec_old", "whsec_new"], BODY, &input).unwrap();
        let header = both.header("Stripe-Signature").unwrap().to_owned();
        let v = Verifier::new(Scheme::Stripe, &["whsec_old", "whsec_new"]).unwrap();
        let first = v
            .verify(&[("Stripe-Signature", header.as_str())], BODY, now)
            .unwrap();
        let mut parts: Vec<&str> = header.split(',').collect();
        parts.remove(1);
        let stripped = parts.join(",");
        let second = v
            .verify(&[("Stripe-Signature", stripped.as_str())], BODY, now)
            .unwrap();
        assert_eq!((first.key_index, second.key_index), (0, 1));
        assert_eq!(first.replay, second.replay);
        let mut guard = crate::signature::ReplayGuard::default();
        guard.record(&first, now).unwrap();
        assert_eq!(guard.record(&second, now).unwrap_err().code(), "replayed");
    }

    #[test]
    fn future_timestamps_are_rejected_too() {
        let v = Verifier::new(Scheme::Stripe, &[SECRET]).unwrap();
        let e = v
            .verify(
                &[("Stripe-Signature", HEADER)],
                BODY,
                at(1_700_000_000 - 301),
            )
            .unwrap_err();
        assert_eq!(e.code(), "timestamp_out_of_tolerance");
    }

    #[test]
    fn entries() {
        let v = Verifier::new(Scheme::Stripe, &[SECRET]).unwrap();
        let now = at(1_700_000_000);
        let code = |h: &str| {
            v.verify(&[("Stripe-Signature", h)], BODY, now)
                .map(|_| "ok")
                .unwrap_or_else(|e| e.code())
        };
        let tag = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";
        assert_eq!(code(&format!("t=1700000000,v0=abc,v1=zz,v1={tag}")), "ok");
        assert_eq!(code(&format!("v1={tag},t=1700000000")), "ok");
        assert_eq!(code(&format!("v1={tag}")), "signature_malformed");
        assert_eq!(code(&format!("t=17e8,v1={tag}")), "signature_malformed");
        assert_eq!(code("t=1700000000,v0=abc"), "signature_malformed");
        assert_eq!(
            code(&format!("t=1700000000,v1={}", "00".repeat(32))),
            "signature_mismatch"
        );
        // More usable entries than are decoded up front: the real one is found past them,
        // with undecodable ones and a later `t=` (the first wins) in between.
        let other = format!("v1={}", "ab".repeat(32));
        let many =
            format!("t=1700000000,{other},v1=zz,{other},{other},t=1,{other},{other},v1={tag}");
        assert_eq!(code(&many), "ok");
        assert_eq!(
            code(&format!(
                "t=1700000000,{other},{other},{other},{other},{other}"
            )),
            "signature_mismatch"
        );
        assert_eq!(
            code(&format!("t=1,t=1700000000,v1={tag}")),
            "timestamp_out_of_tolerance"
        );
        // Only a tag of the exact length decodes (63 and 65 digits are skipped).
        assert_eq!(
            code(&format!("t=1700000000,v1={},v1={tag}0", &tag[1..])),
            "signature_malformed"
        );
    }
}
