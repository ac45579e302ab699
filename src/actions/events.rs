//! Scheduling events and answering them: a local member schedules an event (a thread with its
//! details, announced like a post), its organizers edit, cancel or move it and accept or refuse
//! people in approval mode; anyone who may read answers going, maybe or not going. Capacity
//! keeps a waitlist: whenever a place frees up, the first waiting person is promoted.

use super::notifications::{self, About};
use crate::domain::notifications::Kind;
use crate::{
    actions,
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        events::Event,
        posts::Post,
        DbConn,
    },
    domain::{
        changes::Change,
        content,
        events::{self as rules, Answerable, EventInput, EventStatus, RsvpState},
        posts as post_rules,
    },
    error::{Error, ErrorKind, Result},
    views::gate::{self, State, Target, Viewer},
};

/// A local member schedules an event in a local community.
pub async fn create(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    title: &str,
    body: &str,
    input: &EventInput,
) -> Result<Post> {
    let details = rules::parse(input)?;
    if !community.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "remote_community",
            "events are scheduled in the community's own instance",
        ));
    }
    let save = move |conn: &mut DbConn, post: &Post| {
        db::events::save(conn, post.id, &details, EventStatus::Scheduled, 0)
    };
    actions::posts::open_thread(
        ctx,
        account,
        community,
        (title, body, Vec::new()),
        rules::may_schedule,
        save,
    )
    .await
}

/// The event `post_id` as `viewer` may see it (the read gate's 404 otherwise).
pub(crate) fn visible(
    conn: &mut DbConn,
    ctx_gate: &gate::Gate,
    viewer: &Viewer,
    post_id: i64,
) -> Result<(gate::Content, Event)> {
    let found = ctx_gate.content(conn, Target::Post(post_id), State::Visible, viewer)?;
    let event = db::events::get(conn, post_id)?.ok_or_else(|| Error::not_found("event"))?;
    Ok((found, event))
}

/// Whether `person` organizes the event: its author, a named organizer, or a moderator of its
/// community.
pub(crate) fn organizes(conn: &mut DbConn, found: &gate::Content, person_id: i64) -> Result<bool> {
    if found.post.author_id == person_id {
        return Ok(true);
    }
    if db::events::organizers(conn, found.post.id)?.contains(&person_id) {
        return Ok(true);
    }
    let role = db::communities::role_of(conn, found.community.id, person_id)?;
    Ok(role.is_some_and(crate::domain::communities::Role::moderates))
}

pub fn not_organizer() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "not_an_organizer",
        "only the event's organizers may do this",
    )
}

/// Records an edit of the event so that it goes out as the author's `Update(Event)`.
fn emit_edit(conn: &mut DbConn, found: &gate::Content) -> Result<()> {
    db::outbox::emit(
        conn,
        &Change::ContentEdited {
            object_ap_id: found.post.ap_id.to_string(),
            community_id: found.community.id,
            author_id: found.post.author_id,
            activity_id: None,
        },
    )
}

