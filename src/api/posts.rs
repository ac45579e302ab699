//! Posts and comments: `/communities/{ref}/posts`, `/posts/{id}`, `/posts/{id}/comments`.
//! Remote posts and comments have local ids like local ones.

pub use super::attachments::AttachmentView;
use super::{
    attachments::attachment_views,
    extract::{ApiJson, Auth, MaybeAuth, OptionalJson},
    handle,
};
use crate::{
    actions::{self, editing::Target},
    context::{AppContext, RequestData},
    db::{
        self,
        accounts::Account,
        posts::{Comment, ListedPost, Post, PostOrder},
    },
    error::{Error, ErrorBody},
    views::{
        self,
        gate::{State, Viewer},
        threads::{self, Shown},
    },
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPostRequest {
    /// Plain text, 1–200 characters.
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    /// Other communities to post the thread in too, as one object ("also post in"): at most 10,
    /// each the name of a community of this instance where the author may post (one on another
    /// instance is refused for now, 422 `remote_community`). One the author may not post in, or
    /// is banned from, refuses the whole request with nothing written.
    #[serde(default)]
    pub also_in: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommentRequest {
    /// Markdown, 1–20000 characters.
    pub body: String,
    /// The comment replied to; absent for a reply to the post.
    pub parent_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PostView {
    pub id: i64,
    pub actor_id: String,
    /// `name@host` of the community.
    pub community: String,
    /// `name@host` of the author.
    pub author: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub comment_count: i64,
    /// Pinned to the community's featured list.
    pub pinned: bool,
    /// Likes minus dislikes.
    pub score: i64,
    pub locked: bool,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    /// The other communities the thread is in besides its home `community` (cross-posts),
    /// `name@host` each, oldest share first: given for one post and in a community's listing
    /// (where a shared thread is listed once in each community it is in, this one included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_in: Option<Vec<String>>,
    /// What the post's server attached to it (links, documents, images; only http(s)
    /// addresses, at most 20), in its order: given for one post, left out of listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentView>>,
}

#[derive(Serialize, ToSchema)]
pub struct PostPage {
    pub items: Vec<PostView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub actor_id: String,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author: String,
    pub body: String,
    pub body_html: String,
    pub score: i64,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    /// Deleted by its author or removed by a moderator: kept in the tree only as the place of
    /// the replies beneath it, with an empty body.
    pub deleted: bool,
    /// Removed by a moderator (`deleted` is true too).
    pub removed: bool,
    /// What the comment's server attached to it (empty for a withdrawn comment).
    pub attachments: Vec<AttachmentView>,
    /// Replies, oldest first.
    #[schema(no_recursion)]
    pub replies: Vec<CommentView>,
}

#[derive(Serialize, ToSchema)]
pub struct CommentTree {
    /// Top-level comments with their replies nested.
    pub items: Vec<CommentView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    /// `new` (the default; newest first), `top` (highest score first) or `active` (latest
    /// comment first; a post without comments counts from its publication).
    pub sort: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub(crate) async fn post_view(ctx: &AppContext, post: Post) -> Result<PostView, Error> {
    let id = post.id;
    let (listed, shared, attachments) = ctx
        .db(move |conn| {
            let listed = views::posts::post(conn, id)?;
            let shared = db::shares::listed_in(conn, id)?;
            Ok((listed, shared, db::attachments::of_post(conn, id)?))
        })
        .await?;
    let mut view = listed_view(ctx, listed);
    view.attachments = Some(attachment_views(attachments));
    view.also_in = Some(handles(ctx, &shared));
    Ok(view)
}

/// `name@host` of each community a thread is shared into.
fn handles(ctx: &AppContext, shared: &[db::shares::SharedIn]) -> Vec<String> {
    shared
        .iter()
        .map(|s| handle(ctx, &s.name, &s.ap_id.0))
        .collect()
}

pub(crate) fn listed_view(ctx: &AppContext, listed: ListedPost) -> PostView {
    let ListedPost {
        post,
        author,
        community,
        comment_count,
    } = listed;
    PostView {
        id: post.id,
        actor_id: post.ap_id.to_string(),
        community: handle(ctx, &community.name, &community.ap_id),
        author: handle(ctx, &author.name, &author.ap_id),
        title: post.title,
        body: post.body_md,
        body_html: post.body_html,
        comment_count,
        pinned: post.pinned,
        score: post.score,
        locked: post.locked,
        published: post.published.and_utc(),
        updated: post.updated.map(|u| u.and_utc()),
        also_in: None,
        attachments: None,
    }
}

fn comment_view(
    ctx: &AppContext,
    c: Comment,
    author_name: &str,
    author_id: &url::Url,
) -> CommentView {
    CommentView {
        id: c.id,
        actor_id: c.ap_id.to_string(),
        post_id: c.post_id,
        parent_id: c.parent_id,
        author: handle(ctx, author_name, author_id),
        body: c.body_md,
        body_html: c.body_html,
        score: c.score,
        published: c.published.and_utc(),
        updated: c.updated.map(|u| u.and_utc()),
        deleted: false,
        removed: false,
        attachments: Vec::new(),
        replies: Vec::new(),
    }
}

/// Loads a post the viewer may read: 404 `post {id} not found` when it is missing, deleted, or
/// in a private community the viewer may not read (the read gate, `views::gate`).
pub(crate) async fn readable_post(
    ctx: &AppContext,
    id: i64,
    viewer: Viewer,
) -> Result<Post, Error> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        Ok(gate
            .content(conn, Target::Post(id), State::Visible, &viewer)?
            .post)
    })
    .await
}

/// Open a thread. In a community on another instance the post is sent there.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/posts", tag = "posts",
    operation_id = "create_post",
    params(("ref" = String, Path, description = "local name or name@host")),
    request_body = NewPostRequest, security(("bearer" = [])),
    responses((status = 201, body = PostView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<NewPostRequest>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let also_in = actions::sharing::also_in(&data, &body.also_in).await?;
    let (title, text) = (&body.title, &body.body);
    let post =
        actions::posts::create_post(&data, &account, community, title, text, also_in).await?;
    Ok(HttpResponse::Created().json(post_view(&data, post).await?))
}

/// A community's posts, newest, best or most recently active first.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/posts", tag = "posts",
    operation_id = "list_posts", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"), PostQuery),
    responses((status = 200, body = PostPage), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
    query: web::Query<PostQuery>,
) -> Result<HttpResponse, Error> {
    let order = match query.sort.as_deref() {
        None | Some("new") => PostOrder::New,
        Some("top") => PostOrder::Top,
        Some("active") => PostOrder::Active,
        Some(other) => {
            return Err(Error::invalid_field(
                "sort",
                format_args!("`{other}` is not supported; use `new`, `top` or `active`"),
            ))
        }
    };
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid_field("limit", "must be between 1 and 100"));
    }
    let after = query
        .cursor
        .as_deref()
        .map(views::posts::parse_cursor)
        .transpose()?;
    if account.is_none() {
        // Signed out: through the read cache, at the community's version (views::cache), when
        // the community is stored here (otherwise `find` may ask its server first).
        let (our_host, lookup) = (data.settings().hostname.clone(), reference.clone());
        let version = data
            .db(
                move |conn| match db::communities::by_reference(conn, &lookup, &our_host)? {
                    Some(c) => Ok(Some((c.id, db::versions::community(conn, c.id)?))),
                    None => Ok(None),
                },
            )
            .await?;
        if let Some(version) = version {
            let key = format!(
                "/api/v1/communities/{reference}/posts?sort={order:?}&limit={limit}&cursor={}",
                query.cursor.as_deref().unwrap_or_default()
            );
            let page = page(&data, None, &reference, order, after, limit);
            return views::cache::through(&data, key, version, "application/json", page).await;
        }
    }
    page(&data, account, &reference, order, after, limit).await
}

