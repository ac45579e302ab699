//! Backups of an instance on SQLite: a consistent copy taken while it serves (`VACUUM INTO`, a
//! read transaction, so writers go on), checked before it is reported; and putting one back in
//! place of the database, keeping the replaced file. PostgreSQL instances use pg_dump.

use super::{ConnectionManager, DbConn};
use crate::config::Settings;
use anyhow::{bail, Context};
use diesel::{sql_query, sql_types::Text, QueryableByName, RunQueryDsl};
use std::path::{Path, PathBuf};

const ON_POSTGRES: &str = "this instance's database is PostgreSQL: back it up with \
                           `pg_dump -Fc` and restore with `pg_restore` (docs/DEPLOYMENT.md)";

/// What a checked copy holds.
#[derive(Debug)]
pub struct Checked {
    pub bytes: u64,
    /// Applied migrations.
    pub migrations: usize,
    pub accounts: i64,
    pub communities: i64,
    pub posts: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn sqlite_settings(settings: &Settings, path: &Path) -> Settings {
    Settings {
        database_url: path.display().to_string(),
        ..settings.clone()
    }
}

/// The file of the instance's SQLite database.
pub fn database_file(settings: &Settings) -> anyhow::Result<PathBuf> {
    match settings.sqlite_path() {
        Some(path) => Ok(path.to_path_buf()),
        None => bail!(ON_POSTGRES),
    }
}

/// Opens `path` as a copse database and checks it: SQLite's integrity check passes, its
/// migrations are all ones this copse knows, and its tables answer.
pub fn check(settings: &Settings, path: &Path) -> anyhow::Result<Checked> {
    anyhow::ensure!(path.is_file(), "{} is not a file", path.display());
    let manager = ConnectionManager::new(&sqlite_settings(settings, path));
    let mut conn = manager
        .connect_once()
        .with_context(|| format!("opening {}", path.display()))?;
    let DbConn::Sqlite(ref mut sqlite) = conn else {
        bail!(ON_POSTGRES);
    };
    let lines: Vec<Line> = sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
        .load(sqlite)
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if lines.len() != 1 || lines[0].line != "ok" {
        let found: Vec<_> = lines.into_iter().map(|l| l.line).take(5).collect();
        bail!(
            "{} fails SQLite's integrity check: {found:?}",
            path.display()
        );
    }
    let applied = super::applied_migrations(&mut conn)
        .with_context(|| format!("{} is not a copse database", path.display()))?;
    let known = super::known_migrations(&conn);
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        bail!(
            "{} was migrated by a newer copse (migration {unknown} is unknown here)",
            path.display()
        );
    }
    let count = |conn: &mut DbConn, table: &str| -> anyhow::Result<i64> {
        let DbConn::Sqlite(sqlite) = conn else {
            bail!(ON_POSTGRES);
        };
        let rows: Vec<Count> = sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .load(sqlite)
            .with_context(|| format!("reading {table}"))?;
        Ok(rows.first().map_or(0, |c| c.n))
    };
    Ok(Checked {
        bytes: std::fs::metadata(path)?.len(),
        migrations: applied.len(),
        accounts: count(&mut conn, "local_users")?,
        communities: count(&mut conn, "communities")?,
        posts: count(&mut conn, "posts")?,
    })
}

/// Writes a consistent copy of the database to `dest` (which must not exist) while the
/// instance may be serving, then checks the copy.
pub fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<Checked> {
    database_file(settings)?;
    anyhow::ensure!(
        !dest.exists(),
        "{} exists: choose a new file name",
        dest.display()
    );
    let mut conn = ConnectionManager::new(settings)
        .connect_once()
        .context("opening the database")?;
    let DbConn::Sqlite(ref mut sqlite) = conn else {
        bail!(ON_POSTGRES);
    };
    sql_query("VACUUM INTO ?")
        .bind::<Text, _>(dest.display().to_string())
        .execute(sqlite)
        .with_context(|| format!("writing {}", dest.display()))?;
    check(settings, dest)
}

/// Puts the backup `src` in place of the database (copse must be stopped). The database it
/// replaces is kept beside it as `<file>.before-restore`.
pub fn restore(settings: &Settings, src: &Path) -> anyhow::Result<(Checked, Option<PathBuf>)> {
    let target = database_file(settings)?;
    let checked = check(settings, src)?;
    let staged = target.with_extension("restoring");
    std::fs::copy(src, &staged).with_context(|| format!("copying to {}", staged.display()))?;
    let kept = if target.exists() {
        let kept = PathBuf::from(format!("{}.before-restore", target.display()));
        // A consistent copy of what is replaced (with whatever its WAL still held).
        if kept.exists() {
            std::fs::remove_file(&kept)?;
        }
        let mut conn = ConnectionManager::new(settings).connect_once()?;
        let DbConn::Sqlite(ref mut sqlite) = conn else {
            bail!(ON_POSTGRES);
        };
        sql_query("VACUUM INTO ?")
            .bind::<Text, _>(kept.display().to_string())
            .execute(sqlite)
            .with_context(|| format!("keeping the current database as {}", kept.display()))?;
        Some(kept)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::rename(&staged, &target)
        .with_context(|| format!("moving the backup into {}", target.display()))?;
    Ok((checked, kept))
}
