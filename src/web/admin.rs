//! The administrators' pages: `/admin` (pending registrations and the settings in effect,
//! read-only), `/admin/users` (every local account, 50 a page, `?q=` by name: suspend, unsuspend,
//! grant or take administrator rights), `/admin/instances` (the block- and allow-lists) and
//! `/admin/queue` (outgoing deliveries per instance). Signed out: to `/login`; signed in without
//! being an administrator: 403. Their forms (`web::admin_forms`) go through `actions::admin` and
//! `actions::instances`.

use super::{form::FormError, frame::Frame, render, see_other};
use crate::{
    actions::{self, admin::By, instances::Listed},
    context::AppContext,
    db::accounts::{Account, AccountFilter},
    domain::{accounts::may_administer, names::InstanceList},
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

/// The administrator reading the page; `Ok(None)` when signed out, 403 for anyone else.
pub(super) fn administrator(frame: &Frame) -> Result<Option<Account>, Error> {
    let Some(account) = frame.account.clone() else {
        return Ok(None);
    };
    may_administer(account.user.is_admin)?;
    Ok(Some(account))
}

fn shown(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One local account in a table.
pub(super) struct UserRow {
    name: String,
    email: String,
    signed_up: String,
    pending: bool,
    suspended: Option<String>,
    reason: Option<String>,
    is_admin: bool,
    /// The reader's own row: no buttons that would act on oneself.
    is_self: bool,
}

fn user_row(me: &Account, a: Account) -> UserRow {
    UserRow {
        is_self: a.user.id == me.user.id,
        name: a.person.name,
        email: a.user.email,
        signed_up: shown(a.user.created_at),
        pending: !a.user.approved,
        suspended: a.user.suspended_at.map(shown),
        reason: a.user.suspension_reason,
        is_admin: a.user.is_admin,
    }
}

#[derive(Template)]
#[template(path = "admin.html", config = "src/web/askama.toml")]
pub(super) struct OverviewPage {
    frame: Frame,
    section: &'static str,
    pending: Vec<UserRow>,
    more_pending: i64,
    settings: Vec<(String, String)>,
    error: FormError,
}

/// The settings in effect, as `config show` prints them (the database password redacted).
fn settings_rows(ctx: &AppContext) -> Vec<(String, String)> {
    let value = serde_json::to_value(ctx.settings().redacted()).unwrap_or_default();
    let Some(fields) = value.as_object() else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (key.clone(), text)
        })
        .collect()
}

pub(super) async fn overview_page(
    ctx: &AppContext,
    frame: Frame,
    me: &Account,
    error: FormError,
) -> Result<OverviewPage, Error> {
    let filter = AccountFilter {
        pending: true,
        name_part: None,
    };
    let listed = actions::admin::list(ctx, By::Admin(me), filter, 1).await?;
    Ok(OverviewPage {
        section: "overview",
        more_pending: listed.total - listed.accounts.len() as i64,
        pending: listed
            .accounts
            .into_iter()
            .map(|a| user_row(me, a))
            .collect(),
        settings: settings_rows(ctx),
        frame,
        error,
    })
}

pub async fn overview(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> Result<HttpResponse, Error> {
    let Some(me) = administrator(&frame)? else {
        return Ok(see_other("/login"));
    };
    let page = overview_page(&ctx, frame, &me, FormError::none()).await?;
    Ok(render(&req, StatusCode::OK, page))
}

#[derive(Template)]
#[template(path = "admin_users.html", config = "src/web/askama.toml")]
pub(super) struct UsersPage {
    frame: Frame,
    section: &'static str,
    q: String,
    users: Vec<UserRow>,
    total: i64,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
    error: FormError,
}

/// `?q=` (part of a name) and `?page=` (1-based) of `/admin/users`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UsersQuery {
    q: String,
    page: Option<i64>,
}

fn users_link(q: &str, page: i64) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .append_pair("page", &page.to_string())
        .finish();
    format!("/admin/users?{query}")
}

