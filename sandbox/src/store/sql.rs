//! The two databases behind one transaction type: [`Tx`] runs the same SQL text on SQLite
//! (rusqlite) or PostgreSQL (the synchronous `postgres` crate), both on tokio's blocking
//! pool. See the module doc of [`crate::store`] for the rules SQL text follows.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as _;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};

use crate::error::{ApiError, StartError};

/// Where the sandbox keeps its state.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An in-memory SQLite database (nothing is kept).
    Memory,
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user:password@host:port/db`), shared by
    /// any number of sandbox processes.
    Postgres(String),
}

impl Database {
    /// `:memory:`, a `postgres://` / `postgresql://` URL, or a SQLite path.
    pub fn from_arg(arg: &Path) -> Database {
        let text = arg.to_string_lossy();
        if text == ":memory:" {
            Database::Memory
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Database::Postgres(text.into_owned())
        } else {
            Database::Sqlite(arg.to_path_buf())
        }
    }

    /// Makes this process the only sandbox serving a SQLite file, by locking `<path>-lock`
    /// beside SQLite's own `-wal` and `-shm`; `None` for the stores that need no owner.
    ///
    /// A SQLite database belongs to one process: start-up releases every delivery claim as
    /// its own previous life's ([`super::release_all_claims`]), so a second process on the
    /// same file would make the same delivery attempts twice. Processes that share the
    /// work share a PostgreSQL database instead.
    pub fn own(&self) -> Result<Option<Owner>, StartError> {
        let Database::Sqlite(path) = self else {
            return Ok(None);
        };
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push("-lock");
        let lock_path = PathBuf::from(lock_path);
        let failed =
            |e: std::io::Error| StartError::Storage(format!("{}: {e}", lock_path.display()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Owner { _lock: file })),
            Err(std::fs::TryLockError::WouldBlock) => Err(StartError::Storage(format!(
                "{} is in use by another sandbox; a SQLite database is served by one \
                 process at a time (processes that share the work share a PostgreSQL \
                 database: --database postgres://…)",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(failed(e)),
        }
    }
}

/// The running sandbox's hold on its SQLite file ([`Database::own`]), let go when dropped
/// or when the process ends (SIGKILL included: the kernel releases the lock).
#[derive(Debug)]
pub struct Owner {
    _lock: std::fs::File,
}

/// Shows the database without a password (a connection string may hold one).
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Memory => f.write_str(":memory:"),
            Database::Sqlite(p) => write!(f, "{}", p.display()),
            Database::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "postgres://***".into();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    // Query parameters may carry `password=` too: dropped from what is shown.
    let host = host.split('?').next().unwrap_or_default();
    match auth {
        Some(a) => {
            let user = a.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => format!("{scheme}://{host}"),
    }
}

// ---- parameters and rows -----------------------------------------------------------------

/// A statement parameter, borrowed from the caller. Build a list with
/// [`params!`](crate::params).
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// An integer (every integer column is 64-bit on PostgreSQL).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes (BLOB / BYTEA).
    Bytes(&'a [u8]),
}

/// A value that can be a [`Param`]. Unsigned values above `i64::MAX` are refused when
/// the statement runs, never wrapped.
pub trait ToParam {
    /// The parameter.
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}
impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}
impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}
impl ToParam for u16 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}
impl ToParam for u64 {
    fn to_param(&self) -> Param<'_> {
        // Every stored u64 (latencies, durations) is clamped by its writer; the clamp here
        // keeps a huge one from wrapping negative.
        Param::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}
impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(v) => v.to_param(),
            None => Param::Null,
        }
    }
}

/// `params![a, b, c]`: the parameters `?1, ?2, ?3` of a statement, as `&[Param]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::store::Param<'_>] };
    ($($x:expr),+ $(,)?) => {
        &[$($crate::store::ToParam::to_param(&$x)),+] as &[$crate::store::Param<'_>]
    };
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match *self {
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(i)),
            Param::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Param::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(i) => match *ty {
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Param::Text(t) => t.to_sql(ty, out),
            Param::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT2
                | Type::INT4
                | Type::INT8
                | Type::BOOL
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
                | Type::BYTEA
        )
    }

    to_sql_checked!();
}

