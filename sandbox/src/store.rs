//! Storage: one database — a SQLite file, or PostgreSQL shared by several sandbox
//! processes — holding invoices, their journals, scheduled commands, the webhook outbox
//! and the matcher state of shared accounts.
//!
//! Every SQL statement lives in this module, written once for both databases and run
//! through [`Tx`] (in `store/sql.rs`), whose methods mirror rusqlite's. Both drivers are
//! synchronous and run on tokio's blocking pool: SQLite has one writer at a time anyway,
//! and the `postgres` crate keeps a transaction an ordinary closure (the outbox rule below
//! stays visible in one place) with far fewer dependencies than sqlx.
//!
//! The outbox rule (`docs/spec.md §7`): a state change, its journal entry and the
//! deliveries it causes are written by one closure inside one transaction, so a crash
//! loses all of it or none of it.
//!
//! # Several processes on one PostgreSQL database
//!
//! - Invoices are updated under optimistic concurrency on their row `version`
//!   ([`update_invoice`]): when another process moved it first, the whole transaction is
//!   run again on fresh data ([`Db::tx`], [`ApiError::retry`]), so no update is lost.
//! - Delivery attempts are claimed ([`claim_deliveries`]: `FOR UPDATE SKIP LOCKED`, then a
//!   wall-clock lease in `claimed_until`), so each is made by one process; a killed
//!   process's claim runs out and another process takes the attempt.
//! - Scheduled commands are taken by deleting their row ([`take_scheduled`]) in the
//!   transaction that applies them; an invoice deadline is applied only while it is
//!   still due.
//! - The test clock in `meta` only moves forward ([`raise_clock`]).
//! - A shared account's matcher is read `FOR UPDATE` ([`lock_account`]): one writer per
//!   account.
//!
//! # Writing a store function (and porting a rusqlite one)
//!
//! - Take `tx: &Tx<'_>` (was `&rusqlite::Transaction<'_>`).
//! - Placeholders stay `?1, ?2, …` (rewritten to `$1, …` for PostgreSQL); pass
//!   `params![a, b]` from this crate (`crate::params`) instead of rusqlite's, also for a
//!   single parameter (was `[a]`) and for none (`params![]`, was `[]`).
//! - `tx.query_row(sql, p, f).optional()?` becomes `tx.query_opt(sql, p, f)?`;
//!   `tx.prepare(sql)?.query_map(p, f)?.collect()` becomes `tx.query(sql, p, f)?`;
//!   `tx.query_row` stays for a query that always returns a row (an aggregate). The row
//!   closure is the same: `|r| Ok((r.get(0)?, r.get(1)?))` (`Row::get` returns
//!   `Result<_, ApiError>`).
//! - Portable SQL only: `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE` (not `INSERT OR
//!   IGNORE`), `RETURNING` (not `last_insert_rowid`), `CAST(x AS BIGINT)`, an alias on
//!   every subquery in `FROM`. A trailing `FOR UPDATE [SKIP LOCKED]` is dropped on SQLite.
//! - A new table goes in [`SCHEMA_SQLITE`] only, with the types `INTEGER`, `TEXT` and
//!   `BLOB`: [`schema_postgres`] derives PostgreSQL's (`BIGINT`, `BYTEA`, identity keys for
//!   `INTEGER PRIMARY KEY AUTOINCREMENT`). A column added to an existing table also goes
//!   in [`SQLITE_ADDED_COLUMNS`], so an older SQLite file gains it.
//! - Callers: `app.db.tx(move |tx| …)` is unchanged, but the closure is `Fn`, not
//!   `FnOnce` (it runs again when a concurrent writer won), so a captured value it used to
//!   move out is cloned (`url.clone().or_else(…)`), and it touches nothing but `tx`.
//!   [`Db::read_one`] is for a closure of one read-only statement (no `BEGIN`/`COMMIT` on
//!   PostgreSQL).
//! - A row that concurrent transactions may both update is guarded (a version column in
//!   the `WHERE`, a claim, a row lock); return [`ApiError::retry`] when the guard says
//!   another writer won.

mod sql;

pub use sql::{
    Database, Db, FromValue, Owner, Param, Row, ToParam, Tx, Value, POSTGRES_CONNECTIONS,
};

