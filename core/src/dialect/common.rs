//! Helpers the dialects share: lengths, URLs, exact JSON numbers, provider date formats
//! and error-field renaming. Public so a binding or a host validating the same rules in
//! its own handler gets exactly the dialects' answers.

use std::net::IpAddr;

use serde_json::{Number, Value};

use crate::error::{Error, FieldName, Result};
use crate::json::{kind, Obj};
use crate::money::Amount;
use crate::time::{Duration, Timestamp};

/// Longest text accepted where a seed sets no limit (names, notes, titles): keeps hostile
/// inputs bounded without inventing a provider rule.
pub const MAX_UNDOCUMENTED_TEXT: usize = 2048;

/// What a URL field requires beyond being an absolute `http`/`https` URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct UrlRule {
    /// Only `https://` (seed 000's `notify_url` is "HTTPS endpoint on your server").
    pub https_only: bool,
    /// The host must be a domain name: no IP literal, no `localhost` (seed 004's
    /// `callback_url` "requires a public domain (not ip address and localhost)").
    pub public_domain: bool,
}

/// Checks a text length in characters (what "max 50 chars" means to a merchant):
/// `min..=max`, else `invalid_field` naming the provider's field.
pub fn check_len(value: &str, min: usize, max: usize, field: &str) -> Result<()> {
    let n = value.chars().count();
    if n < min {
        return Err(Error::invalid_field(
            field.to_owned(),
            format!("must be at least {min} characters, got {n}"),
        ));
    }
    if n > max {
        return Err(Error::invalid_field(
            field.to_owned(),
            format!("must be at most {max} characters, got {n}"),
        ));
    }
    Ok(())
}

/// Checks an absolute `http(s)://host[:port][/...]` URL of at most `max` characters,
/// with no whitespace or control characters, under `rule`.
pub fn check_url(value: &str, max: usize, rule: UrlRule, field: &str) -> Result<()> {
    let bad = |reason: &str| Error::invalid_field(field.to_owned(), reason.to_owned());
    check_len(value, 1, max, field)?;
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("URL must not contain spaces or control characters"));
    }
    let rest = if let Some(rest) = value.strip_prefix("https://") {
        rest
    } else if let Some(rest) = value.strip_prefix("http://") {
        if rule.https_only {
            return Err(bad("must be an https:// URL"));
        }
        rest
    } else {
        return Err(bad(if rule.https_only {
            "must be an https:// URL"
        } else {
            "must be an absolute http:// or https:// URL"
        }));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Drop userinfo, then the port.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return Err(bad("URL has an unterminated IPv6 host")),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, port)) => {
                if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("URL has an invalid port"));
                }
                h
            }
            None => host_port,
        }
    };
    if host.is_empty() {
        return Err(bad("URL has no host"));
    }
    if !host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        return Err(bad("URL host has invalid characters"));
    }
    if rule.public_domain {
        let lower = host.to_ascii_lowercase();
        if host.parse::<IpAddr>().is_ok() || is_ipv4_like(host) {
            return Err(bad("must use a public domain name, not an IP address"));
        }
        if lower == "localhost" || lower.ends_with(".localhost") {
            return Err(bad("must use a public domain name, not localhost"));
        }
    }
    Ok(())
}

fn is_ipv4_like(host: &str) -> bool {
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// A minimal e-mail check (`local@domain`, no spaces): enough to catch a name pasted into
/// the e-mail field without rejecting valid addresses.
pub fn check_email(value: &str, field: &str) -> Result<()> {
    check_len(value, 3, 254, field)?;
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field(
            field.to_owned(),
            "is not an e-mail address",
        ))
    }
}

/// An amount given as a decimal string or as a JSON number. A number is read exactly
/// from its text, never through `f64`, exponent form included: `1e-05` is 0.00001, judged
/// by the caller's rules (`too_many_decimals`, `amount_below_minimum`), never refused as
/// malformed text (docs/spec.md §2).
pub fn lenient_amount(o: &Obj<'_>, name: &str) -> Result<Option<Amount>> {
    match o.get(name) {
        Some(Value::Number(n)) => Amount::from_json_number(&n.to_string(), o.path(name)).map(Some),
        _ => o.opt_amount_lenient(name),
    }
}

