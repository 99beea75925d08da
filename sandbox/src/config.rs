//! Flags of `paystate sandbox` and the settings they resolve to.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use serde::Deserialize;

use crate::error::StartError;
use crate::ids;
use crate::store::Database;

/// `paystate sandbox` flags.
#[derive(ClapArgs, Clone)]
pub struct Args {
    /// Port on 127.0.0.1 (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// SQLite database file (created when missing); `:memory:` keeps nothing; a
    /// `postgres://user:password@host:port/db` URL uses PostgreSQL, which several sandbox
    /// processes may share.
    #[arg(long, default_value = DEFAULT_DATABASE)]
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
    /// A PEM file of CA certificates trusted for `https://` deliveries, besides the
    /// built-in Mozilla roots (a local HTTPS receiver with its own CA).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// A TOML file of these settings, and per-seed keys and secrets (`[seeds.001]`);
    /// a flag given on the command line wins over the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The default of `--delivery-lease`: seed 001's 30-second answer time, doubled.
pub const DEFAULT_DELIVERY_LEASE_SECONDS: u64 = 60;

/// The flags' defaults, as on the command line.
impl Default for Args {
    fn default() -> Args {
        Args {
            port: DEFAULT_PORT,
            database: PathBuf::from(DEFAULT_DATABASE),
            api_key: None,
            webhook_secret: None,
            forward_to: None,
            realtime: false,
            rate_limit: false,
            delivery_lease: DEFAULT_DELIVERY_LEASE_SECONDS,
            ca_file: None,
            config: None,
        }
    }
}

/// `--port` when neither a flag nor `--config` sets it.
pub const DEFAULT_PORT: u16 = 8080;
/// `--database` when neither a flag nor `--config` sets it.
pub const DEFAULT_DATABASE: &str = "sandbox.sqlite3";

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
            .field("ca_file", &self.ca_file)
            .field("config", &self.config)
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
    /// Extra CA certificates (PEM) trusted for `https://` deliveries.
    pub ca_file: Option<PathBuf>,
    /// Per-seed credentials and webhook secrets, by seed number (`"000"` .. `"004"`);
    /// a seed without an entry uses `api_key` and `webhook_secret`.
    pub seeds: BTreeMap<&'static str, SeedSecrets>,
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
            .field("ca_file", &self.ca_file)
            .field("seeds", &self.seeds)
            .finish()
    }
}

/// Longest accepted key or secret.
const MAX_SECRET: usize = 256;

impl Config {
    /// Resolves flags: generates the key and secret when missing, checks their shapes.
    pub fn from_args(args: Args) -> Result<Config, StartError> {
        let (args, seeds) = match args.config.clone() {
            Some(path) => {
                let file = FileConfig::load(&path)?;
                let seeds = file.seeds(&path)?;
                (file.merge_under(args, &path), seeds)
            }
            None => (args, BTreeMap::new()),
        };
        let api_key = match args.api_key {
            Some(k) => k,
            None => format!(
                "test_{}",
                ids::random_hex::<16>().map_err(|e| StartError::Runtime(e.to_string()))?
            ),
        };
        // Seed 001: "Use test_ keys for development"; the sandbox makes only test invoices.
        if !test_key_ok(&api_key) {
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
            if !url.starts_with("http://") && !url.starts_with("https://") {
                return Err(StartError::Usage(
                    "--forward-to must be an http:// or https:// URL".into(),
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
            ca_file: args.ca_file,
            seeds,
        })
    }

    /// The merchant credential of seed `seed` (`"000"` .. `"004"`): its `[seeds.NNN]`
    /// `api_key`, else `--api-key`. Seed 001's Bearer key, gatenoc's `X-Merchant-Key`,
    /// the key GatePay and Monetix requests are signed with, seed 004's `public_key`.
    pub fn api_key_for(&self, seed: &str) -> &str {
        self.seeds
            .get(seed)
            .and_then(|s| s.api_key.as_deref())
            .unwrap_or(&self.api_key)
    }

    /// The webhook secret of seed `seed`: its `[seeds.NNN]` `webhook_secret`, else
    /// `--webhook-secret`.
    pub fn webhook_secret_for(&self, seed: &str) -> &str {
        self.seeds
            .get(seed)
            .and_then(|s| s.webhook_secret.as_deref())
            .unwrap_or(&self.webhook_secret)
    }
}

/// Seed 001's key rule: "Use test_ keys for development"; the sandbox makes only test
/// invoices.
fn test_key_ok(key: &str) -> bool {
    key.strip_prefix("test_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= MAX_SECRET && rest.bytes().all(|b| b.is_ascii_graphic())
    })
}

/// The seeds `[seeds.NNN]` may name.
pub const SEED_NUMBERS: [&str; 5] = ["000", "001", "002", "003", "004"];

/// One seed's own key and secret from `--config` (either may be left to the global one).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSecrets {
    /// The seed's merchant credential (see [`Config::api_key_for`]).
    pub api_key: Option<String>,
    /// The seed's webhook secret (see [`Config::webhook_secret_for`]).
    pub webhook_secret: Option<String>,
}

