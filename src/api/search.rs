//! `/resolve`: find a community, person, post or comment by handle or URL, on this instance or
//! another (fetched and stored, so it gets a local id).

use super::{communities, extract::MaybeAuth, handle, posts};
use crate::{
    context::RequestData,
    error::{Error, ErrorBody, ErrorKind},
    federation::resolve::{self, Resolved},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResolveQuery {
    /// `name@host`, `!community@host`, `@person@host`, or a URL.
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub handle: String,
    pub actor_id: String,
    pub display_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CommentRef {
    pub id: i64,
    pub post_id: i64,
    pub actor_id: String,
}

/// One of these, tagged by `kind`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ResolveResult {
    Community(communities::CommunityView),
    Person(PersonView),
    Post(posts::PostView),
    Comment(CommentRef),
}

/// Look up a handle or URL. Posts and comments of private communities are found only by their
/// members (for everyone else, the same 404 as when nothing is found); a private community's
/// `member_count` only its members see.
#[utoipa::path(get, path = "/api/v1/resolve", tag = "search", params(ResolveQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = ResolveResult), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn resolve(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    query: web::Query<ResolveQuery>,
) -> Result<HttpResponse, Error> {
    let viewer = super::viewer(account.as_ref());
    // Content the viewer may not read is answered exactly as if nothing were found.
    let hidden = |e: Error| match e.kind {
        ErrorKind::NotFound => resolve::nothing_found(),
        _ => e,
    };
    let result = match resolve::anything(&data, &query.q).await? {
        Resolved::Community(c) => {
            ResolveResult::Community(communities::view(&data, *c, viewer).await?)
        }
        Resolved::Person(p) => ResolveResult::Person(PersonView {
            id: p.id,
            handle: handle(&data, &p.name, &p.ap_id),
            actor_id: p.ap_id.to_string(),
            display_name: p.display_name,
        }),
        Resolved::Post(p) => {
            let post = posts::readable_post(&data, p.id, viewer)
                .await
                .map_err(hidden)?;
            ResolveResult::Post(posts::post_view(&data, post).await?)
        }
        Resolved::Comment(c) => {
            posts::readable_post(&data, c.post_id, viewer)
                .await
                .map_err(hidden)?;
            ResolveResult::Comment(CommentRef {
                id: c.id,
                post_id: c.post_id,
                actor_id: c.ap_id.to_string(),
            })
        }
    };
    Ok(HttpResponse::Ok().json(result))
}
