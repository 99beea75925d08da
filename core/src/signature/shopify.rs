//! Shopify webhooks: `X-Shopify-Hmac-Sha256` (event deliveries: `shopify-hmac-sha256`) =
//! base64 HMAC-SHA256 of the raw body with the app's client secret.

use super::common::{Enc, TagOnly};
use super::Scheme;

pub(crate) const SPEC: TagOnly = TagOnly {
    headers: &["X-Shopify-Hmac-Sha256", "shopify-hmac-sha256"],
    prefix: "",
    enc: Enc::Base64,
    scheme: Scheme::Shopify,
};

#[cfg(test)]
mod tests {
    use crate::signature::{Scheme, Verifier};
    use crate::time::Timestamp;

    // Shopify/shopify-app-js packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts
    #[test]
    fn sdk_vector_both_header_names() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let v = Verifier::new(Scheme::Shopify, &["test_secret_key"]).unwrap();
        let tag = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=";
        assert!(v
            .verify(&[("X-Shopify-Hmac-Sha256", tag)], br#"{"foo": "bar"}"#, now)
            .is_ok());
        assert!(v
            .verify(&[("shopify-hmac-sha256", tag)], br#"{"foo": "bar"}"#, now)
            .is_ok());
        let unpadded = tag.trim_end_matches('=');
        assert_eq!(
            v.verify(&[("X-Shopify-Hmac-Sha256", unpadded)], b"{}", now)
                .unwrap_err()
                .code(),
            "signature_malformed"
        );
    }
}
