//! Seed 001 (`usdt_gateway`): `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body.
//!
//! The seed's Node sample signs `JSON.stringify(body)` of a parsed body; the bytes on the
//! wire are what its server signed, so the raw body is verified, never a re-serialisation.
//! No timestamp is signed: the replay key is the tag, kept for the host's retention.

use super::common::{Enc, TagOnly};
use super::Scheme;

pub(crate) const SPEC: TagOnly = TagOnly {
    headers: &["X-Webhook-Signature"],
    prefix: "",
    enc: Enc::Hex,
    scheme: Scheme::UsdtGateway,
};

#[cfg(test)]
mod tests {
    use crate::signature::Scheme;
    use crate::signature::{sign, SignInput, Verifier};
    use crate::time::Timestamp;

    const BODY: &[u8] = br#"{"status":"confirmed","invoice_reference":"ORDER-9"}"#;
    const TAG: &str = "70d95d0c9c988a60bc7db72ab08f62891323ce2911389f1c7f5d5398ada91fd3";

    fn now() -> Timestamp {
        Timestamp::from_millis(1_767_225_600_000, "now").unwrap()
    }

    #[test]
    fn verifies_known_tag() {
        let v = Verifier::new(Scheme::UsdtGateway, &["example_secret"]).unwrap();
        let ok = v
            .verify(&[("x-webhook-signature", TAG)], BODY, now())
            .unwrap();
        assert_eq!(ok.key_index, 0);
        let r = ok.replay.unwrap();
        assert_eq!(r.key, format!("usdt_gateway:{TAG}"));
        assert_eq!(r.keep_until.millis_since(now()), 24 * 3600 * 1000);
        // Upper-case hex is the same tag.
        let upper = TAG.to_uppercase();
        assert!(v
            .verify(&[("X-Webhook-Signature", upper.as_str())], BODY, now())
            .is_ok());
    }

    #[test]
    fn error_order() {
        let v = Verifier::new(Scheme::UsdtGateway, &["example_secret"]).unwrap();
        let code = |h: &[(&str, &str)], b: &[u8]| v.verify(h, b, now()).unwrap_err().code();
        assert_eq!(code(&[], BODY), "signature_missing");
        assert_eq!(
            code(&[("X-Webhook-Signature", "nothex")], BODY),
            "signature_malformed"
        );
        assert_eq!(
            code(&[("X-Webhook-Signature", "")], BODY),
            "signature_missing"
        );
        assert_eq!(
            code(&[("X-Webhook-Signature", TAG)], b"{}"),
            "signature_mismatch"
        );
        // non-UTF-8 bodies are just bytes
        assert_eq!(
            code(&[("X-Webhook-Signature", TAG)], b"\xff\xfe"),
            "signature_mismatch"
        );
    }

    #[test]
    fn signs_known_tag() {
        let s = sign(
            Scheme::UsdtGateway,
            &["example_secret"],
            BODY,
            &SignInput::default(),
        )
        .unwrap();
        assert_eq!(s.header("x-webhook-signature"), Some(TAG));
    }
}
