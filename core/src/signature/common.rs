//! Pieces every scheme shares: strict tag and timestamp parsing, the time window, the
//! key loop, replay keys, and the body-only ("tag only") schemes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::{Error, Result};
use crate::time::{Duration, Timestamp};

use super::keys::{tags_equal, Keyring, MAX_MAC};
use super::{Headers, ReplayKey, Scheme, Signed, Verified};

/// Everything a scheme's `verify` needs besides the message.
pub(crate) struct Ctx<'a> {
    pub scheme: Scheme,
    pub keys: &'a Keyring,
    /// `None`: time check skipped.
    pub tolerance: Option<Duration>,
    pub retention: Duration,
    pub now: Timestamp,
    /// Read timestamp headers in the unit the scheme does *not* use (seconds for GatePay,
    /// milliseconds for the others). Diagnosis only: it asks "would this delivery verify
    /// had the sender used the other unit?" (docs/spec.md §6, "Diagnosing a failed
    /// verification").
    pub other_unit: bool,
}

impl Ctx<'_> {
    /// A timestamp header read in the unit this check uses ([`parse_timestamp`]).
    pub(crate) fn read_timestamp(&self, text: &str) -> Option<Stamp> {
        let millis = (self.scheme == Scheme::Gatepay) != self.other_unit;
        parse_timestamp_in(millis, text)
    }
}

/// How a tag is written on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Enc {
    /// Hex digits, either case.
    Hex,
    /// Standard base64 with its padding.
    Base64,
}

/// Decodes a tag strictly into `buf`: exactly the MAC's length, canonical encoding.
pub(crate) fn decode_tag<'b>(
    text: &str,
    enc: Enc,
    mac_len: usize,
    buf: &'b mut [u8; 72],
) -> Option<&'b [u8]> {
    match enc {
        Enc::Hex => {
            if text.len() != mac_len * 2 {
                return None;
            }
            let dst = buf.get_mut(..mac_len)?;
            decode_hex(text.as_bytes(), dst)?;
            buf.get(..mac_len)
        }
        Enc::Base64 => {
            let dst = buf.get_mut(..mac_len)?;
            decode_b64(text.as_bytes(), dst)?;
            buf.get(..mac_len)
        }
    }
}

/// Value of each byte as a hex digit, or 0xff. (Built at compile time: an index out of
/// range would fail the build, not panic.)
#[allow(clippy::indexing_slicing)]
const HEX_VAL: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Value of each byte as a standard-base64 digit, or 0xff (built at compile time).
#[allow(clippy::indexing_slicing)]
const B64_VAL: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Hex digits (either case) into `out`, which must be exactly half as long as `text`.
/// Table-driven: the `hex` crate's decoder is several times slower, which shows next to a
/// 1 µs MAC.
fn decode_hex(text: &[u8], out: &mut [u8]) -> Option<()> {
    if text.len() != out.len() * 2 {
        return None;
    }
    // Invalid digits map to 0xff; valid ones fit in 4 bits: one test at the end.
    let v = |c: u8| HEX_VAL.get(usize::from(c)).copied().unwrap_or(0xff);
    let mut digits = 0u8;
    for (pair, o) in text.chunks_exact(2).zip(out.iter_mut()) {
        if let [hi, lo] = pair {
            let (h, l) = (v(*hi), v(*lo));
            digits |= h | l;
            *o = (h << 4) | l;
        }
    }
    (digits & 0xf0 == 0).then_some(())
}

/// Canonical padded standard base64 of exactly `out.len()` bytes: the right length, the
/// right padding, and zero unused bits (so one tag has exactly one spelling).
fn decode_b64(text: &[u8], out: &mut [u8]) -> Option<()> {
    let n = out.len();
    if text.len() != n.div_ceil(3) * 4 {
        return None;
    }
    // Invalid digits map to 0xff: valid ones never set the top two bits, so OR-ing every
    // digit and testing 0xc0 once checks them all without a branch per character.
    let v = |c: &u8| u32::from(B64_VAL.get(usize::from(*c)).copied().unwrap_or(0xff));
    let mut digits = 0u32;
    let mut unused = 0u32;
    let mut quads = text.chunks_exact(4);
    let mut triples = out.chunks_exact_mut(3);
    // `triples` first: zip must not consume the padded last quad when triples run out.
    for (o, q) in (&mut triples).zip(&mut quads) {
        if let ([a, b, c, d], [x, y, z]) = (q, o) {
            let (a, b, c, d) = (v(a), v(b), v(c), v(d));
            digits |= a | b | c | d;
            let w = (a << 18) | (b << 12) | (c << 6) | d;
            *x = (w >> 16) as u8;
            *y = (w >> 8) as u8;
            *z = w as u8;
        }
    }
    match (triples.into_remainder(), quads.next().unwrap_or_default()) {
        ([], []) => {}
        ([x], [a, b, b'=', b'=']) => {
            let (a, b) = (v(a), v(b));
            digits |= a | b;
            unused = b & 0x0f;
            *x = ((a << 2) | (b >> 4)) as u8;
        }
        ([x, y], [a, b, c, b'=']) => {
            let (a, b, c) = (v(a), v(b), v(c));
            digits |= a | b | c;
            unused = c & 0x03;
            let w = (a << 12) | (b << 6) | c;
            *x = (w >> 10) as u8;
            *y = (w >> 2) as u8;
        }
        _ => return None,
    }
    (digits & 0xc0 == 0 && unused == 0).then_some(())
}

