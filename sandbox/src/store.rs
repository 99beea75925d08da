//! Storage: one SQLite database holding invoices, their journals, scheduled commands and
//! the webhook outbox.
//!
//! Why rusqlite on a blocking pool rather than sqlx: SQLite has one writer at a time
//! anyway, so a single connection behind a mutex, used from `spawn_blocking`, is the whole
//! concurrency story; a transaction is an ordinary closure (the outbox rule below is then
//! visible in one place); and it compiles a fraction of sqlx's dependencies on this
//! machine. Every SQL statement lives in this module, so PostgreSQL (issue 17) becomes a
//! second implementation of these functions rather than a change to the gateway.
//!
//! The outbox rule (`docs/spec.md §7`): a state change, its journal entry and the
//! deliveries it causes are written by one closure inside one transaction, so a crash
//! loses all of it or none of it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{ApiError, StartError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    created_seq INTEGER NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    view TEXT NOT NULL,
    callback_url TEXT,
    next_deadline INTEGER
);
CREATE INDEX IF NOT EXISTS invoices_seq ON invoices(created_seq);
CREATE INDEX IF NOT EXISTS invoices_deadline ON invoices(next_deadline);
CREATE TABLE IF NOT EXISTS journal (
    invoice_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    command TEXT NOT NULL,
    PRIMARY KEY (invoice_id, n)
);
CREATE TABLE IF NOT EXISTS scheduled (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    due_at INTEGER NOT NULL,
    invoice_id TEXT NOT NULL,
    command TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scheduled_due ON scheduled(due_at);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    created_seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    invoice_id TEXT,
    reference TEXT,
    url TEXT NOT NULL,
    body BLOB NOT NULL,
    plan TEXT NOT NULL,
    next_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_next ON deliveries(next_at);
-- MAX(created_seq) on every enqueue: without it, a scan of every delivery per payment.
CREATE INDEX IF NOT EXISTS deliveries_seq ON deliveries(created_seq);
-- The due order (next_at, created_seq) read whole: deliveries due at one test-clock instant
-- are not sorted again on every pick.
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_at, created_seq);
CREATE TABLE IF NOT EXISTS api_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    delivery_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER,
    error TEXT,
    PRIMARY KEY (delivery_id, n)
);
-- Seeds 000, 002, 003, 004 (src/seed/): which seed an invoice belongs to, what its
-- callbacks are rendered from, which scheme signs a delivery, checkout sessions.
CREATE TABLE IF NOT EXISTS seed_invoices (
    invoice_id TEXT PRIMARY KEY,
    seed TEXT NOT NULL,
    seed_ref TEXT,
    request TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS seed_invoices_ref ON seed_invoices(seed, seed_ref);
CREATE TABLE IF NOT EXISTS seed_deliveries (
    delivery_id TEXT PRIMARY KEY,
    scheme TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkout_sessions (
    token TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seed_replay (
    key TEXT PRIMARY KEY,
    keep_until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS seed_settings (
    seed TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (seed, name)
);
";

/// The database handle: one connection, used by one blocking task at a time.
#[derive(Clone, Debug)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating when missing) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> Result<Db, StartError> {
        let storage = |e: rusqlite::Error| StartError::Storage(e.to_string());
        let conn = match path {
            Some(p) => Connection::open(p).map_err(storage)?,
            None => Connection::open_in_memory().map_err(storage)?,
        };
        // WAL with synchronous=NORMAL: a committed transaction survives the process being
        // killed (the crash this sandbox promises to survive); busy_timeout covers a
        // second reader such as the sqlite3 shell.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(storage)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(storage)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(storage)?;
        conn.execute_batch(SCHEMA).map_err(storage)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` inside one transaction on the blocking pool; commits when it returns `Ok`,
    /// rolls back otherwise.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| ApiError::internal("storage: connection lock poisoned"))?;
            let tx = guard.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

// ---- meta ----------------------------------------------------------------------------

/// A value of the `meta` table.
pub fn meta_get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>, ApiError> {
    Ok(tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Sets a value of the `meta` table.
pub fn meta_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

// ---- invoices ------------------------------------------------------------------------

/// One stored invoice.
#[derive(Debug, Clone)]
pub struct InvoiceRow {
    /// The invoice id.
    pub id: String,
    /// The core state (`Invoice::to_json`).
    pub state: String,
    /// The seed's create response, as rendered at creation.
    pub view: String,
    /// The invoice's `callbackUrl`.
    pub callback_url: Option<String>,
}

/// A new invoice.
pub struct NewInvoice<'a> {
    /// The invoice id.
    pub id: &'a str,
    /// Its reference (unique).
    pub reference: &'a str,
    /// The core status.
    pub status: &'a str,
    /// The core state.
    pub state: &'a str,
    /// The create response.
    pub view: &'a str,
    /// The webhook URL.
    pub callback_url: Option<&'a str>,
    /// When the core wants the invoice woken next.
    pub next_deadline: Option<i64>,
}

/// Whether a reference is taken.
pub fn reference_exists(tx: &Transaction<'_>, reference: &str) -> Result<bool, ApiError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM invoices WHERE reference = ?1",
            [reference],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Inserts a new invoice.
pub fn insert_invoice(tx: &Transaction<'_>, n: &NewInvoice<'_>) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO invoices (id, created_seq, reference, status, state, view, callback_url, next_deadline)
         VALUES (?1, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM invoices), ?2, ?3, ?4, ?5, ?6, ?7)",
        params![n.id, n.reference, n.status, n.state, n.view, n.callback_url, n.next_deadline],
    )?;
    Ok(())
}

/// Replaces an invoice's state after a command.
pub fn update_invoice(
    tx: &Transaction<'_>,
    id: &str,
    status: &str,
    state: &str,
    next_deadline: Option<i64>,
) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE invoices SET status = ?2, state = ?3, next_deadline = ?4 WHERE id = ?1",
        params![id, status, state, next_deadline],
    )?;
    Ok(())
}

fn invoice_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        id: r.get(0)?,
        state: r.get(1)?,
        view: r.get(2)?,
        callback_url: r.get(3)?,
    })
}

/// An invoice by id.
pub fn invoice_by_id(tx: &Transaction<'_>, id: &str) -> Result<Option<InvoiceRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, state, view, callback_url FROM invoices WHERE id = ?1",
            [id],
            invoice_row,
        )
        .optional()?)
}

/// An invoice by reference.
pub fn invoice_by_reference(
    tx: &Transaction<'_>,
    reference: &str,
) -> Result<Option<InvoiceRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT id, state, view, callback_url FROM invoices WHERE reference = ?1",
            [reference],
            invoice_row,
        )
        .optional()?)
}

/// The condition that keeps seed 001's invoices (those without a `seed_invoices` row):
/// seed 001's list and account stats show only its own invoices.
const SEED_001_ONLY: &str =
    "NOT EXISTS (SELECT 1 FROM seed_invoices s WHERE s.invoice_id = invoices.id)";

/// How many invoices each seed has (`"001"` for those without a `seed_invoices` row).
pub fn invoice_counts_by_seed(tx: &Transaction<'_>) -> Result<Vec<(String, u64)>, ApiError> {
    let mut stmt = tx.prepare(
        "SELECT COALESCE(s.seed, '001'), COUNT(*) FROM invoices i
         LEFT JOIN seed_invoices s ON s.invoice_id = i.id
         GROUP BY COALESCE(s.seed, '001') ORDER BY COALESCE(s.seed, '001')",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// A page of invoices, newest first, and the total count.
pub fn invoice_page(
    tx: &Transaction<'_>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<InvoiceRow>, u64), ApiError> {
    let total: i64 = tx.query_row(
        &format!("SELECT COUNT(*) FROM invoices WHERE {SEED_001_ONLY}"),
        [],
        |r| r.get(0),
    )?;
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let mut stmt = tx.prepare(&format!(
        "SELECT id, state, view, callback_url FROM invoices WHERE {SEED_001_ONLY}
         ORDER BY created_seq DESC LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt
        .query_map(params![limit, offset], invoice_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Seed 001's invoices by core status.
pub fn status_counts(tx: &Transaction<'_>) -> Result<Vec<(String, u64)>, ApiError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT status, COUNT(*) FROM invoices WHERE {SEED_001_ONLY}
         GROUP BY status ORDER BY status"
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// Appends a journal entry (`docs/spec.md §3`: replaying the journal rebuilds the state).
/// Entries are numbered by the journal itself, not by the invoice's version: a command
/// that changes nothing keeps the version and is still journaled.
pub fn append_journal(
    tx: &Transaction<'_>,
    invoice_id: &str,
    at: i64,
    command: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO journal (invoice_id, n, at, command) VALUES (?1,
             (SELECT COALESCE(MAX(n), 0) + 1 FROM journal WHERE invoice_id = ?1), ?2, ?3)",
        params![invoice_id, at, command],
    )?;
    Ok(())
}

/// An invoice's journal, oldest first: `(at, command JSON)`.
pub fn journal(tx: &Transaction<'_>, invoice_id: &str) -> Result<Vec<(i64, String)>, ApiError> {
    let mut stmt =
        tx.prepare("SELECT at, command FROM journal WHERE invoice_id = ?1 ORDER BY n")?;
    let rows = stmt
        .query_map([invoice_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---- scheduled commands --------------------------------------------------------------

/// Schedules a core command for an invoice at `due_at`.
pub fn schedule(
    tx: &Transaction<'_>,
    due_at: i64,
    invoice_id: &str,
    command: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO scheduled (due_at, invoice_id, command) VALUES (?1, ?2, ?3)",
        params![due_at, invoice_id, command],
    )?;
    Ok(())
}

// ---- what falls due ------------------------------------------------------------------

/// The kinds of work the scheduler runs, in the order applied when due at the same time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// An invoice deadline: `(invoice id, deadline)`.
    Deadline(String, i64),
    /// A scheduled command: `(row id, invoice id, command JSON, due time)`.
    Command(i64, String, String, i64),
    /// A delivery attempt: `(delivery id, due time)`.
    Delivery(String, i64),
}

impl Due {
    /// When it falls due.
    pub fn at(&self) -> i64 {
        match self {
            Due::Deadline(_, t) | Due::Command(_, _, _, t) | Due::Delivery(_, t) => *t,
        }
    }
}

/// The earliest due item at or before `until`: deadlines first, then scheduled commands,
/// then deliveries, when times tie (a payment deadline is applied before the webhook of
/// the same instant goes out).
pub fn earliest_due(tx: &Transaction<'_>, until: i64) -> Result<Option<Due>, ApiError> {
    let deadline: Option<(String, i64)> = tx
        .query_row(
            "SELECT id, next_deadline FROM invoices WHERE next_deadline IS NOT NULL
             AND next_deadline <= ?1 ORDER BY next_deadline, created_seq LIMIT 1",
            [until],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let command: Option<(i64, String, String, i64)> = tx
        .query_row(
            "SELECT id, invoice_id, command, due_at FROM scheduled WHERE due_at <= ?1
             ORDER BY due_at, id LIMIT 1",
            [until],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let delivery: Option<(String, i64)> = tx
        .query_row(
            "SELECT id, next_at FROM deliveries WHERE next_at IS NOT NULL AND next_at <= ?1
             ORDER BY next_at, created_seq LIMIT 1",
            [until],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let candidates = [
        deadline.map(|(id, t)| Due::Deadline(id, t)),
        command.map(|(row, id, c, t)| Due::Command(row, id, c, t)),
        delivery.map(|(id, t)| Due::Delivery(id, t)),
    ];
    // min_by_key keeps the first of equal keys: the tie order above.
    Ok(candidates.into_iter().flatten().min_by_key(Due::at))
}

/// The deliveries to attempt together with the earliest due item, a delivery due at
/// `first_at`: every delivery due at or before the time it will be made
/// (`max(first_at, now)`), but none due at or after the next deadline or scheduled
/// command, which come first. Oldest first, at most `limit`.
pub fn delivery_batch(
    tx: &Transaction<'_>,
    first_at: i64,
    now: i64,
    limit: u32,
) -> Result<Vec<String>, ApiError> {
    let other: Option<i64> = tx.query_row(
        "SELECT MIN(t) FROM (
             SELECT MIN(next_deadline) AS t FROM invoices WHERE next_deadline IS NOT NULL
             UNION ALL SELECT MIN(due_at) AS t FROM scheduled)",
        [],
        |r| r.get(0),
    )?;
    let mut bound = first_at.max(now);
    if let Some(next_other) = other {
        bound = bound.min(next_other.saturating_sub(1)).max(first_at);
    }
    let mut stmt = tx.prepare(
        "SELECT id FROM deliveries WHERE next_at IS NOT NULL AND next_at <= ?1
         ORDER BY next_at, created_seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![bound, limit], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(rows)
}

/// Removes a scheduled command once applied.
pub fn unschedule(tx: &Transaction<'_>, row: i64) -> Result<(), ApiError> {
    tx.execute("DELETE FROM scheduled WHERE id = ?1", [row])?;
    Ok(())
}

// ---- deliveries ----------------------------------------------------------------------

/// A delivery in the outbox.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// The event id (also `X-Webhook-Id`): one body per id, fixed at insertion.
    pub id: String,
    /// `invoice.paid` or `test`.
    pub event_type: String,
    /// The invoice, when there is one.
    pub invoice_id: Option<String>,
    /// `X-Invoice-Reference`.
    pub reference: Option<String>,
    /// Where it goes.
    pub url: String,
    /// The exact bytes sent.
    pub body: Vec<u8>,
    /// The core's delivery plan (serde JSON).
    pub plan: String,
    /// When the next attempt is due.
    pub next_at: Option<i64>,
    /// When it was enqueued.
    pub created_at: i64,
}

/// Enqueues a delivery. An id already present is left as it is (an event's body is
/// written once: at-least-once delivery never sends two bodies for one id).
pub fn insert_delivery(tx: &Transaction<'_>, d: &DeliveryRow) -> Result<(), ApiError> {
    tx.execute(
        "INSERT OR IGNORE INTO deliveries
         (id, created_seq, event_type, invoice_id, reference, url, body, plan, next_at, created_at)
         VALUES (?1, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM deliveries),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            d.id,
            d.event_type,
            d.invoice_id,
            d.reference,
            d.url,
            d.body,
            d.plan,
            d.next_at,
            d.created_at
        ],
    )?;
    Ok(())
}

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get(0)?,
        event_type: r.get(1)?,
        invoice_id: r.get(2)?,
        reference: r.get(3)?,
        url: r.get(4)?,
        body: r.get(5)?,
        plan: r.get(6)?,
        next_at: r.get(7)?,
        created_at: r.get(8)?,
    })
}

const DELIVERY_COLUMNS: &str =
    "id, event_type, invoice_id, reference, url, body, plan, next_at, created_at";

/// A delivery by id.
pub fn delivery(tx: &Transaction<'_>, id: &str) -> Result<Option<DeliveryRow>, ApiError> {
    Ok(tx
        .query_row(
            &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?1"),
            [id],
            delivery_row,
        )
        .optional()?)
}

/// Deliveries, oldest first, optionally of one invoice.
pub fn deliveries(
    tx: &Transaction<'_>,
    invoice_id: Option<&str>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, ApiError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries
         WHERE ?1 IS NULL OR invoice_id = ?1 ORDER BY created_seq LIMIT ?2"
    ))?;
    let rows = stmt
        .query_map(params![invoice_id, limit], delivery_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One recorded attempt.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// 1 for the first attempt.
    pub n: u32,
    /// When it was made (sandbox time).
    pub at: i64,
    /// `http`, `timeout` or `error`.
    pub outcome: String,
    /// The receiver's status.
    pub status_code: Option<u16>,
    /// Wall-clock latency.
    pub latency_ms: Option<u64>,
    /// Transport error text.
    pub error: Option<String>,
}

/// Records an attempt and the plan after it, in one transaction with nothing else.
pub fn record_attempt(
    tx: &Transaction<'_>,
    delivery_id: &str,
    a: &AttemptRow,
    plan: &str,
    next_at: Option<i64>,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO attempts (delivery_id, n, at, outcome, status_code, latency_ms, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            delivery_id,
            a.n,
            a.at,
            a.outcome,
            a.status_code,
            a.latency_ms.and_then(|l| i64::try_from(l).ok()),
            a.error
        ],
    )?;
    tx.execute(
        "UPDATE deliveries SET plan = ?2, next_at = ?3 WHERE id = ?1",
        params![delivery_id, plan, next_at],
    )?;
    Ok(())
}

/// A delivery's attempts, oldest first.
pub fn attempts(tx: &Transaction<'_>, delivery_id: &str) -> Result<Vec<AttemptRow>, ApiError> {
    let mut stmt = tx.prepare(
        "SELECT n, at, outcome, status_code, latency_ms, error FROM attempts
         WHERE delivery_id = ?1 ORDER BY n",
    )?;
    let rows = stmt
        .query_map([delivery_id], |r| {
            Ok(AttemptRow {
                n: r.get(0)?,
                at: r.get(1)?,
                outcome: r.get(2)?,
                status_code: r.get(3)?,
                latency_ms: r
                    .get::<_, Option<i64>>(4)?
                    .and_then(|l| u64::try_from(l).ok()),
                error: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---- API request log -----------------------------------------------------------------

/// How many API log lines are kept (older ones are deleted as new ones arrive).
pub const API_LOG_KEEP: i64 = 1000;

/// One logged API request: no header, query or body is kept, so no key or secret is.
#[derive(Debug, Clone)]
pub struct ApiLog {
    /// When it arrived (sandbox time).
    pub at: i64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// Wall-clock handling time.
    pub duration_ms: u64,
}

/// Appends a log line and trims the log to [`API_LOG_KEEP`] lines.
pub fn append_api_log(tx: &Transaction<'_>, log: &ApiLog) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO api_logs (at, method, path, status, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            log.at,
            log.method,
            log.path,
            log.status,
            i64::try_from(log.duration_ms).unwrap_or(i64::MAX)
        ],
    )?;
    let last = tx.last_insert_rowid();
    tx.execute(
        "DELETE FROM api_logs WHERE id <= ?1",
        [last.saturating_sub(API_LOG_KEEP)],
    )?;
    Ok(())
}

/// The latest `limit` log lines, newest first.
pub fn api_logs(tx: &Transaction<'_>, limit: u32) -> Result<Vec<ApiLog>, ApiError> {
    let mut stmt = tx.prepare(
        "SELECT at, method, path, status, duration_ms FROM api_logs ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok(ApiLog {
                at: r.get(0)?,
                method: r.get(1)?,
                path: r.get(2)?,
                status: r.get(3)?,
                duration_ms: r.get::<_, i64>(4).map(|d| u64::try_from(d).unwrap_or(0))?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

// ---- seeds 000, 002, 003, 004 (src/seed/) ----------------------------------------------
//
// Portable SQL only (numbered placeholders, ON CONFLICT): the PostgreSQL port implements
// these the same way.

/// What the sandbox keeps about an invoice of seed 000, 002, 003 or 004.
#[derive(Debug, Clone)]
pub struct SeedInvoiceRow {
    /// The invoice id.
    pub invoice_id: String,
    /// `000`, `002`, `003` or `004`.
    pub seed: String,
    /// The seed's own unique reference, where it has one (GatePay `merchantTradeNo`,
    /// Monetix `payment_id`).
    pub seed_ref: Option<String>,
    /// What its callbacks are rendered from (JSON; never a secret).
    pub request: String,
}

/// Records which seed an invoice belongs to.
pub fn insert_seed_invoice(tx: &Transaction<'_>, r: &SeedInvoiceRow) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_invoices (invoice_id, seed, seed_ref, request) VALUES (?1, ?2, ?3, ?4)",
        params![r.invoice_id, r.seed, r.seed_ref, r.request],
    )?;
    Ok(())
}

fn seed_invoice_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SeedInvoiceRow> {
    Ok(SeedInvoiceRow {
        invoice_id: r.get(0)?,
        seed: r.get(1)?,
        seed_ref: r.get(2)?,
        request: r.get(3)?,
    })
}

/// The seed record of an invoice (`None`: a seed-001 invoice).
pub fn seed_invoice(
    tx: &Transaction<'_>,
    invoice_id: &str,
) -> Result<Option<SeedInvoiceRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT invoice_id, seed, seed_ref, request FROM seed_invoices WHERE invoice_id = ?1",
            [invoice_id],
            seed_invoice_row,
        )
        .optional()?)
}

/// The invoice of a seed with that seed's own reference.
pub fn seed_invoice_by_ref(
    tx: &Transaction<'_>,
    seed: &str,
    seed_ref: &str,
) -> Result<Option<SeedInvoiceRow>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT invoice_id, seed, seed_ref, request FROM seed_invoices
             WHERE seed = ?1 AND seed_ref = ?2",
            params![seed, seed_ref],
            seed_invoice_row,
        )
        .optional()?)
}

/// Records the signature scheme of a delivery (one without a record is seed 001's).
pub fn insert_seed_delivery(
    tx: &Transaction<'_>,
    delivery_id: &str,
    scheme: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_deliveries (delivery_id, scheme) VALUES (?1, ?2)
         ON CONFLICT (delivery_id) DO NOTHING",
        params![delivery_id, scheme],
    )?;
    Ok(())
}

/// The signature scheme of a delivery, when it is not seed 001's.
pub fn delivery_scheme(
    tx: &Transaction<'_>,
    delivery_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT scheme FROM seed_deliveries WHERE delivery_id = ?1",
            [delivery_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Stores a new checkout session under its link token.
pub fn insert_session(
    tx: &Transaction<'_>,
    token: &str,
    invoice_id: &str,
    state: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO checkout_sessions (token, invoice_id, state) VALUES (?1, ?2, ?3)",
        params![token, invoice_id, state],
    )?;
    Ok(())
}

/// A checkout session by link token: `(invoice id, session JSON)`.
pub fn session_by_token(
    tx: &Transaction<'_>,
    token: &str,
) -> Result<Option<(String, String)>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT invoice_id, state FROM checkout_sessions WHERE token = ?1",
            [token],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Replaces a checkout session's state.
pub fn update_session(tx: &Transaction<'_>, token: &str, state: &str) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE checkout_sessions SET state = ?2 WHERE token = ?1",
        params![token, state],
    )?;
    Ok(())
}

/// A per-seed setting (e.g. GatePay's notification URL).
pub fn seed_setting(
    tx: &Transaction<'_>,
    seed: &str,
    name: &str,
) -> Result<Option<String>, ApiError> {
    Ok(tx
        .query_row(
            "SELECT value FROM seed_settings WHERE seed = ?1 AND name = ?2",
            params![seed, name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets a per-seed setting.
pub fn set_seed_setting(
    tx: &Transaction<'_>,
    seed: &str,
    name: &str,
    value: &str,
) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_settings (seed, name, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (seed, name) DO UPDATE SET value = excluded.value",
        params![seed, name, value],
    )?;
    Ok(())
}

/// Records a signed request's replay key (`docs/spec.md §6`, the replay guard kept as
/// rows): `false` when the key is already held. Keys whose window has passed are dropped
/// first.
pub fn record_replay(
    tx: &Transaction<'_>,
    key: &str,
    keep_until: i64,
    now: i64,
) -> Result<bool, ApiError> {
    tx.execute("DELETE FROM seed_replay WHERE keep_until < ?1", [now])?;
    let inserted = tx.execute(
        "INSERT INTO seed_replay (key, keep_until) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![key, keep_until],
    )?;
    Ok(inserted == 1)
}
