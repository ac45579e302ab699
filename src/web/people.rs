//! `/u/{name}` (and `/u/{name}@{host}` for a person of another instance known here): the
//! profile, and the person's newest posts and comments that the reader may read (the read
//! gate's scope narrows each list in its one query: a private community's content is never
//! listed to a stranger).

use super::{frame::Frame, html, not_found};
use crate::{
    context::AppContext,
    db::{self, accounts::Person},
    domain::names::handle,
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

/// How many of the newest posts, and of the newest comments, a person's page lists.
const RECENT: i64 = 20;

/// One post or comment in a person's page: a link into its thread.
struct Recent {
    link: String,
    title: String,
    published: String,
    /// A comment's body (posts show their title only).
    body_html: Option<String>,
}

#[derive(Template)]
#[template(path = "person.html", config = "src/web/askama.toml")]
struct PersonPage {
    frame: Frame,
    p: Person,
    handle: String,
    /// The address of the person's RSS feed (their posts in public communities).
    feed: String,
    posts: Vec<Recent>,
    comments: Vec<Recent>,
}

pub async fn person(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let our_host = ctx.settings().hostname.clone();
    let scope = ctx.gate().scope(&frame.viewer());
    let lookup = name.clone();
    let found = ctx
        .db(move |conn| {
            let person = match lookup.split_once('@') {
                Some((n, host)) if host != our_host => {
                    db::accounts::remote_person_by_handle(conn, n, host)?
                }
                Some((n, _)) => db::accounts::local_person_by_name(conn, n)?,
                None => db::accounts::local_person_by_name(conn, &lookup)?,
            };
            let Some(p) = person else {
                return Ok(None);
            };
            let posts = db::posts::recent_posts_by(conn, p.id, scope, RECENT)?;
            let comments = db::posts::recent_comments_by(conn, p.id, scope, RECENT)?;
            Ok(Some((p, posts, comments)))
        })
        .await?;
    let Some((p, posts, comments)) = found else {
        return not_found(&ctx, format!("The user {name}"));
    };
    let day = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d").to_string();
    let posts = posts
        .into_iter()
        .map(|post| Recent {
            link: format!("/post/{}", post.id),
            published: day(post.published),
            title: post.title,
            body_html: None,
        })
        .collect();
    let comments = comments
        .into_iter()
        .map(|(c, title)| Recent {
            link: format!("/post/{}#comment-{}", c.post_id, c.id),
            published: day(c.published),
            title,
            body_html: Some(c.body_html),
        })
        .collect();
    let handle = handle(&p.name, &p.ap_id, &ctx.settings().hostname);
    let page = PersonPage {
        feed: format!("/feeds/u/{}.xml", if p.local { &p.name } else { &handle }),
        handle,
        frame,
        p,
        posts,
        comments,
    };
    html(StatusCode::OK, &page)
}
