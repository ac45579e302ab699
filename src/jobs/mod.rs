//! Background work: every loop of an instance (outbound planning, delivery, mail, digests,
//! housekeeping, meeting series, daily health snapshots, the sync of shared state, meeting reminders) runs here as a job, started together,
//! run on a [`Schedule`] or woken by its own signal, and stopped by the one shutdown signal the
//! `AppContext` carries. Scheduled runs are counted by job and outcome at `/metrics`.

pub mod digests;
pub mod health;
pub mod housekeeping;
pub mod mail;
mod planner;
pub mod polls;
pub mod reminders;
pub mod schedule;
pub mod series;
pub mod sync;

pub use schedule::Schedule;

use crate::context::AppContext;
use activitypub_federation::config::FederationConfig;
use std::{future::Future, time::Duration};
use tokio_util::task::TaskTracker;

/// The jobs of one instance (or of one `copse worker`).
pub struct Jobs {
    ctx: AppContext,
    tracker: TaskTracker,
}

impl Jobs {
    /// No jobs yet; they stop when `ctx`'s shutdown signal fires.
    pub fn new(ctx: AppContext) -> Jobs {
        Jobs {
            ctx,
            tracker: TaskTracker::new(),
        }
    }

    /// Runs a loop that watches `AppContext::shutdown` itself and ends soon after it fires
    /// (finishing the work in hand first).
    pub fn spawn(&self, name: &'static str, job: impl Future<Output = ()> + Send + 'static) {
        tracing::debug!("job {name} started");
        self.tracker.spawn(async move {
            job.await;
            tracing::debug!("job {name} ended");
        });
    }

    /// Runs `task` on `schedule` until shutdown. A run in progress when shutdown comes finishes.
    /// Each run is counted (`copse_job_runs_total{job, outcome}`); a failed one is logged and
    /// the job runs again at its next time.
    pub fn schedule<F, Fut>(&self, name: &'static str, schedule: Schedule, task: F)
    where
        F: Fn(AppContext) -> Fut + Send + 'static,
        Fut: Future<Output = crate::error::Result<()>> + Send + 'static,
    {
        let ctx = self.ctx.clone();
        self.spawn(name, async move {
            let shutdown = ctx.shutdown().clone();
            loop {
                let wait = schedule.wait_from(chrono::Utc::now());
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
                let run = task(ctx.clone()).await;
                if let Err(e) = &run {
                    tracing::warn!("job {name}: {e:?}");
                }
                ctx.metrics().observe_job(name, run.is_ok());
            }
        });
    }

    /// Fires the shutdown signal and waits up to `grace` for every job to end (a delivery being
    /// sent is finished and recorded). Returns whether they all ended in time.
    pub async fn shutdown(self, grace: Duration) -> bool {
        self.ctx.shutdown().cancel();
        self.tracker.close();
        let ended = tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok();
        if !ended {
            tracing::warn!("background jobs still running after {grace:?}: left unfinished");
        }
        ended
    }
}

/// Registers the jobs every process runs, `copse serve` and `copse worker` alike: the sync of
/// shared state (`sync`).
pub fn start_common(jobs: &Jobs) {
    jobs.schedule("sync", Schedule::Every(sync::EVERY), sync::run);
}

/// Registers the outbound jobs: the planner, the delivery worker and the mail sender (`me` names
/// them in their claims), digests, the materializing of meeting series, meeting reminders, poll results and housekeeping. `copse serve` (unless `delivery_in_serve` is off) and
/// `copse worker` both start them here.
pub fn start_outbound(jobs: &Jobs, config: FederationConfig<AppContext>, me: String) {
    jobs.spawn("mail", mail::run(jobs.ctx.clone(), me.clone()));
    jobs.spawn("planner", planner::run(config.clone()));
    jobs.spawn(
        "delivery",
        crate::federation::outbound::worker::run(config, me),
    );
    jobs.schedule("digests", Schedule::Every(digests::EVERY), digests::run);
    jobs.schedule("series", Schedule::Every(series::EVERY), series::run);
    jobs.schedule(
        "reminders",
        Schedule::Every(reminders::EVERY),
        reminders::run,
    );
    let every = std::time::Duration::from_secs(jobs.ctx.settings().poll_results_secs.max(1));
    jobs.schedule("polls", Schedule::Every(every), polls::run);
    jobs.schedule("health", Schedule::DailyAt(health::AT), health::run);
    jobs.schedule(
        "housekeeping",
        Schedule::Every(housekeeping::EVERY),
        housekeeping::run,
    );
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM: either asks the process to shut down
/// gracefully.
pub async fn shutdown_requested() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    Ok(())
}
