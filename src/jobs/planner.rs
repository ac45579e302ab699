//! The planner job: turns stored outbox events into deliveries (`federation::outbound::queue`),
//! woken when events are stored, and every second for events stored by other processes. Each
//! batch planned counts as a run (`copse_job_runs_total{job="planner"}`); idle looks do not.

use crate::{
    context::AppContext,
    federation::outbound::queue::{plan_pending, BATCH},
};
use activitypub_federation::config::FederationConfig;
use std::{collections::HashMap, time::Duration};

/// How long the planner waits, once woken, for more changes to plan with the first. A batch's
/// reads and its marking as planned are four statements however many changes it holds: at
/// 1,500 received activities a second a batch holds about 30 instead of a handful, 2–3 % more
/// PostgreSQL ingest (issue 19, docs/PERFORMANCE.md). A delivery leaves at most 20 ms later,
/// little beside a delivery's own round trips.
const GATHER: Duration = Duration::from_millis(20);

/// Plans until shutdown; a batch being planned is finished first.
pub async fn run(config: FederationConfig<AppContext>) {
    let mut failures: HashMap<i64, u32> = HashMap::new();
    let shutdown = config.to_request_data().shutdown().clone();
    while !shutdown.is_cancelled() {
        let data = config.to_request_data();
        match plan_pending(&data, &mut failures).await {
            // Nothing was waiting, or the batch took all that was: wait for the next change
            // (one stored meanwhile has left its wake-up, so the wait ends at once).
            Ok(n) if (n as i64) < BATCH => {
                if n > 0 {
                    data.metrics().observe_job("planner", true);
                }
                let wake = data.outbox_wakeup();
                tokio::select! {
                    _ = wake.notified() => {
                        // Woken by a write: the changes stored in the next moment join its batch.
                        tokio::select! {
                            _ = tokio::time::sleep(GATHER) => {}
                            _ = shutdown.cancelled() => {}
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
            // The batch's writes woke the delivery worker if they stored deliveries.
            Ok(_) => data.metrics().observe_job("planner", true),
            Err(e) => {
                data.metrics().observe_job("planner", false);
                tracing::warn!("planning deliveries: {e:?}");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.cancelled() => {}
                }
            }
        }
    }
}
