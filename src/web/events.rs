//! Events on the pages: `/c/{name}/events` (upcoming and past, a link to the calendar),
//! `/c/{name}/events/new` and `/events/{id}/edit` (the event form), `/events/{id}` (details, the
//! RSVP form, who is coming, organizers' controls), and the iCalendar files `/events/{id}.ics`
//! and `/c/{name}/events.ics`. Writes go through `actions::events`.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, not_found, render, see_other,
};
use crate::{
    actions,
    context::AppContext,
    db::{self, communities::Community, events::Event, posts::Post},
    domain::events::{self as rules, EventInput, EventStatus, RsvpState},
    error::Error,
    feeds::ical,
    views::{self, events::EventRead, gate::Viewer},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// An event in a list.
struct Line {
    id: i64,
    title: String,
    when: String,
    status: EventStatus,
}

#[derive(Template)]
#[template(path = "events.html", config = "src/web/askama.toml")]
struct EventsPage {
    frame: Frame,
    community: Community,
    reference: String,
    upcoming: Vec<Line>,
    past: Vec<Line>,
    may_schedule: bool,
}

#[derive(Template)]
#[template(path = "event.html", config = "src/web/askama.toml")]
struct EventPage {
    frame: Frame,
    e: EventRead,
    when: String,
    until: String,
    going: Vec<String>,
    waiting: Vec<String>,
    pending: Vec<String>,
    maybe: Vec<String>,
    error: FormError,
}

#[derive(Template)]
#[template(path = "event_form.html", config = "src/web/askama.toml")]
struct EventFormPage {
    frame: Frame,
    heading: String,
    action: String,
    back: String,
    f: EventForm,
    submit: &'static str,
    error: FormError,
    zones: Vec<&'static str>,
}

/// The event form's fields, as typed (named like the API's).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    pub title: String,
    pub body: String,
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    pub place_name: String,
    pub place_address: String,
    pub online_url: String,
    pub online_url_public: Option<String>,
    pub capacity: String,
    pub join_mode: String,
    pub external_url: String,
}

impl EventForm {
    fn input(&self) -> Result<EventInput, Error> {
        let capacity = match self.capacity.trim() {
            "" => None,
            n => Some(
                n.parse::<i64>()
                    .map_err(|_| Error::invalid_field("capacity", "a whole number, or empty"))?,
            ),
        };
        Ok(EventInput {
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            timezone: self.timezone.clone(),
            place_name: self.place_name.clone(),
            place_address: self.place_address.clone(),
            latitude: None,
            longitude: None,
            online_url: self.online_url.clone(),
            online_url_public: self.online_url_public.is_some(),
            capacity,
            join_mode: self.join_mode.clone(),
            external_url: self.external_url.clone(),
        })
    }

    /// The form filled with a stored event (local times in its zone).
    fn of(post: &Post, e: &Event) -> EventForm {
        let zone = rules::parse_zone(&e.timezone).unwrap_or(chrono_tz::Tz::UTC);
        let local = |t| {
            rules::utc_to_local(t, zone)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        };
        EventForm {
            title: post.title.clone(),
            body: post.body_md.clone(),
            starts_at: local(e.starts_at),
            ends_at: local(e.ends_at),
            timezone: e.timezone.clone(),
            place_name: e.place_name.clone(),
            place_address: e.place_address.clone(),
            online_url: e.online_url.clone(),
            online_url_public: e.online_url_public.then(|| "on".into()),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            join_mode: e.join_mode.clone(),
            external_url: e.external_url.clone(),
        }
    }
}

/// "Thu 12 Mar 2026, 19:00 CET" in the event's zone.
fn local_time(e: &Event, at: chrono::NaiveDateTime) -> String {
    let zone = rules::parse_zone(&e.timezone).unwrap_or(chrono_tz::Tz::UTC);
    rules::utc_to_local(at, zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

fn line(post: Post, e: &Event) -> Line {
    Line {
        id: post.id,
        title: post.title,
        when: local_time(e, e.starts_at),
        status: e.status(),
    }
}

/// `/c/{name}/events`: upcoming and past events of a community the viewer may read.
pub async fn list(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = super::threads::community(&ctx, &reference).await? else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let community = c.clone();
    let found = ctx
        .db(move |conn| {
            let upcoming =
                views::events::in_community(conn, &gate, &viewer, &community, true, 100)?;
            let past = views::events::in_community(conn, &gate, &viewer, &community, false, 50)?;
            let role = match viewer.person_id() {
                Some(p) => db::communities::role_of(conn, community.id, p)?,
                None => None,
            };
            Ok(upcoming.zip(past).map(|lists| (lists, role)))
        })
        .await?;
    let Some(((upcoming, past), role)) = found else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let page = EventsPage {
        may_schedule: c.local && rules::may_schedule(&c, role).is_ok(),
        frame,
        community: c,
        reference,
        upcoming: upcoming.into_iter().map(|(p, e)| line(p, &e)).collect(),
        past: past.into_iter().map(|(p, e)| line(p, &e)).collect(),
    };
    html(StatusCode::OK, &page)
}

fn form_page(
    frame: Frame,
    heading: String,
    action: String,
    back: String,
    f: EventForm,
) -> EventFormPage {
    EventFormPage {
        frame,
        heading,
        action,
        back,
        f,
        submit: "Save event",
        error: FormError::none(),
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
    }
}

/// `/c/{name}/events/new`: the form (log in first).
pub async fn new_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let Some(c) = super::threads::community(&ctx, &name).await? else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let f = EventForm {
        timezone: ctx.settings().default_timezone.clone(),
        ..EventForm::default()
    };
    let page = form_page(
        frame,
        format!("New event in {}", c.title),
        format!("/c/{name}/events/new"),
        format!("/c/{name}/events"),
        f,
    );
    Ok(render(&req, StatusCode::OK, page))
}

/// The end of the event form: to the event page, or the form again with its error.
fn finish(
    req: &HttpRequest,
    ctx: &AppContext,
    page: EventFormPage,
    outcome: Result<i64, Error>,
    message: &str,
) -> Result<HttpResponse, Error> {
    match outcome {
        Ok(id) => Ok(flash::redirect(ctx, &format!("/events/{id}"), message)),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let page = EventFormPage {
                error: FormError::of("event", &e),
                ..page
            };
            Ok(render(req, status, page))
        }
    }
}

