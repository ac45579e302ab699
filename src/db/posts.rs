//! Posts and comments (`posts`, `comments`), local and remote.

use super::{
    communities::{in_scope, Community, Scope},
    now,
    schema::{comments, communities, community_members, persons, posts},
    DbConn, DbUrl,
};
use crate::{
    domain::communities::Visibility,
    error::{Error, Result},
};
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;

mod listing;

pub use listing::{
    community_posts, listed_post, listed_posts, newest, pinned_listed, ActorRef, ListedPost,
    Newest, PostOrder,
};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
    pub community_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub local: bool,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub locked: bool,
    pub deleted: bool,
    pub score: i64,
    pub pinned: bool,
    pub removed: bool,
    /// The newest comment's time, or the post's own before the first comment (`sort=active`).
    pub last_activity_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body_md: String,
    pub body_html: String,
    pub local: bool,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub deleted: bool,
    pub score: i64,
    pub removed: bool,
}

/// A new post's content; `ap_id` None for a local post (its id becomes `/post/{id}`).
pub struct NewPost<'a> {
    pub ap_id: Option<&'a str>,
    pub community_id: i64,
    pub author_id: i64,
    pub title: &'a str,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub published: Option<NaiveDateTime>,
}

/// Inserts a post; local posts get `{local_base}/post/{id}` as their id.
pub fn insert_post(conn: &mut DbConn, p: &NewPost<'_>, local_base: &str) -> Result<Post> {
    let placeholder = format!("urn:copse:pending:{}", uuid_like());
    let ap_id = p.ap_id.unwrap_or(&placeholder);
    let values = (
        posts::ap_id.eq(ap_id),
        posts::community_id.eq(p.community_id),
        posts::author_id.eq(p.author_id),
        posts::title.eq(p.title),
        posts::body_md.eq(p.body_md),
        posts::body_html.eq(p.body_html),
        posts::local.eq(p.ap_id.is_none()),
        posts::published.eq(p.published.unwrap_or_else(now)),
        posts::last_activity_at.eq(activity_time(p.published)),
        posts::locked.eq(false),
        posts::deleted.eq(false),
    );
    let insert = diesel::insert_into(posts::table);
    // One round trip: the row comes back with its id (`RETURNING`, both engines).
    let mut post: Post = match conn {
        DbConn::Pg(c) => insert
            .values(values)
            .returning(Post::as_returning())
            .get_result(c)?,
        DbConn::Sqlite(c) => insert
            .values(values)
            .returning(Post::as_returning())
            .get_result(c)?,
    };
    if p.ap_id.is_none() {
        let ap_id = format!("{local_base}/post/{}", post.id);
        diesel::update(posts::table.find(post.id))
            .set(posts::ap_id.eq(&ap_id))
            .execute(conn)?;
        post.ap_id = DbUrl(url::Url::parse(&ap_id)?);
    }
    Ok(post)
}

/// A new comment; `ap_id` None for a local comment (`/comment/{id}`).
pub struct NewComment<'a> {
    pub ap_id: Option<&'a str>,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub published: Option<NaiveDateTime>,
}

pub fn insert_comment(conn: &mut DbConn, c: &NewComment<'_>, local_base: &str) -> Result<Comment> {
    let placeholder = format!("urn:copse:pending:{}", uuid_like());
    let ap_id = c.ap_id.unwrap_or(&placeholder);
    let values = (
        comments::ap_id.eq(ap_id),
        comments::post_id.eq(c.post_id),
        comments::parent_id.eq(c.parent_id),
        comments::author_id.eq(c.author_id),
        comments::body_md.eq(c.body_md),
        comments::body_html.eq(c.body_html),
        comments::local.eq(c.ap_id.is_none()),
        comments::published.eq(c.published.unwrap_or_else(now)),
        comments::deleted.eq(false),
    );
    let insert = diesel::insert_into(comments::table);
    let mut comment: Comment = match conn {
        DbConn::Pg(conn) => insert
            .values(values)
            .returning(Comment::as_returning())
            .get_result(conn)?,
        DbConn::Sqlite(conn) => insert
            .values(values)
            .returning(Comment::as_returning())
            .get_result(conn)?,
    };
    if c.ap_id.is_none() {
        let ap_id = format!("{local_base}/comment/{}", comment.id);
        diesel::update(comments::table.find(comment.id))
            .set(comments::ap_id.eq(&ap_id))
            .execute(conn)?;
        comment.ap_id = DbUrl(url::Url::parse(&ap_id)?);
    }
    let at = activity_time(c.published);
    diesel::update(
        posts::table
            .find(c.post_id)
            .filter(posts::last_activity_at.lt(at)),
    )
    .set(posts::last_activity_at.eq(at))
    .execute(conn)?;
    Ok(comment)
}

