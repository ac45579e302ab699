//! Health figures counted by SQL (the same statements on both engines) and their daily
//! snapshots (`health_snapshots`). Every statement is built from a `Scope` (a community's id or
//! the instance's local communities) and moments formatted here, never from input: the only
//! values in the SQL are integers and timestamps. Periods are grouped by a `CASE` over the
//! windows of `domain::health`, so one statement counts all 12 weeks (or months) at once.

use super::{schema::health_snapshots, DbConn};
use crate::{
    domain::health::{self, Figures, Involvement, Meeting, Period, Window},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::{
    pg::Pg,
    prelude::*,
    query_builder::QueryFragment,
    sql_query,
    sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp},
    sqlite::Sqlite,
    QueryableByName,
};
use std::collections::{BTreeMap, HashSet};

/// Whose figures: one community's, or those of all the instance's local communities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Community(i64),
    Instance,
}

impl Scope {
    /// The condition that keeps `column` (a community id) within the scope.
    fn on(self, column: &str) -> String {
        match self {
            Scope::Community(id) => format!("{column} = {id}"),
            Scope::Instance => {
                format!("{column} IN (SELECT id FROM communities WHERE local)")
            }
        }
    }

    fn community_id(self) -> Option<i64> {
        match self {
            Scope::Community(id) => Some(id),
            Scope::Instance => None,
        }
    }
}

/// A moment as an SQL literal, in the text form diesel stores on SQLite (and PostgreSQL reads
/// as a timestamp), so comparisons with stored values are exact on both engines.
fn lit(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.f"))
}

/// `column` within `[from, to)`.
fn between(column: &str, from: NaiveDateTime, to: NaiveDateTime) -> String {
    format!("{column} >= {} AND {column} < {}", lit(from), lit(to))
}

/// The index of the window of `windows` that holds `column`; -1 before the first.
fn bucket(column: &str, windows: &[Window]) -> String {
    let mut sql = String::from("CASE");
    for (i, w) in windows.iter().enumerate() {
        sql.push_str(&format!(" WHEN {} THEN {i}", between(column, w.from, w.to)));
    }
    sql.push_str(" ELSE -1 END");
    sql
}

/// Runs one statement with no bound values on either engine.
fn load<T>(conn: &mut DbConn, sql: &str) -> Result<Vec<T>>
where
    T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
    diesel::query_builder::SqlQuery: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    Ok(match conn {
        DbConn::Sqlite(c) => sql_query(sql).load(c)?,
        DbConn::Pg(c) => sql_query(sql).load(c)?,
    })
}

#[derive(QueryableByName)]
struct Bucketed {
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct KindBucketed {
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Span {
    #[diesel(sql_type = Timestamp)]
    start: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    first: Option<NaiveDateTime>,
}

#[derive(QueryableByName)]
struct Actor {
    #[diesel(sql_type = Bool)]
    local: bool,
    #[diesel(sql_type = Text)]
    ap_id: String,
}

#[derive(QueryableByName)]
struct MeetingRow {
    #[diesel(sql_type = BigInt)]
    post_id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Timestamp)]
    starts_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    going: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    capacity: Option<i64>,
    #[diesel(sql_type = BigInt)]
    attended: i64,
}

/// Counts per window from a statement selecting `bucket` and `n`.
fn per_window(conn: &mut DbConn, sql: &str, windows: usize) -> Result<Vec<i64>> {
    let mut counts = vec![0; windows];
    for row in load::<Bucketed>(conn, sql)? {
        if let Some(c) = usize::try_from(row.bucket)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *c = row.n;
        }
    }
    Ok(counts)
}

fn ids(conn: &mut DbConn, sql: &str) -> Result<HashSet<i64>> {
    Ok(load::<Id>(conn, sql)?.into_iter().map(|r| r.id).collect())
}

/// Active members of the scope (a person in several of the instance's communities once).
fn members_sql(scope: Scope) -> String {
    format!(
        "SELECT DISTINCT m.person_id AS id FROM community_members m \
         WHERE {} AND m.state = 'active'",
        scope.on("m.community_id")
    )
}

