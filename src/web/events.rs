//! Events on the pages: `/c/{name}/events` (upcoming and past, a link to the calendar),
//! `/events/{id}` (details, the RSVP form, who is coming, organizers' controls), and the
//! iCalendar files `/events/{id}.ics` and `/c/{name}/events.ics`. The event form is
//! `web::event_forms`, the forms posted from the event page `web::event_answers`.

use super::{form::FormError, frame::Frame, html, not_found, render};
use crate::{
    context::AppContext,
    db::{self, communities::Community, events::Event, posts::Post},
    domain::events::{self as rules, EventStatus, RsvpState},
    error::Error,
    feeds::ical,
    views::{self, events::EventRead, gate::Viewer},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

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
    /// The community's meeting series: id, title, rule in words.
    series: Vec<(i64, String, String)>,
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
    /// The pages citing it (`became` too, should a page have been made of its thread).
    links: views::library::PostLinks,
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
            let series = views::series::in_community(conn, &gate, &viewer, &community)?;
            let role = match viewer.person_id() {
                Some(p) => db::communities::role_of(conn, community.id, p)?,
                None => None,
            };
            Ok(upcoming.zip(past).zip(series).map(|lists| (lists, role)))
        })
        .await?;
    let Some((((upcoming, past), series), role)) = found else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let page = EventsPage {
        may_schedule: c.local && rules::may_schedule(&c, role).is_ok(),
        frame,
        community: c,
        reference,
        upcoming: upcoming.into_iter().map(|(p, e)| line(p, &e)).collect(),
        past: past.into_iter().map(|(p, e)| line(p, &e)).collect(),
        series: series
            .into_iter()
            .map(|s| (s.id, s.title, crate::domain::series::describe(&s.rrule)))
            .collect(),
    };
    html(StatusCode::OK, &page)
}

pub(super) async fn readable(
    ctx: &AppContext,
    viewer: Viewer,
    id: i64,
) -> Result<Option<EventRead>, Error> {
    match views::events::read_by_id(ctx, viewer, id).await {
        Ok(read) => Ok(Some(read)),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn names(read: &EventRead, state: RsvpState) -> Vec<String> {
    read.answers
        .iter()
        .filter(|a| a.state == state)
        .map(|a| a.handle.clone())
        .collect()
}

pub(super) async fn show(
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
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), e.community.clone());
    let mut links = ctx
        .db(move |conn| views::library::post_links(conn, &gate, &viewer, &community, id, None))
        .await?;
    links.may_make_page = false;
    let page = EventPage {
        links,
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