use crate::error::ApiError;
use crate::params;

/// The SQLite schema (each statement idempotent).
pub const SCHEMA_SQLITE: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    created_seq INTEGER NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    view TEXT NOT NULL,
    callback_url TEXT,
    next_deadline INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    account TEXT
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
    created_at INTEGER NOT NULL,
    claim TEXT,
    claimed_until INTEGER
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
CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, matcher TEXT NOT NULL);
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

/// Columns added since the first SQLite schema, with their declarations: a database file
/// from before them gains them at start-up (`ALTER TABLE … ADD COLUMN`).
pub const SQLITE_ADDED_COLUMNS: [(&str, &str, &str); 4] = [
    ("invoices", "version", "INTEGER NOT NULL DEFAULT 1"),
    ("invoices", "account", "TEXT"),
    ("deliveries", "claim", "TEXT"),
    ("deliveries", "claimed_until", "INTEGER"),
];

/// The PostgreSQL schema, derived from [`SCHEMA_SQLITE`] so a table is written once:
/// 64-bit integers, `BYTEA` for `BLOB`, identity keys for autoincrement ones.
pub fn schema_postgres() -> String {
    SCHEMA_SQLITE
        .replace(
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )
        .replace(" INTEGER", " BIGINT")
        .replace(" BLOB", " BYTEA")
}

// ---- meta ----------------------------------------------------------------------------

/// A value of the `meta` table.
pub fn meta_get(tx: &Tx<'_>, key: &str) -> Result<Option<String>, ApiError> {
    tx.query_opt("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.get(0)
    })
}

/// Sets a value of the `meta` table.
pub fn meta_set(tx: &Tx<'_>, key: &str, value: &str) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The `meta` value `key`, set to `value` first if it has none (the first process to
/// start on a database decides, the others read its value).
pub fn meta_init(tx: &Tx<'_>, key: &str, value: &str) -> Result<String, ApiError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
        params![key, value],
    )?;
    tx.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.get(0)
    })
}

/// Raises the integer `meta` value `key` to `ms` unless it is already later, in one
/// statement (two processes raising it at once never move it back), and returns the
/// value now stored.
pub fn raise_clock(tx: &Tx<'_>, key: &str, ms: i64) -> Result<i64, ApiError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value
         WHERE CAST(meta.value AS BIGINT) < CAST(excluded.value AS BIGINT)",
        params![key, ms.to_string()],
    )?;
    let stored = meta_get(tx, key)?.and_then(|v| v.parse::<i64>().ok());
    Ok(stored.unwrap_or(ms).max(ms))
}

/// The `meta` values other processes may have changed: `(key, value)` for each of `keys`
/// present.
pub fn meta_many(tx: &Tx<'_>, a: &str, b: &str) -> Result<Vec<(String, String)>, ApiError> {
    tx.query(
        "SELECT key, value FROM meta WHERE key = ?1 OR key = ?2",
        params![a, b],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
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
    /// The row's version: [`update_invoice`] writes only over the version it read.
    pub version: i64,
    /// When the core wants the invoice woken next.
    pub next_deadline: Option<i64>,
    /// The shared account whose matcher gave this invoice its payable amount.
    pub account: Option<String>,
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
    /// The shared account it is paid into by amount, if any.
    pub account: Option<&'a str>,
}

/// Whether a reference is taken.
pub fn reference_exists(tx: &Tx<'_>, reference: &str) -> Result<bool, ApiError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM invoices WHERE reference = ?1",
            params![reference],
            |_| Ok(()),
        )?
        .is_some())
}

/// Inserts a new invoice (version 1).
pub fn insert_invoice(tx: &Tx<'_>, n: &NewInvoice<'_>) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO invoices (id, created_seq, reference, status, state, view, callback_url,
                               next_deadline, version, account)
         VALUES (?1, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM invoices), ?2, ?3, ?4, ?5,
                 ?6, ?7, 1, ?8)",
        params![
            n.id,
            n.reference,
            n.status,
            n.state,
            n.view,
            n.callback_url,
            n.next_deadline,
            n.account
        ],
    )?;
    Ok(())
}

