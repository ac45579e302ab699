//! What library pages cite (`library_links`: a page's latest revision → a post or another
//! page) and the pages a thread became (`library_pages.from_post_id`): written on every save,
//! read for "Linked from these pages" within what the reader may see.

use super::{
    communities::{in_scope, Scope},
    schema::{communities, community_members, library_links, library_pages, posts},
    DbConn,
};
use crate::{domain::citations::Citation, domain::communities::Visibility, error::Result};
use diesel::prelude::*;

/// `library_links.target_kind` of a thread or an event.
pub const POST: &str = "post";
/// `library_links.target_kind` of a page.
pub const PAGE: &str = "page";

/// A page as a link to it: its community's name, its slug and title.
#[derive(Debug, Clone, Queryable)]
pub struct LinkedPage {
    pub community: String,
    pub slug: String,
    pub title: String,
}

/// The rows `citations` name that exist here (posts not deleted, pages of local communities),
/// as (kind, id); a page never cites itself. Two statements at most.
pub fn targets(
    conn: &mut DbConn,
    page_id: i64,
    citations: &[Citation],
) -> Result<Vec<(&'static str, i64)>> {
    let post_ids: Vec<i64> = citations
        .iter()
        .filter_map(|c| match c {
            Citation::Post(id) => Some(*id),
            Citation::Page { .. } => None,
        })
        .collect();
    let mut out: Vec<(&'static str, i64)> = Vec::new();
    if !post_ids.is_empty() {
        let found: Vec<i64> = posts::table
            .filter(posts::id.eq_any(&post_ids))
            .filter(posts::deleted.eq(false))
            .select(posts::id)
            .load(conn)?;
        out.extend(
            post_ids
                .iter()
                .filter(|id| found.contains(id))
                .map(|id| (POST, *id)),
        );
    }
    let pages: Vec<(&str, &str)> = citations
        .iter()
        .filter_map(|c| match c {
            Citation::Page { community, slug } => Some((community.as_str(), slug.as_str())),
            Citation::Post(_) => None,
        })
        .collect();
    if !pages.is_empty() {
        let slugs: Vec<&str> = pages.iter().map(|(_, s)| *s).collect();
        let found: Vec<(i64, String, String)> = library_pages::table
            .inner_join(communities::table)
            .filter(communities::local.eq(true))
            .filter(library_pages::slug.eq_any(&slugs))
            .select((library_pages::id, communities::name, library_pages::slug))
            .load(conn)?;
        for (community, slug) in pages {
            let hit = found.iter().find(|(_, c, s)| c == community && s == slug);
            if let Some((id, _, _)) = hit.filter(|(id, _, _)| *id != page_id) {
                out.push((PAGE, *id));
            }
        }
    }
    Ok(out)
}

/// Replaces what page `page_id` cites with `targets` (as `targets` found them).
pub fn set(conn: &mut DbConn, page_id: i64, targets: &[(&'static str, i64)]) -> Result<()> {
    let had: Vec<(String, i64)> = library_links::table
        .filter(library_links::page_id.eq(page_id))
        .select((library_links::target_kind, library_links::target_id))
        .load(conn)?;
    for (kind, id) in &had {
        if !targets.iter().any(|(k, i)| k == kind && i == id) {
            diesel::delete(library_links::table.find((page_id, kind, id))).execute(conn)?;
        }
    }
    for (kind, id) in targets {
        if !had.iter().any(|(k, i)| k == kind && i == id) {
            diesel::insert_into(library_links::table)
                .values((
                    library_links::page_id.eq(page_id),
                    library_links::target_kind.eq(*kind),
                    library_links::target_id.eq(*id),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The pages, of communities within `scope`, that cite (kind, id), by title. One statement.
pub fn linked_from(
    conn: &mut DbConn,
    kind: &str,
    id: i64,
    scope: Scope,
) -> Result<Vec<LinkedPage>> {
    let query = library_links::table
        .inner_join(library_pages::table.inner_join(communities::table))
        .filter(library_links::target_kind.eq(kind))
        .filter(library_links::target_id.eq(id))
        .filter(communities::local.eq(true))
        .into_boxed();
    Ok(in_scope!(query, scope)
        .select((communities::name, library_pages::slug, library_pages::title))
        .order((library_pages::title, library_pages::id))
        .limit(100)
        .load(conn)?)
}

/// The pages, of communities within `scope`, made from thread `post_id` and those citing it
/// (a page made from it is listed once, as made from it). One statement.
pub fn of_post(
    conn: &mut DbConn,
    post_id: i64,
    scope: Scope,
) -> Result<(Vec<LinkedPage>, Vec<LinkedPage>)> {
    let citing = library_links::table
        .filter(library_links::target_kind.eq(POST))
        .filter(library_links::target_id.eq(post_id))
        .select(library_links::page_id);
    let query = library_pages::table
        .inner_join(communities::table)
        .filter(
            library_pages::from_post_id
                .eq(post_id)
                .or(library_pages::id.eq_any(citing)),
        )
        .filter(communities::local.eq(true))
        .into_boxed();
    let found: Vec<(Option<i64>, String, String, String)> = in_scope!(query, scope)
        .select((
            library_pages::from_post_id,
            communities::name,
            library_pages::slug,
            library_pages::title,
        ))
        .order((library_pages::title, library_pages::id))
        .limit(100)
        .load(conn)?;
    let (mut became, mut citing) = (Vec::new(), Vec::new());
    for (from, community, slug, title) in found {
        let page = LinkedPage {
            community,
            slug,
            title,
        };
        if from == Some(post_id) {
            became.push(page);
        } else {
            citing.push(page);
        }
    }
    Ok((became, citing))
}

/// Pages by id, with their community's name, in the order of `ids`. One statement.
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<LinkedPage>> {
    let found: Vec<(i64, String, String, String)> = library_pages::table
        .inner_join(communities::table)
        .filter(library_pages::id.eq_any(ids))
        .select((
            library_pages::id,
            communities::name,
            library_pages::slug,
            library_pages::title,
        ))
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|f| f.0 == *id))
        .map(|(_, community, slug, title)| LinkedPage {
            community: community.clone(),
            slug: slug.clone(),
            title: title.clone(),
        })
        .collect())
}

/// Pages (id, text) whose text holds `address` (a page's path): those that may cite a page
/// made after them. At most 200; the caller reads each text's citations exactly.
pub fn mentioning(conn: &mut DbConn, address: &str) -> Result<Vec<(i64, String)>> {
    let pattern = format!(
        "%{}%",
        address
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(library_pages::table
        .filter(library_pages::body_md.like(pattern).escape('\\'))
        .select((library_pages::id, library_pages::body_md))
        .order(library_pages::id)
        .limit(200)
        .load(conn)?)
}
