//! Search (`/search` and `/api/v1/search`): the threads, communities and library pages whose
//! words match, best
//! first, a page at a time, within what the read gate lets the viewer see (private content
//! only to its members; remote communities known here included).

use super::gate::Viewer;
use crate::{
    context::AppContext,
    db::{self, communities::Community, library_links::LinkedPage, posts::ListedPost},
    domain::search::Terms,
    error::{Error, Result},
};

/// Threads, and communities, per page.
pub const PER_PAGE: i64 = 20;
/// Pages beyond this are not served (results that far down are not worth ranking).
pub const MAX_PAGE: i64 = 50;

/// One page of results.
pub struct Found {
    pub communities: Vec<Community>,
    pub threads: Vec<ListedPost>,
    /// Library pages of local communities.
    pub pages: Vec<LinkedPage>,
    /// Whether a next page has more of either.
    pub more: bool,
}

/// Page `page` (1-based, at most `MAX_PAGE`: 400 `invalid_field` "page" otherwise) of what
/// `text` finds for `viewer`. Text without a word finds nothing.
pub async fn search(ctx: &AppContext, viewer: &Viewer, text: &str, page: i64) -> Result<Found> {
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(Error::invalid_field(
            "page",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    let terms = Terms::parse(text);
    let scope = ctx.gate().scope(viewer);
    let offset = (page - 1) * PER_PAGE;
    ctx.db(move |conn| {
        let mut community_ids = db::search::communities(conn, &terms, scope, PER_PAGE + 1, offset)?;
        let mut thread_ids = db::search::threads(conn, &terms, scope, PER_PAGE + 1, offset)?;
        let mut page_ids = db::search::pages(conn, &terms, scope, PER_PAGE + 1, offset)?;
        let more = [community_ids.len(), thread_ids.len(), page_ids.len()]
            .iter()
            .any(|n| *n as i64 > PER_PAGE);
        community_ids.truncate(PER_PAGE as usize);
        thread_ids.truncate(PER_PAGE as usize);
        page_ids.truncate(PER_PAGE as usize);
        Ok(Found {
            communities: db::communities::by_ids(conn, &community_ids)?,
            threads: db::posts::listed_posts(conn, &thread_ids)?,
            pages: db::library_links::by_ids(conn, &page_ids)?,
            more,
        })
    })
    .await
}
