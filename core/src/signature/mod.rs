//! Webhook signatures (docs/spec.md §6): verify what a provider sent, or sign as that provider.
//!
//! Build a [`Verifier`] once per endpoint from a [`Scheme`], the secret(s) and
//! [`VerifierOptions`]; it derives every key up front (bad secrets fail here, never at
//! verify time) and keeps a pre-keyed MAC state per secret, so the hot path only hashes
//! the message. [`Verifier::verify`] takes the raw body bytes — never re-serialised JSON —,
//! the request headers (matched case-insensitively) and `now`, and returns [`Verified`]:
//! which secret matched, the signed timestamp, and the replay key for [`ReplayGuard`].
//!
//! Checks run in the contract's order and the first failure is the error:
//! `malformed_json` (schemes that read the body) → `signature_missing` →
//! `signature_malformed` → `timestamp_out_of_tolerance` → `signature_mismatch`.
//!
//! [`Signer`] is the other direction, for hosts that send webhooks: it produces exactly
//! the headers (or the signed JSON) the provider would send. Ids, nonces and timestamps
//! come from the caller; nothing here reads a clock or draws randomness.

mod canonical;
mod coinbase_commerce;
mod common;
mod diagnose;
mod gatenoc;
mod gatepay;
mod github;
mod headers;
mod keypair_invoice;
mod keys;
mod monetix;
mod nowpayments;
pub mod replay;
mod shopify;
mod standard_webhooks;
mod stripe;
mod usdt_gateway;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::{Duration, Timestamp};

pub use canonical::{monetix_signing_string, nowpayments_canonical};
pub use diagnose::{diagnose, Hint};
pub use headers::{HeaderValues, Headers};
pub use replay::ReplayGuard;

use keys::Keyring;

