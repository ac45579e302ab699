//! Housekeeping: forgets finished deliveries and sent mail (kept two days for administrators),
//! expired account links, and the ids of
//! received activities (kept thirty days: a replay within them has no effect), and learns what
//! software the instances of remote members run (`federation::software`, weekly per instance).

use crate::{context::AppContext, db};
use chrono::Duration as Span;
use std::time::Duration;

/// How often housekeeping runs.
pub const EVERY: Duration = Duration::from_secs(600);
/// How long finished deliveries are kept (for admins).
const KEEP_FINISHED_DAYS: i64 = 2;
/// How long the ids of received activities are kept.
const KEEP_RECEIPTS_DAYS: i64 = 30;

/// One round of housekeeping; failures are logged and tried again next round.
pub async fn run(ctx: AppContext) {
    if let Err(e) = ctx
        .write(|conn| db::outbox::purge_finished(conn, Span::days(KEEP_FINISHED_DAYS)))
        .await
    {
        tracing::warn!("purging finished deliveries: {e:?}");
    }
    let before = chrono::Utc::now().naive_utc() - Span::days(KEEP_RECEIPTS_DAYS);
    if let Err(e) = ctx
        .write(move |conn| db::members::forget_receipts(conn, before))
        .await
    {
        tracing::warn!("forgetting old receipts: {e:?}");
    }
    if let Err(e) = ctx
        .write(|conn| {
            db::mail::purge_sent(conn, Span::days(KEEP_FINISHED_DAYS))?;
            db::account_tokens::purge_expired(conn)
        })
        .await
    {
        tracing::warn!("purging sent mail and expired links: {e:?}");
    }
    if let Err(e) = crate::federation::software::learn(&ctx).await {
        tracing::warn!("learning what other instances run: {e:?}");
    }
}
