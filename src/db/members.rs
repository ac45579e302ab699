//! Memberships (`community_members`): joining, applications, leaving; and the ids of received
//! activities (`received_activities`) that make replays harmless, claimed while one process
//! applies them so that no other applies a copy at the same time.

use super::{
    accounts::Person,
    now,
    schema::{community_members, membership_events, persons, received_activities},
    DbConn,
};
use crate::{domain::communities::Role, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// `active` members take part; `pending` ones wait for a moderator.
pub const ACTIVE: &str = "active";
pub const PENDING: &str = "pending";

/// What `membership_events` records: a membership became active, or an active one ended.
pub const JOINED: &str = "joined";
pub const LEFT: &str = "left";

/// Records in `membership_events` that a membership became active or stopped being active (the
/// history the health figures count), in the caller's transaction; nothing when it did neither.
pub fn record_change(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    was_active: bool,
    is_active: bool,
) -> Result<()> {
    let kind = match (was_active, is_active) {
        (false, true) => JOINED,
        (true, false) => LEFT,
        _ => return Ok(()),
    };
    diesel::insert_into(membership_events::table)
        .values((
            membership_events::community_id.eq(community_id),
            membership_events::person_id.eq(person_id),
            membership_events::kind.eq(kind),
            membership_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn was_active(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    Ok(get(conn, community_id, person_id)?.is_some_and(|m| m.is_active()))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = community_members)]
pub struct Membership {
    pub community_id: i64,
    pub person_id: i64,
    pub role: String,
    pub state: String,
    pub answers: Option<String>,
    pub created_at: NaiveDateTime,
    pub follow_id: Option<String>,
}

impl Membership {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }

    pub fn is_active(&self) -> bool {
        self.state == ACTIVE
    }
}

pub fn get(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<Option<Membership>> {
    Ok(community_members::table
        .find((community_id, person_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_follow_id(conn: &mut DbConn, follow_id: &str) -> Result<Option<Membership>> {
    Ok(community_members::table
        .filter(community_members::follow_id.eq(follow_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()?)
}

/// Creates a membership, or updates the state, answers and follow id of an existing one (its
/// role is kept).
pub fn put(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    state: &str,
    answers: Option<&str>,
    follow_id: Option<&str>,
) -> Result<Membership> {
    let before = get(conn, community_id, person_id)?;
    record_change(
        conn,
        community_id,
        person_id,
        before.as_ref().is_some_and(|m| m.is_active()),
        state == ACTIVE,
    )?;
    if before.is_some() {
        diesel::update(community_members::table.find((community_id, person_id)))
            .set((
                community_members::state.eq(state),
                community_members::answers.eq(answers),
                community_members::follow_id.eq(follow_id),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(community_members::table)
            .values((
                community_members::community_id.eq(community_id),
                community_members::person_id.eq(person_id),
                community_members::role.eq(Role::Member.as_str()),
                community_members::state.eq(state),
                community_members::answers.eq(answers),
                community_members::follow_id.eq(follow_id),
                community_members::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    get(conn, community_id, person_id)?.ok_or_else(|| crate::error::Error::not_found("membership"))
}

/// Replaces an application's text (answers gathered from later messages).
pub fn set_answers(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    answers: &str,
) -> Result<()> {
    diesel::update(community_members::table.find((community_id, person_id)))
        .set(community_members::answers.eq(answers))
        .execute(conn)?;
    Ok(())
}

pub fn set_state(conn: &mut DbConn, community_id: i64, person_id: i64, state: &str) -> Result<()> {
    let was = was_active(conn, community_id, person_id)?;
    record_change(conn, community_id, person_id, was, state == ACTIVE)?;
    diesel::update(community_members::table.find((community_id, person_id)))
        .set(community_members::state.eq(state))
        .execute(conn)?;
    Ok(())
}

/// Removes a membership; false if there was none.
pub fn remove(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    let was = was_active(conn, community_id, person_id)?;
    record_change(conn, community_id, person_id, was, false)?;
    let n =
        diesel::delete(community_members::table.find((community_id, person_id))).execute(conn)?;
    Ok(n > 0)
}

/// Members in one state, oldest first, after `after_person` (a cursor), with their actors.
pub fn list(
    conn: &mut DbConn,
    community_id: i64,
    state: &str,
    after_person: Option<i64>,
    limit: i64,
) -> Result<Vec<(Membership, Person)>> {
    Ok(community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq(state))
        .filter(community_members::person_id.gt(after_person.unwrap_or(0)))
        .order(community_members::person_id.asc())
        .limit(limit)
        .select((Membership::as_select(), Person::as_select()))
        .load(conn)?)
}

/// Whether an activity with this id was already applied (a claim being applied is not).
pub fn was_received(conn: &mut DbConn, ap_id: &str) -> Result<bool> {
    let seen: i64 = received_activities::table
        .filter(received_activities::ap_id.eq(ap_id))
        .filter(received_activities::claimed_until.is_null())
        .count()
        .get_result(conn)?;
    Ok(seen > 0)
}

/// What a claim on an inbound activity found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This caller applies it now: record the receipt, or let go with [`release_claim`].
    Ours,
    /// Applied before: a replay, no second effect.
    Applied,
    /// Another process applies it now, until this time at the latest.
    Held(chrono::NaiveDateTime),
}

/// Claims an inbound activity for `lease` before applying it: of two processes given copies of
/// one activity at once, one applies it and the other waits and then finds it applied. A claim
/// whose lease ran out (its process died) is taken over. Each statement is whole by itself (an
/// insert that does nothing on a conflict, an update conditional on the lease, a read), so it
/// needs no transaction around it (`AppContext::write_each`).
pub fn claim(conn: &mut DbConn, ap_id: &str, lease: chrono::Duration) -> Result<Claim> {
    let at = now();
    let insert = diesel::insert_into(received_activities::table).values((
        received_activities::ap_id.eq(ap_id),
        received_activities::received_at.eq(at),
        received_activities::claimed_until.eq(Some(at + lease)),
    ));
    // PostgreSQL: an insert racing another's uncommitted one waits for it, then does nothing.
    let inserted = match conn {
        DbConn::Pg(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => insert.on_conflict_do_nothing().execute(lite)?,
    };
    if inserted > 0 {
        return Ok(Claim::Ours);
    }
    let row = received_activities::table.find(ap_id);
    let taken_over = diesel::update(row.filter(received_activities::claimed_until.lt(at)))
        .set(received_activities::claimed_until.eq(Some(at + lease)))
        .execute(conn)?;
    if taken_over > 0 {
        return Ok(Claim::Ours);
    }
    let held: Option<Option<chrono::NaiveDateTime>> = row
        .select(received_activities::claimed_until)
        .first(conn)
        .optional()?;
    Ok(match held {
        Some(Some(until)) => Claim::Held(until),
        Some(None) => Claim::Applied,
        // Released between the two statements: free again.
        None => Claim::Held(at),
    })
}

/// Lets go of a claim whose activity was not applied (refused, failed, timed out): a sender's
/// retry is then heard again.
pub fn release_claim(conn: &mut DbConn, ap_id: &str) -> Result<()> {
    diesel::delete(
        received_activities::table
            .find(ap_id)
            .filter(received_activities::claimed_until.is_not_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Records that an activity was applied (ending its claim, if any). Recording it twice is not
/// an error.
pub fn record_receipt(conn: &mut DbConn, ap_id: &str) -> Result<()> {
    let at = now();
    let claimed = diesel::update(received_activities::table.find(ap_id))
        .set((
            received_activities::claimed_until.eq(None::<chrono::NaiveDateTime>),
            received_activities::received_at.eq(at),
        ))
        .execute(conn)?;
    if claimed > 0 {
        return Ok(());
    }
    let insert = diesel::insert_into(received_activities::table).values((
        received_activities::ap_id.eq(ap_id),
        received_activities::received_at.eq(at),
    ));
    match conn {
        DbConn::Pg(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => insert.on_conflict_do_nothing().execute(lite)?,
    };
    Ok(())
}

/// Records an activity that was not claimed as applied, unless it was recorded (or is claimed)
/// already: then the error refuses the write it is part of ([`Receipt`]).
fn first_receipt(conn: &mut DbConn, ap_id: &str) -> Result<()> {
    let insert = diesel::insert_into(received_activities::table).values((
        received_activities::ap_id.eq(ap_id),
        received_activities::received_at.eq(now()),
    ));
    let inserted = match conn {
        DbConn::Pg(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => insert.on_conflict_do_nothing().execute(lite)?,
    };
    if inserted > 0 {
        return Ok(());
    }
    let held: Option<Option<NaiveDateTime>> = received_activities::table
        .find(ap_id)
        .select(received_activities::claimed_until)
        .first(conn)
        .optional()?;
    use crate::error::{Error, ErrorKind};
    Err(match held {
        Some(None) => Error::new(
            ErrorKind::Conflict,
            ALREADY_APPLIED,
            "this activity was applied before",
        ),
        _ => Error::new(
            ErrorKind::Unavailable,
            "processing_timeout",
            "a copy of this activity is being processed; try again later",
        ),
    })
}

/// Forgets the ids of activities received before `before`; answers how many. A sender retries
/// for days at most (Mastodon about a week at the longest, copse 3 days), so after a month a
/// replay is no longer expected.
pub fn forget_receipts(conn: &mut DbConn, before: chrono::NaiveDateTime) -> Result<usize> {
    Ok(diesel::delete(
        received_activities::table.filter(received_activities::received_at.lt(before)),
    )
    .execute(conn)?)
}

/// What records an inbound activity as applied: its id, and the id of what it undoes (an Undo
/// that arrives first makes the late original a no-op). Recorded in the same transaction as the
/// activity's effect when the receiving code can do it in one write, else on its own after it.
///
/// `claimed`: whether the inbox claimed the activity before applying it (`claim`). An activity
/// applied in one write is not claimed first: its receipt is inserted by that write, and a copy
/// applied before (or by another process at the same moment: PostgreSQL makes the insert wait
/// for the other's commit) makes the insert find the row, which refuses the whole write with
/// [`ALREADY_APPLIED`] (or 503 while another process holds a claim on it).
#[derive(Debug, Clone)]
pub struct Receipt {
    pub id: String,
    pub undone: Option<String>,
    pub claimed: bool,
}

/// The error code of a write refused because its activity's receipt was recorded before: the
/// inbox answers as for any replay.
pub const ALREADY_APPLIED: &str = "already_applied";

impl Receipt {
    pub fn record(&self, conn: &mut DbConn) -> Result<()> {
        match self.claimed {
            true => record_receipt(conn, &self.id)?,
            false => first_receipt(conn, &self.id)?,
        }
        match &self.undone {
            Some(undone) => record_receipt(conn, undone),
            None => Ok(()),
        }
    }
}

/// Whether at least one active member of the community is a person of `instance` (canonical
/// `host[:port]`, as `domain::names::instance_of` gives it): their id starts with
/// `http(s)://instance/`.
pub fn instance_has_active_member(
    conn: &mut DbConn,
    community_id: i64,
    instance: &str,
) -> Result<bool> {
    let escaped: String = instance
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let (https, http) = (
        format!("https://{escaped}/%"),
        format!("http://{escaped}/%"),
    );
    let found: i64 = community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq(ACTIVE))
        .filter(
            persons::ap_id
                .like(https)
                .escape('\\')
                .or(persons::ap_id.like(http).escape('\\')),
        )
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Whether a local person follows the community (an active membership, or a Follow awaiting the
/// community's answer): only then do we take what the community announces.
pub fn has_local_follower(conn: &mut DbConn, community_id: i64) -> Result<bool> {
    let found: i64 = community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq_any([ACTIVE, PENDING]))
        .filter(persons::local.eq(true))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The distinct inboxes (shared where advertised) of a community's active remote members.
pub fn remote_member_inboxes(conn: &mut DbConn, community_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq(ACTIVE))
        .filter(persons::local.eq(false))
        .select((persons::inbox_url, persons::shared_inbox_url))
        .load(conn)?;
    Ok(delivery_inboxes(rows))
}

/// Each person's shared inbox where advertised, else their own; each once, sorted.
pub fn delivery_inboxes(rows: Vec<(String, Option<String>)>) -> Vec<String> {
    let mut inboxes: Vec<String> = rows
        .into_iter()
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    inboxes.sort();
    inboxes.dedup();
    inboxes
}
