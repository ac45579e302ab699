//! SQLite's single writer: one thread with a connection of its own runs every write closure
//! (`AppContext::write`) in arrival order, several to a transaction (group commit), each inside
//! a savepoint so that one closure's failure undoes only its own writes. A closure's result is
//! handed back only after the transaction holding it committed, so a caller that sees `Ok` has
//! its change on disk. SQLite allows one writer at a time anyway; queueing writers here instead
//! of in SQLite's busy handler (which sleeps and retries) saves the wake-ups, the lock
//! contention and most of the per-commit work (docs/PERFORMANCE.md). PostgreSQL does not use it.

use super::DbConn;
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use std::{panic::AssertUnwindSafe, sync::mpsc};
use tokio::sync::oneshot;

/// Most closures in one transaction.
const MAX_GROUP: usize = 64;

/// Hands a closure's result to its caller once the transaction's fate is known.
type Completion = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A queued write: runs on the writer's connection (or learns it cannot) and answers how to
/// complete.
type Job = Box<dyn FnOnce(std::result::Result<&mut Group, String>) -> Completion + Send>;

/// The transaction a group of closures runs in.
struct Group {
    conn: DbConn,
    /// A savepoint could not be taken, released or rolled back to: the whole transaction is
    /// rolled back and every closure in it fails.
    broken: bool,
}

/// The queue of the writer thread; the thread ends when the last `Writer` is dropped.
#[derive(Clone)]
pub struct Writer(mpsc::Sender<Job>);

impl Writer {
    /// On SQLite, starts the single writer on a connection of its own; on PostgreSQL (or when
    /// that connection cannot be opened: writes then take a pooled connection), none.
    pub fn for_settings(settings: &crate::config::Settings) -> Option<Writer> {
        if settings.backend() != crate::config::Backend::Sqlite {
            return None;
        }
        let conn = super::ConnectionManager::new(settings)
            .connect_once()
            .ok()?;
        Writer::start(conn, &settings.hostname).ok()
    }

    /// Starts the writer thread on `conn` (a SQLite connection with its pragmas set).
    pub fn start(conn: DbConn, name: &str) -> std::io::Result<Writer> {
        let (sender, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(format!("sqlite-writer {name}"))
            .spawn(move || run(conn, receiver))?;
        Ok(Writer(sender))
    }

    /// Runs `f` in the writer's next transaction; answers its result once that committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(group) if !group.broken => in_savepoint(group, f),
                Ok(_) => Err(unavailable("the transaction was rolled back".into())),
                Err(e) => Err(unavailable(e)),
            };
            Box::new(move |committed| {
                let _ = tx.send(match (result, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(unavailable(e)),
                    (Err(e), _) => Err(e),
                });
            })
        });
        self.0
            .send(job)
            .map_err(|_| unavailable("the database writer has stopped".into()))?;
        rx.await
            .map_err(|_| unavailable("the database writer has stopped".into()))?
    }
}

/// A transaction that could not begin or commit (the lock held by another process past
/// `busy_timeout`, a full disk): 503, the client may try again.
fn unavailable(message: String) -> Error {
    Error::unavailable(anyhow::anyhow!("database write: {message}"))
}

/// Runs `f` inside `SAVEPOINT`: released on success, rolled back to on failure or panic.
fn in_savepoint<T>(group: &mut Group, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    let conn = &mut group.conn;
    if let Err(e) = conn.batch_execute("SAVEPOINT job") {
        group.broken = true;
        return Err(e.into());
    }
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| f(conn))).unwrap_or_else(|_| {
        Err(Error::internal(anyhow::anyhow!(
            "a database write panicked"
        )))
    });
    let undone = match result {
        Ok(_) => Ok(()),
        Err(_) => conn.batch_execute("ROLLBACK TO job"),
    };
    if undone
        .and_then(|()| conn.batch_execute("RELEASE job"))
        .is_err()
    {
        group.broken = true;
    }
    result
}

fn run(conn: DbConn, jobs: mpsc::Receiver<Job>) {
    let mut group_tx = Group {
        conn,
        broken: false,
    };
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = group_tx.conn.batch_execute("BEGIN IMMEDIATE") {
            let message = e.to_string();
            for job in group {
                job(Err(message.clone()))(Err(message.clone()));
            }
            continue;
        }
        group_tx.broken = false;
        let completions: Vec<Completion> = group
            .into_iter()
            .map(|job| job(Ok(&mut group_tx)))
            .collect();
        let committed = if group_tx.broken {
            let _ = group_tx.conn.batch_execute("ROLLBACK");
            Err("the transaction was rolled back".to_string())
        } else {
            group_tx.conn.batch_execute("COMMIT").map_err(|e| {
                let _ = group_tx.conn.batch_execute("ROLLBACK");
                e.to_string()
            })
        };
        for complete in completions {
            complete(committed.clone());
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use diesel::{sql_query, sql_types::BigInt, Connection, QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// Many writes at once, some failing half-way or panicking: the others commit, the failed
    /// ones leave nothing, and every caller hears its own outcome.
    #[tokio::test]
    async fn a_failed_write_undoes_only_itself() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("w.db");
        let mut conn = DbConn::Sqlite(
            diesel::SqliteConnection::establish(path.to_str().expect("path")).expect("open"),
        );
        conn.batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER NOT NULL);")
            .expect("schema");
        let writer = Writer::start(conn, "test").expect("writer");
        let writes = (0..40).map(|i| {
            let writer = writer.clone();
            async move {
                writer
                    .write(move |conn| {
                        sql_query(format!("INSERT INTO t (n) VALUES ({i})")).execute(conn)?;
                        match i % 10 {
                            3 => Err(Error::invalid_field("n", "refused after writing")),
                            7 => panic!("a write that panics"),
                            _ => Ok(i),
                        }
                    })
                    .await
            }
        });
        let results = futures::future::join_all(writes).await;
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result.is_ok(), i % 10 != 3 && i % 10 != 7, "write {i}");
        }
        let count = writer
            .write(|conn| {
                Ok(
                    sql_query("SELECT COUNT(*) AS n FROM t WHERE n % 10 NOT IN (3, 7)")
                        .get_result::<Count>(conn)?
                        .n
                        * 1000
                        + sql_query("SELECT COUNT(*) AS n FROM t")
                            .get_result::<Count>(conn)?
                            .n,
                )
            })
            .await
            .expect("count");
        assert_eq!(count, 32 * 1000 + 32);
    }
}
