//! Poll results: every `poll_results_secs`, the local polls whose counts changed (or that closed)
//! since their last `Update(Question)` get one queued (`actions::polls::queue_results`, one write
//! with the marks that keep it from going twice; safe in several processes). No timer per poll:
//! the outbox and the planner carry it from there.

use crate::{context::AppContext, error::Result};

pub async fn run(ctx: AppContext) -> Result<()> {
    let queued = crate::actions::polls::queue_results(&ctx).await?;
    if queued > 0 {
        tracing::info!("queued the results of {queued} polls");
        ctx.outbox_wakeup().notify_one();
    }
    Ok(())
}
