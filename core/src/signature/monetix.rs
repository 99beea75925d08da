//! Seed 003 (`monetix`, the ECommPay platform): the signature travels inside the JSON body
//! (`signature` at the top level, or `general.signature` in Gate API callbacks). It is the
//! standard base64 of HMAC-SHA512, keyed with the project's secret key, over
//! [`monetix_signing_string`] of the body. The body must be a JSON object
//! (`malformed_json` first); the replay key is the tag, kept for the host's retention.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::json::parse_object;

use super::canonical::monetix_signing_string;
use super::common::{
    decode_tag, find_match, malformed, mismatch, missing, sign_first, tag_replay, Ctx, Enc,
};
use super::keys::Keyring;
use super::{Signed, Verified};

/// The signature member: top-level `signature`, else `general.signature`.
/// An empty string counts as missing (docs/spec.md §6).
fn signature_member(map: &Map<String, Value>) -> Option<&Value> {
    let present = |v: &&Value| v.as_str() != Some("");
    map.get("signature").filter(present).or_else(|| {
        map.get("general")
            .and_then(Value::as_object)
            .and_then(|g| g.get("signature"))
            .filter(present)
    })
}

pub(crate) fn verify(ctx: &Ctx<'_>, body: &[u8]) -> Result<Verified> {
    let map = parse_object(body)?;
    let member = signature_member(&map).ok_or_else(|| missing("signature"))?;
    let Value::String(text) = member else {
        return Err(malformed("signature must be a string"));
    };
    let mut buf = [0u8; 72];
    let tag = decode_tag(text, Enc::Base64, 64, &mut buf)
        .ok_or_else(|| malformed("signature is not a base64 HMAC-SHA512 (88 characters)"))?;
    let signing = monetix_signing_string(&map);
    let i = find_match(ctx.keys, &[signing.as_bytes()], |f| f(tag))
        .ok_or_else(|| mismatch(ctx.keys))?;
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: None,
        replay: Some(tag_replay(ctx, tag)),
    })
}

pub(crate) fn sign(keys: &Keyring, body: &[u8]) -> Result<Signed> {
    let mut map = parse_object(body)?;
    let sig = sign_first(
        keys,
        &[monetix_signing_string(&map).as_bytes()],
        Enc::Base64,
    )?;
    let value = Value::String(sig.clone());
    let top = map.contains_key("signature");
    match map.get_mut("general") {
        Some(Value::Object(general)) if !top => {
            general.insert("signature".to_owned(), value);
        }
        _ => {
            map.insert("signature".to_owned(), value);
        }
    }
    let bytes = serde_json::to_vec(&map).map_err(Error::malformed_json)?;
    Ok(Signed {
        headers: Vec::new(),
        signature: Some(sig),
        body: Some(bytes),
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    // ITECOMMPAY/paymentpage-sdk-python tests/test_signature_handler.py
    const BODY: &[u8] = br#"{"payment":{"id":"test-payment","status":"success"},"some_bool_param":true,"signature":"TZS0J65ReNUMgKzeXUey9xOGGyC7r4OhsFXt/3H8XZM2Le8Wot2E1NIjeSPOyV1F3sUU6F3kfo9om2dhbe3ieA==","frame_mode":"popup"}"#;

    fn now() -> Timestamp {
        Timestamp::from_millis(0, "now").unwrap()
    }

    #[test]
    fn sdk_vector() {
        let v = Verifier::new(Scheme::Monetix, &["qwerty"]).unwrap();
        let ok = v.verify(&[], BODY, now()).unwrap();
        assert!(ok.replay.unwrap().key.starts_with("monetix:"));
        let tampered = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("success", "decline");
        assert_eq!(
            v.verify(&[], tampered.as_bytes(), now())
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
    }

    #[test]
    fn general_signature_and_errors() {
        let body = br#"{"general":{"project_id":1,"payment_id":"p"},"payment":{"amount":12300}}"#;
        let s = sign(Scheme::Monetix, &["k"], body, &SignInput::default()).unwrap();
        let signed = s.body.unwrap();
        let text = String::from_utf8(signed.clone()).unwrap();
        assert!(text.contains(&format!("\"signature\":\"{}\"", s.signature.unwrap())));
        assert!(
            text.starts_with("{\"general\":{\"project_id\":1,\"payment_id\":\"p\",\"signature\"")
        );
        let v = Verifier::new(Scheme::Monetix, &["k"]).unwrap();
        assert!(v.verify(&[], &signed, now()).is_ok());
        let code = |b: &[u8]| v.verify(&[], b, now()).unwrap_err().code();
        assert_eq!(code(b"{"), "malformed_json");
        assert_eq!(code(br#"{"payment":{}}"#), "signature_missing");
        assert_eq!(code(br#"{"signature":12}"#), "signature_malformed");
        // the seed's own example signatures are truncated
        assert_eq!(
            code(br#"{"signature":"U7HQO7ToISZhMPKdM4Xr4DSX2UuHp99rHrtaxkUKQtoYzFvoB3cs9CRd4xeYG2Q=="}"#),
            "signature_malformed"
        );
    }
}
