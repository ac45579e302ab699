//! The event form: `/c/{name}/events/new` (a single event, or a meeting series when it
//! repeats) and `/events/{id}/edit`, for organizers (`web::series` uses it for a series). Writes go through `actions::events`.

use super::{
    events::readable,
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    not_found, render, see_other,
};
use crate::{
    actions,
    context::AppContext,
    db::{events::Event, posts::Post},
    domain::{
        events::{self as rules, EventInput},
        series::{self as series_rules, SeriesInput},
    },
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "event_form.html", config = "src/web/askama.toml")]
pub(super) struct EventFormPage {
    frame: Frame,
    heading: String,
    action: String,
    back: String,
    f: EventForm,
    submit: &'static str,
    error: FormError,
    zones: Vec<&'static str>,
    /// Whether the "repeats" part is shown (a new event, or a series).
    repeats_offered: bool,
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
    /// `no` (default), `weekly`, `fortnightly`, `monthly` (same weekday of the month) or
    /// `custom` (then `rrule`).
    pub repeats: String,
    pub rrule: String,
    /// The last local date of a series (optional).
    pub repeat_until: String,
    /// Local dates left out of a series, `YYYY-MM-DD`, one a line or comma-separated.
    pub exdates: String,
}

impl EventForm {
    /// The series the form describes, or None when the event does not repeat.
    pub(super) fn series(&self) -> Result<Option<SeriesInput>, Error> {
        let rrule = match self.repeats.trim() {
            "custom" => self.rrule.clone(),
            other => {
                let date = |field: &str, s: &str| {
                    chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                        .map_err(|_| Error::invalid_field(field, "expected a date YYYY-MM-DD"))
                };
                if matches!(other, "" | "no") {
                    return Ok(None);
                }
                let first = date("starts_at", self.starts_at.trim())?;
                let until = match self.repeat_until.trim() {
                    "" => None,
                    u => Some(date("repeat_until", u)?),
                };
                match series_rules::rule_for(other, first, until)? {
                    Some(rule) => rule,
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(SeriesInput {
            event: self.input()?,
            rrule,
            exdates: vec![self.exdates.clone()],
        }))
    }

    pub(super) fn input(&self) -> Result<EventInput, Error> {
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
            ..EventForm::default()
        }
    }
}

pub(super) fn form_page(
    frame: Frame,
    heading: String,
    action: String,
    back: String,
    f: EventForm,
) -> EventFormPage {
    let repeats_offered = action.ends_with("/new") || action.starts_with("/series/");
    EventFormPage {
        frame,
        heading,
        action,
        back,
        f,
        submit: "Save event",
        error: FormError::none(),
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
        repeats_offered,
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
pub(super) fn finish(
    req: &HttpRequest,
    ctx: &AppContext,
    page: EventFormPage,
    outcome: Result<String, Error>,
    message: &str,
) -> Result<HttpResponse, Error> {
    match outcome {
        Ok(to) => Ok(flash::redirect(ctx, &to, message)),
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
    let (title, body) = (&data.title, &data.body);
    let outcome = match data.series() {
        Ok(Some(series)) => {
            let made = actions::series::create(&ctx, &session.account, c, title, body, &series);
            let outcome = made.await.map(|id| format!("/series/{id}"));
            return finish(
                &req,
                &ctx,
                page,
                outcome,
                "Your meeting series is scheduled.",
            );
        }
        Ok(None) => match data.input() {
            Ok(input) => actions::events::create(&ctx, &session.account, c, title, body, &input)
                .await
                .map(|post| format!("/events/{}", post.id)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    finish(&req, &ctx, page, outcome, "Your event is scheduled.")
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
            .map(|()| format!("/events/{id}")),
        Err(e) => Err(e),
    };
    finish(&req, &ctx, page, outcome, "The event was updated.")
}
