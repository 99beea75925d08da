//! The two "parse the JSON, then sign a canonical form" schemes.
//!
//! Both work on a value parsed by [`crate::json`] (size- and depth-capped, numbers kept as
//! their exact text, member order kept), so nothing here goes through `f64` and the
//! recursion depth is bounded.

use serde_json::{Map, Value};

/// The ECommPay/Monetix signing string of a JSON object (seed 003).
///
/// Members named `signature` (the value being checked) and `frame_mode` are left out at
/// every level; every other scalar becomes `path:value`, where the path joins keys with `:`
/// (a `:` inside a key is written `::`) and array positions are keys; numbers are their
/// JSON text, `true`/`false` are `1`/`0`, `null` is empty, and empty arrays or objects
/// contribute nothing. The entries are sorted by path (byte order, which is code-point
/// order, as the Python SDK sorts) and joined with `;`.
pub fn monetix_signing_string(object: &Map<String, Value>) -> String {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut path = String::new();
    flatten_object(object, &mut path, &mut entries);
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let total: usize = entries.iter().map(|(p, v)| p.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(total);
    for (i, (p, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(p);
        out.push(':');
        out.push_str(v);
    }
    out
}

fn push_segment(path: &mut String, segment: &str) -> usize {
    let before = path.len();
    if !path.is_empty() {
        path.push(':');
    }
    for c in segment.chars() {
        if c == ':' {
            path.push_str("::");
        } else {
            path.push(c);
        }
    }
    before
}

fn flatten_object(map: &Map<String, Value>, path: &mut String, out: &mut Vec<(String, String)>) {
    for (k, v) in map {
        if k == "signature" || k == "frame_mode" {
            continue;
        }
        let before = push_segment(path, k);
        flatten_value(v, path, out);
        path.truncate(before);
    }
}

fn flatten_value(v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => flatten_object(m, path, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let before = push_segment(path, &i.to_string());
                flatten_value(item, path, out);
                path.truncate(before);
            }
        }
        Value::Null => out.push((path.clone(), String::new())),
        Value::Bool(b) => out.push((path.clone(), if *b { "1" } else { "0" }.to_owned())),
        Value::Number(n) => out.push((path.clone(), n.to_string())),
        Value::String(s) => out.push((path.clone(), s.clone())),
    }
}

/// The NOWPayments IPN signing form of a JSON value: object keys sorted at every level,
/// compact, written as JavaScript's `JSON.stringify` writes it — strings in UTF-8 with only
/// the escapes JSON requires (`\"`, `\\`, `\b \f \n \r \t`, other control characters as
/// `\u00xx`), numbers as their original text.
///
/// Keys are ordered the way a JavaScript object re-built from `Object.keys(o).sort()`
/// enumerates them: array-index keys (`"0"`, `"7"`, ...) first in numeric order, then the
/// others by UTF-16 code units.
pub fn nowpayments_canonical(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_sorted(value, &mut out);
    out
}

/// A canonical array index in JavaScript: `0` or no leading zero, below 2^32 - 1.
fn array_index(k: &str) -> Option<u32> {
    if k.is_empty() || k.len() > 10 || !k.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if k.len() > 1 && k.starts_with('0') {
        return None;
    }
    k.parse::<u32>().ok().filter(|n| *n != u32::MAX)
}

fn js_key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (array_index(a), array_index(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

fn write_sorted(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| js_key_order(a, b));
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                if let Some(x) = m.get(k.as_str()) {
                    write_sorted(x, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(x, out);
            }
            out.push(b']');
        }
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                out.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse_object, parse_value};

    #[test]
    fn monetix_sdk_strings() {
        // ITECOMMPAY/paymentpage-sdk-go signature-handler_test.go
        let m = parse_object(
            br#"{"a": {"b": 1111111111111111, "c": 2 }, "d": false, "f": [ "g", { "h": 7, "i": { "k": 8 } } ], "e": [ 4, 5 ]}"#,
        )
        .unwrap();
        assert_eq!(
            monetix_signing_string(&m),
            "a:b:1111111111111111;a:c:2;d:0;e:0:4;e:1:5;f:0:g;f:1:h:7;f:1:i:k:8"
        );
        // ITECOMMPAY/paymentpage-sdk-js __tests__/converter.js
        let m = parse_object(
            br#"{"0": null, "a": {"b": 1, "c": 2}, "d": false, "f": ["g", {"h": 7, "i": {"k": 8}}], "e": [4, 5]}"#,
        )
        .unwrap();
        assert_eq!(
            monetix_signing_string(&m),
            "0:;a:b:1;a:c:2;d:0;e:0:4;e:1:5;f:0:g;f:1:h:7;f:1:i:k:8"
        );
    }

    #[test]
    fn monetix_rules() {
        let m = parse_object(
            br#"{"signature":"x","general":{"signature":"y","project_id":1},"frame_mode":"popup",
                "a:b":{"c":10.50},"empty":[],"eo":{},"list":[{"signature":"z","v":true}]}"#,
        )
        .unwrap();
        assert_eq!(
            monetix_signing_string(&m),
            "a::b:c:10.50;general:project_id:1;list:0:v:1"
        );
    }

    #[test]
    fn nowpayments_form() {
        let v = parse_value(
            "{\"z\":1,\"a\":{\"y\":\"Caf\u{e9} cr\u{e8}me\",\"b\":1e-7},\"10\":[true,null],\"9\":\"/\\\"\\n\\u0001\",\"\u{1F600}\":0,\"\u{FF61}\":0}"
                .as_bytes(),
        )
        .unwrap();
        let out = String::from_utf8(nowpayments_canonical(&v)).unwrap();
        assert_eq!(
            out,
            "{\"9\":\"/\\\"\\n\\u0001\",\"10\":[true,null],\"a\":{\"b\":1e-7,\"y\":\"Caf\u{e9} cr\u{e8}me\"},\"z\":1,\"\u{1F600}\":0,\"\u{FF61}\":0}"
        );
    }
}