/// When something published at `published` (None: now) counts as activity: never later than
/// now, so a remote clock ahead of ours cannot keep a thread on top of `sort=active`, and at
/// microsecond precision, as stored by both engines, so that cursors compare exactly.
fn activity_time(published: Option<NaiveDateTime>) -> NaiveDateTime {
    let now = now();
    published.map_or(now, |p| p.trunc_subsecs(6).min(now))
}

fn uuid_like() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    hex::encode(bytes)
}

pub fn post(conn: &mut DbConn, id: i64) -> Result<Option<Post>> {
    Ok(posts::table
        .find(id)
        .select(Post::as_select())
        .first(conn)
        .optional()?)
}

pub fn post_by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Post>> {
    Ok(posts::table
        .filter(posts::ap_id.eq(ap_id))
        .select(Post::as_select())
        .first(conn)
        .optional()?)
}

pub fn comment(conn: &mut DbConn, id: i64) -> Result<Option<Comment>> {
    Ok(comments::table
        .find(id)
        .select(Comment::as_select())
        .first(conn)
        .optional()?)
}

pub fn comment_by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Comment>> {
    Ok(comments::table
        .filter(comments::ap_id.eq(ap_id))
        .select(Comment::as_select())
        .first(conn)
        .optional()?)
}

/// A post or a comment: what an ActivityPub id names where either may come (a reply's parent, a
/// vote's object). `federation::objects::post` makes it the library's `Object`, as
/// `federation::objects::group` does for `Community`.
#[derive(Debug, Clone)]
pub enum PostOrComment {
    Post(Post),
    Comment(Comment),
}

impl PostOrComment {
    pub fn ap_id(&self) -> &DbUrl {
        match self {
            PostOrComment::Post(p) => &p.ap_id,
            PostOrComment::Comment(c) => &c.ap_id,
        }
    }

    /// The post whose thread it is in (itself, for a post).
    pub fn post_id(&self) -> i64 {
        match self {
            PostOrComment::Post(p) => p.id,
            PostOrComment::Comment(c) => c.post_id,
        }
    }
}

/// The stored post, or else comment, with this ActivityPub id.
pub fn post_or_comment(conn: &mut DbConn, ap_id: &str) -> Result<Option<PostOrComment>> {
    if let Some(post) = post_by_ap_id(conn, ap_id)? {
        return Ok(Some(PostOrComment::Post(post)));
    }
    Ok(comment_by_ap_id(conn, ap_id)?.map(PostOrComment::Comment))
}

/// The community a thread (a post, by local id) belongs to.
pub fn thread_community(conn: &mut DbConn, post_id: i64) -> Result<Community> {
    posts::table
        .inner_join(communities::table)
        .filter(posts::id.eq(post_id))
        .select(Community::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("post"))
}

/// All comments of a post, oldest first, with their authors.
pub fn post_comments(conn: &mut DbConn, post_id: i64) -> Result<Vec<(Comment, ActorRef)>> {
    // The author's name and id only: a whole person row (keys, profile, inboxes) for each of a
    // long thread's comments was most of what the statement carried.
    Ok(comments::table
        .inner_join(persons::table)
        .filter(comments::post_id.eq(post_id))
        .order(comments::id.asc())
        .select((Comment::as_select(), (persons::name, persons::ap_id)))
        .load(conn)?)
}

/// Local posts in public communities (NodeInfo never counts private ones).
pub fn count_local_posts(conn: &mut DbConn, scope: Scope) -> Result<i64> {
    let query = posts::table
        .inner_join(communities::table)
        .filter(posts::local.eq(true))
        .filter(posts::deleted.eq(false))
        .count()
        .into_boxed();
    Ok(in_scope!(query, scope).get_result(conn)?)
}

