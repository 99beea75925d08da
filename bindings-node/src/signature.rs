//! Webhook signatures (DESIGN §6): pre-keyed verifiers, signers, and the replay guard.

use std::cell::{Cell, OnceCell};

use napi::bindgen_prelude::{Array, Buffer, FromNapiValue, Function, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use paystate::signature::{Headers, ReplayGuard as CoreGuard, Scheme, SignInput, VerifierOptions};
use paystate::Timestamp;

use crate::conv;
use crate::err::{invalid_field, raise, type_error, OrThrow};

/// Where header values come from.
enum Source<'a> {
    /// A plain object (`req.headers` of Node's `http`, Express, Fastify): names looked up
    /// lower-cased first, then case-insensitively.
    Object(Object<'a>),
    /// An object with a `get(name)` method (`Headers` of `fetch`, a `Map`).
    Getter(Object<'a>, Function<'a, String, Unknown<'a>>),
    /// `[name, value]` pairs, already read.
    Pairs(Vec<(String, String)>),
}

const SLOTS: usize = 12;

/// Headers read lazily from a JavaScript value: only the names a scheme asks for are
/// looked up, each at most once.
struct JsHeaders<'a> {
    source: Source<'a>,
    slots: [OnceCell<(String, Option<String>)>; SLOTS],
    keys: OnceCell<Vec<String>>,
    bad: Cell<Option<String>>,
}

impl<'a> JsHeaders<'a> {
    fn new(env: &Env, v: Unknown<'a>) -> napi::Result<JsHeaders<'a>> {
        let source = match v.get_type()? {
            ValueType::Object if v.is_array()? => {
                let mut pairs = Vec::new();
                for item in conv::items(env, v, "headers")? {
                    let pair = conv::items(env, item, "headers[]")?;
                    match pair.as_slice() {
                        [k, val] => pairs.push((
                            conv::string(env, *k, "headers[][0]")?,
                            conv::string(env, *val, "headers[][1]")?,
                        )),
                        _ => return Err(type_error(env, "headers: expected [name, value] pairs")),
                    }
                }
                Source::Pairs(pairs)
            }
            ValueType::Object if !v.is_date()? && !v.is_typedarray()? => {
                let obj = Object::from_unknown(v)?;
                let get: Option<Unknown<'a>> = obj.get("get")?;
                match get {
                    Some(g) if g.get_type()? == ValueType::Function => {
                        Source::Getter(obj, Function::from_unknown(g)?)
                    }
                    _ => Source::Object(obj),
                }
            }
            _ => {
                return Err(type_error(
                    env,
                    &format!(
                    "headers: expected an object, a Headers or Map, or [name, value] pairs, got {}",
                    conv::kind(&v)
                ),
                ))
            }
        };
        Ok(JsHeaders {
            source,
            slots: Default::default(),
            keys: OnceCell::new(),
            bad: Cell::new(None),
        })
    }

    fn value_of(&self, name: &str, v: Unknown<'_>) -> Option<String> {
        // Fast path: a string value, read without a type query first.
        if let Ok(s) = String::from_unknown(v) {
            return Some(s);
        }
        match v.get_type() {
            Ok(ValueType::String) => String::from_unknown(v).ok(),
            Ok(ValueType::Undefined | ValueType::Null) => None,
            Ok(ValueType::Object) if v.is_array().unwrap_or(false) => {
                // Node joins repeated headers, except a few kept as arrays: take the first.
                let arr = Array::from_unknown(v).ok()?;
                let first: Option<Unknown<'_>> = arr.get(0).ok()?;
                // No recursion: a nested array is not a header value.
                match first.map(String::from_unknown) {
                    Some(Ok(s)) => Some(s),
                    None => None,
                    Some(Err(_)) => {
                        self.bad.set(Some(format!(
                            "headers: the value of {name:?} is not a string"
                        )));
                        None
                    }
                }
            }
            _ => {
                self.bad.set(Some(format!(
                    "headers: the value of {name:?} is not a string"
                )));
                None
            }
        }
    }

    fn lookup(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        match &self.source {
            Source::Pairs(pairs) => pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone()),
            Source::Getter(obj, get) => {
                let v = get.apply(obj, lower).ok()?;
                self.value_of(name, v)
            }
            Source::Object(obj) => {
                if let Ok(Some(v)) = obj.get::<Unknown<'_>>(&lower) {
                    return self.value_of(name, v);
                }
                let keys = self
                    .keys
                    .get_or_init(|| Object::keys(obj).unwrap_or_default());
                let key = keys.iter().find(|k| k.eq_ignore_ascii_case(name))?;
                let v: Unknown<'_> = obj.get(key).ok()??;
                self.value_of(name, v)
            }
        }
    }
}

