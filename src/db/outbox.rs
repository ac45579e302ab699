//! The durable outbox: changes stored with the write that caused them
//! (`outbox_events`), the activities planned from them (`outbox_activities`), one delivery per
//! activity and inbox (`deliveries`), and which instances keep failing (`instance_health`).

use super::{
    now,
    schema::{deliveries, instance_health, outbox_activities, outbox_events},
    DbConn,
};
use crate::{domain::changes::Change, error::Result};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

/// Waiting for its first or next try (or in flight, when claimed).
pub const PENDING: &str = "pending";
/// Delivered (2xx).
pub const DONE: &str = "done";
/// Refused for good: a 4xx other than 408/429, or an inbox our policy blocks.
pub const REFUSED: &str = "refused";
/// Retried for too long; shown to admins.
pub const DEAD: &str = "dead";

/// Stores a change for federation in the current transaction: it commits (and is then
/// delivered, whatever crashes later) or rolls back with the write that caused it.
pub fn emit(conn: &mut DbConn, change: &Change) -> Result<()> {
    let json = change.encode().map_err(anyhow::Error::from)?;
    diesel::insert_into(outbox_events::table)
        .values((
            outbox_events::event.eq(json),
            outbox_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The oldest changes neither planned nor set aside, in order.
pub fn unplanned_events(conn: &mut DbConn, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(outbox_events::table
        .filter(outbox_events::planned_at.is_null())
        .filter(outbox_events::set_aside_at.is_null())
        .order(outbox_events::id.asc())
        .limit(limit)
        .select((outbox_events::id, outbox_events::event))
        .load(conn)?)
}

/// Sets a stored change aside, with why: one that cannot be read, or that failed to plan again
/// and again. It is kept (never purged), out of the planner's way, and counted by
/// [`set_aside_count`].
pub fn set_aside(conn: &mut DbConn, event_id: i64, reason: &str) -> Result<()> {
    // Not one another planner has planned meanwhile.
    diesel::update(
        outbox_events::table
            .find(event_id)
            .filter(outbox_events::planned_at.is_null()),
    )
    .set((
        outbox_events::set_aside_at.eq(now()),
        outbox_events::set_aside_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// How many stored changes wait for the planner.
pub fn unplanned_count(conn: &mut DbConn) -> Result<i64> {
    Ok(outbox_events::table
        .filter(outbox_events::planned_at.is_null())
        .filter(outbox_events::set_aside_at.is_null())
        .count()
        .get_result(conn)?)
}

/// How many stored changes are set aside.
pub fn set_aside_count(conn: &mut DbConn) -> Result<i64> {
    Ok(outbox_events::table
        .filter(outbox_events::set_aside_at.is_not_null())
        .count()
        .get_result(conn)?)
}

/// One activity planned from an event, with its distinct recipients.
#[derive(Debug, Clone)]
pub struct PlannedActivity {
    pub ap_id: String,
    /// The actor whose key signs it.
    pub signer: String,
    /// The object it is about: per destination, activities about one object keep their order.
    pub object_key: String,
    pub body: String,
    pub inboxes: Vec<url::Url>,
}

/// `host[:port]` of an inbox: deliveries are grouped, ordered and limited per instance.
pub fn host_of(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

/// Stores what an event became and marks it planned, all at once. The event is marked first,
/// only if it is not planned yet: of several planners (one per process) planning the same event
/// at once, one stores its plan and the others add nothing (on PostgreSQL the second waits for
/// the first's row lock, then finds the event planned). Planning the same event again (after a
/// crash before this committed) finds the same activity ids and adds nothing twice.
pub fn store_plan(conn: &mut DbConn, event_id: i64, plan: &[PlannedActivity]) -> Result<usize> {
    let at = now();
    let mut added = 0;
    let marked = diesel::update(
        outbox_events::table
            .find(event_id)
            .filter(outbox_events::planned_at.is_null()),
    )
    .set(outbox_events::planned_at.eq(at))
    .execute(conn)?;
    if marked == 0 {
        return Ok(0);
    }
    for activity in plan {
        let existing: Option<i64> = outbox_activities::table
            .filter(outbox_activities::ap_id.eq(&activity.ap_id))
            .select(outbox_activities::id)
            .first(conn)
            .optional()?;
        let activity_id = match existing {
            Some(id) => id,
            None => {
                diesel::insert_into(outbox_activities::table)
                    .values((
                        outbox_activities::ap_id.eq(&activity.ap_id),
                        outbox_activities::signer.eq(&activity.signer),
                        outbox_activities::object_key.eq(&activity.object_key),
                        outbox_activities::body.eq(&activity.body),
                        outbox_activities::created_at.eq(at),
                    ))
                    .execute(conn)?;
                outbox_activities::table
                    .filter(outbox_activities::ap_id.eq(&activity.ap_id))
                    .select(outbox_activities::id)
                    .first(conn)?
            }
        };
        let mut inboxes = activity.inboxes.clone();
        inboxes.sort();
        inboxes.dedup();
        if existing.is_some() {
            // Planned before (a crash before the event was marked): only the inboxes not stored.
            let known: std::collections::HashSet<String> = deliveries::table
                .filter(deliveries::activity_id.eq(activity_id))
                .select(deliveries::inbox)
                .load::<String>(conn)?
                .into_iter()
                .collect();
            inboxes.retain(|i| !known.contains(i.as_str()));
        }
        // Many rows per statement: one round trip per 500 inboxes, not two per inbox (a post
        // to a community followed from 1,000 instances is 2,000 deliveries).
        for chunk in inboxes.chunks(500) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|inbox| {
                    (
                        deliveries::activity_id.eq(activity_id),
                        deliveries::inbox.eq(inbox.as_str()),
                        deliveries::host.eq(host_of(inbox)),
                        deliveries::object_key.eq(&activity.object_key),
                        deliveries::state.eq(PENDING),
                        deliveries::attempts.eq(0),
                        deliveries::next_attempt_at.eq(at),
                        deliveries::created_at.eq(at),
                    )
                })
                .collect();
            let insert = diesel::insert_into(deliveries::table).values(rows);
            added += match conn {
                DbConn::Pg(pg) => insert.execute(pg)?,
                DbConn::Sqlite(lite) => insert.execute(lite)?,
            };
        }
    }
    Ok(added)
}

/// Marks events whose plans hold nothing to send as planned (those not planned already), in one
/// statement.
pub fn mark_planned(conn: &mut DbConn, event_ids: &[i64]) -> Result<()> {
    if event_ids.is_empty() {
        return Ok(());
    }
    diesel::update(
        outbox_events::table
            .filter(outbox_events::id.eq_any(event_ids))
            .filter(outbox_events::planned_at.is_null()),
    )
    .set(outbox_events::planned_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: i64,
    pub inbox: String,
    pub host: String,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub activity_ap_id: String,
    pub signer: String,
    pub body: String,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Claims up to `limit` due deliveries for `lease`: pending, due, not claimed by a worker, not
/// behind an earlier pending activity about the same object to the same instance, not to an
/// instance we skip for now, and at most `per_host` in flight per instance (counting those
/// already claimed). On PostgreSQL several workers claim side by side (`SKIP LOCKED`); SQLite
/// runs one.
pub fn claim_due(
    conn: &mut DbConn,
    worker: &str,
    limit: i64,
    per_host: i64,
    lease: Duration,
) -> Result<Vec<Claimed>> {
    let at = now();
    // {now} and {limit}/{per_host} are placeholders, written per engine below.
    const DUE: &str = "SELECT t.id FROM ( \
        SELECT d.id, d.host, ROW_NUMBER() OVER (PARTITION BY d.host ORDER BY d.id) AS rn \
        FROM deliveries d \
        WHERE d.state = 'pending' AND d.next_attempt_at <= {now} \
          AND (d.claimed_until IS NULL OR d.claimed_until < {now}) \
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.host = d.host \
              AND e.object_key = d.object_key AND e.id < d.id AND e.state = 'pending') \
          AND NOT EXISTS (SELECT 1 FROM instance_health h WHERE h.host = d.host \
              AND h.retry_at IS NOT NULL AND h.retry_at > {now}) \
        ) t \
        LEFT JOIN (SELECT c.host, COUNT(*) AS n FROM deliveries c \
            WHERE c.state = 'pending' AND c.claimed_until IS NOT NULL \
              AND c.claimed_until >= {now} GROUP BY c.host) busy ON busy.host = t.host \
        WHERE t.rn + COALESCE(busy.n, 0) <= {per_host} \
        ORDER BY t.id LIMIT {limit}";
    use diesel::sql_types::{BigInt, Timestamp};
    let ids: Vec<i64> = match conn {
        DbConn::Pg(pg) => {
            let candidates: Vec<i64> = diesel::sql_query(
                DUE.replace("{now}", "$1")
                    .replace("{per_host}", "$2")
                    .replace("{limit}", "$3"),
            )
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(per_host)
            .bind::<BigInt, _>(limit)
            .load::<IdRow>(pg)?
            .into_iter()
            .map(|r| r.id)
            .collect();
            // Window functions cannot lock rows: lock the candidates, skipping any that another
            // worker holds.
            deliveries::table
                .filter(deliveries::id.eq_any(&candidates))
                .filter(
                    deliveries::claimed_until
                        .is_null()
                        .or(deliveries::claimed_until.lt(at)),
                )
                .select(deliveries::id)
                .for_update()
                .skip_locked()
                .load(pg)?
        }
        DbConn::Sqlite(lite) => diesel::sql_query(
            DUE.replace("{now}", "?1")
                .replace("{per_host}", "?2")
                .replace("{limit}", "?3"),
        )
        .bind::<Timestamp, _>(at)
        .bind::<BigInt, _>(per_host)
        .bind::<BigInt, _>(limit)
        .load::<IdRow>(lite)?
        .into_iter()
        .map(|r| r.id)
        .collect(),
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
        .set((
            deliveries::claimed_until.eq(at + lease),
            deliveries::claimed_by.eq(worker),
        ))
        .execute(conn)?;
    Ok(deliveries::table
        .inner_join(outbox_activities::table)
        .filter(deliveries::id.eq_any(&ids))
        .order(deliveries::id.asc())
        .select((
            deliveries::id,
            deliveries::inbox,
            deliveries::host,
            deliveries::attempts,
            deliveries::created_at,
            outbox_activities::ap_id,
            outbox_activities::signer,
            outbox_activities::body,
        ))
        .load(conn)?)
}

/// Forgets the claims of `worker`, at its start and when it stops (the same worker before a
/// crash or restart takes its own back at once). Other workers' claims, on either engine, are
/// theirs: they run out with their lease if their worker died.
pub fn release_claims(conn: &mut DbConn, worker: &str) -> Result<()> {
    diesel::update(
        deliveries::table
            .filter(deliveries::claimed_until.is_not_null())
            .filter(deliveries::claimed_by.eq(worker)),
    )
    .set(deliveries::claimed_until.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    Ok(())
}

/// How one try ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered,
    /// Final: not to be tried again.
    Refused(String),
    /// Try again at the time given, unless the delivery has been tried for too long.
    Retry {
        error: String,
        at: NaiveDateTime,
    },
}

/// Records the outcomes of a batch in one transaction (the caller opens it). Returns how many
/// deliveries died (retried for longer than `give_up_after`).
pub fn record(
    conn: &mut DbConn,
    results: &[(Claimed, Outcome)],
    give_up_after: Duration,
    unreachable_after: Duration,
) -> Result<usize> {
    let at = now();
    let mut died = 0;
    // Delivered: one statement for the batch (per chunk of ids), not one per delivery.
    let delivered: Vec<i64> = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Delivered))
        .map(|(d, _)| d.id)
        .collect();
    for ids in delivered.chunks(500) {
        diesel::update(deliveries::table.filter(deliveries::id.eq_any(ids)))
            .set((
                deliveries::state.eq(DONE),
                deliveries::attempts.eq(deliveries::attempts + 1),
                deliveries::claimed_until.eq(None::<NaiveDateTime>),
                deliveries::finished_at.eq(at),
            ))
            .execute(conn)?;
    }
    for (d, outcome) in results {
        let row = deliveries::table.find(d.id);
        match outcome {
            Outcome::Delivered => {}
            Outcome::Refused(error) => {
                diesel::update(row)
                    .set((
                        deliveries::state.eq(REFUSED),
                        deliveries::attempts.eq(d.attempts + 1),
                        deliveries::claimed_until.eq(None::<NaiveDateTime>),
                        deliveries::last_error.eq(truncate(error)),
                        deliveries::finished_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            Outcome::Retry { error, at: next } => {
                let dead = at - d.created_at >= give_up_after;
                diesel::update(row)
                    .set((
                        deliveries::state.eq(if dead { DEAD } else { PENDING }),
                        deliveries::attempts.eq(d.attempts + 1),
                        deliveries::next_attempt_at.eq(*next),
                        deliveries::claimed_until.eq(None::<NaiveDateTime>),
                        deliveries::last_error.eq(truncate(error)),
                        deliveries::finished_at.eq(dead.then_some(at)),
                    ))
                    .execute(conn)?;
                died += usize::from(dead);
                mark_failing(conn, &d.host, *next, unreachable_after)?;
            }
        }
    }
    // An answer (2xx, or a refusal) means the instance is up.
    let mut answered: Vec<&str> = results
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Retry { .. }))
        .map(|(d, _)| d.host.as_str())
        .collect();
    answered.sort_unstable();
    answered.dedup();
    for hosts in answered.chunks(500) {
        mark_all_healthy(conn, hosts)?;
    }
    Ok(died)
}

fn truncate(error: &str) -> String {
    error.chars().take(500).collect()
}

fn health(conn: &mut DbConn, host: &str) -> Result<Option<(Option<NaiveDateTime>,)>> {
    Ok(instance_health::table
        .find(host)
        .select((instance_health::failing_since,))
        .first(conn)
        .optional()?)
}

/// The instance answered (or contacted us): no longer failing or skipped. (An instance with no
/// health row has never failed.)
pub fn mark_healthy(conn: &mut DbConn, host: &str) -> Result<()> {
    mark_all_healthy(conn, &[host])
}

fn mark_all_healthy(conn: &mut DbConn, hosts: &[&str]) -> Result<()> {
    diesel::update(
        instance_health::table
            .filter(instance_health::host.eq_any(hosts))
            .filter(instance_health::failing_since.is_not_null()),
    )
    .set((
        instance_health::failing_since.eq(None::<NaiveDateTime>),
        instance_health::retry_at.eq(None::<NaiveDateTime>),
        instance_health::last_success_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(())
}

/// The instance failed; once it has failed for `unreachable_after`, it is skipped until `retry`.
fn mark_failing(
    conn: &mut DbConn,
    host: &str,
    retry: NaiveDateTime,
    unreachable_after: Duration,
) -> Result<()> {
    let at = now();
    let known = health(conn, host)?;
    if known.is_none() {
        diesel::insert_into(instance_health::table)
            .values(instance_health::host.eq(host))
            .execute(conn)?;
    }
    let since = known.and_then(|(since,)| since).unwrap_or(at);
    let skip_until = (at - since >= unreachable_after).then_some(retry);
    diesel::update(instance_health::table.find(host))
        .set((
            instance_health::failing_since.eq(since),
            instance_health::retry_at.eq(skip_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// Instances currently skipped, with when they will be tried again.
pub fn unreachable(conn: &mut DbConn) -> Result<Vec<(String, NaiveDateTime)>> {
    let rows: Vec<(String, Option<NaiveDateTime>)> = instance_health::table
        .filter(instance_health::retry_at.gt(now()))
        .select((instance_health::host, instance_health::retry_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(h, at)| at.map(|at| (h, at)))
        .collect())
}

/// Per instance: deliveries waiting for a first try, being retried, and dead.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct HostQueue {
    pub host: String,
    pub pending: i64,
    pub retrying: i64,
    pub dead: i64,
}

pub fn queue_by_host(conn: &mut DbConn) -> Result<Vec<HostQueue>> {
    let rows: Vec<(String, String, i32)> = deliveries::table
        .filter(deliveries::state.eq_any([PENDING, DEAD]))
        .select((deliveries::host, deliveries::state, deliveries::attempts))
        .load(conn)?;
    let mut by_host: std::collections::BTreeMap<String, HostQueue> = Default::default();
    for (host, state, attempts) in rows {
        let entry = by_host.entry(host.clone()).or_insert_with(|| HostQueue {
            host,
            ..Default::default()
        });
        match (state.as_str(), attempts) {
            (DEAD, _) => entry.dead += 1,
            (_, 0) => entry.pending += 1,
            _ => entry.retrying += 1,
        }
    }
    Ok(by_host.into_values().collect())
}

/// Pending deliveries and the creation time of the oldest, for metrics.
pub fn depth(conn: &mut DbConn) -> Result<(i64, Option<NaiveDateTime>)> {
    let pending = deliveries::table.filter(deliveries::state.eq(PENDING));
    let count: i64 = pending.count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> = deliveries::table
        .filter(deliveries::state.eq(PENDING))
        .select(diesel::dsl::min(deliveries::created_at))
        .first(conn)?;
    Ok((count, oldest))
}

/// Forgets finished deliveries (and activities nobody waits for) older than `keep`.
pub fn purge_finished(conn: &mut DbConn, keep: Duration) -> Result<usize> {
    let before = now() - keep;
    let n = diesel::delete(
        deliveries::table
            .filter(deliveries::state.eq_any([DONE, REFUSED]))
            .filter(deliveries::finished_at.lt(before)),
    )
    .execute(conn)?;
    let waiting = deliveries::table.select(deliveries::activity_id);
    diesel::delete(
        outbox_activities::table
            .filter(outbox_activities::created_at.lt(before))
            .filter(outbox_activities::id.ne_all(waiting)),
    )
    .execute(conn)?;
    diesel::delete(
        outbox_events::table
            .filter(outbox_events::planned_at.is_not_null())
            .filter(outbox_events::created_at.lt(before)),
    )
    .execute(conn)?;
    Ok(n)
}
