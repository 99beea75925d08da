//! Webhook signatures (docs/spec.md §6): verify what a provider sent, sign as that provider, and
//! the replay guard.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use paystate::signature as sig;

use crate::types::{
    from_stored_json, lock, secs_in, to_stored_json, ts_in, ts_out, Result, Timestamp,
};

pub use paystate::signature::Scheme;

/// A signature format, named after the provider whose format it implements (the core's
/// enum, exported as is: see `types.rs` on remote enums).
#[uniffi::remote(Enum)]
pub enum Scheme {
    /// Seed 001: `X-Webhook-Signature` = hex HMAC-SHA256 of the raw body.
    UsdtGateway,
    /// Seed 002: `X-GatePay-Timestamp` (ms), `X-GatePay-Nonce`, `X-GatePay-Signature`
    /// (hex HMAC-SHA512 of `timestamp\nnonce\nbody\n`).
    Gatepay,
    /// Seed 003: the `signature` member inside the JSON body (HMAC-SHA512, base64).
    Monetix,
    /// Seed 000: `X-Gateway-Merchant-Key` must equal the merchant's public key.
    Gatenoc,
    /// Seed 004: the callback body carries the merchant's private key.
    KeypairInvoice,
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64>`.
    StandardWebhooks,
    /// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>`.
    Stripe,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>`.
    Github,
    /// Coinbase Commerce: `X-CC-Webhook-Signature` (hex HMAC-SHA256).
    CoinbaseCommerce,
    /// Shopify: `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256).
    Shopify,
    /// NOWPayments: `x-nowpayments-sig` (hex HMAC-SHA512 of the key-sorted body).
    Nowpayments,
}

/// The contract's name of a scheme (`standard_webhooks`).
#[uniffi::export]
pub fn scheme_as_str(scheme: Scheme) -> String {
    scheme.name().to_owned()
}

/// Whether the scheme signs a timestamp (and so checks a time window).
#[uniffi::export]
pub fn scheme_is_timestamped(scheme: Scheme) -> bool {
    scheme.is_timestamped()
}

/// The scheme's own window in seconds, for timestamped schemes.
#[uniffi::export]
pub fn scheme_default_tolerance_seconds(scheme: Scheme) -> Option<u64> {
    scheme.default_tolerance().map(|d| d.as_seconds())
}

/// Whether the replay guard applies (not for `gatenoc` and `keypair_invoice`).
#[uniffi::export]
pub fn scheme_has_replay_key(scheme: Scheme) -> bool {
    scheme.has_replay_key()
}

/// Reads a scheme by its contract name; anything else is `invalid_field`.
#[uniffi::export]
pub fn parse_scheme(name: String) -> Result<Scheme> {
    Ok(sig::Scheme::parse(&name)?)
}

/// Reads a timestamp header value the way `scheme` writes it (seconds for Standard
/// Webhooks and Stripe, milliseconds for GatePay); anything else is `invalid_field`.
#[uniffi::export]
pub fn parse_scheme_timestamp(scheme: Scheme, text: String) -> Result<Timestamp> {
    Ok(ts_out(sig::parse_scheme_timestamp(
        scheme,
        &text,
        "timestamp",
    )?))
}

/// How the signed timestamp is checked against `now`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum TimeCheck {
    /// The scheme's own window (300 s both ways for Standard Webhooks, Stripe, GatePay).
    SchemeDefault,
    /// The closed window `|now - timestamp| <= seconds`; zero means zero, never "off".
    WithinSeconds {
        /// The tolerance in seconds.
        seconds: u64,
    },
    /// No time check at all (explicit, so no tolerance value disables it by accident).
    Skip,
}

/// Options for a [`Verifier`]; [`default_verifier_options`] gives the core's defaults.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerifierOptions {
    /// How the signed timestamp is checked (ignored by schemes without one).
    pub time_check: TimeCheck,
    /// How long the replay key of a message without a checked timestamp is kept, in seconds.
    pub replay_retention_seconds: u64,
}

