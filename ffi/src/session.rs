//! Checkout sessions (docs/spec.md §5): short-lived, single-use views of an invoice.

use std::sync::{Arc, Mutex};

use crate::invoice::Invoice;
use crate::types::{
    from_stored_json, lock, secs_in, to_stored_json, ts_in, ts_out, Result, Timestamp,
};

/// A checkout session on one invoice. A mutable handle: [`Session::use_at`] consumes it.
#[derive(uniffi::Object)]
pub struct Session {
    inner: Mutex<paystate::Session>,
}

#[uniffi::export]
impl Session {
    /// Opens a session on a **pending** invoice (any other status is
    /// `invalid_transition`); it expires at the earlier of `now + ttl_seconds` and the
    /// invoice deadline.
    #[uniffi::constructor]
    pub fn open(
        id: String,
        invoice: Arc<Invoice>,
        ttl_seconds: u64,
        now: Timestamp,
    ) -> Result<Arc<Session>> {
        let ttl = secs_in(ttl_seconds, "ttl")?;
        let now = ts_in(now, "now")?;
        let session = paystate::Session::open(&id, &invoice.core(), ttl, now)?;
        Ok(Arc::new(Session {
            inner: Mutex::new(session),
        }))
    }

    /// Reads a session stored with [`Session::to_json`].
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Session>> {
        Ok(Arc::new(Session {
            inner: Mutex::new(from_stored_json(&json)?),
        }))
    }

    /// Consumes the session. Checks, in order: already used (`session_used`), at or past
    /// its deadline (`session_expired`), invoice no longer pending (`invalid_transition`).
    pub fn use_at(&self, invoice: Arc<Invoice>, now: Timestamp) -> Result<()> {
        let now = ts_in(now, "now")?;
        let invoice = invoice.core();
        lock(&self.inner).use_at(&invoice, now)?;
        Ok(())
    }

    /// Applies time to the session as a `tick` does to every invoice: a later use dated
    /// before `now` counts as of `now` (docs/spec.md §2). An earlier time changes nothing.
    pub fn tick(&self, now: Timestamp) -> Result<()> {
        let now = ts_in(now, "now")?;
        lock(&self.inner).tick(now);
        Ok(())
    }

    /// The session id.
    pub fn id(&self) -> String {
        lock(&self.inner).id().to_owned()
    }

    /// The invoice it shows.
    pub fn invoice_id(&self) -> String {
        lock(&self.inner).invoice_id().to_owned()
    }

    /// When it stops being usable.
    pub fn expires_at(&self) -> Timestamp {
        ts_out(lock(&self.inner).expires_at())
    }

    /// When it was used, if it was.
    pub fn used_at(&self) -> Option<Timestamp> {
        lock(&self.inner).used_at().map(ts_out)
    }

    /// Whether it can no longer be used at `now` (used or expired).
    pub fn is_closed(&self, now: Timestamp) -> Result<bool> {
        Ok(lock(&self.inner).is_closed(ts_in(now, "now")?))
    }

    /// The storable state (JSON).
    pub fn to_json(&self) -> String {
        to_stored_json(&*lock(&self.inner))
    }

    /// An independent copy.
    pub fn copy(&self) -> Arc<Session> {
        Arc::new(Session {
            inner: Mutex::new(lock(&self.inner).clone()),
        })
    }
}

/// The link token of a session: lowercase hex HMAC-SHA256 of the session id under a
/// server secret (deterministic: no lookup needed to check a link).
#[uniffi::export]
pub fn session_token(secret: Vec<u8>, session_id: String) -> Result<String> {
    Ok(paystate::session::session_token(&secret, &session_id)?)
}

/// Checks a link token in constant time.
#[uniffi::export]
pub fn verify_session_token(secret: Vec<u8>, session_id: String, token: String) -> Result<bool> {
    Ok(paystate::session::verify_session_token(
        &secret,
        &session_id,
        &token,
    )?)
}
