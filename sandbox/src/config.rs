//! Flags of `paystate sandbox` and the settings they resolve to.

use std::fmt;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use crate::error::StartError;
use crate::ids;
use crate::store::Database;

/// `paystate sandbox` flags.
#[derive(ClapArgs, Clone)]
pub struct Args {
    /// Port on 127.0.0.1 (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// SQLite database file (created when missing); `:memory:` keeps nothing; a
    /// `postgres://user:password@host:port/db` URL uses PostgreSQL, which several sandbox
    /// processes may share.
    #[arg(long, default_value = "sandbox.sqlite3")]
    pub database: PathBuf,
    /// The Bearer key clients send (`test_...`); generated when not given.
    #[arg(long)]
    pub api_key: Option<String>,
    /// The secret that signs webhooks (`X-Webhook-Signature`); generated when not given.
    #[arg(long)]
    pub webhook_secret: Option<String>,
    /// Send every webhook to this URL instead of the invoice's `callbackUrl`.
    #[arg(long)]
    pub forward_to: Option<String>,
    /// Follow the wall clock instead of the test clock.
    #[arg(long)]
    pub realtime: bool,
    /// Apply seed 001's rate limits (429 with Retry-After).
    #[arg(long)]
    pub rate_limit: bool,
    /// Seconds a process holds a delivery attempt it took (2 to 3600): if it dies, another
    /// process retakes the attempt after this long. An attempt is cut off one second
    /// before its claim runs out (seed 001 allows 30 s, so keep it above 31 to give every
    /// receiver the full 30 s).
    #[arg(long, default_value_t = DEFAULT_DELIVERY_LEASE_SECONDS)]
    pub delivery_lease: u64,
}

/// The default of `--delivery-lease`: seed 001's 30-second answer time, doubled.
pub const DEFAULT_DELIVERY_LEASE_SECONDS: u64 = 60;

/// The flags' defaults, as on the command line.
impl Default for Args {
    fn default() -> Args {
        Args {
            port: 8080,
            database: PathBuf::from("sandbox.sqlite3"),
            api_key: None,
            webhook_secret: None,
            forward_to: None,
            realtime: false,
            rate_limit: false,
            delivery_lease: DEFAULT_DELIVERY_LEASE_SECONDS,
        }
    }
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Args")
            .field("port", &self.port)
            .field("database", &Database::from_arg(&self.database))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("forward_to", &self.forward_to)
            .field("realtime", &self.realtime)
            .field("rate_limit", &self.rate_limit)
            .field("delivery_lease", &self.delivery_lease)
            .finish()
    }
}

/// Resolved settings: keys are generated here when the flags leave them out.
#[derive(Clone)]
pub struct Config {
    /// Port on 127.0.0.1.
    pub port: u16,
    /// Where state is kept (its Display and Debug hide a password).
    pub database: Database,
    /// The Bearer key (`test_...`).
    pub api_key: String,
    /// The webhook signing secret.
    pub webhook_secret: String,
    /// Where every webhook goes, when set.
    pub forward_to: Option<String>,
    /// Wall clock instead of the test clock.
    pub realtime: bool,
    /// Seed 001's rate limits apply.
    pub rate_limit: bool,
    /// How long a claim on a delivery attempt lasts.
    pub delivery_lease: std::time::Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("database", &self.database)
            .field("api_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("forward_to", &self.forward_to)
            .field("realtime", &self.realtime)
            .field("rate_limit", &self.rate_limit)
            .field("delivery_lease", &self.delivery_lease)
            .finish()
    }
}

/// Longest accepted key or secret.
const MAX_SECRET: usize = 256;

impl Config {
    /// Resolves flags: generates the key and secret when missing, checks their shapes.
    pub fn from_args(args: Args) -> Result<Config, StartError> {
        let api_key = match args.api_key {
            Some(k) => k,
            None => format!(
                "test_{}",
                ids::random_hex::<16>().map_err(|e| StartError::Runtime(e.to_string()))?
            ),
        };
        // Seed 001: "Use test_ keys for development"; the sandbox makes only test invoices.
        let key_ok = api_key.strip_prefix("test_").is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= MAX_SECRET
                && rest.bytes().all(|b| b.is_ascii_graphic())
        });
        if !key_ok {
            return Err(StartError::Usage(
                "--api-key must be test_ followed by 1 to 256 visible ASCII characters".into(),
            ));
        }
        let webhook_secret = match args.webhook_secret {
            Some(s) => s,
            None => format!(
                "whsec_{}",
                ids::random_hex::<24>().map_err(|e| StartError::Runtime(e.to_string()))?
            ),
        };
        if webhook_secret.is_empty() || webhook_secret.len() > MAX_SECRET {
            return Err(StartError::Usage(
                "--webhook-secret must be 1 to 256 bytes".into(),
            ));
        }
        if let Some(url) = &args.forward_to {
            if !url.starts_with("http://") {
                return Err(StartError::Usage(
                    "--forward-to must be an http:// URL (this build sends no TLS)".into(),
                ));
            }
            url.parse::<axum::http::Uri>()
                .map_err(|_| StartError::Usage("--forward-to is not a valid URL".into()))?;
        }
        let database = Database::from_arg(&args.database);
        if !(2..=3600).contains(&args.delivery_lease) {
            return Err(StartError::Usage(
                "--delivery-lease must be 2 to 3600 seconds".into(),
            ));
        }
        Ok(Config {
            port: args.port,
            database,
            api_key,
            webhook_secret,
            forward_to: args.forward_to,
            realtime: args.realtime,
            rate_limit: args.rate_limit,
            delivery_lease: std::time::Duration::from_secs(args.delivery_lease),
        })
    }
}