/// A page of the community's posts as `account` (None: signed out) may read it.
async fn page(
    data: &RequestData,
    account: Option<Account>,
    reference: &str,
    order: PostOrder,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(data, reference).await?;
    let viewer = super::viewer(account.as_ref());
    let gate = data.gate().clone();
    let page = data
        .db(move |conn| {
            gate.sight(conn, &viewer, &community)?.require()?;
            let page = views::posts::community_page(conn, community.id, order, after, limit)?;
            let also_in = views::posts::also_in(conn, &page.posts)?;
            Ok((page, also_in))
        })
        .await?;
    let (page, mut also_in) = page;
    let items = page
        .posts
        .into_iter()
        .map(|p| {
            let shared = also_in.remove(&p.post.id).unwrap_or_default();
            let mut view = listed_view(data, p);
            view.also_in = Some(handles(data, &shared));
            view
        })
        .collect();
    let next_cursor = page.next_cursor;
    Ok(HttpResponse::Ok().json(PostPage { items, next_cursor }))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts",
    operation_id = "get_post", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = PostView), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let post = readable_post(&data, id.into_inner(), super::viewer(account.as_ref())).await?;
    Ok(HttpResponse::Ok().json(post_view(&data, post).await?))
}

/// Reply to a post, or to one of its comments (`parent_id`).
#[utoipa::path(post, path = "/api/v1/posts/{id}/comments", tag = "posts",
    params(("id" = i64, Path, description = "post id")),
    request_body = NewCommentRequest, security(("bearer" = [])),
    responses((status = 201, body = CommentView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn comment(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<NewCommentRequest>,
) -> Result<HttpResponse, Error> {
    let post = readable_post(&data, id.into_inner(), super::viewer(Some(&account))).await?;
    let comment =
        actions::posts::create_comment(&data, &account, post.id, body.parent_id, &body.body)
            .await?;
    Ok(HttpResponse::Created().json(comment_view(
        &data,
        comment,
        &account.person.name,
        &account.person.ap_id,
    )))
}

/// A post's comments as a tree.
#[utoipa::path(get, path = "/api/v1/posts/{id}/comments", tag = "posts",
    security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = CommentTree), (status = 404, body = ErrorBody)))]
