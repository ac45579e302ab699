//! The forms posted from an event page: an RSVP, an organizer's status change, decision on
//! someone who asked to come, the agenda before the meeting, notes with attendance after it. Writes go through `actions::events`;
//! an error shows the event page again with it.

use super::{
    events::show,
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
};
use crate::{
    actions,
    context::AppContext,
    domain::events::{EventStatus, RsvpState},
    error::Error,
    views,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

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

#[derive(Deserialize)]
pub struct AgendaForm {
    #[serde(default)]
    pub agenda: String,
}

/// An organizer sets the agenda before the meeting (`actions::agenda::set`).
pub async fn agenda(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<AgendaForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let outcome = actions::agenda::set(&ctx, &session.account.person, id, &data.agenda)
        .await
        .map(|()| "The agenda was saved.".to_string());
    after(&req, &ctx, frame, id, outcome).await
}