/// A signature format, named after the provider whose format it implements.
///
/// Each scheme fixes its header names, what is signed, the MAC, the tag encoding and how a
/// secret string becomes key bytes (a `whsec_` prefix means base64 for
/// [`Scheme::StandardWebhooks`] and nothing special for [`Scheme::Stripe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Seed 001: `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body.
    UsdtGateway,
    /// Seed 002: `X-GatePay-Timestamp` (unix ms), `X-GatePay-Nonce`, `X-GatePay-Signature` =
    /// hex HMAC-SHA512 of `timestamp \n nonce \n body \n`.
    Gatepay,
    /// Seed 003 (ECommPay platform): base64 HMAC-SHA512 of the flattened JSON body, carried
    /// in the body's `signature` (or `general.signature`) member.
    Monetix,
    /// Seed 000: the `X-Gateway-Merchant-Key` header repeats the merchant's public key.
    Gatenoc,
    /// Seed 004: the callback body carries the merchant's private key (`private_key` or
    /// `privatekey`).
    KeypairInvoice,
    /// The Standard Webhooks spec (also Svix): `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature: v1,<base64>` list, `whsec_` base64 secrets.
    StandardWebhooks,
    /// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=...]`; the secret string is the key.
    Stripe,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>`.
    Github,
    /// Coinbase Commerce: `X-CC-Webhook-Signature` = hex HMAC-SHA256 of the raw body.
    CoinbaseCommerce,
    /// Shopify: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body.
    Shopify,
    /// NOWPayments IPN: `x-nowpayments-sig` = hex HMAC-SHA512 of the body re-written with
    /// sorted keys, as JavaScript's `JSON.stringify` writes it.
    Nowpayments,
}

impl Scheme {
    /// Every scheme, in a stable order (for bindings and docs).
    pub const ALL: [Scheme; 11] = [
        Scheme::UsdtGateway,
        Scheme::Gatepay,
        Scheme::Monetix,
        Scheme::Gatenoc,
        Scheme::KeypairInvoice,
        Scheme::StandardWebhooks,
        Scheme::Stripe,
        Scheme::Github,
        Scheme::CoinbaseCommerce,
        Scheme::Shopify,
        Scheme::Nowpayments,
    ];

    /// The scheme's name as the contract spells it (`standard_webhooks`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::UsdtGateway => "usdt_gateway",
            Scheme::Gatepay => "gatepay",
            Scheme::Monetix => "monetix",
            Scheme::Gatenoc => "gatenoc",
            Scheme::KeypairInvoice => "keypair_invoice",
            Scheme::StandardWebhooks => "standard_webhooks",
            Scheme::Stripe => "stripe",
            Scheme::Github => "github",
            Scheme::CoinbaseCommerce => "coinbase_commerce",
            Scheme::Shopify => "shopify",
            Scheme::Nowpayments => "nowpayments",
        }
    }

    /// Reads a scheme name; anything else is `invalid_field` on `scheme`.
    pub fn parse(name: &str) -> Result<Scheme> {
        Scheme::ALL
            .iter()
            .copied()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let shown: String = name.chars().take(40).collect();
                Error::invalid_field("scheme", format!("unknown signature scheme {shown:?}"))
            })
    }

    /// Whether the scheme signs a timestamp (and therefore checks a time window).
    pub fn is_timestamped(self) -> bool {
        matches!(
            self,
            Scheme::StandardWebhooks | Scheme::Stripe | Scheme::Gatepay
        )
    }

    /// The window applied when the options say [`TimeCheck::SchemeDefault`]: 300 s both ways
    /// for Standard Webhooks, Stripe and GatePay (seed 002 allows 5 minutes of skew); `None`
    /// for schemes that sign no timestamp.
    pub fn default_tolerance(self) -> Option<Duration> {
        if self.is_timestamped() {
            Some(Duration::seconds(300))
        } else {
            None
        }
    }

    /// Whether a replay key exists for this scheme: `gatenoc` and `keypair_invoice` sign
    /// nothing (they compare a shared key), so the replay guard does not apply to them.
    pub fn has_replay_key(self) -> bool {
        !matches!(self, Scheme::Gatenoc | Scheme::KeypairInvoice)
    }

    /// Whether the scheme must parse the body as a JSON object (so a body that is not one
    /// is `malformed_json`, checked first).
    pub fn parses_body(self) -> bool {
        matches!(
            self,
            Scheme::Monetix | Scheme::Nowpayments | Scheme::KeypairInvoice
        )
    }

    /// Every header name [`Verifier::verify`] may read for this scheme, lower-case (as
    /// HTTP/2 and most frameworks spell them), preferred spelling first. A host that reads
    /// headers itself passes these and no others (docs/spec.md §6). Empty for `monetix` and
    /// `keypair_invoice`, which carry their proof in the body.
    pub fn header_names(self) -> &'static [&'static str] {
        match self {
            Scheme::UsdtGateway => &["x-webhook-signature"],
            Scheme::Gatepay => &[
                "x-gatepay-signature",
                "x-gatepay-timestamp",
                "x-gatepay-nonce",
            ],
            Scheme::Monetix | Scheme::KeypairInvoice => &[],
            Scheme::Gatenoc => &["x-gateway-merchant-key"],
            Scheme::StandardWebhooks => &[
                "webhook-id",
                "webhook-timestamp",
                "webhook-signature",
                "svix-id",
                "svix-timestamp",
                "svix-signature",
            ],
            Scheme::Stripe => &["stripe-signature"],
            Scheme::Github => &["x-hub-signature-256"],
            Scheme::CoinbaseCommerce => &["x-cc-webhook-signature"],
            Scheme::Shopify => &["x-shopify-hmac-sha256", "shopify-hmac-sha256"],
            Scheme::Nowpayments => &["x-nowpayments-sig"],
        }
    }

    /// How many leading [`Scheme::header_names`] are preferred spellings, one for each
    /// header the scheme reads. The names after them are other spellings of the same
    /// headers (Standard Webhooks' `svix-*`, Shopify's event-delivery name), which
    /// [`Verifier::verify`] reads only where the preferred spelling is absent or blank. So a
    /// host that finds every preferred header with a value that is certainly not blank may
    /// pass those alone and skip looking up the rest (issue 14: the Node binding).
    pub fn preferred_header_count(self) -> usize {
        match self {
            Scheme::StandardWebhooks => 3,
            Scheme::Shopify => 1,
            _ => self.header_names().len(),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the signed timestamp is checked against `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeCheck {
    /// The scheme's own window ([`Scheme::default_tolerance`]).
    #[default]
    SchemeDefault,
    /// The closed window `|now - timestamp| <= tolerance`, in both directions. A tolerance
    /// of zero means zero (the timestamp must equal `now`), never "disabled".
    Within(Duration),
    /// No time check at all. Explicit, so that no tolerance value silently disables it.
    Skip,
}

