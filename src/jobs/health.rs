//! The health snapshot job: once a day (`AT`, UTC) the figures of every local community and of
//! the whole instance (`db::health::figures`) are counted and stored as that day's snapshot.
//! Idempotent: a scope that has its snapshot of the day is skipped, and the store's unique index
//! keeps one row per scope and day when two processes run at once. The pages render from the
//! snapshots; `copse admin health-snapshot [--at DATE]` runs it by hand.

use crate::{
    context::AppContext,
    db::{self, health::Scope},
    domain::health,
    error::Result,
};
use chrono::{NaiveDate, NaiveTime};

/// When the daily snapshot is taken (UTC): after midnight, so it counts the whole day before.
pub const AT: NaiveTime = match NaiveTime::from_hms_opt(3, 15, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Snapshots stored by this run.
    pub stored: usize,
    /// Scopes that had their snapshot of the day already.
    pub already: usize,
}

/// The scheduled run: today's snapshots.
pub async fn run(ctx: AppContext) -> Result<()> {
    let report = snapshot(&ctx, chrono::Utc::now().date_naive()).await?;
    tracing::info!(
        "health snapshots: {} stored, {} already there",
        report.stored,
        report.already
    );
    Ok(())
}

/// Takes the snapshots of `day` (counted as of its midnight, UTC) that are not there yet.
pub async fn snapshot(ctx: &AppContext, day: NaiveDate) -> Result<Report> {
    let communities = ctx.db(db::health::local_communities).await?;
    let scopes = communities
        .into_iter()
        .map(Scope::Community)
        .chain([Scope::Instance]);
    let label = day.format("%Y-%m-%d").to_string();
    let mut report = Report::default();
    for scope in scopes {
        if snapshot_one(ctx, scope, day, &label).await? {
            report.stored += 1;
        } else {
            report.already += 1;
        }
    }
    Ok(report)
}

async fn snapshot_one(ctx: &AppContext, scope: Scope, day: NaiveDate, label: &str) -> Result<bool> {
    let l = label.to_string();
    if ctx.db(move |conn| db::health::has(conn, scope, &l)).await? {
        return Ok(false);
    }
    let figures = ctx
        .db(move |conn| db::health::figures(conn, scope, health::as_of(day)))
        .await?;
    let l = label.to_string();
    ctx.write(move |conn| db::health::store(conn, scope, &l, &figures))
        .await
}
