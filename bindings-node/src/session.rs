//! Checkout sessions (docs/spec.md §5) and their link tokens.

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

use crate::conv;
use crate::err::OrThrow;
use crate::invoice::invoice_arg;

/// A short-lived, single-use view of an invoice (a checkout link, a QR code).
///
/// It expires at the earlier of `now + ttl` and the invoice deadline, and can be used once.
/// Plain data: store it with `toJSON()`.
#[napi]
pub struct Session {
    inner: paystate::Session,
}

#[napi]
impl Session {
    /// Opens a session on a `pending` invoice (any other status is `invalid_transition`);
    /// `ttlSeconds` must be at least 1.
    #[napi(ts_args_type = "id: string, invoice: Invoice, ttlSeconds: number, now: TimeInput")]
    pub fn open(
        env: &Env,
        id: Unknown<'_>,
        invoice: Unknown<'_>,
        ttl_seconds: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Session> {
        let id = conv::string(env, id, "session")?;
        let ttl = conv::whole(env, ttl_seconds, "ttl")?;
        let ttl = paystate::Duration::from_seconds(ttl, "ttl").or_throw(env)?;
        let now = conv::time(env, now, "now")?;
        let arg = invoice_arg(env, invoice, "invoice")?;
        let invoice = arg.get()?;
        Ok(Session {
            inner: paystate::Session::open(&id, &invoice.inner, ttl, now).or_throw(env)?,
        })
    }

    /// Consumes the session. Checks, in order: already used (`session_used`), at or past
    /// its deadline (`session_expired`), invoice no longer pending (`invalid_transition`).
    /// On error the session is unchanged.
    #[napi(js_name = "use", ts_args_type = "invoice: Invoice, now: TimeInput")]
    pub fn use_at(
        &mut self,
        env: &Env,
        invoice: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<()> {
        let now = conv::time(env, now, "now")?;
        let arg = invoice_arg(env, invoice, "invoice")?;
        let invoice = arg.get()?;
        let mut next = self.inner.clone();
        next.use_at(&invoice.inner, now).or_throw(env)?;
        self.inner = next;
        Ok(())
    }

    /// Applies time to the session, as the world's `tick` does to every session: a later
    /// `use` dated before `now` counts as of `now` (docs/spec.md §2, §5). An earlier `now`
    /// changes nothing.
    #[napi(ts_args_type = "now: TimeInput")]
    pub fn tick(&mut self, env: &Env, now: Unknown<'_>) -> napi::Result<()> {
        let now = conv::time(env, now, "now")?;
        self.inner.tick(now);
        Ok(())
    }

    /// The session id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The invoice it shows.
    #[napi(getter)]
    pub fn invoice_id(&self) -> String {
        self.inner.invoice_id().to_owned()
    }

    /// When it expires.
    #[napi(getter, ts_return_type = "Date")]
    pub fn expires_at<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::opt_date(env, Some(self.inner.expires_at()))
    }

    /// When it was used, or `null`.
    #[napi(getter, ts_return_type = "Date | null")]
    pub fn used_at<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::opt_date(env, self.inner.used_at())
    }

    /// Whether it can no longer be used at `now` (used or expired).
    #[napi(ts_args_type = "now: TimeInput")]
    pub fn is_closed(&self, env: &Env, now: Unknown<'_>) -> napi::Result<bool> {
        Ok(self.inner.is_closed(conv::time(env, now, "now")?))
    }

    /// The storable state as a plain object (`JSON.stringify` uses it).
    #[napi(js_name = "toJSON", ts_return_type = "SessionState")]
    pub fn to_json<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        conv::state_to_js(env, &self.inner)
    }

    /// Restores a session from `toJSON()` output (an object or its JSON text).
    #[napi(js_name = "fromJSON", ts_args_type = "state: SessionState | string")]
    pub fn from_json(env: &Env, state: Unknown<'_>) -> napi::Result<Session> {
        let inner = conv::state_from_js(env, state)?;
        Ok(Session { inner })
    }
}

/// The link token of a session: lowercase hex HMAC-SHA256 of the session id under a server
/// secret. Deterministic: the host checks a link without a lookup.
#[napi(ts_args_type = "secret: Secret, sessionId: string")]
pub fn session_token(
    env: &Env,
    secret: Unknown<'_>,
    session_id: Unknown<'_>,
) -> napi::Result<String> {
    let secret = conv::bytes(env, secret, "secret")?;
    let id = conv::string(env, session_id, "session")?;
    paystate::session::session_token(secret.as_slice(), &id).or_throw(env)
}

/// Checks a link token in constant time.
#[napi(ts_args_type = "secret: Secret, sessionId: string, token: string")]
pub fn verify_session_token(
    env: &Env,
    secret: Unknown<'_>,
    session_id: Unknown<'_>,
    token: Unknown<'_>,
) -> napi::Result<bool> {
    let secret = conv::bytes(env, secret, "secret")?;
    let id = conv::string(env, session_id, "session")?;
    let token = conv::string(env, token, "token")?;
    paystate::session::verify_session_token(secret.as_slice(), &id, &token).or_throw(env)
}
