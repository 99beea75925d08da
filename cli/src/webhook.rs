//! `paystate verify` and `paystate sign`: argument handling and output. Verification,
//! signing and the diagnosis of failures are the core's (`paystate::signature`).

use std::path::PathBuf;

use clap::Args;
use paystate::signature::{
    diagnose, parse_scheme_timestamp, Scheme, SignInput, Signer, TimeCheck, Verifier,
    VerifierOptions,
};
use paystate::{Duration, Timestamp};
use serde_json::{json, Map, Value};

/// Arguments of `paystate verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The scheme: usdt_gateway, gatepay, monetix, gatenoc, keypair_invoice,
    /// standard_webhooks, stripe, github, coinbase_commerce, shopify, nowpayments.
    #[arg(long)]
    pub scheme: String,
    /// A secret; repeat for key rotation (tried in order; the answer says which matched).
    #[arg(long = "secret", required = true)]
    pub secrets: Vec<String>,
    /// A request header as `Name: value`; repeat for each header.
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// The raw body file (default: stdin). Never a re-encoded copy of the JSON.
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// The time to verify at (RFC 3339); default: now.
    #[arg(long)]
    pub at: Option<String>,
    /// Two-sided timestamp tolerance in seconds (default: the scheme's own).
    #[arg(long)]
    pub tolerance: Option<u64>,
    /// Skip the timestamp check entirely.
    #[arg(long, conflicts_with = "tolerance")]
    pub skip_time_check: bool,
    /// Print `{"valid", "error", "key_index", "hints"}` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `paystate sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// The scheme (see `paystate verify --help`).
    #[arg(long)]
    pub scheme: String,
    /// The secret; repeat to sign with several keys (standard_webhooks, stripe).
    #[arg(long = "secret", required = true)]
    pub secrets: Vec<String>,
    /// Inputs as `Name: value`: webhook-id, webhook-timestamp, X-GatePay-Nonce,
    /// X-GatePay-Timestamp, t (stripe seconds). Timestamps default to now.
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// The body file (default: stdin).
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// Print headers, signature and body as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Splits `Name: value` pairs.
pub fn parse_headers(raw: &[String]) -> Result<Vec<(String, String)>, String> {
    raw.iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("header {h:?} is not `Name: value`"))
        })
        .collect()
}

fn scheme(name: &str) -> Result<Scheme, String> {
    Scheme::parse(name).map_err(|_| {
        let all: Vec<&str> = Scheme::ALL.iter().map(|s| s.name()).collect();
        format!("unknown scheme {name:?}; one of: {}", all.join(", "))
    })
}

fn now_or(at: Option<&str>) -> Result<Timestamp, String> {
    match at {
        Some(text) => Timestamp::parse(text, "--at").map_err(|e| e.to_string()),
        None => {
            let ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| e.to_string())?
                .as_millis();
            Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX), "now")
                .map_err(|e| e.to_string())
        }
    }
}

/// The value of the first of `names` present in `pairs` (case-insensitive).
pub fn find<'a>(pairs: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    })
}

/// Reads the signing inputs a scheme needs from header-like pairs; timestamps default to
/// `default_time`.
pub fn sign_input<'a>(
    scheme: Scheme,
    pairs: &'a [(String, String)],
    default_time: Timestamp,
) -> paystate::Result<SignInput<'a>> {
    let timestamp = match find(
        pairs,
        &["webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"],
    ) {
        Some(t) => parse_scheme_timestamp(scheme, t, "headers.timestamp")?,
        None => default_time,
    };
    Ok(SignInput {
        id: find(pairs, &["webhook-id", "id"]),
        nonce: find(pairs, &["X-GatePay-Nonce", "nonce"]),
        timestamp: Some(timestamp),
    })
}

/// Verifies; returns the text to print and whether the webhook is valid. `Err` is a usage
/// error (unknown scheme, bad header syntax, unusable secret).
pub fn verify(args: &VerifyArgs, body: &[u8]) -> Result<(String, bool), String> {
    let scheme = scheme(&args.scheme)?;
    let headers = parse_headers(&args.headers)?;
    let now = now_or(args.at.as_deref())?;
    let options = VerifierOptions {
        time_check: match (args.skip_time_check, args.tolerance) {
            (true, _) => TimeCheck::Skip,
            (false, Some(s)) => TimeCheck::Within(
                Duration::from_seconds(s, "--tolerance").map_err(|e| e.to_string())?,
            ),
            (false, None) => TimeCheck::SchemeDefault,
        },
        ..VerifierOptions::default()
    };
    let verifier =
        Verifier::with_options(scheme, &args.secrets, options).map_err(|e| e.to_string())?;
    let result = verifier.verify(&headers, body, now);
    let hints = match &result {
        Ok(_) => Vec::new(),
        Err(_) => diagnose(scheme, &args.secrets, options, &headers, body, now),
    };
    let valid = result.is_ok();
    let text = if args.json {
        json!({
            "valid": valid,
            "error": result.as_ref().err().map(|e| e.code()),
            "key_index": result.as_ref().ok().map(|v| v.key_index),
            "hints": hints.iter().map(|h| h.name()).collect::<Vec<_>>(),
        })
        .to_string()
    } else {
        match &result {
            Ok(v) => format!(
                "valid: {scheme} signature matches secret #{} of {}",
                v.key_index,
                args.secrets.len()
            ),
            Err(e) => {
                let mut s = format!("not valid: {} ({})", e, e.code());
                for h in &hints {
                    s.push_str(&format!("\nhint ({}): {}", h.name(), h.explain()));
                }
                if hints.is_empty() {
                    s.push_str("\nno usual mistake explains it: check the secret and that the body is the exact bytes received");
                }
                s
            }
        }
    };
    Ok((text, valid))
}

/// Signs; returns the text to print.
pub fn sign(args: &SignArgs, body: &[u8]) -> Result<String, String> {
    let scheme = scheme(&args.scheme)?;
    let pairs = parse_headers(&args.headers)?;
    let now = now_or(None)?;
    let input = sign_input(scheme, &pairs, now).map_err(|e| e.to_string())?;
    let signed = Signer::new(scheme, &args.secrets)
        .and_then(|s| s.sign(body, &input))
        .map_err(|e| e.to_string())?;
    let body_text = signed
        .body
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned());
    if args.json {
        let headers: Map<String, Value> = signed
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        return Ok(
            json!({"headers": headers, "signature": signed.signature, "body": body_text})
                .to_string(),
        );
    }
    let mut lines: Vec<String> = signed
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if let Some(b) = body_text {
        lines.push(b);
    }
    Ok(lines.join("\n"))
}
