//! Meeting series: `/communities/{ref}/series` (start one) and `/series/{id}` (read, edit). Each
//! occurrence is an event of its own (`/events/{id}`), listed in the series with its id.

use super::{
    events::{summary, EventSummary},
    extract::{ApiJson, Auth, MaybeAuth},
};
use crate::{
    actions,
    context::{AppContext, RequestData},
    domain::series::{describe, SeriesInput},
    error::{Error, ErrorBody},
    views::{self, series::SeriesRead},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct SeriesRequest {
    /// Plain text, 1–200 characters: the title of every occurrence.
    pub title: String,
    /// Markdown: what the meetings are about.
    #[serde(default)]
    pub body: String,
    /// The first occurrence (`starts_at`, `ends_at` local to `timezone`, place, capacity …),
    /// the `rrule` and the `exdates`.
    #[serde(flatten)]
    pub series: SeriesInput,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesView {
    pub id: i64,
    pub community: String,
    pub title: String,
    pub body: String,
    /// The RRULE, without DTSTART.
    pub rrule: String,
    /// The rule in words: "every second Thursday of the month".
    pub description: String,
    /// Local dates without a meeting.
    pub exdates: Vec<String>,
    /// The first occurrence's local start (`YYYY-MM-DDTHH:MM`) in `timezone`.
    pub first_local: String,
    pub duration_minutes: i64,
    pub timezone: String,
    /// No occurrence left.
    pub finished: bool,
    /// Its occurrences materialized so far, by start (each an event).
    pub occurrences: Vec<EventSummary>,
}

fn view(ctx: &AppContext, read: SeriesRead) -> SeriesView {
    let s = read.series;
    SeriesView {
        id: s.id,
        community: super::handle(ctx, &read.community.name, &read.community.ap_id),
        description: describe(&s.rrule),
        title: s.title,
        body: s.body_md,
        rrule: s.rrule,
        exdates: s.exdates.lines().map(str::to_string).collect(),
        first_local: s.first_local.format("%Y-%m-%dT%H:%M").to_string(),
        duration_minutes: s.duration_minutes,
        timezone: s.timezone,
        finished: s.finished,
        occurrences: read
            .occurrences
            .into_iter()
            .map(|(p, e)| summary(p.id, p.title, &e))
            .collect(),
    }
}

/// Start a meeting series in a community: its first occurrences are scheduled at once.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/series", tag = "events",
    operation_id = "create_series",
    params(("ref" = String, Path, description = "local name")),
    request_body = SeriesRequest, security(("bearer" = [])),
    responses((status = 201, body = SeriesView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<SeriesRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let id = actions::series::create(
        &data,
        &account,
        community,
        &body.title,
        &body.body,
        &body.series,
    )
    .await?;
    let read = views::series::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Created().json(view(&data, read)))
}

/// One series with its occurrences.
#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "events",
    operation_id = "get_series", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "series id")),
    responses((status = 200, body = SeriesView), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let viewer = super::viewer(account.as_ref());
    let read = views::series::read_by_id(&data, viewer, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}

/// Its author or a moderator changes the series: future occurrences nobody changed on their own
/// follow (new details, the new rule's dates); past ones stay.
#[utoipa::path(put, path = "/api/v1/series/{id}", tag = "events",
    operation_id = "edit_series", params(("id" = i64, Path, description = "series id")),
    request_body = SeriesRequest, security(("bearer" = [])),
    responses((status = 200, body = SeriesView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn edit(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<SeriesRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let person = &account.person;
    actions::series::edit(&data, person, id, &body.title, &body.body, &body.series).await?;
    let read = views::series::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}
