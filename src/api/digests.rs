//! `/me/digests` (one's digest frequency, hour, time zone and per-community choices),
//! `/communities/{ref}/digest` (one's frequency for one community) and
//! `/communities/{name}/federated-digest` (the owner publishes the weekly digest).

use super::extract::{ApiJson, Auth};
use crate::{
    actions::{self, digests::DigestChoice},
    context::{AppContext, RequestData},
    error::{Error, ErrorBody},
    views,
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CommunityDigestView {
    /// The community's local name, or `name@host` for a remote one.
    pub community: String,
    /// `off`, `daily`, `weekly` or `monthly`; null: the default applies.
    pub frequency: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DigestsView {
    /// The default: `off`, `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// The local hour digests come at, 0 to 23.
    pub hour: u32,
    /// The IANA zone the hour is in.
    pub timezone: String,
    /// Whether the zone is the account's own choice (else the instance's default).
    pub own_timezone: bool,
    pub communities: Vec<CommunityDigestView>,
}

async fn view(ctx: &AppContext, user: i64, person: i64) -> Result<DigestsView, Error> {
    let zone = ctx.settings().default_timezone.clone();
    let host = ctx.settings().hostname.clone();
    let choices = ctx
        .db(move |conn| views::digests::choices(conn, &zone, user, person))
        .await?;
    let p = choices.preferences;
    Ok(DigestsView {
        frequency: p.frequency.as_str().into(),
        hour: p.hour,
        timezone: p.timezone.name().into(),
        own_timezone: p.own_timezone,
        communities: choices
            .communities
            .into_iter()
            .map(|(c, f)| CommunityDigestView {
                community: match c.local {
                    true => c.name.clone(),
                    false => crate::domain::names::handle(&c.name, &c.ap_id, &host),
                },
                frequency: f.map(|f| f.as_str().into()),
            })
            .collect(),
    })
}

/// The logged-in account's digest choices.
#[utoipa::path(get, path = "/api/v1/me/digests", tag = "digests", security(("bearer" = [])),
    responses((status = 200, body = DigestsView), (status = 401, body = ErrorBody)))]
pub async fn get(ctx: web::Data<AppContext>, Auth(account): Auth) -> Result<HttpResponse, Error> {
    let view = view(&ctx, account.user.id, account.person.id).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Sets the default digest frequency, hour and time zone (empty: the instance's).
#[utoipa::path(put, path = "/api/v1/me/digests", tag = "digests", security(("bearer" = [])),
    request_body = DigestChoice,
    responses((status = 200, body = DigestsView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn put(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    ApiJson(body): ApiJson<DigestChoice>,
) -> Result<HttpResponse, Error> {
    actions::digests::choose(&ctx, &account, body).await?;
    let view = view(&ctx, account.user.id, account.person.id).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityDigestRequest {
    /// `off`, `daily`, `weekly`, `monthly`, or `default` (the account's default applies).
    pub frequency: String,
}

/// Sets the logged-in member's digest frequency for one of their communities.
#[utoipa::path(put, path = "/api/v1/communities/{ref}/digest", tag = "digests",
    params(("ref" = String, Path, description = "local name or name@host")),
    security(("bearer" = [])), request_body = CommunityDigestRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn community(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<CommunityDigestRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    actions::digests::choose_for_community(&data, &account, &community, &body.frequency).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FederatedDigest {
    /// Whether the community publishes its weekly digest as an `Article` to its followers.
    pub federate: bool,
}

/// The owner turns the community's federated weekly digest on or off (public communities).
#[utoipa::path(put, path = "/api/v1/communities/{ref}/federated-digest", tag = "digests",
    params(("ref" = String, Path, description = "local name")),
    security(("bearer" = [])), request_body = FederatedDigest,
    responses((status = 200, body = FederatedDigest), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn federated(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<FederatedDigest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    actions::digests::set_federated(&data, &account, &community, body.federate).await?;
    Ok(HttpResponse::Ok().json(FederatedDigest {
        federate: body.federate,
    }))
}
