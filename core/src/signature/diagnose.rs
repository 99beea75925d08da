//! "My webhook doesn't verify": after a failed verification, try the usual mistakes and
//! say which one explains the failure.
//!
//! Hints never reveal the expected tag or a secret; they only name the mistake.

use serde::Serialize;
use serde_json::Value;

use super::{Headers, Scheme, TimeCheck, Verifier, VerifierOptions};
use crate::error::Error;
use crate::time::Timestamp;

/// A likely cause of a verification failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "hint", rename_all = "snake_case")]
pub enum Hint {
    /// The body verifies once re-serialised this way: a framework parsed the JSON and
    /// encoded it again before verification. Verify the raw bytes instead.
    BodyReserialized {
        /// `compact`, `sorted_keys`, `pretty` or `python_json_dumps`.
        form: &'static str,
    },
    /// The secret verifies once leading/trailing whitespace is trimmed (a copy-paste
    /// newline or space).
    SecretWhitespace {
        /// Index of the secret concerned.
        key_index: usize,
    },
    /// The timestamp is within the window when read in the other unit (seconds instead of
    /// milliseconds or the reverse).
    TimestampUnit {
        /// The unit that would have been in time: `seconds` or `milliseconds`.
        read_as: &'static str,
    },
    /// The signature verifies under another scheme with the same secret.
    OtherScheme {
        /// The scheme that verifies.
        scheme: Scheme,
    },
}

impl Hint {
    /// The hint's stable name (`body_reserialized`, `secret_whitespace`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Hint::BodyReserialized { .. } => "body_reserialized",
            Hint::SecretWhitespace { .. } => "secret_whitespace",
            Hint::TimestampUnit { .. } => "timestamp_unit",
            Hint::OtherScheme { .. } => "other_scheme",
        }
    }

    /// One sentence for people.
    pub fn explain(&self) -> String {
        match self {
            Hint::BodyReserialized { form } => format!(
                "the body verifies after re-serialising the JSON ({form}): a framework parsed and re-encoded it; verify the raw request bytes"
            ),
            Hint::SecretWhitespace { key_index } => format!(
                "secret #{key_index} verifies once trimmed: it has leading or trailing whitespace"
            ),
            Hint::TimestampUnit { read_as } => format!(
                "the timestamp is in time when read as {read_as}: the sender used the wrong unit"
            ),
            Hint::OtherScheme { scheme } => format!(
                "the signature verifies under the {scheme} scheme with the same secret"
            ),
        }
    }
}

