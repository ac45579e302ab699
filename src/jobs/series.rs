//! The series job: materializes the occurrences of every meeting series up to the horizon
//! (`actions::series::materialize_all`). Idempotent: an occurrence's place in its rule is unique,
//! so several processes running it at once create each occurrence once.

use crate::{actions, context::AppContext, error::Result};
use std::time::Duration;

/// How often the series job runs.
pub const EVERY: Duration = Duration::from_secs(900);

/// One round: every active series.
pub async fn run(ctx: AppContext) -> Result<()> {
    let created = actions::series::materialize_all(&ctx).await?;
    if created > 0 {
        tracing::info!("materialized {created} occurrences of meeting series");
    }
    Ok(())
}
