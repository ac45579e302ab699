//! Notifications in the API: the list (unread first, then newest) with the unread count, and
//! marking one or all read (`actions::notifications`).

use super::extract::Auth;
use crate::{
    actions::notifications::{self, Shown},
    context::AppContext,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most notifications one answer lists.
const MAX_LIMIT: i64 = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only unread ones (default false).
    #[serde(default)]
    pub unread: bool,
    /// How many (1 to 100, default 50).
    pub limit: Option<i64>,
    /// How many to skip (for the next page).
    #[serde(default)]
    pub offset: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsView {
    pub notifications: Vec<Shown>,
    /// Unread notifications (counted up to 100: 100 means "100 or more").
    pub unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MarkedView {
    /// How many were unread and are now read.
    pub marked: usize,
}

/// The account's notifications: unread first, then newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = NotificationsView), (status = 401, body = ErrorBody)))]
pub async fn list(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::invalid_field("limit", "must be between 1 and 100"));
    }
    if q.offset < 0 {
        return Err(Error::invalid_field("offset", "must not be negative"));
    }
    let (items, unread) = notifications::list(&ctx, &account, q.unread, limit, q.offset).await?;
    Ok(HttpResponse::Ok().json(NotificationsView {
        notifications: items,
        unread,
    }))
}

/// Marks one notification read. 404 when the account has none with this id.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "the notification's id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    notifications::mark_read(&ctx, account.user.id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks every notification of the account read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedView), (status = 401, body = ErrorBody)))]
pub async fn mark_all_read(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
) -> Result<HttpResponse, Error> {
    let marked = notifications::mark_all_read(&ctx, account.user.id).await?;
    Ok(HttpResponse::Ok().json(MarkedView { marked }))
}
