//! A strict reader for JSON objects that names the field in every error.
//!
//! serde's derive would report "invalid type: floating point" without the field path and
//! with the wrong error code; payment APIs need `missing_field amount` and
//! `invalid_amount amount`. Numbers are read from their exact text (serde_json's
//! `arbitrary_precision`), never through `f64`.

use serde_json::{Map, Value};

use crate::error::{Error, FieldName, Result};
use crate::money::Amount;

/// Largest request or webhook body the core parses (1 MiB): callbacks and requests are
/// small, and the cap bounds what a hostile sender can make the host parse. Stored state
/// the core wrote has no size cap (docs/spec.md §2 "State documents").
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// Deepest nesting accepted in a request or webhook body. Stored state is read up to
/// serde_json's own recursion limit (128), beyond anything the core writes: metadata is
/// at most [`MAX_METADATA_DEPTH`](crate::invoice::MAX_METADATA_DEPTH) levels at `create`,
/// and a document adds only a few levels of its own.
pub const MAX_JSON_DEPTH: usize = 64;

/// Parses an untrusted body as a JSON object, with the size and depth caps, or
/// `malformed_json`.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>> {
    match parse_body(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(Error::MalformedJson {
            reason: format!("expected a JSON object, found {}", kind(&other)),
        }),
    }
}

/// Parses an untrusted body as any JSON value, with the size and depth caps
/// ([`MAX_JSON_BYTES`], [`MAX_JSON_DEPTH`]), or `malformed_json`.
pub fn parse_body(bytes: &[u8]) -> Result<Value> {
    if bytes.len() > MAX_JSON_BYTES {
        return Err(Error::MalformedJson {
            reason: format!("body of {} bytes exceeds {MAX_JSON_BYTES}", bytes.len()),
        });
    }
    let value = parse_value(bytes)?;
    if depth(&value) > MAX_JSON_DEPTH {
        return Err(Error::MalformedJson {
            reason: format!("nesting deeper than {MAX_JSON_DEPTH}"),
        });
    }
    Ok(value)
}

/// Parses any JSON value with no size cap, or `malformed_json`: for documents the core
/// wrote (the host's stored state, docs/spec.md §2 "State documents") and for values
/// nested inside a body already read with the caps. Nesting is bounded only by
/// serde_json's recursion limit (128), so the stack is safe.
pub fn parse_value(bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(Error::malformed_json)
}

/// Reads stored state (an invoice, matcher, session, delivery plan, replay guard,
/// journal...) that the host kept in its database, from the text itself, so numbers and
/// opaque values come back exactly as written. Whatever the core wrote loads back: there
/// is no size cap (docs/spec.md §2 "State documents"). Text that is not JSON or not this
/// shape is `malformed_json`; a document breaking an invariant is `invalid_state`.
pub fn from_stored<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(stored_error)
}

/// A serde failure on a stored document: the core's own errors raised while rebuilding it
/// (an invariant check in a `TryFrom`) come back with their code; anything else is
/// `malformed_json`.
fn stored_error(e: serde_json::Error) -> Error {
    let text = e.to_string();
    match text.strip_prefix(INVALID_STATE_TAG) {
        Some(reason) => Error::InvalidState {
            reason: reason
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        },
        None => Error::malformed_json(text),
    }
}

/// How [`Error::InvalidState`] displays: a stored type's `TryFrom` returns it for a broken
/// invariant and serde carries only its text, so [`from_stored`] recognises it by this.
const INVALID_STATE_TAG: &str = "invalid state: ";

/// Container nesting of a value: a scalar is 0, `{}` and `[]` are 1, `{"a":{}}` is 2.
/// The measure of [`MAX_METADATA_DEPTH`](crate::invoice::MAX_METADATA_DEPTH).
pub fn nesting(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(a) => {
                max = max.max(d + 1);
                stack.extend(a.iter().map(|x| (x, d + 1)));
            }
            Value::Object(o) => {
                max = max.max(d + 1);
                stack.extend(o.values().map(|x| (x, d + 1)));
            }
            _ => {}
        }
    }
    max
}

