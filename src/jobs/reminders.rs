//! Meeting reminders: every few minutes, the people going to a meeting that starts within a day
//! are notified once (`actions::notifications::remind`; idempotent, so several processes may
//! run it).

use crate::{context::AppContext, error::Result};
use std::time::Duration;

/// How often reminders are looked for.
pub const EVERY: Duration = Duration::from_secs(300);

pub async fn run(ctx: AppContext) -> Result<()> {
    let sent = crate::actions::notifications::remind(&ctx).await?;
    if sent > 0 {
        tracing::info!("reminded {sent} people of meetings within a day");
    }
    Ok(())
}
