//! Meeting series on the pages: `/series/{id}` (the rule in words, the time in its zone, the
//! exceptions, its meetings past and to come) and `/series/{id}/edit` (the event form with its
//! "repeats" part, for the author and moderators). A series is started from the event form
//! (`web::event_forms`). Writes go through `actions::series`.

use super::{
    event_forms::{finish, form_page, EventForm},
    form::Form,
    frame::Frame,
    html, not_found, render,
};
use crate::{
    actions,
    context::AppContext,
    domain::{events::EventStatus, series as rules},
    error::{Error, ErrorKind},
    views::{self, series::SeriesRead},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

/// A meeting of the series in a list.
struct Meeting {
    id: i64,
    when: String,
    status: EventStatus,
    /// Changed on its own (moved, edited or cancelled).
    detached: bool,
}

#[derive(Template)]
#[template(path = "series.html", config = "src/web/askama.toml")]
struct SeriesPage {
    frame: Frame,
    s: SeriesRead,
    reference: String,
    rule: String,
    time: String,
    exceptions: Vec<String>,
    upcoming: Vec<Meeting>,
    past: Vec<Meeting>,
}

async fn readable(ctx: &AppContext, frame: &Frame, id: i64) -> Result<Option<SeriesRead>, Error> {
    match views::series::read_by_id(ctx, frame.viewer(), id).await {
        Ok(read) => Ok(Some(read)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `/series/{id}`: the series, to those who may read its community.
pub async fn page(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let Some(s) = readable(&ctx, &frame, id).await? else {
        return not_found(&ctx, format!("The series {id}"));
    };
    let zone = s.series.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let now = crate::domain::events::now();
    let (mut upcoming, mut past) = (vec![], vec![]);
    for (post, e) in &s.occurrences {
        let meeting = Meeting {
            id: post.id,
            when: crate::domain::events::utc_to_local(e.starts_at, zone)
                .format("%a %-d %b %Y, %H:%M %Z")
                .to_string(),
            status: e.status(),
            detached: e.detached,
        };
        if e.ends_at > now {
            upcoming.push(meeting);
        } else {
            past.push(meeting);
        }
    }
    past.reverse();
    let c = &s.community;
    let reference = match (c.local, c.ap_id.host_str()) {
        (false, Some(host)) => format!("{}@{host}", c.name),
        _ => c.name.clone(),
    };
    let page = SeriesPage {
        rule: rules::describe(&s.series.rrule),
        time: format!(
            "{}, {} minutes ({})",
            s.series.first_local.format("%H:%M"),
            s.series.duration_minutes,
            s.series.timezone
        ),
        exceptions: s.series.exdates.lines().map(str::to_string).collect(),
        reference,
        upcoming,
        past,
        frame,
        s,
    };
    html(StatusCode::OK, &page)
}

/// The series as the form shows it.
fn form_of(s: &SeriesRead) -> EventForm {
    let d = &s.series;
    let end = d.first_local + chrono::Duration::minutes(d.duration_minutes);
    EventForm {
        title: d.title.clone(),
        body: d.body_md.clone(),
        starts_at: d.first_local.format("%Y-%m-%dT%H:%M").to_string(),
        ends_at: end.format("%Y-%m-%dT%H:%M").to_string(),
        timezone: d.timezone.clone(),
        place_name: d.place_name.clone(),
        place_address: d.place_address.clone(),
        online_url: d.online_url.clone(),
        online_url_public: d.online_url_public.then(|| "on".into()),
        capacity: d.capacity.map(|c| c.to_string()).unwrap_or_default(),
        join_mode: d.join_mode.clone(),
        external_url: d.external_url.clone(),
        repeats: "custom".into(),
        rrule: d.rrule.clone(),
        repeat_until: String::new(),
        exdates: d.exdates.clone(),
    }
}

/// `/series/{id}/edit`: the form, for the author and moderators.
pub async fn edit_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let Some(s) = readable(&ctx, &frame, id).await? else {
        return not_found(&ctx, format!("The series {id}"));
    };
    if !s.may_edit {
        return Err(actions::events::not_organizer());
    }
    let page = form_page(
        frame,
        format!("Edit the series {}", s.series.title),
        format!("/series/{id}/edit"),
        format!("/series/{id}"),
        form_of(&s),
    );
    Ok(render(&req, StatusCode::OK, page))
}

/// Saves the series (`actions::series::edit`): its future meetings change, past ones and those
/// changed on their own stay.
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
        format!("Edit the series {}", data.title),
        format!("/series/{id}/edit"),
        format!("/series/{id}"),
        data.clone(),
    );
    let person = session.account.person.clone();
    let outcome = match data.series() {
        Ok(Some(input)) => {
            actions::series::edit(&ctx, &person, id, &data.title, &data.body, &input)
                .await
                .map(|()| format!("/series/{id}"))
        }
        Ok(None) => Err(Error::invalid_field(
            "repeats",
            "a series repeats: choose how often",
        )),
        Err(e) => Err(e),
    };
    finish(
        &req,
        &ctx,
        page,
        outcome,
        "The series was updated: its meetings to come follow it.",
    )
}
