//! The forms of the moderation page, each a POST under `/c/{name}/moderation/...` through
//! `actions/`: approve or reject an application, invite or withdraw, resolve a report, ban or
//! lift a ban, appoint or remove a moderator, follow a calendar or stop. Done: `303` back to the
//! page with a flash message. Refused: the page again with the message next to its form (422), or an error page (403, 404).

use super::{
    flash,
    form::{reshown_status, Button, Form, FormError},
    moderation::{community, show, Typed},
};
use crate::{
    actions::{self, moderation::Ban},
    context::{AppContext, RequestData},
    error::{Error, ErrorKind, Result},
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// A person named by handle (`name` or `name@host`): invite, appoint.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonForm {
    person: String,
}

/// A calendar to follow, by handle or URL.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarForm {
    calendar: String,
}

/// A ban: who, why, and until when (`YYYY-MM-DDTHH:MM`, UTC; empty for good).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BanForm {
    person: String,
    reason: String,
    expires_at: String,
}

/// The end of a form: back to the page with `done`, or the page again with the error next to
/// `typed.form`. A refusal that is not about the input (403, 404) is an error page.
async fn finish(
    req: &HttpRequest,
    ctx: &AppContext,
    form: Form<impl Sized>,
    name: &str,
    outcome: Result<()>,
    typed: Typed,
    done: &str,
) -> Result<HttpResponse> {
    let e = match outcome {
        Ok(()) => {
            let location = format!("/c/{name}/moderation");
            return Ok(flash::redirect(ctx, &location, done));
        }
        Err(e) => e,
    };
    let status = match reshown_status(&e) {
        Some(s) if !matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => s,
        _ => return Err(e),
    };
    let error = FormError::of(typed.form, &e);
    show(req, ctx, form.frame, name, status, (error, typed)).await
}

/// `POST .../applications/{person_id}/approve` and `.../reject`.
async fn decide(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    (name, person_id): (String, i64),
    approve: bool,
) -> Result<HttpResponse> {
    let c = community(&ctx, &name).await?;
    let account = &form.session.account;
    let outcome = actions::membership::decide(&ctx, account, c, person_id, approve).await;
    let done = if approve {
        "The application was approved: they are a member now."
    } else {
        "The application was rejected."
    };
    let typed = Typed::default();
    finish(&req, &ctx, form, &name, outcome, typed, done).await
}

pub async fn approve(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    decide(req, ctx, form, path.into_inner(), true).await
}

pub async fn reject(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    decide(req, ctx, form, path.into_inner(), false).await
}

/// `POST .../invitations` (`person`).
pub async fn invite(
    req: HttpRequest,
    data: RequestData,
    form: Form<PersonForm>,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let c = community(&data, &name).await?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let outcome = actions::invitations::invite(&data, person, admin, c, &form.data.person).await;
    let done = match &outcome {
        Ok(p) => format!("{} is invited.", p.name),
        Err(_) => String::new(),
    };
    let typed = Typed {
        form: "invite",
        person: form.data.person.clone(),
        ..Typed::default()
    };
    finish(&req, &data, form, &name, outcome.map(|_| ()), typed, &done).await
}

/// `POST .../invitations/{person_id}/withdraw`.
pub async fn withdraw(
    req: HttpRequest,
    data: RequestData,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, person_id) = path.into_inner();
    let c = community(&data, &name).await?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let outcome = actions::invitations::withdraw(&data, person, admin, c, person_id).await;
    let done = "The invitation was withdrawn.";
    finish(&req, &data, form, &name, outcome, Typed::default(), done).await
}

/// `POST .../reports/{id}/resolve`: only reports of this community.
pub async fn resolve(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, report_id) = path.into_inner();
    let c = community(&ctx, &name).await?;
    let report = ctx
        .db(move |conn| crate::db::moderation::report(conn, report_id))
        .await?
        .filter(|r| r.community_id == c.id)
        .ok_or_else(|| Error::not_found(format_args!("report {report_id}")))?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let outcome = actions::reports::resolve(&ctx, person, admin, report.id, true).await;
    let done = "The report was resolved.";
    let outcome = outcome.map(|_| ());
    finish(&req, &ctx, form, &name, outcome, Typed::default(), done).await
}

/// `YYYY-MM-DDTHH:MM` (what a `datetime-local` field sends), taken as UTC; empty is none.
fn parse_expiry(text: &str) -> Result<Option<chrono::NaiveDateTime>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .map(Some)
        .ok_or_else(|| {
            Error::invalid_field("expires_at", "a date and time like 2030-12-31T18:00 (UTC)")
        })
}