pub async fn comments(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    if account.is_some() {
        return comment_tree(&data, id, account).await;
    }
    // Signed out: through the read cache, at the thread's version (views::cache).
    let version = data.db(move |conn| db::versions::thread(conn, id)).await?;
    let key = format!("/api/v1/posts/{id}/comments");
    let tree = comment_tree(&data, id, None);
    crate::views::cache::through(&data, key, version, "application/json", tree).await
}

/// The comment tree of post `id` as `account` (None: signed out) may read it.
async fn comment_tree(
    data: &AppContext,
    id: i64,
    account: Option<Account>,
) -> Result<HttpResponse, Error> {
    let post = readable_post(data, id, super::viewer(account.as_ref())).await?;
    let post_id = post.id;
    let (rows, mut attachments) = data
        .db(move |conn| {
            let rows = db::posts::post_comments(conn, post_id)?;
            Ok((rows, db::attachments::of_thread(conn, post_id)?.comments))
        })
        .await?;
    let ordered = threads::thread(rows)
        .into_iter()
        .map(|e| {
            let id = e.comment.id;
            let mut view = comment_view(data, e.comment, &e.author.name, &e.author.ap_id);
            view.deleted = e.shown != Shown::Visible;
            view.removed = e.shown == Shown::Removed;
            if e.shown == Shown::Visible {
                view.attachments = attachment_views(attachments.remove(&id).unwrap_or_default());
            }
            (e.depth, view)
        })
        .collect();
    let items = threads::nest(ordered, |c, replies| c.replies = replies);
    Ok(HttpResponse::Ok().json(CommentTree { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// 1 (like), -1 (dislike) or 0 (withdraw).
    pub score: i32,
}

#[derive(Serialize, ToSchema)]
pub struct VoteResponse {
    /// The object's score after the vote.
    pub score: i64,
}

/// Vote on a post.
#[utoipa::path(post, path = "/api/v1/posts/{id}/vote", tag = "posts",
    params(("id" = i64, Path, description = "post id")),
    request_body = VoteRequest, security(("bearer" = [])),
    responses((status = 200, body = VoteResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn vote_post(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<VoteRequest>,
) -> Result<HttpResponse, Error> {
    let target = Target::Post(id.into_inner());
    let score = actions::votes::vote(&data, &account, target, body.score).await?;
    Ok(HttpResponse::Ok().json(VoteResponse { score }))
}

/// Vote on a comment.
#[utoipa::path(post, path = "/api/v1/comments/{id}/vote", tag = "posts",
    params(("id" = i64, Path, description = "comment id")),
    request_body = VoteRequest, security(("bearer" = [])),
    responses((status = 200, body = VoteResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn vote_comment(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<VoteRequest>,
) -> Result<HttpResponse, Error> {
    let target = Target::Comment(id.into_inner());
    let score = actions::votes::vote(&data, &account, target, body.score).await?;
    Ok(HttpResponse::Ok().json(VoteResponse { score }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    /// Posts only.
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// A moderator's reason for removing someone else's post or comment (shown in the
    /// `Delete`'s `summary`).
    pub reason: Option<String>,
}

/// Edit a post (its author only).
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts",
    params(("id" = i64, Path, description = "post id")),
    request_body = EditRequest, security(("bearer" = [])),
    responses((status = 200, body = PostView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn edit_post(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<EditRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let target = Target::Post(id);
    actions::editing::edit(&data, &account.person, target, body.title, body.body).await?;
    let post = readable_post(&data, id, super::viewer(Some(&account))).await?;
    Ok(HttpResponse::Ok().json(post_view(&data, post).await?))
}

/// Delete a post: its author, or a moderator (a removal, with an optional reason).
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "posts",
    params(("id" = i64, Path, description = "post id")),
    request_body(content = DeleteRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_post(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<DeleteRequest>,
) -> Result<HttpResponse, Error> {
    let target = Target::Post(id.into_inner());
    actions::editing::delete(
        &data,
        &account.person,
        account.user.is_admin,
        target,
        body.reason,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Edit a comment (its author only).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "posts",
    params(("id" = i64, Path, description = "comment id")),
    request_body = EditRequest, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit_comment(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<EditRequest>,
) -> Result<HttpResponse, Error> {
    let target = Target::Comment(id.into_inner());
    actions::editing::edit(&data, &account.person, target, body.title, body.body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a comment: its author, or a moderator (a removal, with an optional reason).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "posts",
    params(("id" = i64, Path, description = "comment id")),
    request_body(content = DeleteRequest, description = "optional"), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<DeleteRequest>,
) -> Result<HttpResponse, Error> {
    let target = Target::Comment(id.into_inner());
    actions::editing::delete(
        &data,
        &account.person,
        account.user.is_admin,
        target,
        body.reason,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockRequest {
    /// true locks the thread (no new comments), false unlocks it.
    pub locked: bool,
    pub reason: Option<String>,
}

/// Lock or unlock a thread (the community's moderators).
#[utoipa::path(post, path = "/api/v1/posts/{id}/lock", tag = "moderation",
    params(("id" = i64, Path, description = "post id")),
    request_body = LockRequest, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn lock(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<LockRequest>,
) -> Result<HttpResponse, Error> {
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::moderation::lock(
        &data,
        person,
        admin,
        id.into_inner(),
        body.locked,
        body.reason,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinRequest {
    /// true pins the post to the community's featured list, false unpins it.
    pub pinned: bool,
}

/// Pin or unpin a post (the community's moderators).
#[utoipa::path(post, path = "/api/v1/posts/{id}/pin", tag = "moderation",
    params(("id" = i64, Path, description = "post id")),
    request_body = PinRequest, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn pin(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<PinRequest>,
) -> Result<HttpResponse, Error> {
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::moderation::pin(&data, person, admin, id.into_inner(), body.pinned).await?;
    Ok(HttpResponse::NoContent().finish())
}