/// Every act of taking part (`person_id`, `at`) within `[from, to)`: posting, replying, voting,
/// answering a meeting (Lemmy's "active").
fn activity_sql(scope: Scope, from: NaiveDateTime, to: NaiveDateTime) -> String {
    let s = scope.on("p.community_id");
    format!(
        "SELECT p.author_id AS person_id, p.published AS at FROM posts p \
           WHERE {s} AND {posts} \
         UNION ALL SELECT c.author_id, c.published FROM comments c \
           JOIN posts p ON p.id = c.post_id WHERE {s} AND {comments} \
         UNION ALL SELECT v.person_id, v.created_at FROM votes v \
           JOIN posts p ON p.ap_id = v.object_ap_id WHERE {s} AND {votes} \
         UNION ALL SELECT v.person_id, v.created_at FROM votes v \
           JOIN comments c ON c.ap_id = v.object_ap_id JOIN posts p ON p.id = c.post_id \
           WHERE {s} AND {votes} \
         UNION ALL SELECT r.person_id, r.created_at FROM event_rsvps r \
           JOIN posts p ON p.id = r.post_id WHERE {s} AND {rsvps}",
        posts = between("p.published", from, to),
        comments = between("c.published", from, to),
        votes = between("v.created_at", from, to),
        rsvps = between("r.created_at", from, to),
    )
}

/// Posting or replying (`person_id`, `at`) before `to`: what "contributed" means.
fn contributions_sql(scope: Scope, from: NaiveDateTime, to: NaiveDateTime) -> String {
    let s = scope.on("p.community_id");
    format!(
        "SELECT p.author_id AS person_id, p.published AS at FROM posts p WHERE {s} AND {posts} \
         UNION ALL SELECT c.author_id, c.published FROM comments c \
           JOIN posts p ON p.id = c.post_id WHERE {s} AND {comments}",
        posts = between("p.published", from, to),
        comments = between("c.published", from, to),
    )
}

/// Who co-created in `[from, to)`: organized a meeting (its author or a named organizer) or
/// wrote a revision of a library page (issue 18).
pub fn co_creators_sql(scope: Scope, from: NaiveDateTime, to: NaiveDateTime) -> String {
    let s = scope.on("p.community_id");
    let when = between("p.published", from, to);
    let pages = scope.on("lp.community_id");
    let written = between("r.created_at", from, to);
    format!(
        "SELECT p.author_id AS id FROM events ev JOIN posts p ON p.id = ev.post_id \
           WHERE {s} AND {when} \
         UNION SELECT o.person_id AS id FROM event_organizers o JOIN posts p ON p.id = o.post_id \
           WHERE {s} AND {when} \
         UNION SELECT r.author_id AS id FROM library_revisions r \
           JOIN library_pages lp ON lp.id = r.page_id WHERE {pages} AND {written}"
    )
}

/// Joined and left per window, and active memberships at the end of each.
fn membership(
    conn: &mut DbConn,
    scope: Scope,
    windows: &[Window],
    as_of: NaiveDateTime,
    periods: &mut [Period],
) -> Result<()> {
    let sql = format!(
        "SELECT {b} AS bucket, e.kind AS kind, COUNT(*) AS n FROM membership_events e \
         WHERE {s} AND e.at < {end} GROUP BY {b}, e.kind",
        b = bucket("e.at", windows),
        s = scope.on("e.community_id"),
        end = lit(as_of),
    );
    let mut before = 0;
    for row in load::<KindBucketed>(conn, &sql)? {
        let sign = if row.kind == super::members::JOINED {
            1
        } else {
            -1
        };
        match usize::try_from(row.bucket)
            .ok()
            .and_then(|i| periods.get_mut(i))
        {
            Some(p) if sign > 0 => p.joined = row.n,
            Some(p) => p.left = row.n,
            None => before += sign * row.n,
        }
    }
    for p in periods.iter_mut() {
        before += p.joined - p.left;
        p.total = before;
    }
    Ok(())
}

