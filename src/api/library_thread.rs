//! The library seen from a thread or an event: `/posts/{id}/library` (the pages it became and
//! those citing it) and `POST /posts/{id}/page` (make a page of it: its post and the replies
//! chosen, quoted with attribution).

use super::{
    extract::{ApiJson, Auth, MaybeAuth},
    library::LinkedPageView,
};
use crate::{
    actions::library_thread::{self, Choice},
    context::AppContext,
    error::{Error, ErrorBody},
    views::{
        self,
        gate::{State, Target},
    },
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct FromThreadRequest {
    /// Plain text, 1–200 characters.
    pub title: String,
    /// The page's address in the library; made from the title when empty.
    #[serde(default)]
    pub slug: String,
    /// The slug of the page it sits under (empty: the top of the tree).
    #[serde(default)]
    pub parent: String,
    /// The replies (comment ids of this thread) to quote after the post, at most 200.
    #[serde(default)]
    pub replies: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PostLibraryView {
    /// The pages made from this thread.
    pub became: Vec<LinkedPageView>,
    /// The pages citing it (`/post/N` or `/events/N`).
    pub linked_from: Vec<LinkedPageView>,
    /// Whether the reader may make a page of it.
    pub may_make_page: bool,
}

/// The library pages a thread or event became and those citing it, of the libraries the
/// reader may read.
#[utoipa::path(get, path = "/api/v1/posts/{id}/library", tag = "library",
    operation_id = "post_library", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "the post (or event) id")),
    responses((status = 200, body = PostLibraryView), (status = 404, body = ErrorBody)))]
pub async fn links(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let (gate, viewer) = (ctx.gate().clone(), super::viewer(account.as_ref()));
    let links = ctx
        .db(move |conn| {
            let found = gate.content(conn, Target::Post(id), State::Visible, &viewer)?;
            let sight = Some(found.sight());
            views::library::post_links(conn, &gate, &viewer, &found.community, id, sight)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PostLibraryView {
        became: LinkedPageView::of(&ctx, links.became),
        linked_from: LinkedPageView::of(&ctx, links.linked_from),
        may_make_page: links.may_make_page,
    }))
}

/// Makes a page of the thread's community from its post and the chosen replies, each quoted
/// with its author, date and a link back.
#[utoipa::path(post, path = "/api/v1/posts/{id}/page", tag = "library",
    operation_id = "page_from_thread", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the post id")),
    request_body = FromThreadRequest,
    responses((status = 201, body = super::library::PageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn make(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<FromThreadRequest>,
) -> Result<HttpResponse, Error> {
    let choice = Choice {
        title: body.title,
        slug: body.slug,
        parent: body.parent,
        replies: body.replies,
    };
    let page = library_thread::make_page(&ctx, &account, id.into_inner(), choice).await?;
    let read = super::library::page_of(&ctx, &account, page).await?;
    Ok(HttpResponse::Created().json(read))
}
