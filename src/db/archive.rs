//! What a community archive reads (a community's threads, replies and their authors) and
//! writes (the imported threads and replies under their original ids, and their authors as the
//! remote people they now are).

use super::{
    accounts::{person_by_ap_id, NewPerson, Person},
    posts::{insert_comment, insert_post, Comment, NewComment, NewPost, Post},
    schema::{comments, persons, posts},
    DbConn,
};
use crate::{
    domain::{archive::ArchivedPerson, content},
    error::{Error, Result},
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The ids bound in one `IN (...)`: well under either engine's limit on parameters.
const CHUNK: usize = 1000;

/// A community's threads that are neither deleted nor removed, oldest first, and all their
/// replies (the caller leaves out the deleted and removed ones, keeping the tree), oldest first.
pub fn community_content(
    conn: &mut DbConn,
    community_id: i64,
) -> Result<(Vec<Post>, Vec<Comment>)> {
    let threads: Vec<Post> = posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .order((posts::published.asc(), posts::id.asc()))
        .select(Post::as_select())
        .load(conn)?;
    let mut replies = Vec::new();
    for ids in threads
        .iter()
        .map(|p| p.id)
        .collect::<Vec<_>>()
        .chunks(CHUNK)
    {
        let some: Vec<Comment> = comments::table
            .filter(comments::post_id.eq_any(ids))
            .order((comments::published.asc(), comments::id.asc()))
            .select(Comment::as_select())
            .load(conn)?;
        replies.extend(some);
    }
    replies.sort_by_key(|c| (c.published, c.id));
    Ok((threads, replies))
}

/// The people with these ids.
pub fn people(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Person>> {
    let mut found = Vec::new();
    for ids in ids.chunks(CHUNK) {
        found.extend(super::accounts::persons_by_ids(conn, ids)?);
    }
    Ok(found)
}

/// The person stored under this id, or a new remote person made from the archive's record of
/// them (never refreshing a stored one from an archive). A new one has no key and counts as
/// never refreshed: the first signed activity from them fetches their actor (and key) from their
/// server, and until that succeeds no signature of theirs verifies.
pub fn person_for(conn: &mut DbConn, p: &ArchivedPerson) -> Result<Person> {
    if let Some(stored) = person_by_ap_id(conn, &p.ap_id)? {
        return Ok(stored);
    }
    let long_ago = chrono::DateTime::UNIX_EPOCH.naive_utc();
    let display_name = p.display_name.as_deref().map(|d| {
        content::html_to_text(d)
            .chars()
            .take(100)
            .collect::<String>()
    });
    diesel::insert_into(persons::table)
        .values(&NewPerson {
            ap_id: &p.ap_id,
            name: &p.name,
            display_name: display_name.as_deref(),
            summary_md: None,
            summary_html: None,
            inbox_url: &p.inbox_url,
            shared_inbox_url: None,
            public_key: "",
            private_key: None,
            local: false,
            published: long_ago,
            updated: None,
            last_refreshed_at: long_ago,
        })
        .execute(conn)?;
    person_by_ap_id(conn, &p.ap_id)?.ok_or_else(|| Error::not_found("person"))
}

/// What an imported post or reply keeps besides its content.
pub struct Kept {
    pub updated: Option<NaiveDateTime>,
    pub score: i64,
    pub locked: bool,
    pub pinned: bool,
}

/// Stores an imported thread's post under its original id.
pub fn import_post(conn: &mut DbConn, p: &NewPost<'_>, kept: &Kept) -> Result<Post> {
    let post = insert_post(conn, p, "")?;
    diesel::update(posts::table.find(post.id))
        .set((
            posts::updated.eq(kept.updated),
            posts::score.eq(kept.score),
            posts::locked.eq(kept.locked),
            posts::pinned.eq(kept.pinned),
        ))
        .execute(conn)?;
    Ok(post)
}

/// Stores an imported reply under its original id.
pub fn import_comment(conn: &mut DbConn, c: &NewComment<'_>, kept: &Kept) -> Result<Comment> {
    let comment = insert_comment(conn, c, "")?;
    diesel::update(comments::table.find(comment.id))
        .set((
            comments::updated.eq(kept.updated),
            comments::score.eq(kept.score),
        ))
        .execute(conn)?;
    Ok(comment)
}

/// A thread this instance stored as part of the archive's old community (it followed it) becomes
/// the imported community's.
pub fn adopt_post(conn: &mut DbConn, post_id: i64, community_id: i64) -> Result<()> {
    diesel::update(posts::table.find(post_id))
        .set(posts::community_id.eq(community_id))
        .execute(conn)?;
    Ok(())
}
