//! The reading pages: the directory, a community's page, a person's page and a thread
//! (`/comment/{id}` redirects into its thread). Read-only; writes arrive through `web::auth`,
//! `web::settings` and the pages to come.

use super::{frame::Frame, html, not_found};
use crate::domain::names::handle;
use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Person,
        communities::Community,
        posts::{Post, PostOrder},
    },
    error::{Error, ErrorKind},
    views::{
        self,
        gate::{State, Target},
        threads,
    },
};
use actix_web::{http::header, web, HttpResponse};
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