impl VerifierOptions {
    fn to_core(&self) -> Result<sig::VerifierOptions> {
        Ok(sig::VerifierOptions {
            time_check: match &self.time_check {
                TimeCheck::SchemeDefault => sig::TimeCheck::SchemeDefault,
                TimeCheck::WithinSeconds { seconds } => {
                    sig::TimeCheck::Within(secs_in(*seconds, "tolerance_seconds")?)
                }
                TimeCheck::Skip => sig::TimeCheck::Skip,
            },
            replay_retention: secs_in(self.replay_retention_seconds, "replay_retention")?,
        })
    }
}

/// The core's default options: the scheme's own window, a 24 h replay retention.
#[uniffi::export]
pub fn default_verifier_options() -> VerifierOptions {
    let d = sig::VerifierOptions::default();
    VerifierOptions {
        time_check: match d.time_check {
            sig::TimeCheck::SchemeDefault => TimeCheck::SchemeDefault,
            sig::TimeCheck::Within(w) => TimeCheck::WithinSeconds {
                seconds: w.as_seconds(),
            },
            sig::TimeCheck::Skip => TimeCheck::Skip,
        },
        replay_retention_seconds: d.replay_retention.as_seconds(),
    }
}

/// What to store in the [`ReplayGuard`] after a successful verification.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ReplayKey {
    /// Taken only from signed material, prefixed with the scheme name.
    pub key: String,
    /// The guard keeps the key until this instant.
    pub keep_until: Timestamp,
}

/// A successful verification.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Verified {
    /// The scheme that verified.
    pub scheme: Scheme,
    /// Index of the secret that matched, in the order given (tells when an old key can go).
    pub key_index: u32,
    /// The signed timestamp, for timestamped schemes.
    pub timestamp: Option<Timestamp>,
    /// The replay key, for schemes that have one.
    pub replay: Option<ReplayKey>,
}

impl From<sig::Verified> for Verified {
    fn from(v: sig::Verified) -> Self {
        Verified {
            scheme: v.scheme,
            key_index: u32::try_from(v.key_index).unwrap_or(u32::MAX),
            timestamp: v.timestamp.map(ts_out),
            replay: v.replay.map(|r| ReplayKey {
                key: r.key,
                keep_until: ts_out(r.keep_until),
            }),
        }
    }
}

impl Verified {
    fn to_core(&self) -> Result<sig::Verified> {
        Ok(sig::Verified {
            scheme: self.scheme,
            key_index: usize::try_from(self.key_index).unwrap_or(usize::MAX),
            timestamp: self.timestamp.map(|t| ts_in(t, "timestamp")).transpose()?,
            replay: match &self.replay {
                None => None,
                Some(r) => Some(sig::ReplayKey {
                    key: r.key.clone(),
                    keep_until: ts_in(r.keep_until, "keep_until")?,
                }),
            },
        })
    }
}

