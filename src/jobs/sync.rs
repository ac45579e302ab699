//! Keeps what a process holds in memory in step with the database other processes share: the
//! instance policy (rebuilt when the stored lists' version moved, `actions::instances::refresh`)
//! and the instances the delivery worker skips as unreachable (so that an inbox in any process
//! hearing from one of them ends the skipping). Runs every second in `copse serve` and
//! `copse worker` alike.

use crate::{context::AppContext, error::Result};
use std::time::Duration;

/// How often: the bound on how long another process takes to enforce a policy change.
pub const EVERY: Duration = Duration::from_secs(1);

/// One round: two small indexed reads when nothing changed.
pub async fn run(ctx: AppContext) -> Result<()> {
    if crate::actions::instances::refresh(&ctx).await? {
        tracing::info!("instance policy changed in another process: rebuilt");
    }
    crate::federation::outbound::worker::refresh_unreachable(&ctx).await;
    Ok(())
}
