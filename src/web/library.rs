//! The library on the pages: `/c/{name}/library` (the tree of pages, the moderators' rights
//! form), `/c/{name}/library/{slug}` (a page), its `history`, `diff?from=&to=` and
//! `revisions/{n}` (an old revision with its restore button). The forms (new, edit, the
//! conflict page, restore, rights) are `web::library_forms`.

use super::{frame::Frame, html, not_found};
use crate::{
    context::AppContext,
    db::{communities::Community, library::RevisionLine},
    error::Error,
    views::{
        self,
        library::{author_handle, DiffRead, History, Library, PageRead, RevisionRead},
    },
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// One entry of the tree, with the list markup that opens or closes around it (fixed tags
/// only, never text from anyone).
pub(super) struct Entry {
    before: &'static str,
    closes: usize,
    slug: String,
    title: String,
}

#[derive(Template)]
#[template(path = "library.html", config = "src/web/askama.toml")]
struct LibraryPage {
    frame: Frame,
    community: Community,
    reference: String,
    lib: Library,
    entries: Vec<Entry>,
    /// How many nested lists the last entry leaves open.
    trailing: usize,
    editors: String,
}

#[derive(Template)]
#[template(path = "library_page.html", config = "src/web/askama.toml")]
struct PagePage {
    frame: Frame,
    community: Community,
    reference: String,
    p: PageRead,
    updated: String,
    resources: Vec<super::resources::ResourceLine>,
}

/// A revision in the history table.
struct HistoryLine {
    number: i64,
    author: String,
    when: String,
    summary: String,
    restored_from: Option<i64>,
}

#[derive(Template)]
#[template(path = "library_history.html", config = "src/web/askama.toml")]
struct HistoryPage {
    frame: Frame,
    community: Community,
    reference: String,
    h: History,
    lines: Vec<HistoryLine>,
    /// Whether this is an older page (not the newest revisions).
    paged: bool,
}

/// `?before=N`: the revisions numbered below N.
#[derive(Deserialize)]
pub struct HistoryQuery {
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "library_diff.html", config = "src/web/askama.toml")]
struct DiffPage {
    frame: Frame,
    community: Community,
    reference: String,
    d: DiffRead,
    caption: String,
}

#[derive(Template)]
#[template(path = "library_revision.html", config = "src/web/askama.toml")]
struct RevisionPage {
    frame: Frame,
    community: Community,
    reference: String,
    r: RevisionRead,
    when: String,
}

/// "2 Dec 2026, 11:05 UTC".
pub(super) fn when(at: chrono::NaiveDateTime) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// The list markup of a tree: each entry after the page it sits under.
fn entries(lib: &Library) -> (Vec<Entry>, usize) {
    let mut out = Vec::with_capacity(lib.tree.len());
    let mut prev: Option<usize> = None;
    for line in &lib.tree {
        let d = line.depth;
        let (before, closes) = match prev {
            None => ("", 0),
            Some(p) if d > p => ("<ul>", 0),
            Some(p) if d == p => ("</li>", 0),
            Some(p) => ("</li>", p - d),
        };
        out.push(Entry {
            before,
            closes,
            slug: line.page.slug.clone(),
            title: line.page.title.clone(),
        });
        prev = Some(d);
    }
    (out, prev.unwrap_or(0))
}

/// The community of a library address, or the HTML 404.
pub(super) async fn community_of(ctx: &AppContext, reference: &str) -> Result<Community, Error> {
    views::library::community(ctx, reference)
        .await?
        .ok_or_else(|| missing(&format!("The community {reference}")))
}

/// The HTML 404 of a library address.
pub(super) fn missing(what: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::NotFound,
        "not_found",
        format!("{what} does not exist on this instance."),
    )
}