/// Schedules the event (`actions::events::create`).
pub async fn create(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data,
    }: Form<EventForm>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let Some(c) = super::threads::community(&ctx, &name).await? else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let page = form_page(
        frame,
        format!("New event in {}", c.title),
        format!("/c/{name}/events/new"),
        format!("/c/{name}/events"),
        data.clone(),
    );
    let outcome = match data.input() {
        Ok(input) => {
            actions::events::create(&ctx, &session.account, c, &data.title, &data.body, &input)
                .await
                .map(|post| post.id)
        }
        Err(e) => Err(e),
    };
    finish(&req, &ctx, page, outcome, "Your event is scheduled.")
}

async fn readable(ctx: &AppContext, viewer: Viewer, id: i64) -> Result<Option<EventRead>, Error> {
    match views::events::read_by_id(ctx, viewer, id).await {
        Ok(read) => Ok(Some(read)),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `/events/{id}/edit`: the form, for organizers.
pub async fn edit_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let Some(read) = readable(&ctx, frame.viewer(), id).await? else {
        return not_found(&ctx, format!("The event {id}"));
    };
    if !read.organizes {
        return Err(actions::events::not_organizer());
    }
    let f = EventForm::of(&read.post, &read.event);
    let page = form_page(
        frame,
        format!("Edit {}", read.post.title),
        format!("/events/{id}/edit"),
        format!("/events/{id}"),
        f,
    );
    Ok(render(&req, StatusCode::OK, page))
}

/// Saves an organizer's edit (`actions::events::edit`).
pub async fn edit(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<EventForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let page = form_page(
        frame,
        format!("Edit {}", data.title),
        format!("/events/{id}/edit"),
        format!("/events/{id}"),
        data.clone(),
    );
    let person = session.account.person.clone();
    let outcome = match data.input() {
        Ok(input) => actions::events::edit(&ctx, &person, id, &data.title, &data.body, &input)
            .await
            .map(|()| id),
        Err(e) => Err(e),
    };
    finish(&req, &ctx, page, outcome, "The event was updated.")
}

fn names(read: &EventRead, state: RsvpState) -> Vec<String> {
    read.answers
        .iter()
        .filter(|a| a.state == state)
        .map(|a| a.handle.clone())
        .collect()
}

async fn show(
    req: &HttpRequest,
    ctx: &AppContext,
    frame: Frame,
    id: i64,
    error: FormError,
    status: StatusCode,
) -> Result<HttpResponse, Error> {
    let Some(e) = readable(ctx, frame.viewer(), id).await? else {
        return not_found(ctx, format!("The event {id}"));
    };
    let page = EventPage {
        when: local_time(&e.event, e.event.starts_at),
        until: local_time(&e.event, e.event.ends_at),
        going: names(&e, RsvpState::Going),
        waiting: names(&e, RsvpState::Waitlisted),
        pending: names(&e, RsvpState::Pending),
        maybe: names(&e, RsvpState::Maybe),
        frame,
        e,
        error,
    };
    Ok(render(req, status, page))
}

/// `/events/{id}`: the event, to those the read gate lets read its community.
pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    show(
        &req,
        &ctx,
        frame,
        id.into_inner(),
        FormError::none(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct RsvpForm {
    pub state: String,
}

/// The end of a form on the event page: back to it with a message, or the page with the error.
async fn after(
    req: &HttpRequest,
    ctx: &AppContext,
    frame: Frame,
    id: i64,
    outcome: Result<String, Error>,
) -> Result<HttpResponse, Error> {
    match outcome {
        Ok(message) => Ok(flash::redirect(ctx, &format!("/events/{id}"), &message)),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            show(req, ctx, frame, id, FormError::of("rsvp", &e), status).await
        }
    }
}

/// Answers the event (`actions::events::answer`).
pub async fn rsvp(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<RsvpForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let outcome = match RsvpState::parse(&data.state) {
        Some(wanted) => actions::events::answer(&ctx, &session.account.person, id, wanted)
            .await
            .map(|state| {
                match state {
                    RsvpState::Going => "You are going.",
                    RsvpState::Waitlisted => "The event is full: you are on the waiting list.",
                    RsvpState::Pending => "You asked to come; the organizers will answer.",
                    RsvpState::Maybe => "You might come.",
                    _ => "You are not going.",
                }
                .to_string()
            }),
        None => Err(Error::invalid_field(
            "state",
            "one of going, maybe, not_going",
        )),
    };
    after(&req, &ctx, frame, id, outcome).await
}

/// The notes and attendance form: `notes`, and a checkbox `came:{handle}` for each person who
/// answered.
#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    pub notes: String,
    #[serde(flatten)]
    pub marks: std::collections::HashMap<String, String>,
}

/// An organizer records the notes and who came (`actions::events::record`).
pub async fn record(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<RecordForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let person = session.account.person.clone();
    let outcome = async {
        let read = views::events::read_by_id(&ctx, frame.viewer(), id).await?;
        if !read.organizes {
            return Err(actions::events::not_organizer());
        }
        let handles: Vec<String> = data
            .marks
            .keys()
            .filter_map(|k| k.strip_prefix("came:").map(str::to_string))
            .collect();
        let came = handles
            .iter()
            .map(|h| read.answered("attended", h))
            .collect::<Result<Vec<_>, _>>()?;
        actions::events::record(&ctx, &person, id, &data.notes, came).await?;
        Ok("The notes and attendance were saved.".to_string())
    }
    .await;
    after(&req, &ctx, frame, id, outcome).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    pub status: String,
}

/// An organizer cancels, postpones, moves online or reinstates the event.
pub async fn status(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<StatusForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let outcome = match EventStatus::parse(&data.status) {
        Some(s) => actions::events::set_status(&ctx, &session.account.person, id, s)
            .await
            .map(|()| "The event's status was changed.".to_string()),
        None => Err(Error::invalid_field("status", "not a status")),
    };
    after(&req, &ctx, frame, id, outcome).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    pub person: String,
    pub accept: bool,
}

/// An organizer accepts or refuses someone who asked to come.
pub async fn decide(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<DecisionForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let person = session.account.person.clone();
    let outcome = async {
        let read = views::events::read_by_id(&ctx, frame.viewer(), id).await?;
        if !read.organizes {
            return Err(actions::events::not_organizer());
        }
        let who = read.answered("person", &data.person)?;
        actions::events::decide(&ctx, &person, id, who, data.accept).await?;
        Ok(format!("Your answer to {} was recorded.", data.person))
    }
    .await;
    after(&req, &ctx, frame, id, outcome).await
}

fn calendar_response(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}.ics\""),
        ))
        .body(body)
}

