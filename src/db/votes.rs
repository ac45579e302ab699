//! Votes (`votes`) and the scores they sum to on `posts` and `comments`.

use super::{
    now,
    schema::{comments, posts, votes},
    DbConn,
};
use crate::error::Result;
use diesel::prelude::*;

/// A stored vote.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = votes)]
pub struct Vote {
    pub person_id: i64,
    pub object_ap_id: String,
    pub score: i32,
    pub activity_id: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

pub fn get(conn: &mut DbConn, person_id: i64, object_ap_id: &str) -> Result<Option<Vote>> {
    Ok(votes::table
        .find((person_id, object_ap_id))
        .select(Vote::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_activity(conn: &mut DbConn, activity_id: &str) -> Result<Option<Vote>> {
    Ok(votes::table
        .filter(votes::activity_id.eq(activity_id))
        .select(Vote::as_select())
        .first(conn)
        .optional()?)
}

/// Sets (score ±1) or clears (score 0) a person's vote, then refreshes the object's score.
/// Returns the vote it replaced.
pub fn set(
    conn: &mut DbConn,
    person_id: i64,
    object_ap_id: &str,
    score: i32,
    activity_id: Option<&str>,
) -> Result<Option<Vote>> {
    lock_object(conn, object_ap_id)?;
    let previous = get(conn, person_id, object_ap_id)?;
    write_locked(conn, person_id, object_ap_id, score, activity_id)?;
    Ok(previous)
}

/// Holds the object's votes still until the caller's transaction ends ([`super::hold`]), so
/// that its score is summed over every vote committed before. Without it, on PostgreSQL, of two
/// votes on one object at once the second `UPDATE` of the score waits for the first's lock on
/// the row, then writes the sum its own snapshot saw, taken before the first vote committed
/// (read committed re-reads the row, not the sum).
fn lock_object(conn: &mut DbConn, object_ap_id: &str) -> Result<()> {
    super::hold(conn, &format!("votes {object_ap_id}"))
}

/// [`set`] without reading the vote it replaces (a received vote has no use for it). Inside the
/// caller's write transaction, as its last statements before `COMMIT` (the object stays locked
/// from here to the commit: [`lock_object`]).
///
/// A set is one upsert, so two concurrent votes by one person on one object (two `Like`s with
/// different ids arriving at once) both succeed and the later write wins, instead of the second
/// insert failing on the primary key. The score is summed in the database.
pub fn put(
    conn: &mut DbConn,
    person_id: i64,
    object_ap_id: &str,
    score: i32,
    activity_id: Option<&str>,
) -> Result<()> {
    lock_object(conn, object_ap_id)?;
    write_locked(conn, person_id, object_ap_id, score, activity_id)
}

/// The vote's write and the score's, the object already held ([`lock_object`]).
fn write_locked(
    conn: &mut DbConn,
    person_id: i64,
    object_ap_id: &str,
    score: i32,
    activity_id: Option<&str>,
) -> Result<()> {
    if score == 0 {
        diesel::delete(votes::table.find((person_id, object_ap_id))).execute(conn)?;
    } else {
        let created_at = now();
        let upsert = diesel::insert_into(votes::table)
            .values((
                votes::person_id.eq(person_id),
                votes::object_ap_id.eq(object_ap_id),
                votes::score.eq(score),
                votes::activity_id.eq(activity_id),
                votes::created_at.eq(created_at),
            ))
            .on_conflict((votes::person_id, votes::object_ap_id))
            .do_update()
            .set((
                votes::score.eq(score),
                votes::activity_id.eq(activity_id),
                votes::created_at.eq(created_at),
            ));
        match conn {
            DbConn::Pg(pg) => upsert.execute(pg)?,
            DbConn::Sqlite(lite) => upsert.execute(lite)?,
        };
    }
    refresh_score(conn, object_ap_id)
}

diesel::define_sql_function!(
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::BigInt>, y: diesel::sql_types::BigInt) -> diesel::sql_types::BigInt
);

/// Sums the object's votes into its row, in one statement (the post's; a comment's only when
/// no post has that id).
fn refresh_score(conn: &mut DbConn, object_ap_id: &str) -> Result<()> {
    let total = || {
        votes::table
            .filter(votes::object_ap_id.eq(object_ap_id))
            .select(diesel::dsl::sum(votes::score))
            .single_value()
    };
    let updated = diesel::update(posts::table.filter(posts::ap_id.eq(object_ap_id)))
        .set(posts::score.eq(coalesce(total(), 0)))
        .execute(conn)?;
    if updated == 0 {
        diesel::update(comments::table.filter(comments::ap_id.eq(object_ap_id)))
            .set(comments::score.eq(coalesce(total(), 0)))
            .execute(conn)?;
    }
    Ok(())
}

/// One person's votes on a thread (the post and all its comments), by object id: one statement
/// whatever the thread's length.
pub fn in_thread(conn: &mut DbConn, person_id: i64, post_id: i64) -> Result<Vec<(String, i32)>> {
    let post = posts::table
        .filter(posts::id.eq(post_id))
        .select(posts::ap_id);
    let replies = comments::table
        .filter(comments::post_id.eq(post_id))
        .select(comments::ap_id);
    Ok(votes::table
        .filter(votes::person_id.eq(person_id))
        .filter(
            votes::object_ap_id
                .eq_any(post)
                .or(votes::object_ap_id.eq_any(replies)),
        )
        .select((votes::object_ap_id, votes::score))
        .load(conn)?)
}
