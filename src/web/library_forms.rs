//! The library's forms: a new page (`/c/{name}/library/new`), editing one
//! (`/c/{name}/library/{slug}/edit`, carrying the revision it started from; a save that
//! collides with a later one shows the conflict page: both sides' changes and the form again),
//! restoring an old revision, and the moderators' edit rights. Writes go through
//! `actions::library`.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    library::{community_of, missing},
    render, see_other,
};
use crate::{
    actions::{self, library::Saved},
    context::AppContext,
    db::communities::Community,
    domain::library::{self as rules, DiffLine, EditBy, PageText},
    error::Error,
    views::{self, gate::Viewer},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// The page form's fields, as typed (named like the API's).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PageForm {
    pub title: String,
    pub body: String,
    pub summary: String,
    pub slug: String,
    pub parent: String,
    pub base_revision: String,
}

/// Another save's collision, as the conflict page shows it.
pub(super) struct Collision {
    base: i64,
    latest: i64,
    theirs: Vec<DiffLine>,
    yours: Vec<DiffLine>,
}

#[derive(Template)]
#[template(path = "library_form.html", config = "src/web/askama.toml")]
pub(super) struct PageFormPage {
    frame: Frame,
    heading: String,
    action: String,
    back: String,
    /// Creating (slug and section asked) rather than editing.
    creating: bool,
    /// The pages a new one may sit under: slug, title.
    sections: Vec<(String, String)>,
    f: PageForm,
    error: FormError,
    collision: Option<Collision>,
}

type Path2 = web::Path<(String, String)>;

/// The community and its tree, when `viewer` may edit its pages; None when it may read but
/// not edit (the 403 page), and the 404 when it may not read.
async fn editable(
    ctx: &AppContext,
    viewer: Viewer,
    reference: &str,
) -> Result<Option<(Community, Vec<(String, String)>)>, Error> {
    let c = community_of(ctx, reference).await?;
    let (gate, community) = (ctx.gate().clone(), c.clone());
    let lib = ctx
        .db(move |conn| views::library::library(conn, &gate, &viewer, &community))
        .await?
        .ok_or_else(|| missing(&format!("The community {reference}")))?;
    if !lib.access.may_edit {
        return Ok(None);
    }
    Ok(Some((c, sections(lib.tree))))
}

/// The pages a new one may sit under, for the section menu: slug, title indented by depth.
pub(super) fn sections(tree: Vec<views::library::TreeLine>) -> Vec<(String, String)> {
    tree.into_iter()
        .map(|l| {
            (
                l.page.slug,
                format!("{}{}", "– ".repeat(l.depth), l.page.title),
            )
        })
        .collect()
}

fn refused(community: &Community) -> Error {
    Error::forbidden(format!(
        "You may not edit the pages of {}: ask its moderators.",
        community.title
    ))
}

fn new_page(
    frame: Frame,
    c: &Community,
    reference: &str,
    sections: Vec<(String, String)>,
) -> PageFormPage {
    PageFormPage {
        frame,
        heading: format!("New page in the library of {}", c.title),
        action: format!("/c/{reference}/library/new"),
        back: format!("/c/{reference}/library"),
        creating: true,
        sections,
        f: PageForm::default(),
        error: FormError::none(),
        collision: None,
    }
}

/// `/c/{name}/library/new`: the form (log in first).
pub async fn new_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    // The gate first (a hidden library is 404 signed out too), then the log-in.
    let editable = editable(&ctx, frame.viewer(), &reference).await?;
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let Some((c, sections)) = editable else {
        let c = community_of(&ctx, &reference).await?;
        return Err(refused(&c));
    };
    let mut page = new_page(frame, &c, &reference, sections);
    page.f.parent = req
        .uri()
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "parent"))
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(render(&req, StatusCode::OK, page))
}

/// The form again with its error, or the error's own page.
fn reshow(req: &HttpRequest, page: PageFormPage, e: Error) -> Result<HttpResponse, Error> {
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let page = PageFormPage {
        error: FormError::of("page", &e),
        ..page
    };
    Ok(render(req, status, page))
}

