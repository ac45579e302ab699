//! `/search?q=&page=`: the threads and communities whose words match, best first, 20 of each a
//! page (`views::search`, within what the read gate lets the reader see); remote communities
//! and threads in them are marked. The page header's search box comes here.

use super::{
    community::{path_of, ThreadLine},
    frame::Frame,
    html,
};
use crate::{
    context::AppContext,
    domain::names::{handle, instance_of},
    error::Error,
    views::search::{search, MAX_PAGE},
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

/// How much of a thread's body a result quotes.
const EXCERPT_CHARS: usize = 200;

#[derive(Template)]
#[template(path = "search.html", config = "src/web/askama.toml")]
struct SearchPage {
    frame: Frame,
    q: String,
    communities: Vec<CommunityHit>,
    threads: Vec<ThreadHit>,
    /// Library pages: community name, slug, title.
    pages: Vec<crate::db::library_links::LinkedPage>,
    previous: Option<String>,
    next: Option<String>,
}

struct CommunityHit {
    path: String,
    handle: String,
    title: String,
    domain: String,
    remote: bool,
}

struct ThreadHit {
    t: ThreadLine,
    excerpt: String,
    remote: bool,
}

/// `?q=` and `?page=` (1-based; out of range or unreadable is the first page).
#[derive(serde::Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
}

/// The first `EXCERPT_CHARS` characters of a body, on one line.
fn excerpt(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

pub async fn page(
    ctx: web::Data<AppContext>,
    frame: Frame,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, Error> {
    let SearchQuery { q, page } = query.into_inner();
    let page = page
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .unwrap_or(1);
    let found = search(&ctx, &frame.viewer(), &q, page).await?;
    let host = &ctx.settings().hostname;
    let link = |page: i64| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &q)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/search?{query}")
    };
    let search_page = SearchPage {
        communities: found
            .communities
            .iter()
            .map(|c| {
                let handle = handle(&c.name, &c.ap_id, host);
                CommunityHit {
                    path: path_of(&handle, host),
                    handle,
                    title: c.title.clone(),
                    domain: c.domain.clone(),
                    remote: !c.local,
                }
            })
            .collect(),
        threads: found
            .threads
            .into_iter()
            .map(|l| ThreadHit {
                excerpt: excerpt(&l.post.body_md),
                remote: instance_of(&l.community.ap_id).as_deref() != Some(host.as_str()),
                t: ThreadLine::of(l, host),
            })
            .collect(),
        pages: found.pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (found.more && page < MAX_PAGE).then(|| link(page + 1)),
        frame,
        q,
    };
    html(StatusCode::OK, &search_page)
}
