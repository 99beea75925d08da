//! Coinbase Commerce: `X-CC-Webhook-Signature` = hex HMAC-SHA256 of the raw body with the
//! shared secret. (The official SDKs parse the JSON before checking; here the bytes are
//! checked first and parsing is the host's business afterwards.)

use super::common::{Enc, TagOnly};
use super::Scheme;

pub(crate) const SPEC: TagOnly = TagOnly {
    headers: &["X-CC-Webhook-Signature"],
    prefix: "",
    enc: Enc::Hex,
    scheme: Scheme::CoinbaseCommerce,
};

#[cfg(test)]
mod tests {
    use crate::signature::{Scheme, Verifier};
    use crate::time::Timestamp;

    #[test]
    fn wrong_length_is_malformed() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let v = Verifier::new(Scheme::CoinbaseCommerce, &["s"]).unwrap();
        let e = v
            .verify(&[("X-CC-Webhook-Signature", "abcd")], b"{}", now)
            .unwrap_err();
        assert_eq!(e.code(), "signature_malformed");
    }
}
