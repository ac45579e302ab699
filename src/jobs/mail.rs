//! The mail job: claims due mail from the queue (`db::mail`), sends it through the instance's
//! `mail::Mailer` (SMTP pool or the `mail_dir` folder), and records each outcome: sent, retried
//! with doubling waits (from `mail_retry_base_secs`, up to an hour), or dead (refused for good by
//! the server, or failing longer than `mail_give_up_after_secs`).
//!
//! **Guarantee**: a queued mail is never lost (it is a row written with its cause) and is sent
//! at least once; it is sent again only if the process stops between the server accepting it and
//! the row being marked sent (or the database refuses that write). The claim then runs out
//! ([`LEASE`]) and the mail is sent again as the same message: the same `Message-ID`, `Date`
//! and body, so a duplicate is an identical copy that mail clients may fold into one. No two
//! processes send one mail at once: a claim is taken in the database.

use crate::{
    context::AppContext,
    db::{self, mail::QueuedMail},
    mail::{Mailer, SendError},
};
use chrono::Duration as Span;
use std::time::Duration;

/// How long a claim lasts: longer than sending a batch takes (each SMTP conversation times out
/// after 30 s), so only a process that died leaves mail claimed, and not for long.
pub const LEASE: Duration = Duration::from_secs(600);
/// Most mails claimed at once.
const BATCH: i64 = 16;
/// How often the queue is looked at without a wake-up (mail queued by another process).
const POLL: Duration = Duration::from_secs(5);
/// The longest wait between two tries.
const MAX_BACKOFF_SECS: u64 = 3600;

/// Runs until the shutdown signal; `me` names this process in its claims.
pub async fn run(ctx: AppContext, me: String) {
    let settings = ctx.settings().clone();
    let mailer = match Mailer::from_settings(&settings) {
        Ok(mailer) => mailer,
        Err(e) => {
            tracing::error!("mail is not sent: {e}");
            return;
        }
    };
    match mailer {
        Mailer::Folder(_) => tracing::warn!("mail: {}", mailer.describe(&settings)),
        Mailer::Smtp(_) => tracing::info!("mail: sent through {}", mailer.describe(&settings)),
    }
    let worker = me.clone();
    if let Err(e) = ctx
        .write(move |conn| db::mail::release_claims(conn, &worker))
        .await
    {
        tracing::warn!("mail: letting go of earlier claims: {e:?}");
    }
    let shutdown = ctx.shutdown().clone();
    let wake = ctx.mail_wakeup();
    while !shutdown.is_cancelled() {
        // A read first: an idle queue costs no write transaction (SQLite has one writer).
        let due = ctx.db(db::mail::any_due).await.unwrap_or_else(|e| {
            tracing::warn!("mail: reading the queue: {e:?}");
            false
        });
        let worker = me.clone();
        let claimed = if !due {
            Vec::new()
        } else {
            ctx.write(move |conn| {
                let lease = Span::seconds(LEASE.as_secs() as i64);
                db::mail::claim_due(conn, &worker, BATCH, lease)
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("mail: claiming: {e:?}");
                Vec::new()
            })
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        for mail in claimed {
            if shutdown.is_cancelled() {
                break;
            }
            let outcome = mailer.send(&settings, &mail).await;
            record(&ctx, mail, outcome).await;
        }
    }
    // Mail claimed and not sent is let go at once, for another process or the next start.
    let _ = ctx
        .write(move |conn| db::mail::release_claims(conn, &me))
        .await;
}

/// Stores how one try ended, and counts it.
async fn record(ctx: &AppContext, mail: QueuedMail, outcome: Result<(), SendError>) {
    let metrics = ctx.metrics();
    let id = mail.id;
    match outcome {
        Ok(()) => {
            metrics.mail_sent.inc();
            tracing::info!(id, kind = %mail.kind, "mail sent (or written to mail_dir)");
            if let Err(e) = ctx
                .write(move |conn| db::mail::mark_sent(conn, &mail))
                .await
            {
                // Sent but not recorded: once the claim runs out it is sent again, identical.
                tracing::error!(id, "mail sent but not marked sent: {e:?}");
            }
        }
        Err(error) => {
            let settings = ctx.settings();
            let wait = backoff(settings.mail_retry_base_secs, mail.attempts);
            let next = db::now() + Span::seconds(wait as i64);
            let give_up = Span::seconds(settings.mail_give_up_after_secs as i64);
            let dead = ctx
                .write(move |conn| {
                    db::mail::mark_failed(
                        conn,
                        &mail,
                        &error.message,
                        error.permanent,
                        next,
                        give_up,
                    )
                })
                .await;
            match dead {
                Ok(true) => {
                    metrics.mail_failed.inc();
                    tracing::warn!(id, "mail given up");
                }
                Ok(false) => {
                    metrics.mail_retried.inc();
                    tracing::warn!(id, "mail not sent, tried again in {wait} s");
                }
                Err(e) => tracing::error!(id, "recording a failed mail: {e:?}"),
            }
        }
    }
}

/// Seconds before the next try after `attempts` failed ones: `base`, doubling, at most an hour.
fn backoff(base: u64, attempts: i32) -> u64 {
    let doublings = u32::try_from(attempts).unwrap_or(0).min(20);
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF_SECS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(super::backoff(60, 0), 60);
        assert_eq!(super::backoff(60, 1), 120);
        assert_eq!(super::backoff(60, 5), 1920);
        assert_eq!(super::backoff(60, 6), 3600);
        assert_eq!(super::backoff(60, 1000), 3600);
    }
}
