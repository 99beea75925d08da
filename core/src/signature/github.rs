//! GitHub: `X-Hub-Signature-256: sha256=<hex>` over the raw body, key = the hook secret.
//! The delivery GUID (`X-GitHub-Delivery`) is not signed, so it is not a replay key: the
//! tag is.

use super::common::{Enc, TagOnly};
use super::Scheme;

pub(crate) const SPEC: TagOnly = TagOnly {
    headers: &["X-Hub-Signature-256"],
    prefix: "sha256=",
    enc: Enc::Hex,
    scheme: Scheme::Github,
};

#[cfg(test)]
mod tests {
    use crate::signature::{sign, Scheme, SignInput, Verifier};
    use crate::time::Timestamp;

    // github/docs content/webhooks/using-webhooks/validating-webhook-deliveries.md
    const SECRET: &str = "It's a Secret to Everybody";
    const SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn docs_vector() {
        let now = Timestamp::from_millis(0, "now").unwrap();
        let v = Verifier::new(Scheme::Github, &[SECRET]).unwrap();
        assert!(v
            .verify(&[("x-hub-signature-256", SIG)], b"Hello, World!", now)
            .is_ok());
        let bare = SIG.trim_start_matches("sha256=");
        assert_eq!(
            v.verify(&[("x-hub-signature-256", bare)], b"Hello, World!", now)
                .unwrap_err()
                .code(),
            "signature_malformed"
        );
        let s = sign(
            Scheme::Github,
            &[SECRET],
            b"Hello, World!",
            &SignInput::default(),
        )
        .unwrap();
        assert_eq!(s.header("X-Hub-Signature-256"), Some(SIG));
    }
}
