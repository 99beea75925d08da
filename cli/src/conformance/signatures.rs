//! `verify_signature` and `sign` steps.

use paystate::signature::{
    parse_scheme_timestamp, ReplayGuard, Scheme, SignInput, Signer, Verifier, VerifierOptions,
};
use paystate::{Error, Result};
use serde_json::{Map, Value};

use super::{Output, Step};

/// What signature steps keep between steps: the world's replay guard.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct State {
    replay_guard: ReplayGuard,
}

fn strings(v: Option<&Value>, field: &'static str) -> Result<Vec<String>> {
    let Some(Value::Array(items)) = v else {
        return Err(match v {
            None => Error::MissingField {
                field: field.into(),
            },
            Some(_) => Error::InvalidField {
                field: field.into(),
                reason: "expected an array of strings".into(),
            },
        });
    };
    items
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::InvalidField {
                    field: field.into(),
                    reason: "expected an array of strings".into(),
                })
        })
        .collect()
}

fn string_pairs(m: Option<&Map<String, Value>>) -> Result<Vec<(String, String)>> {
    m.map(|m| {
        m.iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(Error::InvalidField {
                    field: format!("headers.{k}").into(),
                    reason: "header values are strings".into(),
                }),
            })
            .collect()
    })
    .unwrap_or_else(|| Ok(Vec::new()))
}

/// Standard, padded base64 (the runner's only use of it: `body_base64`).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.chunks(4);
    let last = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.enumerate() {
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && i != last) {
            return None;
        }
        let mut n = 0u32;
        for (j, c) in chunk.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { sextet(*c)? };
            n = (n << 6) | v;
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.push(a);
        if pad < 2 {
            out.push(b);
        }
        if pad < 1 {
            out.push(c);
        }
    }
    Some(out)
}

fn find<'a>(pairs: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    })
}

impl State {
    pub(crate) fn execute(&mut self, step: &Step<'_>) -> Result<Output> {
        let f = &step.fields;
        let scheme = Scheme::parse(f.str("scheme")?)?;
        match step.op {
            "verify_signature" => {
                let secrets = strings(f.get("secrets"), "secrets")?;
                let headers = string_pairs(f.opt_obj("headers")?)?;
                let body = match (f.opt_str("body")?, f.opt_str("body_base64")?) {
                    (Some(b), None) => b.as_bytes().to_vec(),
                    (None, Some(b64)) => decode_base64(b64).ok_or_else(|| Error::InvalidField {
                        field: "body_base64".into(),
                        reason: "not standard padded base64".into(),
                    })?,
                    (None, None) => {
                        return Err(Error::MissingField {
                            field: "body".into(),
                        })
                    }
                    (Some(_), Some(_)) => {
                        return Err(Error::InvalidField {
                            field: "body_base64".into(),
                            reason: "give body or body_base64, not both".into(),
                        })
                    }
                };
                let options = match f.opt_u64("tolerance_seconds")? {
                    Some(s) => VerifierOptions::with_tolerance_seconds(s)?,
                    None => VerifierOptions::default(),
                };
                let verified = Verifier::with_options(scheme, &secrets, options)?
                    .verify(&headers, &body, step.at)?;
                if f.opt_bool("replay_guard")?.unwrap_or(false) {
                    self.replay_guard.record(&verified, step.at)?;
                }
                Ok(Output {
                    valid: Some(true),
                    ..Output::default()
                })
            }
            _ => {
                let secret = f.str("secret")?;
                let body = f.str("body")?;
                let inputs = string_pairs(f.opt_obj("headers")?)?;
                let timestamp = match find(
                    &inputs,
                    &["webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"],
                ) {
                    Some(t) => parse_scheme_timestamp(scheme, t, "headers.timestamp")?,
                    None => step.at,
                };
                let input = SignInput {
                    id: find(&inputs, &["webhook-id", "id"]),
                    nonce: find(&inputs, &["X-GatePay-Nonce", "nonce"]),
                    timestamp: Some(timestamp),
                };
                let signed = Signer::new(scheme, &[secret])?.sign(body.as_bytes(), &input)?;
                let headers: Map<String, Value> = signed
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                Ok(Output {
                    headers: Some(headers),
                    signature: signed.signature,
                    ..Output::default()
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64() {
        assert_eq!(
            decode_base64("//57IngiOjF9gA=="),
            Some(b"\xff\xfe{\"x\":1}\x80".to_vec())
        );
        assert_eq!(decode_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aGk"), None);
        assert_eq!(decode_base64("a=Gk"), None);
        assert_eq!(decode_base64(""), Some(Vec::new()));
    }
}