/// `POST /c/{name}/library/new`.
pub async fn create(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<PageForm>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Form {
        frame,
        session,
        data,
    } = form;
    let Some((c, sections)) = editable(&ctx, frame.viewer(), &reference).await? else {
        let c = community_of(&ctx, &reference).await?;
        return Err(refused(&c));
    };
    let mut page = new_page(frame, &c, &reference, sections);
    page.f = data.clone();
    let outcome = match PageText::parse(&data.title, &data.body, &data.summary) {
        Ok(text) => {
            actions::library::create(&ctx, &session.account, c, &data.slug, &data.parent, text)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(p) => Ok(flash::redirect(
            &ctx,
            &format!("/c/{reference}/library/{}", p.slug),
            "Page created.",
        )),
        Err(e) => reshow(&req, page, e),
    }
}

fn edit_page(frame: Frame, reference: &str, slug: &str, title: &str, f: PageForm) -> PageFormPage {
    PageFormPage {
        frame,
        heading: format!("Edit “{title}”"),
        action: format!("/c/{reference}/library/{slug}/edit"),
        back: format!("/c/{reference}/library/{slug}"),
        creating: false,
        sections: Vec::new(),
        f,
        error: FormError::none(),
        collision: None,
    }
}

/// `/c/{name}/library/{slug}/edit`: the form with the latest revision and its number.
pub async fn edit_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: Path2,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer, host) = (
        ctx.gate().clone(),
        frame.viewer(),
        ctx.settings().hostname.clone(),
    );
    let (community, s) = (c.clone(), slug.clone());
    let p = ctx
        .db(move |conn| views::library::page(conn, &gate, &viewer, &host, &community, &s))
        .await?
        .ok_or_else(|| missing("This page"))?;
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    if !p.access.may_edit {
        return Err(refused(&c));
    }
    let f = PageForm {
        title: p.page.title.clone(),
        body: p.page.body_md.clone(),
        base_revision: p.page.revision.to_string(),
        ..PageForm::default()
    };
    let page = edit_page(frame, &reference, &slug, &p.page.title, f);
    Ok(render(&req, StatusCode::OK, page))
}

/// `POST /c/{name}/library/{slug}/edit`: a new revision, a merge, or the conflict page (409).
pub async fn edit(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    path: Path2,
    form: Form<PageForm>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let Form {
        frame,
        session,
        data,
    } = form;
    let c = community_of(&ctx, &reference).await?;
    let mut page = edit_page(frame, &reference, &slug, &data.title, data.clone());
    let base = match data.base_revision.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let e = Error::invalid_field("base_revision", "open the page's edit form again");
            return reshow(&req, page, e);
        }
    };
    let text = match PageText::parse(&data.title, &data.body, &data.summary) {
        Ok(text) => text,
        Err(e) => return reshow(&req, page, e),
    };
    let to = format!("/c/{reference}/library/{slug}");
    match actions::library::edit(&ctx, &session.account, c, &slug, text, base).await {
        Ok(Saved::Saved(p)) => Ok(flash::redirect(
            &ctx,
            &to,
            &format!("Saved: revision {}.", p.revision),
        )),
        Ok(Saved::Merged(p)) => Ok(flash::redirect(
            &ctx,
            &to,
            &format!(
                "Someone saved this page while you edited; your changes touched other lines and were merged with theirs: revision {}.",
                p.revision
            ),
        )),
        Ok(Saved::Conflict(conflict)) => {
            let (b, latest) = (&conflict.base, &conflict.latest);
            page.collision = Some(Collision {
                base: b.number,
                latest: latest.number,
                theirs: rules::diff(&b.body_md, &latest.body_md, Some(3)),
                yours: rules::diff(&b.body_md, &conflict.mine.body, Some(3)),
            });
            page.f.base_revision = latest.number.to_string();
            Ok(render(&req, StatusCode::CONFLICT, page))
        }
        Err(e) => reshow(&req, page, e),
    }
}

#[derive(Deserialize)]
pub struct RestoreForm {
    revision: i64,
}

/// `POST /c/{name}/library/{slug}/restore`: an old revision's text as a new revision.
pub async fn restore(
    ctx: web::Data<AppContext>,
    path: Path2,
    form: Form<RestoreForm>,
) -> Result<HttpResponse, Error> {
    let (reference, slug) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let n = form.data.revision;
    let p = actions::library::restore(&ctx, &form.session.account, c, &slug, n).await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/c/{reference}/library/{slug}"),
        &format!("Revision {n} restored as revision {}.", p.revision),
    ))
}

#[derive(Deserialize)]
pub struct RightsForm {
    edit_by: String,
    #[serde(default)]
    editors: String,
}

/// `POST /c/{name}/library/settings`: who may edit (moderators only).
pub async fn rights(
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<RightsForm>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let edit_by = EditBy::parse_field(&form.data.edit_by)?;
    let editors = form
        .data
        .editors
        .split([',', '\n', ' '])
        .map(str::to_string)
        .collect();
    actions::library::set_rights(&ctx, &form.session.account, c, edit_by, editors).await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/c/{reference}/library"),
        &format!("Pages are now edited by {}.", edit_by.label()),
    ))
}