impl Headers for JsHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        for slot in &self.slots {
            if let Some((n, v)) = slot.get() {
                if n.eq_ignore_ascii_case(name) {
                    return v.as_deref();
                }
                continue;
            }
            let _ = slot.set((name.to_owned(), self.lookup(name)));
            return slot.get().and_then(|(_, v)| v.as_deref());
        }
        None
    }
}

fn scheme_of(env: &Env, v: Unknown<'_>) -> napi::Result<Scheme> {
    Scheme::parse(&conv::string(env, v, "scheme")?).or_throw(env)
}

fn secrets_of<'a>(env: &Env, v: Unknown<'a>) -> napi::Result<Vec<conv::Bytes<'a>>> {
    if v.get_type()? == ValueType::Object && v.is_array()? {
        conv::items(env, v, "secrets")?
            .into_iter()
            .map(|s| conv::bytes(env, s, "secrets[]"))
            .collect()
    } else {
        Ok(vec![conv::bytes(env, v, "secrets")?])
    }
}

fn secret_slices<'b>(secrets: &'b [conv::Bytes<'_>]) -> Vec<&'b [u8]> {
    secrets.iter().map(conv::Bytes::as_slice).collect()
}

fn options_of(env: &Env, v: Option<Unknown<'_>>) -> napi::Result<VerifierOptions> {
    let mut options = VerifierOptions::default();
    let Some(v) = v else { return Ok(options) };
    if matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) {
        return Ok(options);
    }
    let o = conv::as_object(env, v, "options")?;
    let skip = match conv::prop(&o, "skipTimeCheck")? {
        Some(s) if !matches!(s.get_type()?, ValueType::Undefined) => {
            conv::boolean(env, s, "skipTimeCheck")?
        }
        _ => false,
    };
    if let Some(t) = conv::opt_whole(
        env,
        conv::prop(&o, "toleranceSeconds")?,
        "tolerance_seconds",
    )? {
        if skip {
            return Err(raise(
                env,
                &invalid_field(
                    "tolerance_seconds",
                    "give toleranceSeconds or skipTimeCheck, not both",
                ),
            ));
        }
        options = VerifierOptions::with_tolerance_seconds(t).or_throw(env)?;
    }
    if skip {
        options.time_check = paystate::signature::TimeCheck::Skip;
    }
    if let Some(r) = conv::opt_whole(
        env,
        conv::prop(&o, "replayRetentionSeconds")?,
        "replay_retention",
    )? {
        options.replay_retention =
            paystate::Duration::from_seconds(r, "replay_retention").or_throw(env)?;
    }
    Ok(options)
}

/// A successful verification: which secret matched, the signed timestamp, and the replay
/// key to record in a `ReplayGuard`. A native object with getters, so a verification
/// allocates one small object; `toJSON()` gives the plain form.
#[napi]
pub struct Verified {
    inner: paystate::signature::Verified,
}

#[napi]
impl Verified {
    /// The scheme that verified.
    #[napi(getter, ts_return_type = "Scheme")]
    pub fn scheme(&self) -> String {
        self.inner.scheme.name().to_owned()
    }

    /// Index of the secret that matched, in the order given (tells when an old key can go).
    #[napi(getter)]
    pub fn key_index(&self) -> u32 {
        u32::try_from(self.inner.key_index).unwrap_or(u32::MAX)
    }