/// The MAC length of a scheme (32 or 64 bytes).
pub(crate) fn mac_len(scheme: Scheme) -> usize {
    match scheme {
        Scheme::Gatepay | Scheme::Monetix | Scheme::Nowpayments => 64,
        _ => 32,
    }
}

/// Most significant digits a representable timestamp has: 12 of seconds or 15 of
/// milliseconds (both beyond year 9999, which `Timestamp` rejects anyway).
/// Longest digit string (leading zeros aside) read as an instant: 12 in seconds, 15 in
/// milliseconds, either enough for year 9999.
fn max_digits(millis: bool) -> usize {
    if millis {
        15
    } else {
        12
    }
}

/// A timestamp header that parsed: an instant, or digits naming one too far away to
/// represent (docs/spec.md §6: out of tolerance, not malformed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    At(Timestamp),
    TooLarge,
}

/// Reads a timestamp header strictly: one or more ASCII digits in the scheme's unit,
/// leading zeros allowed (`0001774353600` is well-formed). `None` is malformed.
pub(crate) fn parse_timestamp(scheme: Scheme, text: &str) -> Option<Stamp> {
    parse_timestamp_in(scheme == Scheme::Gatepay, text)
}

/// [`parse_timestamp`] in milliseconds (`millis`) or in seconds.
fn parse_timestamp_in(millis: bool, text: &str) -> Option<Stamp> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = text.trim_start_matches('0');
    if digits.len() > max_digits(millis) {
        return Some(Stamp::TooLarge);
    }
    let n: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let ms = if millis { Some(n) } else { n.checked_mul(1000) };
    Some(
        ms.and_then(|ms| Timestamp::from_millis(ms, "timestamp").ok())
            .map_or(Stamp::TooLarge, Stamp::At),
    )
}

/// The closed window `|now - ts| <= tolerance`; `None` skips the check. A timestamp too
/// large to represent is out of tolerance even then: there is no instant to report or to
/// keep a replay key until.
pub(crate) fn check_window(ctx: &Ctx<'_>, stamp: Stamp, text: &str) -> Result<Timestamp> {
    let ts = match stamp {
        Stamp::At(ts) => ts,
        Stamp::TooLarge => {
            return Err(Error::TimestampOutOfTolerance {
                timestamp: text.chars().take(20).collect(),
                skew_seconds: i64::MIN,
                tolerance_seconds: ctx.tolerance.map_or(0, |t| t.as_seconds()),
            })
        }
    };
    let Some(tol) = ctx.tolerance else {
        return Ok(ts);
    };
    let skew = ctx.now.millis_since(ts);
    let limit = i128::from(tol.as_millis());
    if i128::from(skew).abs() <= limit {
        Ok(ts)
    } else {
        Err(Error::TimestampOutOfTolerance {
            timestamp: text.chars().take(20).collect(),
            skew_seconds: skew / 1000,
            tolerance_seconds: tol.as_seconds(),
        })
    }
}

/// A header's value, or `None` when it is absent or present with an empty value (blank
/// counts as empty): both are `signature_missing` (docs/spec.md §6).
pub(crate) fn header<'h, H: Headers + ?Sized>(h: &'h H, name: &str) -> Option<&'h str> {
    h.header(name)
        .filter(|v| !v.trim_matches(|c| c == ' ' || c == '\t').is_empty())
}