/// A column value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// One result row, read whole (statements here return a few rows of a few columns).
#[derive(Debug, Clone)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    /// Column `i` (from 0) as `T`: a mismatched type or a missing column is an internal
    /// error naming the column.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, ApiError> {
        let v = self.values.get(i).unwrap_or(&Value::Null);
        T::from_value(v).ok_or_else(|| {
            ApiError::internal(format_args!(
                "storage: column {i} holds {v:?}, not the expected type"
            ))
        })
    }
}

/// A Rust type a column converts to.
pub trait FromValue: Sized {
    /// The value, or `None` when its type does not fit.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}
impl FromValue for u32 {
    fn from_value(v: &Value) -> Option<u32> {
        i64::from_value(v).and_then(|i| u32::try_from(i).ok())
    }
}
impl FromValue for u16 {
    fn from_value(v: &Value) -> Option<u16> {
        i64::from_value(v).and_then(|i| u16::try_from(i).ok())
    }
}
impl FromValue for u64 {
    fn from_value(v: &Value) -> Option<u64> {
        i64::from_value(v).and_then(|i| u64::try_from(i).ok())
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Option<bool> {
        i64::from_value(v).map(|i| i != 0)
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Vec<u8>> {
        match v {
            Value::Bytes(b) => Some(b.clone()),
            // SQLite stores what it is given; text read as bytes is still the same bytes.
            Value::Text(t) => Some(t.clone().into_bytes()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

// ---- SQL text --------------------------------------------------------------------------

/// `?N` placeholders as PostgreSQL's `$N` (outside quoted literals).
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// The statement for SQLite: a trailing `FOR UPDATE [SKIP LOCKED]` is dropped (SQLite has
/// one writer at a time, so the transaction already holds what the clause would lock).
pub fn to_sqlite(sql: &str) -> Cow<'_, str> {
    let trimmed = sql.trim_end();
    for suffix in ["FOR UPDATE SKIP LOCKED", "FOR UPDATE"] {
        if let Some(head) = trimmed.strip_suffix(suffix) {
            return Cow::Owned(head.to_owned());
        }
    }
    Cow::Borrowed(sql)
}

// ---- the transaction -------------------------------------------------------------------

/// A PostgreSQL transaction, or a connection in autocommit mode for a single statement
/// ([`Db::read_one`]).
enum Pg<'a> {
    Tx(postgres::Transaction<'a>),
    Autocommit(&'a mut postgres::Client),
}

impl Pg<'_> {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        match self {
            Pg::Tx(t) => t.prepare(sql),
            Pg::Autocommit(c) => c.prepare(sql),
        }
    }

    fn execute(
        &mut self,
        stmt: &postgres::Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        match self {
            Pg::Tx(t) => t.execute(stmt, params),
            Pg::Autocommit(c) => c.execute(stmt, params),
        }
    }

    fn query(
        &mut self,
        stmt: &postgres::Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        match self {
            Pg::Tx(t) => t.query(stmt, params),
            Pg::Autocommit(c) => c.query(stmt, params),
        }
    }
}

/// One open transaction on either database. Its methods mirror rusqlite's: SQL text with
/// `?1, ?2, …` placeholders and [`params!`](crate::params).
pub struct Tx<'a> {
    kind: Kind<'a>,
}

enum Kind<'a> {
    Sqlite(&'a rusqlite::Transaction<'a>),
    Postgres {
        tx: RefCell<Pg<'a>>,
        cache: RefCell<&'a mut HashMap<String, postgres::Statement>>,
    },
}

impl Tx<'_> {
    /// Whether this runs on PostgreSQL (for the few decisions that differ, such as
    /// whether several processes may share the database).
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize, ApiError> {
        match &self.kind {
            Kind::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(&to_sqlite(sql))?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))?)
            }
            Kind::Postgres { tx, cache } => {
                let stmt = pg_statement(tx, cache, sql)?;
                let refs = pg_refs(params);
                let n = tx.borrow_mut().execute(&stmt, &refs).map_err(pg_error)?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Every row of a query, each converted by `f`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row) -> Result<T, ApiError>,
    ) -> Result<Vec<T>, ApiError> {
        self.rows(sql, params)?.iter().map(&mut f).collect()
    }

    /// The first row of a query, if any, converted by `f` (rusqlite's
    /// `query_row(..).optional()`).
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row) -> Result<T, ApiError>,
    ) -> Result<Option<T>, ApiError> {
        self.rows(sql, params)?.first().map(f).transpose()
    }

    /// The first row of a query that always returns one (an aggregate): none is an
    /// internal error.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| ApiError::internal("storage: a query returned no row"))
    }

    fn rows(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, ApiError> {
        match &self.kind {
            Kind::Sqlite(tx) => {
                let mut stmt = tx.prepare_cached(&to_sqlite(sql))?;
                let width = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut values = Vec::with_capacity(width);
                    for i in 0..width {
                        values.push(sqlite_value(r.get_ref(i)?)?);
                    }
                    out.push(Row { values });
                }
                Ok(out)
            }
            Kind::Postgres { tx, cache } => {
                let stmt = pg_statement(tx, cache, sql)?;
                let refs = pg_refs(params);
                let rows = tx.borrow_mut().query(&stmt, &refs).map_err(pg_error)?;
                rows.iter().map(pg_row).collect()
            }
        }
    }
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Result<Value, ApiError> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|_| ApiError::internal("storage: text column is not UTF-8"))?
                .to_owned(),
        ),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
        // Money and times are stored as text and integers: a float is a foreign row.
        ValueRef::Real(_) => return Err(ApiError::internal("storage: unexpected REAL column")),
    })
}

