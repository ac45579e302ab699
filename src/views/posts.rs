//! Posts as readers see them: a page of a community's posts (sorted, cursor-paged) and one post,
//! each with its author, community and comment count. A page is two statements whatever its
//! length (`db::posts::community_posts`: its own threads, then those shared into it), and the other communities its threads are in ("also
//! in", [`also_in`]) one more; the access check is the caller's.

use crate::{
    db::{
        posts::{self, ListedPost, PostOrder},
        shares::{self, SharedIn},
        DbConn,
    },
    error::{Error, Result},
};

/// A page of posts and where the next one starts.
pub struct Page {
    pub posts: Vec<ListedPost>,
    /// Given when more posts follow: pass it back as [`parse_cursor`] reads it.
    pub next_cursor: Option<String>,
}

/// The `limit` posts of a community after `after` in `order` (deleted ones left out).
pub fn community_page(
    conn: &mut DbConn,
    community_id: i64,
    order: PostOrder,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Page> {
    let mut posts = posts::community_posts(conn, community_id, order, after, limit + 1)?;
    let next_cursor = if posts.len() as i64 > limit {
        posts.truncate(limit as usize);
        posts.last().map(|last| {
            let (key, id) = order.cursor(&last.post);
            format!("{key}_{id}")
        })
    } else {
        None
    };
    Ok(Page { posts, next_cursor })
}

/// A cursor is `key_id` of the last post of the previous page (see `PostOrder::cursor`).
pub fn parse_cursor(cursor: &str) -> Result<(i64, i64)> {
    cursor
        .split_once('_')
        .and_then(|(key, id)| Some((key.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| Error::invalid_field("cursor", "not a cursor returned by this API"))
}

/// One post as a listing shows it (one statement).
pub fn post(conn: &mut DbConn, id: i64) -> Result<ListedPost> {
    posts::listed_post(conn, id)?.ok_or_else(|| Error::not_found(format_args!("post {id}")))
}

/// The communities each thread of a listing is shared into besides its home, by post id.
pub type AlsoIn = std::collections::HashMap<i64, Vec<SharedIn>>;

/// "Also in" for the threads `posts` of a listing: one statement for all of them, none when there
/// are none.
pub fn also_in<'a>(
    conn: &mut DbConn,
    posts: impl IntoIterator<Item = &'a ListedPost>,
) -> Result<AlsoIn> {
    let ids: Vec<i64> = posts.into_iter().map(|l| l.post.id).collect();
    let mut found = AlsoIn::new();
    if ids.is_empty() {
        return Ok(found);
    }
    for (post_id, community) in shares::also_in_many(conn, &ids)? {
        found.entry(post_id).or_default().push(community);
    }
    Ok(found)
}
