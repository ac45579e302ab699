//! From thread to page on the pages: `/post/{id}/page`, the form (title, address, section,
//! and a checkbox per reply to quote; plain HTML, no script) and its POST, for those who may
//! edit the thread's community's library. The writing is `actions::library_thread`.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    not_found, render, see_other,
};
use crate::{
    actions::library_thread::{self, Choice},
    context::AppContext,
    domain::names::handle,
    error::Error,
    views::{self, gate::Viewer, threads::Shown},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

/// A reply offered for the page.
struct ReplyChoice {
    id: i64,
    author: String,
    when: String,
    /// Its first characters (plain text).
    excerpt: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "library_from_thread.html", config = "src/web/askama.toml")]
struct FromThreadPage {
    frame: Frame,
    post_id: i64,
    post_title: String,
    community_title: String,
    title: String,
    slug: String,
    parent: String,
    /// The pages it may sit under: slug, title.
    sections: Vec<(String, String)>,
    replies: Vec<ReplyChoice>,
    error: FormError,
}

fn excerpt(markdown: &str) -> String {
    let flat: String = markdown.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(140) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

/// The form for thread `id` as `viewer` may use it: None when the thread is hidden; 403 when
/// they may read but not edit the library.
async fn form_page(
    ctx: &AppContext,
    frame: Frame,
    viewer: Viewer,
    id: i64,
) -> Result<Option<FromThreadPage>, Error> {
    let gate = ctx.gate().clone();
    let found = ctx
        .db(move |conn| {
            let Some(t) = views::threads::read(conn, &gate, &viewer, id)? else {
                return Ok(None);
            };
            let lib = views::library::library(conn, &gate, &viewer, &t.community)?;
            Ok(Some((t, lib)))
        })
        .await?;
    let Some((t, Some(lib))) = found else {
        return Ok(None);
    };
    if !lib.access.may_edit {
        return Err(Error::forbidden(format!(
            "You may not edit the pages of {}: ask its moderators.",
            t.community.title
        )));
    }
    let host = &ctx.settings().hostname;
    let replies = t
        .comments
        .into_iter()
        .filter(|e| e.shown == Shown::Visible)
        .map(|e| ReplyChoice {
            id: e.comment.id,
            author: handle(&e.author.name, &e.author.ap_id, host),
            when: e
                .comment
                .published
                .format("%-d %b %Y, %H:%M UTC")
                .to_string(),
            excerpt: excerpt(&e.comment.body_md),
            chosen: false,
        })
        .collect();
    let sections = super::library_forms::sections(lib.tree);
    Ok(Some(FromThreadPage {
        frame,
        post_id: id,
        title: t.post.title.clone(),
        post_title: t.post.title,
        community_title: t.community.title,
        slug: String::new(),
        parent: String::new(),
        sections,
        replies,
        error: FormError::none(),
    }))
}

/// `/post/{id}/page`: the form (log in first).
pub async fn form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    if frame.account.is_none() {
        // The gate first: a hidden thread is 404 signed out too.
        let gate = ctx.gate().clone();
        let seen = ctx
            .db(move |conn| views::threads::read(conn, &gate, &Viewer::anonymous(), id))
            .await?;
        if seen.is_none() {
            return not_found(&ctx, format!("The post {id}"));
        }
        return Ok(see_other("/login"));
    }
    let viewer = frame.viewer();
    let Some(page) = form_page(&ctx, frame, viewer, id).await? else {
        return not_found(&ctx, format!("The post {id}"));
    };
    Ok(render(&req, StatusCode::OK, page))
}

/// `POST /post/{id}/page`: `title`, `slug`, `parent` and one `reply` per chosen reply.
pub async fn make(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let Form {
        frame,
        session,
        data,
    } = form;
    let field = |name: &str| {
        data.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut replies = Vec::new();
    for (_, v) in data.iter().filter(|(k, _)| k == "reply") {
        replies.push(
            v.parse::<i64>()
                .map_err(|_| Error::invalid_field("reply", "a reply is named by its number"))?,
        );
    }
    let choice = Choice {
        title: field("title"),
        slug: field("slug"),
        parent: field("parent"),
        replies: replies.clone(),
    };
    let (title, slug, parent) = (
        choice.title.clone(),
        choice.slug.clone(),
        choice.parent.clone(),
    );
    let viewer = frame.viewer();
    let Some(mut page) = form_page(&ctx, frame, viewer, id).await? else {
        return not_found(&ctx, format!("The post {id}"));
    };
    match library_thread::make_page(&ctx, &session.account, id, choice).await {
        Ok(made) => {
            let reference = page_community(&ctx, made.community_id).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/c/{reference}/library/{}", made.slug),
                "The thread became a page.",
            ))
        }
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            for r in &mut page.replies {
                r.chosen = replies.contains(&r.id);
            }
            page.title = title;
            page.slug = slug;
            page.parent = parent;
            page.error = FormError::of("page", &e);
            Ok(render(&req, status, page))
        }
    }
}

async fn page_community(ctx: &AppContext, community_id: i64) -> Result<String, Error> {
    let found = ctx
        .db(move |conn| crate::db::communities::by_id(conn, community_id))
        .await?;
    Ok(found.map(|c| c.name).unwrap_or_default())
}
