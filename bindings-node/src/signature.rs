//! Webhook signatures (docs/spec.md §6): pre-keyed verifiers, signers, and the replay guard.

use napi::bindgen_prelude::{Buffer, External, Object, Unknown};
use napi::{Env, JsString, JsValue, ValueType};
use napi_derive::napi;
use paystate::signature::{
    HeaderValues, ReplayGuard as CoreGuard, Scheme, SignInput, VerifierOptions,
};
use paystate::Timestamp;

use crate::conv;
use crate::err::{invalid_field, raise, type_error, OrThrow};

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

/// The most header names one scheme reads (Standard Webhooks: three, each with its
/// `svix-*` spelling); `verifier_verify` takes one value per name.
pub(crate) const MAX_NAMES: usize = 6;

/// A verifier behind an opaque handle, with the header names its scheme reads
/// ([`Scheme::header_names`]: lower-case, preferred spelling first). The JavaScript `Verifier` class reads exactly
/// these from the request's headers and passes the values, so a verification crosses
/// N-API once with a few strings.
pub struct VerifierHandle {
    pub(crate) inner: paystate::signature::Verifier,
    pub(crate) names: &'static [&'static str],
}

/// Builds a verifier handle (the `Verifier` class's constructor).
#[napi(
    ts_args_type = "scheme: Scheme, secrets: Secret | Secret[], options?: VerifierOptions",
    ts_return_type = "ExternalObject<'Verifier'>"
)]
pub fn verifier_new(
    env: &Env,
    scheme: Unknown<'_>,
    secrets: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<External<VerifierHandle>> {
    let scheme = scheme_of(env, scheme)?;
    let secrets = secrets_of(env, secrets)?;
    let options = options_of(env, options)?;
    let slices = secret_slices(&secrets);
    let inner =
        paystate::signature::Verifier::with_options(scheme, &slices, options).or_throw(env)?;
    let names = scheme.header_names();
    let names = names.get(..MAX_NAMES).unwrap_or(names);
    Ok(External::new(VerifierHandle { inner, names }))
}

/// What the `Verifier` class keeps beside its handle, as JSON text:
/// `{"scheme", "keyCount", "toleranceSeconds", "headers", "preferred"}` (`preferred`:
/// [`Scheme::preferred_header_count`]).
#[napi(ts_args_type = "handle: ExternalObject<'Verifier'>")]
pub fn verifier_info(handle: &External<VerifierHandle>) -> String {
    let v = &handle.inner;
    serde_json::json!({
        "scheme": v.scheme().name(),
        "keyCount": v.key_count(),
        "toleranceSeconds": v.tolerance().map(|d| d.as_seconds()),
        "headers": handle.names,
        "preferred": v.scheme().preferred_header_count().min(handle.names.len()),
    })
    .to_string()
}

/// Appends `n` in decimal (`core::fmt` costs more than the rest of the answer).
fn push_whole<W: std::fmt::Write>(out: &mut W, mut n: u64) -> std::fmt::Result {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while let Some(slot) = start.checked_sub(1).and_then(|i| digits.get_mut(i)) {
        // `n % 10` is below 10, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let d = (n % 10) as u8;
        *slot = b'0' + d;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    match digits.get(start..).map(std::str::from_utf8) {
        Some(Ok(text)) => out.write_str(text),
        _ => Ok(()),
    }
}

fn verify_given<'e>(
    env: &'e Env,
    handle: &VerifierHandle,
    body: Unknown<'_>,
    now: Unknown<'_>,
    values: [Option<String>; MAX_NAMES],
) -> napi::Result<JsString<'e>> {
    let body = conv::bytes(env, body, "body")?;
    let now = conv::time(env, now, "now")?;
    let values = values.each_ref().map(Option::as_deref);
    let headers = HeaderValues {
        names: handle.names,
        values: &values,
    };
    let v = handle
        .inner
        .verify(&headers, body.as_slice(), now)
        .or_throw(env)?;
    conv::js_text(env, &answer(&v))
}

