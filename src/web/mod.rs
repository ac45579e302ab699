//! Server-rendered HTML pages (askama templates, checked at compile time): the directory, and the
//! readable pages behind the actor URLs that Mastodon links to. Same flow as `api/`, HTML out;
//! every page carries a strict Content-Security-Policy.

use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community},
    error::Error,
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
    members: i64,
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

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/copse.css", web::get().to(css))
        .route("/c/{name}", web::get().to(community))
        .route("/u/{name}", web::get().to(person));
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
    let communities = ctx
        .db(|conn| db::communities::directory_page(conn, None, 100, None))
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
    let found = ctx
        .db(move |conn| {
            let Some(c) = db::communities::local_by_name(conn, &lookup)? else {
                return Ok(None);
            };
            let members = db::communities::count_members(conn, c.id)?;
            let moderators = db::communities::moderators(conn, c.id)?;
            Ok(Some((c, members, moderators)))
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
