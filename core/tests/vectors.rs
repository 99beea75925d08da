//! Runs every known-answer vector in `tests/vectors/*.json` (format: tests/vectors/README.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use paystate::json::parse_object;
use paystate::signature::{
    monetix_signing_string, parse_scheme_timestamp, Scheme, SignInput, Signer, Verifier,
    VerifierOptions,
};
use paystate::Timestamp;
use serde_json::Value;

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn body_of(v: &Value) -> Vec<u8> {
    if let Some(b) = v.get("body_base64").and_then(Value::as_str) {
        return STANDARD.decode(b).expect("body_base64");
    }
    v["body"].as_str().expect("body").as_bytes().to_vec()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn run(v: &Value) -> Result<(), String> {
    let scheme = Scheme::parse(v["scheme"].as_str().unwrap()).map_err(|e| e.to_string())?;
    let body = body_of(v);
    let expect = &v["expect"];
    match v.get("op").and_then(Value::as_str).unwrap_or("verify") {
        "verify" => {
            let secrets = strings(&v["secrets"]);
            let options = match v.get("tolerance_seconds").and_then(Value::as_u64) {
                Some(s) => VerifierOptions::with_tolerance_seconds(s).unwrap(),
                None => VerifierOptions::default(),
            };
            let now = Timestamp::parse(v["at"].as_str().unwrap(), "at").unwrap();
            let headers: Vec<(String, String)> = v["headers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| (k.clone(), x.as_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let got = Verifier::with_options(scheme, &secrets, options)
                .and_then(|verifier| verifier.verify(&headers, &body, now));
            match (got, expect.get("error").and_then(Value::as_str)) {
                (Ok(ok), None) => {
                    if let Some(i) = expect.get("key_index").and_then(Value::as_u64) {
                        if ok.key_index as u64 != i {
                            return Err(format!("key_index {} != {i}", ok.key_index));
                        }
                    }
                    Ok(())
                }
                (Err(e), Some(code)) if e.code() == code => Ok(()),
                (got, want) => Err(format!("got {got:?}, want {want:?}")),
            }
        }
        "sign" => {
            let secrets = strings(&v["secrets"]);
            let input = &v["input"];
            let ts = input
                .get("timestamp")
                .and_then(Value::as_str)
                .map(|t| parse_scheme_timestamp(scheme, t, "timestamp").unwrap());
            let sign_input = SignInput {
                id: input.get("id").and_then(Value::as_str),
                nonce: input.get("nonce").and_then(Value::as_str),
                timestamp: ts,
            };
            let signed = Signer::new(scheme, &secrets)
                .and_then(|s| s.sign(&body, &sign_input))
                .map_err(|e| e.to_string())?;
            if let Some(h) = expect.get("headers").and_then(Value::as_object) {
                for (name, want) in h {
                    let got = signed.header(name);
                    if got != want.as_str() {
                        return Err(format!("header {name}: got {got:?}, want {want}"));
                    }
                }
            }
            if let Some(want) = expect.get("signature").and_then(Value::as_str) {
                if signed.signature.as_deref() != Some(want) {
                    return Err(format!(
                        "signature: got {:?}, want {want}",
                        signed.signature
                    ));
                }
            }
            Ok(())
        }
        "monetix_string" => {
            let map = parse_object(&body).map_err(|e| e.to_string())?;
            let got = monetix_signing_string(&map);
            let want = expect["string"].as_str().unwrap();
            if got == want {
                Ok(())
            } else {
                Err(format!("got {got:?}, want {want:?}"))
            }
        }
        other => Err(format!("unknown op {other}")),
    }
}

#[test]
fn all_vectors() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files");
    let (mut passed, mut failed) = (0, Vec::new());
    let mut schemes = std::collections::BTreeSet::new();
    for f in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            schemes.insert(v["scheme"].as_str().unwrap().to_owned());
            match run(v) {
                Ok(()) => passed += 1,
                Err(e) => failed.push(format!(
                    "{} / {}: {e}",
                    f.file_name().unwrap().to_string_lossy(),
                    v["name"].as_str().unwrap_or("?")
                )),
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} passed, failures:\n{}",
        passed,
        failed.join("\n")
    );
    assert_eq!(
        schemes.len(),
        Scheme::ALL.len(),
        "every scheme has vectors: {schemes:?}"
    );
    assert!(passed >= 60, "only {passed} vectors");
}
