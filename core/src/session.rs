//! Checkout sessions (docs/spec.md §5): short-lived, single-use views of an invoice.
//!
//! A session is what a payer's link (seed 000 `checkout_url`, seed 003 QR) points at. It
//! expires at the earlier of its own time-to-live and the invoice deadline, and can be used
//! once. [`session_token`] derives the link's token from a server secret, so a host can
//! check a link without a database lookup.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::invoice::{Invoice, Status};
use crate::time::{Duration, Timestamp};

/// A checkout session. Plain data: serialise it with serde.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    id: String,
    invoice_id: String,
    opened_at: Timestamp,
    expires_at: Timestamp,
    used_at: Option<Timestamp>,
    /// The time of the last tick or use applied: time never runs backwards for a session
    /// (docs/spec.md §2). Stored as `clock`, as in an invoice's document; absent in
    /// documents written before it existed, where the opening time stands in.
    #[serde(rename = "clock", default)]
    updated_at: Timestamp,
}

impl Session {
    /// Opens a session on a **pending** invoice; it expires at the earlier of `now + ttl`
    /// and the invoice deadline. Any other status is `invalid_transition`.
    pub fn open(id: &str, invoice: &Invoice, ttl: Duration, now: Timestamp) -> Result<Session> {
        if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
            return Err(Error::invalid_field(
                "session",
                "must be 1 to 128 bytes without control characters",
            ));
        }
        if ttl.as_millis() == 0 {
            return Err(Error::invalid_field("ttl", "must be at least 1 second"));
        }
        let status = invoice.status_at(now);
        if status != Status::Pending {
            return Err(Error::InvalidTransition {
                command: "open_session",
                subject: "invoice",
                state: status.as_str().to_owned(),
            });
        }
        Ok(Session {
            id: id.to_owned(),
            invoice_id: invoice.id().to_owned(),
            opened_at: now,
            expires_at: now.plus(ttl).min(invoice.deadline()),
            used_at: None,
            updated_at: now,
        })
    }

    /// Applies time to the session, as a `tick` does to every invoice and session: a use
    /// dated before `now` then counts as of `now` (docs/spec.md §2). A time before the
    /// session's clock changes nothing.
    pub fn tick(&mut self, now: Timestamp) {
        self.updated_at = self.updated_at().max(now);
    }

    /// Consumes the session at `now` (a time before [`Session::updated_at`] counts as it). Checks,
    /// in order: already used (`session_used`), at or past its deadline
    /// (`session_expired`), invoice no longer pending (`invalid_transition`). On error the
    /// session is untouched.
    pub fn use_at(&mut self, invoice: &Invoice, now: Timestamp) -> Result<()> {
        let now = now.max(self.updated_at());
        if self.used_at.is_some() {
            return Err(Error::SessionUsed {
                session_id: self.id.clone(),
            });
        }
        if now >= self.expires_at {
            return Err(Error::SessionExpired {
                session_id: self.id.clone(),
                expires_at: self.expires_at.to_string(),
            });
        }
        if invoice.id() != self.invoice_id {
            return Err(Error::invalid_field(
                "invoice",
                "the session belongs to another invoice",
            ));
        }
        let status = invoice.status_at(now);
        if status != Status::Pending {
            return Err(Error::InvalidTransition {
                command: "use_session",
                subject: "invoice",
                state: status.as_str().to_owned(),
            });
        }
        self.used_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// The time of the last tick or use applied (never before the opening).
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at.max(self.opened_at)
    }

    /// The session id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The invoice it shows.
    pub fn invoice_id(&self) -> &str {
        &self.invoice_id
    }

    /// When it stops being usable.
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// When it was used, if it was.
    pub fn used_at(&self) -> Option<Timestamp> {
        self.used_at
    }

    /// Whether it can no longer be used at `now` (used or expired), `now` counting as the
    /// session's time when earlier.
    pub fn is_closed(&self, now: Timestamp) -> bool {
        self.used_at.is_some() || now.max(self.updated_at()) >= self.expires_at
    }
}

/// The link token of a session: lowercase hex HMAC-SHA256 of the session id under a
/// server secret. Deterministic, so the host needs no random source and no lookup.
pub fn session_token(secret: &[u8], session_id: &str) -> Result<String> {
    let mac = keyed(secret)?;
    Ok(hex::encode(mac_of(mac, session_id)))
}

/// Checks a link token in constant time.
pub fn verify_session_token(secret: &[u8], session_id: &str, token: &str) -> Result<bool> {
    let mac = keyed(secret)?;
    let Ok(given) = hex::decode(token) else {
        return Ok(false);
    };
    Ok(mac_of(mac, session_id).ct_eq(&given).into())
}

fn keyed(secret: &[u8]) -> Result<Hmac<Sha256>> {
    if secret.is_empty() {
        return Err(Error::invalid_field("secret", "must not be empty"));
    }
    Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|_| Error::invalid_field("secret", "unusable key"))
}

fn mac_of(mut mac: Hmac<Sha256>, session_id: &str) -> Vec<u8> {
    mac.update(session_id.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{Expiry, InvoiceSpec, Pricing};
    use crate::money::{Amount, Asset};

    fn t(s: i64) -> Timestamp {
        Timestamp::from_seconds(s, "t").unwrap()
    }

    #[test]
    fn a_use_before_a_tick_counts_as_of_the_tick() {
        let spec = InvoiceSpec::new(
            "inv_1",
            Pricing::Due(Amount::from_units(10)),
            Asset::UsdtTrc20,
            Expiry::In(Duration::seconds(1800)),
        );
        let (invoice, _) = Invoice::create(spec, t(0)).unwrap();
        let mut s = Session::open("s1", &invoice, Duration::seconds(600), t(0)).unwrap();
        let mut fresh = s.clone();
        s.tick(t(600));
        s.tick(t(10)); // earlier: nothing moves
        assert_eq!(s.updated_at(), t(600));
        assert!(s.is_closed(t(599)));
        let before = s.clone();
        assert_eq!(
            s.use_at(&invoice, t(599)).unwrap_err().code(),
            "session_expired"
        );
        assert_eq!(s, before);
        // Without the tick the same use succeeds, and is recorded at its own time.
        fresh.use_at(&invoice, t(599)).unwrap();
        assert_eq!(fresh.used_at(), Some(t(599)));
        assert_eq!(fresh.updated_at(), t(599));
    }

    #[test]
    fn a_document_without_a_clock_loads_with_the_opening_time() {
        let text = r#"{"id":"s1","invoice_id":"inv_1","opened_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T00:10:00Z","used_at":null}"#;
        let s: Session = serde_json::from_str(text).unwrap();
        assert_eq!(
            s.updated_at(),
            Timestamp::parse("2026-01-01T00:00:00Z", "t").unwrap()
        );
    }

    #[test]
    fn token_round_trip() {
        let t = session_token(b"server-secret", "s1").unwrap();
        assert_eq!(t.len(), 64);
        assert!(verify_session_token(b"server-secret", "s1", &t).unwrap());
        assert!(!verify_session_token(b"server-secret", "s2", &t).unwrap());
        assert!(!verify_session_token(b"server-secret", "s1", "zz").unwrap());
        assert_eq!(
            session_token(b"", "s1").unwrap_err().code(),
            "invalid_field"
        );
    }
}
