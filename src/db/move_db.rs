//! Moving an instance from its SQLite file into an empty PostgreSQL database: every table in
//! dependency order, in batches, inside one transaction on the target (a failed move leaves it
//! empty); ids are kept and PostgreSQL's sequences set past them; row counts are compared on
//! both sides at the end.
//!
//! Rows travel as JSON: SQLite's `json_object` writes each row keyed by column name, and
//! PostgreSQL's `json_populate_recordset` reads a batch back through each column's own type, so
//! booleans (SQLite's 0/1), timestamps, NULLs and any Unicode text arrive as they were.

use super::{backup, search, versions::DERIVED, DbConn};
use crate::config::Settings;
use anyhow::{bail, Context};
use diesel::{
    connection::SimpleConnection,
    sql_query,
    sql_types::{BigInt, Text},
    Connection, PgConnection, QueryableByName, RunQueryDsl,
};

/// Every table, parents before the tables that refer to them. A unit test checks this list
/// against `schema.rs`, and a move refuses a source holding a table that is not listed.
pub const TABLES: &[&str] = &[
    "actor_names",
    "persons",
    "local_users",
    "sessions",
    "feed_tokens",
    "communities",
    "community_members",
    "instance_actor",
    "received_activities",
    // Before the posts and comments they count towards: a vote's trigger adds it to the score
    // of its object's row, which is not there yet, so the moved scores arrive as they were.
    "votes",
    "posts",
    "comments",
    "event_series",
    "events",
    "event_rsvps",
    "event_organizers",
    "event_attendance",
    "polls",
    "poll_options",
    "poll_votes",
    "surveys",
    "survey_questions",
    "survey_respondents",
    "survey_answers",
    "community_bans",
    "mod_log",
    "reports",
    "invitations",
    "instance_policy",
    "outbox_events",
    "outbox_activities",
    "deliveries",
    "instance_health",
    "instance_software",
    "tombstones",
    "account_tokens",
    "mail_queue",
    "login_throttles",
    "state_versions",
    "notifications",
    "mail_opt_outs",
    "digest_settings",
    "digest_overrides",
    "digest_runs",
    "community_digests",
    "event_sources",
    "membership_events",
    "health_snapshots",
    "library_settings",
    "library_editors",
    "library_pages",
    "library_revisions",
    "library_links",
    "library_resources",
    "library_files",
    "community_links",
    "post_communities",
    "received_attachments",
];

/// The SQLite tables made `WITHOUT ROWID` (so that their order is not the order written), with
/// the key they are copied in order of (an anonymous survey's answers: their random ids).
const WITHOUT_ROWID: &[(&str, &str)] = &[
    ("survey_respondents", "survey_id, person_id"),
    ("survey_answers", "id"),
];

/// Rows per batch read from SQLite and written to PostgreSQL.
const BATCH: i64 = 500;

/// One table's row count on each side after the move.
#[derive(Debug)]
pub struct Counted {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
}