fn pg_refs<'p>(params: &'p [Param<'p>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn pg_statement(
    tx: &RefCell<Pg<'_>>,
    cache: &RefCell<&mut HashMap<String, postgres::Statement>>,
    sql: &str,
) -> Result<postgres::Statement, ApiError> {
    if let Some(s) = cache.borrow().get(sql) {
        return Ok(s.clone());
    }
    let stmt = tx
        .borrow_mut()
        .prepare(&to_postgres(sql))
        .map_err(pg_error)?;
    cache.borrow_mut().insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

fn pg_row(r: &postgres::Row) -> Result<Row, ApiError> {
    let mut values = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)
                .map(|v| v.map(|x| Value::Int(i64::from(x)))),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)
                .map(|v| v.map(|x| Value::Int(i64::from(x)))),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)
                .map(|v| v.map(|x| Value::Int(i64::from(x)))),
            Type::BYTEA => r
                .try_get::<_, Option<Vec<u8>>>(i)
                .map(|v| v.map(Value::Bytes)),
            _ => r
                .try_get::<_, Option<String>>(i)
                .map(|v| v.map(Value::Text)),
        }
        .map_err(pg_error)?;
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row { values })
}

/// Converts a PostgreSQL error: conflicts between concurrent transactions (serialization
/// failure, deadlock, a unique key another transaction took first) ask for the whole
/// transaction to run again; anything else is an internal error.
fn pg_error(e: postgres::Error) -> ApiError {
    let retry = e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
    });
    if retry {
        return ApiError::retry();
    }
    // The message of a database error names the statement's problem, never a value.
    ApiError::internal(format_args!("storage (postgres): {}", describe(&e)))
}

// ---- the database ----------------------------------------------------------------------

/// How many PostgreSQL connections one sandbox process keeps.
pub const POSTGRES_CONNECTIONS: usize = 8;

/// Most times a transaction is run when concurrent writers keep winning.
const MAX_RUNS: u32 = 100;

/// How long an API-log row may wait for a transaction to ride in before one is made for it
/// ([`Db::log_api_request`]).
pub const API_LOG_FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(10);

/// The database handle: one SQLite connection used by one blocking task at a time, or a
/// small pool of PostgreSQL connections.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    logs: Arc<LogQueue>,
}

/// API-log rows answered but not yet written: the next read-write transaction writes them
/// before its own statements ([`Db::tx`]), so logging a request costs no transaction of
/// its own (a hand-off to the blocking pool and a commit each) while requests keep coming.
#[derive(Default)]
struct LogQueue {
    rows: Mutex<Vec<super::ApiLog>>,
    /// A flush is scheduled ([`API_LOG_FLUSH_AFTER`]) for when no transaction comes.
    armed: AtomicBool,
}

impl LogQueue {
    fn take(&self) -> Vec<super::ApiLog> {
        self.rows
            .lock()
            .map(|mut rows| std::mem::take(&mut *rows))
            .unwrap_or_default()
    }

