//! Listings of posts (`posts` joined with authors, communities and comment counts): a page of a
//! community in any order, pinned posts, the newest of a member's communities or by a person.

use super::Post;
use crate::{
    db::{
        communities::{in_scope, Scope},
        schema::{comments, communities, community_members, persons, post_communities, posts},
        DbConn, DbUrl,
    },
    domain::communities::Visibility,
    error::{Error, Result},
};
use diesel::prelude::*;

/// How a community's posts are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOrder {
    /// Newest first.
    New,
    /// Highest score first, newest first among equals.
    Top,
    /// Latest comment (or publication, before the first comment) first, like Lemmy's Active.
    Active,
}

impl PostOrder {
    /// Where a page ending with `post` stops: `(sort key, id)`. The key is the score for `Top`
    /// (and, unused, for `New`), and `last_activity_at` in microseconds for `Active`.
    pub fn cursor(self, post: &Post) -> (i64, i64) {
        match self {
            PostOrder::New | PostOrder::Top => (post.score, post.id),
            PostOrder::Active => (post.last_activity_at.and_utc().timestamp_micros(), post.id),
        }
    }

    /// What a listing in this order sorts `post` by, greatest first.
    fn rank(self, post: &Post) -> (i64, i64) {
        match self {
            PostOrder::New => (0, post.id),
            PostOrder::Top | PostOrder::Active => self.cursor(post),
        }
    }
}

/// An actor as a listing names it: enough for its `name@host` and a link.
#[derive(Debug, Clone, Queryable)]
pub struct ActorRef {
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
}

/// A post with what a listing shows beside it: its author, its community and how many
/// comments it has (deleted and removed ones not counted).
#[derive(Debug, Clone)]
pub struct ListedPost {
    pub post: Post,
    pub author: ActorRef,
    pub community: ActorRef,
    pub comment_count: i64,
}

/// Which posts [`listed`] reads.
enum Listing {
    /// A page of a community's own posts, or of those shared into it (not removed there), after
    /// the cursor of the previous page's last post.
    Page {
        community_id: i64,
        shared: bool,
        order: PostOrder,
        after: Option<(i64, i64)>,
        limit: i64,
    },
    /// One post, deleted or not.
    One(i64),
    /// These posts, in any order.
    Ids(Vec<i64>),
    /// A community's pinned posts, newest first.
    Pinned(i64),
    /// The newest posts of `of`, in the communities within the scope the read gate gives.
    Newest {
        of: Newest,
        scope: Scope,
        limit: i64,
    },
}

/// Whose newest posts [`newest`] reads.
#[derive(Debug, Clone, Copy)]
pub enum Newest {
    /// Of the communities a person is an active member of.
    MemberOf(i64),
    /// By a person.
    By(i64),
}