/// Options for a [`Verifier`]; `Default` is the scheme's own window and a 24 h retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifierOptions {
    /// How the signed timestamp is checked (ignored by schemes without one).
    pub time_check: TimeCheck,
    /// How long the replay key of a message without a checked timestamp is kept (schemes
    /// that sign only the body, or any scheme under [`TimeCheck::Skip`]). Default 24 h.
    pub replay_retention: Duration,
}

impl Default for VerifierOptions {
    fn default() -> Self {
        VerifierOptions {
            time_check: TimeCheck::SchemeDefault,
            replay_retention: Duration::seconds(24 * 3600),
        }
    }
}

impl VerifierOptions {
    /// Options with a two-sided tolerance in whole seconds.
    pub fn with_tolerance_seconds(seconds: u64) -> Result<VerifierOptions> {
        Ok(VerifierOptions {
            time_check: TimeCheck::Within(Duration::from_seconds(seconds, "tolerance_seconds")?),
            ..VerifierOptions::default()
        })
    }
}

/// What the host stores in the [`ReplayGuard`] after a successful verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayKey {
    /// Taken only from signed material, prefixed with the scheme name and independent of
    /// which secret matched (docs/spec.md §6): `standard_webhooks:<webhook-id>`,
    /// `stripe:<timestamp seconds>:<hex SHA-256 of the body>`,
    /// `gatepay:<timestamp ms>:<nonce>`, and `<scheme>:<hex tag>` for the schemes that
    /// sign no timestamp (`usdt_gateway`, `github`, `coinbase_commerce`, `shopify`,
    /// `monetix`, `nowpayments`).
    pub key: String,
    /// The last instant at which the message could still verify (timestamp + tolerance,
    /// or `now` + retention for schemes without a checked timestamp): the guard keeps the
    /// key until then.
    pub keep_until: Timestamp,
}

/// A successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The scheme that verified.
    pub scheme: Scheme,
    /// Index of the secret that matched, in the order given (tells operators when an old
    /// key can be retired).
    pub key_index: usize,
    /// The signed timestamp, for timestamped schemes.
    pub timestamp: Option<Timestamp>,
    /// The replay key, for schemes that have one (all but `gatenoc` and `keypair_invoice`).
    pub replay: Option<ReplayKey>,
}

/// A webhook verifier for one scheme and one set of secrets (key rotation: any matches).
///
/// Built once, used for every request: each secret is decoded and turned into a
/// pre-keyed MAC state at construction. `Debug` never shows a secret.
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    keys: Keyring,
    tolerance: Option<Duration>,
    retention: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme)
            .field("keys", &self.keys)
            .field("tolerance", &self.tolerance)
            .field("replay_retention", &self.retention)
            .finish()
    }
}

impl Verifier {
    /// A verifier with the scheme's default window. Empty or undecodable secrets (e.g. bad
    /// base64 after `whsec_`) are `invalid_field` naming `secrets[i]`; no secret at all is
    /// `invalid_field` on `secrets`.
    pub fn new<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Verifier> {
        Verifier::with_options(scheme, secrets, VerifierOptions::default())
    }

