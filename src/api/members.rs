//! `/communities/{ref}/join`, `/members` and `/applications`: joining and leaving (locally or on
//! another instance), the member list, and moderators deciding applications. `{ref}` is a local
//! name or `name@host`.

use super::extract::{Auth, MaybeAuth, OptionalJson};
use crate::{
    actions::{self, membership::Standing},
    context::{AppContext, RequestData},
    db::{self, communities::Community, members},
    domain::communities::Role,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// Answers to the community's joining questions, in order.
    #[serde(default)]
    pub answers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct JoinResponse {
    /// `active`: a member now; `pending`: waiting for a moderator (or for a remote community's
    /// answer).
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    /// Local id of the person (used to decide applications).
    pub person_id: i64,
    /// `name@host`.
    pub handle: String,
    pub actor_id: String,
    pub role: Role,
    pub since: DateTime<Utc>,
    /// For applications: the answers or message given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// 1–100, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn view(ctx: &AppContext, m: members::Membership, p: db::accounts::Person) -> MemberView {
    let host = p.ap_id.host_str().map(|h| match p.ap_id.port() {
        Some(port) => format!("{h}:{port}"),
        None => h.to_string(),
    });
    MemberView {
        person_id: p.id,
        handle: format!(
            "{}@{}",
            p.name,
            host.unwrap_or_else(|| ctx.settings().hostname.clone())
        ),
        actor_id: p.ap_id.to_string(),
        role: m.role(),
        since: m.created_at.and_utc(),
        answers: m.answers.clone(),
    }
}

/// Join a community. Open communities admit at once; approval communities queue the application
/// with its answers; invite-only ones refuse (403). A community on another instance is asked with
/// a `Follow` and the membership stays `pending` until it accepts.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/join", tag = "membership",
    params(("ref" = String, Path, description = "local name or name@host")),
    request_body(content = JoinRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 200, body = JoinResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn join(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    OptionalJson(body): OptionalJson<JoinRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let standing = actions::membership::join(&data, &account, community, body.answers).await?;
    Ok(HttpResponse::Ok().json(JoinResponse::from(standing)))
}

/// Leave a community, or withdraw an application.
#[utoipa::path(delete, path = "/api/v1/communities/{ref}/join", tag = "membership",
    params(("ref" = String, Path, description = "local name or name@host")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn leave(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    actions::membership::leave(&data, &account, community).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Active members, by local id. Members of a private community are listed only to members.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/members", tag = "membership",
    operation_id = "list_members", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"), MemberQuery),
    responses((status = 200, body = MemberPage), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid_field("limit", "must be between 1 and 100"));
    }
    let after = match &query.cursor {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| Error::invalid_field("cursor", "not a cursor returned by this API"))?,
        ),
        None => None,
    };
    let viewer = super::viewer(account.as_ref());
    let gate = data.gate().clone();
    let rows = data
        .db(move |conn| {
            gate.sight(conn, &viewer, &community)?.require()?;
            members::list(conn, community.id, members::ACTIVE, after, limit + 1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page(&data, rows, limit, false)))
}

fn page(
    ctx: &AppContext,
    mut rows: Vec<(members::Membership, db::accounts::Person)>,
    limit: i64,
    answers: bool,
) -> MemberPage {
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|(_, p)| p.id.to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(m, p)| {
            let mut v = view(ctx, m, p);
            if !answers {
                v.answers = None;
            }
            v
        })
        .collect();
    MemberPage { items, next_cursor }
}

/// Pending applications with their answers (owner and moderators).
#[utoipa::path(get, path = "/api/v1/communities/{name}/applications", tag = "membership",
    params(("name" = String, Path, description = "community name"), MemberQuery),
    security(("bearer" = [])),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn applications(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    query: web::Query<MemberQuery>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let limit = query.limit.unwrap_or(50).clamp(1, 100);
    let after = query.cursor.as_deref().and_then(|c| c.parse::<i64>().ok());
    let viewer = super::viewer(Some(&account));
    let rows =
        crate::views::moderation::applications(&data, viewer, community, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(page(&data, rows, limit, true)))
}

/// Approve a pending application.
#[utoipa::path(post, path = "/api/v1/communities/{name}/applications/{person_id}/approve",
    tag = "membership", security(("bearer" = [])),
    params(("name" = String, Path, description = "community name"), ("person_id" = i64, Path, description = "applicant")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    decide(&data, &account, path.into_inner(), true).await
}

/// Reject a pending application.
#[utoipa::path(post, path = "/api/v1/communities/{name}/applications/{person_id}/reject",
    tag = "membership", security(("bearer" = [])),
    params(("name" = String, Path, description = "community name"), ("person_id" = i64, Path, description = "applicant")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reject(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    decide(&data, &account, path.into_inner(), false).await
}

async fn decide(
    data: &RequestData,
    account: &db::accounts::Account,
    (name, person_id): (String, i64),
    approve: bool,
) -> Result<HttpResponse, Error> {
    let community = local(data, &name).await?;
    actions::membership::decide(data, account, community, person_id, approve).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn local(ctx: &AppContext, name: &str) -> Result<Community, Error> {
    let lookup = name.to_string();
    ctx.db(move |conn| db::communities::local_by_name(conn, &lookup))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))
}

impl From<Standing> for JoinResponse {
    fn from(s: Standing) -> Self {
        JoinResponse {
            state: s.as_str().into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BanRequest {
    /// Local id of the person (see the member list or `/resolve`).
    pub person_id: i64,
    pub reason: Option<String>,
    /// When the ban ends; absent for good.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Ban someone from the community (moderators). It ends their membership; they can no longer
/// join, post, comment or vote there, on any instance that hears of it.
#[utoipa::path(post, path = "/api/v1/communities/{name}/bans", tag = "moderation",
    params(("name" = String, Path, description = "community name")),
    request_body = BanRequest, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn ban(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    super::extract::ApiJson(body): super::extract::ApiJson<BanRequest>,
) -> Result<HttpResponse, Error> {
    let community = local(&data, &name).await?;
    let ban = actions::moderation::Ban {
        person_id: body.person_id,
        banned: true,
        reason: body.reason,
        expires_at: body.expires_at.map(|t| t.naive_utc()),
    };
    actions::moderation::ban(
        &data,
        &account.person,
        account.user.is_admin,
        community,
        ban,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lift a ban (moderators).
#[utoipa::path(delete, path = "/api/v1/communities/{name}/bans/{person_id}", tag = "moderation",
    params(("name" = String, Path, description = "community name"), ("person_id" = i64, Path, description = "banned person")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unban(
    data: RequestData,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    let (name, person_id) = path.into_inner();
    let community = local(&data, &name).await?;
    let ban = actions::moderation::Ban {
        person_id,
        banned: false,
        reason: None,
        expires_at: None,
    };
    actions::moderation::ban(
        &data,
        &account.person,
        account.user.is_admin,
        community,
        ban,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