    /// The signed timestamp, for timestamped schemes (else `undefined`).
    #[napi(getter, ts_return_type = "Date | undefined")]
    pub fn timestamp<'e>(&self, env: &'e Env) -> napi::Result<Option<napi::JsDate<'e>>> {
        self.inner.timestamp.map(|t| conv::date(env, t)).transpose()
    }

    /// The replay key to record in a `ReplayGuard` (`undefined` for `gatenoc` and
    /// `keypair_invoice`, which sign nothing).
    #[napi(
        getter,
        ts_return_type = "{ key: string; keepUntil: Date } | undefined"
    )]
    pub fn replay<'e>(&self, env: &'e Env) -> napi::Result<Option<Object<'e>>> {
        self.inner
            .replay
            .as_ref()
            .map(|r| {
                let mut rk = Object::new(env)?;
                rk.set("key", r.key.as_str())?;
                rk.set("keepUntil", conv::date(env, r.keep_until)?)?;
                Ok(rk)
            })
            .transpose()
    }

    /// The plain form: `{scheme, keyIndex, timestamp?, replay?}`.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ scheme: Scheme; keyIndex: number; timestamp?: Date; replay?: { key: string; keepUntil: Date } }"
    )]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let mut o = Object::new(env)?;
        o.set("scheme", self.scheme())?;
        o.set("keyIndex", self.key_index())?;
        if let Some(t) = self.timestamp(env)? {
            o.set("timestamp", t)?;
        }
        if let Some(r) = self.replay(env)? {
            o.set("replay", r)?;
        }
        Ok(o)
    }
}

fn verify_with(
    env: &Env,
    verifier: &paystate::signature::Verifier,
    headers: Unknown<'_>,
    body: Unknown<'_>,
    now: Unknown<'_>,
) -> napi::Result<Verified> {
    let headers = JsHeaders::new(env, headers)?;
    let body = conv::bytes(env, body, "body")?;
    let now = conv::time(env, now, "now")?;
    let result = verifier.verify(&headers, body.as_slice(), now);
    if let Some(msg) = headers.bad.take() {
        return Err(type_error(env, &msg));
    }
    Ok(Verified {
        inner: result.or_throw(env)?,
    })
}

/// A webhook verifier for one scheme and its secrets (key rotation: any secret may match).
///
/// Build it once per endpoint: every secret is decoded and turned into a pre-keyed MAC
/// state here (a bad secret throws now, never at verify time), so `verify` only hashes the
/// message. Secrets never appear in messages or in `toString()`.
#[napi]
pub struct Verifier {
    inner: paystate::signature::Verifier,
}

#[napi]
impl Verifier {
    /// `new Verifier(scheme, secrets, options?)`: `secrets` is one secret or an array
    /// (strings as their UTF-8 bytes, or `Buffer`s; `whsec_` base64 for Standard Webhooks).
    /// `options.toleranceSeconds` sets a two-sided window (0 means 0, never "off");
    /// `options.skipTimeCheck: true` turns the time check off explicitly;
    /// `options.replayRetentionSeconds` is how long replay keys of messages without a
    /// checked timestamp are kept (default 24 h).
    #[napi(
        constructor,
        ts_args_type = "scheme: Scheme, secrets: Secret | Secret[], options?: VerifierOptions"
    )]
    pub fn new(
        env: Env,
        scheme: Unknown<'_>,
        secrets: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let scheme = scheme_of(&env, scheme)?;
        let secrets = secrets_of(&env, secrets)?;
        let options = options_of(&env, options)?;
        let inner =
            paystate::signature::Verifier::with_options(scheme, &secret_slices(&secrets), options)
                .or_throw(&env)?;
        Ok(Verifier { inner })
    }

    /// Verifies one delivery: its headers (a plain object such as `req.headers`, a
    /// `Headers`/`Map`, or `[name, value]` pairs; names match case-insensitively), the raw
    /// body exactly as received (`Buffer`, `Uint8Array` or string — never re-serialised
    /// JSON), and the current time. Returns which secret matched and the replay key; throws
    /// `malformed_json`, `signature_missing`, `signature_malformed`,
    /// `timestamp_out_of_tolerance` or `signature_mismatch`, in that check order.
    #[napi(ts_args_type = "headers: HeadersInput, body: Body, now: TimeInput")]
    pub fn verify(
        &self,
        env: &Env,
        headers: Unknown<'_>,
        body: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Verified> {
        verify_with(env, &self.inner, headers, body, now)
    }

    /// The scheme it checks.
    #[napi(getter, ts_return_type = "Scheme")]
    pub fn scheme(&self) -> String {
        self.inner.scheme().name().to_owned()
    }

    /// How many secrets it tries.
    #[napi(getter)]
    pub fn key_count(&self) -> u32 {
        u32::try_from(self.inner.key_count()).unwrap_or(u32::MAX)
    }

    /// The time window applied, in seconds (`null`: skipped, or the scheme signs no time).
    #[napi(getter)]
    pub fn tolerance_seconds(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        self.inner.tolerance().map(|d| d.as_seconds() as f64)
    }

    /// A description without any secret.
    #[napi(js_name = "toString")]
    pub fn to_string_js(&self) -> String {
        format!(
            "Verifier({}, {} key(s))",
            self.inner.scheme().name(),
            self.inner.key_count()
        )
    }
}