/// A field the seed types as a JSON number, read exactly from its text (never `f64`):
/// `10.50` is 10.5 and `1e-05` is 0.00001; `-1` and strings are `invalid_amount`.
pub fn number_amount(o: &Obj<'_>, name: &str) -> Result<Option<Amount>> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::Number(_)) => lenient_amount(o, name),
        Some(other) => Err(Error::InvalidAmount {
            field: o.path(name),
            value: kind(other).to_owned(),
            reason: "expected a JSON number such as 10.50",
        }),
    }
}

/// A field the seed types as a string amount (`"118.75"`); JSON numbers are refused
/// because the document says string.
pub fn string_amount(o: &Obj<'_>, name: &str) -> Result<Option<Amount>> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::String(_)) => o.opt_amount(name),
        Some(other) => Err(Error::InvalidAmount {
            field: o.path(name),
            value: kind(other).to_owned(),
            reason: "expected a decimal string such as \"118.75\"",
        }),
    }
}

/// An integer field (JSON number without fraction or exponent), signed.
pub fn opt_i64(o: &Obj<'_>, name: &str) -> Result<Option<i64>> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => parse_i64(&n.to_string(), o.path(name)).map(Some),
        Some(other) => Err(Error::invalid_field(
            o.path(name),
            format!("expected a whole number, found {}", kind(other)),
        )),
    }
}

/// An integer given as a JSON number or as a string of digits (form-encoded APIs such as
/// seed 004 send every field as text).
pub fn opt_i64_or_text(o: &Obj<'_>, name: &str) -> Result<Option<i64>> {
    match o.get(name) {
        Some(Value::String(s)) => parse_i64(s, o.path(name)).map(Some),
        _ => opt_i64(o, name),
    }
}

fn parse_i64(text: &str, field: FieldName) -> Result<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_field(
            field,
            format!("expected a whole number, found {:?}", short(text)),
        ));
    }
    text.parse::<i64>()
        .map_err(|_| Error::invalid_field(field, format!("{} is out of range", short(text))))
}

/// An identifier the provider sends as a string or as a whole number (`"order_id": 11`),
/// returned as text.
pub fn opt_id_text(o: &Obj<'_>, name: &str) -> Result<Option<String>> {
    match o.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => {
            let text = n.to_string();
            parse_i64(&text, o.path(name))?;
            Ok(Some(text))
        }
        Some(other) => Err(Error::invalid_field(
            o.path(name),
            format!("expected a string or a whole number, found {}", kind(other)),
        )),
    }
}

/// A required string that must not be empty.
pub fn non_empty<'a>(o: &Obj<'a>, name: &str) -> Result<&'a str> {
    let v = o.str(name)?;
    if v.is_empty() {
        return Err(Error::invalid_field(o.path(name), "must not be empty"));
    }
    Ok(v)
}

/// An amount as a JSON number with its exact shortest text (`10.5`), the way seed 000
/// prints `"amount": 10.5`.
pub fn json_number(amount: Amount) -> Value {
    serde_json::from_str::<Number>(&amount.to_string())
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(amount.to_string()))
}

/// An amount printed with exactly `places` decimals (`150` at 4 -> `"150.0000"`), as seed
/// 001 prints `amountUsdtExact`. Amounts with more places are printed in full.
pub fn fixed_places(amount: Amount, places: u32) -> String {
    let text = amount.to_string();
    let have = u32::try_from(text.split_once('.').map_or(0, |(_, f)| f.len())).unwrap_or(0);
    if have >= places {
        return text;
    }
    let mut out = text;
    if have == 0 {
        out.push('.');
    }
    for _ in have..places {
        out.push('0');
    }
    out
}