    /// Rows whose transaction rolled back go back to the front, kept in arrival order.
    fn put_back(&self, mut rows: Vec<super::ApiLog>) {
        if rows.is_empty() {
            return;
        }
        if let Ok(mut queued) = self.rows.lock() {
            rows.append(&mut queued);
            *queued = rows;
        }
    }

    fn is_empty(&self) -> bool {
        self.rows.lock().map(|r| r.is_empty()).unwrap_or(true)
    }
}

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    Postgres(Arc<Pool>),
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_postgres() {
            "Db(postgres)"
        } else {
            "Db(sqlite)"
        })
    }
}

impl Db {
    /// Opens (creating the schema when missing) the database.
    pub async fn open(database: &Database) -> Result<Db, StartError> {
        let database = database.clone();
        tokio::task::spawn_blocking(move || Db::open_blocking(&database))
            .await
            .map_err(|e| StartError::Storage(e.to_string()))?
    }

    fn open_blocking(database: &Database) -> Result<Db, StartError> {
        let storage = |e: rusqlite::Error| StartError::Storage(e.to_string());
        let conn = match database {
            Database::Postgres(url) => {
                return Ok(Db {
                    backend: Backend::Postgres(Arc::new(Pool::open(url)?)),
                    logs: Arc::default(),
                })
            }
            Database::Sqlite(p) => rusqlite::Connection::open(p).map_err(storage)?,
            Database::Memory => rusqlite::Connection::open_in_memory().map_err(storage)?,
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
        conn.execute_batch(super::SCHEMA_SQLITE).map_err(storage)?;
        add_missing_columns(&conn).map_err(storage)?;
        Ok(Db {
            backend: Backend::Sqlite(Arc::new(Mutex::new(conn))),
            logs: Arc::default(),
        })
    }

    /// Whether this is PostgreSQL, which several sandbox processes may share.
    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Runs `f` inside one transaction on the blocking pool; commits when it returns `Ok`,
    /// rolls back otherwise. When a concurrent writer won (an invoice's version moved, a
    /// deadlock, a unique key taken first: [`ApiError::retry`]), the transaction is rolled
    /// back and `f` runs again on fresh data, up to a bound; so `f` must only read and
    /// write through `tx` (it may run more than once).
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(false, f).await
    }

    /// [`Db::tx`] for a closure that runs one read-only statement: on PostgreSQL it runs
    /// without `BEGIN` / `COMMIT` (one round trip instead of three), which a single
    /// statement does not need. Anything more belongs in [`Db::tx`].
    pub async fn read_one<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        self.run(true, f).await
    }

    /// Queues one API-log row (seed 001's `GET /api/v1/account/api-logs`). It is written by
    /// the next [`Db::tx`] of any request, in that transaction, or by a transaction of its
    /// own after `API_LOG_FLUSH_AFTER` when none comes; a read of the log through
    /// [`Db::tx`] writes every queued row first, so this process's log reads back whole.
    /// Must be called inside the tokio runtime.
    pub fn log_api_request(&self, log: super::ApiLog) {
        if let Ok(mut rows) = self.logs.rows.lock() {
            rows.push(log);
        }
        if self.logs.armed.swap(true, Ordering::SeqCst) {
            return;
        }
        let db = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(API_LOG_FLUSH_AFTER).await;
            db.logs.armed.store(false, Ordering::SeqCst);
            // Reported by the store (`ApiError::internal`); a row that failed is dropped.
            let _ = db.flush_api_logs().await;
        });
    }

    /// Writes the queued API-log rows now (at shutdown, or when no request came to carry
    /// them).
    pub async fn flush_api_logs(&self) -> Result<(), ApiError> {
        if self.logs.is_empty() {
            return Ok(());
        }
        self.tx(|_| Ok(())).await
    }

    async fn run<T, F>(&self, autocommit: bool, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        // A single autocommit read has no transaction to carry the log rows.
        let logs = (!autocommit).then(|| Arc::clone(&self.logs));
        if let Backend::Sqlite(conn) = &self.backend {
            // The one SQLite connection free: the transaction (tens to hundreds of µs on
            // this connection) runs here, without the hand-off to a blocking thread and
            // back, which cost more than the SQL (futex wake-ups and context switches).
            // Taken, or a retry asked for: the blocking pool waits for it below.
            if let Ok(mut guard) = conn.try_lock() {
                match run_sqlite_locked(&mut guard, logs.as_deref(), &f) {
                    Err(e) if e.retry => {}
                    other => return other,
                }
            }
        }
        let backend = self.backend.clone();
        tokio::task::spawn_blocking(move || {
            for run in 0..MAX_RUNS {
                let result = match &backend {
                    Backend::Sqlite(conn) => run_sqlite(conn, logs.as_deref(), &f),
                    Backend::Postgres(pool) => run_postgres(pool, autocommit, logs.as_deref(), &f),
                };
                match result {
                    Err(e) if e.retry => {
                        // Back off a little, more each time, so the winner can finish.
                        std::thread::sleep(std::time::Duration::from_millis(u64::from(
                            run.min(20),
                        )));
                    }
                    other => return other,
                }
            }
            Err(ApiError::internal(format_args!(
                "storage: a transaction lost to concurrent writers {MAX_RUNS} times"
            )))
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Brings a SQLite file made by an earlier version up to the schema (`CREATE TABLE IF NOT
/// EXISTS` adds tables, not columns).
fn add_missing_columns(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    for (table, column, declaration) in super::SQLITE_ADDED_COLUMNS {
        let present = conn
            .prepare(&format!(
                "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
            ))?
            .exists([column])?;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
            ))?;
        }
    }
    Ok(())
}