/// Told as the copy goes: a table starts (with its row count), then rows copied so far.
pub enum Progress {
    Table { table: &'static str, rows: u64 },
    Copied(u64),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

/// Copies this instance's SQLite database into the PostgreSQL database at `target_url`
/// (migrated here, and refused unless empty), then counts every table on both sides.
pub fn move_to_postgres(
    settings: &Settings,
    target_url: &str,
    progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<Vec<Counted>> {
    anyhow::ensure!(
        target_url.starts_with("postgres://") || target_url.starts_with("postgresql://"),
        "--to must be a PostgreSQL URL (postgres://user:password@host/database)"
    );
    let path = backup::database_file(settings)?;
    backup::check(settings, &path)?;
    let mut source = super::ConnectionManager::new(settings)
        .connect_once()
        .context("opening the SQLite database")?;
    let known = super::known_migrations(&source);
    let applied = super::applied_migrations(&mut source)?;
    if let Some(missing) = known.iter().find(|v| !applied.contains(v)) {
        bail!("the SQLite database lacks migration {missing}: run `copse migrate` first");
    }
    let DbConn::Sqlite(ref mut sqlite) = source else {
        bail!("the instance's database is not SQLite");
    };
    let found: Vec<Name> = sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
    )
    .load(sqlite)?;
    let known = |t: &Name| {
        let name = t.name.as_str();
        TABLES.contains(&name) || DERIVED.contains(&name) || search::DERIVED.contains(&name)
    };
    if let Some(unknown) = found.iter().find(|t| !known(t)) {
        bail!(
            "table {} is not in db::move_db::TABLES: this copse cannot move it",
            unknown.name
        );
    }

    super::init_openssl();
    let mut target = DbConn::Pg(
        PgConnection::establish(target_url)
            .with_context(|| "connecting to the target PostgreSQL database".to_string())?,
    );
    let target_known = super::known_migrations(&target);
    let target_applied = super::applied_migrations(&mut target).unwrap_or_default();
    if let Some(unknown) = target_applied.iter().find(|v| !target_known.contains(v)) {
        bail!("the target was migrated by another copse (migration {unknown} is unknown here)");
    }
    super::run_migrations(&mut target).context("migrating the target database")?;
    let DbConn::Pg(ref mut pg) = target else {
        bail!("the target is not PostgreSQL");
    };
    for table in TABLES {
        let rows = count(pg, table)?;
        if rows > 0 {
            bail!(
                "the target database is not empty ({table} has {rows} rows): move into a new, \
                 empty database (createdb), nothing was written"
            );
        }
    }

    // One read transaction: the copy is one consistent state of the source.
    sqlite.batch_execute("BEGIN DEFERRED")?;
    let copied = pg.transaction(|pg| -> anyhow::Result<()> {
        for table in TABLES {
            copy_table(sqlite, pg, table, progress).with_context(|| format!("copying {table}"))?;
        }
        Ok(())
    });
    sqlite.batch_execute("COMMIT")?;
    copied.context("the move failed and was rolled back: the target database is left empty")?;

    TABLES
        .iter()
        .map(|table| {
            Ok(Counted {
                table,
                source: count(sqlite, table)?,
                target: count(pg, table)?,
            })
        })
        .collect()
}

fn count<C>(conn: &mut C, table: &str) -> anyhow::Result<i64>
where
    C: Connection,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Count>,
{
    let rows: Vec<Count> = sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .load(conn)
        .with_context(|| format!("counting {table}"))?;
    Ok(rows.first().map_or(0, |c| c.n))
}

/// Copies one table in rowid order (ids ascend, so a reply's parent comes before it), then sets
/// its `id` sequence, if it has one, past the largest id copied.
fn copy_table(
    sqlite: &mut diesel::SqliteConnection,
    pg: &mut PgConnection,
    table: &'static str,
    progress: &mut dyn FnMut(Progress),
) -> anyhow::Result<()> {
    let columns: Vec<Name> = sql_query(format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))
    .load(sqlite)?;
    let object = columns
        .iter()
        .map(|c| format!("'{0}', \"{0}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = count(sqlite, table)?;
    progress(Progress::Table {
        table,
        rows: rows.try_into().unwrap_or(0),
    });
    let keyed = WITHOUT_ROWID.iter().find(|(t, _)| *t == table);
    // A table without rowid is read in its key's order, a batch after the rows read so far.
    let select = match keyed {
        Some((_, key)) => format!(
            "SELECT 0 AS position, json_object({object}) AS row FROM {table} \
             ORDER BY {key} LIMIT {BATCH} OFFSET ?"
        ),
        None => format!(
            "SELECT rowid AS position, json_object({object}) AS row FROM {table} \
             WHERE rowid > ? ORDER BY rowid LIMIT {BATCH}"
        ),
    };
    let insert = format!(
        "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)"
    );
    let (mut after, mut read, mut done) = (i64::MIN, 0i64, 0u64);
    loop {
        let from = if keyed.is_some() { read } else { after };
        let batch: Vec<JsonRow> = sql_query(&select).bind::<BigInt, _>(from).load(sqlite)?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        read += batch.len() as i64;
        let json = format!(
            "[{}]",
            batch
                .iter()
                .map(|r| r.row.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        let written = sql_query(&insert).bind::<Text, _>(json).execute(pg)?;
        done += u64::try_from(written).unwrap_or(0);
        progress(Progress::Copied(done));
    }
    if keyed.is_none() && columns.iter().any(|c| c.name == "id") {
        sql_query(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ))
        .execute(pg)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::TABLES;

    #[test]
    fn every_table_in_the_schema_is_moved_once() {
        let schema = include_str!("schema.rs");
        let mut declared: Vec<&str> = schema
            .split("diesel::table! {")
            .skip(1)
            .filter_map(|block| block.split_whitespace().next())
            .collect();
        let mut listed = TABLES.to_vec();
        declared.sort_unstable();
        listed.sort_unstable();
        assert_eq!(
            listed, declared,
            "db::move_db::TABLES must list every table once"
        );
    }
}