/// Tries every key against every candidate tag. `parts` is the signed content;
/// `for_each_tag` calls its argument with each decodable candidate and stops when it
/// returns true. Returns the index of the matching key (only that: a replay key never
/// depends on which secret matched, docs/spec.md §6).
pub(crate) fn find_match<F>(keys: &Keyring, parts: &[&[u8]], mut for_each_tag: F) -> Option<usize>
where
    F: FnMut(&mut dyn FnMut(&[u8]) -> bool) -> bool,
{
    let mut computed = [0u8; MAX_MAC];
    for (i, key) in keys.iter().enumerate() {
        let n = key.mac(parts, &mut computed);
        let Some(mine) = computed.get(..n) else {
            continue;
        };
        if for_each_tag(&mut |cand: &[u8]| tags_equal(mine, cand)) {
            return Some(i);
        }
    }
    None
}

/// `signature_mismatch` for this key ring.
pub(crate) fn mismatch(keys: &Keyring) -> Error {
    Error::SignatureMismatch { keys: keys.len() }
}

/// `signature_missing` naming what is absent.
pub(crate) fn missing(what: &str) -> Error {
    Error::SignatureMissing {
        what: what.to_owned(),
    }
}

/// `signature_malformed` describing the problem (never echoing a secret).
pub(crate) fn malformed(what: impl Into<String>) -> Error {
    Error::SignatureMalformed { what: what.into() }
}

/// The replay key of a tag-only message: the scheme's name and the received tag (hex, so
/// encodings cannot alias), kept for the host's retention. Two schemes computing the same
/// MAC (GitHub and Coinbase Commerce) never share a key.
pub(crate) fn tag_replay(ctx: &Ctx<'_>, tag: &[u8]) -> ReplayKey {
    let mut key = String::with_capacity(ctx.scheme.name().len() + 1 + tag.len() * 2);
    key.push_str(ctx.scheme.name());
    key.push(':');
    push_hex(&mut key, tag);
    ReplayKey {
        key,
        keep_until: ctx.now.plus(ctx.retention),
    }
}

/// Appends lowercase hex (the `hex` crate's `encode` goes through a char iterator and
/// costs as much as a third of the MAC on this hot path).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 2 * MAX_MAC];
    for (b, pair) in bytes.iter().zip(buf.chunks_exact_mut(2)) {
        if let [hi, lo] = pair {
            *hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    let len = (bytes.len() * 2).min(buf.len());
    if let Some(Ok(text)) = buf.get(..len).map(std::str::from_utf8) {
        out.push_str(text);
    }
}

/// How long a timestamped message's key must be kept: until the message would fail the
/// window anyway (timestamp + tolerance), or for the retention when the check is skipped.
pub(crate) fn keep_until(ctx: &Ctx<'_>, ts: Timestamp) -> Timestamp {
    match ctx.tolerance {
        Some(tol) => ts.plus(tol).max(ctx.now),
        None => ctx.now.plus(ctx.retention),
    }
}

/// A scheme that signs only the raw body, with one tag in one header.
pub(crate) struct TagOnly {
    /// Header names tried in order (Shopify's event deliveries drop the `X-`).
    pub headers: &'static [&'static str],
    /// Text before the tag (`sha256=` for GitHub).
    pub prefix: &'static str,
    pub enc: Enc,
    pub scheme: Scheme,
}

pub(crate) fn verify_tag_only<H: Headers + ?Sized>(
    ctx: &Ctx<'_>,
    spec: &TagOnly,
    headers: &H,
    body: &[u8],
) -> Result<Verified> {
    let first = spec.headers.first().copied().unwrap_or("signature");
    let value = spec
        .headers
        .iter()
        .find_map(|n| header(headers, n))
        .ok_or_else(|| missing(first))?;
    verify_tag_value(ctx, spec, first, value, body)
}

/// Verifies a tag-only signature given the header value (shared with NOWPayments).
pub(crate) fn verify_tag_value(
    ctx: &Ctx<'_>,
    spec: &TagOnly,
    header_name: &str,
    value: &str,
    signed: &[u8],
) -> Result<Verified> {
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let text = value
        .strip_prefix(spec.prefix)
        .ok_or_else(|| malformed(format!("{header_name} must start with {:?}", spec.prefix)))?;
    let len = mac_len(spec.scheme);
    let mut buf = [0u8; 72];
    let tag = decode_tag(text, spec.enc, len, &mut buf).ok_or_else(|| {
        malformed(format!(
            "{header_name} is not a {len}-byte {} tag",
            if spec.enc == Enc::Hex {
                "hex"
            } else {
                "base64"
            }
        ))
    })?;
    let i = find_match(ctx.keys, &[signed], |f| f(tag)).ok_or_else(|| mismatch(ctx.keys))?;
    Ok(Verified {
        scheme: ctx.scheme,
        key_index: i,
        timestamp: None,
        replay: Some(tag_replay(ctx, tag)),
    })
}

