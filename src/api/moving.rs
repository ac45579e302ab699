//! `/communities/{name}/aliases` and `/communities/{name}/move`: moving a community, through
//! `actions::moving` (owners only): the new community lists the old one as an alias first, then
//! the old one moves to it.

use super::{
    communities::{view, CommunityView},
    extract::{ApiJson, Auth, MaybeAuth},
};
use crate::{
    actions,
    context::RequestData,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityRef {
    /// A local community's name, a handle (`name@host`) or the URL of a Group.
    pub community: String,
}

/// Say this community is also another one (`alsoKnownAs`): the new community's step before the
/// old one moves to it. Owners only.
#[utoipa::path(post, path = "/api/v1/communities/{name}/aliases", tag = "communities",
    operation_id = "add_community_alias",
    params(("name" = String, Path, description = "local community name")),
    request_body = CommunityRef, security(("bearer" = [])),
    responses((status = 200, body = CommunityView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn add_alias(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<CommunityRef>,
) -> Result<HttpResponse, Error> {
    let community =
        actions::moving::add_alias(&data, &account, name.into_inner(), &body.community).await?;
    let view = view(&data, community, super::viewer(Some(&account))).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Move this community to another one, which must list it as an alias. Its followers are sent
/// a `Move`, its local members carried over, and it takes no new posts. Owners only.
#[utoipa::path(post, path = "/api/v1/communities/{name}/move", tag = "communities",
    operation_id = "move_community",
    params(("name" = String, Path, description = "local community name")),
    request_body = CommunityRef, security(("bearer" = [])),
    responses((status = 200, body = CommunityView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn start(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<CommunityRef>,
) -> Result<HttpResponse, Error> {
    let community =
        actions::moving::start(&data, &account, name.into_inner(), &body.community).await?;
    let view = view(&data, community, super::viewer(Some(&account))).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The community's archive (`copse-community-archive/1`): its profile, threads and replies and
/// their authors, as `copse admin import-community` restores it. Owners only.
#[utoipa::path(get, path = "/api/v1/communities/{name}/archive", tag = "communities",
    operation_id = "export_community",
    params(("name" = String, Path, description = "local community name")),
    security(("bearer" = [])),
    responses((status = 200, description = "the archive's JSON", content_type = "application/json"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn archive(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let viewer = super::viewer(account.as_ref());
    let archive = crate::views::archive::for_viewer(&data, viewer, &name).await?;
    crate::feeds::archive_site::download(&name, &archive)
}
