//! Moderation beyond threads: appointing moderators, restoring removed content, reports,
//! invitations into invite-only communities, and each community's public modlog.

use super::{
    extract::{ApiJson, Auth, MaybeAuth, OptionalJson},
    handle, page_params,
};
use crate::{
    actions::{self, editing::Target},
    context::{AppContext, RequestData},
    db::{self, moderation::Report},
    error::{Error, ErrorBody},
    views,
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub(super) async fn local(
    ctx: &AppContext,
    name: &str,
) -> Result<db::communities::Community, Error> {
    let lookup = name.to_string();
    ctx.db(move |conn| db::communities::local_by_name(conn, &lookup))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeratorRequest {
    /// Local id of an active member (see the member list).
    pub person_id: i64,
}

/// Appoint a member as moderator (the owner and moderators).
#[utoipa::path(post, path = "/api/v1/communities/{name}/moderators", tag = "moderation",
    params(("name" = String, Path, description = "community name")),
    request_body = ModeratorRequest, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn appoint(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<ModeratorRequest>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::moderators::set_moderator(&data, person, admin, community, body.person_id, true)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a moderator (the owner; a moderator may step down).
#[utoipa::path(delete, path = "/api/v1/communities/{name}/moderators/{person_id}", tag = "moderation",
    params(("name" = String, Path, description = "community name"), ("person_id" = i64, Path, description = "the moderator")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dismiss(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    let (name, person_id) = path.into_inner();
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::moderators::set_moderator(&data, person, admin, community, person_id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    pub reason: Option<String>,
}

async fn restore(
    data: &AppContext,
    account: &db::accounts::Account,
    target: Target,
    reason: Option<String>,
) -> Result<HttpResponse, Error> {
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::editing::restore(data, person, admin, target, reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Restore a post a moderator removed (the community's moderators).
#[utoipa::path(post, path = "/api/v1/posts/{id}/restore", tag = "moderation",
    params(("id" = i64, Path, description = "post id")),
    request_body(content = RestoreRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn restore_post(
    data: RequestData,
    Auth(account): Auth,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<RestoreRequest>,
) -> Result<HttpResponse, Error> {
    restore(&data, &account, Target::Post(id.into_inner()), body.reason).await
}

/// Restore a comment a moderator removed (the community's moderators).
#[utoipa::path(post, path = "/api/v1/comments/{id}/restore", tag = "moderation",
    params(("id" = i64, Path, description = "comment id")),
    request_body(content = RestoreRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn restore_comment(
    data: RequestData,
    Auth(account): Auth,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<RestoreRequest>,
) -> Result<HttpResponse, Error> {
    restore(
        &data,
        &account,
        Target::Comment(id.into_inner()),
        body.reason,
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// What is wrong (1–1000 characters).
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    /// The reported post or comment (its ActivityPub id).
    pub object_id: String,
    pub reason: String,
    /// `name@host` of the reporter.
    pub reporter: String,
    pub resolved: bool,
    pub created_at: DateTime<Utc>,
}

fn report_view(ctx: &AppContext, r: Report, reporter: &db::accounts::Person) -> ReportView {
    ReportView {
        id: r.id,
        object_id: r.object_ap_id,
        reason: r.reason,
        reporter: handle(ctx, &reporter.name, &reporter.ap_id),
        resolved: r.resolved_at.is_some(),
        created_at: r.created_at.and_utc(),
    }
}

async fn report(
    data: &AppContext,
    account: &db::accounts::Account,
    target: Target,
    reason: &str,
) -> Result<HttpResponse, Error> {
    let (person, admin) = (&account.person, account.user.is_admin);
    let report = actions::reports::file(data, person, admin, target, reason).await?;
    Ok(HttpResponse::Created().json(report_view(data, report, &account.person)))
}

/// Report a post to the community's moderators (on its own instance, when remote).
#[utoipa::path(post, path = "/api/v1/posts/{id}/report", tag = "moderation",
    params(("id" = i64, Path, description = "post id")),
    request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 201, body = ReportView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report_post(
    data: RequestData,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<ReportRequest>,
) -> Result<HttpResponse, Error> {
    report(&data, &account, Target::Post(id.into_inner()), &body.reason).await
}

/// Report a comment to the community's moderators (on its own instance, when remote).
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "moderation",
    params(("id" = i64, Path, description = "comment id")),
    request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 201, body = ReportView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report_comment(
    data: RequestData,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<ReportRequest>,
) -> Result<HttpResponse, Error> {
    report(
        &data,
        &account,
        Target::Comment(id.into_inner()),
        &body.reason,
    )
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Include resolved reports (default: open ones only).
    pub all: Option<bool>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    pub items: Vec<ReportView>,
    pub next_cursor: Option<String>,
}

/// A community's reports, newest first (its moderators).
#[utoipa::path(get, path = "/api/v1/communities/{ref}/reports", tag = "moderation",
    params(("ref" = String, Path, description = "local name or name@host"), ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ReportPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn reports(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let (limit, before) = page_params(query.limit, query.cursor.as_deref())?;
    let viewer = super::viewer(Some(&account));
    let all = query.all.unwrap_or(false);
    let mut rows =
        views::moderation::reports(&data, viewer, community, all, before, limit + 1).await?;
    let next_cursor = next_cursor(&mut rows, limit, |(r, _)| r.id);
    let items = rows
        .into_iter()
        .map(|(r, p)| report_view(&data, r, &p))
        .collect();
    Ok(HttpResponse::Ok().json(ReportPage { items, next_cursor }))
}

/// Keeps `limit` rows and returns the cursor of the next page, if there is one.
fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    if rows.len() as i64 <= limit {
        return None;
    }
    rows.truncate(limit as usize);
    rows.last().map(|r| id(r).to_string())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// true (the default) resolves the report; false opens it again.
    #[serde(default = "yes")]
    pub resolved: bool,
}

fn yes() -> bool {
    true
}

impl Default for ResolveRequest {
    fn default() -> Self {
        ResolveRequest { resolved: true }
    }
}

/// Resolve (or reopen) a report (the community's moderators).
#[utoipa::path(post, path = "/api/v1/reports/{id}/resolve", tag = "moderation",
    params(("id" = i64, Path, description = "report id")),
    request_body(content = ResolveRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resolve_report(
    data: RequestData,
    Auth(account): Auth,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<ResolveRequest>,
) -> Result<HttpResponse, Error> {
    let resolved = body.resolved;
    let (person, admin) = (&account.person, account.user.is_admin);
    let report = actions::reports::resolve(&data, person, admin, id.into_inner(), resolved).await?;
    let reporter_id = report.reporter_id;
    let reporter = data
        .db(move |conn| db::accounts::person_by_id(conn, reporter_id))
        .await?
        .ok_or_else(|| Error::not_found("reporter"))?;
    Ok(HttpResponse::Ok().json(report_view(&data, report, &reporter)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// `name` of a local person, or `name@host` of one on another instance.
    pub person: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub person_id: i64,
    /// `name@host`.
    pub handle: String,
    pub actor_id: String,
    pub invited_at: DateTime<Utc>,
}

fn invitation_view(
    ctx: &AppContext,
    at: chrono::NaiveDateTime,
    p: db::accounts::Person,
) -> InvitationView {
    InvitationView {
        person_id: p.id,
        handle: handle(ctx, &p.name, &p.ap_id),
        actor_id: p.ap_id.to_string(),
        invited_at: at.and_utc(),
    }
}

/// Invite someone into an invite-only community (its moderators). Their next join request (or
/// `Follow` from another instance) is accepted.
#[utoipa::path(post, path = "/api/v1/communities/{name}/invitations", tag = "membership",
    params(("name" = String, Path, description = "community name")),
    request_body = InviteRequest, security(("bearer" = [])),
    responses((status = 201, body = InvitationView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn invite(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    let invited =
        actions::invitations::invite(&data, person, admin, community, &body.person).await?;
    Ok(HttpResponse::Created().json(invitation_view(&data, crate::db::now(), invited)))
}

/// Open invitations (the community's moderators).
#[utoipa::path(get, path = "/api/v1/communities/{name}/invitations", tag = "membership",
    params(("name" = String, Path, description = "community name")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<InvitationView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn invitations(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let viewer = super::viewer(Some(&account));
    let rows = views::moderation::invitations(&data, viewer, community).await?;
    let items: Vec<InvitationView> = rows
        .into_iter()
        .map(|(at, p)| invitation_view(&data, at, p))
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Withdraw an invitation (the community's moderators).
#[utoipa::path(delete, path = "/api/v1/communities/{name}/invitations/{person_id}", tag = "membership",
    params(("name" = String, Path, description = "community name"), ("person_id" = i64, Path, description = "the invited person")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn withdraw_invitation(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    let (name, person_id) = path.into_inner();
    let community = local(&data, &name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::invitations::withdraw(&data, person, admin, community, person_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ModlogQuery {
    /// 1–100, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ModlogEntry {
    pub id: i64,
    /// `remove_post`, `restore_post`, `remove_comment`, `restore_comment`, `lock_post`,
    /// `unlock_post`, `pin_post`, `unpin_post`, `ban`, `unban`, `add_moderator` or
    /// `remove_moderator`.
    pub action: String,
    /// `name@host` of the moderator.
    pub moderator: String,
    /// The person acted upon (banned, appointed, or the author of removed content).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The post or comment acted upon (its ActivityPub id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ModlogPage {
    pub items: Vec<ModlogEntry>,
    pub next_cursor: Option<String>,
}

/// A community's modlog, newest first: public for a public community, members-only for a private
/// one.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/modlog", tag = "moderation",
    security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"), ModlogQuery),
    responses((status = 200, body = ModlogPage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn modlog(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
    query: web::Query<ModlogQuery>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let (limit, before) = page_params(query.limit, query.cursor.as_deref())?;
    let viewer = super::viewer(account.as_ref());
    let mut rows = views::moderation::modlog(&data, viewer, community, before, limit + 1).await?;
    let next_cursor = next_cursor(&mut rows, limit, |(a, _, _)| a.id);
    let items = rows
        .into_iter()
        .map(|(a, m, p)| ModlogEntry {
            id: a.id,
            action: a.action,
            moderator: handle(&data, &m.name, &m.ap_id),
            person: p.map(|p| handle(&data, &p.name, &p.ap_id)),
            object_id: a.object_ap_id,
            reason: a.reason,
            expires_at: a.expires_at.map(|t| t.and_utc()),
            at: a.created_at.and_utc(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ModlogPage { items, next_cursor }))
}
