//! Seed 004 (`keypair_invoice`): the callback body carries the merchant's private key
//! (`private_key` per the field list; the seed's own examples read `privatekey`), compared
//! in constant time. The body must be a JSON object (`malformed_json` first). Nothing is
//! signed, so there is no replay key.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::json::parse_object;

use super::common::{malformed, mismatch, missing, Ctx};
use super::keys::Keyring;
use super::{Signed, Verified};

pub(crate) fn verify(ctx: &Ctx<'_>, body: &[u8]) -> Result<Verified> {
    let map = parse_object(body)?;
    // An empty member counts as missing (docs/spec.md §6), so the other spelling is tried.
    let present = |name: &str| map.get(name).filter(|v| v.as_str() != Some(""));
    let value = present("private_key")
        .or_else(|| present("privatekey"))
        .ok_or_else(|| missing("private_key"))?;
    let Value::String(key) = value else {
        return Err(malformed("private_key must be a string"));
    };
    let i = ctx
        .keys
        .iter()
        .position(|k| k.shared_matches(key.as_bytes()))
        .ok_or_else(|| mismatch(ctx.keys))?;
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: None,
        replay: None,
    })
}

pub(crate) fn sign(keys: &Keyring, body: &[u8]) -> Result<Signed> {
    let mut map = parse_object(body)?;
    let key = keys.first()?.shared_raw().unwrap_or_default().to_owned();
    map.insert("private_key".to_owned(), Value::String(key.clone()));
    let bytes = serde_json::to_vec(&map).map_err(Error::malformed_json)?;
    Ok(Signed {
        headers: Vec::new(),
        signature: Some(key),
        body: Some(bytes),
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    #[test]
    fn both_member_names() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let v = Verifier::new(Scheme::KeypairInvoice, &["yourprivatekey"]).unwrap();
        assert!(v
            .verify(&[], br#"{"privatekey":"yourprivatekey","id":1}"#, now)
            .is_ok());
        assert!(v
            .verify(&[], br#"{"private_key":"yourprivatekey"}"#, now)
            .is_ok());
        let code = |b: &[u8]| v.verify(&[], b, now).unwrap_err().code();
        assert_eq!(code(b"not json"), "malformed_json");
        assert_eq!(code(b"[1]"), "malformed_json");
        assert_eq!(code(br#"{"id":1}"#), "signature_missing");
        assert_eq!(code(br#"{"private_key":5}"#), "signature_malformed");
        assert_eq!(code(br#"{"private_key":""}"#), "signature_missing");
        assert!(v
            .verify(
                &[],
                br#"{"private_key":"","privatekey":"yourprivatekey"}"#,
                now
            )
            .is_ok());
        assert_eq!(code(br#"{"private_key":"nope"}"#), "signature_mismatch");
        let s = sign(
            Scheme::KeypairInvoice,
            &["yourprivatekey"],
            br#"{"id":1}"#,
            &SignInput::default(),
        )
        .unwrap();
        assert_eq!(s.signature.as_deref(), Some("yourprivatekey"));
        assert_eq!(
            s.body.unwrap(),
            br#"{"id":1,"private_key":"yourprivatekey"}"#
        );
    }
}