/// `/events/{id}.ics`: one event, for a calendar app.
pub async fn event_ics(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let raw = id.into_inner();
    let Ok(id) = raw.parse::<i64>() else {
        return not_found(&ctx, format!("The event {raw}"));
    };
    let Some(e) = readable(&ctx, frame.viewer(), id).await? else {
        return not_found(&ctx, format!("The event {id}"));
    };
    let entry = ical::Entry {
        post: &e.post,
        event: &e.event,
        online_url: e.online_url.as_deref(),
    };
    let settings = ctx.settings();
    let body = ical::calendar(&e.post.title, &[entry], &ctx.url(""), &settings.hostname);
    Ok(calendar_response(body, &format!("event-{id}")))
}

/// `/c/{name}/events.ics`: a public community's calendar (its events of the last 50 and the
/// next 100). The calendar is read as nobody: a private community has none.
pub async fn community_ics(
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = super::threads::community(&ctx, &reference).await? else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let gate = ctx.gate().clone();
    let community = c.clone();
    let found = ctx
        .db(move |conn| {
            let viewer = Viewer::anonymous();
            let upcoming =
                views::events::in_community(conn, &gate, &viewer, &community, true, 100)?;
            let past = views::events::in_community(conn, &gate, &viewer, &community, false, 50)?;
            Ok(upcoming.zip(past))
        })
        .await?;
    let Some((upcoming, past)) = found else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let all: Vec<(Post, Event)> = past.into_iter().rev().chain(upcoming).collect();
    let entries: Vec<ical::Entry<'_>> = all
        .iter()
        .map(|(post, event)| ical::Entry {
            post,
            event,
            online_url: Some(event.online_url.as_str())
                .filter(|u| event.online_url_public && !u.is_empty()),
        })
        .collect();
    let settings = ctx.settings();
    let body = ical::calendar(&c.title, &entries, &ctx.url(""), &settings.hostname);
    Ok(calendar_response(body, &c.name))
}
