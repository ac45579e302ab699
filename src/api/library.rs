//! The library: `/communities/{ref}/pages` (the tree; create), `/communities/{ref}/pages/{slug}`
//! (read; save a revision from a base revision: 409 with both sides' changes when another save
//! touched the same lines), its `revisions`, `diff` and `restore`, and `/communities/{ref}/library`
//! (who may edit).

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions::{self, library::Saved},
    context::AppContext,
    db::{accounts::Account, communities::Community, library::Page},
    domain::library::{self as rules, DiffLine, EditBy, PageText},
    error::{Error, ErrorBody},
    views::{self, library::Access},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct PageRequest {
    /// Plain text, 1–200 characters.
    pub title: String,
    /// Markdown, at most 100,000 characters.
    #[serde(default)]
    pub body: String,
    /// Why this change (at most 300 characters).
    #[serde(default)]
    pub summary: String,
    /// The page's address in the library; made from the title when empty. Fixed once made.
    #[serde(default)]
    pub slug: String,
    /// The slug of the page it sits under (empty: the top of the tree).
    #[serde(default)]
    pub parent: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EditRequest {
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub summary: String,
    /// The revision the edit started from (`revision` of the page as read).
    pub base_revision: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PageView {
    pub slug: String,
    pub title: String,
    /// Markdown source.
    pub body: String,
    /// Sanitised HTML.
    pub html: String,
    /// The latest revision's number (send it back as `base_revision`).
    pub revision: i64,
    /// The slug of the page it sits under.
    pub parent: Option<String>,
    pub last_editor: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub url: String,
    /// Whether a save from an older revision was merged with later ones.
    pub merged: bool,
    /// The thread it was made from (its URL).
    pub from_thread: Option<String>,
    /// The pages citing it, of the libraries the reader may read.
    pub linked_from: Vec<LinkedPageView>,
}

/// A page as a link.
#[derive(Serialize, ToSchema)]
pub struct LinkedPageView {
    pub title: String,
    pub url: String,
}

impl LinkedPageView {
    pub fn of(ctx: &AppContext, pages: Vec<crate::db::library_links::LinkedPage>) -> Vec<Self> {
        pages
            .into_iter()
            .map(|p| LinkedPageView {
                url: ctx.url(&format!("/c/{}/library/{}", p.community, p.slug)),
                title: p.title,
            })
            .collect()
    }
}

#[derive(Serialize, ToSchema)]
pub struct PageLineView {
    pub slug: String,
    pub title: String,
    /// 0 at the top of the tree.
    pub depth: usize,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct LibraryView {
    /// `moderators`, `members` or `editors`.
    pub edit_by: String,
    /// The named editors (local names), for `editors`.
    pub editors: Vec<String>,
    /// Whether the reader may create and edit pages.
    pub may_edit: bool,
    /// Every page, each after the page it sits under.
    pub pages: Vec<PageLineView>,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionView {
    pub number: i64,
    pub author: String,
    pub summary: String,
    /// The revision this one restored.
    pub restored_from: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DiffLineView {
    /// `unchanged`, `removed` or `added`.
    pub change: String,
    /// The line's number in the old text.
    pub old: Option<usize>,
    /// The line's number in the new text.
    pub new: Option<usize>,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct DiffView {
    pub from: i64,
    pub to: i64,
    pub from_title: String,
    pub to_title: String,
    /// The changed lines with three lines of context around each change.
    pub lines: Vec<DiffLineView>,
}

/// A save refused because another save from the same base touched the same lines.
#[derive(Serialize, ToSchema)]
pub struct ConflictView {
    /// `edit_conflict`.
    pub error: String,
    pub message: String,
    pub base_revision: i64,
    /// Resubmit with this as `base_revision` to save your text over it.
    pub latest_revision: i64,
    pub latest_title: String,
    pub latest_body: String,
    /// The base → latest changes (theirs).
    pub theirs: Vec<DiffLineView>,
    /// The base → your text changes.
    pub yours: Vec<DiffLineView>,
}

#[derive(Deserialize, ToSchema)]
pub struct RestoreRequest {
    /// The revision whose text becomes the page's again (as a new revision).
    pub revision: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct RightsRequest {
    /// `moderators`, `members` or `editors`.
    pub edit_by: String,
    /// Local names of the editors (for `editors`).
    #[serde(default)]
    pub editors: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older revision (default: the one before `to`).
    pub from: Option<i64>,
    /// The newer revision (default: the latest).
    pub to: Option<i64>,
}

type Path2 = web::Path<(String, String)>;

fn lines(lines: Vec<DiffLine>) -> Vec<DiffLineView> {
    lines
        .into_iter()
        .map(|l| DiffLineView {
            change: l.change.label().into(),
            old: l.old,
            new: l.new,
            text: l.text,
        })
        .collect()
}

async fn community(ctx: &AppContext, reference: &str) -> Result<Community, Error> {
    views::library::community(ctx, reference)
        .await?
        .ok_or_else(|| Error::not_found("community"))
}

fn view(ctx: &AppContext, page: Page, parent: Option<String>, editor: String) -> PageView {
    PageView {
        from_thread: page.from_post_id.map(|id| ctx.url(&format!("/post/{id}"))),
        linked_from: Vec::new(),
        url: ctx.url(&page_path(&page)),
        slug: page.slug,
        title: page.title,
        body: page.body_md,
        html: page.body_html,
        revision: page.revision,
        parent,
        last_editor: editor,
        updated_at: page.updated_at.and_utc(),
        merged: false,
    }
}

fn page_path(page: &Page) -> String {
    url::Url::parse(&page.ap_id)
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

/// The page as `account` now reads it.
async fn read(
    ctx: &AppContext,
    account: Option<&Account>,
    c: Community,
    slug: &str,
) -> Result<PageView, Error> {
    let (gate, viewer, host) = (
        ctx.gate().clone(),
        super::viewer(account),
        ctx.settings().hostname.clone(),
    );
    let slug = slug.to_string();
    let read = ctx
        .db(move |conn| views::library::page(conn, &gate, &viewer, &host, &c, &slug))
        .await?
        .ok_or_else(|| Error::not_found("page"))?;
    let linked_from = LinkedPageView::of(ctx, read.linked_from);
    Ok(PageView {
        linked_from,
        ..view(ctx, read.page, read.parent.map(|p| p.slug), read.editor)
    })
}

/// `page` as `account` now reads it.
pub(super) async fn page_of(
    ctx: &AppContext,
    account: &Account,
    page: Page,
) -> Result<PageView, Error> {
    let id = page.community_id;
    let c = ctx
        .db(move |conn| crate::db::communities::by_id(conn, id))
        .await?
        .ok_or_else(|| Error::not_found("community"))?;
    read(ctx, Some(account), c, &page.slug).await
}

/// A community's library: who may edit, and its pages as a tree.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/pages", tag = "library",
    operation_id = "list_pages", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host")),
    responses((status = 200, body = LibraryView), (status = 404, body = ErrorBody)))]
pub async fn list(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    let (gate, viewer) = (ctx.gate().clone(), super::viewer(account.as_ref()));
    let found = ctx
        .db(move |conn| {
            let Some(lib) = views::library::library(conn, &gate, &viewer, &c)? else {
                return Ok(None);
            };
            let editors = crate::db::library::editors(conn, c.id)?;
            Ok(Some((lib, editors)))
        })
        .await?;
    let (lib, editors) = found.ok_or_else(|| Error::not_found("community"))?;
    let Access {
        edit_by, may_edit, ..
    } = lib.access;
    Ok(HttpResponse::Ok().json(LibraryView {
        edit_by: edit_by.as_str().into(),
        editors,
        may_edit,
        pages: lib
            .tree
            .into_iter()
            .map(|l| PageLineView {
                slug: l.page.slug,
                title: l.page.title,
                depth: l.depth,
                updated_at: l.page.updated_at.and_utc(),
            })
            .collect(),
    }))
}

/// A new page (its first revision), by someone the community's rights allow.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/pages", tag = "library",
    operation_id = "create_page", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name")),
    request_body = PageRequest,
    responses((status = 201, body = PageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<PageRequest>,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    let text = PageText::parse(&body.title, &body.body, &body.summary)?;
    let page =
        actions::library::create(&ctx, &account, c.clone(), &body.slug, &body.parent, text).await?;
    let read = read(&ctx, Some(&account), c, &page.slug).await?;
    Ok(HttpResponse::Created().json(read))
}

/// One page.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/pages/{slug}", tag = "library",
    operation_id = "get_page", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"),
        ("slug" = String, Path, description = "the page's slug")),
    responses((status = 200, body = PageView), (status = 404, body = ErrorBody)))]
pub async fn get(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    path: Path2,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    Ok(HttpResponse::Ok().json(read(&ctx, account.as_ref(), c, &slug).await?))
}

/// Saves a revision made from `base_revision`. When later revisions exist, the edit is merged
/// with them if they touched other lines (`merged: true`); otherwise 409 with both sides.
#[utoipa::path(put, path = "/api/v1/communities/{ref}/pages/{slug}", tag = "library",
    operation_id = "edit_page", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name"),
        ("slug" = String, Path, description = "the page's slug")),
    request_body = EditRequest,
    responses((status = 200, body = PageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`edit_conflict`: a later revision \
            changed the same lines; the body is a `ConflictView` (both sides' changes, the latest \
            revision to resubmit over)"),
        (status = 422, body = ErrorBody)))]
pub async fn edit(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    path: Path2,
    ApiJson(body): ApiJson<EditRequest>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    let text = PageText::parse(&body.title, &body.body, &body.summary)?;
    let saved =
        actions::library::edit(&ctx, &account, c.clone(), &slug, text, body.base_revision).await?;
    let merged = match saved {
        Saved::Saved(_) => false,
        Saved::Merged(_) => true,
        Saved::Conflict(conflict) => {
            let (base, latest, mine) = (&conflict.base, &conflict.latest, &conflict.mine);
            return Ok(HttpResponse::Conflict().json(ConflictView {
                error: "edit_conflict".into(),
                message: format!(
                    "revision {} was saved after yours began and changed the same lines",
                    latest.number
                ),
                base_revision: base.number,
                latest_revision: latest.number,
                theirs: lines(rules::diff(&base.body_md, &latest.body_md, Some(3))),
                yours: lines(rules::diff(&base.body_md, &mine.body, Some(3))),
                latest_title: latest.title.clone(),
                latest_body: latest.body_md.clone(),
            }));
        }
    };
    let mut page = read(&ctx, Some(&account), c, &slug).await?;
    page.merged = merged;
    Ok(HttpResponse::Ok().json(page))
}

/// Which revisions of a history.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only revisions numbered below this one (for the next, older, page: the last number seen).
    pub before: Option<i64>,
    /// How many, newest first: 100 by default, at most 500.
    pub limit: Option<i64>,
}

/// A page's revisions, newest first: `limit` of them (100 by default), below `before`.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/pages/{slug}/revisions", tag = "library",
    operation_id = "page_revisions", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"),
        ("slug" = String, Path, description = "the page's slug"), HistoryQuery),
    responses((status = 200, body = Vec<RevisionView>), (status = 404, body = ErrorBody)))]
