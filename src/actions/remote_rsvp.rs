//! A local member answers an event held on another server (another copse, Mobilizon, Gancio):
//! going becomes a `Join` sent to the event's author and waits ("asked") for their `Accept` or
//! `Reject`; not going (or maybe, after going) sends a `Leave`. The answer from there sets the
//! place: `receive_answer`, trusted only from the event's author or its community.

use crate::{
    context::AppContext,
    db::{self, events::Event, DbConn},
    domain::{
        changes::Change,
        events::{self as rules, Answerable, JoinMode, RsvpState},
    },
    error::{Error, ErrorKind, Result},
};

/// Stores a local person's answer to the remote `event` and records the `Join` or `Leave` it
/// causes; `join_id` is the id a new `Join` gets.
pub fn answer_in(
    conn: &mut DbConn,
    event: &Event,
    person_id: i64,
    wanted: RsvpState,
    join_id: String,
) -> Result<RsvpState> {
    let post_id = event.post_id;
    let stored = db::events::rsvp(conn, post_id, person_id)?;
    let current = stored.as_ref().and_then(|r| r.state());
    // The origin decides places; here only what is plainly closed is refused.
    let answerable = Answerable {
        status: event.status(),
        ends_at: event.ends_at,
        join_mode: match JoinMode::parse(&event.join_mode) {
            Some(JoinMode::External) => JoinMode::External,
            _ => JoinMode::Free,
        },
        capacity: None,
        going_others: 0,
    };
    rules::answer(&answerable, wanted, current, rules::now())?;
    let holding = matches!(
        current,
        Some(RsvpState::Going | RsvpState::Pending | RsvpState::Waitlisted)
    );
    let state = match wanted {
        RsvpState::Going if holding => return Ok(current.unwrap_or(RsvpState::Pending)),
        RsvpState::Going => {
            db::events::set_rsvp(conn, post_id, person_id, RsvpState::Pending, Some(&join_id))?;
            let sent = Change::EventJoinSent {
                post_id,
                person_id,
                join_id,
                leave: false,
            };
            db::outbox::emit(conn, &sent)?;
            return Ok(RsvpState::Pending);
        }
        other => other,
    };
    db::events::set_rsvp(conn, post_id, person_id, state, None)?;
    if holding {
        let join_id = stored.and_then(|r| r.activity_id).unwrap_or(join_id);
        let sent = Change::EventJoinSent {
            post_id,
            person_id,
            join_id,
            leave: true,
        };
        db::outbox::emit(conn, &sent)?;
    }
    Ok(state)
}

/// The answer to a local person's `Join` (`join_id`) of a remote event, from `actor`: going
/// (`Accept`) or refused (`Reject`). None when no local person sent that Join (the answer is
/// then someone else's business, e.g. a community's answer to a Follow); an error when `actor`
/// is neither the event's author nor its community.
pub async fn receive_answer(
    ctx: &AppContext,
    actor: String,
    join_id: String,
    accepted: bool,
) -> Result<Option<()>> {
    ctx.write(move |conn| {
        let Some(rsvp) = db::events::rsvp_by_activity(conn, &join_id)? else {
            return Ok(None);
        };
        let Some(post) = db::posts::post(conn, rsvp.post_id)? else {
            return Ok(None);
        };
        let person = db::accounts::person_by_id(conn, rsvp.person_id)?;
        if post.local || !person.is_some_and(|p| p.local) {
            return Ok(None);
        }
        let author = db::accounts::person_by_id(conn, post.author_id)?;
        let community = db::communities::by_id(conn, post.community_id)?;
        let trusted = author.is_some_and(|a| a.ap_id.to_string() == actor)
            || community.is_some_and(|c| c.ap_id.to_string() == actor);
        if !trusted {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "not_the_organizer",
                "only the event's organizer answers a Join of it",
            ));
        }
        let state = match (accepted, rsvp.state()) {
            (true, Some(RsvpState::Pending | RsvpState::Waitlisted | RsvpState::Going)) => {
                RsvpState::Going
            }
            (false, Some(s)) if s != RsvpState::NotGoing => RsvpState::Refused,
            // Answered after the person changed their mind: nothing to change.
            _ => return Ok(Some(())),
        };
        db::events::set_rsvp(conn, rsvp.post_id, rsvp.person_id, state, None)?;
        Ok(Some(()))
    })
    .await
}