/// Encodes a tag the scheme's way.
pub(crate) fn encode(enc: Enc, tag: &[u8]) -> String {
    match enc {
        Enc::Hex => {
            let mut s = String::with_capacity(tag.len() * 2);
            push_hex(&mut s, tag);
            s
        }
        Enc::Base64 => STANDARD.encode(tag),
    }
}

/// The first key's MAC of `parts`, encoded.
pub(crate) fn sign_first(keys: &Keyring, parts: &[&[u8]], enc: Enc) -> Result<String> {
    let mut out = [0u8; MAX_MAC];
    let n = keys.first()?.mac(parts, &mut out);
    Ok(encode(enc, out.get(..n).unwrap_or_default()))
}

pub(crate) fn sign_tag_only(keys: &Keyring, spec: &TagOnly, body: &[u8]) -> Result<Signed> {
    let tag = sign_first(keys, &[body], spec.enc)?;
    let name = spec.headers.first().copied().unwrap_or("signature");
    Ok(Signed {
        headers: vec![(name.to_owned(), format!("{}{tag}", spec.prefix))],
        signature: None,
        body: None,
    })
}

/// A required input of a signer.
pub(crate) fn need<T>(v: Option<T>, field: &'static str) -> Result<T> {
    v.ok_or_else(|| Error::missing(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_strict() {
        let s = Scheme::StandardWebhooks;
        let at = |text: &str| match parse_timestamp(s, text) {
            Some(Stamp::At(t)) => Some(t.as_seconds()),
            _ => None,
        };
        assert_eq!(at("1614265330"), Some(1_614_265_330));
        // leading zeros are well-formed, however many
        assert_eq!(at("0001774353600"), Some(1_774_353_600));
        assert_eq!(at(&format!("{}1", "0".repeat(100))), Some(1));
        assert_eq!(at("0"), Some(0));
        for bad in ["", " 1614265330", "1614265330.0", "+1", "1e9", "-5", "１２"] {
            assert!(parse_timestamp(s, bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            parse_timestamp(Scheme::Gatepay, "1704067200000"),
            Some(Stamp::At(
                Timestamp::from_millis(1_704_067_200_000, "t").unwrap()
            ))
        );
        // too large to represent: parsed, and out of tolerance later
        for big in [
            "1234567890123",
            "999999999999",
            "99999999999999999999999999",
        ] {
            assert_eq!(parse_timestamp(s, big), Some(Stamp::TooLarge), "{big}");
        }
        assert_eq!(
            parse_timestamp(Scheme::Gatepay, "9999999999999999"),
            Some(Stamp::TooLarge)
        );
    }

    #[test]
    fn tags_are_strict() {
        let mut b = [0u8; 72];
        assert!(decode_tag(&"ab".repeat(32), Enc::Hex, 32, &mut b).is_some());
        assert!(decode_tag(&"AB".repeat(32), Enc::Hex, 32, &mut b).is_some());
        assert!(decode_tag(&"ab".repeat(31), Enc::Hex, 32, &mut b).is_none());
        assert!(decode_tag(&"zz".repeat(32), Enc::Hex, 32, &mut b).is_none());
        let b64 = STANDARD.encode([7u8; 32]);
        assert!(decode_tag(&b64, Enc::Base64, 32, &mut b).is_some());
        assert!(decode_tag(b64.trim_end_matches('='), Enc::Base64, 32, &mut b).is_none());
        // non-zero unused bits: another spelling of the same bytes, refused
        let zero = STANDARD.encode([0u8; 32]);
        assert!(decode_tag(&zero, Enc::Base64, 32, &mut b).is_some());
        let alias = format!("{}B=", &zero[..42]);
        assert!(decode_tag(&alias, Enc::Base64, 32, &mut b).is_none());
        assert!(decode_tag(&format!("{}==", &zero[..42]), Enc::Base64, 32, &mut b).is_none());
        assert!(decode_tag(&format!("{}A*", &zero[..42]), Enc::Base64, 32, &mut b).is_none());
        let b64 = STANDARD.encode([7u8; 64]);
        assert_eq!(
            decode_tag(&b64, Enc::Base64, 64, &mut b).map(<[u8]>::len),
            Some(64)
        );
    }
}