/// The figures of one series of windows (weeks or months).
fn periods(
    conn: &mut DbConn,
    scope: Scope,
    windows: &[Window],
    as_of: NaiveDateTime,
    meetings: &[Meeting],
) -> Result<Vec<Period>> {
    let n = windows.len();
    let (from, to) = (windows[0].from, windows[n - 1].to);
    let mut periods: Vec<Period> = windows
        .iter()
        .map(|w| Period {
            label: w.label.clone(),
            ..Period::default()
        })
        .collect();
    membership(conn, scope, windows, as_of, &mut periods)?;
    let active = per_window(
        conn,
        &format!(
            "SELECT {b} AS bucket, COUNT(DISTINCT a.person_id) AS n FROM ({act}) a GROUP BY {b}",
            b = bucket("a.at", windows),
            act = activity_sql(scope, from, to),
        ),
        n,
    )?;
    let replies = per_window(
        conn,
        &format!(
            "SELECT {b} AS bucket, COUNT(*) AS n FROM comments c JOIN posts p ON p.id = c.post_id \
             WHERE {s} AND {w} GROUP BY {b}",
            b = bucket("c.published", windows),
            s = scope.on("p.community_id"),
            w = between("c.published", from, to),
        ),
        n,
    )?;
    let threads: Vec<Span> = load(
        conn,
        &format!(
            "SELECT p.published AS start, (SELECT MIN(c.published) FROM comments c \
               WHERE c.post_id = p.id AND c.author_id <> p.author_id AND c.published < {end}) \
               AS first \
             FROM posts p WHERE {s} AND {w}",
            end = lit(as_of),
            s = scope.on("p.community_id"),
            w = between("p.published", from, to),
        ),
    )?;
    let members = members_sql(scope);
    let sent = per_window(
        conn,
        &format!(
            "SELECT {b} AS bucket, COUNT(*) AS n FROM digest_runs d \
             JOIN local_users u ON u.id = d.local_user_id \
             WHERE d.mailed AND {w} AND u.person_id IN ({members}) GROUP BY {b}",
            b = bucket("d.created_at", windows),
            w = between("d.created_at", from, to),
        ),
        n,
    )?;
    let unsubscribed = per_window(
        conn,
        &format!(
            "SELECT {b} AS bucket, COUNT(*) AS n FROM ( \
               SELECT s.local_user_id AS uid, s.updated_at AS at FROM digest_settings s \
                 WHERE s.frequency = 'off' \
               UNION ALL SELECT o.local_user_id, o.created_at FROM mail_opt_outs o \
                 WHERE o.topic = 'all') x \
             JOIN local_users u ON u.id = x.uid \
             WHERE {w} AND u.person_id IN ({members}) GROUP BY {b}",
            b = bucket("x.at", windows),
            w = between("x.at", from, to),
        ),
        n,
    )?;
    for (i, p) in periods.iter_mut().enumerate() {
        p.active = active[i];
        p.replies = replies[i];
        p.digests_sent = sent[i];
        p.unsubscribes = unsubscribed[i];
    }
    let threads: Vec<_> = threads.into_iter().map(|t| (t.start, t.first)).collect();
    health::conversation(&mut periods, windows, &threads);
    health::meeting_trend(&mut periods, windows, meetings);
    Ok(periods)
}

