//! Start-up: opens the database, restores the clock, binds 127.0.0.1, runs the worker.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use paystate::signature::{Scheme, Signer};
use tokio::sync::{Mutex, Notify};

use crate::clock::{wall_millis, Clock};
use crate::config::{Args, Config};
use crate::delivery::{self, Client};
use crate::error::StartError;
use crate::ids;
use crate::ratelimit::RateLimits;
use crate::scheduler::{self, CLOCK_KEY};
use crate::store::{self, Db};

/// Everything a request handler needs.
pub struct App {
    /// The database.
    pub db: Db,
    /// Sandbox time.
    pub clock: Clock,
    /// Settings (holds the key and secret: never printed by Debug).
    pub config: Config,
    /// Signs webhooks with the seed-001 scheme.
    pub signer: Signer,
    /// The merchant's id (stable per database).
    pub merchant_id: String,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Serialises the scheduler (advance and the worker).
    pub work: Mutex<()>,
    /// Wakes the worker when something may be due now.
    pub wake: Notify,
    /// Sends deliveries.
    pub client: Client,
    /// Seed 001's rate limits (when `--rate-limit`).
    pub limits: RateLimits,
    /// The account is suspended (`POST /sandbox/account`): the API answers 403.
    pub suspended: AtomicBool,
}

/// A started sandbox.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The shared state.
    pub app: Arc<App>,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
    /// The worker task.
    pub worker: tokio::task::JoinHandle<()>,
    /// The hold on a SQLite file (`store::Database::own`): no second sandbox serves it
    /// until this one stops.
    pub owner: Option<store::Owner>,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// Stops both tasks and lets go of the database file.
    pub fn stop(self) {
        self.server.abort();
        self.worker.abort();
    }
}

const MERCHANT_KEY: &str = "merchant_id";
/// The `meta` key of the account's suspension ("1" or "0").
pub const SUSPENDED_KEY: &str = "account_suspended";

/// Opens the database, restores the clock and merchant id, binds, and starts serving.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let owner = config.database.own()?;
    let db = Db::open(&config.database).await?;
    let fresh_id = ids::uuid_v4().map_err(|e| StartError::Runtime(e.to_string()))?;
    let wall = wall_millis();
    let (clock_ms, merchant_id, suspended) = db
        .tx(move |tx| {
            // The clock resumes where it was, never earlier; a new database starts at the
            // wall-clock time of start-up.
            let clock = store::meta_init(tx, CLOCK_KEY, &wall.to_string())?
                .parse::<i64>()
                .unwrap_or(wall);
            let merchant = store::meta_init(tx, MERCHANT_KEY, &fresh_id)?;
            let suspended = store::meta_get(tx, SUSPENDED_KEY)?.as_deref() == Some("1");
            if !tx.is_postgres() {
                store::release_all_claims(tx)?;
            }
            Ok((clock, merchant, suspended))
        })
        .await
        .map_err(|e| StartError::Storage(e.body.to_string()))?;
    let signer = Signer::new(
        Scheme::UsdtGateway,
        &[config.webhook_secret_for("001").as_bytes()],
    )
    .map_err(|e| StartError::Usage(format!("--webhook-secret: {}", e.code())))?;
    let client = delivery::client(config.ca_file.as_deref()).map_err(StartError::Usage)?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
        .await
        .map_err(|e| StartError::Bind(format!("127.0.0.1:{}: {e}", config.port)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Bind(e.to_string()))?;
    let config_rate_limit = config.rate_limit;
    let app = Arc::new(App {
        db,
        clock: Clock::new(clock_ms, config.realtime),
        signer,
        merchant_id,
        base_url: format!("http://{addr}"),
        config,
        work: Mutex::new(()),
        wake: Notify::new(),
        client,
        limits: RateLimits::new(config_rate_limit),
        suspended: AtomicBool::new(suspended),
    });
    let router = crate::http::router(Arc::clone(&app));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("paystate sandbox: server stopped: {e}");
        }
    });
    let worker = tokio::spawn(worker(Arc::clone(&app)));
    Ok(Running {
        addr,
        app,
        server,
        worker,
        owner,
    })
}

