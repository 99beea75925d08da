//! `paystate verify` and `paystate sign`: argument handling and output. Verification,
//! signing and the diagnosis of failures are the core's (`paystate::signature`).

use std::path::PathBuf;

use clap::Args;
use paystate::signature::{
    diagnose, Scheme, SignInput, Signer, TimeCheck, Verifier, VerifierOptions,
};
use paystate::{Duration, Timestamp};
use serde_json::{json, Map, Value};

/// The environment variable read for secrets when no `--secret-file` or `--secret` is
/// given: comma-separated, several = rotation.
pub const SECRETS_ENV: &str = "PAYSTATE_SECRETS";

/// Where the secrets come from. An argument is visible to every user of the machine (`ps`)
/// and stays in shell history, so a file or the environment is the safer way.
#[derive(Args, Debug, Default)]
pub struct SecretArgs {
    /// A file of secrets, one per line (several lines: key rotation, tried in order);
    /// line ends and empty lines are ignored, other whitespace is kept. Safer than
    /// --secret, which shows in `ps` and shell history.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// A secret on the command line (visible in `ps` and shell history: prefer
    /// --secret-file or PAYSTATE_SECRETS); repeat for key rotation.
    #[arg(long = "secret", value_name = "SECRET")]
    pub secrets: Vec<String>,
}

impl SecretArgs {
    /// The secrets, in order: the lines of `--secret-file`, then each `--secret`; when
    /// neither is given, the comma-separated `env` value (`PAYSTATE_SECRETS`). None at all
    /// is a usage error. Messages name the source, never a secret.
    pub fn resolve(&self, env: Option<&str>) -> Result<Vec<String>, String> {
        let mut secrets = Vec::new();
        if let Some(path) = &self.secret_file {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("cannot read --secret-file {}: {e}", path.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("--secret-file {} is not UTF-8", path.display()))?;
            let before = secrets.len();
            secrets.extend(
                text.split('\n')
                    .map(|line| line.strip_suffix('\r').unwrap_or(line))
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned),
            );
            if secrets.len() == before {
                return Err(format!("--secret-file {} holds no secret", path.display()));
            }
        }
        secrets.extend(self.secrets.iter().cloned());
        if secrets.is_empty() {
            if let Some(value) = env {
                secrets.extend(
                    value
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        if secrets.is_empty() {
            return Err(format!(
                "no secret: give --secret-file PATH, set {SECRETS_ENV} (comma-separated) or pass --secret"
            ));
        }
        Ok(secrets)
    }

    /// [`resolve`](Self::resolve) with `PAYSTATE_SECRETS` from the process environment.
    pub fn from_env(&self) -> Result<Vec<String>, String> {
        let env = std::env::var(SECRETS_ENV).ok();
        self.resolve(env.as_deref())
    }
}

/// Arguments of `paystate verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The scheme: usdt_gateway, gatepay, monetix, gatenoc, keypair_invoice,
    /// standard_webhooks, stripe, github, coinbase_commerce, shopify, nowpayments.
    #[arg(long)]
    pub scheme: String,
    /// Secrets: --secret-file, --secret or PAYSTATE_SECRETS (tried in order; the answer
    /// says which matched).
    #[command(flatten)]
    pub secrets: SecretArgs,
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
    /// Secrets: --secret-file, --secret or PAYSTATE_SECRETS; several sign with every key
    /// (standard_webhooks, stripe), other schemes use the first.
    #[command(flatten)]
    pub secrets: SecretArgs,
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

/// Verifies; returns the text to print and whether the webhook is valid. `Err` is a usage
/// error (unknown scheme, bad header syntax, unusable secret).
pub fn verify(args: &VerifyArgs, body: &[u8]) -> Result<(String, bool), String> {
    let scheme = scheme(&args.scheme)?;
    let secrets = args.secrets.from_env()?;
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
    let verifier = Verifier::with_options(scheme, &secrets, options).map_err(|e| e.to_string())?;
    let result = verifier.verify(&headers, body, now);
    let hints = match &result {
        Ok(_) => Vec::new(),
        Err(_) => diagnose(scheme, &secrets, options, &headers, body, now),
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
                secrets.len()
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
    let secrets = args.secrets.from_env()?;
    let pairs = parse_headers(&args.headers)?;
    let now = now_or(None)?;
    let input =
        SignInput::from_headers(scheme, pairs.as_slice(), now).map_err(|e| e.to_string())?;
    let signed = Signer::new(scheme, &secrets)
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