fn run_sqlite<T>(
    conn: &Mutex<rusqlite::Connection>,
    logs: Option<&LogQueue>,
    f: &impl Fn(&Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut guard = conn
        .lock()
        .map_err(|_| ApiError::internal("storage: connection lock poisoned"))?;
    run_sqlite_locked(&mut guard, logs, f)
}

fn run_sqlite_locked<T>(
    guard: &mut rusqlite::Connection,
    logs: Option<&LogQueue>,
    f: &impl Fn(&Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let pending = logs.map(LogQueue::take).unwrap_or_default();
    if !pending.is_empty() {
        let tx = guard.transaction()?;
        let logged = super::append_api_logs(
            &Tx {
                kind: Kind::Sqlite(&tx),
            },
            &pending,
        );
        if logged.is_ok() {
            match run_sqlite_body(tx, f) {
                Ok(out) => return Ok(out),
                Err(e) => {
                    // The request's own error rolled the rows back: they wait for the next.
                    if let Some(l) = logs {
                        l.put_back(pending);
                    }
                    return Err(e);
                }
            }
        }
        // Logging never fails a request: the rows that could not be written are dropped
        // (the store reported why) and the request runs on its own.
    }
    let tx = guard.transaction()?;
    run_sqlite_body(tx, f)
}

fn run_sqlite_body<T>(
    tx: rusqlite::Transaction<'_>,
    f: &impl Fn(&Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let out = f(&Tx {
        kind: Kind::Sqlite(&tx),
    })?;
    tx.commit()?;
    Ok(out)
}

fn run_postgres<T>(
    pool: &Pool,
    autocommit: bool,
    logs: Option<&LogQueue>,
    f: &impl Fn(&Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut conn = pool.take()?;
    let pending = logs.map(LogQueue::take).unwrap_or_default();
    let mut result = run_postgres_on(&mut conn, autocommit, &pending, f);
    match &result {
        Err(Failed::Logging(_)) => {
            // Logging never fails a request: the rows that could not be written are
            // dropped (reported below) and the request runs on its own.
            result = run_postgres_on(&mut conn, autocommit, &[], f);
        }
        Err(Failed::Request(_)) => {
            if let Some(l) = logs {
                l.put_back(pending);
            }
        }
        Ok(_) => {}
    }
    pool.give_back(conn);
    result.map_err(|e| match e {
        Failed::Logging(e) | Failed::Request(e) => e,
    })
}

/// Which part of a transaction failed: the API-log rows it carried, or the request's own.
enum Failed {
    Logging(ApiError),
    Request(ApiError),
}

fn run_postgres_on<T>(
    conn: &mut PgConn,
    autocommit: bool,
    logs: &[super::ApiLog],
    f: &impl Fn(&Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, Failed> {
    let PgConn { client, cache } = conn;
    let handle = if autocommit {
        Pg::Autocommit(client)
    } else {
        Pg::Tx(
            client
                .transaction()
                .map_err(|e| Failed::Request(pg_error(e)))?,
        )
    };
    let tx = Tx {
        kind: Kind::Postgres {
            tx: RefCell::new(handle),
            cache: RefCell::new(cache),
        },
    };
    if !logs.is_empty() {
        super::append_api_logs(&tx, logs).map_err(Failed::Logging)?;
    }
    let out = f(&tx).map_err(Failed::Request)?;
    if let Kind::Postgres { tx, .. } = tx.kind {
        if let Pg::Tx(t) = tx.into_inner() {
            t.commit().map_err(|e| Failed::Request(pg_error(e)))?;
        }
    }
    Ok(out)
}

struct PgConn {
    client: postgres::Client,
    /// Prepared statements by their `?N` text: each statement is parsed once per
    /// connection.
    cache: HashMap<String, postgres::Statement>,
}

/// A fixed set of PostgreSQL connections, each used by one transaction at a time.
struct Pool {
    config: postgres::Config,
    idle: Mutex<Vec<PgConn>>,
    returned: Condvar,
}

/// How long a transaction waits for a free connection before failing.
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl Pool {
    fn open(url: &str) -> Result<Pool, StartError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|_| StartError::Usage("--database: not a valid postgres:// URL".into()))?;
        let first = connect(&config)
            .map_err(|e| StartError::Storage(format!("postgres: {}", describe(&e))))?;
        let mut conns = vec![first];
        // The schema is created once, under an advisory lock: several processes starting
        // together on an empty database must not race on CREATE TABLE.
        if let Some(c) = conns.first_mut() {
            let mut tx = c
                .client
                .transaction()
                .map_err(|e| StartError::Storage(describe(&e)))?;
            tx.execute("SELECT pg_advisory_xact_lock(7317001)", &[])
                .map_err(|e| StartError::Storage(describe(&e)))?;
            tx.batch_execute(&super::schema_postgres())
                .map_err(|e| StartError::Storage(describe(&e)))?;
            tx.commit().map_err(|e| StartError::Storage(describe(&e)))?;
        }
        for _ in 1..POSTGRES_CONNECTIONS {
            conns.push(
                connect(&config)
                    .map_err(|e| StartError::Storage(format!("postgres: {}", describe(&e))))?,
            );
        }
        Ok(Pool {
            config,
            idle: Mutex::new(conns),
            returned: Condvar::new(),
        })
    }

    fn take(&self) -> Result<PgConn, ApiError> {
        fn poisoned<E>(_: E) -> ApiError {
            ApiError::internal("storage: pool lock poisoned")
        }
        let mut idle = self.idle.lock().map_err(poisoned)?;
        let deadline = std::time::Instant::now() + POOL_WAIT;
        let mut conn = loop {
            if let Some(c) = idle.pop() {
                break c;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(ApiError::internal("storage: no free database connection"));
            }
            idle = self.returned.wait_timeout(idle, left).map_err(poisoned)?.0;
        };
        drop(idle);
        // A connection the server closed (restart, idle timeout) is replaced here; if the
        // server is still away, the broken one goes back so the pool keeps its size.
        if conn.client.is_closed() {
            match connect(&self.config) {
                Ok(fresh) => conn = fresh,
                Err(e) => {
                    self.give_back(conn);
                    return Err(ApiError::internal(format_args!(
                        "storage (postgres): {}",
                        describe(&e)
                    )));
                }
            }
        }
        Ok(conn)
    }

    fn give_back(&self, conn: PgConn) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        self.returned.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A `postgres::Client` closes itself on drop by blocking on its own runtime, which
        // panics inside an async context: the connections are closed on a plain thread.
        if let Ok(mut idle) = self.idle.lock() {
            let conns = std::mem::take(&mut *idle);
            let _ = std::thread::Builder::new()
                .name("paystate-pg-close".into())
                .spawn(move || drop(conns));
        }
    }
}

fn connect(config: &postgres::Config) -> Result<PgConn, postgres::Error> {
    Ok(PgConn {
        client: config.connect(postgres::NoTls)?,
        cache: HashMap::new(),
    })
}

/// A connection or statement error without the connection string.
fn describe(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_owned())
        .or_else(|| e.source().map(ToString::to_string))
        .unwrap_or_else(|| e.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A file from before the PostgreSQL work (no version, account or claim columns) opens
    /// and gains them; opening again changes nothing.
    #[test]
    fn an_older_sqlite_file_gains_the_new_columns() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE invoices (id TEXT PRIMARY KEY, created_seq INTEGER NOT NULL,
                 reference TEXT NOT NULL UNIQUE, status TEXT NOT NULL, state TEXT NOT NULL,
                 view TEXT NOT NULL, callback_url TEXT, next_deadline INTEGER);
             INSERT INTO invoices VALUES ('a', 1, 'r', 'pending', '{}', '{}', NULL, NULL);
             CREATE TABLE deliveries (id TEXT PRIMARY KEY, created_seq INTEGER NOT NULL,
                 event_type TEXT NOT NULL, invoice_id TEXT, reference TEXT, url TEXT NOT NULL,
                 body BLOB NOT NULL, plan TEXT NOT NULL, next_at INTEGER,
                 created_at INTEGER NOT NULL);",
        )
        .unwrap();
        conn.execute_batch(crate::store::SCHEMA_SQLITE).unwrap();
        add_missing_columns(&conn).unwrap();
        add_missing_columns(&conn).unwrap();
        let (version, account): (i64, Option<String>) = conn
            .query_row(
                "SELECT version, account FROM invoices WHERE id = 'a'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((version, account), (1, None));
        conn.execute_batch("SELECT claim, claimed_until FROM deliveries")
            .unwrap();
    }

    fn log(n: i64) -> crate::store::ApiLog {
        crate::store::ApiLog {
            at: n,
            method: "GET".into(),
            path: format!("/api/v1/{n}"),
            status: 200,
            duration_ms: 1,
        }
    }

    fn paths(logs: &[crate::store::ApiLog]) -> Vec<&str> {
        logs.iter().map(|l| l.path.as_str()).collect()
    }

    /// A queued API-log row rides in the next transaction; one that rolled back keeps its
    /// rows for the one after; with no transaction coming, the timer writes them.
    #[tokio::test]
    async fn queued_api_log_rows_are_written_once_in_order() {
        let db = Db::open(&Database::Memory).await.unwrap();
        db.log_api_request(log(1));
        let failed = db
            .tx(|_| Err::<(), _>(ApiError::bad_request("refused")))
            .await;
        assert!(failed.is_err());
        // `read_one` carries no rows: nothing is written yet.
        let none = db
            .read_one(|tx| crate::store::api_logs(tx, 10))
            .await
            .unwrap();
        assert!(none.is_empty(), "{none:?}");
        db.log_api_request(log(2));
        let read = db.tx(|tx| crate::store::api_logs(tx, 10)).await.unwrap();
        assert_eq!(paths(&read), ["/api/v1/2", "/api/v1/1"]);

        db.log_api_request(log(3));
        let mut seen = Vec::new();
        for _ in 0..500 {
            tokio::time::sleep(API_LOG_FLUSH_AFTER).await;
            seen = db
                .read_one(|tx| crate::store::api_logs(tx, 10))
                .await
                .unwrap();
            if seen.len() == 3 {
                break;
            }
        }
        assert_eq!(paths(&seen), ["/api/v1/3", "/api/v1/2", "/api/v1/1"]);
    }

    #[test]
    fn a_connection_string_is_shown_without_its_password() {
        let db = Database::from_arg(Path::new(
            "postgres://paystate:s3cret@127.0.0.1:5432/db?password=other",
        ));
        for shown in [db.to_string(), format!("{db:?}")] {
            assert!(
                !shown.contains("s3cret") && !shown.contains("other"),
                "{shown}"
            );
            assert!(
                shown.contains("postgres://paystate:***@127.0.0.1:5432/db"),
                "{shown}"
            );
        }
        assert_eq!(
            Database::from_arg(Path::new("postgresql://h/db")).to_string(),
            "postgresql://h/db"
        );
        assert_eq!(Database::from_arg(Path::new(":memory:")), Database::Memory);
        assert_eq!(
            Database::from_arg(Path::new("a.sqlite3")),
            Database::Sqlite("a.sqlite3".into())
        );
    }
}