/// `2026-03-24T12:00:00+00:00`: RFC 3339 with a numeric UTC offset and whole seconds, the
/// form seed 000 prints (`expires_at`).
pub fn rfc3339_utc_offset(t: Timestamp) -> String {
    let whole = Timestamp::from_millis(t.as_seconds().saturating_mul(1000), "t").unwrap_or(t);
    let text = whole.to_string();
    match text.strip_suffix('Z') {
        Some(base) => format!("{base}+00:00"),
        None => text,
    }
}

/// `2022-03-25T11:08:45+0000`: ISO 8601 with a colon-less offset, the form Monetix
/// (seed 003) prints in callbacks.
pub fn iso8601_compact_offset(t: Timestamp) -> String {
    let whole = Timestamp::from_millis(t.as_seconds().saturating_mul(1000), "t").unwrap_or(t);
    let text = whole.to_string();
    match text.strip_suffix('Z') {
        Some(base) => format!("{base}+0000"),
        None => text,
    }
}

/// Parses RFC 3339, also accepting the colon-less offset Monetix sends (`+0000`).
pub fn parse_time_lenient_offset(text: &str, field: &str) -> Result<Timestamp> {
    if let Ok(t) = Timestamp::parse(text, field.to_owned()) {
        return Ok(t);
    }
    let bytes = text.as_bytes();
    let n = bytes.len();
    let fixed = match (
        n.checked_sub(5).and_then(|i| bytes.get(i)),
        text.get(n.saturating_sub(4)..),
    ) {
        (Some(b'+' | b'-'), Some(tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => {
            let head = text.get(..n - 2).unwrap_or_default();
            format!("{head}:{}", text.get(n - 2..).unwrap_or_default())
        }
        _ => text.to_owned(),
    };
    Timestamp::parse(&fixed, field.to_owned())
}

/// An `integrity_conflict`: a callback disagrees with the invoice it is applied to.
pub fn conflict(field: &str, reason: impl Into<String>) -> Error {
    Error::IntegrityConflict {
        field: field.to_owned().into(),
        reason: reason.into(),
    }
}

/// Replaces the field an error names, when it is one of `renames`' keys: the core names
/// `invoice.due`, the merchant sent `amountUsdt`.
pub fn rename_field(err: Error, renames: &[(&str, &str)]) -> Error {
    let Some(current) = err.field().map(str::to_owned) else {
        return err;
    };
    match renames.iter().find(|(from, _)| *from == current) {
        Some((_, to)) => with_field(err, (*to).to_owned()),
        None => err,
    }
}

/// The same error naming `field` instead.
pub fn with_field(err: Error, field: String) -> Error {
    let field: FieldName = field.into();
    match err {
        Error::InvalidAmount { value, reason, .. } => Error::InvalidAmount {
            field,
            value,
            reason,
        },
        Error::AmountBelowMinimum { value, minimum, .. } => Error::AmountBelowMinimum {
            field,
            value,
            minimum,
        },
        Error::AmountAboveMaximum { value, maximum, .. } => Error::AmountAboveMaximum {
            field,
            value,
            maximum,
        },
        Error::TooManyDecimals { value, scale, .. } => Error::TooManyDecimals {
            field,
            value,
            scale,
        },
        Error::InvalidAsset { value, .. } => Error::InvalidAsset { field, value },
        Error::AssetMismatch { expected, got, .. } => Error::AssetMismatch {
            field,
            expected,
            got,
        },
        Error::InvalidField { reason, .. } => Error::InvalidField { field, reason },
        Error::MissingField { .. } => Error::MissingField { field },
        Error::IntegrityConflict { reason, .. } => Error::IntegrityConflict { field, reason },
        other => other,
    }
}

/// At most 40 characters of untrusted text, for messages.
pub fn short(text: &str) -> String {
    crate::error::short(text)
}

/// The core's rule for ids, references and transaction ids (1 to
/// [`MAX_ID_LEN`](crate::invoice::MAX_ID_LEN) bytes, no control characters), applied
/// before the spec is built so the error names the provider's field.
pub fn check_id(value: &str, field: &str) -> Result<()> {
    match crate::invoice::id_problem(value) {
        Some(reason) => Err(Error::invalid_field(field.to_owned(), reason)),
        None => Ok(()),
    }
}

/// Errors about the host's own context (the id, ttl, rate and fee it passes to a parser)
/// name the member `context.<member>`.
pub const CONTEXT: &str = "context.";

/// Whether an error is about the host's own context rather than the payer's request. Such
/// an error is the host's bug: it carries no provider HTTP status or body, so a gateway
/// never answers a payer with a 4xx for its own misconfiguration.
pub fn is_host_error(error: &Error) -> bool {
    error.field().is_some_and(|f| f.starts_with(CONTEXT))
}

/// Checks what every create context shares, before the request is read: the invoice id,
/// and the ttl and conversion rate where the dialect takes them.
pub fn check_context(id: &str, ttl: Option<Duration>, rate: Option<Amount>) -> Result<()> {
    check_id(id, "context.id")?;
    if ttl.is_some_and(|t| t.as_millis() == 0) {
        return Err(Error::invalid_field(
            "context.ttl",
            "must be greater than zero",
        ));
    }
    if let Some(rate) = rate.filter(Amount::is_zero) {
        return Err(Error::InvalidAmount {
            field: "context.rate".into(),
            value: rate.to_string(),
            reason: "must be greater than zero",
        });
    }
    Ok(())
}

/// Checks an amount is at least `minimum` (`amount_below_minimum` otherwise).
pub fn check_minimum(amount: Amount, minimum: Amount, field: &str) -> Result<()> {
    if amount < minimum {
        return Err(Error::AmountBelowMinimum {
            field: field.to_owned().into(),
            value: amount.to_string(),
            minimum: minimum.to_string(),
        });
    }
    Ok(())
}

/// Checks free text against [`MAX_UNDOCUMENTED_TEXT`] and control characters.
pub fn check_text(value: &str, max: usize, field: &str) -> Result<()> {
    check_len(value, 0, max, field)?;
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid_field(
            field.to_owned(),
            "contains control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let any = UrlRule::default();
        assert!(check_url("https://a.example/x?y#z", 500, any, "u").is_ok());
        assert!(check_url("http://a.example:8080", 500, any, "u").is_ok());
        assert!(check_url("ftp://a.example", 500, any, "u").is_err());
        assert!(check_url("https://", 500, any, "u").is_err());
        assert!(check_url("https://a b", 500, any, "u").is_err());
        assert!(check_url("https://a:x", 500, any, "u").is_err());
        let https = UrlRule {
            https_only: true,
            public_domain: false,
        };
        assert!(check_url("http://a.example", 500, https, "u").is_err());
        let public = UrlRule {
            https_only: false,
            public_domain: true,
        };
        assert!(check_url("http://127.0.0.1/cb", 500, public, "u").is_err());
        assert!(check_url("http://[::1]/cb", 500, public, "u").is_err());
        assert!(check_url("http://localhost:3000/cb", 500, public, "u").is_err());
        assert!(check_url("http://yourcallbackurl", 500, public, "u").is_ok());
    }

    #[test]
    fn formats() {
        let a = Amount::parse("150", "a").unwrap();
        assert_eq!(fixed_places(a, 4), "150.0000");
        let b = Amount::parse("0.5", "a").unwrap();
        assert_eq!(fixed_places(b, 4), "0.5000");
        assert_eq!(
            json_number(Amount::parse("10.50", "a").unwrap()).to_string(),
            "10.5"
        );
        let t = Timestamp::parse("2026-03-24T12:00:00.250Z", "t").unwrap();
        assert_eq!(rfc3339_utc_offset(t), "2026-03-24T12:00:00+00:00");
        assert_eq!(iso8601_compact_offset(t), "2026-03-24T12:00:00+0000");
        let p = parse_time_lenient_offset("2022-03-25T11:08:45+0000", "d").unwrap();
        assert_eq!(p.to_string(), "2022-03-25T11:08:45Z");
        assert!(parse_time_lenient_offset("20201-09-09T10:02:18+0000", "d").is_err());
    }
}