/// One webhook request as received: its headers (names matched case-insensitively) and
/// the raw body bytes (never re-serialised JSON). See [`Verifier::verify_request`].
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct WebhookRequest {
    /// The request headers.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// A webhook verifier for one scheme and one set of secrets (key rotation: any may match).
/// Build it once per endpoint: secrets are decoded and keyed up front (a bad secret fails
/// here, as `invalid_field`). It never shows a secret, in any message or `toString`.
#[derive(uniffi::Object)]
pub struct Verifier {
    /// The core verifier (crate-visible for the JNI fast path, src/jvm.rs).
    pub(crate) inner: sig::Verifier,
}

#[uniffi::export]
impl Verifier {
    /// A verifier with the scheme's default window.
    #[uniffi::constructor]
    pub fn new(scheme: Scheme, secrets: Vec<String>) -> Result<Arc<Verifier>> {
        Ok(Arc::new(Verifier {
            inner: sig::Verifier::new(scheme, &secrets)?,
        }))
    }

    /// A verifier with explicit options.
    #[uniffi::constructor]
    pub fn with_options(
        scheme: Scheme,
        secrets: Vec<String>,
        options: VerifierOptions,
    ) -> Result<Arc<Verifier>> {
        Ok(Arc::new(Verifier {
            inner: sig::Verifier::with_options(scheme, &secrets, options.to_core()?)?,
        }))
    }

    /// Verifies one delivery: the raw body bytes as received (never re-serialised JSON),
    /// its headers (names matched case-insensitively) and the current time. Errors, in
    /// check order: `malformed_json`, `signature_missing`, `signature_malformed`,
    /// `timestamp_out_of_tolerance`, `signature_mismatch`.
    pub fn verify(
        &self,
        headers: HashMap<String, String>,
        body: Vec<u8>,
        now: Timestamp,
    ) -> Result<Verified> {
        let now = ts_in(now, "now")?;
        Ok(self.inner.verify(&headers, &body, now)?.into())
    }

    /// [`Verifier::verify`] with the headers and body in one value: the same checks and
    /// errors, in one crossing of the FFI instead of two (each argument that is not a number
    /// is its own buffer, and on the JVM each buffer is one more native call; see
    /// BENCHMARKS.md "Kotlin/JVM binding").
    pub fn verify_request(&self, request: WebhookRequest, now: Timestamp) -> Result<Verified> {
        let now = ts_in(now, "now")?;
        Ok(self
            .inner
            .verify(&request.headers, &request.body, now)?
            .into())
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme()
    }

    /// The header names this verifier reads (lowercase; matched case-insensitively). A
    /// host may pass only these to [`Verifier::verify`].
    pub fn header_names(&self) -> Vec<String> {
        self.inner
            .scheme()
            .header_names()
            .iter()
            .map(|n| (*n).to_owned())
            .collect()
    }

    /// How many secrets it tries.
    pub fn key_count(&self) -> u32 {
        u32::try_from(self.inner.key_count()).unwrap_or(u32::MAX)
    }

    /// The time window applied, in seconds (none: skipped, or the scheme has no timestamp).
    pub fn tolerance_seconds(&self) -> Option<u64> {
        self.inner.tolerance().map(|d| d.as_seconds())
    }
}

/// Inputs a sender supplies when signing: the core never invents ids, nonces or times.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct SignInput {
    /// The message id (`webhook-id` for Standard Webhooks).
    #[uniffi(default)]
    pub id: Option<String>,
    /// The nonce (`X-GatePay-Nonce`).
    #[uniffi(default)]
    pub nonce: Option<String>,
    /// The signed timestamp (Standard Webhooks, Stripe: whole seconds; GatePay: ms).
    #[uniffi(default)]
    pub timestamp: Option<Timestamp>,
}

/// One HTTP header, with the provider's own spelling of its name.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// The header name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// What a provider would send. An object (not a record) so that `toString` never shows the
/// signature: for `keypair_invoice` it is the merchant's private key.
#[derive(uniffi::Object)]
pub struct Signed {
    inner: sig::Signed,
}

