//! `/notifications` (unread first, each linking to what it is about, with a button to mark it
//! read, and one to mark all read) and the mail settings form (`/settings/mail`: every mail,
//! every notification mail, each category). Writes go through `actions::notifications` and
//! `actions::mail_preferences`.

use super::{
    flash,
    form::{Button, Form},
    frame::Frame,
    render, see_other,
};
use crate::{
    actions::{
        mail_preferences,
        notifications::{self, Shown},
    },
    context::AppContext,
    db::mail_preferences::{ALL, NOTIFICATIONS},
    domain::notifications::CATEGORIES,
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// How many notifications a page shows.
const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "notifications.html", config = "src/web/askama.toml")]
struct NotificationsPage {
    frame: Frame,
    items: Vec<Shown>,
    unread: i64,
    page: i64,
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

/// `GET /notifications`.
pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let Some(account) = &frame.account else {
        return Ok(see_other("/login"));
    };
    let page = query.page.max(0);
    let (mut items, unread) =
        notifications::list(&ctx, account, false, PER_PAGE + 1, page * PER_PAGE).await?;
    let more = items.len() as i64 > PER_PAGE;
    items.truncate(PER_PAGE as usize);
    let page = NotificationsPage {
        frame,
        items,
        unread,
        page,
        more,
    };
    Ok(render(&req, StatusCode::OK, page))
}

/// `POST /notifications/{id}/read`.
pub async fn mark_read(
    ctx: web::Data<AppContext>,
    Form { session, .. }: Form<Button>,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    notifications::mark_read(&ctx, session.account.user.id, id.into_inner()).await?;
    Ok(see_other("/notifications"))
}

/// `POST /notifications/read`: every notification read.
pub async fn mark_all_read(
    ctx: web::Data<AppContext>,
    Form { session, .. }: Form<Button>,
) -> Result<HttpResponse, Error> {
    let n = notifications::mark_all_read(&ctx, session.account.user.id).await?;
    let done = match n {
        0 => "You had no unread notifications.".to_string(),
        1 => "One notification marked read.".to_string(),
        n => format!("{n} notifications marked read."),
    };
    Ok(flash::redirect(&ctx, "/notifications", &done))
}

/// One checkbox of the mail settings.
pub struct MailChoice {
    /// The form field (and, prefixed, the topic).
    pub field: &'static str,
    pub label: &'static str,
    pub on: bool,
}

/// The mail settings of an account: every mail, every notification mail, then each category.
pub async fn mail_choices(ctx: &AppContext, local_user_id: i64) -> Result<Vec<MailChoice>, Error> {
    let off = mail_preferences::off(ctx, local_user_id).await?;
    let mut choices = vec![
        MailChoice {
            field: ALL,
            label: "Any mail besides account security (turning this off stops everything below)",
            on: !off.iter().any(|t| t == ALL),
        },
        MailChoice {
            field: NOTIFICATIONS,
            label: "Notification mail (turning this off stops every category below)",
            on: !off.iter().any(|t| t == NOTIFICATIONS),
        },
    ];
    for (name, label) in CATEGORIES {
        let topic = format!("notify:{name}");
        choices.push(MailChoice {
            field: name,
            label,
            on: !off.contains(&topic),
        });
    }
    Ok(choices)
}

/// The mail settings form: a checkbox per choice, sent only when ticked.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MailForm {
    all: Option<String>,
    notifications: Option<String>,
    replies: Option<String>,
    mentions: Option<String>,
    applications: Option<String>,
    moderation: Option<String>,
    organizing: Option<String>,
    meetings: Option<String>,
}

/// `POST /settings/mail`.
pub async fn mail(
    ctx: web::Data<AppContext>,
    Form { session, data, .. }: Form<MailForm>,
) -> Result<HttpResponse, Error> {
    let ticked = [
        (ALL.to_string(), data.all),
        (NOTIFICATIONS.to_string(), data.notifications),
        ("notify:replies".into(), data.replies),
        ("notify:mentions".into(), data.mentions),
        ("notify:applications".into(), data.applications),
        ("notify:moderation".into(), data.moderation),
        ("notify:organizing".into(), data.organizing),
        ("notify:meetings".into(), data.meetings),
    ];
    let topics = ticked.iter().map(|(t, _)| t.clone()).collect();
    let on = ticked
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(t, _)| t)
        .collect();
    mail_preferences::choose(&ctx, session.account.user.id, topics, on).await?;
    Ok(flash::redirect(
        &ctx,
        "/settings#mail",
        "Your mail settings were saved.",
    ))
}
