//! Server-rendered HTML pages (askama templates, checked at compile time): the directory, and the
//! readable pages behind the actor URLs that Mastodon links to. Same flow as `api/`, HTML out;
//! every page carries a strict Content-Security-Policy.

use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community, posts::Post},
    error::{Error, ErrorKind},
    views::{
        gate::{State, Target, Viewer},
        threads,
    },
};
use actix_web::{http::header, web, HttpResponse};
use askama::Template;

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CSS: &str = include_str!("copse.css");

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
struct HomePage<'a> {
    hostname: &'a str,
    version: &'a str,
    communities: Vec<Community>,
}

#[derive(Template)]
#[template(path = "community.html", config = "src/web/askama.toml")]
struct CommunityPage<'a> {
    hostname: &'a str,
    version: &'a str,
    c: Community,
    /// Not shown for a private community (nor who moderates it): only its charter is public.
    members: Option<i64>,
    moderators: Vec<Person>,
}

#[derive(Template)]
#[template(path = "person.html", config = "src/web/askama.toml")]
struct PersonPage<'a> {
    hostname: &'a str,
    version: &'a str,
    p: Person,
}

#[derive(Template)]
#[template(path = "not_found.html", config = "src/web/askama.toml")]
struct NotFoundPage<'a> {
    hostname: &'a str,
    version: &'a str,
    what: String,
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
struct PostPage<'a> {
    hostname: &'a str,
    version: &'a str,
    post: Post,
    community: Community,
    author: Person,
    author_handle: String,
    comments: Vec<ThreadComment>,
    /// Comments shown with their content (placeholders not counted).
    shown: usize,
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

get_routes!(PATHS, pages, |_| true, {
    "/" => home,
    "/static/copse.css" => css,
    "/c/{name}" => community,
    "/u/{name}" => person,
    "/post/{id}" => post,
    "/comment/{id}" => comment,
});

pub fn routes(cfg: &mut web::ServiceConfig) {
    pages(cfg);
}

fn html(status: actix_web::http::StatusCode, page: &impl Template) -> Result<HttpResponse, Error> {
    let body = page.render().map_err(anyhow::Error::from)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::VARY, "Accept"))
        .body(body))
}

fn not_found(ctx: &AppContext, what: String) -> Result<HttpResponse, Error> {
    let page = NotFoundPage {
        hostname: &ctx.settings().hostname,
        version: VERSION,
        what,
    };
    html(actix_web::http::StatusCode::NOT_FOUND, &page)
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(CSS)
}

async fn home(ctx: web::Data<AppContext>) -> Result<HttpResponse, Error> {
    let scope = ctx.gate().scope(&Viewer::Anonymous);
    let communities = ctx
        .db(move |conn| db::communities::directory_page(conn, None, 100, scope))
        .await?;
    let page = HomePage {
        hostname: &ctx.settings().hostname,
        version: VERSION,
        communities,
    };
    html(actix_web::http::StatusCode::OK, &page)
}

async fn community(
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let lookup = name.clone();
    let gate = ctx.gate().clone();
    let found = ctx
        .db(move |conn| {
            let Some(c) = db::communities::local_by_name(conn, &lookup)? else {
                return Ok(None);
            };
            if !gate.sight(conn, &Viewer::Anonymous, &c)?.content {
                return Ok(Some((c, None, Vec::new())));
            }
            let members = db::communities::count_members(conn, c.id)?;
            let moderators = db::communities::moderators(conn, c.id)?;
            Ok(Some((c, Some(members), moderators)))
        })
        .await?;
    let Some((c, members, moderators)) = found else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let page = CommunityPage {
        hostname: &ctx.settings().hostname,
        version: VERSION,
        c,
        members,
        moderators,
    };
    html(actix_web::http::StatusCode::OK, &page)
}

async fn person(
    ctx: web::Data<AppContext>,
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
    let page = PersonPage {
        hostname: &ctx.settings().hostname,
        version: VERSION,
        p,
    };
    html(actix_web::http::StatusCode::OK, &page)
}

fn handle(name: &str, url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{name}@{h}:{p}"),
        (Some(h), None) => format!("{name}@{h}"),
        _ => name.to_string(),
    }
}

/// The thread's comments for the page (the order and placeholders come from `views::threads`).
fn thread(rows: Vec<(db::posts::Comment, Person)>) -> Vec<ThreadComment> {
    threads::thread(rows)
        .into_iter()
        .map(|e| ThreadComment {
            id: e.comment.id,
            depth: e.depth.min(5),
            author: handle(&e.author.name, &e.author.ap_id),
            author_url: e.author.ap_id.to_string(),
            published: e.comment.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            body_html: e.comment.body_html,
            placeholder: e.shown.placeholder(),
        })
        .collect()
}

/// A thread: the post and its comments. Private communities' threads are not shown here.
async fn post(ctx: web::Data<AppContext>, id: web::Path<i64>) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let gate = ctx.gate().clone();
    let found = ctx
        .db(move |conn| {
            let found = gate.content(conn, Target::Post(id), State::Visible, &Viewer::Anonymous);
            let (post, community) = match found {
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
    let comments = thread(comments);
    let page = PostPage {
        hostname: &ctx.settings().hostname,
        version: VERSION,
        author_handle: handle(&author.name, &author.ap_id),
        shown: comments.iter().filter(|c| c.placeholder.is_none()).count(),
        comments,
        post,
        community,
        author,
    };
    html(actix_web::http::StatusCode::OK, &page)
}

/// A comment's page is its place in the thread. A comment in a private community (whose
/// thread is not shown here) is answered like a missing one, not redirected to its post.
async fn comment(ctx: web::Data<AppContext>, id: web::Path<i64>) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let target = Target::Comment(id);
    let gate = ctx.gate().clone();
    let found = ctx
        .db(
            move |conn| match gate.content(conn, target, State::Visible, &Viewer::Anonymous) {
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