    /// A verifier with explicit options.
    pub fn with_options<S: AsRef<[u8]>>(
        scheme: Scheme,
        secrets: &[S],
        options: VerifierOptions,
    ) -> Result<Verifier> {
        let keys = Keyring::build(scheme, secrets)?;
        let tolerance = match options.time_check {
            TimeCheck::SchemeDefault => scheme.default_tolerance(),
            TimeCheck::Within(d) => Some(d),
            TimeCheck::Skip => None,
        };
        Ok(Verifier {
            scheme,
            keys,
            tolerance,
            retention: options.replay_retention,
        })
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// How many secrets it tries.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The time window applied (`None`: the time check is skipped or the scheme has none).
    pub fn tolerance(&self) -> Option<Duration> {
        if self.scheme.is_timestamped() {
            self.tolerance
        } else {
            None
        }
    }

    /// Verifies one delivery: raw body bytes as received, its headers, and the current time.
    ///
    /// Errors, in check order: `malformed_json`, `signature_missing`,
    /// `signature_malformed`, `timestamp_out_of_tolerance`, `signature_mismatch`.
    pub fn verify<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Verified> {
        self.verify_reading(headers, body, now, false)
    }

    /// [`Verifier::verify`] with the timestamp header read in the unit the scheme does not
    /// use: how [`diagnose`] tells a sender that wrote the wrong unit (docs/spec.md §6).
    pub(crate) fn verify_in_other_unit<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Verified> {
        self.verify_reading(headers, body, now, true)
    }

    fn verify_reading<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: Timestamp,
        other_unit: bool,
    ) -> Result<Verified> {
        let ctx = common::Ctx {
            scheme: self.scheme,
            keys: &self.keys,
            tolerance: self.tolerance,
            retention: self.retention,
            now,
            other_unit,
        };
        match self.scheme {
            Scheme::UsdtGateway => {
                common::verify_tag_only(&ctx, &usdt_gateway::SPEC, headers, body)
            }
            Scheme::Github => common::verify_tag_only(&ctx, &github::SPEC, headers, body),
            Scheme::CoinbaseCommerce => {
                common::verify_tag_only(&ctx, &coinbase_commerce::SPEC, headers, body)
            }
            Scheme::Shopify => common::verify_tag_only(&ctx, &shopify::SPEC, headers, body),
            Scheme::Gatepay => gatepay::verify(&ctx, headers, body),
            Scheme::StandardWebhooks => standard_webhooks::verify(&ctx, headers, body),
            Scheme::Stripe => stripe::verify(&ctx, headers, body),
            Scheme::Monetix => monetix::verify(&ctx, body),
            Scheme::Nowpayments => nowpayments::verify(&ctx, headers, body),
            Scheme::Gatenoc => gatenoc::verify(&ctx, headers),
            Scheme::KeypairInvoice => keypair_invoice::verify(&ctx, body),
        }
    }
}

/// Inputs a sender supplies when signing: the core never invents ids, nonces or times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInput<'a> {
    /// The message id (`webhook-id` for Standard Webhooks).
    pub id: Option<&'a str>,
    /// The nonce (`X-GatePay-Nonce`).
    pub nonce: Option<&'a str>,
    /// The signed timestamp (Standard Webhooks, Stripe: whole seconds; GatePay: ms).
    pub timestamp: Option<Timestamp>,
}

impl<'a> SignInput<'a> {
    /// Header names that carry the message id, first match wins (case-insensitive).
    pub const ID_HEADERS: &'static [&'static str] = &["webhook-id", "id"];
    /// Header names that carry the nonce.
    pub const NONCE_HEADERS: &'static [&'static str] = &["X-GatePay-Nonce", "nonce"];
    /// Header names that carry the timestamp, in the scheme's own digits.
    pub const TIMESTAMP_HEADERS: &'static [&'static str] =
        &["webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"];

    /// The inputs a sender's headers name (docs/spec.md §6): the id, the nonce, and the
    /// timestamp read the way `scheme` writes it, `default_time` when no header has one.
    /// A timestamp that does not parse is `invalid_field` on `headers.timestamp`.
    pub fn from_headers<H: Headers + ?Sized>(
        scheme: Scheme,
        headers: &'a H,
        default_time: Timestamp,
    ) -> Result<SignInput<'a>> {
        let first = |names: &[&str]| names.iter().find_map(|n| headers.header(n));
        let timestamp = match first(Self::TIMESTAMP_HEADERS) {
            Some(t) => parse_scheme_timestamp(scheme, t, "headers.timestamp")?,
            None => default_time,
        };
        Ok(SignInput {
            id: first(Self::ID_HEADERS),
            nonce: first(Self::NONCE_HEADERS),
            timestamp: Some(timestamp),
        })
    }
}