/// `/c/{name}/library`: the tree of pages of a community the viewer may read.
pub async fn library(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), c.clone());
    let found = ctx
        .db(move |conn| {
            let Some(lib) = views::library::library(conn, &gate, &viewer, &community)? else {
                return Ok(None);
            };
            let editors = match lib.access.moderates {
                true => crate::db::library::editors(conn, community.id)?.join(", "),
                false => String::new(),
            };
            Ok(Some((lib, editors)))
        })
        .await?;
    let Some((lib, editors)) = found else {
        return not_found(&ctx, format!("The community {reference}"));
    };
    let (entries, trailing) = entries(&lib);
    let page = LibraryPage {
        frame,
        community: c,
        reference,
        lib,
        entries,
        trailing,
        editors,
    };
    html(StatusCode::OK, &page)
}

type Path2 = web::Path<(String, String)>;

/// `/c/{name}/library/{slug}`: one page.
pub async fn page(
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: Path2,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), c.clone());
    let v = viewer.clone();
    let host = ctx.settings().hostname.clone();
    let Some(mut p) = ctx
        .db(move |conn| views::library::page(conn, &gate, &viewer, &host, &community, &slug))
        .await?
    else {
        return not_found(&ctx, "This page".into());
    };
    let items = std::mem::take(&mut p.resources);
    let resources = super::resources::lines(&ctx, &reference, items, |r| {
        views::resources::may_remove(&p.access, &v, r)
    });
    let page = PagePage {
        resources,
        updated: when(p.page.updated_at),
        frame,
        community: c,
        reference,
        p,
    };
    html(StatusCode::OK, &page)
}

/// `/c/{name}/library/{slug}/history`: every revision, newest first, with the diff form.
pub async fn history(
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: Path2,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), c.clone());
    let before = query.before;
    let Some(h) = ctx
        .db(move |conn| {
            let n = views::library::HISTORY_PAGE;
            views::library::history(conn, &gate, &viewer, &community, &slug, before, n)
        })
        .await?
    else {
        return not_found(&ctx, "This page".into());
    };
    let host = ctx.settings().hostname.clone();
    let line = |r: &RevisionLine| HistoryLine {
        number: r.number,
        author: author_handle(&host, &r.author_name, &r.author_ap_id, r.author_local),
        when: when(r.created_at),
        summary: r.summary.clone(),
        restored_from: r.restored_from,
    };
    let lines = h.revisions.iter().map(line).collect();
    let page = HistoryPage {
        paged: before.is_some(),
        frame,
        community: c,
        reference,
        h,
        lines,
    };
    html(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

fn revision_number(field: &str, value: Option<&str>) -> Result<Option<i64>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::invalid_field(field, "a revision number")),
    }
}

/// `/c/{name}/library/{slug}/diff?from=&to=`: what changed between two revisions (by
/// default the latest and the one before).
pub async fn diff(
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: Path2,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let from = revision_number("from", query.from.as_deref())?;
    let to = revision_number("to", query.to.as_deref())?;
    let c = community_of(&ctx, &reference).await?;
    let Some(d) = views::library::diff_of(&ctx, frame.viewer(), c.clone(), slug, from, to).await?
    else {
        return not_found(&ctx, "This revision".into());
    };
    let page = DiffPage {
        caption: format!(
            "Changes from revision {} to revision {}",
            d.from.number, d.to.number
        ),
        frame,
        community: c,
        reference,
        d,
    };
    html(StatusCode::OK, &page)
}

/// `/c/{name}/library/{slug}/revisions/{n}`: an old revision, with the restore button.
pub async fn revision(
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, Error> {
    let (reference, slug, number) = path.into_inner();
    let Ok(number) = number.parse::<i64>() else {
        return not_found(&ctx, "This revision".into());
    };
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), c.clone());
    let host = ctx.settings().hostname.clone();
    let Some(r) = ctx
        .db(move |conn| {
            views::library::revision(conn, &gate, &viewer, &host, &community, &slug, number)
        })
        .await?
    else {
        return not_found(&ctx, "This revision".into());
    };
    let page = RevisionPage {
        when: when(r.revision.created_at),
        frame,
        community: c,
        reference,
        r,
    };
    html(StatusCode::OK, &page)
}
