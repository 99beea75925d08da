//! NOWPayments IPN: `x-nowpayments-sig` = lowercase hex HMAC-SHA512, keyed with the IPN
//! secret, of [`nowpayments_canonical`] of the body (keys sorted at every level, compact,
//! `JSON.stringify` escaping, numbers as sent). The body must be a JSON object
//! (`malformed_json` first). No timestamp or nonce is signed: the replay key is the tag.

use crate::error::Result;
use crate::json::parse_object;

use super::canonical::nowpayments_canonical;
use super::common::{header, missing, sign_first, verify_tag_value, Ctx, Enc, TagOnly};
use super::keys::Keyring;
use super::{Headers, Scheme, Signed, Verified};

const SPEC: TagOnly = TagOnly {
    headers: &["x-nowpayments-sig"],
    prefix: "",
    enc: Enc::Hex,
    scheme: Scheme::Nowpayments,
};

fn canonical_body(body: &[u8]) -> Result<Vec<u8>> {
    let map = parse_object(body)?;
    Ok(nowpayments_canonical(&serde_json::Value::Object(map)))
}

pub(crate) fn verify<H: Headers + ?Sized>(ctx: &Ctx<'_>, h: &H, body: &[u8]) -> Result<Verified> {
    let canonical = canonical_body(body)?;
    let value = header(h, "x-nowpayments-sig").ok_or_else(|| missing("x-nowpayments-sig"))?;
    verify_tag_value(ctx, &SPEC, "x-nowpayments-sig", value, &canonical)
}

pub(crate) fn sign(keys: &Keyring, body: &[u8]) -> Result<Signed> {
    let canonical = canonical_body(body)?;
    let tag = sign_first(keys, &[&canonical], Enc::Hex)?;
    Ok(Signed {
        headers: vec![("x-nowpayments-sig".to_owned(), tag)],
        signature: None,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    #[test]
    fn key_order_does_not_matter() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let a = br#"{"payment_id":5077125051,"payment_status":"finished","fee":{"depositFee":0,"currency":"usdttrc20"},"price_amount":10.50}"#;
        let b = br#"{ "price_amount": 10.50, "fee": {"currency":"usdttrc20", "depositFee":0}, "payment_status":"finished", "payment_id": 5077125051 }"#;
        let s = sign(Scheme::Nowpayments, &["ipn"], a, &SignInput::default()).unwrap();
        let sig = s.header("x-nowpayments-sig").unwrap();
        let v = Verifier::new(Scheme::Nowpayments, &["ipn"]).unwrap();
        assert!(v.verify(&[("X-NOWPAYMENTS-SIG", sig)], b, now).is_ok());
        // 10.5 is not 10.50: numbers are signed as sent
        let c = String::from_utf8(b.to_vec())
            .unwrap()
            .replace("10.50", "10.5");
        assert_eq!(
            v.verify(&[("x-nowpayments-sig", sig)], c.as_bytes(), now)
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
        assert_eq!(
            v.verify(&[("x-nowpayments-sig", sig)], b"[]", now)
                .unwrap_err()
                .code(),
            "malformed_json"
        );
        assert_eq!(
            v.verify(&[], b"{}", now).unwrap_err().code(),
            "signature_missing"
        );
    }
}