/// What a provider would send: headers, and for schemes that sign inside the body the
/// signature value placed there and the signed body.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Headers to send, with the provider's own spelling of their names.
    pub headers: Vec<(String, String)>,
    /// `monetix`: the base64 signature placed in the body; `keypair_invoice`: the key.
    pub signature: Option<String>,
    /// `monetix` and `keypair_invoice`: the body to send (compact JSON, member order kept).
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // gatenoc's header value is the merchant key and keypair_invoice's body and
        // signature carry the private key: only header names and the body's length show,
        // as in the Python repr.
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Signed")
            .field("headers", &names)
            .field("signature", &self.signature.as_ref().map(|_| "<redacted>"))
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Signed {
    /// The value of a produced header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Signs webhooks as a provider would (the host is the sender).
///
/// Standard Webhooks and Stripe sign with every secret at once (zero-downtime rotation on
/// the sender side); every other scheme signs with the first secret.
#[derive(Clone)]
pub struct Signer {
    scheme: Scheme,
    keys: Keyring,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("scheme", &self.scheme)
            .field("keys", &self.keys)
            .finish()
    }
}

impl Signer {
    /// A signer; secrets are checked exactly as for [`Verifier::new`].
    pub fn new<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Signer> {
        Ok(Signer {
            scheme,
            keys: Keyring::build(scheme, secrets)?,
        })
    }

    /// The scheme this signer produces.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Signs `body`. Missing inputs the scheme needs are `missing_field` (`id`, `nonce`,
    /// `timestamp`); `monetix` and `keypair_invoice` need a JSON object body
    /// (`malformed_json`).
    pub fn sign(&self, body: &[u8], input: &SignInput<'_>) -> Result<Signed> {
        match self.scheme {
            Scheme::UsdtGateway => common::sign_tag_only(&self.keys, &usdt_gateway::SPEC, body),
            Scheme::Github => common::sign_tag_only(&self.keys, &github::SPEC, body),
            Scheme::CoinbaseCommerce => {
                common::sign_tag_only(&self.keys, &coinbase_commerce::SPEC, body)
            }
            Scheme::Shopify => common::sign_tag_only(&self.keys, &shopify::SPEC, body),
            Scheme::Gatepay => gatepay::sign(&self.keys, body, input),
            Scheme::StandardWebhooks => standard_webhooks::sign(&self.keys, body, input),
            Scheme::Stripe => stripe::sign(&self.keys, body, input),
            Scheme::Monetix => monetix::sign(&self.keys, body),
            Scheme::Nowpayments => nowpayments::sign(&self.keys, body),
            Scheme::Gatenoc => gatenoc::sign(&self.keys),
            Scheme::KeypairInvoice => keypair_invoice::sign(&self.keys, body),
        }
    }
}

/// Verifies once without keeping a [`Verifier`] (builds the keys every call: prefer a
/// `Verifier` on a hot path).
pub fn verify<S: AsRef<[u8]>, H: Headers + ?Sized>(
    scheme: Scheme,
    secrets: &[S],
    options: VerifierOptions,
    headers: &H,
    body: &[u8],
    now: Timestamp,
) -> Result<Verified> {
    Verifier::with_options(scheme, secrets, options)?.verify(headers, body, now)
}

/// Signs once without keeping a [`Signer`].
pub fn sign<S: AsRef<[u8]>>(
    scheme: Scheme,
    secrets: &[S],
    body: &[u8],
    input: &SignInput<'_>,
) -> Result<Signed> {
    Signer::new(scheme, secrets)?.sign(body, input)
}