/// `POST .../bans` (`person`, `reason`, `expires_at`).
pub async fn ban(
    req: HttpRequest,
    data: RequestData,
    form: Form<BanForm>,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let c = community(&data, &name).await?;
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    let BanForm {
        person: named,
        reason,
        expires_at,
    } = &form.data;
    let outcome = async {
        let expires_at = parse_expiry(expires_at)?;
        let banned = actions::moderators::person_named(&data, person.id, admin, &c, named).await?;
        let ban = Ban {
            person_id: banned.id,
            banned: true,
            reason: Some(reason.clone()),
            expires_at,
        };
        actions::moderation::ban(&data, person, admin, c.clone(), ban).await?;
        Ok(banned.name)
    }
    .await;
    let done = match &outcome {
        Ok(banned) => format!("{banned} is banned."),
        Err(_) => String::new(),
    };
    let typed = Typed {
        form: "ban",
        person: named.clone(),
        reason: reason.clone(),
        expires_at: expires_at.clone(),
        ..Typed::default()
    };
    finish(&req, &data, form, &name, outcome.map(|_| ()), typed, &done).await
}

/// `POST .../bans/{person_id}/lift`.
pub async fn unban(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, person_id) = path.into_inner();
    let c = community(&ctx, &name).await?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let ban = Ban {
        person_id,
        banned: false,
        reason: None,
        expires_at: None,
    };
    let outcome = actions::moderation::ban(&ctx, person, admin, c, ban).await;
    let done = "The ban was lifted.";
    finish(&req, &ctx, form, &name, outcome, Typed::default(), done).await
}

/// `POST .../moderators` (`person`): appoint a member.
pub async fn appoint(
    req: HttpRequest,
    data: RequestData,
    form: Form<PersonForm>,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let c = community(&data, &name).await?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let named = &form.data.person;
    let outcome = async {
        let chosen = actions::moderators::person_named(&data, person.id, admin, &c, named).await?;
        actions::moderators::set_moderator(&data, person, admin, c.clone(), chosen.id, true)
            .await?;
        Ok(chosen.name)
    }
    .await;
    let done = match &outcome {
        Ok(chosen) => format!("{chosen} is a moderator now."),
        Err(_) => String::new(),
    };
    let typed = Typed {
        form: "appoint",
        person: named.clone(),
        ..Typed::default()
    };
    finish(&req, &data, form, &name, outcome.map(|_| ()), typed, &done).await
}

/// `POST .../moderators/{person_id}/remove`.
pub async fn dismiss(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, person_id) = path.into_inner();
    let c = community(&ctx, &name).await?;
    let (person, admin) = (
        &form.session.account.person,
        form.session.account.user.is_admin,
    );
    let outcome =
        actions::moderators::set_moderator(&ctx, person, admin, c, person_id, false).await;
    let done = "They are no longer a moderator.";
    finish(&req, &ctx, form, &name, outcome, Typed::default(), done).await
}

/// `POST .../calendars` (`calendar`): the community follows a calendar.
pub async fn follow_calendar(
    req: HttpRequest,
    data: RequestData,
    form: Form<CalendarForm>,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let c = community(&data, &name).await?;
    let account = &form.session.account;
    let target = form.data.calendar.clone();
    let outcome =
        actions::event_sources::follow(&data, &account.person, account.user.is_admin, c, &target)
            .await;
    let done = match &outcome {
        Ok((_, p)) => format!(
            "A follow was sent to {}: its events arrive once it accepts.",
            p.name
        ),
        Err(_) => String::new(),
    };
    let typed = Typed {
        form: "calendar",
        calendar: target,
        ..Typed::default()
    };
    finish(&req, &data, form, &name, outcome.map(|_| ()), typed, &done).await
}

/// `POST .../calendars/{id}/unfollow`.
pub async fn unfollow_calendar(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<Button>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, id) = path.into_inner();
    let c = community(&ctx, &name).await?;
    let account = &form.session.account;
    let outcome =
        actions::event_sources::unfollow(&ctx, &account.person, account.user.is_admin, c, id).await;
    let done = "The community no longer follows that calendar; its events already here stay.";
    finish(&req, &ctx, form, &name, outcome, Typed::default(), done).await
}

/// The moderation forms' routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/c/{name}/moderation";
    let post = |cfg: &mut web::ServiceConfig, path: &str, route: actix_web::Route| {
        cfg.route(&format!("{base}{path}"), route);
    };
    post(
        cfg,
        "/applications/{person_id}/approve",
        web::post().to(approve),
    );
    post(
        cfg,
        "/applications/{person_id}/reject",
        web::post().to(reject),
    );
    post(cfg, "/invitations", web::post().to(invite));
    post(
        cfg,
        "/invitations/{person_id}/withdraw",
        web::post().to(withdraw),
    );
    post(cfg, "/reports/{id}/resolve", web::post().to(resolve));
    post(cfg, "/bans", web::post().to(ban));
    post(cfg, "/calendars", web::post().to(follow_calendar));
    post(
        cfg,
        "/calendars/{id}/unfollow",
        web::post().to(unfollow_calendar),
    );
    post(cfg, "/bans/{person_id}/lift", web::post().to(unban));
    post(cfg, "/moderators", web::post().to(appoint));
    post(
        cfg,
        "/moderators/{person_id}/remove",
        web::post().to(dismiss),
    );
}
