//! Cross-posting: `POST /posts/{id}/communities` puts a thread into one more local community
//! (its author, where they may post; or a moderator of that community) or sends it to a remote
//! one (its author: `202`, in it once that community announces it), and
//! `DELETE /posts/{id}/communities/{name}` takes it out of that community only (its
//! moderators). Which communities a thread is in is `also_in` on `GET /posts/{id}`.

use super::extract::{ApiJson, Auth, OptionalJson};
use crate::{actions, context::AppContext, db, error::Error, error::ErrorBody};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The name of a community of this instance, or `name@host` of a remote one known here.
    pub community: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UnshareRequest {
    pub reason: Option<String>,
}

/// The local community named `name` (404 when there is none).
async fn local(ctx: &AppContext, name: String) -> Result<db::communities::Community, Error> {
    ctx.db(move |conn| db::communities::local_by_name(conn, name.trim()))
        .await?
        .ok_or_else(|| Error::not_found("community"))
}

/// Put a thread into one more community (cross-post): the thread stays one object, announced by
/// that community too. `204` when it is in a community here now; `202` when it was sent to a
/// remote community (its author's own thread, opened here), which shows it once it announces it.
#[utoipa::path(post, path = "/api/v1/posts/{id}/communities", tag = "posts",
    params(("id" = i64, Path, description = "post id")),
    request_body = ShareRequest, security(("bearer" = [])),
    responses((status = 204), (status = 202), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn share(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<ShareRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::sharing::named(&data, body.community).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    let shared = actions::sharing::share(&data, person, admin, id.into_inner(), community.id);
    Ok(match shared.await? {
        actions::sharing::SharedAs::Requested => HttpResponse::Accepted().finish(),
        _ => HttpResponse::NoContent().finish(),
    })
}

/// Take a shared thread out of one community only (that community's moderators).
#[utoipa::path(delete, path = "/api/v1/posts/{id}/communities/{name}", tag = "moderation",
    params(("id" = i64, Path, description = "post id"),
        ("name" = String, Path, description = "a local community the thread is shared into")),
    request_body(content = UnshareRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unshare(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    path: web::Path<(i64, String)>,
    OptionalJson(body): OptionalJson<UnshareRequest>,
) -> Result<HttpResponse, Error> {
    let (id, name) = path.into_inner();
    let community = local(&data, name).await?;
    let (person, admin) = (&account.person, account.user.is_admin);
    let reason = body.reason;
    actions::sharing::remove(&data, person, admin, id, community.id, reason).await?;
    Ok(HttpResponse::NoContent().finish())
}