/// Verifies once without keeping a `Verifier` (derives the keys every call: prefer a
/// `Verifier` on a hot path).
#[napi(
    ts_args_type = "scheme: Scheme, secrets: Secret | Secret[], headers: HeadersInput, body: Body, now: TimeInput, options?: VerifierOptions"
)]
pub fn verify(
    env: &Env,
    scheme: Unknown<'_>,
    secrets: Unknown<'_>,
    headers: Unknown<'_>,
    body: Unknown<'_>,
    now: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Verified> {
    let scheme = scheme_of(env, scheme)?;
    let secrets = secrets_of(env, secrets)?;
    let options = options_of(env, options)?;
    let v = paystate::signature::Verifier::with_options(scheme, &secret_slices(&secrets), options)
        .or_throw(env)?;
    verify_with(env, &v, headers, body, now)
}

fn sign_input<'a>(
    env: &Env,
    v: Option<Unknown<'_>>,
    id: &'a mut Option<String>,
    nonce: &'a mut Option<String>,
) -> napi::Result<Option<Timestamp>> {
    let Some(v) = v else { return Ok(None) };
    if matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) {
        return Ok(None);
    }
    let o = conv::as_object(env, v, "input")?;
    *id = conv::opt_string(env, conv::prop(&o, "id")?, "id")?;
    *nonce = conv::opt_string(env, conv::prop(&o, "nonce")?, "nonce")?;
    conv::opt_time(env, conv::prop(&o, "timestamp")?, "timestamp")
}

fn signed_js<'e>(env: &'e Env, s: paystate::signature::Signed) -> napi::Result<Object<'e>> {
    let mut o = Object::new(env)?;
    let mut h = Object::new(env)?;
    for (k, v) in &s.headers {
        h.set(k, v.as_str())?;
    }
    o.set("headers", h)?;
    if let Some(sig) = s.signature {
        o.set("signature", sig)?;
    }
    if let Some(body) = s.body {
        o.set("body", Buffer::from(body))?;
    }
    Ok(o)
}

/// Signs webhooks exactly as a provider would (the host is the sender). Standard Webhooks
/// and Stripe sign with every secret at once; other schemes with the first.
#[napi]
pub struct Signer {
    inner: paystate::signature::Signer,
}

