//! Polls (`polls`, beside their thread's `posts` row), their options (`poll_options`, with the
//! count of each) and the votes (`poll_votes`: one row per person and option chosen).

use super::{
    now,
    schema::{persons, poll_options, poll_votes, polls, posts},
    DbConn,
};
use crate::{
    domain::polls::{PollFields, ReceivedPoll},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored poll (its question is the `posts` row `post_id`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = polls)]
pub struct Poll {
    pub post_id: i64,
    pub multiple: bool,
    pub closes_at: Option<NaiveDateTime>,
    pub voters_count: i64,
    pub results_dirty: bool,
    pub results_sent_at: Option<NaiveDateTime>,
    pub closed_sent: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = poll_options)]
pub struct PollOption {
    pub id: i64,
    pub post_id: i64,
    pub position: i64,
    pub name: String,
    pub votes: i64,
}

/// Stores a new local poll's options beside its post.
pub fn insert(conn: &mut DbConn, post_id: i64, fields: &PollFields) -> Result<()> {
    diesel::insert_into(polls::table)
        .values((
            polls::post_id.eq(post_id),
            polls::multiple.eq(fields.multiple),
            polls::closes_at.eq(fields.closes_at),
        ))
        .execute(conn)?;
    insert_options(
        conn,
        post_id,
        fields.options.iter().map(|o| (o.as_str(), 0)),
    )
}

fn insert_options<'a>(
    conn: &mut DbConn,
    post_id: i64,
    options: impl Iterator<Item = (&'a str, i64)>,
) -> Result<()> {
    for (position, (name, votes)) in options.enumerate() {
        diesel::insert_into(poll_options::table)
            .values((
                poll_options::post_id.eq(post_id),
                poll_options::position.eq(position as i64),
                poll_options::name.eq(name),
                poll_options::votes.eq(votes),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores a received poll, or brings a stored one's counts and closing time to what its origin
/// reports (options matched by name; the set of options is the first one received).
pub fn save_received(conn: &mut DbConn, post_id: i64, poll: &ReceivedPoll) -> Result<()> {
    let stored = get(conn, post_id)?;
    let Some((_, options)) = stored else {
        diesel::insert_into(polls::table)
            .values((
                polls::post_id.eq(post_id),
                polls::multiple.eq(poll.multiple),
                polls::closes_at.eq(poll.closes_at),
                polls::voters_count.eq(poll.voters_count),
            ))
            .execute(conn)?;
        let named = poll.options.iter().map(|(n, c)| (n.as_str(), *c));
        return insert_options(conn, post_id, named);
    };
    diesel::update(polls::table.find(post_id))
        .set((
            polls::closes_at.eq(poll.closes_at),
            polls::voters_count.eq(poll.voters_count),
        ))
        .execute(conn)?;
    for option in options {
        if let Some((_, count)) = poll.options.iter().find(|(n, _)| *n == option.name) {
            diesel::update(poll_options::table.find(option.id))
                .set(poll_options::votes.eq(count))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A poll and its options in order.
pub fn get(conn: &mut DbConn, post_id: i64) -> Result<Option<(Poll, Vec<PollOption>)>> {
    let Some(poll) = polls::table
        .find(post_id)
        .select(Poll::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let options = poll_options::table
        .filter(poll_options::post_id.eq(post_id))
        .order(poll_options::position.asc())
        .select(PollOption::as_select())
        .load(conn)?;
    Ok(Some((poll, options)))
}

/// The options `person_id` voted for in the poll.
pub fn chosen_by(conn: &mut DbConn, post_id: i64, person_id: i64) -> Result<Vec<i64>> {
    Ok(poll_votes::table
        .filter(poll_votes::post_id.eq(post_id))
        .filter(poll_votes::person_id.eq(person_id))
        .select(poll_votes::option_id)
        .load(conn)?)
}

/// Stores one vote and counts it: the option's count, the voters (a person's first vote in
/// this poll), and the poll marked as having new results to send. Answers the vote's row id.
pub fn insert_vote(
    conn: &mut DbConn,
    post_id: i64,
    option_id: i64,
    person_id: i64,
    ap_id: &str,
) -> Result<i64> {
    let first = chosen_by(conn, post_id, person_id)?.is_empty();
    diesel::insert_into(poll_votes::table)
        .values((
            poll_votes::post_id.eq(post_id),
            poll_votes::option_id.eq(option_id),
            poll_votes::person_id.eq(person_id),
            poll_votes::ap_id.eq(ap_id),
            poll_votes::created_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::update(poll_options::table.find(option_id))
        .set(poll_options::votes.eq(poll_options::votes + 1))
        .execute(conn)?;
    let voters = polls::voters_count + i64::from(first);
    diesel::update(polls::table.find(post_id))
        .set((
            polls::voters_count.eq(voters),
            polls::results_dirty.eq(true),
        ))
        .execute(conn)?;
    Ok(poll_votes::table
        .filter(poll_votes::ap_id.eq(ap_id))
        .select(poll_votes::id)
        .first(conn)?)
}

/// A stored vote: (its `Note` id, the poll's post id, the option's name, the voter).
pub fn vote(conn: &mut DbConn, id: i64) -> Result<Option<(String, i64, String, i64)>> {
    Ok(poll_votes::table
        .inner_join(poll_options::table)
        .filter(poll_votes::id.eq(id))
        .select((
            poll_votes::ap_id,
            poll_votes::post_id,
            poll_options::name,
            poll_votes::person_id,
        ))
        .first(conn)
        .optional()?)
}

/// Local polls whose results are due to go out at `now`: changed and not sent within `gap`,
/// or closed and not yet announced as closed. At most `limit`.
pub fn due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    gap: chrono::Duration,
    limit: i64,
) -> Result<Vec<i64>> {
    let before = now - gap;
    Ok(polls::table
        .inner_join(posts::table)
        .filter(posts::local.eq(true))
        .filter(
            polls::results_dirty
                .eq(true)
                .and(
                    polls::results_sent_at
                        .is_null()
                        .or(polls::results_sent_at.le(before)),
                )
                .or(polls::closed_sent.eq(false).and(polls::closes_at.le(now))),
        )
        .order(polls::post_id.asc())
        .limit(limit)
        .select(polls::post_id)
        .load(conn)?)
}

/// Marks a poll's results as queued at `now` (and its closing, once closed).
pub fn mark_sent(conn: &mut DbConn, post_id: i64, now: NaiveDateTime) -> Result<()> {
    let closes_at: Option<NaiveDateTime> = polls::table
        .find(post_id)
        .select(polls::closes_at)
        .first(conn)?;
    let closed = crate::domain::polls::is_closed(closes_at, now);
    diesel::update(polls::table.find(post_id))
        .set((
            polls::results_dirty.eq(false),
            polls::results_sent_at.eq(now),
            polls::closed_sent.eq(closed),
        ))
        .execute(conn)?;
    Ok(())
}

/// The inboxes (shared where advertised) of a poll's remote voters.
pub fn remote_voter_inboxes(conn: &mut DbConn, post_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = poll_votes::table
        .inner_join(persons::table)
        .filter(poll_votes::post_id.eq(post_id))
        .filter(persons::local.eq(false))
        .select((persons::inbox_url, persons::shared_inbox_url))
        .distinct()
        .load(conn)?;
    let mut inboxes: Vec<String> = rows.into_iter().map(|(i, s)| s.unwrap_or(i)).collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}
