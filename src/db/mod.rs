//! Every query lives here, one file per table family, as concrete functions over `DbConn`.
//! `DbConn` is one of SQLite or PostgreSQL, chosen at run time from the database URL; the few
//! places where the engines differ branch on it with a plain `match`, in this folder only.

pub mod account_tokens;
pub mod accounts;
pub mod archive;
pub mod attachments;
pub mod backup;
pub mod bans;
pub mod communities;
pub mod digests;
pub mod event_sources;
pub mod events;
pub mod feeds;
pub mod health;
pub mod instance;
pub mod library;
pub mod library_links;
pub mod library_resources;
pub mod links;
pub mod mail;
pub mod mail_preferences;
pub mod members;
pub mod moderation;
pub mod move_db;
pub mod notifications;
pub mod outbox;
pub mod polls;
pub mod posts;
pub mod schema;
pub mod search;
pub mod series;
pub mod shares;
pub mod surveys;
pub mod throttles;
pub mod versions;
pub mod votes;
pub mod writer;

use crate::{
    config::Settings,
    error::{Error, Result},
};
use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::{
    connection::SimpleConnection,
    r2d2::{self, ManageConnection, Pool},
    Connection, PgConnection, RunQueryDsl, SqliteConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};

/// A database connection of either engine.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = Pool<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Opens connections by URL scheme (the derived `establish` tries each engine in turn and hides
/// the real error), and sets SQLite's per-connection pragmas.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    /// The SQLite file; None on PostgreSQL.
    sqlite: Option<PathBuf>,
    busy_timeout_ms: u64,
}

impl ConnectionManager {
    pub fn new(settings: &Settings) -> Self {
        ConnectionManager {
            url: settings.database_url.clone(),
            sqlite: settings.sqlite_path().map(Path::to_path_buf),
            busy_timeout_ms: settings.sqlite_busy_timeout_ms,
        }
    }

    pub fn connect_once(&self) -> Result<DbConn, r2d2::Error> {
        init_openssl();
        match &self.sqlite {
            None => Ok(DbConn::Pg(
                PgConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?,
            )),
            Some(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                // busy_timeout first: the WAL switch itself may need to wait for a lock.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                    self.busy_timeout_ms
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.connect_once()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Initialises OpenSSL the way the `openssl` crate does, without an exit handler, before libpq
/// can initialise it first with one: OpenSSL's exit handler frees its state while other threads
/// (deliveries being signed, inbox requests being verified) may still use it, which crashed the
/// process at exit. Whoever initialises OpenSSL first decides; call this before any PostgreSQL
/// connection is opened.
pub fn init_openssl() {
    openssl::init();
}

/// Creates the SQLite file's folder if needed, opens the pool and runs pending migrations.
pub fn open(settings: &Settings) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::new(settings);
    if let Some(dir) = settings.sqlite_path().and_then(Path::parent) {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("creating database folder {}: {e}", dir.display()))?;
        }
    }
    // Connect once outside the pool so a wrong URL or password gives its real message.
    let mut first = manager
        .connect_once()
        .map_err(|e| anyhow::anyhow!("connecting to the database: {e}"))?;
    run_migrations(&mut first)?;
    drop(first);
    // On SQLite the pool serves reads only (WAL lets them run beside the writer thread, which
    // has its own connection); a cap of 4 made concurrent requests queue for a connection
    // (ingest at concurrency 16: 841/s with 4, about 1,070/s with the default 8).
    Pool::builder()
        .max_size(settings.database_pool_size)
        // Not `SELECT 1` before every checkout (r2d2's default): that doubled the statements of
        // a short query. A connection that broke fails its query, which reports the error, and
        // r2d2 replaces it once `has_broken` or the next `is_valid` (idle reaping) says so.
        .test_on_check_out(false)
        // One connection is opened at start and more as requests need them (up to the cap),
        // not the whole cap at once: an idle instance holds one PostgreSQL backend, not eight,
        // and several instances (or `serve` + `worker`) stay far from `max_connections`.
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("opening the database pool: {e}"))
}

/// Runs the pending migrations of the connection's engine; returns the names applied.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// The versions of the migrations applied to this database.
pub fn applied_migrations(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => MigrationHarness::applied_migrations(c),
        DbConn::Pg(c) => MigrationHarness::applied_migrations(c),
    }
    .map_err(|e| anyhow::anyhow!("reading the applied migrations: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// The versions of the migrations this build knows for the connection's engine.
pub fn known_migrations(conn: &DbConn) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let versions = match conn {
        DbConn::Sqlite(_) => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        }
        DbConn::Pg(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|all| all.iter().map(|m| m.name().version().to_string()).collect()),
    };
    versions.unwrap_or_default()
}

/// How many migrations of the connection's engine are not applied yet (for `/readyz`).
pub fn pending_migrations(conn: &mut DbConn) -> Result<usize> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS).map(|p| p.len()),
        DbConn::Pg(c) => c.pending_migrations(POSTGRES_MIGRATIONS).map(|p| p.len()),
    };
    pending.map_err(|e| Error::from(anyhow::anyhow!("reading the applied migrations: {e}")))
}

/// Holds `key` until the caller's write transaction ends: a write that reads something to
/// decide what it writes (a sum, a count of places) takes it first, so that two such writes on
/// one thing run one after the other. On PostgreSQL a transaction-scoped advisory lock on a hash
/// of the key (a collision only makes two keys' writes wait for each other), one statement;
/// without it, read committed lets two transactions side by side each read the state before
/// the other's write (a lost vote, an overbooked event). On SQLite nothing: its one writer
/// already runs write transactions one at a time.
pub fn hold(conn: &mut DbConn, key: &str) -> Result<()> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
    }
    Ok(())
}

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is
/// taken (waiting up to busy_timeout) before anything is read, and a transaction never fails
/// half-way because another writer got in between its read and its write.
/// Callers must not open nested transactions inside `f`.
pub fn write_tx<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    match conn {
        DbConn::Pg(_) => conn.transaction(f),
        DbConn::Sqlite(_) => {
            conn.batch_execute("BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => match conn.batch_execute("COMMIT") {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        let _ = conn.batch_execute("ROLLBACK");
                        Err(Error::from(e))
                    }
                },
                Err(e) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
    }
}

/// The current time as stored: UTC, truncated to microseconds (PostgreSQL's precision), so a
/// value reads back equal on both engines.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A URL column (stored as TEXT), parsed when read so that ActivityPub ids are `Url`s in code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DbUrl(pub url::Url);

impl TryFrom<String> for DbUrl {
    type Error = url::ParseError;

    fn try_from(value: String) -> Result<Self, url::ParseError> {
        url::Url::parse(&value).map(DbUrl)
    }
}

impl std::ops::Deref for DbUrl {
    type Target = url::Url;

    fn deref(&self) -> &url::Url {
        &self.0
    }
}

impl std::fmt::Display for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}