#[napi]
impl Signer {
    /// `new Signer(scheme, secrets)`; secrets are checked as for `Verifier`.
    #[napi(
        constructor,
        ts_args_type = "scheme: Scheme, secrets: Secret | Secret[]"
    )]
    pub fn new(env: Env, scheme: Unknown<'_>, secrets: Unknown<'_>) -> napi::Result<Self> {
        let scheme = scheme_of(&env, scheme)?;
        let secrets = secrets_of(&env, secrets)?;
        let inner =
            paystate::signature::Signer::new(scheme, &secret_slices(&secrets)).or_throw(&env)?;
        Ok(Signer { inner })
    }

    /// Signs `body`. The inputs a scheme needs come from the caller (the core never invents
    /// ids, nonces or times): `id` (Standard Webhooks), `nonce` (GatePay), `timestamp`
    /// (Standard Webhooks, Stripe, GatePay); a missing one is `missing_field`. Returns the
    /// headers to send and, for `monetix` and `keypair_invoice`, the signature placed in the
    /// body and the body to send.
    #[napi(
        ts_args_type = "body: Body, input?: SignInput",
        ts_return_type = "Signed"
    )]
    pub fn sign<'e>(
        &self,
        env: &'e Env,
        body: Unknown<'_>,
        input: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let body = conv::bytes(env, body, "body")?;
        let (mut id, mut nonce) = (None, None);
        let timestamp = sign_input(env, input, &mut id, &mut nonce)?;
        let input = SignInput {
            id: id.as_deref(),
            nonce: nonce.as_deref(),
            timestamp,
        };
        let signed = self.inner.sign(body.as_slice(), &input).or_throw(env)?;
        signed_js(env, signed)
    }

    /// The scheme it signs.
    #[napi(getter, ts_return_type = "Scheme")]
    pub fn scheme(&self) -> String {
        self.inner.scheme().name().to_owned()
    }

    /// A description without any secret.
    #[napi(js_name = "toString")]
    pub fn to_string_js(&self) -> String {
        format!("Signer({})", self.inner.scheme().name())
    }
}

/// Signs once without keeping a `Signer`.
#[napi(
    ts_args_type = "scheme: Scheme, secrets: Secret | Secret[], body: Body, input?: SignInput",
    ts_return_type = "Signed"
)]
pub fn sign<'e>(
    env: &'e Env,
    scheme: Unknown<'_>,
    secrets: Unknown<'_>,
    body: Unknown<'_>,
    input: Option<Unknown<'_>>,
) -> napi::Result<Object<'e>> {
    let scheme = scheme_of(env, scheme)?;
    let secrets = secrets_of(env, secrets)?;
    let signer =
        paystate::signature::Signer::new(scheme, &secret_slices(&secrets)).or_throw(env)?;
    let body = conv::bytes(env, body, "body")?;
    let (mut id, mut nonce) = (None, None);
    let timestamp = sign_input(env, input, &mut id, &mut nonce)?;
    let input = SignInput {
        id: id.as_deref(),
        nonce: nonce.as_deref(),
        timestamp,
    };
    signed_js(env, signer.sign(body.as_slice(), &input).or_throw(env)?)
}

/// Reads a timestamp header value the way `scheme` writes it (seconds for Standard Webhooks
/// and Stripe, milliseconds for GatePay); anything else is `invalid_field`.
#[napi(ts_args_type = "scheme: Scheme, text: string", ts_return_type = "Date")]
pub fn parse_scheme_timestamp<'e>(
    env: &'e Env,
    scheme: Unknown<'_>,
    text: Unknown<'_>,
) -> napi::Result<Unknown<'e>> {
    let scheme = scheme_of(env, scheme)?;
    let text = conv::string(env, text, "timestamp")?;
    let t =
        paystate::signature::parse_scheme_timestamp(scheme, &text, "timestamp").or_throw(env)?;
    conv::opt_date(env, Some(t))
}

/// A bounded, time-windowed set of accepted message keys: record every verified message
/// here, and a repeat is `replayed`. Plain data: store it with `toJSON()`.
#[napi]
pub struct ReplayGuard {
    inner: CoreGuard,
}

#[napi]
impl ReplayGuard {
    /// A guard holding at most `capacity` keys (default 100 000; at least 1). When full, the
    /// key that expires first is dropped.
    #[napi(constructor, ts_args_type = "capacity?: number")]
    pub fn new(env: Env, capacity: Option<Unknown<'_>>) -> napi::Result<Self> {
        let inner = match conv::opt_whole(&env, capacity, "capacity")? {
            Some(c) => CoreGuard::new(usize::try_from(c).unwrap_or(usize::MAX)).or_throw(&env)?,
            None => CoreGuard::default(),
        };
        Ok(ReplayGuard { inner })
    }

