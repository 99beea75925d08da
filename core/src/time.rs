//! Time as the host hands it in: unix milliseconds inside, RFC 3339 at the edges.
//!
//! The core never reads a clock. Every command carries a [`Timestamp`]; durations are whole
//! milliseconds so arithmetic is exact and identical in every language.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{Error, FieldName, Result};

/// An instant, in milliseconds since the unix epoch (UTC).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

/// Earliest instant accepted: 1970-01-01T00:00:00Z.
const MIN_MS: i64 = 0;
/// Latest instant accepted: 9999-12-31T23:59:59.999Z, so every instant prints as RFC 3339.
const MAX_MS: i64 = 253_402_300_799_999;

impl Timestamp {
    /// From unix milliseconds; outside 1970..=9999 is `invalid_field`.
    pub fn from_millis(ms: i64, field: impl Into<FieldName>) -> Result<Timestamp> {
        if (MIN_MS..=MAX_MS).contains(&ms) {
            Ok(Timestamp(ms))
        } else {
            Err(Error::invalid_field(
                field,
                format!("timestamp {ms} ms is outside 1970-01-01..9999-12-31"),
            ))
        }
    }

    /// From unix seconds.
    pub fn from_seconds(s: i64, field: impl Into<FieldName>) -> Result<Timestamp> {
        let field = field.into();
        let ms = s
            .checked_mul(1000)
            .ok_or_else(|| Error::invalid_field(field.clone(), "timestamp out of range"))?;
        Timestamp::from_millis(ms, field)
    }

    /// Parses RFC 3339 (`2026-03-24T12:00:00Z`, offsets allowed, sub-millisecond digits
    /// truncated toward the past).
    pub fn parse(text: &str, field: impl Into<FieldName>) -> Result<Timestamp> {
        let field = field.into();
        let bad = |field: FieldName| {
            let shown: String = text.chars().take(40).collect();
            Error::invalid_field(field, format!("{shown:?} is not an RFC 3339 timestamp"))
        };
        if text.len() > 64 {
            return Err(bad(field));
        }
        let dt = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad(field.clone()))?;
        let nanos = dt.unix_timestamp_nanos();
        let ms = i64::try_from(nanos.div_euclid(1_000_000)).map_err(|_| bad(field.clone()))?;
        Timestamp::from_millis(ms, field)
    }

    /// Milliseconds since the unix epoch.
    pub fn as_millis(&self) -> i64 {
        self.0
    }

    /// Whole seconds since the unix epoch (rounded toward the past).
    pub fn as_seconds(&self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant plus a duration, saturating at the latest representable instant.
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.as_millis_i64()).min(MAX_MS))
    }

    /// Signed milliseconds from `earlier` to `self`.
    pub fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0 - earlier.0
    }

    /// RFC 3339 in UTC with a `Z`, milliseconds only when not zero.
    pub fn to_rfc3339(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1000);
        let ms = self.0.rem_euclid(1000);
        match OffsetDateTime::from_unix_timestamp(secs) {
            Ok(dt) => {
                write!(
                    f,
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    dt.year(),
                    u8::from(dt.month()),
                    dt.day(),
                    dt.hour(),
                    dt.minute(),
                    dt.second()
                )?;
                if ms != 0 {
                    write!(f, ".{ms:03}")?;
                }
                f.write_str("Z")
            }
            Err(_) => write!(f, "@{}ms", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text, "timestamp").map_err(serde::de::Error::custom)
    }
}

/// A non-negative span of time in milliseconds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Duration(u64);

/// The longest duration accepted anywhere (100 years): keeps every sum far from overflow.
const MAX_DURATION_MS: u64 = 100 * 366 * 24 * 3600 * 1000;

impl Duration {
    /// Zero.
    pub const ZERO: Duration = Duration(0);

    /// From whole seconds; more than 100 years is `invalid_field`.
    pub fn from_seconds(s: u64, field: impl Into<FieldName>) -> Result<Duration> {
        Duration::from_millis(s.saturating_mul(1000), field)
    }

    /// From milliseconds; more than 100 years is `invalid_field`.
    pub fn from_millis(ms: u64, field: impl Into<FieldName>) -> Result<Duration> {
        if ms > MAX_DURATION_MS {
            return Err(Error::invalid_field(
                field,
                "duration longer than 100 years",
            ));
        }
        Ok(Duration(ms))
    }

    /// A constant duration in seconds (for defaults; must be far below the maximum).
    pub const fn seconds(s: u64) -> Duration {
        Duration(s * 1000)
    }

    /// Milliseconds.
    pub fn as_millis(&self) -> u64 {
        self.0
    }

    /// Whole seconds (rounded down).
    pub fn as_seconds(&self) -> u64 {
        self.0 / 1000
    }

    fn as_millis_i64(&self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse("2026-03-24T12:00:00Z", "at").ok();
        assert_eq!(
            t.map(|t| t.to_string()),
            Some("2026-03-24T12:00:00Z".into())
        );
        let t = Timestamp::parse("2026-03-24T12:00:00.250+02:00", "at").ok();
        assert_eq!(
            t.map(|t| t.to_string()),
            Some("2026-03-24T10:00:00.250Z".into())
        );
        assert_eq!(
            Timestamp::parse("2026-03-24 12:00", "at")
                .err()
                .map(|e| e.code()),
            Some("invalid_field")
        );
        assert_eq!(
            Timestamp::parse("1969-12-31T23:59:59Z", "at")
                .err()
                .map(|e| e.code()),
            Some("invalid_field")
        );
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_millis(MAX_MS, "t").unwrap_or_default();
        assert_eq!(t.plus(Duration::seconds(10)).as_millis(), MAX_MS);
    }
}