/// Applies what is due now whenever woken (and, with `--realtime` or on PostgreSQL, every
/// 200 ms): deliveries due at the current time go out at once, including after a restart.
/// On PostgreSQL other processes create work and move the clock without waking this one,
/// and a killed process's claims run out, so every process looks on its own.
async fn worker(app: Arc<App>) {
    let tick = std::time::Duration::from_millis(200);
    let poll = app.clock.is_realtime() || app.db.is_postgres();
    loop {
        if let Err(e) = scheduler::sync_shared(&app).await {
            eprintln!(
                "paystate sandbox: worker: {}",
                e.body.get("message").and_then(|m| m.as_str()).unwrap_or("")
            );
        }
        let now = app.clock.now_ms();
        if let Err(e) = scheduler::run_until(&app, now).await {
            eprintln!(
                "paystate sandbox: worker: {}",
                e.body.get("message").and_then(|m| m.as_str()).unwrap_or("")
            );
            tokio::time::sleep(tick).await;
        }
        if poll {
            let _ = tokio::time::timeout(tick, app.wake.notified()).await;
        } else {
            app.wake.notified().await;
        }
    }
}

/// The banner: base URL and the key and secret in use (printed once to the terminal of
/// whoever started the sandbox; never written to a log line).
pub fn banner(running: &Running) -> String {
    let c = &running.app.config;
    let mut out = String::new();
    out.push_str(&format!(
        "paystate sandbox listening on {}\n",
        running.base_url()
    ));
    out.push_str(&format!("  api key (Bearer):  {}\n", c.api_key));
    out.push_str(&format!("  webhook secret:    {}\n", c.webhook_secret));
    for (seed, own) in &c.seeds {
        if let Some(k) = &own.api_key {
            out.push_str(&format!("  seed {seed} api key:  {k} (from --config)\n"));
        }
        if let Some(s) = &own.webhook_secret {
            out.push_str(&format!(
                "  seed {seed} webhook secret: {s} (from --config)\n"
            ));
        }
    }
    out.push_str(&crate::seed::banner(c));
    out.push_str(&format!("  database:          {}\n", c.database));
    out.push_str(&format!(
        "  clock:             {} ({})\n",
        running.app.clock.now(),
        if c.realtime {
            "realtime"
        } else {
            "test clock: POST /sandbox/clock/advance"
        }
    ));
    if c.rate_limit {
        out.push_str("  rate limits:       seed 001's (429 with Retry-After)\n");
    }
    if let Some(ca) = &c.ca_file {
        out.push_str(&format!(
            "  https trusts:      built-in roots and {}\n",
            ca.display()
        ));
    }
    if let Some(f) = &c.forward_to {
        out.push_str(&format!("  forwarding every webhook to {f}\n"));
    }
    out
}

/// `paystate sandbox`: resolves flags, starts, prints the banner, serves until killed.
pub fn run_blocking(args: Args) -> Result<(), StartError> {
    let config = Config::from_args(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| StartError::Runtime(e.to_string()))?;
    rt.block_on(async move {
        let running = start(config).await?;
        print!("{}", banner(&running));
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let Running {
            server,
            worker,
            app,
            owner: _owner,
            ..
        } = running;
        // Ctrl-C or SIGTERM stops at once: whatever was accepted is already committed, and
        // an attempt cut short is made again at the next start (docs/spec.md §7).
        tokio::select! {
            _ = server => {}
            () = stop_signal() => eprintln!("paystate sandbox: stopping"),
        }
        worker.abort();
        // The API-log rows still queued (`Db::log_api_request`) are written before exit.
        let _ = app.db.flush_api_logs().await;
        Ok(())
    })
}

/// Resolves on Ctrl-C, or SIGTERM on Unix. If a signal cannot be watched, never resolves
/// (the process is then stopped the way it would be without this).
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