/// Every figure of `scope` as of `as_of` (see `domain::health::Figures`).
pub fn figures(conn: &mut DbConn, scope: Scope, as_of: NaiveDateTime) -> Result<Figures> {
    let weeks = health::weeks(as_of);
    let months = health::months(as_of);
    let year_from = months[0].from;
    let quarter_from = weeks[0].from;
    let s = scope.on("p.community_id");

    let meetings: Vec<Meeting> = load::<MeetingRow>(
        conn,
        &format!(
            "SELECT p.id AS post_id, p.title AS title, ev.starts_at AS starts_at, \
               (SELECT COUNT(*) FROM event_rsvps r WHERE r.post_id = p.id AND r.state = 'going') \
                 AS going, \
               ev.capacity AS capacity, \
               (SELECT COUNT(*) FROM event_attendance a WHERE a.post_id = p.id) AS attended \
             FROM events ev JOIN posts p ON p.id = ev.post_id \
             WHERE {s} AND {w} AND ev.status <> 'cancelled' AND NOT p.deleted AND NOT p.removed \
             ORDER BY ev.starts_at, p.id",
            w = between("ev.starts_at", year_from, as_of),
        ),
    )?
    .into_iter()
    .map(|m| Meeting {
        post_id: m.post_id,
        title: m.title,
        starts_at: m.starts_at,
        going: m.going,
        capacity: m.capacity,
        attended: m.attended,
    })
    .collect();

    let weekly = periods(conn, scope, &weeks, as_of, &meetings)?;
    let monthly = periods(conn, scope, &months, as_of, &meetings)?;

    let mut hosts: BTreeMap<String, i64> = BTreeMap::new();
    let actors: Vec<Actor> = load(
        conn,
        &format!(
            "SELECT pe.local AS local, pe.ap_id AS ap_id FROM persons pe \
             WHERE pe.id IN ({})",
            members_sql(scope)
        ),
    )?;
    for a in actors {
        *hosts.entry(health::host_of(a.local, &a.ap_id)).or_default() += 1;
    }
    let mut by_instance: Vec<_> = hosts
        .into_iter()
        .map(|(host, members)| health::HostCount { host, members })
        .collect();
    by_instance.sort_by_key(|a| (a.host != "local", -a.members));

    let four = &weeks[weeks.len() - 4..];
    let returning = load::<Id>(
        conn,
        &format!(
            "SELECT COUNT(*) AS id FROM (SELECT a.person_id FROM ({act}) a \
             GROUP BY a.person_id HAVING COUNT(DISTINCT {b}) >= 2) r",
            act = activity_sql(scope, four[0].from, as_of),
            b = bucket("a.at", four),
        ),
    )?
    .first()
    .map_or(0, |r| r.id);

    let involvement = Involvement {
        members: ids(conn, &members_sql(scope))?.into_iter().collect(),
        contributors: ids(
            conn,
            &format!(
                "SELECT DISTINCT x.person_id AS id FROM ({}) x",
                contributions_sql(scope, quarter_from, as_of)
            ),
        )?,
        collaborators: ids(
            conn,
            &format!(
                "SELECT c.author_id AS id FROM comments c JOIN posts p ON p.id = c.post_id \
                 LEFT JOIN comments parent ON parent.id = c.parent_id \
                 WHERE {s} AND {w} \
                   AND COALESCE(parent.author_id, p.author_id) <> c.author_id \
                 GROUP BY c.author_id \
                 HAVING COUNT(DISTINCT COALESCE(parent.author_id, p.author_id)) >= 2",
                w = between("c.published", quarter_from, as_of),
            ),
        )?,
        co_creators: ids(conn, &co_creators_sql(scope, quarter_from, as_of))?,
        champions: ids(
            conn,
            &format!(
                "SELECT DISTINCT m.person_id AS id FROM community_members m \
                 WHERE {} AND m.state = 'active' AND m.role IN ('owner', 'moderator')",
                scope.on("m.community_id")
            ),
        )?,
    };

    let joins: Vec<Span> = load(
        conn,
        &format!(
            "SELECT j.start AS start, MIN(x.at) AS first FROM \
               (SELECT e.person_id AS person_id, MIN(e.at) AS start FROM membership_events e \
                WHERE {s} AND e.kind = 'joined' AND {w} GROUP BY e.person_id) j \
             LEFT JOIN ({contrib}) x ON x.person_id = j.person_id AND x.at >= j.start \
             GROUP BY j.person_id, j.start",
            s = scope.on("e.community_id"),
            w = between("e.at", year_from, as_of),
            contrib = contributions_sql(scope, year_from, as_of),
        ),
    )?;
    let joins: Vec<_> = joins.into_iter().map(|j| (j.start, j.first)).collect();

    let digest_off_here = load::<Id>(
        conn,
        &format!(
            "SELECT COUNT(*) AS id FROM digest_overrides o WHERE {} AND o.frequency = 'off'",
            scope.on("o.community_id")
        ),
    )?
    .first()
    .map_or(0, |r| r.id);

    Ok(Figures {
        as_of,
        returning,
        modes: involvement.modes(),
        retention: health::retention(&months, &joins, as_of),
        by_instance,
        meetings,
        weekly,
        monthly,
        digest_off_here,
    })
}

