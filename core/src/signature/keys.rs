//! Secrets turned into key material once, at build time.
//!
//! Each secret becomes a pre-keyed HMAC state (cloned per message, never re-keyed) or, for
//! the shared-key schemes, a SHA-256 digest so the comparison is constant-time whatever the
//! lengths. Nothing here is printable: `Debug` shows only how many keys there are.

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

use super::Scheme;

/// The longest MAC any scheme uses (HMAC-SHA512).
pub(crate) const MAX_MAC: usize = 64;

/// Standard base64, padding optional: `whsec_` secrets are pasted by people, and the
/// reference Python library pads them; the tags themselves are decoded strictly elsewhere.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One secret, ready to use.
#[derive(Clone)]
pub(crate) enum Key {
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
    /// A key compared, not used as a MAC key (`gatenoc`, `keypair_invoice`).
    Shared {
        digest: [u8; 32],
        raw: String,
    },
}

impl Key {
    /// The MAC of the concatenated parts; returns the tag length written into `out`.
    pub(crate) fn mac(&self, parts: &[&[u8]], out: &mut [u8; MAX_MAC]) -> usize {
        match self {
            Key::Sha256(k) => {
                let mut m = k.clone();
                for p in parts {
                    m.update(p);
                }
                let tag = m.finalize().into_bytes();
                copy_into(out, &tag)
            }
            Key::Sha512(k) => {
                let mut m = k.clone();
                for p in parts {
                    m.update(p);
                }
                let tag = m.finalize().into_bytes();
                copy_into(out, &tag)
            }
            Key::Shared { .. } => 0,
        }
    }

    /// Constant-time: does `candidate` equal this shared key? (false for MAC keys)
    pub(crate) fn shared_matches(&self, candidate: &[u8]) -> bool {
        match self {
            Key::Shared { digest, .. } => {
                let d = Sha256::digest(candidate);
                bool::from(digest.as_slice().ct_eq(d.as_slice()))
            }
            _ => false,
        }
    }

    /// The shared key's text (for signing `gatenoc` / `keypair_invoice`).
    pub(crate) fn shared_raw(&self) -> Option<&str> {
        match self {
            Key::Shared { raw, .. } => Some(raw),
            _ => None,
        }
    }
}

fn copy_into(out: &mut [u8; MAX_MAC], tag: &[u8]) -> usize {
    let n = tag.len().min(MAX_MAC);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), tag.get(..n)) {
        dst.copy_from_slice(src);
    }
    n
}

/// Constant-time equality of a computed tag and a received one (of public, equal
/// lengths: 32 or 64 bytes). Compared as 64-bit words with `subtle`, which costs a
/// fraction of its byte-wise slice comparison and is just as constant-time.
pub(crate) fn tags_equal(computed: &[u8], received: &[u8]) -> bool {
    if computed.len() != received.len() {
        return false;
    }
    let mut eq = subtle::Choice::from(1u8);
    let mut a = computed.chunks_exact(8);
    let mut b = received.chunks_exact(8);
    for (x, y) in (&mut a).zip(&mut b) {
        let x = x.try_into().map(u64::from_le_bytes).unwrap_or(0);
        let y = y.try_into().map(u64::from_le_bytes).unwrap_or(1);
        eq &= x.ct_eq(&y);
    }
    eq &= a.remainder().ct_eq(b.remainder());
    bool::from(eq)
}

/// The secrets of one verifier or signer, in the order given.
#[derive(Clone)]
pub(crate) struct Keyring {
    keys: Vec<Key>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} key(s) redacted>", self.keys.len())
    }
}

fn bad(i: usize, reason: &str) -> Error {
    Error::invalid_field(format!("secrets[{i}]"), reason.to_owned())
}

impl Keyring {
    /// Derives every key the scheme's way; the first bad secret is `invalid_field`
    /// naming `secrets[i]` (never showing the secret).
    pub(crate) fn build<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Keyring> {
        if secrets.is_empty() {
            return Err(Error::invalid_field(
                "secrets",
                "at least one secret is required",
            ));
        }
        let mut keys = Vec::with_capacity(secrets.len());
        for (i, s) in secrets.iter().enumerate() {
            keys.push(derive(scheme, i, s.as_ref())?);
        }
        Ok(Keyring { keys })
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }

