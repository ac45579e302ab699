//! The reading pages: a person's page and a thread (`/comment/{id}` redirects into its
//! thread). Read-only; writes arrive through `web::auth`, `web::settings` and the pages to come.
//! The directory and a community's page are `web::communities` and `web::community`.

use super::{frame::Frame, html, not_found};
use crate::domain::names::handle;
use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community, posts::Post},
    error::{Error, ErrorKind},
    views::{
        gate::{State, Target},
        threads,
    },
};
use actix_web::{http::header, web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "person.html", config = "src/web/askama.toml")]
struct PersonPage {
    frame: Frame,
    p: Person,
}

/// One comment of a thread page, with its depth (indentation stops at 5).
struct ThreadComment {
    id: i64,
    depth: usize,
    author: String,
    author_url: String,
    published: String,
    body_html: String,
    /// `[deleted]` or `[removed]` in place of a withdrawn comment that still has replies.
    placeholder: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "post.html", config = "src/web/askama.toml")]
struct PostPage {
    frame: Frame,
    post: Post,
    community: Community,
    author: Person,
    author_handle: String,
    comments: Vec<ThreadComment>,
    /// Comments shown with their content (placeholders not counted).
    shown: usize,
}

pub async fn person(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let lookup = name.clone();
    let Some(p) = ctx
        .db(move |conn| db::accounts::local_person_by_name(conn, &lookup))
        .await?
    else {
        return not_found(&ctx, format!("The user {name}"));
    };
    let page = PersonPage { frame, p };
    html(actix_web::http::StatusCode::OK, &page)
}

/// The thread's comments for the page (the order and placeholders come from `views::threads`).
fn thread(rows: Vec<(db::posts::Comment, Person)>, our_host: &str) -> Vec<ThreadComment> {
    threads::thread(rows)
        .into_iter()
        .map(|e| ThreadComment {
            id: e.comment.id,
            depth: e.depth.min(5),
            author: handle(&e.author.name, &e.author.ap_id, our_host),
            author_url: e.author.ap_id.to_string(),
            published: e.comment.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            body_html: e.comment.body_html,
            placeholder: e.shown.placeholder(),
        })
        .collect()
}

/// A thread: the post and its comments, to those the read gate lets read them.
pub async fn post(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(move |conn| {
            let (post, community) =
                match gate.content(conn, Target::Post(id), State::Visible, &viewer) {
                    Ok(content) => (content.post, content.community),
                    Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                };
            let author = db::accounts::person_by_id(conn, post.author_id)?;
            let comments = db::posts::post_comments(conn, post.id)?;
            Ok(author.map(|a| (post, community, a, comments)))
        })
        .await?;
    let Some((post, community, author, comments)) = found else {
        return not_found(&ctx, format!("The post {id}"));
    };
    let comments = thread(comments, &ctx.settings().hostname);
    let page = PostPage {
        frame,
        author_handle: handle(&author.name, &author.ap_id, &ctx.settings().hostname),
        shown: comments.iter().filter(|c| c.placeholder.is_none()).count(),
        comments,
        post,
        community,
        author,
    };
    html(actix_web::http::StatusCode::OK, &page)
}

/// A comment's page is its place in the thread. A comment the reader may not read is answered
/// like a missing one, not redirected to its post.
pub async fn comment(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let target = Target::Comment(id);
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(
            move |conn| match gate.content(conn, target, State::Visible, &viewer) {
                Ok(content) => Ok(content.comment),
                Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?;
    let Some(c) = found else {
        return not_found(&ctx, format!("The comment {id}"));
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/post/{}#comment-{}", c.post_id, c.id),
        ))
        .finish())
}
