//! The calendars a community follows (`actions::event_sources`), for its moderators: list,
//! follow one by handle or URL, stop following.

use super::{
    extract::{ApiJson, Auth},
    handle,
    moderation::local,
};
use crate::{
    actions,
    context::{AppContext, RequestData},
    db::{accounts::Person, event_sources::EventSource},
    error::{Error, ErrorBody},
    views,
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    /// The calendar's handle (`name@host`) or the URL of its actor, on another server.
    pub calendar: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    pub id: i64,
    /// `name@host`.
    pub handle: String,
    pub actor_id: String,
    /// `pending` (the Follow is on its way), `accepted` (its events arrive) or `rejected`.
    pub state: String,
    pub followed_at: DateTime<Utc>,
}

fn view(ctx: &AppContext, (s, p): (EventSource, Person)) -> CalendarView {
    CalendarView {
        id: s.id,
        handle: handle(ctx, &p.name, &p.ap_id),
        actor_id: p.ap_id.to_string(),
        state: s.state,
        followed_at: s.created_at.and_utc(),
    }
}

/// The calendars a community follows (its moderators).
#[utoipa::path(get, path = "/api/v1/communities/{name}/calendars", tag = "events",
    params(("name" = String, Path, description = "community name")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CalendarView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn calendars(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let viewer = super::viewer(Some(&account));
    let rows = views::moderation::calendars(&data, viewer, community).await?;
    let items: Vec<CalendarView> = rows.into_iter().map(|r| view(&data, r)).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Follow a calendar on another server (its moderators): the community's Group sends a
/// `Follow`; once accepted, the events it publishes land in the community.
#[utoipa::path(post, path = "/api/v1/communities/{name}/calendars", tag = "events",
    params(("name" = String, Path, description = "community name")),
    request_body = CalendarRequest, security(("bearer" = [])),
    responses((status = 201, body = CalendarView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn follow_calendar(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<CalendarRequest>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    let followed =
        actions::event_sources::follow(&data, person, admin, community, &body.calendar).await?;
    Ok(HttpResponse::Created().json(view(&data, followed)))
}

/// Stop following a calendar (its moderators); the events already received stay.
#[utoipa::path(delete, path = "/api/v1/communities/{name}/calendars/{id}", tag = "events",
    params(("name" = String, Path, description = "community name"), ("id" = i64, Path, description = "the calendar's id in this community")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unfollow_calendar(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    let (name, id) = path.into_inner();
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::event_sources::unfollow(&data, person, admin, community, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
