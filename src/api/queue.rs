//! `/admin/queue`: what waits to be delivered, per instance, for administrators.

use super::extract::Auth;
use crate::{
    actions,
    context::AppContext,
    db::outbox::HostQueue,
    domain::accounts::may_administer,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Unreachable {
    /// `host[:port]`.
    pub host: String,
    /// When deliveries to it are tried again (sooner if it contacts us).
    pub retry_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueView {
    /// Per instance: deliveries waiting for a first try, being retried, and given up (dead).
    pub instances: Vec<HostQueue>,
    /// Instances failing for long, skipped for now.
    pub unreachable: Vec<Unreachable>,
    /// Stored changes set aside, never planned: unreadable by this version, or failing to plan
    /// again and again. They are kept in the outbox for an administrator.
    pub set_aside_changes: i64,
    /// Mails waiting to be sent.
    pub mail_waiting: i64,
    /// Mails given up: refused by the mail server, or failing for too long.
    pub mail_dead: i64,
}

/// The outgoing delivery queue (administrators).
#[utoipa::path(get, path = "/api/v1/admin/queue", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = QueueView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn queue(
    data: web::Data<AppContext>,
    Auth(account): Auth,
) -> Result<HttpResponse, Error> {
    may_administer(account.user.is_admin)?;
    let report = actions::delivery::queue_report(&data).await?;
    Ok(HttpResponse::Ok().json(QueueView {
        instances: report.hosts,
        unreachable: report
            .unreachable
            .into_iter()
            .map(|(host, at)| Unreachable {
                host,
                retry_at: at.and_utc(),
            })
            .collect(),
        set_aside_changes: report.set_aside,
        mail_waiting: report.mail_waiting,
        mail_dead: report.mail_dead,
    }))
}
