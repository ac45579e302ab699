//! Read versions (`thread_versions`, `community_versions`): counters bumped by the database's
//! own triggers on every write that changes what a thread or a community page shows (migration
//! `2026-12-02-001600_read_versions`), read here in one statement each. Derived data: not
//! moved by `move_db` (the target's triggers count afresh).

use super::{schema::posts, DbConn};
use crate::error::Result;
use diesel::{
    dsl,
    prelude::*,
    sql_types::{BigInt, Nullable},
};

// Declared here rather than in `schema.rs`, whose tables are the ones `move_db` copies.
diesel::table! {
    thread_versions (post_id) {
        post_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    /// Split in shards (by post or member) so that concurrent writes to one community do not
    /// wait on one row; the version is their sum.
    community_versions (community_id, shard) {
        community_id -> BigInt,
        shard -> Integer,
        n -> BigInt,
    }
}

/// The sum of a community's shards (`SUM` of a BIGINT is NUMERIC on PostgreSQL: cast back).
const COMMUNITY_SUM: &str = "CAST(SUM(community_versions.n) AS BIGINT)";

/// The counter, kept in `community_versions` under an id no community has, that a change of a
/// person's handle or display name bumps (migration `2026-12-02-001700_person_versions`): names
/// show on every page, so every thread and community version includes it.
const PEOPLE: i64 = 0;

/// The tables above, which `move_db` leaves out.
pub const DERIVED: &[&str] = &["thread_versions", "community_versions"];

diesel::allow_tables_to_appear_in_same_query!(posts, thread_versions, community_versions);

/// A thread page's version: its thread's counter and its community's with the people's (0
/// before any write, or for a post that does not exist).
pub fn thread(conn: &mut DbConn, post_id: i64) -> Result<(i64, i64)> {
    let community = dsl::sql::<Nullable<BigInt>>(&format!(
        "(SELECT {COMMUNITY_SUM} FROM community_versions \
         WHERE community_versions.community_id IN (posts.community_id, {PEOPLE}))"
    ));
    let found: Option<(Option<i64>, Option<i64>)> = posts::table
        .left_join(thread_versions::table.on(thread_versions::post_id.eq(posts::id)))
        .filter(posts::id.eq(post_id))
        .select((thread_versions::n.nullable(), community))
        .first(conn)
        .optional()?;
    let (t, c) = found.unwrap_or_default();
    Ok((t.unwrap_or(0), c.unwrap_or(0)))
}

/// A community page's version: its community's counter with the people's (0 before any
/// write).
pub fn community(conn: &mut DbConn, community_id: i64) -> Result<i64> {
    let n: Option<i64> = community_versions::table
        .filter(community_versions::community_id.eq_any([community_id, PEOPLE]))
        .select(dsl::sql::<Nullable<BigInt>>(COMMUNITY_SUM))
        .get_result(conn)?;
    Ok(n.unwrap_or(0))
}