impl fmt::Debug for SeedSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedSecrets")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The `--config` file: the flags' settings and `[seeds.NNN]` tables. No `Debug`: it
/// holds secrets.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    port: Option<u16>,
    database: Option<PathBuf>,
    api_key: Option<String>,
    webhook_secret: Option<String>,
    forward_to: Option<String>,
    ca_file: Option<PathBuf>,
    realtime: Option<bool>,
    rate_limit: Option<bool>,
    delivery_lease: Option<u64>,
    #[serde(default)]
    seeds: BTreeMap<String, SeedSecrets>,
}

impl FileConfig {
    fn load(path: &Path) -> Result<FileConfig, StartError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| StartError::Usage(format!("--config {shown}: {e}")))?;
        toml::from_str(&text).map_err(|e| {
            // The message and line only: toml's own rendering quotes the offending line,
            // which may hold a secret.
            let line = e.span().map(|s| {
                text.get(..s.start)
                    .unwrap_or("")
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count()
                    .saturating_add(1)
            });
            let at = line.map_or(String::new(), |l| format!(" line {l}:"));
            StartError::Usage(format!("--config {shown}:{at} {}", e.message().trim_end()))
        })
    }

    /// The `[seeds.NNN]` tables, checked: known seed numbers, keys and secrets of the
    /// flags' shapes (seed 001's key a `test_` key).
    fn seeds(&self, path: &Path) -> Result<BTreeMap<&'static str, SeedSecrets>, StartError> {
        let shown = path.display();
        let mut out = BTreeMap::new();
        for (name, secrets) in &self.seeds {
            let Some(seed) = SEED_NUMBERS.into_iter().find(|s| s == name) else {
                return Err(StartError::Usage(format!(
                    "--config {shown}: unknown seed `seeds.{name}` (known: {})",
                    SEED_NUMBERS.join(", ")
                )));
            };
            if let Some(key) = &secrets.api_key {
                let ok = if seed == "001" {
                    test_key_ok(key)
                } else {
                    !key.is_empty()
                        && key.len() <= MAX_SECRET
                        && key.bytes().all(|b| b.is_ascii_graphic())
                };
                if !ok {
                    return Err(StartError::Usage(format!(
                        "--config {shown}: seeds.{seed}.api_key must be {}1 to 256 visible ASCII characters",
                        if seed == "001" { "test_ followed by " } else { "" }
                    )));
                }
            }
            if let Some(secret) = &secrets.webhook_secret {
                if secret.is_empty() || secret.len() > MAX_SECRET {
                    return Err(StartError::Usage(format!(
                        "--config {shown}: seeds.{seed}.webhook_secret must be 1 to 256 bytes"
                    )));
                }
            }
            out.insert(seed, secrets.clone());
        }
        Ok(out)
    }

    /// `args` with what the command line left unset taken from the file. A path in the
    /// file is relative to the file's folder. `--port` and `--database` count as unset
    /// when they hold their defaults (clap does not tell a default from a typed value).
    fn merge_under(self, mut args: Args, path: &Path) -> Args {
        let base = path.parent().unwrap_or(Path::new(""));
        let relative = |p: PathBuf| {
            let text = p.to_string_lossy();
            if p.is_absolute() || text == ":memory:" || text.contains("://") {
                p
            } else {
                base.join(p)
            }
        };
        if args.port == DEFAULT_PORT {
            args.port = self.port.unwrap_or(args.port);
        }
        if args.database.as_os_str() == DEFAULT_DATABASE {
            if let Some(db) = self.database {
                args.database = relative(db);
            }
        }
        args.api_key = args.api_key.or(self.api_key);
        args.webhook_secret = args.webhook_secret.or(self.webhook_secret);
        args.forward_to = args.forward_to.or(self.forward_to);
        args.ca_file = args.ca_file.or(self.ca_file.map(relative));
        args.realtime = args.realtime || self.realtime.unwrap_or(false);
        args.rate_limit = args.rate_limit || self.rate_limit.unwrap_or(false);
        if args.delivery_lease == DEFAULT_DELIVERY_LEASE_SECONDS {
            args.delivery_lease = self.delivery_lease.unwrap_or(args.delivery_lease);
        }
        args
    }
}
