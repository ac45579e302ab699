//! What the delivery and mail queues hold, for administrators (`copse admin queue`,
//! `/admin/queue`).

use crate::{
    context::AppContext,
    db::{self, outbox::HostQueue},
    error::Result,
};
use chrono::NaiveDateTime;
use std::fmt::Write;

/// Outgoing deliveries per instance, and the instances skipped for now.
#[derive(Debug, Clone)]
pub struct QueueReport {
    pub hosts: Vec<HostQueue>,
    /// Instances failing for long, with when they will be tried again.
    pub unreachable: Vec<(String, NaiveDateTime)>,
    /// Stored changes set aside: unreadable by this version, or failing to plan (kept).
    pub set_aside: i64,
    /// Mails waiting to be sent, and mails given up (`jobs::mail`).
    pub mail_waiting: i64,
    pub mail_dead: i64,
}

pub async fn queue_report(ctx: &AppContext) -> Result<QueueReport> {
    ctx.db(|conn| {
        let (mail_waiting, mail_dead) = db::mail::counts(conn)?;
        Ok(QueueReport {
            mail_waiting,
            mail_dead,
            hosts: db::outbox::queue_by_host(conn)?,
            unreachable: db::outbox::unreachable(conn)?,
            set_aside: db::outbox::set_aside_count(conn)?,
        })
    })
    .await
}

impl QueueReport {
    /// A plain table for the terminal.
    pub fn as_table(&self) -> String {
        let mut out = String::new();
        if self.hosts.is_empty() {
            out.push_str("no deliveries waiting\n");
        } else {
            let _ = writeln!(
                out,
                "{:<40} {:>8} {:>8} {:>8}",
                "instance", "pending", "retrying", "dead"
            );
            for h in &self.hosts {
                let _ = writeln!(
                    out,
                    "{:<40} {:>8} {:>8} {:>8}",
                    h.host, h.pending, h.retrying, h.dead
                );
            }
        }
        for (host, at) in &self.unreachable {
            let _ = writeln!(out, "unreachable: {host} (next try {at} UTC)");
        }
        if self.set_aside > 0 {
            let _ = writeln!(
                out,
                "changes set aside (unreadable or failing to plan; kept in outbox_events) {}",
                self.set_aside
            );
        }
        let _ = writeln!(
            out,
            "mail: {} waiting, {} given up",
            self.mail_waiting, self.mail_dead
        );
        out
    }
}
