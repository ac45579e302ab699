//! Full-text search over threads (title, body), communities (name, title, charter) and library
//! pages (title, text): the one place where the two engines' search differs. SQLite keeps FTS5
//! tables (`post_search`, `community_search`, `page_search`, rowid = the row's id) ranked by `bm25`; PostgreSQL keeps a GIN-indexed
//! `tsvector` per row (same table names) ranked by `ts_rank`. Triggers in the migration
//! `2026-12-02-002400_search` (and `2026-12-03-000610_library_search`) keep them current from every writer; `reindex` rebuilds them.
//! What the reader typed arrives as `domain::search::Terms`, words only, so no input is read
//! as query syntax; the communities a reader may see arrive as the read gate's `Scope`.

use super::{communities::Scope, schema::communities, write_tx, DbConn};
use crate::{domain::communities::Visibility, domain::search::Terms, error::Result};
use diesel::{
    dsl::sql,
    sql_query,
    sql_types::{BigInt, Bool, Text},
    BoxableExpression, Connection, QueryableByName, RunQueryDsl,
};

type Backend = <DbConn as Connection>::Backend;

/// The search tables and, on SQLite, FTS5's own tables behind them: derived from `posts` and
/// `communities`, so `move_db` leaves them out (PostgreSQL's triggers refill them as the rows
/// arrive).
pub const DERIVED: &[&str] = &[
    "post_search",
    "post_search_data",
    "post_search_idx",
    "post_search_content",
    "post_search_docsize",
    "post_search_config",
    "community_search",
    "community_search_data",
    "community_search_idx",
    "community_search_content",
    "community_search_docsize",
    "community_search_config",
    "page_search",
    "page_search_data",
    "page_search_idx",
    "page_search_content",
    "page_search_docsize",
    "page_search_config",
];

/// Column weights: a word in a title (or a community's name or title) counts more than one in
/// a body (or a charter). FTS5's `bm25` takes one per column; PostgreSQL's `ts_rank` uses the
/// weights A (titles) and B (bodies) the migration gives, by default 1.0 and 0.4.
const POST_BM25: &str = "bm25(post_search, 10.0, 1.0)";
const PAGE_BM25: &str = "bm25(page_search, 10.0, 1.0)";
const COMMUNITY_BM25: &str = "bm25(community_search, 10.0, 10.0, 1.0)";

/// How many of the newest matching threads a search ranks. Finding them costs little on both
/// engines (FTS5 walks its index backwards by rowid and stops; PostgreSQL either reads the GIN
/// index for a rare word or walks `post_search`'s key backwards for a common one); ranking a
/// million matches does not. As many as `views::search::MAX_PAGE` pages of 20 show.
pub const CANDIDATES: i64 = 1_000;

/// A community's charter as SQLite indexes it (the migration's triggers say the same).
const SQLITE_CHARTER: &str = "summary_md || ' ' || purpose || ' ' || domain || ' ' || practice \
     || ' ' || meeting_cadence || ' ' || code_of_conduct_md";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The condition on `c` (the community) that keeps a search within `scope`. The only value in
/// it is a person's id, an integer.
fn scope_sql(scope: Scope) -> String {
    let public = Visibility::Public.as_str();
    match scope {
        Scope::All => "1 = 1".into(),
        Scope::Public => format!("c.visibility = '{public}'"),
        Scope::PublicAndMemberOf(person) => format!(
            "(c.visibility = '{public}' OR c.id IN (SELECT community_id FROM community_members \
             WHERE person_id = {person} AND state = 'active'))"
        ),
    }
}