/// Local comments in public communities.
pub fn count_local_comments(conn: &mut DbConn, scope: Scope) -> Result<i64> {
    let query = comments::table
        .inner_join(posts::table.inner_join(communities::table))
        .filter(comments::local.eq(true))
        .filter(comments::deleted.eq(false))
        .count()
        .into_boxed();
    Ok(in_scope!(query, scope).get_result(conn)?)
}

/// Replaces a post's title and body and stamps `updated`.
pub fn edit_post(
    conn: &mut DbConn,
    id: i64,
    title: &str,
    body_md: &str,
    body_html: &str,
    updated: NaiveDateTime,
) -> Result<Post> {
    diesel::update(posts::table.find(id))
        .set((
            posts::title.eq(title),
            posts::body_md.eq(body_md),
            posts::body_html.eq(body_html),
            posts::updated.eq(Some(updated)),
        ))
        .execute(conn)?;
    post(conn, id)?.ok_or_else(|| Error::not_found("post"))
}

pub fn edit_comment(
    conn: &mut DbConn,
    id: i64,
    body_md: &str,
    body_html: &str,
    updated: NaiveDateTime,
) -> Result<Comment> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body_md.eq(body_md),
            comments::body_html.eq(body_html),
            comments::updated.eq(Some(updated)),
        ))
        .execute(conn)?;
    comment(conn, id)?.ok_or_else(|| Error::not_found("comment"))
}

/// Marks a post or comment deleted (its id then answers 410 with a Tombstone). The content is
/// cleared: a deletion is meant to remove it.
pub fn mark_deleted(conn: &mut DbConn, ap_id: &str) -> Result<bool> {
    super::attachments::forget_object(conn, ap_id)?;
    let posts_hit = diesel::update(posts::table.filter(posts::ap_id.eq(ap_id)))
        .set((
            posts::deleted.eq(true),
            posts::removed.eq(false),
            posts::body_md.eq(""),
            posts::body_html.eq(""),
        ))
        .execute(conn)?;
    let comments_hit = diesel::update(comments::table.filter(comments::ap_id.eq(ap_id)))
        .set((
            comments::deleted.eq(true),
            comments::removed.eq(false),
            comments::body_md.eq(""),
            comments::body_html.eq(""),
        ))
        .execute(conn)?;
    Ok(posts_hit + comments_hit > 0)
}

/// A moderator hides a post or comment (`removed`), keeping its content so that the removal
/// can be undone, or restores it; false if there is nothing to change. Content its author
/// deleted is never restored.
pub fn set_removed(conn: &mut DbConn, ap_id: &str, removed: bool) -> Result<bool> {
    let posts_hit = diesel::update(
        posts::table
            .filter(posts::ap_id.eq(ap_id))
            .filter(posts::removed.eq(!removed))
            .filter(posts::deleted.eq(!removed)),
    )
    .set((posts::deleted.eq(removed), posts::removed.eq(removed)))
    .execute(conn)?;
    let comments_hit = diesel::update(
        comments::table
            .filter(comments::ap_id.eq(ap_id))
            .filter(comments::removed.eq(!removed))
            .filter(comments::deleted.eq(!removed)),
    )
    .set((comments::deleted.eq(removed), comments::removed.eq(removed)))
    .execute(conn)?;
    Ok(posts_hit + comments_hit > 0)
}

/// Locks or unlocks a thread; false if there is no such post.
pub fn set_locked(conn: &mut DbConn, ap_id: &str, locked: bool) -> Result<bool> {
    let n = diesel::update(posts::table.filter(posts::ap_id.eq(ap_id)))
        .set(posts::locked.eq(locked))
        .execute(conn)?;
    Ok(n > 0)
}

/// Pins or unpins a post; false if there is no such post.
pub fn set_pinned(conn: &mut DbConn, ap_id: &str, pinned: bool) -> Result<bool> {
    let n = diesel::update(posts::table.filter(posts::ap_id.eq(ap_id)))
        .set(posts::pinned.eq(pinned))
        .execute(conn)?;
    Ok(n > 0)
}