pub async fn revisions(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    path: Path2,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    let (gate, viewer) = (ctx.gate().clone(), super::viewer(account.as_ref()));
    let host = ctx.settings().hostname.clone();
    let (before, limit) = (
        query.before,
        query.limit.unwrap_or(views::library::HISTORY_PAGE),
    );
    let history = ctx
        .db(move |conn| views::library::history(conn, &gate, &viewer, &c, &slug, before, limit))
        .await?
        .ok_or_else(|| Error::not_found("page"))?;
    let list: Vec<RevisionView> = history
        .revisions
        .into_iter()
        .map(|r| RevisionView {
            author: views::library::author_handle(
                &host,
                &r.author_name,
                &r.author_ap_id,
                r.author_local,
            ),
            number: r.number,
            summary: r.summary,
            restored_from: r.restored_from,
            created_at: r.created_at.and_utc(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// The line diff between two revisions (by default the latest and the one before).
#[utoipa::path(get, path = "/api/v1/communities/{ref}/pages/{slug}/diff", tag = "library",
    operation_id = "page_diff", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host"),
        ("slug" = String, Path, description = "the page's slug"), DiffQuery),
    responses((status = 200, body = DiffView), (status = 404, body = ErrorBody)))]
pub async fn diff(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    path: Path2,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    let read = views::library::diff_of(
        &ctx,
        super::viewer(account.as_ref()),
        c,
        slug,
        query.from,
        query.to,
    )
    .await?
    .ok_or_else(|| Error::not_found("revision"))?;
    Ok(HttpResponse::Ok().json(DiffView {
        from: read.from.number,
        to: read.to.number,
        from_title: read.from.title,
        to_title: read.to.title,
        lines: lines(read.lines),
    }))
}

/// Makes an old revision's text the page's again, as a new revision.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/pages/{slug}/restore", tag = "library",
    operation_id = "restore_page", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name"),
        ("slug" = String, Path, description = "the page's slug")),
    request_body = RestoreRequest,
    responses((status = 200, body = PageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn restore(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    path: Path2,
    ApiJson(body): ApiJson<RestoreRequest>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    actions::library::restore(&ctx, &account, c.clone(), &slug, body.revision).await?;
    Ok(HttpResponse::Ok().json(read(&ctx, Some(&account), c, &slug).await?))
}

/// Who may edit the community's pages: its moderators set it.
#[utoipa::path(put, path = "/api/v1/communities/{ref}/library", tag = "library",
    operation_id = "library_rights", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name")),
    request_body = RightsRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn rights(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<RightsRequest>,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    let edit_by = EditBy::parse_field(&body.edit_by)?;
    if body.editors.len() > 200 {
        return Err(Error::invalid_field("editors", "at most 200 names"));
    }
    actions::library::set_rights(&ctx, &account, c, edit_by, body.editors).await?;
    Ok(HttpResponse::NoContent().finish())
}
