//! Seed 002 (`gatepay`, Gate.com merchant API): `X-GatePay-Timestamp` (unix
//! **milliseconds**), `X-GatePay-Nonce`, `X-GatePay-Signature` = lowercase hex
//! HMAC-SHA512 of `timestamp "\n" nonce "\n" body "\n"` (trailing newline included), keyed
//! with the secret key's UTF-8 bytes — as `gate/gatepay-sdk-go` and the Java SDK compute it.
//!
//! The seed allows 5 minutes of skew (300 s both ways by default). The replay key is the
//! timestamp with the nonce. A nonce must be 1..=64 visible ASCII characters (no spaces or
//! newlines, which would make the signed string ambiguous).

use crate::error::{Error, Result};

use super::common::{
    check_window, decode_tag, find_match, header, keep_until, malformed, mismatch, missing, need,
    sign_first, Ctx, Enc,
};
use super::keys::Keyring;
use super::{Headers, ReplayKey, SignInput, Signed, Verified};

const TS: &str = "X-GatePay-Timestamp";
const NONCE: &str = "X-GatePay-Nonce";
const SIG: &str = "X-GatePay-Signature";

fn nonce_ok(n: &str) -> bool {
    !n.is_empty() && n.len() <= 64 && n.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

pub(crate) fn verify<H: Headers + ?Sized>(ctx: &Ctx<'_>, h: &H, body: &[u8]) -> Result<Verified> {
    let sig = header(h, SIG).ok_or_else(|| missing(SIG))?;
    let ts_text = header(h, TS).ok_or_else(|| missing(TS))?;
    let nonce = header(h, NONCE).ok_or_else(|| missing(NONCE))?;
    let ts = ctx
        .read_timestamp(ts_text)
        .ok_or_else(|| malformed("X-GatePay-Timestamp must be unix milliseconds (ASCII digits)"))?;
    if !nonce_ok(nonce) {
        return Err(malformed(
            "X-GatePay-Nonce must be 1 to 64 visible ASCII characters",
        ));
    }
    let mut buf = [0u8; 72];
    let tag = decode_tag(sig.trim_matches(' '), Enc::Hex, 64, &mut buf)
        .ok_or_else(|| malformed("X-GatePay-Signature is not a 128-digit hex HMAC-SHA512"))?;
    let ts = check_window(ctx, ts, ts_text)?;
    let parts: [&[u8]; 6] = [
        ts_text.as_bytes(),
        b"\n",
        nonce.as_bytes(),
        b"\n",
        body,
        b"\n",
    ];
    let i = find_match(ctx.keys, &parts, |f| f(tag)).ok_or_else(|| mismatch(ctx.keys))?;
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: Some(ts),
        replay: Some(ReplayKey {
            key: format!("gatepay:{}:{nonce}", ts.as_millis()),
            keep_until: keep_until(ctx, ts),
        }),
    })
}

pub(crate) fn sign(keys: &Keyring, body: &[u8], input: &SignInput<'_>) -> Result<Signed> {
    let ts = need(input.timestamp, "timestamp")?.as_millis().to_string();
    let nonce = need(input.nonce, "nonce")?;
    if !nonce_ok(nonce) {
        return Err(Error::invalid_field(
            "nonce",
            "a GatePay nonce is 1 to 64 visible ASCII characters",
        ));
    }
    let parts: [&[u8]; 6] = [ts.as_bytes(), b"\n", nonce.as_bytes(), b"\n", body, b"\n"];
    let tag = sign_first(keys, &parts, Enc::Hex)?;
    Ok(Signed {
        headers: vec![
            (TS.to_owned(), ts),
            (NONCE.to_owned(), nonce.to_owned()),
            (SIG.to_owned(), tag),
        ],
        signature: None,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    // Self-computed from the SDK source (research §3, "unconfirmed"; regression use only).
    const KEY: &str = "test_secret_key";
    const BODY: &[u8] = br#"{"merchantTradeNo":"M1","status":"PAID"}"#;
    const SIG: &str = "fde020b3dc402189a47708f666d3f612295223eca744014a4874c3209523ce7b08a1d16fe007ac07b649580020b163b36781561af907fd11c300241dba30f4af";

    fn ms(v: i64) -> Timestamp {
        Timestamp::from_millis(v, "now").unwrap()
    }

    fn hdr(ts: &str) -> [(&str, &str); 3] {
        [
            ("X-GatePay-Timestamp", ts),
            ("X-GatePay-Nonce", "abc123xyz789"),
            ("X-GatePay-Signature", SIG),
        ]
    }

    #[test]
    fn vector_and_millisecond_window() {
        let v = Verifier::new(Scheme::Gatepay, &[KEY]).unwrap();
        let t = 1_704_067_200_000;
        let ok = v.verify(&hdr("1704067200000"), BODY, ms(t)).unwrap();
        assert_eq!(ok.replay.unwrap().key, "gatepay:1704067200000:abc123xyz789");
        assert!(v
            .verify(&hdr("1704067200000"), BODY, ms(t + 300_000))
            .is_ok());
        assert!(v
            .verify(&hdr("1704067200000"), BODY, ms(t - 300_000))
            .is_ok());
        for now in [t + 300_001, t - 300_001] {
            assert_eq!(
                v.verify(&hdr("1704067200000"), BODY, ms(now))
                    .unwrap_err()
                    .code(),
                "timestamp_out_of_tolerance"
            );
        }
        // seconds instead of milliseconds: parses, but is 1970 — out of the window.
        assert_eq!(
            v.verify(&hdr("1704067200"), BODY, ms(t))
                .unwrap_err()
                .code(),
            "timestamp_out_of_tolerance"
        );
        let s = sign(
            Scheme::Gatepay,
            &[KEY],
            BODY,
            &SignInput {
                id: None,
                nonce: Some("abc123xyz789"),
                timestamp: Some(ms(t)),
            },
        )
        .unwrap();
        assert_eq!(s.header("x-gatepay-signature"), Some(SIG));
        assert_eq!(s.header("x-gatepay-timestamp"), Some("1704067200000"));
    }

    #[test]
    fn malformed_parts() {
        let v = Verifier::new(Scheme::Gatepay, &[KEY]).unwrap();
        let now = ms(1_704_067_200_000);
        let code = |h: &[(&str, &str)]| v.verify(h, BODY, now).unwrap_err().code();
        assert_eq!(
            code(&[
                ("X-GatePay-Timestamp", "1704067200000"),
                ("X-GatePay-Nonce", "n")
            ]),
            "signature_missing"
        );
        assert_eq!(
            code(&[
                ("X-GatePay-Timestamp", "1704067200000"),
                ("X-GatePay-Nonce", "a b"),
                ("X-GatePay-Signature", SIG)
            ]),
            "signature_malformed"
        );
        let short = &SIG[..64];
        assert_eq!(
            code(&[
                ("X-GatePay-Timestamp", "1704067200000"),
                ("X-GatePay-Nonce", "n"),
                ("X-GatePay-Signature", short)
            ]),
            "signature_malformed"
        );
    }
}
