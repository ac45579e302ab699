//! The community's library: pages (`library_pages`, each as its latest revision left it), their
//! revisions (`library_revisions`, numbered per page), who may edit (`library_settings`) and the
//! named editors (`library_editors`), and what each page cites (`library_links`).

use super::{
    schema::{library_editors, library_pages, library_revisions, library_settings, persons},
    DbConn,
};
use crate::{domain::library::EditBy, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A page as its latest revision left it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = library_pages)]
pub struct Page {
    pub id: i64,
    pub community_id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub ap_id: String,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    /// The latest revision's number.
    pub revision: i64,
    pub last_editor_id: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The thread it was made from.
    pub from_post_id: Option<i64>,
}

/// A page in the tree of a library.
#[derive(Debug, Clone, Queryable)]
pub struct PageLine {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub updated_at: NaiveDateTime,
}

/// One revision, in full.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = library_revisions)]
pub struct Revision {
    pub id: i64,
    pub page_id: i64,
    pub number: i64,
    pub author_id: i64,
    pub title: String,
    pub body_md: String,
    pub summary: String,
    pub restored_from: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// One revision in a page's history: who, when, why (without its text).
#[derive(Debug, Clone, Queryable)]
pub struct RevisionLine {
    pub number: i64,
    pub author_name: String,
    pub author_ap_id: String,
    pub author_local: bool,
    pub summary: String,
    pub restored_from: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A page's values for an insert or a new revision.
pub struct PageWrite<'a> {
    pub title: &'a str,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub summary: &'a str,
    pub restored_from: Option<i64>,
    pub editor_id: i64,
    pub at: NaiveDateTime,
}

/// Who may edit a community's pages (members, when never set).
pub fn edit_by(conn: &mut DbConn, community_id: i64) -> Result<EditBy> {
    let stored: Option<String> = library_settings::table
        .find(community_id)
        .select(library_settings::edit_by)
        .first(conn)
        .optional()?;
    Ok(stored
        .as_deref()
        .and_then(EditBy::parse)
        .unwrap_or(EditBy::Members))
}

/// Sets who may edit, and the named editors (replacing those named before).
pub fn set_rights(
    conn: &mut DbConn,
    community_id: i64,
    edit_by: EditBy,
    editors: &[i64],
) -> Result<()> {
    let updated = diesel::update(library_settings::table.find(community_id))
        .set(library_settings::edit_by.eq(edit_by.as_str()))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(library_settings::table)
            .values((
                library_settings::community_id.eq(community_id),
                library_settings::edit_by.eq(edit_by.as_str()),
            ))
            .execute(conn)?;
    }
    diesel::delete(library_editors::table.filter(library_editors::community_id.eq(community_id)))
        .execute(conn)?;
    for person_id in editors {
        diesel::insert_into(library_editors::table)
            .values((
                library_editors::community_id.eq(community_id),
                library_editors::person_id.eq(person_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The named editors' names, by name.
pub fn editors(conn: &mut DbConn, community_id: i64) -> Result<Vec<String>> {
    Ok(library_editors::table
        .inner_join(persons::table)
        .filter(library_editors::community_id.eq(community_id))
        .select(persons::name)
        .order(persons::name)
        .load(conn)?)
}

pub fn is_editor(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    let n: i64 = library_editors::table
        .filter(library_editors::community_id.eq(community_id))
        .filter(library_editors::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every page of a community (for its tree), by title.
pub fn pages(conn: &mut DbConn, community_id: i64) -> Result<Vec<PageLine>> {
    Ok(library_pages::table
        .filter(library_pages::community_id.eq(community_id))
        .select((
            library_pages::id,
            library_pages::parent_id,
            library_pages::slug,
            library_pages::title,
            library_pages::updated_at,
        ))
        .order((library_pages::title, library_pages::id))
        .load(conn)?)
}

pub fn by_slug(conn: &mut DbConn, community_id: i64, slug: &str) -> Result<Option<Page>> {
    Ok(library_pages::table
        .filter(library_pages::community_id.eq(community_id))
        .filter(library_pages::slug.eq(slug))
        .select(Page::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Result<Option<Page>> {
    Ok(library_pages::table
        .find(id)
        .select(Page::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts a page with its first revision; returns it.
pub fn insert(
    conn: &mut DbConn,
    community_id: i64,
    parent_id: Option<i64>,
    slug: &str,
    ap_id: &str,
    from_post_id: Option<i64>,
    w: &PageWrite,
) -> Result<Page> {
    let at = (community_id, parent_id, slug, ap_id);
    insert_numbered(conn, at, from_post_id, 1, w)
}

/// Inserts a page whose first known revision is `number` (a remote page first seen at a later
/// revision); `at` is its community, section, slug and ActivityPub id.
pub fn insert_numbered(
    conn: &mut DbConn,
    at: (i64, Option<i64>, &str, &str),
    from_post_id: Option<i64>,
    number: i64,
    w: &PageWrite,
) -> Result<Page> {
    let (community_id, parent_id, slug, ap_id) = at;
    diesel::insert_into(library_pages::table)
        .values((
            library_pages::community_id.eq(community_id),
            library_pages::from_post_id.eq(from_post_id),
            library_pages::parent_id.eq(parent_id),
            library_pages::slug.eq(slug),
            library_pages::ap_id.eq(ap_id),
            library_pages::title.eq(w.title),
            library_pages::body_md.eq(w.body_md),
            library_pages::body_html.eq(w.body_html),
            library_pages::revision.eq(number),
            library_pages::last_editor_id.eq(w.editor_id),
            library_pages::created_at.eq(w.at),
            library_pages::updated_at.eq(w.at),
        ))
        .execute(conn)?;
    let page = library_pages::table
        .filter(library_pages::ap_id.eq(ap_id))
        .select(Page::as_select())
        .first(conn)?;
    insert_revision(conn, page.id, number, w)?;
    Ok(page)
}

/// A page by its ActivityPub id.
pub fn by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Page>> {
    Ok(library_pages::table
        .filter(library_pages::ap_id.eq(ap_id))
        .select(Page::as_select())
        .first(conn)
        .optional()?)
}

/// Moves a remote page to revision `number` as its home announced it (revisions in between
/// are not known here).
pub fn keep_revision(conn: &mut DbConn, page_id: i64, number: i64, w: &PageWrite) -> Result<()> {
    diesel::update(library_pages::table.find(page_id))
        .set((
            library_pages::title.eq(w.title),
            library_pages::body_md.eq(w.body_md),
            library_pages::body_html.eq(w.body_html),
            library_pages::revision.eq(number),
            library_pages::last_editor_id.eq(w.editor_id),
            library_pages::updated_at.eq(w.at),
        ))
        .execute(conn)?;
    insert_revision(conn, page_id, number, w)
}

/// Saves revision `base + 1` of a page whose latest revision is `base`. False (nothing
/// written) when another save got there first.
pub fn save_revision(conn: &mut DbConn, page_id: i64, base: i64, w: &PageWrite) -> Result<bool> {
    let updated = diesel::update(
        library_pages::table
            .filter(library_pages::id.eq(page_id))
            .filter(library_pages::revision.eq(base)),
    )
    .set((
        library_pages::title.eq(w.title),
        library_pages::body_md.eq(w.body_md),
        library_pages::body_html.eq(w.body_html),
        library_pages::revision.eq(base + 1),
        library_pages::last_editor_id.eq(w.editor_id),
        library_pages::updated_at.eq(w.at),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    insert_revision(conn, page_id, base + 1, w)?;
    Ok(true)
}

fn insert_revision(conn: &mut DbConn, page_id: i64, number: i64, w: &PageWrite) -> Result<()> {
    diesel::insert_into(library_revisions::table)
        .values((
            library_revisions::page_id.eq(page_id),
            library_revisions::number.eq(number),
            library_revisions::author_id.eq(w.editor_id),
            library_revisions::title.eq(w.title),
            library_revisions::body_md.eq(w.body_md),
            library_revisions::summary.eq(w.summary),
            library_revisions::restored_from.eq(w.restored_from),
            library_revisions::created_at.eq(w.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page's history, newest first, at most `limit` revisions numbered below `before` (all when
/// None), with each author (one statement, from the `library_revisions_history` index: no texts).
pub fn history(
    conn: &mut DbConn,
    page_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<RevisionLine>> {
    Ok(library_revisions::table
        .inner_join(persons::table)
        .filter(library_revisions::page_id.eq(page_id))
        .filter(library_revisions::number.lt(before.unwrap_or(i64::MAX)))
        .select((
            library_revisions::number,
            persons::name,
            persons::ap_id,
            persons::local,
            library_revisions::summary,
            library_revisions::restored_from,
            library_revisions::created_at,
        ))
        .order(library_revisions::number.desc())
        .limit(limit)
        .load(conn)?)
}

/// Revisions `numbers` of a page, in full (one statement), in the order asked.
pub fn revisions(conn: &mut DbConn, page_id: i64, numbers: &[i64]) -> Result<Vec<Revision>> {
    let found: Vec<Revision> = library_revisions::table
        .filter(library_revisions::page_id.eq(page_id))
        .filter(library_revisions::number.eq_any(numbers))
        .select(Revision::as_select())
        .load(conn)?;
    Ok(numbers
        .iter()
        .filter_map(|n| found.iter().find(|r| r.number == *n).cloned())
        .collect())
}