/// Replaces an invoice's state after a command, only over the `version` it was read at
/// (then version + 1). Another writer's update in between is [`ApiError::retry`]: the
/// caller's transaction runs again on the new state (`docs/architecture.md`, "Optimistic
/// concurrency").
pub fn update_invoice(
    tx: &Tx<'_>,
    id: &str,
    version: i64,
    status: &str,
    state: &str,
    next_deadline: Option<i64>,
) -> Result<(), ApiError> {
    let n = tx.execute(
        "UPDATE invoices SET status = ?3, state = ?4, next_deadline = ?5, version = version + 1
         WHERE id = ?1 AND version = ?2",
        params![id, version, status, state, next_deadline],
    )?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::retry())
    }
}

/// Clears an invoice's deadline (one the core did not move past).
pub fn clear_deadline(tx: &Tx<'_>, id: &str) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE invoices SET next_deadline = NULL, version = version + 1 WHERE id = ?1",
        params![id],
    )?;
    Ok(())
}

const INVOICE_COLUMNS: &str = "id, state, view, callback_url, version, next_deadline, account";

fn invoice_row(r: &Row) -> Result<InvoiceRow, ApiError> {
    Ok(InvoiceRow {
        id: r.get(0)?,
        state: r.get(1)?,
        view: r.get(2)?,
        callback_url: r.get(3)?,
        version: r.get(4)?,
        next_deadline: r.get(5)?,
        account: r.get(6)?,
    })
}

/// An invoice by id.
pub fn invoice_by_id(tx: &Tx<'_>, id: &str) -> Result<Option<InvoiceRow>, ApiError> {
    tx.query_opt(
        &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = ?1"),
        params![id],
        invoice_row,
    )
}

/// An invoice by reference.
pub fn invoice_by_reference(tx: &Tx<'_>, reference: &str) -> Result<Option<InvoiceRow>, ApiError> {
    tx.query_opt(
        &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE reference = ?1"),
        params![reference],
        invoice_row,
    )
}

/// The condition that keeps seed 001's invoices (those without a `seed_invoices` row):
/// seed 001's list and account stats show only its own invoices.
const SEED_001_ONLY: &str =
    "NOT EXISTS (SELECT 1 FROM seed_invoices s WHERE s.invoice_id = invoices.id)";