/// Reads a timestamp header value the way `scheme` writes it (seconds for Standard
/// Webhooks and Stripe, milliseconds for GatePay): ASCII digits only (leading zeros
/// allowed), up to year 9999;
/// anything else is `invalid_field` on `field`. Useful to feed [`SignInput::timestamp`]
/// from text.
pub fn parse_scheme_timestamp(
    scheme: Scheme,
    text: &str,
    field: &'static str,
) -> Result<Timestamp> {
    match common::parse_timestamp(scheme, text) {
        Some(common::Stamp::At(ts)) => Ok(ts),
        Some(common::Stamp::TooLarge) => Err(Error::invalid_field(
            field,
            "the timestamp is too large to represent",
        )),
        None => Err(Error::invalid_field(
            field,
            "expected the scheme's unix timestamp digits",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_inputs_come_from_the_headers_a_verifier_reads() {
        let now = Timestamp::from_seconds(1_700_000_000, "t").unwrap();
        let h = [
            ("Webhook-Id", "msg_1"),
            ("X-GatePay-Nonce", "n1"),
            ("webhook-timestamp", "1700000100"),
        ];
        let input = SignInput::from_headers(Scheme::StandardWebhooks, &h, now).unwrap();
        assert_eq!((input.id, input.nonce), (Some("msg_1"), Some("n1")));
        assert_eq!(input.timestamp.unwrap().as_seconds(), 1_700_000_100);
        let none: [(&str, &str); 0] = [];
        let input = SignInput::from_headers(Scheme::StandardWebhooks, &none, now).unwrap();
        assert_eq!(
            input,
            SignInput {
                id: None,
                nonce: None,
                timestamp: Some(now)
            }
        );
        let e =
            SignInput::from_headers(Scheme::StandardWebhooks, &[("t", "soon")], now).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_field", Some("headers.timestamp"))
        );
    }

    #[test]
    fn names_round_trip() {
        for s in Scheme::ALL {
            assert_eq!(Scheme::parse(s.name()).unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.name()));
        }
        assert_eq!(Scheme::parse("svix").unwrap_err().code(), "invalid_field");
    }

    #[test]
    fn debug_redacts_secrets() {
        let v = Verifier::new(Scheme::UsdtGateway, &["super-secret-value"]).unwrap();
        let s = Signer::new(Scheme::Gatenoc, &["super-secret-value"]).unwrap();
        let text = format!("{v:?} {s:?}");
        assert!(!text.contains("super-secret-value"), "{text}");
        for scheme in [Scheme::KeypairInvoice, Scheme::Gatenoc] {
            let signed = sign(
                scheme,
                &["super-secret-value"],
                b"{}",
                &SignInput::default(),
            )
            .unwrap();
            let text = format!("{signed:?}");
            assert!(!text.contains("super-secret-value"), "{scheme}: {text}");
        }
        // the key really is in what is sent, so the redaction is what hides it
        let signed = sign(
            Scheme::Gatenoc,
            &["super-secret-value"],
            b"",
            &SignInput::default(),
        )
        .unwrap();
        assert_eq!(
            signed.header("X-Gateway-Merchant-Key"),
            Some("super-secret-value")
        );
        assert!(format!("{signed:?}").contains("X-Gateway-Merchant-Key"));
    }

    #[test]
    fn replay_keys_name_the_scheme_and_ignore_which_secret_matched() {
        let now = Timestamp::from_seconds(1_700_000_000, "now").unwrap();
        let body = br#"{"id":"evt_1","amount":"10.50"}"#;
        let input = SignInput {
            id: Some("msg_1"),
            nonce: Some("n1"),
            timestamp: Some(now),
        };
        let (k1, k2) = (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        );
        for scheme in Scheme::ALL.into_iter().filter(|s| s.has_replay_key()) {
            // Standard Webhooks and Stripe sign with both keys (a key roll); the others
            // with the first. Either order of the verifier's keys gives one replay key.
            let signed = sign(scheme, &[k1, k2], body, &input).unwrap();
            let sent = signed.body.clone().unwrap_or_else(|| body.to_vec());
            let a = Verifier::new(scheme, &[k1, k2])
                .unwrap()
                .verify(&signed.headers, &sent, now)
                .unwrap();
            let b = Verifier::new(scheme, &[k2, k1])
                .unwrap()
                .verify(&signed.headers, &sent, now)
                .unwrap();
            assert_eq!(a.replay, b.replay, "{scheme}");
            let key = a.replay.map(|r| r.key).unwrap_or_default();
            assert!(key.starts_with(&format!("{}:", scheme.name())), "{key}");
        }
    }

    #[test]
    fn no_message_or_debug_shows_a_secret() {
        // Every scheme, every path that prints: Debug of what holds or produces the secret,
        // and the message of every failure, including a bad secret and the hints.
        let now = Timestamp::from_seconds(1_700_000_000, "now").unwrap();
        let input = SignInput {
            id: Some("msg_1"),
            nonce: Some("n1"),
            timestamp: Some(now),
        };
        let body = br#"{"id":"evt_1","amount":"10.50"}"#;
        for scheme in Scheme::ALL {
            let (secret, shown) = if scheme == Scheme::StandardWebhooks {
                // what would leak is the base64 text
                (
                    "whsec_U2VjcmV0VmFsdWVGb3JMZWFrcw==",
                    "U2VjcmV0VmFsdWVGb3JMZWFrcw",
                )
            } else {
                ("SecretValueForLeaks", "SecretValueForLeaks")
            };
            let mut texts = Vec::new();
            let v = Verifier::new(scheme, &[secret]).unwrap();
            let signer = Signer::new(scheme, &[secret]).unwrap();
            let signed = signer.sign(body, &input).unwrap();
            let sent = signed.body.clone().unwrap_or_else(|| body.to_vec());
            let headers = signed.headers.clone();
            let ok = v.verify(&headers, &sent, now).unwrap();
            let mut guard = ReplayGuard::new(1).unwrap();
            guard.record(&ok, now).unwrap();
            texts.push(format!("{v:?} {signer:?} {signed:?} {ok:?} {guard:?}"));
            if let Err(e) = guard.record(&ok, now) {
                texts.push(e.to_string());
            }
            // the secret's owner verifying with a near miss of it, and the hints
            let near = format!("{secret} ");
            let wrong = Verifier::new(scheme, &[near.as_str()]);
            texts.push(format!("{wrong:?}"));
            if let Ok(w) = wrong {
                texts.push(format!("{:?}", w.verify(&headers, &sent, now)));
            }
            let hints = diagnose(
                scheme,
                &[near.as_str()],
                VerifierOptions::default(),
                &headers,
                &sent,
                now,
            );
            texts.extend(hints.iter().map(Hint::explain));
            texts.push(format!("{hints:?}"));
            // failures of every kind, with the secret itself in the message's reach
            let tampered: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| (k.clone(), v.replace(secret, "x")))
                .collect();
            for (h, b) in [
                (Vec::new(), &sent[..]),
                (tampered, &sent[..]),
                (headers.clone(), &b"{}"[..]),
                (headers.clone(), &b"not json"[..]),
            ] {
                texts.push(format!("{:?}", v.verify(&h, b, now)));
                if let Err(e) = v.verify(&h, b, now) {
                    texts.push(e.to_string());
                }
            }
            // a secret that does not decode names its position, never its text
            let bad = format!("whsec_{shown}!!");
            if let Err(e) = Verifier::new(scheme, &[bad.as_str()]) {
                texts.push(e.to_string());
            }
            for text in texts {
                assert!(!text.contains(shown), "{scheme}: {text}");
            }
        }
    }

    #[test]
    fn empty_secret_list_and_empty_secret_rejected() {
        let none: [&str; 0] = [];
        let e = Verifier::new(Scheme::Github, &none).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_field", Some("secrets")));
        let e = Verifier::new(Scheme::Github, &["ok", ""]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_field", Some("secrets[1]")));
        for s in Scheme::ALL {
            assert!(Verifier::new(s, &[""]).is_err(), "{s}");
        }
    }

    #[test]
    fn sign_then_verify_every_scheme() {
        let now = Timestamp::from_millis(1_700_000_000_000, "t").unwrap();
        let body = br#"{"id":"evt_1","amount":10.50,"nested":{"b":true,"a":null},"list":[1,"x"]}"#;
        let input = SignInput {
            id: Some("msg_1"),
            nonce: Some("n0nce"),
            timestamp: Some(now),
        };
        for s in Scheme::ALL {
            let secret = if s == Scheme::StandardWebhooks {
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            } else {
                "k3y"
            };
            let signed = sign(s, &[secret], body, &input).unwrap();
            let sent_body = signed.body.clone().unwrap_or_else(|| body.to_vec());
            let headers: Vec<(&str, &str)> = signed
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let other = if s == Scheme::StandardWebhooks {
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
            } else {
                "other"
            };
            let v = Verifier::new(s, &[other, secret]).unwrap();
            let ok = v.verify(headers.as_slice(), &sent_body, now).unwrap();
            assert_eq!(ok.key_index, 1, "{s}");
            assert_eq!(ok.replay.is_some(), s.has_replay_key(), "{s}");
            let wrong = Verifier::new(s, &[other]).unwrap();
            assert_eq!(
                wrong
                    .verify(headers.as_slice(), &sent_body, now)
                    .unwrap_err()
                    .code(),
                "signature_mismatch",
                "{s}"
            );
        }
    }

    /// Headers that answer from a signed delivery minus the `hidden` names, noting every
    /// name the verifier asks for.
    struct Probe<'a> {
        given: &'a [(String, String)],
        hidden: &'a [String],
        asked: std::cell::RefCell<Vec<String>>,
    }

    impl Headers for Probe<'_> {
        fn header(&self, name: &str) -> Option<&str> {
            let lower = name.to_ascii_lowercase();
            self.asked.borrow_mut().push(lower.clone());
            if self.hidden.contains(&lower) {
                return None;
            }
            self.given.header(name)
        }
    }

    /// A delivery of `{}` signed by `s` at a fixed instant, and a verifier of its secret:
    /// `(now, headers, body, verifier)`.
    fn signed_delivery(s: Scheme) -> (Timestamp, Vec<(String, String)>, Vec<u8>, Verifier) {
        let now = Timestamp::from_millis(1_700_000_000_000, "t").unwrap();
        let input = SignInput {
            id: Some("msg_1"),
            nonce: Some("n0nce"),
            timestamp: Some(now),
        };
        let secret = if s == Scheme::StandardWebhooks {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        } else {
            "k3y"
        };
        let signed = sign(s, &[secret], b"{}", &input).unwrap();
        let body = signed.body.unwrap_or_else(|| b"{}".to_vec());
        (
            now,
            signed.headers,
            body,
            Verifier::new(s, &[secret]).unwrap(),
        )
    }

    #[test]
    fn other_spellings_are_read_only_without_the_preferred_ones() {
        for s in Scheme::ALL {
            let (now, headers, body, verifier) = signed_delivery(s);
            let names = s.header_names();
            let (preferred, others) = names.split_at(s.preferred_header_count());
            // The signed delivery carries the preferred spellings; give the other spellings
            // too (blank would be ignored, so give garbage): verify must not read them.
            let mut given = headers;
            for n in others {
                given.push(((*n).to_owned(), "v1,garbage".to_owned()));
            }
            let probe = Probe {
                given: &given,
                hidden: &[],
                asked: Default::default(),
            };
            assert!(verifier.verify(&probe, &body, now).is_ok(), "{s}");
            for name in probe.asked.into_inner() {
                assert!(preferred.contains(&name.as_str()), "{s} read {name}");
            }
        }
    }

    #[test]
    fn header_names_are_exactly_what_verify_reads() {
        for s in Scheme::ALL {
            let (now, headers, body, verifier) = signed_delivery(s);
            // Verify with every header, then with each name asked for hidden in turn (which
            // reveals the spellings the scheme falls back to).
            let mut asked: Vec<String> = Vec::new();
            let mut queue: Vec<Vec<String>> = vec![Vec::new()];
            while let Some(hidden) = queue.pop() {
                let probe = Probe {
                    given: &headers,
                    hidden: &hidden,
                    asked: Default::default(),
                };
                let _ = verifier.verify(&probe, &body, now);
                for name in probe.asked.into_inner() {
                    if !asked.contains(&name) {
                        asked.push(name.clone());
                        queue.push([hidden.clone(), vec![name]].concat());
                    }
                }
            }
            asked.sort();
            let mut named: Vec<&str> = s.header_names().to_vec();
            named.sort_unstable();
            assert_eq!(asked, named, "{s}");
        }
    }
}
