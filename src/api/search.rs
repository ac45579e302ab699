//! `/resolve`: find a community, person, post or comment by handle or URL, on this instance or
//! another (fetched and stored, so it gets a local id); `/search`: full-text search over
//! threads and communities (`views::search`).

use super::{communities, extract::MaybeAuth, handle, posts};
use crate::{
    context::RequestData,
    error::{Error, ErrorBody, ErrorKind},
    federation::resolve::{self, Resolved},
    views,
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
#[allow(clippy::large_enum_variant)] // one value per request, serialized at once
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find (letters and digits; anything else separates words). All must match
    /// (English stemming: `stewards` finds `steward`).
    pub q: String,
    /// 1-based, at most 50; default 1.
    pub page: Option<i64>,
}

/// A community found, and whether it lives on another server (known here).
#[derive(Serialize, ToSchema)]
pub struct CommunityHit {
    pub remote: bool,
    pub community: communities::CommunityView,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// Best match first, up to 20.
    pub communities: Vec<CommunityHit>,
    /// Best match first, up to 20; neither deleted nor removed.
    pub threads: Vec<posts::PostView>,
    /// Library pages of this instance's communities, best match first, up to 20.
    pub pages: Vec<super::library::LinkedPageView>,
    pub page: i64,
    /// The next page, when it has more of either list.
    pub next_page: Option<i64>,
}

/// Full-text search over threads (title, body), communities (name, title, charter), local
/// and known remote ones, and this instance's library pages (title, text). Content of a private community is found only by its members (and
/// this instance's admins); text without a letter or digit finds nothing.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    security((), ("bearer" = [])),
    responses((status = 200, body = SearchResults), (status = 400, body = ErrorBody)))]
pub async fn search(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Error> {
    let viewer = super::viewer(account.as_ref());
    let page = query.page.unwrap_or(1);
    let found = views::search::search(&data, &viewer, &query.q, page).await?;
    let mut hits = Vec::with_capacity(found.communities.len());
    for community in found.communities {
        hits.push(CommunityHit {
            remote: !community.local,
            community: communities::view(&data, community, viewer.clone()).await?,
        });
    }
    Ok(HttpResponse::Ok().json(SearchResults {
        communities: hits,
        threads: found
            .threads
            .into_iter()
            .map(|l| posts::listed_view(&data, l))
            .collect(),
        pages: super::library::LinkedPageView::of(&data, found.pages),
        page,
        next_page: found.more.then_some(page + 1),
    }))
}