/// How many invoices each seed has (`"001"` for those without a `seed_invoices` row).
pub fn invoice_counts_by_seed(tx: &Tx<'_>) -> Result<Vec<(String, u64)>, ApiError> {
    tx.query(
        "SELECT COALESCE(s.seed, '001'), COUNT(*) FROM invoices i
         LEFT JOIN seed_invoices s ON s.invoice_id = i.id
         GROUP BY COALESCE(s.seed, '001') ORDER BY COALESCE(s.seed, '001')",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A page of invoices, newest first, and the total count.
pub fn invoice_page(
    tx: &Tx<'_>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<InvoiceRow>, u64), ApiError> {
    let total: i64 = tx.query_row(
        &format!("SELECT COUNT(*) FROM invoices WHERE {SEED_001_ONLY}"),
        params![],
        |r| r.get(0),
    )?;
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    // Two processes may give two invoices the same sequence number: the id breaks the tie.
    let rows = tx.query(
        &format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE {SEED_001_ONLY}
             ORDER BY created_seq DESC, id DESC LIMIT ?1 OFFSET ?2"
        ),
        params![limit, offset],
        invoice_row,
    )?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Seed 001's invoices by core status.
pub fn status_counts(tx: &Tx<'_>) -> Result<Vec<(String, u64)>, ApiError> {
    tx.query(
        &format!(
            "SELECT status, COUNT(*) FROM invoices WHERE {SEED_001_ONLY}
             GROUP BY status ORDER BY status"
        ),
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Appends a journal entry (`docs/spec.md §3`: replaying the journal rebuilds the state).
/// Entries are numbered by the journal itself, not by the invoice's version: a command
/// that changes nothing keeps the version and is still journaled. Appends to one invoice
/// are serialised by its row (the caller updated it first in the same transaction).
pub fn append_journal(
    tx: &Tx<'_>,
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
pub fn journal(tx: &Tx<'_>, invoice_id: &str) -> Result<Vec<(i64, String)>, ApiError> {
    tx.query(
        "SELECT at, command FROM journal WHERE invoice_id = ?1 ORDER BY n",
        params![invoice_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

// ---- shared accounts -----------------------------------------------------------------

/// The matcher state (`paystate::Matcher` as JSON) of a shared account, locked for this
/// transaction (`FOR UPDATE`: one writer per account across processes); an account seen
/// for the first time starts with an empty matcher.
pub fn lock_account(tx: &Tx<'_>, name: &str) -> Result<String, ApiError> {
    tx.execute(
        "INSERT INTO accounts (name, matcher) VALUES (?1, '{\"windows\":[]}')
         ON CONFLICT(name) DO NOTHING",
        params![name],
    )?;
    tx.query_row(
        "SELECT matcher FROM accounts WHERE name = ?1 FOR UPDATE",
        params![name],
        |r| r.get(0),
    )
}

/// A shared account's matcher state without locking it (for reading), if the account
/// exists.
pub fn account_matcher(tx: &Tx<'_>, name: &str) -> Result<Option<String>, ApiError> {
    tx.query_opt(
        "SELECT matcher FROM accounts WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )
}

/// Stores a shared account's matcher state (after [`lock_account`]).
pub fn save_account(tx: &Tx<'_>, name: &str, matcher: &str) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE accounts SET matcher = ?2 WHERE name = ?1",
        params![name, matcher],
    )?;
    Ok(())
}

// ---- scheduled commands --------------------------------------------------------------

/// Schedules a core command for an invoice at `due_at`.
pub fn schedule(tx: &Tx<'_>, due_at: i64, invoice_id: &str, command: &str) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO scheduled (due_at, invoice_id, command) VALUES (?1, ?2, ?3)",
        params![due_at, invoice_id, command],
    )?;
    Ok(())
}

/// Takes a scheduled command to apply it in this transaction: false when another
/// process took it first (its row is gone), so each is applied once.
pub fn take_scheduled(tx: &Tx<'_>, row: i64) -> Result<bool, ApiError> {
    Ok(tx.execute("DELETE FROM scheduled WHERE id = ?1", params![row])? == 1)
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
/// the same instant goes out). Deliveries another process holds a live claim on
/// (`claimed_until` after the wall-clock `wall_now`) are not due here.
pub fn earliest_due(tx: &Tx<'_>, until: i64, wall_now: i64) -> Result<Option<Due>, ApiError> {
    let deadline: Option<(String, i64)> = tx.query_opt(
        "SELECT id, next_deadline FROM invoices WHERE next_deadline IS NOT NULL
         AND next_deadline <= ?1 ORDER BY next_deadline, created_seq LIMIT 1",
        params![until],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let command: Option<(i64, String, String, i64)> = tx.query_opt(
        "SELECT id, invoice_id, command, due_at FROM scheduled WHERE due_at <= ?1
         ORDER BY due_at, id LIMIT 1",
        params![until],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let delivery: Option<(String, i64)> = tx.query_opt(
        "SELECT id, next_at FROM deliveries WHERE next_at IS NOT NULL AND next_at <= ?1
         AND (claimed_until IS NULL OR claimed_until <= ?2)
         ORDER BY next_at, created_seq LIMIT 1",
        params![until, wall_now],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let candidates = [
        deadline.map(|(id, t)| Due::Deadline(id, t)),
        command.map(|(row, id, c, t)| Due::Command(row, id, c, t)),
        delivery.map(|(id, t)| Due::Delivery(id, t)),
    ];
    // min_by_key keeps the first of equal keys: the tie order above.
    Ok(candidates.into_iter().flatten().min_by_key(Due::at))
}

/// A claim on delivery attempts: who holds them (a fresh token per claim) and until when
/// (wall-clock milliseconds).
#[derive(Debug, Clone)]
pub struct Claim {
    /// Unique per claim.
    pub token: String,
    /// The wall-clock time now.
    pub wall_now: i64,
    /// When the claim runs out and another process may take the attempts.
    pub until: i64,
}

/// Claims the deliveries to attempt together with the earliest due item, a delivery due
/// at `first_at`: every unclaimed delivery due at or before the time it will be made
/// (`max(first_at, now)`), but none due at or after the next deadline or scheduled
/// command, which come first. Oldest first, at most `limit`. Rows another transaction is
/// claiming are skipped (`SKIP LOCKED`), and a live claim is never taken over: each
/// attempt is made by one process.
pub fn claim_deliveries(
    tx: &Tx<'_>,
    first_at: i64,
    now: i64,
    limit: u32,
    claim: &Claim,
) -> Result<Vec<String>, ApiError> {
    let other: Option<i64> = tx.query_row(
        "SELECT MIN(t) FROM (
             SELECT MIN(next_deadline) AS t FROM invoices WHERE next_deadline IS NOT NULL
             UNION ALL SELECT MIN(due_at) AS t FROM scheduled) AS due",
        params![],
        |r| r.get(0),
    )?;
    let mut bound = first_at.max(now);
    if let Some(next_other) = other {
        bound = bound.min(next_other.saturating_sub(1)).max(first_at);
    }
    let ids: Vec<String> = tx.query(
        "SELECT id FROM deliveries WHERE next_at IS NOT NULL AND next_at <= ?1
         AND (claimed_until IS NULL OR claimed_until <= ?2)
         ORDER BY next_at, created_seq LIMIT ?3 FOR UPDATE SKIP LOCKED",
        params![bound, claim.wall_now, limit],
        |r| r.get(0),
    )?;
    for id in &ids {
        tx.execute(
            "UPDATE deliveries SET claim = ?2, claimed_until = ?3 WHERE id = ?1",
            params![id, claim.token, claim.until],
        )?;
    }
    Ok(ids)
}

/// Ends every claim on delivery attempts. Only for a database one process owns (SQLite)
/// at start-up: the claims left are its own previous life's, cut short by a crash, and
/// their attempts are due again now rather than when the lease would have run out.
pub fn release_all_claims(tx: &Tx<'_>) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE deliveries SET claim = NULL, claimed_until = NULL WHERE claim IS NOT NULL",
        params![],
    )?;
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
    /// The token of the claim on its next attempt, if claimed.
    pub claim: Option<String>,
}

/// Enqueues a delivery. An id already present is left as it is (an event's body is
/// written once: at-least-once delivery never sends two bodies for one id).
pub fn insert_delivery(tx: &Tx<'_>, d: &DeliveryRow) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO deliveries
         (id, created_seq, event_type, invoice_id, reference, url, body, plan, next_at, created_at)
         VALUES (?1, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM deliveries),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO NOTHING",
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

fn delivery_row(r: &Row) -> Result<DeliveryRow, ApiError> {
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
        claim: r.get(9)?,
    })
}

const DELIVERY_COLUMNS: &str =
    "id, event_type, invoice_id, reference, url, body, plan, next_at, created_at, claim";

/// A delivery by id.
pub fn delivery(tx: &Tx<'_>, id: &str) -> Result<Option<DeliveryRow>, ApiError> {
    tx.query_opt(
        &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?1"),
        params![id],
        delivery_row,
    )
}

/// Deliveries, oldest first, optionally of one invoice.
pub fn deliveries(
    tx: &Tx<'_>,
    invoice_id: Option<&str>,
    limit: u32,
) -> Result<Vec<DeliveryRow>, ApiError> {
    tx.query(
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries
             WHERE CAST(?1 AS TEXT) IS NULL OR invoice_id = ?1
             ORDER BY created_seq, id LIMIT ?2"
        ),
        params![invoice_id, limit],
        delivery_row,
    )
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

/// Records an attempt and the plan after it, and ends the claim, in one transaction with
/// nothing else. Returns false (recording nothing) when the claim `token` is no longer
/// the delivery's: it ran out and another process took the attempt.
pub fn record_attempt(
    tx: &Tx<'_>,
    delivery_id: &str,
    token: &str,
    a: &AttemptRow,
    plan: &str,
    next_at: Option<i64>,
) -> Result<bool, ApiError> {
    let mine = tx.execute(
        "UPDATE deliveries SET plan = ?3, next_at = ?4, claim = NULL, claimed_until = NULL
         WHERE id = ?1 AND claim = ?2",
        params![delivery_id, token, plan, next_at],
    )?;
    if mine != 1 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO attempts (delivery_id, n, at, outcome, status_code, latency_ms, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            delivery_id,
            a.n,
            a.at,
            a.outcome,
            a.status_code,
            a.latency_ms,
            a.error
        ],
    )?;
    Ok(true)
}

/// A delivery's attempts, oldest first.
pub fn attempts(tx: &Tx<'_>, delivery_id: &str) -> Result<Vec<AttemptRow>, ApiError> {
    tx.query(
        "SELECT n, at, outcome, status_code, latency_ms, error FROM attempts
         WHERE delivery_id = ?1 ORDER BY n",
        params![delivery_id],
        |r| {
            Ok(AttemptRow {
                n: r.get(0)?,
                at: r.get(1)?,
                outcome: r.get(2)?,
                status_code: r.get(3)?,
                latency_ms: r.get(4)?,
                error: r.get(5)?,
            })
        },
    )
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

/// Appends log lines, in order, and trims the log to [`API_LOG_KEEP`] lines.
pub fn append_api_logs(tx: &Tx<'_>, logs: &[ApiLog]) -> Result<(), ApiError> {
    let mut last = None;
    for log in logs {
        last = Some(tx.query_row(
            "INSERT INTO api_logs (at, method, path, status, duration_ms)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![log.at, log.method, log.path, log.status, log.duration_ms],
            |r| r.get::<i64>(0),
        )?);
    }
    if let Some(last) = last {
        tx.execute(
            "DELETE FROM api_logs WHERE id <= ?1",
            params![last.saturating_sub(API_LOG_KEEP)],
        )?;
    }
    Ok(())
}

/// The latest `limit` log lines, newest first.
pub fn api_logs(tx: &Tx<'_>, limit: u32) -> Result<Vec<ApiLog>, ApiError> {
    tx.query(
        "SELECT at, method, path, status, duration_ms FROM api_logs ORDER BY id DESC LIMIT ?1",
        params![limit],
        |r| {
            Ok(ApiLog {
                at: r.get(0)?,
                method: r.get(1)?,
                path: r.get(2)?,
                status: r.get(3)?,
                duration_ms: r.get(4)?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of the SQLite schema is in PostgreSQL's, with only types PostgreSQL has.
    #[test]
    fn postgres_schema_is_the_sqlite_one_in_postgres_types() {
        let pg = schema_postgres();
        for word in ["INTEGER", "BLOB", "AUTOINCREMENT"] {
            assert!(!pg.contains(word), "{word} left in the PostgreSQL schema");
        }
        assert_eq!(
            pg.matches("CREATE TABLE").count(),
            SCHEMA_SQLITE.matches("CREATE TABLE").count()
        );
        assert!(pg.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
        assert!(pg.contains("body BYTEA NOT NULL"));
    }

    #[test]
    fn placeholders_and_locks_per_database() {
        assert_eq!(
            sql::to_postgres("SELECT '?1' FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1' FROM t WHERE a = $1 AND b = $12"
        );
        assert_eq!(
            sql::to_sqlite("SELECT id FROM d LIMIT ?1 FOR UPDATE SKIP LOCKED\n"),
            "SELECT id FROM d LIMIT ?1 "
        );
        assert_eq!(sql::to_sqlite("SELECT 1 FOR UPDATE"), "SELECT 1 ");
        assert_eq!(sql::to_sqlite("SELECT 1"), "SELECT 1");
    }
}

// ---- seeds 000, 002, 003, 004 (src/seed/) ----------------------------------------------

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

/// Records which seed an invoice belongs to. Two processes creating invoices with the
/// same seed reference at once: the unique index makes the later one run again
/// ([`ApiError::retry`]), and it then finds the reference taken.
pub fn insert_seed_invoice(tx: &Tx<'_>, r: &SeedInvoiceRow) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_invoices (invoice_id, seed, seed_ref, request) VALUES (?1, ?2, ?3, ?4)",
        params![r.invoice_id, r.seed, r.seed_ref, r.request],
    )?;
    Ok(())
}

fn seed_invoice_row(r: &Row) -> Result<SeedInvoiceRow, ApiError> {
    Ok(SeedInvoiceRow {
        invoice_id: r.get(0)?,
        seed: r.get(1)?,
        seed_ref: r.get(2)?,
        request: r.get(3)?,
    })
}

/// The seed record of an invoice (`None`: a seed-001 invoice).
pub fn seed_invoice(tx: &Tx<'_>, invoice_id: &str) -> Result<Option<SeedInvoiceRow>, ApiError> {
    tx.query_opt(
        "SELECT invoice_id, seed, seed_ref, request FROM seed_invoices WHERE invoice_id = ?1",
        params![invoice_id],
        seed_invoice_row,
    )
}

/// The invoice of a seed with that seed's own reference.
pub fn seed_invoice_by_ref(
    tx: &Tx<'_>,
    seed: &str,
    seed_ref: &str,
) -> Result<Option<SeedInvoiceRow>, ApiError> {
    tx.query_opt(
        "SELECT invoice_id, seed, seed_ref, request FROM seed_invoices
         WHERE seed = ?1 AND seed_ref = ?2",
        params![seed, seed_ref],
        seed_invoice_row,
    )
}

/// Records the signature scheme of a delivery (one without a record is seed 001's). The
/// delivery itself is an ordinary `deliveries` row: claimed ([`claim_deliveries`]) and
/// recorded ([`record_attempt`]) like seed 001's, so each attempt is made by one process.
pub fn insert_seed_delivery(tx: &Tx<'_>, delivery_id: &str, scheme: &str) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_deliveries (delivery_id, scheme) VALUES (?1, ?2)
         ON CONFLICT (delivery_id) DO NOTHING",
        params![delivery_id, scheme],
    )?;
    Ok(())
}

/// The signature scheme of a delivery, when it is not seed 001's.
pub fn delivery_scheme(tx: &Tx<'_>, delivery_id: &str) -> Result<Option<String>, ApiError> {
    tx.query_opt(
        "SELECT scheme FROM seed_deliveries WHERE delivery_id = ?1",
        params![delivery_id],
        |r| r.get(0),
    )
}

/// Stores a new checkout session under its link token.
pub fn insert_session(
    tx: &Tx<'_>,
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
pub fn session_by_token(tx: &Tx<'_>, token: &str) -> Result<Option<(String, String)>, ApiError> {
    tx.query_opt(
        "SELECT invoice_id, state FROM checkout_sessions WHERE token = ?1",
        params![token],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Replaces a checkout session's state, only over the state `old` it was read at: a
/// single-use link is used once even when two processes open it at the same moment. The
/// later writer gets [`ApiError::retry`], runs again and finds the link used.
pub fn update_session(tx: &Tx<'_>, token: &str, old: &str, state: &str) -> Result<(), ApiError> {
    let n = tx.execute(
        "UPDATE checkout_sessions SET state = ?3 WHERE token = ?1 AND state = ?2",
        params![token, old, state],
    )?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::retry())
    }
}

/// A per-seed setting (e.g. GatePay's notification URL).
pub fn seed_setting(tx: &Tx<'_>, seed: &str, name: &str) -> Result<Option<String>, ApiError> {
    tx.query_opt(
        "SELECT value FROM seed_settings WHERE seed = ?1 AND name = ?2",
        params![seed, name],
        |r| r.get(0),
    )
}

/// Sets a per-seed setting (the last writer wins: it is a configuration value).
pub fn set_seed_setting(tx: &Tx<'_>, seed: &str, name: &str, value: &str) -> Result<(), ApiError> {
    tx.execute(
        "INSERT INTO seed_settings (seed, name, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (seed, name) DO UPDATE SET value = excluded.value",
        params![seed, name, value],
    )?;
    Ok(())
}

/// Records a signed request's replay key (`docs/spec.md §6`, the replay guard kept as
/// rows): `false` when the key is already held. Keys whose window has passed are dropped
/// first. Two processes recording one key at once: the primary key lets one insert it
/// and the other (waiting on it) inserts nothing, so a replay is refused across processes.
pub fn record_replay(tx: &Tx<'_>, key: &str, keep_until: i64, now: i64) -> Result<bool, ApiError> {
    tx.execute(
        "DELETE FROM seed_replay WHERE keep_until < ?1",
        params![now],
    )?;
    let inserted = tx.execute(
        "INSERT INTO seed_replay (key, keep_until) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![key, keep_until],
    )?;
    Ok(inserted == 1)
}
