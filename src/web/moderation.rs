//! `/c/{name}/moderation`: a local community's moderation page, for its moderators (and this
//! instance's admins): applications with their answers, invitations, open reports, bans,
//! moderators, the calendars it follows and the modlog, read through `views::moderation::desk` (403 to everyone else). The
//! forms that act on it are in `web::moderation_forms`.

use super::{form::FormError, frame::Frame, render};
use crate::{
    context::AppContext,
    db::{self, communities::Community},
    domain::{communities::Role, names::handle},
    error::{Error, Result},
    views::moderation::{self as desk, Desk, Reported, DESK_LIMIT},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "moderation.html", config = "src/web/askama.toml")]
struct ModerationPage {
    frame: Frame,
    c: Community,
    applications: Section<Application>,
    invitations: Vec<Invited>,
    reports: Section<ReportLine>,
    bans: Section<BanLine>,
    moderators: Vec<Moderator>,
    modlog: Vec<LogLine>,
    calendars: Vec<Calendar>,
    error: FormError,
    typed: Typed,
}

/// A list capped at `DESK_LIMIT` lines, and whether more were left out.
struct Section<T> {
    lines: Vec<T>,
    more: bool,
}

impl<T> Section<T> {
    fn of<R>(mut rows: Vec<R>, line: impl FnMut(R) -> T) -> Self {
        let more = rows.len() as i64 > DESK_LIMIT;
        rows.truncate(DESK_LIMIT as usize);
        Section {
            lines: rows.into_iter().map(line).collect(),
            more,
        }
    }

    /// "3", or "50+" when the list was cut.
    fn count(&self) -> String {
        let plus = if self.more { "+" } else { "" };
        format!("{}{plus}", self.lines.len())
    }
}

struct Application {
    person_id: i64,
    handle: String,
    since: String,
    /// The answers to the joining questions, line by line.
    answers: Vec<String>,
}

struct Invited {
    person_id: i64,
    handle: String,
    since: String,
}

struct ReportLine {
    id: i64,
    /// Where the reported post or comment is read (and removed), and what it is.
    link: Option<(String, String)>,
    object_ap_id: String,
    reporter: String,
    reason: String,
    at: String,
}

struct BanLine {
    person_id: i64,
    handle: String,
    reason: String,
    until: Option<String>,
    since: String,
}

struct Moderator {
    person_id: i64,
    handle: String,
    owner: bool,
}

/// A calendar the community follows, and how its `Follow` was answered.
struct Calendar {
    id: i64,
    handle: String,
    ap_id: String,
    state: &'static str,
    since: String,
}

struct LogLine {
    at: String,
    moderator: String,
    what: &'static str,
    person: Option<String>,
    object: Option<String>,
    reason: Option<String>,
    until: Option<String>,
}

/// What was typed into a refused form (`form`), to show it again.
#[derive(Default)]
pub struct Typed {
    pub form: &'static str,
    pub person: String,
    pub reason: String,
    pub expires_at: String,
    pub calendar: String,
}

impl Typed {
    /// The value typed into `field` of `form`, or empty.
    fn get(&self, form: &str, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        match field {
            "person" => &self.person,
            "reason" => &self.reason,
            "expires_at" => &self.expires_at,
            "calendar" => &self.calendar,
            _ => "",
        }
    }
}

fn day(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn minute(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// What a modlog action says, after the moderator's handle.
fn said(action: &str) -> &'static str {
    match action {
        "remove_post" => "removed a post",
        "restore_post" => "restored a post",
        "remove_comment" => "removed a comment",
        "restore_comment" => "restored a comment",
        "lock_post" => "locked a thread",
        "unlock_post" => "unlocked a thread",
        "pin_post" => "pinned a thread",
        "unpin_post" => "unpinned a thread",
        "ban" => "banned",
        "unban" => "lifted the ban on",
        "add_moderator" => "appointed as moderator",
        "remove_moderator" => "removed as moderator",
        _ => "acted",
    }
}

/// The page's data, in the words the template shows.
fn page(
    frame: Frame,
    c: Community,
    desk: Desk,
    host: &str,
    error: FormError,
    typed: Typed,
) -> ModerationPage {
    let who = |p: &db::accounts::Person| handle(&p.name, &p.ap_id, host);
    ModerationPage {
        applications: Section::of(desk.applications, |(m, p)| Application {
            person_id: p.id,
            handle: who(&p),
            since: day(m.created_at),
            answers: m
                .answers
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
        }),
        invitations: desk
            .invitations
            .into_iter()
            .map(|(at, p)| Invited {
                person_id: p.id,
                handle: who(&p),
                since: day(at),
            })
            .collect(),
        reports: Section::of(desk.reports, |(r, p, object)| ReportLine {
            id: r.id,
            link: object.map(|o| match o {
                Reported::Post(id) => (format!("/post/{id}"), format!("post {id}")),
                Reported::Comment(id) => (format!("/comment/{id}"), format!("comment {id}")),
            }),
            object_ap_id: r.object_ap_id,
            reporter: who(&p),
            reason: r.reason,
            at: minute(r.created_at),
        }),
        bans: Section::of(desk.bans, |(b, p)| BanLine {
            person_id: p.id,
            handle: who(&p),
            reason: b.reason.unwrap_or_default(),
            until: b.expires_at.map(minute),
            since: day(b.created_at),
        }),
        moderators: desk
            .moderators
            .into_iter()
            .map(|(role, p)| Moderator {
                person_id: p.id,
                handle: who(&p),
                owner: role == Role::Owner,
            })
            .collect(),
        modlog: desk
            .modlog
            .into_iter()
            .map(|(a, m, p)| LogLine {
                at: minute(a.created_at),
                moderator: who(&m),
                what: said(&a.action),
                person: p.as_ref().map(who),
                object: a.object_ap_id,
                reason: a.reason,
                until: a.expires_at.map(minute),
            })
            .collect(),
        calendars: desk
            .calendars
            .into_iter()
            .map(|(s, p)| Calendar {
                id: s.id,
                handle: who(&p),
                ap_id: p.ap_id.0.to_string(),
                state: match s.state.as_str() {
                    db::event_sources::ACCEPTED => "following: its events arrive here",
                    db::event_sources::REJECTED => "it refused the follow",
                    _ => "waiting for it to accept",
                },
                since: day(s.created_at),
            })
            .collect(),
        frame,
        c,
        error,
        typed,
    }
}

/// The local community `name`, or 404.
pub async fn community(ctx: &AppContext, name: &str) -> Result<Community> {
    let lookup = name.to_string();
    ctx.db(move |conn| db::communities::local_by_name(conn, &lookup))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("The community {name}")))
}

/// Renders the page for `frame`'s viewer with `status` (403 from the read gate for anyone who
/// does not moderate the community).
pub async fn show(
    req: &HttpRequest,
    ctx: &AppContext,
    frame: Frame,
    name: &str,
    status: StatusCode,
    (error, typed): (FormError, Typed),
) -> Result<HttpResponse> {
    let c = community(ctx, name).await?;
    let desk = desk::desk(ctx, frame.viewer(), c.clone()).await?;
    let host = ctx.settings().hostname.clone();
    Ok(render(
        req,
        status,
        page(frame, c, desk, &host, error, typed),
    ))
}

/// `GET /c/{name}/moderation`.
pub async fn moderation(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let none = (FormError::none(), Typed::default());
    show(&req, &ctx, frame, &name, StatusCode::OK, none).await
}
