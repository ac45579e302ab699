//! Events: `/communities/{ref}/events` (schedule, list) and `/events/{id}` (read, edit, status,
//! RSVP, organizers' decisions). An event is also a thread: its comments are `/posts/{id}`'s.

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions,
    context::{AppContext, RequestData},
    db::events::Event,
    domain::events::{EventInput, EventStatus, RsvpState},
    error::{Error, ErrorBody},
    views::{self, events::EventRead},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct EventRequest {
    /// Plain text, 1–200 characters.
    pub title: String,
    /// Markdown: what the meeting is about, the agenda.
    #[serde(default)]
    pub body: String,
    #[serde(flatten)]
    pub event: EventInput,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// `scheduled`, `cancelled`, `postponed` or `moved_online`.
    pub status: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpRequest {
    /// `going`, `maybe` or `not_going`.
    pub state: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Who asked: `name` (local) or `name@host`, as in the event's `answers`.
    pub person: String,
    pub accept: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    pub person: String,
    pub state: String,
    /// Recorded by the organizers as having come.
    pub attended: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRequest {
    /// Notes or minutes (markdown).
    #[serde(default)]
    pub notes: String,
    /// Who came: people who answered the event, as in its `answers`.
    #[serde(default)]
    pub attended: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaRequest {
    /// The agenda (markdown); empty removes it.
    #[serde(default)]
    pub agenda: String,
}

#[derive(Serialize, ToSchema)]
pub struct RsvpView {
    /// What the answer became: `going`, `waitlisted`, `pending`, `maybe`, `not_going`, `refused`.
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    /// The event's id, which is also its thread's post id.
    pub id: i64,
    pub actor_id: String,
    pub community: String,
    pub author: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub place_name: String,
    pub place_address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Shown to everyone when public, else to people going and the organizers.
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub join_mode: String,
    pub external_url: Option<String>,
    pub status: String,
    pub going: i64,
    pub waitlisted: i64,
    pub pending: i64,
    /// The reader's own answer.
    pub my_answer: Option<String>,
    pub organizes: bool,
    /// Who answered what (members of the community only; empty for others).
    pub answers: Vec<AnswerView>,
    /// Notes or minutes written afterwards (HTML and markdown).
    pub notes_html: String,
    pub notes: String,
    /// How many came, as recorded.
    pub attended: i64,
    /// The agenda (markdown and HTML), set by organizers before the meeting.
    pub agenda: String,
    pub agenda_html: String,
    /// The meeting series this is an occurrence of (`/api/v1/series/{id}`).
    pub series_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventSummary {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventSummary>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// `upcoming` (default: not yet ended, soonest first) or `past` (latest first).
    pub when: Option<String>,
}

fn view(ctx: &AppContext, read: EventRead) -> EventView {
    let e = &read.event;
    EventView {
        id: read.post.id,
        actor_id: read.post.ap_id.to_string(),
        community: super::handle(ctx, &read.community.name, &read.community.ap_id),
        author: read.author_handle.clone(),
        title: read.post.title.clone(),
        body: read.post.body_md.clone(),
        body_html: read.post.body_html.clone(),
        starts_at: e.starts_at.and_utc(),
        ends_at: e.ends_at.and_utc(),
        timezone: e.timezone.clone(),
        place_name: e.place_name.clone(),
        place_address: e.place_address.clone(),
        latitude: e.latitude,
        longitude: e.longitude,
        online_url: read.online_url.clone(),
        capacity: e.capacity,
        join_mode: e.join_mode.clone(),
        external_url: Some(e.external_url.clone()).filter(|u| !u.is_empty()),
        status: e.status.clone(),
        going: read.going,
        waitlisted: read.waitlisted,
        pending: read.pending,
        my_answer: read.mine.map(|s| s.as_str().to_string()),
        organizes: read.organizes,
        answers: read
            .answers
            .iter()
            .map(|a| AnswerView {
                person: a.handle.clone(),
                state: a.state.as_str().to_string(),
                attended: a.attended,
            })
            .collect(),
        notes_html: e.notes_html.clone(),
        notes: e.notes_md.clone(),
        attended: read.attended,
        agenda: e.agenda_md.clone(),
        agenda_html: e.agenda_html.clone(),
        series_id: e.series_id,
    }
}

/// Schedule an event in a community (a thread with a date).
#[utoipa::path(post, path = "/api/v1/communities/{ref}/events", tag = "events",
    operation_id = "create_event",
    params(("ref" = String, Path, description = "local name")),
    request_body = EventRequest, security(("bearer" = [])),
    responses((status = 201, body = EventView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<EventRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let post = actions::events::create(
        &data,
        &account,
        community,
        &body.title,
        &body.body,
        &body.event,
    )
    .await?;
    let read = views::events::read_by_id(&data, super::viewer(Some(&account)), post.id).await?;
    Ok(HttpResponse::Created().json(view(&data, read)))
}

/// A community's events: upcoming (soonest first) or past.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/events", tag = "events",
    operation_id = "list_events", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"), EventQuery),
    responses((status = 200, body = EventList), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, Error> {
    let upcoming = match query.when.as_deref() {
        None | Some("upcoming") => true,
        Some("past") => false,
        Some(_) => return Err(Error::invalid_field("when", "`upcoming` or `past`")),
    };
    let community = actions::communities::find(&data, &reference).await?;
    let (gate, viewer) = (data.gate().clone(), super::viewer(account.as_ref()));
    let found = data
        .db(move |conn| {
            views::events::in_community(conn, &gate, &viewer, &community, upcoming, 100)
        })
        .await?
        .ok_or_else(members_only)?;
    let items = found
        .into_iter()
        .map(|(p, e)| summary(p.id, p.title, &e))
        .collect();
    Ok(HttpResponse::Ok().json(EventList { items }))
}

fn members_only() -> Error {
    Error::new(
        crate::error::ErrorKind::Forbidden,
        "members_only",
        "only members see this community's events",
    )
}

pub(super) fn summary(id: i64, title: String, e: &Event) -> EventSummary {
    EventSummary {
        id,
        title,
        starts_at: e.starts_at.and_utc(),
        ends_at: e.ends_at.and_utc(),
        timezone: e.timezone.clone(),
        status: e.status.clone(),
    }
}

/// One event, with the reader's answer and (for members) everyone's.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    operation_id = "get_event", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "event id")),
    responses((status = 200, body = EventView), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let read =
        views::events::read_by_id(&data, super::viewer(account.as_ref()), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}

/// An organizer changes the event (every field, as when scheduling).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events",
    operation_id = "edit_event", params(("id" = i64, Path, description = "event id")),
    request_body = EventRequest, security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn edit(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<EventRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    actions::events::edit(
        &data,
        &account.person,
        id,
        &body.title,
        &body.body,
        &body.event,
    )
    .await?;
    let read = views::events::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}

/// An organizer cancels, postpones, moves online or reinstates the event.
#[utoipa::path(post, path = "/api/v1/events/{id}/status", tag = "events",
    operation_id = "set_event_status", params(("id" = i64, Path, description = "event id")),
    request_body = StatusRequest, security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn status(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<HttpResponse, Error> {
    let status = EventStatus::parse(&body.status).ok_or_else(|| {
        Error::invalid_field(
            "status",
            "one of scheduled, cancelled, postponed, moved_online",
        )
    })?;
    let id = id.into_inner();
    actions::events::set_status(&data, &account.person, id, status).await?;
    let read = views::events::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}

/// Answer an event: going (may become waitlisted or pending), maybe, or not going.
#[utoipa::path(post, path = "/api/v1/events/{id}/rsvp", tag = "events",
    operation_id = "rsvp_event", params(("id" = i64, Path, description = "event id")),
    request_body = RsvpRequest, security(("bearer" = [])),
    responses((status = 200, body = RsvpView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rsvp(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<RsvpRequest>,
) -> Result<HttpResponse, Error> {
    let wanted = RsvpState::parse(&body.state)
        .ok_or_else(|| Error::invalid_field("state", "one of going, maybe, not_going"))?;
    let state = actions::events::answer(&data, &account.person, id.into_inner(), wanted).await?;
    Ok(HttpResponse::Ok().json(RsvpView {
        state: state.as_str().to_string(),
    }))
}

/// An organizer accepts or refuses someone who asked to come (approval mode).
#[utoipa::path(post, path = "/api/v1/events/{id}/decisions", tag = "events",
    operation_id = "decide_rsvp", params(("id" = i64, Path, description = "event id")),
    request_body = DecisionRequest, security(("bearer" = [])),
    responses((status = 200, body = RsvpView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let read = views::events::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    if !read.organizes {
        return Err(actions::events::not_organizer());
    }
    let person = read.answered("person", &body.person)?;

    let state = actions::events::decide(&data, &account.person, id, person, body.accept).await?;
    Ok(HttpResponse::Ok().json(RsvpView {
        state: state.as_str().to_string(),
    }))
}

/// An organizer records, once the event has begun, its notes and who came.
#[utoipa::path(put, path = "/api/v1/events/{id}/record", tag = "events",
    operation_id = "record_event", params(("id" = i64, Path, description = "event id")),
    request_body = RecordRequest, security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn record(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<RecordRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let viewer = super::viewer(Some(&account));
    let before = views::events::read_by_id(&data, viewer.clone(), id).await?;
    if !before.organizes {
        return Err(actions::events::not_organizer());
    }
    let attended = body
        .attended
        .iter()
        .map(|h| before.answered("attended", h))
        .collect::<Result<Vec<_>, _>>()?;
    actions::events::record(&data, &account.person, id, &body.notes, attended).await?;
    let read = views::events::read_by_id(&data, viewer, id).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}

/// An organizer sets the agenda, before the meeting (members propose items as comments).
#[utoipa::path(put, path = "/api/v1/events/{id}/agenda", tag = "events",
    operation_id = "set_event_agenda", params(("id" = i64, Path, description = "event id")),
    request_body = AgendaRequest, security(("bearer" = [])),
    responses((status = 200, body = EventView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn agenda(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<AgendaRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    actions::agenda::set(&data, &account.person, id, &body.agenda).await?;
    let read = views::events::read_by_id(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Ok().json(view(&data, read)))
}
