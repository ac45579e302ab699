//! Housekeeping: forgets finished deliveries and sent mail (kept two days for administrators),
//! expired account links, the ids of received activities (kept thirty days: a replay within
//! them has no effect) and log-in throttles nothing of which matters any more, and learns what
//! software the instances of remote members run (`federation::software`, weekly per instance),
//! and removes library files nothing names any more and uploads a crash left half-written.
//! Every part is idempotent: several processes running it at once do no harm.

use crate::{context::AppContext, db, error::Result};
use chrono::Duration as Span;
use std::time::Duration;

/// How often housekeeping runs.
pub const EVERY: Duration = Duration::from_secs(600);
/// How long finished deliveries are kept (for admins).
const KEEP_FINISHED_DAYS: i64 = 2;
/// How long the ids of received activities are kept.
const KEEP_RECEIPTS_DAYS: i64 = 30;

/// One round of housekeeping: every part is tried; failures are logged, tried again next
/// round, and the round counts as failed.
pub async fn run(ctx: AppContext) -> Result<()> {
    let mut ok = true;
    let mut check = |what: &str, done: Result<usize>| {
        if let Err(e) = done {
            tracing::warn!("{what}: {e:?}");
            ok = false;
        }
    };
    let purged = ctx
        .write(|conn| db::outbox::purge_finished(conn, Span::days(KEEP_FINISHED_DAYS)))
        .await;
    check("purging finished deliveries", purged);
    let before = chrono::Utc::now().naive_utc() - Span::days(KEEP_RECEIPTS_DAYS);
    let forgotten = ctx
        .write(move |conn| db::members::forget_receipts(conn, before))
        .await;
    check("forgetting old receipts", forgotten);
    let mail = ctx
        .write(|conn| {
            let sent = db::mail::purge_sent(conn, Span::days(KEEP_FINISHED_DAYS))?;
            db::account_tokens::purge_expired(conn)?;
            Ok(sent)
        })
        .await;
    check("purging sent mail and expired links", mail);
    let idle = ctx.write(db::throttles::forget_idle).await;
    check("forgetting idle log-in throttles", idle);
    let swept = crate::actions::resources::sweep(&ctx, 1_000).await;
    check("removing unused library files", swept);
    let staged = crate::files::Store::of(ctx.settings()).sweep_staging(Duration::from_secs(86_400));
    check("removing abandoned uploads", staged);
    let learned = crate::federation::software::learn(&ctx).await.map(|()| 0);
    check("learning what other instances run", learned);
    if ok {
        Ok(())
    } else {
        Err(anyhow::anyhow!("housekeeping left work for its next round").into())
    }
}