/// An organizer changes the event: title, description and details. Raising the capacity
/// promotes waiting people into the new places.
pub async fn edit(
    ctx: &AppContext,
    person: &Person,
    post_id: i64,
    title: &str,
    body: &str,
    input: &EventInput,
) -> Result<()> {
    let (title, body) = post_rules::parse_post(title, body)?;
    let details = rules::parse(input)?;
    let html = content::markdown_to_html(&body);
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(person.id, false));
    let person_id = person.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let (found, _) = visible(conn, &gate, &viewer, post_id)?;
            if !organizes(conn, &found, person_id)? {
                return Err(not_organizer());
            }
            db::posts::edit_post(conn, post_id, &title, &body, &html, db::now())?;
            db::events::update(conn, post_id, &details)?;
            db::series::detach(conn, post_id)?;
            promote(conn, &notifier, post_id)?;
            emit_edit(conn, &found)
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// An organizer cancels, postpones, moves online or reschedules the event.
pub async fn set_status(
    ctx: &AppContext,
    person: &Person,
    post_id: i64,
    status: EventStatus,
) -> Result<()> {
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(person.id, false));
    let person_id = person.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let (found, event) = visible(conn, &gate, &viewer, post_id)?;
            if !organizes(conn, &found, person_id)? {
                return Err(not_organizer());
            }
            if event.status() == status {
                return Ok(());
            }
            db::events::set_status(conn, post_id, status)?;
            db::series::detach(conn, post_id)?;
            if status == EventStatus::Cancelled {
                cancelled(
                    conn,
                    &notifier,
                    found.community.id,
                    post_id,
                    Some(person_id),
                )?;
            }
            let p = &found.post;
            db::posts::edit_post(conn, p.id, &p.title, &p.body_md, &p.body_html, db::now())?;
            emit_edit(conn, &found)
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// A person answers: what their answer became (going may be waitlisted or pending). Leaving
/// the going list promotes the first waiting person.
pub async fn answer(
    ctx: &AppContext,
    person: &Person,
    post_id: i64,
    wanted: RsvpState,
) -> Result<RsvpState> {
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(person.id, false));
    let person_id = person.id;
    let notifier = ctx.clone();
    let join_id = ctx.new_activity_id("join");
    let done = ctx
        .write(move |conn| {
            let (found, event) = visible(conn, &gate, &viewer, post_id)?;
            let role = db::bans::role_unless_banned(conn, found.community.id, person_id)?;
            rules::may_answer(&found.community, role)?;
            if !found.post.local {
                // Held on another server: a `Join` there decides the place.
                return actions::remote_rsvp::answer_in(conn, &event, person_id, wanted, join_id);
            }
            answer_in(conn, &notifier, &event, person_id, wanted, None)
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// Stores an answer to `event` (local or received) and promotes from the waitlist when a place
/// freed up.
pub fn answer_in(
    conn: &mut DbConn,
    notifier: &AppContext,
    event: &Event,
    person_id: i64,
    wanted: RsvpState,
    activity_id: Option<&str>,
) -> Result<RsvpState> {
    let post_id = event.post_id;
    db::events::hold_places(conn, post_id)?;
    let current = db::events::rsvp(conn, post_id, person_id)?.and_then(|r| r.state());
    let answerable = Answerable {
        status: event.status(),
        ends_at: event.ends_at,
        join_mode: rules::JoinMode::parse(&event.join_mode).unwrap_or(rules::JoinMode::Free),
        capacity: event.capacity,
        going_others: db::events::count_in(conn, post_id, RsvpState::Going, Some(person_id))?,
    };
    let state = rules::answer(&answerable, wanted, current, rules::now())?;
    if current != Some(state) {
        db::events::set_rsvp(conn, post_id, person_id, state, activity_id)?;
    }
    if current == Some(RsvpState::Going) && state != RsvpState::Going {
        promote(conn, notifier, post_id)?;
    }
    Ok(state)
}

/// Fills free places from the waitlist, first come first served; returns who was promoted.
pub fn promote(conn: &mut DbConn, notifier: &AppContext, post_id: i64) -> Result<Vec<i64>> {
    db::events::hold_places(conn, post_id)?;
    let Some(event) = db::events::get(conn, post_id)? else {
        return Ok(vec![]);
    };
    let community_id = db::posts::thread_community(conn, post_id)?.id;
    let mut promoted = vec![];
    loop {
        if let Some(cap) = event.capacity {
            if db::events::count_in(conn, post_id, RsvpState::Going, None)? >= cap {
                break;
            }
        }
        let Some(next) = db::events::first_waiting(conn, post_id)? else {
            break;
        };
        db::events::set_rsvp(conn, post_id, next.person_id, RsvpState::Going, None)?;
        tell(conn, post_id, next.person_id, true)?;
        let about = About::post(community_id, post_id);
        let kind = Kind::WaitlistPromoted;
        notifications::notify(conn, notifier, kind, next.person_id, None, about)?;
        promoted.push(next.person_id);
    }
    Ok(promoted)
}

/// In approval mode an organizer accepts (going, or waitlisted when full) or refuses a pending
/// person.
pub async fn decide(
    ctx: &AppContext,
    organizer: &Person,
    post_id: i64,
    person_id: i64,
    accept: bool,
) -> Result<RsvpState> {
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(organizer.id, false));
    let organizer_id = organizer.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let (found, event) = visible(conn, &gate, &viewer, post_id)?;
            if !organizes(conn, &found, organizer_id)? {
                return Err(not_organizer());
            }
            db::events::hold_places(conn, post_id)?;
            let current = db::events::rsvp(conn, post_id, person_id)?
                .and_then(|r| r.state())
                .ok_or_else(|| Error::not_found("answer"))?;
            if !matches!(
                current,
                RsvpState::Pending | RsvpState::Refused | RsvpState::Going | RsvpState::Waitlisted
            ) {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    "not_pending",
                    "this person has not asked to come",
                ));
            }
            let state = if !accept {
                RsvpState::Refused
            } else {
                let going = db::events::count_in(conn, post_id, RsvpState::Going, Some(person_id))?;
                match event.capacity {
                    Some(cap) if going >= cap && current != RsvpState::Going => {
                        RsvpState::Waitlisted
                    }
                    _ if current == RsvpState::Waitlisted => RsvpState::Waitlisted,
                    _ => RsvpState::Going,
                }
            };
            db::events::set_rsvp(conn, post_id, person_id, state, None)?;
            match state {
                RsvpState::Going if current != RsvpState::Going => {
                    tell(conn, post_id, person_id, true)?
                }
                RsvpState::Refused if current != RsvpState::Refused => {
                    tell(conn, post_id, person_id, false)?
                }
                _ => {}
            }
            if current == RsvpState::Going && state != RsvpState::Going {
                promote(conn, &notifier, post_id)?;
            }
            Ok(state)
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// Tells a remote person the organizers' answer to their `Join` (an `Accept` when they have a
/// place, a `Reject` when refused); a local person (no `Join`) is told nothing here.
fn tell(conn: &mut DbConn, post_id: i64, person_id: i64, accepted: bool) -> Result<()> {
    let join = db::events::rsvp(conn, post_id, person_id)?.and_then(|r| r.activity_id);
    match join {
        Some(join_id) => answer_join(conn, post_id, person_id, join_id, accepted),
        None => Ok(()),
    }
}

