//! `verify_signature` and `sign` steps.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use paystate::signature::{ReplayGuard, Scheme, SignInput, Signer, Verifier, VerifierOptions};
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
                    (None, Some(b64)) => STANDARD.decode(b64).map_err(|_| Error::InvalidField {
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
                let input = SignInput::from_headers(scheme, inputs.as_slice(), step.at)?;
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