/// Stores the snapshot of `scope` for `day` unless one is there already (by this process or
/// another: the unique index decides). Returns whether this call stored it.
pub fn store(conn: &mut DbConn, scope: Scope, day: &str, figures: &Figures) -> Result<bool> {
    let json = serde_json::to_string(figures).map_err(anyhow::Error::from)?;
    let community = scope.community_id();
    let at = super::now();
    let n = match conn {
        DbConn::Sqlite(c) => sql_query(
            "INSERT INTO health_snapshots (community_id, day, figures, created_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind::<Nullable<BigInt>, _>(community)
        .bind::<Text, _>(day)
        .bind::<Text, _>(&json)
        .bind::<Timestamp, _>(at)
        .execute(c)?,
        DbConn::Pg(c) => sql_query(
            "INSERT INTO health_snapshots (community_id, day, figures, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind::<Nullable<BigInt>, _>(community)
        .bind::<Text, _>(day)
        .bind::<Text, _>(&json)
        .bind::<Timestamp, _>(at)
        .execute(c)?,
    };
    Ok(n > 0)
}

/// Whether `scope` has its snapshot of `day`.
pub fn has(conn: &mut DbConn, scope: Scope, day: &str) -> Result<bool> {
    let q = health_snapshots::table
        .filter(health_snapshots::day.eq(day))
        .select(health_snapshots::id);
    let found = match scope.community_id() {
        Some(id) => q
            .filter(health_snapshots::community_id.eq(id))
            .first::<i64>(conn)
            .optional()?,
        None => q
            .filter(health_snapshots::community_id.is_null())
            .first::<i64>(conn)
            .optional()?,
    };
    Ok(found.is_some())
}

/// The newest snapshot of `scope`: its day and figures.
pub fn latest(conn: &mut DbConn, scope: Scope) -> Result<Option<(String, Figures)>> {
    let q = health_snapshots::table
        .order(health_snapshots::day.desc())
        .select((health_snapshots::day, health_snapshots::figures));
    let row: Option<(String, String)> = match scope.community_id() {
        Some(id) => q
            .filter(health_snapshots::community_id.eq(id))
            .first(conn)
            .optional()?,
        None => q
            .filter(health_snapshots::community_id.is_null())
            .first(conn)
            .optional()?,
    };
    row.map(|(day, json)| {
        let figures = serde_json::from_str(&json).map_err(anyhow::Error::from)?;
        Ok((day, figures))
    })
    .transpose()
}

/// How many snapshots `scope` has (for the tests of the job's idempotence).
pub fn count(conn: &mut DbConn, scope: Scope) -> Result<i64> {
    let q = health_snapshots::table.count();
    Ok(match scope.community_id() {
        Some(id) => q
            .filter(health_snapshots::community_id.eq(id))
            .get_result(conn)?,
        None => q
            .filter(health_snapshots::community_id.is_null())
            .get_result(conn)?,
    })
}

/// The ids of this instance's own communities, in order.
pub fn local_communities(conn: &mut DbConn) -> Result<Vec<i64>> {
    use super::schema::communities;
    Ok(communities::table
        .filter(communities::local.eq(true))
        .order(communities::id.asc())
        .select(communities::id)
        .load(conn)?)
}
