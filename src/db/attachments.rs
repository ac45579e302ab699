//! What received objects carry in `attachment` (`received_attachments`): a post's, a reply's
//! (filed under its thread too, so that one statement reads a whole thread's) or a remote
//! library page's links, in the order they came. Written with the object, replaced with it.

use super::{
    schema::{comments, posts, received_attachments as ra},
    DbConn,
};
use crate::{domain::attachments::Attachment, error::Result};
use diesel::prelude::*;
use std::collections::HashMap;

/// Whose attachments.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Post(i64),
    /// A reply, with its thread's post.
    Comment {
        post_id: i64,
        comment_id: i64,
    },
    Page(i64),
}

/// A thread's attachments: the post's, and each reply's by its id.
#[derive(Debug, Default)]
pub struct ThreadAttachments {
    pub post: Vec<Attachment>,
    pub comments: HashMap<i64, Vec<Attachment>>,
}

#[derive(Insertable)]
#[diesel(table_name = ra)]
struct NewAttachment<'a> {
    post_id: Option<i64>,
    comment_id: Option<i64>,
    page_id: Option<i64>,
    position: i32,
    url: &'a str,
    name: &'a str,
    media_type: &'a str,
}

/// Puts `list` in place of what `owner` had.
pub fn replace(conn: &mut DbConn, owner: Owner, list: &[Attachment]) -> Result<()> {
    forget(conn, owner)?;
    add(conn, owner, list)
}

/// Stores the attachments of an owner just inserted (which has none yet).
pub fn add(conn: &mut DbConn, owner: Owner, list: &[Attachment]) -> Result<()> {
    let (post_id, comment_id, page_id) = match owner {
        Owner::Post(id) => (Some(id), None, None),
        Owner::Comment {
            post_id,
            comment_id,
        } => (Some(post_id), Some(comment_id), None),
        Owner::Page(id) => (None, None, Some(id)),
    };
    // One statement each: diesel has no batch insert over both engines at once (at most
    // `MAX_ATTACHMENTS` rows).
    for (a, position) in list.iter().zip(0..) {
        let row = NewAttachment {
            post_id,
            comment_id,
            page_id,
            position,
            url: &a.url,
            name: &a.name,
            media_type: &a.media_type,
        };
        diesel::insert_into(ra::table).values(&row).execute(conn)?;
    }
    Ok(())
}

/// Removes what `owner` had.
pub fn forget(conn: &mut DbConn, owner: Owner) -> Result<()> {
    match owner {
        Owner::Post(id) => diesel::delete(
            ra::table
                .filter(ra::post_id.eq(id))
                .filter(ra::comment_id.is_null()),
        )
        .execute(conn)?,
        Owner::Comment { comment_id, .. } => {
            diesel::delete(ra::table.filter(ra::comment_id.eq(comment_id))).execute(conn)?
        }
        Owner::Page(id) => diesel::delete(ra::table.filter(ra::page_id.eq(id))).execute(conn)?,
    };
    Ok(())
}

/// Removes the attachments of the post or reply `ap_id` (its author deleted it): one statement.
pub fn forget_object(conn: &mut DbConn, ap_id: &str) -> Result<()> {
    let post = posts::table
        .filter(posts::ap_id.eq(ap_id))
        .select(posts::id.nullable());
    let comment = comments::table
        .filter(comments::ap_id.eq(ap_id))
        .select(comments::id.nullable());
    diesel::delete(
        ra::table.filter(
            ra::comment_id
                .is_null()
                .and(ra::post_id.eq_any(post))
                .or(ra::comment_id.eq_any(comment)),
        ),
    )
    .execute(conn)?;
    Ok(())
}

type Row = (Option<i64>, String, String, String);

fn attachment((_, url, name, media_type): Row) -> Attachment {
    Attachment {
        url,
        name,
        media_type,
    }
}

/// A post's own attachments, in order.
pub fn of_post(conn: &mut DbConn, post_id: i64) -> Result<Vec<Attachment>> {
    let rows: Vec<Row> = ra::table
        .filter(ra::post_id.eq(post_id))
        .filter(ra::comment_id.is_null())
        .order(ra::position)
        .select((ra::comment_id, ra::url, ra::name, ra::media_type))
        .load(conn)?;
    Ok(rows.into_iter().map(attachment).collect())
}

/// A thread's attachments, the post's and every reply's, in one statement.
pub fn of_thread(conn: &mut DbConn, post_id: i64) -> Result<ThreadAttachments> {
    let rows: Vec<Row> = ra::table
        .filter(ra::post_id.eq(post_id))
        .order((ra::comment_id, ra::position))
        .select((ra::comment_id, ra::url, ra::name, ra::media_type))
        .load(conn)?;
    let mut thread = ThreadAttachments::default();
    for row in rows {
        match row.0 {
            Some(comment) => thread
                .comments
                .entry(comment)
                .or_default()
                .push(attachment(row)),
            None => thread.post.push(attachment(row)),
        }
    }
    Ok(thread)
}

/// A remote library page's attachments, in order.
pub fn of_page(conn: &mut DbConn, page_id: i64) -> Result<Vec<Attachment>> {
    let rows: Vec<Row> = ra::table
        .filter(ra::page_id.eq(page_id))
        .order(ra::position)
        .select((ra::comment_id, ra::url, ra::name, ra::media_type))
        .load(conn)?;
    Ok(rows.into_iter().map(attachment).collect())
}