fn answer_join(
    conn: &mut DbConn,
    post_id: i64,
    person_id: i64,
    join_id: String,
    accepted: bool,
) -> Result<()> {
    db::outbox::emit(
        conn,
        &Change::EventAnswered {
            post_id,
            person_id,
            join_id,
            accepted,
        },
    )
}

/// A remote person's `Join` of a local event: "going" under the same rules as a local answer
/// (who may read the community, bans, capacity, approval, a cancelled or past event). Answered
/// at once with an `Accept` when they have a place, with a `Reject` (nothing stored) when the
/// rules refuse; a waitlisted or pending Join is answered when promoted or decided.
pub async fn receive_join(
    ctx: &AppContext,
    person: &Person,
    post_id: i64,
    join_id: String,
) -> Result<()> {
    let person_id = person.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let found = gate::lookup(conn, Target::Post(post_id), State::Visible)?;
            let event = db::events::get(conn, post_id)?.ok_or_else(|| Error::not_found("event"))?;
            let allowed = db::bans::ensure_not_banned(conn, found.community.id, person_id)
                .and_then(|()| db::communities::role_of(conn, found.community.id, person_id))
                .and_then(|role| rules::may_answer(&found.community, role));
            let answered = allowed.and_then(|()| {
                answer_in(
                    conn,
                    &notifier,
                    &event,
                    person_id,
                    RsvpState::Going,
                    Some(&join_id),
                )
            });
            match answered {
                Ok(RsvpState::Going) => answer_join(conn, post_id, person_id, join_id, true),
                Ok(_) => Ok(()),
                Err(e) if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Unavailable => {
                    Err(e)
                }
                Err(e) => {
                    tracing::info!("refusing a Join of event {post_id}: {}", e.message);
                    answer_join(conn, post_id, person_id, join_id, false)
                }
            }
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// A remote person's `Leave` (or `Undo(Join)`) of a local event: not going; a place they held
/// goes to the first waiting person.
pub async fn receive_leave(ctx: &AppContext, person: &Person, post_id: i64) -> Result<()> {
    let person_id = person.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let event = db::events::get(conn, post_id)?.ok_or_else(|| Error::not_found("event"))?;
            if db::events::rsvp(conn, post_id, person_id)?.is_none() {
                return Ok(());
            }
            answer_in(
                conn,
                &notifier,
                &event,
                person_id,
                RsvpState::NotGoing,
                None,
            )
            .map(|_| ())
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// An organizer records, once the event has begun, its notes (markdown) and who came: people
/// who answered it, by person id.
pub async fn record(
    ctx: &AppContext,
    organizer: &Person,
    post_id: i64,
    notes: &str,
    attended: Vec<i64>,
) -> Result<()> {
    let notes = content::text_block("notes", notes, post_rules::MAX_BODY)?;
    let html = content::markdown_to_html(&notes);
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(organizer.id, false));
    let organizer_id = organizer.id;
    ctx.write(move |conn| {
        let (found, event) = visible(conn, &gate, &viewer, post_id)?;
        if !organizes(conn, &found, organizer_id)? {
            return Err(not_organizer());
        }
        if event.starts_at > rules::now() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "not_started",
                "notes and attendance are recorded once the event has begun",
            ));
        }
        let answered: Vec<i64> = db::events::answers(conn, post_id)?
            .into_iter()
            .map(|(r, ..)| r.person_id)
            .collect();
        if attended.iter().any(|p| !answered.contains(p)) {
            return Err(Error::invalid_field(
                "attended",
                "only people who answered the event can be recorded as having come",
            ));
        }
        db::events::record(conn, post_id, &notes, &html, &attended)
    })
    .await
}

/// Tells the people going to (or waiting for) a cancelled event.
pub fn cancelled(
    conn: &mut DbConn,
    notifier: &AppContext,
    community_id: i64,
    post_id: i64,
    by: Option<i64>,
) -> Result<()> {
    let people: Vec<i64> = db::events::answers(conn, post_id)?
        .into_iter()
        .filter(|(r, ..)| matches!(r.state(), Some(RsvpState::Going | RsvpState::Waitlisted)))
        .map(|(r, ..)| r.person_id)
        .collect();
    let about = About::post(community_id, post_id);
    notifications::notify_all(conn, notifier, Kind::EventCancelled, people, by, about)
}