/// A page of a community's posts (its own and those shared into it) after the cursor (see
/// [`PostOrder::cursor`]) of the previous page's last post, with their authors, communities and
/// comment counts: two statements, one page of its own posts and one of the shared ones, merged.
/// Asked as one (`community_id = ? OR id IN (shared)`), the `OR` keeps PostgreSQL from walking
/// the community's index in order: it scanned and sorted every post of the instance instead.
pub fn community_posts(
    conn: &mut DbConn,
    community_id: i64,
    order: PostOrder,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<ListedPost>> {
    let page = |shared| Listing::Page {
        community_id,
        shared,
        order,
        after,
        limit,
    };
    let mut posts = listed(conn, page(false))?;
    posts.extend(listed(conn, page(true))?);
    posts.sort_by_key(|l| std::cmp::Reverse(order.rank(&l.post)));
    posts.dedup_by_key(|l| l.post.id);
    posts.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(posts)
}

/// A community's pinned posts (deleted ones left out), newest first, as a listing shows them.
pub fn pinned_listed(conn: &mut DbConn, community_id: i64) -> Result<Vec<ListedPost>> {
    listed(conn, Listing::Pinned(community_id))
}

/// The newest `limit` posts of `of` that are neither deleted nor removed, in the communities
/// within `scope` (which the read gate gives), as a listing shows them: one statement.
pub fn newest(conn: &mut DbConn, of: Newest, scope: Scope, limit: i64) -> Result<Vec<ListedPost>> {
    listed(conn, Listing::Newest { of, scope, limit })
}

/// One post as a listing shows it.
pub fn listed_post(conn: &mut DbConn, id: i64) -> Result<Option<ListedPost>> {
    Ok(listed(conn, Listing::One(id))?.into_iter().next())
}

/// These posts as a listing shows them, in the order of `ids` (one missing is left out).
pub fn listed_posts(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<ListedPost>> {
    let mut found = listed(conn, Listing::Ids(ids.to_vec()))?;
    found.sort_by_key(|l| ids.iter().position(|id| *id == l.post.id));
    Ok(found)
}

/// Posts joined with their authors and communities, each with its comment count (a subquery
/// per row, answered from the `comments_post_live` index): one statement for any number.
fn listed(conn: &mut DbConn, which: Listing) -> Result<Vec<ListedPost>> {
    let comment_count = comments::table
        .filter(comments::post_id.eq(posts::id))
        .filter(comments::deleted.eq(false))
        .count()
        .single_value();
    let query = posts::table
        .inner_join(persons::table)
        .inner_join(communities::table)
        .select((
            Post::as_select(),
            (persons::name, persons::ap_id),
            (communities::name, communities::ap_id),
            comment_count,
        ))
        .into_boxed();
    let query = match which {
        Listing::One(id) => query.filter(posts::id.eq(id)),
        Listing::Ids(ids) => query.filter(posts::id.eq_any(ids)),
        Listing::Pinned(community_id) => query
            .filter(posts::community_id.eq(community_id))
            .filter(posts::pinned.eq(true))
            .filter(posts::deleted.eq(false))
            .order(posts::id.desc())
            .limit(50),
        Listing::Newest { of, scope, limit } => {
            let query = match of {
                Newest::MemberOf(person_id) => {
                    let member_of = community_members::table
                        .filter(community_members::person_id.eq(person_id))
                        .filter(community_members::state.eq("active"))
                        .select(community_members::community_id);
                    let shared = post_communities::table
                        .filter(post_communities::community_id.eq_any(member_of))
                        .filter(post_communities::removed.eq(false))
                        .select(post_communities::post_id);
                    query.filter(
                        posts::community_id
                            .eq_any(member_of)
                            .or(posts::id.eq_any(shared)),
                    )
                }
                Newest::By(author_id) => query.filter(posts::author_id.eq(author_id)),
            };
            let query = query
                .filter(posts::deleted.eq(false))
                .order(posts::id.desc())
                .limit(limit);
            in_scope!(query, scope)
        }
        Listing::Page {
            community_id,
            shared,
            order,
            after,
            limit,
        } => {
            let query = if shared {
                let shared = post_communities::table
                    .filter(post_communities::community_id.eq(community_id))
                    .filter(post_communities::removed.eq(false))
                    .select(post_communities::post_id);
                query.filter(posts::id.eq_any(shared))
            } else {
                query.filter(posts::community_id.eq(community_id))
            };
            let mut query = query.filter(posts::deleted.eq(false)).limit(limit);
            query = match (order, after) {
                (PostOrder::New, Some((_, id))) => query.filter(posts::id.lt(id)),
                (PostOrder::Top, Some((score, id))) => query.filter(
                    posts::score
                        .lt(score)
                        .or(posts::score.eq(score).and(posts::id.lt(id))),
                ),
                (PostOrder::Active, Some((micros, id))) => {
                    let at = chrono::DateTime::from_timestamp_micros(micros)
                        .map(|t| t.naive_utc())
                        .ok_or_else(|| {
                            Error::invalid_field("cursor", "not a cursor of this order")
                        })?;
                    query.filter(
                        posts::last_activity_at
                            .lt(at)
                            .or(posts::last_activity_at.eq(at).and(posts::id.lt(id))),
                    )
                }
                (_, None) => query,
            };
            match order {
                PostOrder::New => query.order(posts::id.desc()),
                PostOrder::Top => query.order((posts::score.desc(), posts::id.desc())),
                PostOrder::Active => {
                    query.order((posts::last_activity_at.desc(), posts::id.desc()))
                }
            }
        }
    };
    let rows: Vec<(Post, ActorRef, ActorRef, Option<i64>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(post, author, community, comments)| ListedPost {
            post,
            author,
            community,
            comment_count: comments.unwrap_or(0),
        })
        .collect())
}
