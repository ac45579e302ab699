//! The reading pages: the directory and a community's page (threads are in `web::threads`,
//! people in `web::people`).

use super::{frame::Frame, html, not_found};
use crate::domain::names::handle;
use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community, posts::PostOrder},
    error::Error,
    views,
};
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
struct HomePage {
    frame: Frame,
    communities: Vec<Community>,
}

#[derive(Template)]
#[template(path = "community.html", config = "src/web/askama.toml")]
struct CommunityPage {
    frame: Frame,
    c: Community,
    /// Not shown for a private community (nor who moderates it): only its charter is public.
    members: Option<i64>,
    moderators: Vec<Person>,
    /// Its threads, to those who may read them (None otherwise).
    threads: Option<Vec<ThreadLine>>,
    /// The sort shown (`new`, `top`, `active`) and the link to the next page, if any.
    sort: &'static str,
    next: Option<String>,
}

/// One thread in a community's list.
struct ThreadLine {
    id: i64,
    title: String,
    author: String,
    published: String,
    comments: i64,
    score: i64,
    pinned: bool,
    locked: bool,
}

/// `?sort=` and `?cursor=` of a community page.
#[derive(serde::Deserialize)]
pub struct ThreadQuery {
    sort: Option<String>,
    cursor: Option<String>,
}

/// How many threads a community page lists.
const THREADS_PER_PAGE: i64 = 20;

pub async fn home(ctx: web::Data<AppContext>, frame: Frame) -> Result<HttpResponse, Error> {
    let scope = ctx.gate().scope(&frame.viewer());
    let communities = ctx
        .db(move |conn| db::communities::directory_page(conn, None, 100, scope))
        .await?;
    let page = HomePage { frame, communities };
    html(actix_web::http::StatusCode::OK, &page)
}

pub async fn community(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let (sort, order) = match query.sort.as_deref() {
        None | Some("new") => ("new", PostOrder::New),
        Some("top") => ("top", PostOrder::Top),
        Some("active") => ("active", PostOrder::Active),
        Some(_) => {
            return Err(Error::invalid_field(
                "sort",
                "sort threads by `new`, `top` or `active`",
            ))
        }
    };
    let after = query
        .cursor
        .as_deref()
        .map(views::posts::parse_cursor)
        .transpose()?;
    let lookup = name.clone();
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(move |conn| {
            let Some(c) = db::communities::local_by_name(conn, &lookup)? else {
                return Ok(None);
            };
            if !gate.sight(conn, &viewer, &c)?.content {
                return Ok(Some((c, None, Vec::new(), None)));
            }
            let members = db::communities::count_members(conn, c.id)?;
            let moderators = db::communities::moderators(conn, c.id)?;
            let threads = views::posts::community_page(conn, c.id, order, after, THREADS_PER_PAGE)?;
            Ok(Some((c, Some(members), moderators, Some(threads))))
        })
        .await?;
    let Some((c, members, moderators, threads)) = found else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let host = ctx.settings().hostname.clone();
    let next = threads
        .as_ref()
        .and_then(|t| t.next_cursor.as_ref())
        .map(|cursor| format!("/c/{}?sort={sort}&cursor={cursor}", c.name));
    let threads = threads.map(|t| {
        t.posts
            .into_iter()
            .map(|l| ThreadLine {
                id: l.post.id,
                author: handle(&l.author.name, &l.author.ap_id, &host),
                published: l.post.published.format("%Y-%m-%d").to_string(),
                comments: l.comment_count,
                score: l.post.score,
                pinned: l.post.pinned,
                locked: l.post.locked,
                title: l.post.title,
            })
            .collect()
    });
    let page = CommunityPage {
        frame,
        c,
        members,
        moderators,
        threads,
        sort,
        next,
    };
    html(actix_web::http::StatusCode::OK, &page)
}
