//! The proxy's SQLite file: the response cache, the dashboards, the
//! extraction jobs and the spending ledger. One connection behind a mutex: every statement is small,
//! and SQLite serialises writers anyway.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
#[error("the database {path}: {source}")]
pub struct DbError {
    path: String,
    #[source]
    source: rusqlite::Error,
}

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS response_cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dashboards (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    delete_token_sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS response_cache_by_age ON response_cache (created_at);
CREATE TABLE IF NOT EXISTS spending (
    scope TEXT PRIMARY KEY,
    usd REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS extraction_jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
";

impl Db {
    /// Opens (creating when needed) the database file and its tables.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let wrap = |source| DbError { path: path.display().to_string(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path).map_err(wrap)?;
        conn.execute_batch(SCHEMA).map_err(wrap)?;
        Ok(Db { conn: Arc::new(Mutex::new(conn)) })
    }

    /// A private database in memory, for tests and throwaway runs.
    pub fn in_memory() -> Db {
        let conn = Connection::open_in_memory().expect("SQLite opens in memory");
        conn.execute_batch(SCHEMA).expect("the schema is valid");
        Db { conn: Arc::new(Mutex::new(conn)) }
    }

    /// Runs `f` with the connection. A panic in another holder poisons the
    /// mutex; the connection itself is still sound, so the poison is ignored.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }
}

/// Seconds since the Unix epoch, for `created_at` columns.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