pub(super) async fn users_page(
    ctx: &AppContext,
    frame: Frame,
    me: &Account,
    query: UsersQuery,
    error: FormError,
) -> Result<UsersPage, Error> {
    let q = query.q.trim().to_string();
    let filter = AccountFilter {
        pending: false,
        name_part: (!q.is_empty()).then(|| q.clone()),
    };
    let listed = actions::admin::list(ctx, By::Admin(me), filter, query.page.unwrap_or(1)).await?;
    Ok(UsersPage {
        previous: (listed.page > 1).then(|| users_link(&q, listed.page - 1)),
        next: listed.has_next().then(|| users_link(&q, listed.page + 1)),
        total: listed.total,
        page: listed.page,
        users: listed
            .accounts
            .into_iter()
            .map(|a| user_row(me, a))
            .collect(),
        section: "users",
        q,
        frame,
        error,
    })
}

pub async fn users(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, Error> {
    let Some(me) = administrator(&frame)? else {
        return Ok(see_other("/login"));
    };
    let page = users_page(&ctx, frame, &me, query.into_inner(), FormError::none()).await?;
    Ok(render(&req, StatusCode::OK, page))
}

/// One listed instance in a table.
pub(super) struct InstanceRow {
    host: String,
    reason: String,
    from_settings: bool,
    since: String,
}

#[derive(Template)]
#[template(path = "admin_instances.html", config = "src/web/askama.toml")]
pub(super) struct InstancesPage {
    frame: Frame,
    section: &'static str,
    blocked: Vec<InstanceRow>,
    allowed: Vec<InstanceRow>,
    /// What was typed into a refused form.
    host: String,
    policy: &'static str,
    reason: String,
    error: FormError,
}

/// Values typed into the refused add form.
#[derive(Default)]
pub(super) struct TypedInstance {
    pub host: String,
    pub policy: Option<InstanceList>,
    pub reason: String,
}

fn instance_row(l: Listed) -> InstanceRow {
    InstanceRow {
        host: l.host,
        reason: l.reason.unwrap_or_default(),
        from_settings: l.from_settings,
        since: l.created_at.map(shown).unwrap_or_default(),
    }
}

pub(super) async fn instances_page(
    ctx: &AppContext,
    frame: Frame,
    me: &Account,
    typed: TypedInstance,
    error: FormError,
) -> Result<InstancesPage, Error> {
    let (blocked, allowed): (Vec<Listed>, Vec<Listed>) = actions::instances::list(ctx, me)
        .await?
        .into_iter()
        .partition(|l| l.list == InstanceList::Block);
    Ok(InstancesPage {
        frame,
        section: "instances",
        blocked: blocked.into_iter().map(instance_row).collect(),
        allowed: allowed.into_iter().map(instance_row).collect(),
        host: typed.host,
        policy: typed.policy.unwrap_or(InstanceList::Block).as_str(),
        reason: typed.reason,
        error,
    })
}

pub async fn instances(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> Result<HttpResponse, Error> {
    let Some(me) = administrator(&frame)? else {
        return Ok(see_other("/login"));
    };
    let typed = TypedInstance::default();
    let page = instances_page(&ctx, frame, &me, typed, FormError::none()).await?;
    Ok(render(&req, StatusCode::OK, page))
}

#[derive(Template)]
#[template(path = "admin_queue.html", config = "src/web/askama.toml")]
struct QueuePage {
    frame: Frame,
    section: &'static str,
    report: actions::delivery::QueueReport,
    unreachable: Vec<(String, String)>,
}

pub async fn queue(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> Result<HttpResponse, Error> {
    if administrator(&frame)?.is_none() {
        return Ok(see_other("/login"));
    }
    let report = actions::delivery::queue_report(&ctx).await?;
    let unreachable = report
        .unreachable
        .iter()
        .map(|(host, at)| (host.clone(), shown(*at)))
        .collect();
    let page = QueuePage {
        frame,
        section: "queue",
        report,
        unreachable,
    };
    Ok(render(&req, StatusCode::OK, page))
}
