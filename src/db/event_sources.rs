//! Calendars a community follows (`event_sources`): the remote actors (a Gancio instance, a
//! Mobilizon account) whose events land in a community, and the state of the Group's `Follow`.

use super::{
    accounts::Person,
    communities::Community,
    now,
    schema::{communities, event_sources, persons},
    DbConn,
};
use crate::error::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The Group's `Follow` is on its way, or was answered.
pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const REJECTED: &str = "rejected";

/// One calendar a community follows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_sources)]
pub struct EventSource {
    pub id: i64,
    pub community_id: i64,
    pub person_id: i64,
    pub follow_id: String,
    pub state: String,
    pub added_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

/// Records a community's new `Follow` of an actor (pending until it answers). A second follow
/// of the same actor by the same community is refused by the unique key.
pub fn insert(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    follow_id: &str,
    added_by: i64,
) -> Result<EventSource> {
    diesel::insert_into(event_sources::table)
        .values((
            event_sources::community_id.eq(community_id),
            event_sources::person_id.eq(person_id),
            event_sources::follow_id.eq(follow_id),
            event_sources::state.eq(PENDING),
            event_sources::added_by.eq(added_by),
            event_sources::created_at.eq(now()),
        ))
        .execute(conn)?;
    by_follow_id(conn, follow_id)?.ok_or_else(|| crate::error::Error::not_found("calendar"))
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Option<EventSource>> {
    Ok(event_sources::table
        .find(id)
        .select(EventSource::as_select())
        .first(conn)
        .optional()?)
}

pub fn of(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<Option<EventSource>> {
    Ok(event_sources::table
        .filter(event_sources::community_id.eq(community_id))
        .filter(event_sources::person_id.eq(person_id))
        .select(EventSource::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_follow_id(conn: &mut DbConn, follow_id: &str) -> Result<Option<EventSource>> {
    Ok(event_sources::table
        .filter(event_sources::follow_id.eq(follow_id))
        .select(EventSource::as_select())
        .first(conn)
        .optional()?)
}

/// A community's calendars with their actors, oldest first.
pub fn in_community(conn: &mut DbConn, community_id: i64) -> Result<Vec<(EventSource, Person)>> {
    Ok(event_sources::table
        .inner_join(persons::table.on(persons::id.eq(event_sources::person_id)))
        .filter(event_sources::community_id.eq(community_id))
        .order(event_sources::id)
        .select((EventSource::as_select(), Person::as_select()))
        .load(conn)?)
}

/// Records the actor's answer to the Follow.
pub fn answer(conn: &mut DbConn, id: i64, accepted: bool) -> Result<()> {
    diesel::update(event_sources::table.find(id))
        .set((
            event_sources::state.eq(if accepted { ACCEPTED } else { REJECTED }),
            event_sources::answered_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i64) -> Result<()> {
    diesel::delete(event_sources::table.find(id)).execute(conn)?;
    Ok(())
}

/// The local communities an actor's events land in: those whose `Follow` it accepted, the
/// first to follow it first.
pub fn landing(conn: &mut DbConn, person_id: i64) -> Result<Vec<Community>> {
    Ok(event_sources::table
        .inner_join(communities::table)
        .filter(event_sources::person_id.eq(person_id))
        .filter(event_sources::state.eq(ACCEPTED))
        .filter(communities::local.eq(true))
        .order(event_sources::id)
        .select(Community::as_select())
        .load(conn)?)
}

/// Whether `community_id` follows the actor and the actor accepted.
pub fn accepted(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    Ok(of(conn, community_id, person_id)?.is_some_and(|s| s.state == ACCEPTED))
}