#[uniffi::export]
impl Signed {
    /// Headers to send, in order.
    pub fn headers(&self) -> Vec<HttpHeader> {
        self.inner
            .headers
            .iter()
            .map(|(name, value)| HttpHeader {
                name: name.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// The value of one produced header (name matched case-insensitively).
    pub fn header(&self, name: String) -> Option<String> {
        self.inner.header(&name).map(str::to_owned)
    }

    /// `monetix`: the base64 signature placed in the body; `keypair_invoice`: the key.
    pub fn signature(&self) -> Option<String> {
        self.inner.signature.clone()
    }

    /// `monetix` and `keypair_invoice`: the body to send (compact JSON, member order kept).
    pub fn body(&self) -> Option<Vec<u8>> {
        self.inner.body.clone()
    }
}

/// Signs webhooks as a provider would (the host is the sender). Never shows a secret.
#[derive(uniffi::Object)]
pub struct Signer {
    inner: sig::Signer,
}

#[uniffi::export]
impl Signer {
    /// A signer; secrets are checked exactly as for [`Verifier::new`].
    #[uniffi::constructor]
    pub fn new(scheme: Scheme, secrets: Vec<String>) -> Result<Arc<Signer>> {
        Ok(Arc::new(Signer {
            inner: sig::Signer::new(scheme, &secrets)?,
        }))
    }

    /// Signs `body`. Inputs the scheme needs and lacks are `missing_field`; `monetix` and
    /// `keypair_invoice` need a JSON object body (`malformed_json`).
    pub fn sign(&self, body: Vec<u8>, input: SignInput) -> Result<Arc<Signed>> {
        let timestamp = input.timestamp.map(|t| ts_in(t, "timestamp")).transpose()?;
        let core_input = sig::SignInput {
            id: input.id.as_deref(),
            nonce: input.nonce.as_deref(),
            timestamp,
        };
        Ok(Arc::new(Signed {
            inner: self.inner.sign(&body, &core_input)?,
        }))
    }

    /// The scheme this signer produces.
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme()
    }
}

/// A bounded, time-windowed set of accepted message keys: record each successful
/// verification; a key seen before is `replayed`. Plain data: store it with `to_json`.
#[derive(uniffi::Object)]
pub struct ReplayGuard {
    inner: Mutex<sig::ReplayGuard>,
}

#[uniffi::export]
impl ReplayGuard {
    /// An empty guard holding at most `capacity` keys (default 100 000; 0 is `invalid_field`).
    #[uniffi::constructor(default(capacity = None))]
    pub fn new(capacity: Option<u64>) -> Result<Arc<ReplayGuard>> {
        let guard = match capacity {
            None => sig::ReplayGuard::default(),
            Some(c) => sig::ReplayGuard::new(usize::try_from(c).unwrap_or(usize::MAX))?,
        };
        Ok(Arc::new(ReplayGuard {
            inner: Mutex::new(guard),
        }))
    }

    /// Reads a guard stored with [`ReplayGuard::to_json`].
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<ReplayGuard>> {
        Ok(Arc::new(ReplayGuard {
            inner: Mutex::new(from_stored_json(&json)?),
        }))
    }

    /// Records a verification's replay key (`replayed` if seen and still in its window;
    /// schemes without a key pass untouched).
    pub fn record(&self, verified: Verified, now: Timestamp) -> Result<()> {
        let verified = verified.to_core()?;
        let now = ts_in(now, "now")?;
        lock(&self.inner).record(&verified, now)?;
        Ok(())
    }

    /// Accepts a key once: `replayed` if it is held and inside its window at `now`.
    pub fn check_and_record(
        &self,
        key: String,
        keep_until: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        let keep_until = ts_in(keep_until, "keep_until")?;
        let now = ts_in(now, "now")?;
        lock(&self.inner).check_and_record(&key, keep_until, now)?;
        Ok(())
    }

    /// Whether `key` is held and still inside its window at `now`.
    pub fn contains(&self, key: String, now: Timestamp) -> Result<bool> {
        Ok(lock(&self.inner).contains(&key, ts_in(now, "now")?))
    }

    /// Drops every key whose window has passed at `now`.
    pub fn tick(&self, now: Timestamp) -> Result<()> {
        let now = ts_in(now, "now")?;
        lock(&self.inner).tick(now);
        Ok(())
    }

    /// When the next key expires.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        lock(&self.inner).next_deadline().map(ts_out)
    }

    /// Keys currently stored.
    pub fn len(&self) -> u64 {
        u64::try_from(lock(&self.inner).len()).unwrap_or(u64::MAX)
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        lock(&self.inner).is_empty()
    }

    /// The most keys kept at once.
    pub fn capacity(&self) -> u64 {
        u64::try_from(lock(&self.inner).capacity()).unwrap_or(u64::MAX)
    }

    /// The storable state (JSON with `schema_version`).
    pub fn to_json(&self) -> String {
        to_stored_json(&*lock(&self.inner))
    }

    /// An independent copy.
    pub fn copy(&self) -> Arc<ReplayGuard> {
        Arc::new(ReplayGuard {
            inner: Mutex::new(lock(&self.inner).clone()),
        })
    }
}
