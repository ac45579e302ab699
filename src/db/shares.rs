//! Cross-posts (`post_communities`): the communities a thread is in besides its home
//! (`posts.community_id`), who shared it there, and the removals by those communities'
//! moderators, which take it out of that community only.

use super::communities::Community;
use super::{
    now,
    schema::{communities, community_members, post_communities},
    DbConn, DbUrl,
};
use crate::{domain::communities::Visibility, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// `communities.visibility` of a community whose name anyone may see.
fn public() -> &'static str {
    Visibility::Public.as_str()
}

/// A community a thread is in besides its home, as the thread page and the API name it.
#[derive(Debug, Clone, Queryable)]
pub struct SharedIn {
    pub community_id: i64,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
    pub local: bool,
}

/// A community as the thread page weighs it: one the thread is shared into (`shared`), or a
/// local community the reader is an active member of (with their `role`), or both.
#[derive(Debug, Clone, Queryable)]
pub struct ThreadCommunity {
    pub community: SharedIn,
    pub shared: Option<i64>,
    pub role: Option<String>,
}

/// Puts thread `post_id` into `community_id` (or back, after a removal there): whether anything
/// changed. `announce_id` is the community's `Announce` of the object (a new one when it was
/// removed before).
pub fn put(
    conn: &mut DbConn,
    post_id: i64,
    community_id: i64,
    shared_by: Option<i64>,
    announce_id: &str,
) -> Result<bool> {
    let row = post_communities::table
        .find((post_id, community_id))
        .select(post_communities::removed);
    let found: Option<bool> = row.first(conn).optional()?;
    match found {
        Some(false) => Ok(false),
        Some(true) => {
            diesel::update(post_communities::table.find((post_id, community_id)))
                .set((
                    post_communities::removed.eq(false),
                    post_communities::removed_at.eq(None::<NaiveDateTime>),
                    post_communities::removed_by.eq(None::<i64>),
                    post_communities::shared_by.eq(shared_by),
                    post_communities::announce_id.eq(announce_id),
                ))
                .execute(conn)?;
            Ok(true)
        }
        None => {
            diesel::insert_into(post_communities::table)
                .values((
                    post_communities::post_id.eq(post_id),
                    post_communities::community_id.eq(community_id),
                    post_communities::shared_by.eq(shared_by),
                    post_communities::announce_id.eq(announce_id),
                    post_communities::created_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// Takes thread `post_id` out of `community_id` (a moderator of that community, `by`, when
/// known): whether it was there.
pub fn remove(conn: &mut DbConn, post_id: i64, community_id: i64, by: Option<i64>) -> Result<bool> {
    let n = diesel::update(
        post_communities::table
            .find((post_id, community_id))
            .filter(post_communities::removed.eq(false)),
    )
    .set((
        post_communities::removed.eq(true),
        post_communities::removed_at.eq(Some(now())),
        post_communities::removed_by.eq(by),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Whether thread `post_id` is in `community_id` as a share (not removed there).
pub fn is_in(conn: &mut DbConn, post_id: i64, community_id: i64) -> Result<bool> {
    let found: Option<bool> = post_communities::table
        .find((post_id, community_id))
        .select(post_communities::removed)
        .first(conn)
        .optional()?;
    Ok(found == Some(false))
}

/// Whether thread `post_id` is shared into a community of this instance (not removed there).
pub fn in_local_community(conn: &mut DbConn, post_id: i64) -> Result<bool> {
    let n: i64 = post_communities::table
        .inner_join(communities::table)
        .filter(post_communities::post_id.eq(post_id))
        .filter(post_communities::removed.eq(false))
        .filter(communities::local.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The communities thread `post_id` is shared into (removals left out), oldest share first.
pub fn also_in(conn: &mut DbConn, post_id: i64) -> Result<Vec<SharedIn>> {
    shared_into(conn, post_id, false)
}

/// The public communities thread `post_id` is shared into, as its readers see them: a private
/// community's name is not told to those outside it.
pub fn listed_in(conn: &mut DbConn, post_id: i64) -> Result<Vec<SharedIn>> {
    shared_into(conn, post_id, true)
}

fn shared_into(conn: &mut DbConn, post_id: i64, public_only: bool) -> Result<Vec<SharedIn>> {
    let mut query = post_communities::table
        .inner_join(communities::table)
        .filter(post_communities::post_id.eq(post_id))
        .filter(post_communities::removed.eq(false))
        .into_boxed();
    if public_only {
        query = query.filter(communities::visibility.eq(public()));
    }
    Ok(query
        .order((post_communities::created_at.asc(), communities::id.asc()))
        .select((
            communities::id,
            communities::name,
            communities::ap_id,
            communities::local,
        ))
        .load(conn)?)
}

/// For the thread page, in one statement: the communities thread `post_id` is shared into
/// (removals left out; a private one only for its members) and, for a signed-in `reader`, the
/// communities they are an active member of, with their role (where they may share it, and take
/// it out).
pub fn for_thread_page(
    conn: &mut DbConn,
    post_id: i64,
    reader: Option<i64>,
) -> Result<Vec<ThreadCommunity>> {
    let reader = reader.unwrap_or(-1);
    let shares = post_communities::table.on(post_communities::community_id
        .eq(communities::id)
        .and(post_communities::post_id.eq(post_id))
        .and(post_communities::removed.eq(false)));
    let member = community_members::table.on(community_members::community_id
        .eq(communities::id)
        .and(community_members::person_id.eq(reader))
        .and(community_members::state.eq("active")));
    Ok(communities::table
        .left_join(shares)
        .left_join(member)
        .filter(
            post_communities::post_id
                .is_not_null()
                .and(communities::visibility.eq(public()))
                .or(community_members::person_id.is_not_null()),
        )
        .order(communities::id.asc())
        .select((
            (
                communities::id,
                communities::name,
                communities::ap_id,
                communities::local,
            ),
            post_communities::post_id.nullable(),
            community_members::role.nullable(),
        ))
        .load(conn)?)
}

/// The communities `person_id` is an active member of, with their role: where the "also post
/// in" choices of a new thread come from (the rules of each decide).
pub fn joined_with_roles(conn: &mut DbConn, person_id: i64) -> Result<Vec<(Community, String)>> {
    Ok(communities::table
        .inner_join(community_members::table)
        .filter(community_members::person_id.eq(person_id))
        .filter(community_members::state.eq("active"))
        .order((communities::title.asc(), communities::id.asc()))
        .select((Community::as_select(), community_members::role))
        .load(conn)?)
}

/// For a page of threads, in one statement: the public communities each of `post_ids` is shared
/// into (removals left out), as `(post_id, community)`, oldest share first.
pub fn also_in_many(conn: &mut DbConn, post_ids: &[i64]) -> Result<Vec<(i64, SharedIn)>> {
    Ok(post_communities::table
        .inner_join(communities::table)
        .filter(post_communities::post_id.eq_any(post_ids))
        .filter(post_communities::removed.eq(false))
        .filter(communities::visibility.eq(public()))
        .order((post_communities::created_at.asc(), communities::id.asc()))
        .select((
            post_communities::post_id,
            (
                communities::id,
                communities::name,
                communities::ap_id,
                communities::local,
            ),
        ))
        .load(conn)?)
}