/// Tries the usual mistakes for a delivery that failed to verify with `scheme`, `secrets`
/// and `options`. Returns every hint that explains it (empty when none does).
pub fn diagnose<S: AsRef<[u8]>, H: Headers + ?Sized>(
    scheme: Scheme,
    secrets: &[S],
    options: VerifierOptions,
    headers: &H,
    body: &[u8],
    now: Timestamp,
) -> Vec<Hint> {
    let mut hints = Vec::new();
    let verifies = |scheme: Scheme, secrets: &[&[u8]], options: VerifierOptions, body: &[u8]| {
        Verifier::with_options(scheme, secrets, options)
            .and_then(|v| v.verify(headers, body, now))
            .is_ok()
    };
    let raw: Vec<&[u8]> = secrets.iter().map(AsRef::as_ref).collect();

    if let Ok(value) = crate::json::parse_body(body) {
        let forms: [(&'static str, Option<String>); 4] = [
            ("compact", serde_json::to_string(&value).ok()),
            ("sorted_keys", serde_json::to_string(&sorted(&value)).ok()),
            ("pretty", serde_json::to_string_pretty(&value).ok()),
            ("python_json_dumps", Some(python_dumps(&value))),
        ];
        for (form, text) in forms {
            if let Some(text) = text {
                if text.as_bytes() != body && verifies(scheme, &raw, options, text.as_bytes()) {
                    hints.push(Hint::BodyReserialized { form });
                    break;
                }
            }
        }
    }

    for (i, secret) in raw.iter().enumerate() {
        let trimmed = secret.trim_ascii();
        if trimmed.len() != secret.len() && !trimmed.is_empty() {
            let mut keys = raw.clone();
            if let Some(k) = keys.get_mut(i) {
                *k = trimmed;
            }
            if verifies(scheme, &keys, options, body) {
                hints.push(Hint::SecretWhitespace { key_index: i });
            }
        }
    }

    // A timestamp in the other unit fails the window (or, milliseconds read as seconds,
    // names an instant past year 9999, which is out of tolerance whatever the window), so
    // the delivery is tried again reading the header in the other unit, window applied.
    if scheme.is_timestamped() {
        if let Ok(verifier) = Verifier::with_options(scheme, &raw, options) {
            let out_of_window = matches!(
                verifier.verify(headers, body, now),
                Err(Error::TimestampOutOfTolerance { .. })
            );
            if out_of_window && verifier.verify_in_other_unit(headers, body, now).is_ok() {
                hints.push(Hint::TimestampUnit {
                    read_as: if scheme == Scheme::Gatepay {
                        "seconds"
                    } else {
                        "milliseconds"
                    },
                });
            }
        }
    }

    let lenient = VerifierOptions {
        time_check: TimeCheck::Skip,
        ..options
    };
    for other in Scheme::ALL {
        if other != scheme && verifies(other, &raw, lenient, body) {
            hints.push(Hint::OtherScheme { scheme: other });
        }
    }
    hints
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Python's `json.dumps(value)` default layout: `", "` and `": "` separators, ASCII escapes.
fn python_dumps(v: &Value) -> String {
    let mut out = String::new();
    write_python(v, &mut out);
    out
}

fn write_python(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_str(k, out);
                out.push_str(": ");
                write_python(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_python_str(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_python_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{sign, SignInput};

    fn now() -> Timestamp {
        Timestamp::from_seconds(1_700_000_000, "t").unwrap()
    }

    /// [`diagnose`] with the default options, now.
    fn hints_for(
        scheme: Scheme,
        keys: &[&str],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Vec<Hint> {
        diagnose(
            scheme,
            keys,
            VerifierOptions::default(),
            headers,
            body,
            now(),
        )
    }

    /// A GatePay signature of `body` under key `k` with nonce `n1`, at `at`.
    fn gatepay_signed(body: &[u8], at: Timestamp) -> crate::signature::Signed {
        sign(
            Scheme::Gatepay,
            &["k"],
            body,
            &SignInput {
                nonce: Some("n1"),
                timestamp: Some(at),
                id: None,
            },
        )
        .unwrap()
    }

    #[test]
    fn reserialized_body_is_spotted() {
        let body = br#"{"b":1,"a":"x"}"#;
        let signed = sign(
            Scheme::UsdtGateway,
            &["s3cret"],
            body,
            &SignInput::default(),
        )
        .unwrap();
        let headers = pairs(&signed.headers);
        let pretty = b"{\n  \"b\": 1,\n  \"a\": \"x\"\n}";
        let hints = hints_for(Scheme::UsdtGateway, &["s3cret"], &headers, pretty);
        assert_eq!(hints, vec![Hint::BodyReserialized { form: "compact" }]);
    }

    #[test]
    fn trimmed_secret_and_other_scheme() {
        let body = b"{}";
        let signed = sign(
            Scheme::CoinbaseCommerce,
            &["s3cret"],
            body,
            &SignInput::default(),
        )
        .unwrap();
        let (_, tag) = &signed.headers[0];
        let headers = [("X-Webhook-Signature", tag.as_str())];
        let hints = hints_for(Scheme::UsdtGateway, &["s3cret\n"], &headers, body);
        assert_eq!(hints, vec![Hint::SecretWhitespace { key_index: 0 }]);
        let headers = [("X-CC-Webhook-Signature", tag.as_str())];
        let hints = hints_for(Scheme::UsdtGateway, &["s3cret"], &headers, body);
        assert_eq!(
            hints,
            vec![Hint::OtherScheme {
                scheme: Scheme::CoinbaseCommerce
            }]
        );
    }

    #[test]
    fn timestamp_in_the_wrong_unit() {
        let body = b"{}";
        // A GatePay sender that wrote seconds instead of milliseconds.
        let ts = Timestamp::from_millis(1_700_000_000, "t").unwrap();
        let signed = gatepay_signed(body, ts);
        let headers = pairs(&signed.headers);
        let hints = hints_for(Scheme::Gatepay, &["k"], &headers, body);
        assert_eq!(hints, vec![Hint::TimestampUnit { read_as: "seconds" }]);
    }

    /// Standard Webhooks headers signed over `webhook-timestamp: ts_text` with key bytes
    /// `key`, whatever unit the text is in (the core's signer writes seconds only).
    fn standard_webhooks_headers(key: &[u8], ts_text: &str, body: &[u8]) -> Vec<(String, String)> {
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("msg_1.{ts_text}.").as_bytes());
        mac.update(body);
        let tag = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        vec![
            ("webhook-id".into(), "msg_1".into()),
            ("webhook-timestamp".into(), ts_text.into()),
            ("webhook-signature".into(), format!("v1,{tag}")),
        ]
    }

    fn pairs(h: &[(String, String)]) -> Vec<(&str, &str)> {
        h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn whsec_key() -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(WHSEC.trim_start_matches("whsec_"))
            .unwrap()
    }

    #[test]
    fn milliseconds_sent_to_a_seconds_scheme() {
        // The sender wrote `now` in milliseconds where Standard Webhooks reads seconds: 13
        // digits of seconds name an instant past year 9999, out of tolerance even with the
        // time check skipped, so the hint must not depend on the skipped check.
        let body = b"{}";
        let ms = now().as_millis().to_string();
        let headers = standard_webhooks_headers(&whsec_key(), &ms, body);
        let headers = pairs(&headers);
        let verifier = Verifier::new(Scheme::StandardWebhooks, &[WHSEC]).unwrap();
        assert!(matches!(
            verifier.verify(&headers, body, now()),
            Err(Error::TimestampOutOfTolerance { .. })
        ));
        let skip = VerifierOptions {
            time_check: TimeCheck::Skip,
            ..VerifierOptions::default()
        };
        assert!(matches!(
            Verifier::with_options(Scheme::StandardWebhooks, &[WHSEC], skip)
                .unwrap()
                .verify(&headers, body, now()),
            Err(Error::TimestampOutOfTolerance { .. })
        ));
        let hints = hints_for(Scheme::StandardWebhooks, &[WHSEC], &headers, body);
        assert_eq!(
            hints,
            vec![Hint::TimestampUnit {
                read_as: "milliseconds"
            }]
        );
        assert_eq!(hints[0].name(), "timestamp_unit");
    }

    #[test]
    fn milliseconds_sent_to_stripe() {
        use hmac::{Hmac, Mac};
        let body = b"{}";
        let ms = now().as_millis().to_string();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"sk").unwrap();
        mac.update(format!("{ms}.").as_bytes());
        mac.update(body);
        let tag = hex::encode(mac.finalize().into_bytes());
        let header = format!("t={ms},v1={tag}");
        let headers = [("Stripe-Signature", header.as_str())];
        let hints = hints_for(Scheme::Stripe, &["sk"], &headers, body);
        assert_eq!(
            hints,
            vec![Hint::TimestampUnit {
                read_as: "milliseconds"
            }]
        );
    }

    #[test]
    fn no_unit_hint_when_the_unit_is_right_or_the_tag_wrong() {
        let body = b"{}";
        // Seconds, but ten minutes old: out of the 300 s window in either unit.
        let old = (now().as_seconds() - 600).to_string();
        let headers = standard_webhooks_headers(&whsec_key(), &old, body);
        let hints = hints_for(Scheme::StandardWebhooks, &[WHSEC], &pairs(&headers), body);
        assert_eq!(hints, vec![]);
        // Milliseconds, but signed with another key: the unit explains nothing.
        let ms = now().as_millis().to_string();
        let headers = standard_webhooks_headers(b"another key", &ms, body);
        let hints = hints_for(Scheme::StandardWebhooks, &[WHSEC], &pairs(&headers), body);
        assert_eq!(hints, vec![]);
        // A GatePay delivery in time gets no hint at all.
        let signed = gatepay_signed(body, now());
        let hints = hints_for(Scheme::Gatepay, &["k"], &pairs(&signed.headers), body);
        assert_eq!(hints, vec![]);
    }
}