/// A community's pinned posts, newest first.
pub fn pinned_posts(conn: &mut DbConn, community_id: i64) -> Result<Vec<Post>> {
    Ok(posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::pinned.eq(true))
        .filter(posts::deleted.eq(false))
        .order(posts::id.desc())
        .limit(50)
        .select(Post::as_select())
        .load(conn)?)
}

/// Remembers that a post or comment we never stored was deleted.
pub fn add_tombstone(conn: &mut DbConn, ap_id: &str) -> Result<()> {
    use super::schema::tombstones as t;
    if is_tombstoned(conn, ap_id)? {
        return Ok(());
    }
    diesel::insert_into(t::table)
        .values((t::ap_id.eq(ap_id), t::deleted_at.eq(now())))
        .execute(conn)?;
    Ok(())
}

/// Whether an object was deleted before we stored it (a late Create must not bring it back).
pub fn is_tombstoned(conn: &mut DbConn, ap_id: &str) -> Result<bool> {
    use super::schema::tombstones as t;
    let n: i64 = t::table.find(ap_id).count().get_result(conn)?;
    Ok(n > 0)
}

/// What a received object's id already names here, in one statement: the local id of the post
/// (or, with `comment`, of the comment) stored under it, and whether it was deleted before
/// arriving ([`is_tombstoned`]).
pub fn stored_id_or_tombstone(
    conn: &mut DbConn,
    ap_id: &str,
    comment: bool,
) -> Result<(Option<i64>, bool)> {
    use super::schema::tombstones as t;
    let tombstoned = diesel::dsl::exists(t::table.find(ap_id));
    Ok(match comment {
        false => {
            let post = posts::table.filter(posts::ap_id.eq(ap_id));
            diesel::select((post.select(posts::id).single_value(), tombstoned)).get_result(conn)?
        }
        true => {
            let found = comments::table.filter(comments::ap_id.eq(ap_id));
            diesel::select((found.select(comments::id).single_value(), tombstoned))
                .get_result(conn)?
        }
    })
}

/// Local ids by ActivityPub id: `(ap_id, id)`.
pub type LocalIds = Vec<(String, i64)>;

/// The local ids of the posts and of the comments among these ActivityPub ids (what a list of
/// reports links to): `(posts, comments)`.
pub fn ids_by_ap_ids(conn: &mut DbConn, ap_ids: &[String]) -> Result<(LocalIds, LocalIds)> {
    let posts = posts::table
        .filter(posts::ap_id.eq_any(ap_ids))
        .select((posts::ap_id, posts::id))
        .load(conn)?;
    let comments = comments::table
        .filter(comments::ap_id.eq_any(ap_ids))
        .select((comments::ap_id, comments::id))
        .load(conn)?;
    Ok((posts, comments))
}

/// A person's newest posts that are neither deleted nor removed, in communities within `scope`:
/// one statement.
pub fn recent_posts_by(
    conn: &mut DbConn,
    author_id: i64,
    scope: Scope,
    limit: i64,
) -> Result<Vec<Post>> {
    let query = posts::table
        .inner_join(communities::table)
        .filter(posts::author_id.eq(author_id))
        .filter(posts::deleted.eq(false))
        .order(posts::id.desc())
        .limit(limit)
        .select(Post::as_select())
        .into_boxed();
    Ok(in_scope!(query, scope).load(conn)?)
}

/// A person's newest comments that are neither deleted nor removed, in threads still shown and
/// in communities within `scope`, each with its thread's title: one statement.
pub fn recent_comments_by(
    conn: &mut DbConn,
    author_id: i64,
    scope: Scope,
    limit: i64,
) -> Result<Vec<(Comment, String)>> {
    let query = comments::table
        .inner_join(posts::table.inner_join(communities::table))
        .filter(comments::author_id.eq(author_id))
        .filter(comments::deleted.eq(false))
        .filter(posts::deleted.eq(false))
        .order(comments::id.desc())
        .limit(limit)
        .select((Comment::as_select(), posts::title))
        .into_boxed();
    Ok(in_scope!(query, scope).load(conn)?)
}