/// Runs one id-returning query with the search text bound as its one parameter.
fn ids(conn: &mut DbConn, sqlite: &str, pg: &str, terms: &Terms) -> Result<Vec<i64>> {
    let rows: Vec<Id> = match conn {
        DbConn::Sqlite(c) => sql_query(sqlite).bind::<Text, _>(terms.fts5()).load(c)?,
        DbConn::Pg(c) => sql_query(pg).bind::<Text, _>(terms.tsquery()).load(c)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// The ids of the threads matching `terms`, best first, that are neither deleted nor removed
/// and whose community is within `scope`: `limit` of them after skipping `offset`. Ranked among
/// the newest `CANDIDATES` matches: all of them for a specific search, the recent ones for a
/// word that thousands of threads share (ranking every one of a million matches took seconds).
pub fn threads(
    conn: &mut DbConn,
    terms: &Terms,
    scope: Scope,
    limit: i64,
    offset: i64,
) -> Result<Vec<i64>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope_sql(scope);
    let sqlite = format!(
        "SELECT p.id AS id FROM (SELECT rowid AS id, {POST_BM25} AS score FROM post_search \
         WHERE post_search MATCH ? ORDER BY rowid DESC LIMIT {CANDIDATES}) m \
         JOIN posts p ON p.id = m.id JOIN communities c ON c.id = p.community_id \
         WHERE NOT p.deleted AND NOT p.removed AND {scope} \
         ORDER BY m.score, p.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let pg = format!(
        "SELECT p.id AS id FROM (SELECT s.post_id AS id, ts_rank(s.document, query) AS score \
         FROM post_search s, to_tsquery('english', $1) query WHERE s.document @@ query \
         ORDER BY s.post_id DESC LIMIT {CANDIDATES}) m \
         JOIN posts p ON p.id = m.id JOIN communities c ON c.id = p.community_id \
         WHERE NOT p.deleted AND NOT p.removed AND {scope} \
         ORDER BY m.score DESC, p.id DESC LIMIT {limit} OFFSET {offset}"
    );
    ids(conn, &sqlite, &pg, terms)
}

/// The ids of the library pages matching `terms`, best first, of local communities within
/// `scope`: `limit` of them after skipping `offset`.
pub fn pages(
    conn: &mut DbConn,
    terms: &Terms,
    scope: Scope,
    limit: i64,
    offset: i64,
) -> Result<Vec<i64>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope_sql(scope);
    let sqlite = format!(
        "SELECT lp.id AS id FROM page_search JOIN library_pages lp ON lp.id = page_search.rowid \
         JOIN communities c ON c.id = lp.community_id \
         WHERE page_search MATCH ? AND c.local AND {scope} \
         ORDER BY {PAGE_BM25}, lp.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let pg = format!(
        "SELECT lp.id AS id FROM page_search s JOIN library_pages lp ON lp.id = s.page_id \
         JOIN communities c ON c.id = lp.community_id, to_tsquery('english', $1) query \
         WHERE s.document @@ query AND c.local AND {scope} \
         ORDER BY ts_rank(s.document, query) DESC, lp.id DESC LIMIT {limit} OFFSET {offset}"
    );
    ids(conn, &sqlite, &pg, terms)
}

/// The ids of the communities (local and remote) matching `terms`, best first, within
/// `scope`: `limit` of them after skipping `offset`.
pub fn communities(
    conn: &mut DbConn,
    terms: &Terms,
    scope: Scope,
    limit: i64,
    offset: i64,
) -> Result<Vec<i64>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope_sql(scope);
    let sqlite = format!(
        "SELECT c.id AS id FROM community_search \
         JOIN communities c ON c.id = community_search.rowid \
         WHERE community_search MATCH ? AND {scope} \
         ORDER BY {COMMUNITY_BM25}, c.id LIMIT {limit} OFFSET {offset}"
    );
    let pg = format!(
        "SELECT c.id AS id FROM community_search s JOIN communities c ON c.id = s.community_id, \
         to_tsquery('english', $1) query WHERE s.document @@ query AND {scope} \
         ORDER BY ts_rank(s.document, query) DESC, c.id LIMIT {limit} OFFSET {offset}"
    );
    ids(conn, &sqlite, &pg, terms)
}

/// A condition for a query over `communities`: its name, title or charter matches `terms`
/// (the directory's filter, which keeps its own order and pages). Always false for no terms.
pub fn community_matches(
    conn: &DbConn,
    terms: &Terms,
) -> Box<dyn BoxableExpression<communities::table, Backend, SqlType = Bool>> {
    let (prefix, text) = match conn {
        DbConn::Sqlite(_) => (
            "communities.id IN (SELECT rowid FROM community_search WHERE community_search MATCH ",
            terms.fts5(),
        ),
        DbConn::Pg(_) => (
            "communities.id IN (SELECT community_id FROM community_search \
             WHERE document @@ to_tsquery('english', ",
            terms.tsquery(),
        ),
    };
    let close = match (conn, terms.is_empty()) {
        (DbConn::Sqlite(_), false) => ")",
        (DbConn::Pg(_), false) => "))",
        (DbConn::Sqlite(_), true) => ") AND 1 = 0",
        (DbConn::Pg(_), true) => ")) AND 1 = 0",
    };
    Box::new(sql::<Bool>(prefix).bind::<Text, _>(text).sql(close))
}

/// What `reindex` is doing, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Starting an index of `rows` rows.
    Index { index: &'static str, rows: u64 },
    /// Rows indexed so far in the current one.
    Indexed(u64),
}

/// Rows indexed per statement.
const BATCH: i64 = 2_000;

/// One index to rebuild: its name, the rows it covers, and the statements that empty it and
/// fill it for ids in `($1, $2]`, per engine.
struct Rebuild {
    index: &'static str,
    count: &'static str,
    max_id: &'static str,
    sqlite_clear: &'static str,
    sqlite_fill: String,
    pg_clear: &'static str,
    pg_fill: &'static str,
}

