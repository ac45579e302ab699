//! Feeds over `views/` (never the database directly): RSS 2.0 of a public community's threads
//! (`/feeds/c/{name}.xml`, also `name@host` for a remote community stored here), of a person's
//! posts in public communities (`/feeds/u/{name}.xml`), and a member's private feed of their
//! communities at an address of its own (`/feeds/{token}/front.xml`), with their private
//! calendar of events beside it (`/feeds/{token}/events.ics`). Every answer carries an
//! `ETag` (a digest of the document) and answers `If-None-Match` with 304. `ical` writes the
//! iCalendar files of events (served by `web::events`).

pub mod archive_site;
pub mod ical;
mod rss;

use self::rss::{document, About};
use crate::{
    context::AppContext,
    db::DbConn,
    domain::names::handle,
    error::Error,
    views::{self, gate::Gate},
};
use actix_web::{
    http::header::{self, EntityTag, Header, IfNoneMatch},
    web, HttpRequest, HttpResponse,
};
use sha2::{Digest, Sha256};

/// The media type of an RSS document, and with its charset as the feeds are served.
const CONTENT_TYPE_BARE: &str = "application/rss+xml";
const CONTENT_TYPE: &str = "application/rss+xml; charset=utf-8";

// Every feed (the table tests enumerate: tests/integration/read_gate.rs). A community's feed
// comes first: `/feeds/c/front.xml` is the feed of a community called `front`.
get_routes!(PATHS, feed_routes, |_| true, {
    "/feeds/c/{name}.xml" => community,
    "/feeds/u/{name}.xml" => person,
    "/feeds/{token}/front.xml" => front,
    "/feeds/{token}/events.ics" => member_events,
});

/// Mounts the feeds (inside the pages' scope: a feed that does not exist answers the HTML 404).
pub fn routes(cfg: &mut web::ServiceConfig) {
    feed_routes(cfg);
}

/// Who may keep a copy of a feed.
#[derive(Clone, Copy)]
enum Cache {
    /// Anyone's cache: the feed is the same for everyone.
    Public,
    /// Only the reader's own: the feed is one member's, at an address that is a secret.
    Private,
}

pub async fn community(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (c, threads) = read(&ctx, name.into_inner(), views::feeds::community).await?;
    let path = path_of(&ctx, c.local, &c.name, &c.ap_id);
    let about = About {
        description: described(&c.summary_md, || format!("Threads of {}", c.title)),
        title: c.title,
        page: ctx.url(&format!("/c/{path}")),
        address: ctx.url(&format!("/feeds/c/{path}.xml")),
    };
    Ok(answer(&req, document(&ctx, about, threads), Cache::Public))
}

pub async fn person(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (p, posts) = read(&ctx, name.into_inner(), views::feeds::person).await?;
    let path = path_of(&ctx, p.local, &p.name, &p.ap_id);
    let shown = p.display_name.clone().unwrap_or_else(|| p.name.clone());
    let about = About {
        title: format!("Posts by {shown}"),
        page: ctx.url(&format!("/u/{path}")),
        description: described(p.summary_md.as_deref().unwrap_or(""), || {
            format!("The newest posts of @{path} in public communities")
        }),
        address: ctx.url(&format!("/feeds/u/{path}.xml")),
    };
    Ok(answer(&req, document(&ctx, about, posts), Cache::Public))
}

pub async fn front(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    token: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let token = token.into_inner();
    let gate = ctx.gate().clone();
    let address = front_address(&ctx, &token);
    let (account, threads) = ctx
        .db(move |conn| views::feeds::member(conn, &gate, &token))
        .await?;
    let about = About {
        title: format!(
            "{}'s communities on {}",
            account.person.name,
            ctx.settings().hostname
        ),
        page: ctx.url("/"),
        description: "The newest threads of your communities".into(),
        address,
    };
    Ok(answer(&req, document(&ctx, about, threads), Cache::Private))
}

/// `/feeds/{token}/events.ics`: a member's private calendar (`views::feeds::member_events`), at
/// the address of their private feed; revoked with it.
pub async fn member_events(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    token: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let token = token.into_inner();
    let gate = ctx.gate().clone();
    let (account, found) = ctx
        .db(move |conn| views::feeds::member_events(conn, &gate, &token))
        .await?;
    let entries: Vec<ical::Entry<'_>> = found
        .iter()
        .map(|e| ical::Entry {
            post: &e.post,
            event: &e.event,
            online_url: e.online_url.as_deref(),
        })
        .collect();
    let settings = ctx.settings();
    let name = format!("{}'s events on {}", account.person.name, settings.hostname);
    let body = ical::calendar(&name, &entries, &ctx.url(""), &settings.hostname);
    let mut response = answer(&req, body, Cache::Private);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(response)
}

/// The address of a member's private calendar whose token is `token`.
pub fn events_address(ctx: &AppContext, token: &str) -> String {
    ctx.url(&format!("/feeds/{token}/events.ics"))
}

/// The address of the private feed whose token is `token`.
pub fn front_address(ctx: &AppContext, token: &str) -> String {
    ctx.url(&format!("/feeds/{token}/front.xml"))
}

/// What `view` finds for the actor `reference` names (`name` or `name@host`).
async fn read<T: Send + 'static>(
    ctx: &AppContext,
    reference: String,
    view: fn(&mut DbConn, &Gate, &str, &str) -> Result<T, Error>,
) -> Result<T, Error> {
    let (gate, host) = (ctx.gate().clone(), ctx.settings().hostname.clone());
    ctx.db(move |conn| view(conn, &gate, &reference, &host))
        .await
}

/// The path after `/c/` or `/u/` of an actor's page (and feed): its name if it is ours,
/// `name@host` otherwise.
fn path_of(ctx: &AppContext, local: bool, name: &str, ap_id: &url::Url) -> String {
    match local {
        true => name.to_string(),
        false => handle(name, ap_id, &ctx.settings().hostname),
    }
}

/// A feed's description: `text`, or `otherwise` when it is blank (RSS requires one).
fn described(text: &str, otherwise: impl FnOnce() -> String) -> String {
    match text.trim() {
        "" => otherwise(),
        text => text.to_string(),
    }
}

/// The feed, or 304 when the reader's `If-None-Match` names its `ETag` already.
fn answer(req: &HttpRequest, xml: String, cache: Cache) -> HttpResponse {
    let digest = Sha256::digest(xml.as_bytes());
    let etag = EntityTag::new_strong(hex::encode(&digest[..16]));
    let fresh = match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&etag)),
        Err(_) => false,
    };
    let mut res = match fresh {
        true => HttpResponse::NotModified(),
        false => HttpResponse::Ok(),
    };
    res.insert_header(header::ETag(etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    match cache {
        // Readers poll; five minutes old is new enough, and then they ask with the ETag.
        Cache::Public => res.insert_header((header::CACHE_CONTROL, "public, max-age=300")),
        Cache::Private => res
            .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header(("x-robots-tag", "noindex")),
    };
    match fresh {
        true => res.finish(),
        false => res.content_type(CONTENT_TYPE).body(xml),
    }
}