fn depth(v: &Value) -> usize {
    // Iterative, so a hostile document cannot exhaust the stack here.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// The JSON type name of a value, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object being read, with the path prefix used in error messages.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Obj<'a> {
    /// Reads `map`, naming fields `prefix.name` (or just `name` when the prefix is empty).
    pub fn new(map: &'a Map<String, Value>, prefix: &'a str) -> Self {
        Obj { map, prefix }
    }

    /// The full path of a field.
    pub fn path(&self, name: &str) -> FieldName {
        if self.prefix.is_empty() {
            FieldName::Owned(name.to_owned())
        } else {
            FieldName::Owned(format!("{}.{name}", self.prefix))
        }
    }

    /// The raw map.
    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    /// A present, non-null value.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Whether the field is present and not null.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Rejects any member not in `allowed` (catches typos in requests and scenarios).
    pub fn deny_unknown(&self, allowed: &[&str]) -> Result<()> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            // The name is the sender's: a long one is cut, so it cannot flood the message.
            Some(k) if k.len() > 64 => Err(Error::invalid_field(
                self.path(&format!("{}…", crate::error::short(k))),
                "unknown field",
            )),
            Some(k) => Err(Error::invalid_field(self.path(k), "unknown field")),
            None => Ok(()),
        }
    }

    /// A required string.
    pub fn str(&self, name: &str) -> Result<&'a str> {
        self.opt_str(name)?
            .ok_or_else(|| Error::missing(self.path(name)))
    }

    /// An optional string.
    pub fn opt_str(&self, name: &str) -> Result<Option<&'a str>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Error::invalid_field(
                self.path(name),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// A required boolean.
    pub fn bool(&self, name: &str) -> Result<bool> {
        self.opt_bool(name)?
            .ok_or_else(|| Error::missing(self.path(name)))
    }

    /// An optional boolean.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::invalid_field(
                self.path(name),
                format!("expected true or false, found {}", kind(other)),
            )),
        }
    }

    /// A required non-negative integer (JSON number without fraction or exponent).
    pub fn u64(&self, name: &str) -> Result<u64> {
        self.opt_u64(name)?
            .ok_or_else(|| Error::missing(self.path(name)))
    }

    /// An optional non-negative integer.
    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                let text = n.to_string();
                if !text.bytes().all(|b| b.is_ascii_digit()) || text.is_empty() {
                    return Err(Error::invalid_field(
                        self.path(name),
                        format!("expected a non-negative whole number, found {text}"),
                    ));
                }
                text.parse::<u64>().map(Some).map_err(|_| {
                    Error::invalid_field(self.path(name), format!("{text} is out of range"))
                })
            }
            Some(other) => Err(Error::invalid_field(
                self.path(name),
                format!("expected a whole number, found {}", kind(other)),
            )),
        }
    }

    /// A required amount given as a JSON string (the contract's form).
    pub fn amount(&self, name: &str) -> Result<Amount> {
        self.opt_amount(name)?
            .ok_or_else(|| Error::missing(self.path(name)))
    }

    /// An optional amount given as a JSON string.
    pub fn opt_amount(&self, name: &str) -> Result<Option<Amount>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Amount::parse(s, self.path(name)).map(Some),
            Some(other) => Err(Error::InvalidAmount {
                field: self.path(name),
                value: other.to_string().chars().take(40).collect(),
                reason: "amounts are decimal strings such as \"10.50\"",
            }),
        }
    }

    /// An optional amount given either as a string or as a JSON number, read from the
    /// number's exact text (seed APIs send `"amount": 10.50`). `1e3` is still rejected.
    pub fn opt_amount_lenient(&self, name: &str) -> Result<Option<Amount>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Amount::parse(s, self.path(name)).map(Some),
            Some(Value::Number(n)) => Amount::parse(&n.to_string(), self.path(name)).map(Some),
            Some(other) => Err(Error::InvalidAmount {
                field: self.path(name),
                value: kind(other).to_owned(),
                reason: "expected a decimal number",
            }),
        }
    }

    /// A required nested object.
    pub fn obj(&self, name: &str) -> Result<&'a Map<String, Value>> {
        self.opt_obj(name)?
            .ok_or_else(|| Error::missing(self.path(name)))
    }

    /// An optional nested object.
    pub fn opt_obj(&self, name: &str) -> Result<Option<&'a Map<String, Value>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(Error::invalid_field(
                self.path(name),
                format!("expected an object, found {}", kind(other)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_values_do_not_flood_messages() {
        // serde quotes the value it did not expect: a megabyte string stays out of the message.
        let huge = format!("\"{}\"", "x".repeat(1_000_000));
        let e = from_stored::<crate::Matcher>(&huge).unwrap_err();
        assert_eq!(e.code(), "malformed_json");
        assert!(e.to_string().len() < 300, "{} bytes", e.to_string().len());
        // An unknown member's name is the sender's too.
        let body = format!("{{\"{}\": 1}}", "k".repeat(1_000_000));
        let map = parse_object(body.as_bytes()).unwrap();
        let e = Obj::new(&map, "req").deny_unknown(&["a"]).unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        assert!(e.to_string().len() < 300, "{} bytes", e.to_string().len());
        // Multi-byte text is cut on a character boundary.
        let e = Error::malformed_json("é".repeat(500));
        assert!(e.to_string().ends_with('…'));
    }

    #[test]
    fn numbers_keep_their_text() {
        let map = parse_object(br#"{"a": 10.50, "b": 1e3, "c": "7", "n": 12}"#).unwrap();
        let o = Obj::new(&map, "req");
        assert_eq!(
            o.opt_amount_lenient("a").unwrap().map(|a| a.to_string()),
            Some("10.5".into())
        );
        assert_eq!(
            o.opt_amount_lenient("b").unwrap_err().code(),
            "invalid_amount"
        );
        assert_eq!(o.amount("a").unwrap_err().code(), "invalid_amount");
        assert_eq!(
            o.amount("zz").unwrap_err().to_string(),
            "req.zz: required field is missing"
        );
        assert_eq!(o.u64("n").unwrap(), 12);
        assert_eq!(o.u64("a").unwrap_err().code(), "invalid_field");
    }

    #[test]
    fn caps() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(
            parse_body(deep.as_bytes()).unwrap_err().code(),
            "malformed_json"
        );
        // Stored documents: no size cap, serde_json's recursion limit only.
        assert!(parse_value(deep.as_bytes()).is_ok());
        let too_deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            parse_value(too_deep.as_bytes()).unwrap_err().code(),
            "malformed_json"
        );
        let big = format!("[{}1]", "1,".repeat(MAX_JSON_BYTES));
        assert_eq!(
            parse_body(big.as_bytes()).unwrap_err().code(),
            "malformed_json"
        );
        assert!(parse_value(big.as_bytes()).is_ok());
        assert_eq!(nesting(&serde_json::json!(1)), 0);
        assert_eq!(nesting(&serde_json::json!({"a": [], "b": {"c": [1]}})), 3);
        assert_eq!(parse_object(b"[1]").unwrap_err().code(), "malformed_json");
        assert_eq!(parse_object(b"\xff").unwrap_err().code(), "malformed_json");
    }
}
