//! The library's resources (`library_resources`): links and files a community keeps, each with
//! who added it and the page it belongs to, if any. A file's bytes are on disk (`crate::files`);
//! its row names them by SHA-256.

use super::{
    schema::{library_files, library_pages, library_resources, persons},
    DbConn,
};
use crate::error::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// `kind` of a link.
pub const LINK: &str = "link";
/// `kind` of a file.
pub const FILE: &str = "file";

/// A resource as shown: its row, its page and who added it.
#[derive(Debug, Clone, Queryable)]
pub struct Resource {
    pub id: i64,
    pub community_id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub url: Option<String>,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub created_at: NaiveDateTime,
    pub added_by: i64,
    pub adder_name: String,
    pub adder_ap_id: String,
    pub adder_local: bool,
    pub page_slug: Option<String>,
    pub page_title: Option<String>,
}

/// What a new resource holds (`url` for a link; the file's four for a file).
#[derive(Insertable)]
#[diesel(table_name = library_resources)]
pub struct NewResource<'a> {
    pub community_id: i64,
    pub page_id: Option<i64>,
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub url: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub file_name: Option<&'a str>,
    pub media_type: Option<&'a str>,
    pub size_bytes: Option<i64>,
    pub added_by: i64,
    pub created_at: NaiveDateTime,
}

/// The most a list shows.
pub const LIST_LIMIT: i64 = 1_000;

/// The selected columns, in `Row`'s order.
macro_rules! columns {
    () => {
        (
            (
                library_resources::id,
                library_resources::community_id,
                library_resources::kind,
                library_resources::title,
                library_resources::description,
                library_resources::url,
                library_resources::sha256,
                library_resources::file_name,
                library_resources::media_type,
                library_resources::size_bytes,
                library_resources::created_at,
                library_resources::added_by,
            ),
            (persons::name, persons::ap_id, persons::local),
            (
                library_pages::slug.nullable(),
                library_pages::title.nullable(),
            ),
        )
    };
}

type Row = (
    (
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        NaiveDateTime,
        i64,
    ),
    (String, String, bool),
    (Option<String>, Option<String>),
);

fn resource(row: Row) -> Resource {
    let (
        (
            id,
            community_id,
            kind,
            title,
            description,
            url,
            sha256,
            file_name,
            media_type,
            size_bytes,
            created_at,
            added_by,
        ),
        (adder_name, adder_ap_id, adder_local),
        (page_slug, page_title),
    ) = row;
    Resource {
        id,
        community_id,
        kind,
        title,
        description,
        url,
        sha256,
        file_name,
        media_type,
        size_bytes,
        created_at,
        added_by,
        adder_name,
        adder_ap_id,
        adder_local,
        page_slug,
        page_title,
    }
}

macro_rules! joined {
    () => {
        library_resources::table
            .inner_join(persons::table.on(persons::id.eq(library_resources::added_by)))
            .left_join(
                library_pages::table
                    .on(library_pages::id.nullable().eq(library_resources::page_id)),
            )
    };
}

/// A community's resources, newest first (at most `LIST_LIMIT`): one statement.
pub fn of_community(conn: &mut DbConn, community_id: i64) -> Result<Vec<Resource>> {
    let rows: Vec<Row> = joined!()
        .filter(library_resources::community_id.eq(community_id))
        .order(library_resources::id.desc())
        .limit(LIST_LIMIT)
        .select(columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(resource).collect())
}

/// A page's resources, oldest first: one statement.
pub fn of_page(conn: &mut DbConn, page_id: i64) -> Result<Vec<Resource>> {
    let rows: Vec<Row> = joined!()
        .filter(library_resources::page_id.eq(page_id))
        .order(library_resources::id.asc())
        .limit(LIST_LIMIT)
        .select(columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(resource).collect())
}

/// One resource of a community.
pub fn by_id(conn: &mut DbConn, community_id: i64, id: i64) -> Result<Option<Resource>> {
    let row: Option<Row> = joined!()
        .filter(library_resources::id.eq(id))
        .filter(library_resources::community_id.eq(community_id))
        .select(columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(resource))
}

/// Stores a resource; its id (read back in the caller's transaction: the newest row its adder
/// has in the community).
pub fn insert(conn: &mut DbConn, new: &NewResource) -> Result<i64> {
    diesel::insert_into(library_resources::table)
        .values(new)
        .execute(conn)?;
    Ok(library_resources::table
        .filter(library_resources::community_id.eq(new.community_id))
        .filter(library_resources::added_by.eq(new.added_by))
        .order(library_resources::id.desc())
        .select(library_resources::id)
        .first(conn)?)
}

/// Deletes a resource; whether it was there.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<bool> {
    let n = diesel::delete(library_resources::table.filter(library_resources::id.eq(id)))
        .execute(conn)?;
    Ok(n > 0)
}

/// Takes the file row of these bytes (made if new), locking it until the transaction ends, so
/// that a removal of the same bytes waits (or is waited for).
pub fn take_file(conn: &mut DbConn, sha256: &str, size: i64, at: NaiveDateTime) -> Result<()> {
    let insert = diesel::insert_into(library_files::table).values((
        library_files::sha256.eq(sha256),
        library_files::size_bytes.eq(size),
        library_files::created_at.eq(at),
    ));
    let touch = library_files::size_bytes.eq(size);
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict(library_files::sha256)
            .do_update()
            .set(touch)
            .execute(pg)?,
        DbConn::Sqlite(lite) => insert
            .on_conflict(library_files::sha256)
            .do_update()
            .set(touch)
            .execute(lite)?,
    };
    Ok(())
}

/// Drops the file row of these bytes when no resource names them any more; whether it did
/// (the caller then removes the file, inside the same transaction).
pub fn release_file(conn: &mut DbConn, sha256: &str) -> Result<bool> {
    // On PostgreSQL the row is locked first, in a statement of its own: the check below then
    // runs on a snapshot taken after any upload holding the row has committed (a subquery in
    // the `DELETE` itself would still see the older snapshot).
    if let DbConn::Pg(pg) = conn {
        let _: Vec<String> = library_files::table
            .filter(library_files::sha256.eq(sha256))
            .select(library_files::sha256)
            .for_update()
            .load(pg)?;
    }
    let used = library_resources::table.filter(library_resources::sha256.eq(sha256));
    let n = diesel::delete(
        library_files::table
            .filter(library_files::sha256.eq(sha256))
            .filter(diesel::dsl::not(diesel::dsl::exists(used))),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// File rows no resource names (left by an interrupted removal), at most `limit`.
pub fn unused_files(conn: &mut DbConn, limit: i64) -> Result<Vec<String>> {
    let used = library_resources::table
        .filter(library_resources::sha256.eq(library_files::sha256.nullable()));
    Ok(library_files::table
        .filter(diesel::dsl::not(diesel::dsl::exists(used)))
        .select(library_files::sha256)
        .limit(limit)
        .load(conn)?)
}