    /// Records a verification result (`Verifier.verify`'s return value, or its `toJSON()`
    /// form): `replayed` if its
    /// key was seen inside its window (the guard is then unchanged). Results without a
    /// replay key (`gatenoc`, `keypair_invoice`) pass untouched.
    #[napi(
        ts_args_type = "verified: Verified | { replay?: { key: string; keepUntil: TimeInput } }, now: TimeInput"
    )]
    pub fn record(
        &mut self,
        env: &Env,
        verified: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<()> {
        let now = conv::time(env, now, "now")?;
        if verified.get_type()? == ValueType::Object {
            if let Ok(v) = napi::bindgen_prelude::ClassInstance::<Verified>::from_unknown(verified)
            {
                return self.inner.record(&v.inner, now).or_throw(env);
            }
        }
        let v = conv::as_object(env, verified, "verified")?;
        let Some(replay) = conv::prop(&v, "replay")? else {
            return Ok(());
        };
        if matches!(replay.get_type()?, ValueType::Null) {
            return Ok(());
        }
        let r = conv::as_object(env, replay, "verified.replay")?;
        let key = conv::prop(&r, "key")?
            .ok_or_else(|| type_error(env, "verified.replay.key: missing"))?;
        let key = conv::string(env, key, "verified.replay.key")?;
        let until = conv::prop(&r, "keepUntil")?
            .ok_or_else(|| type_error(env, "verified.replay.keepUntil: missing"))?;
        let until = conv::time(env, until, "verified.replay.keepUntil")?;
        self.inner.check_and_record(&key, until, now).or_throw(env)
    }

    /// Accepts a key once: `replayed` if it is held and its window has not passed at `now`;
    /// otherwise records it until `keepUntil`.
    #[napi(ts_args_type = "key: string, keepUntil: TimeInput, now: TimeInput")]
    pub fn check_and_record(
        &mut self,
        env: &Env,
        key: Unknown<'_>,
        keep_until: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<()> {
        let key = conv::string(env, key, "key")?;
        let until = conv::time(env, keep_until, "keep_until")?;
        let now = conv::time(env, now, "now")?;
        self.inner.check_and_record(&key, until, now).or_throw(env)
    }

    /// Whether `key` is held and still inside its window at `now`.
    #[napi(ts_args_type = "key: string, now: TimeInput")]
    pub fn contains(&self, env: &Env, key: Unknown<'_>, now: Unknown<'_>) -> napi::Result<bool> {
        let key = conv::string(env, key, "key")?;
        Ok(self.inner.contains(&key, conv::time(env, now, "now")?))
    }

    /// Drops every key whose window has passed at `now`.
    #[napi(ts_args_type = "now: TimeInput")]
    pub fn tick(&mut self, env: &Env, now: Unknown<'_>) -> napi::Result<()> {
        self.inner.tick(conv::time(env, now, "now")?);
        Ok(())
    }

    /// When the next key expires, or `null`.
    #[napi(ts_return_type = "Date | null")]
    pub fn next_deadline<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::opt_date(env, self.inner.next_deadline())
    }

    /// Keys currently stored.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The most keys kept at once.
    #[napi(getter)]
    pub fn capacity(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let c = self.inner.capacity() as f64;
        c
    }

    /// The storable state as a plain object (`JSON.stringify` uses it).
    #[napi(js_name = "toJSON", ts_return_type = "ReplayGuardState")]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::state_to_js(env, &self.inner)
    }

    /// Restores a guard from `toJSON()` output (an object or its JSON text).
    #[napi(
        js_name = "fromJSON",
        ts_args_type = "state: ReplayGuardState | string"
    )]
    pub fn from_json(env: &Env, state: Unknown<'_>) -> napi::Result<ReplayGuard> {
        let inner = conv::state_from_js(env, state)?;
        Ok(ReplayGuard { inner })
    }
}
