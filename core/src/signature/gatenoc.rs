//! Seed 000 (`gatenoc`): the gateway's `notify_url` POST carries `X-Gateway-Merchant-Key`,
//! which "repeats your public API key". Nothing is signed, so this only proves the sender
//! knows the merchant key; the comparison is constant-time (digests of both sides, so not
//! even the length leaks) and there is no replay key.

use crate::error::Result;

use super::common::{header, mismatch, missing, Ctx};
use super::keys::Keyring;
use super::{Headers, Signed, Verified};

const HEADER: &str = "X-Gateway-Merchant-Key";

pub(crate) fn verify<H: Headers + ?Sized>(ctx: &Ctx<'_>, h: &H) -> Result<Verified> {
    let value = header(h, HEADER).ok_or_else(|| missing(HEADER))?;
    let i = ctx
        .keys
        .iter()
        .position(|k| k.shared_matches(value.as_bytes()))
        .ok_or_else(|| mismatch(ctx.keys))?;
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: None,
        replay: None,
    })
}

pub(crate) fn sign(keys: &Keyring) -> Result<Signed> {
    let key = keys.first()?.shared_raw().unwrap_or_default().to_owned();
    Ok(Signed {
        headers: vec![(HEADER.to_owned(), key)],
        signature: None,
        body: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::signature::{Scheme, Verifier};
    use crate::time::Timestamp;

    #[test]
    fn compares_public_key() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let v = Verifier::new(Scheme::Gatenoc, &["OLD_KEY", "SANDBOX_PUBLIC_KEY"]).unwrap();
        let body = br#"{"event":"payment.completed"}"#;
        let ok = v
            .verify(
                &[("x-gateway-merchant-key", "SANDBOX_PUBLIC_KEY")],
                body,
                now,
            )
            .unwrap();
        assert_eq!((ok.key_index, ok.replay), (1, None));
        let code = |h: &[(&str, &str)]| v.verify(h, body, now).unwrap_err().code();
        assert_eq!(code(&[]), "signature_missing");
        // present but empty counts as missing (docs/spec.md §6)
        assert_eq!(code(&[("X-Gateway-Merchant-Key", "")]), "signature_missing");
        assert_eq!(
            code(&[("X-Gateway-Merchant-Key", "SANDBOX_PUBLIC_KEY ")]),
            "signature_mismatch"
        );
    }
}