/// The answer `"keyIndex timestamp keepUntil key"` of a verification (see
/// `verifier_verify1/3/6`).
pub(crate) fn answer(v: &paystate::signature::Verified) -> String {
    let key_len = v.replay.as_ref().map_or(0, |r| r.key.len());
    let mut out = String::with_capacity(key_len + 48);
    // Writing into a `String` cannot fail.
    let _ = write_answer(&mut out, v);
    out
}

/// Writes [`answer`]'s text into `out` (a `String`, or the raw path's stack buffer, which
/// fails when full).
pub(crate) fn write_answer<W: std::fmt::Write>(
    out: &mut W,
    v: &paystate::signature::Verified,
) -> std::fmt::Result {
    // Times are within 1970..9999 (the core's `Timestamp`), so never negative: `index.js`
    // reads the digits without `Number()`.
    push_whole(out, u64::try_from(v.key_index).unwrap_or(u64::MAX))?;
    out.write_char(' ')?;
    if let Some(t) = v.timestamp {
        push_whole(out, u64::try_from(t.as_millis()).unwrap_or(0))?;
    }
    out.write_char(' ')?;
    if let Some(r) = &v.replay {
        push_whole(out, u64::try_from(r.keep_until.as_millis()).unwrap_or(0))?;
        out.write_char(' ')?;
        out.write_str(&r.key)?;
    }
    Ok(())
}

// `verifier_verify1/3/6`: one delivery, with the values of the handle's first 1, 3 or 6
// header names (`undefined` when absent); the JavaScript class calls the one that fits its
// scheme, because every argument napi reads costs a call. Each returns
// `"keyIndex timestamp keepUntil key"` (times in unix ms, empty when absent; the key is last
// and may hold spaces), or throws the core's error.

/// Verifies with one header value.
#[napi(
    ts_args_type = "handle: ExternalObject<'Verifier'>, body: Body, now: TimeInput, h0?: string"
)]
pub fn verifier_verify1<'e>(
    env: &'e Env,
    handle: &External<VerifierHandle>,
    body: Unknown<'_>,
    now: Unknown<'_>,
    h0: Option<String>,
) -> napi::Result<JsString<'e>> {
    verify_given(env, handle, body, now, [h0, None, None, None, None, None])
}

/// Verifies with three header values.
#[napi(
    ts_args_type = "handle: ExternalObject<'Verifier'>, body: Body, now: TimeInput, h0?: string, h1?: string, h2?: string"
)]
pub fn verifier_verify3<'e>(
    env: &'e Env,
    handle: &External<VerifierHandle>,
    body: Unknown<'_>,
    now: Unknown<'_>,
    h0: Option<String>,
    h1: Option<String>,
    h2: Option<String>,
) -> napi::Result<JsString<'e>> {
    verify_given(env, handle, body, now, [h0, h1, h2, None, None, None])
}

/// Verifies with six header values.
#[napi(
    ts_args_type = "handle: ExternalObject<'Verifier'>, body: Body, now: TimeInput, h0?: string, h1?: string, h2?: string, h3?: string, h4?: string, h5?: string"
)]
#[allow(clippy::too_many_arguments)]
pub fn verifier_verify6<'e>(
    env: &'e Env,
    handle: &External<VerifierHandle>,
    body: Unknown<'_>,
    now: Unknown<'_>,
    h0: Option<String>,
    h1: Option<String>,
    h2: Option<String>,
    h3: Option<String>,
    h4: Option<String>,
    h5: Option<String>,
) -> napi::Result<JsString<'e>> {
    verify_given(env, handle, body, now, [h0, h1, h2, h3, h4, h5])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_as_display_does() {
        for n in [0, 7, 10, 1_700_000_000_000, u64::MAX] {
            let mut out = String::new();
            assert!(push_whole(&mut out, n).is_ok());
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn every_scheme_names_its_headers_within_the_cap() {
        for scheme in Scheme::ALL {
            assert!(scheme.header_names().len() <= MAX_NAMES, "{scheme}");
        }
    }
}
