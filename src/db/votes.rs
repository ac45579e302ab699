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

/// Sets (score ±1) or clears (score 0) a person's vote; the object's score follows in the
/// database ([`put`]). Returns the vote it replaced, read with the person's vote on the object
/// held ([`super::hold`]) so that two of their votes at once each see the other's.
pub fn set(
    conn: &mut DbConn,
    person_id: i64,
    object_ap_id: &str,
    score: i32,
    activity_id: Option<&str>,
) -> Result<Option<Vote>> {
    super::hold(conn, &format!("vote {person_id} {object_ap_id}"))?;
    let previous = get(conn, person_id, object_ap_id)?;
    put(conn, person_id, object_ap_id, score, activity_id)?;
    Ok(previous)
}

/// [`set`] without reading the vote it replaces (a received vote has no use for it): one
/// statement. The object's score (`posts.score` or `comments.score`) follows in the database:
/// the `votes_score` triggers add each vote's difference to the object's row, which two votes
/// at once on PostgreSQL do one after the other (the second waits for the first's row lock and
/// adds to what it left), so no vote is lost and nothing is locked first.
///
/// A set is one upsert, so two concurrent votes by one person on one object (two `Like`s with
/// different ids arriving at once) both succeed and the later write wins, instead of the second
/// insert failing on the primary key.
pub fn put(
    conn: &mut DbConn,
    person_id: i64,
    object_ap_id: &str,
    score: i32,
    activity_id: Option<&str>,
) -> Result<()> {
    if score == 0 {
        diesel::delete(votes::table.find((person_id, object_ap_id))).execute(conn)?;
        return Ok(());
    }
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