fn rebuilds() -> [Rebuild; 3] {
    [
        Rebuild {
            index: "threads",
            count: "SELECT COUNT(*) AS n FROM posts WHERE NOT deleted AND NOT removed",
            max_id: "SELECT COALESCE(MAX(id), 0) AS n FROM posts",
            sqlite_clear: "INSERT INTO post_search (post_search) VALUES ('delete-all')",
            sqlite_fill: "INSERT INTO post_search (rowid, title, body) \
                 SELECT id, title, body_md FROM posts \
                 WHERE id > ? AND id <= ? AND NOT deleted AND NOT removed"
                .into(),
            pg_clear: "DELETE FROM post_search",
            pg_fill: "INSERT INTO post_search (post_id, document) \
                 SELECT id, post_search_document(title, body_md) FROM posts \
                 WHERE id > $1 AND id <= $2 AND NOT deleted AND NOT removed",
        },
        Rebuild {
            index: "communities",
            count: "SELECT COUNT(*) AS n FROM communities",
            max_id: "SELECT COALESCE(MAX(id), 0) AS n FROM communities",
            sqlite_clear: "INSERT INTO community_search (community_search) VALUES ('delete-all')",
            sqlite_fill: format!(
                "INSERT INTO community_search (rowid, name, title, charter) \
                 SELECT id, name, title, {SQLITE_CHARTER} FROM communities \
                 WHERE id > ? AND id <= ?"
            ),
            pg_clear: "DELETE FROM community_search",
            pg_fill: "INSERT INTO community_search (community_id, document) \
                 SELECT id, community_search_document(communities) FROM communities \
                 WHERE id > $1 AND id <= $2",
        },
        Rebuild {
            index: "pages",
            count: "SELECT COUNT(*) AS n FROM library_pages",
            max_id: "SELECT COALESCE(MAX(id), 0) AS n FROM library_pages",
            sqlite_clear: "INSERT INTO page_search (page_search) VALUES ('delete-all')",
            sqlite_fill: "INSERT INTO page_search (rowid, title, body) \
                 SELECT id, title, body_md FROM library_pages WHERE id > ? AND id <= ?"
                .into(),
            pg_clear: "DELETE FROM page_search",
            pg_fill: "INSERT INTO page_search (page_id, document) \
                 SELECT id, post_search_document(title, body_md) FROM library_pages \
                 WHERE id > $1 AND id <= $2",
        },
    ]
}

fn number(conn: &mut DbConn, query: &str) -> Result<i64> {
    let rows: Vec<Count> = match conn {
        DbConn::Sqlite(c) => sql_query(query).load(c)?,
        DbConn::Pg(c) => sql_query(query).load(c)?,
    };
    Ok(rows.first().map_or(0, |c| c.n))
}

/// Empties and refills both search indexes from `posts` and `communities`, in one write
/// transaction (writers wait; readers keep reading the old index until it commits). Returns the
/// rows indexed per index.
pub fn reindex(
    conn: &mut DbConn,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<(&'static str, u64)>> {
    write_tx(conn, |conn| {
        let mut done = Vec::new();
        for r in rebuilds() {
            let rows = number(conn, r.count)?;
            let max_id = number(conn, r.max_id)?;
            progress(Progress::Index {
                index: r.index,
                rows: rows.try_into().unwrap_or(0),
            });
            match conn {
                DbConn::Sqlite(c) => sql_query(r.sqlite_clear).execute(c)?,
                DbConn::Pg(c) => sql_query(r.pg_clear).execute(c)?,
            };
            let (mut after, mut indexed) = (0i64, 0u64);
            while after < max_id {
                let upto = after.saturating_add(BATCH);
                let added = match conn {
                    DbConn::Sqlite(c) => sql_query(&r.sqlite_fill)
                        .bind::<BigInt, _>(after)
                        .bind::<BigInt, _>(upto)
                        .execute(c)?,
                    DbConn::Pg(c) => sql_query(r.pg_fill)
                        .bind::<BigInt, _>(after)
                        .bind::<BigInt, _>(upto)
                        .execute(c)?,
                };
                indexed += added as u64;
                progress(Progress::Indexed(indexed));
                after = upto;
            }
            done.push((r.index, indexed));
        }
        if let DbConn::Sqlite(c) = conn {
            // Merge the segments written in batches into one, as a fresh index would be.
            sql_query("INSERT INTO post_search (post_search) VALUES ('optimize')").execute(c)?;
            sql_query("INSERT INTO community_search (community_search) VALUES ('optimize')")
                .execute(c)?;
            sql_query("INSERT INTO page_search (page_search) VALUES ('optimize')").execute(c)?;
        }
        Ok(done)
    })
}