    /// The first (signing) key.
    pub(crate) fn first(&self) -> Result<&Key> {
        self.keys
            .first()
            .ok_or_else(|| Error::invalid_field("secrets", "at least one secret is required"))
    }
}

fn derive(scheme: Scheme, i: usize, secret: &[u8]) -> Result<Key> {
    if secret.is_empty() {
        return Err(bad(i, "secret is empty"));
    }
    match scheme {
        Scheme::StandardWebhooks => {
            // `whsec_` + base64 of 24..64 random bytes; the prefix is optional (Svix and the
            // reference libraries strip it when present).
            let text = secret.strip_prefix(b"whsec_").unwrap_or(secret);
            let bytes = LENIENT_B64
                .decode(text)
                .map_err(|_| bad(i, "a Standard Webhooks secret is base64 after whsec_"))?;
            if bytes.is_empty() {
                return Err(bad(i, "secret decodes to an empty key"));
            }
            hmac256(i, &bytes)
        }
        Scheme::Gatenoc | Scheme::KeypairInvoice => {
            let raw = std::str::from_utf8(secret)
                .map_err(|_| bad(i, "a shared key must be UTF-8 text"))?;
            // A blank key could never be presented: a blank header value counts as missing
            // (docs/spec.md §6).
            if raw.trim_matches(|c| c == ' ' || c == '\t').is_empty() {
                return Err(bad(i, "a shared key cannot be blank"));
            }
            let digest: [u8; 32] = Sha256::digest(secret).into();
            Ok(Key::Shared {
                digest,
                raw: raw.to_owned(),
            })
        }
        Scheme::Gatepay | Scheme::Monetix | Scheme::Nowpayments => {
            Hmac::<Sha512>::new_from_slice(secret)
                .map(Key::Sha512)
                .map_err(|_| bad(i, "unusable key"))
        }
        // Stripe uses the whole secret string, `whsec_` included, as the key.
        Scheme::UsdtGateway
        | Scheme::Stripe
        | Scheme::Github
        | Scheme::CoinbaseCommerce
        | Scheme::Shopify => hmac256(i, secret),
    }
}

fn hmac256(i: usize, key: &[u8]) -> Result<Key> {
    Hmac::<Sha256>::new_from_slice(key)
        .map(Key::Sha256)
        .map_err(|_| bad(i, "unusable key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_keys_cannot_be_blank() {
        for scheme in [Scheme::Gatenoc, Scheme::KeypairInvoice] {
            for blank in [" ", "\t", " \t "] {
                let e = Keyring::build(scheme, &["ok", blank]).unwrap_err();
                assert_eq!(e.field(), Some("secrets[1]"), "{scheme} {blank:?}");
            }
        }
        // an HMAC key may be anything non-empty
        assert!(Keyring::build(Scheme::Github, &[" "]).is_ok());
    }

    #[test]
    fn whsec_must_be_base64() {
        let e = Keyring::build(Scheme::StandardWebhooks, &["whsec_!!!!"]).unwrap_err();
        assert_eq!(e.field(), Some("secrets[0]"));
        assert!(!e.to_string().contains("!!!!"));
        assert!(Keyring::build(Scheme::StandardWebhooks, &["whsec_"]).is_err());
        // unpadded is fine
        assert!(Keyring::build(Scheme::StandardWebhooks, &["whsec_MTIzNDU2Nzg5MA"]).is_ok());
        // Stripe takes whsec_ literally
        assert!(Keyring::build(Scheme::Stripe, &["whsec_!!!!"]).is_ok());
    }

    #[test]
    fn tag_compare() {
        let a = [3u8; 32];
        let mut b = a;
        assert!(tags_equal(&a, &b));
        b[31] ^= 1;
        assert!(!tags_equal(&a, &b));
        b = a;
        b[0] ^= 0x80;
        assert!(!tags_equal(&a, &b));
        assert!(!tags_equal(&a, &a[..31]));
        assert!(tags_equal(&[1, 2, 3], &[1, 2, 3]));
        assert!(!tags_equal(&[1, 2, 3], &[1, 2, 4]));
    }

    #[test]
    fn shared_compare() {
        let k = derive(Scheme::Gatenoc, 0, b"pk_live").unwrap();
        assert!(k.shared_matches(b"pk_live"));
        assert!(!k.shared_matches(b"pk_liv"));
        assert!(!k.shared_matches(b""));
    }
}
