//! Events (`events`, beside their thread's `posts` row), their organizers and RSVPs.

use super::{
    now,
    posts::Post,
    schema::{
        communities, community_members, event_attendance, event_organizers, event_rsvps, events,
        persons, posts,
    },
    DbConn,
};
use crate::{
    domain::events::{EventDetails, EventStatus, RsvpState},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored event (its title, description and thread are the `posts` row `post_id`).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = events)]
pub struct Event {
    pub post_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub timezone: String,
    pub place_name: String,
    pub place_address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: String,
    pub online_url_public: bool,
    pub capacity: Option<i64>,
    pub join_mode: String,
    pub external_url: String,
    pub status: String,
    /// As the origin counts it, for a remote event; local events are counted from RSVPs.
    pub participant_count: i64,
    /// Notes or minutes, written afterwards.
    pub notes_md: String,
    pub notes_html: String,
    /// The meeting series this is an occurrence of.
    pub series_id: Option<i64>,
    /// The start the series' rule gave it (None once the series moved it away).
    pub series_start: Option<NaiveDateTime>,
    /// Changed on its own by an organizer: edits of the series leave it alone.
    pub detached: bool,
    /// The agenda (markdown and HTML), edited by organizers before the meeting.
    pub agenda_md: String,
    pub agenda_html: String,
}

impl Event {
    pub fn status(&self) -> EventStatus {
        EventStatus::parse(&self.status).unwrap_or(EventStatus::Scheduled)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_rsvps)]
pub struct Rsvp {
    pub post_id: i64,
    pub person_id: i64,
    pub state: String,
    pub activity_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Rsvp {
    pub fn state(&self) -> Option<RsvpState> {
        RsvpState::parse(&self.state)
    }
}

/// The details columns, written together on insert and on update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
struct Details<'a> {
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    timezone: &'a str,
    place_name: &'a str,
    place_address: &'a str,
    latitude: Option<f64>,
    longitude: Option<f64>,
    online_url: &'a str,
    online_url_public: bool,
    capacity: Option<i64>,
    join_mode: &'a str,
    external_url: &'a str,
}

impl<'a> Details<'a> {
    fn of(d: &'a EventDetails) -> Self {
        Details {
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            timezone: &d.timezone,
            place_name: &d.place_name,
            place_address: &d.place_address,
            latitude: d.latitude,
            longitude: d.longitude,
            online_url: &d.online_url,
            online_url_public: d.online_url_public,
            capacity: d.capacity,
            join_mode: d.join_mode.as_str(),
            external_url: &d.external_url,
        }
    }
}

/// Stores an event's details for the thread `post_id`: new, or replacing the details and status
/// of what was there (its RSVPs and organizers stay).
pub fn save(
    conn: &mut DbConn,
    post_id: i64,
    d: &EventDetails,
    status: EventStatus,
    participant_count: i64,
) -> Result<()> {
    let status_and_count = (
        events::status.eq(status.as_str()),
        events::participant_count.eq(participant_count),
    );
    if get(conn, post_id)?.is_some() {
        diesel::update(events::table.find(post_id))
            .set((Details::of(d), status_and_count))
            .execute(conn)?;
        return Ok(());
    }
    diesel::insert_into(events::table)
        .values((
            events::post_id.eq(post_id),
            Details::of(d),
            status_and_count,
        ))
        .execute(conn)?;
    Ok(())
}

/// Changes only the details (RSVPs and organizers stay).
pub fn update(conn: &mut DbConn, post_id: i64, d: &EventDetails) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set(Details::of(d))
        .execute(conn)?;
    Ok(())
}

pub fn set_status(conn: &mut DbConn, post_id: i64, status: EventStatus) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set(events::status.eq(status.as_str()))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, post_id: i64) -> Result<Option<Event>> {
    Ok(events::table
        .find(post_id)
        .select(Event::as_select())
        .first(conn)
        .optional()?)
}

/// The events among some threads (to mark them in a listing): one statement.
pub fn of_posts(conn: &mut DbConn, post_ids: &[i64]) -> Result<Vec<Event>> {
    Ok(events::table
        .filter(events::post_id.eq_any(post_ids))
        .select(Event::as_select())
        .load(conn)?)
}

/// A community's events ending after `now` (soonest first), or ended before it (latest first);
/// removed or deleted threads left out.
pub fn in_community(
    conn: &mut DbConn,
    community_id: i64,
    upcoming: bool,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(Post, Event)>> {
    let base = events::table
        .inner_join(posts::table)
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .select((Post::as_select(), Event::as_select()))
        .limit(limit);
    Ok(if upcoming {
        base.filter(events::ends_at.gt(now))
            .order((events::starts_at.asc(), events::post_id.asc()))
            .load(conn)?
    } else {
        base.filter(events::ends_at.le(now))
            .order((events::starts_at.desc(), events::post_id.desc()))
            .load(conn)?
    })
}

pub fn rsvp(conn: &mut DbConn, post_id: i64, person_id: i64) -> Result<Option<Rsvp>> {
    Ok(event_rsvps::table
        .find((post_id, person_id))
        .select(Rsvp::as_select())
        .first(conn)
        .optional()?)
}

/// The answer a `Join` with this id recorded.
pub fn rsvp_by_activity(conn: &mut DbConn, activity_id: &str) -> Result<Option<Rsvp>> {
    Ok(event_rsvps::table
        .filter(event_rsvps::activity_id.eq(activity_id))
        .select(Rsvp::as_select())
        .first(conn)
        .optional()?)
}

/// Holds an event's places until the caller's write transaction ends ([`super::hold`]): taken
/// by every write that counts the people going to decide an answer (answers, an organizer's
/// decision, promotion from the waitlist), so that answers arriving together never fill more
/// places than there are.
pub fn hold_places(conn: &mut DbConn, post_id: i64) -> Result<()> {
    super::hold(conn, &format!("event places {post_id}"))
}

/// Sets a person's answer (and the id of the `Join` it came in, when one did: kept otherwise, so
/// that a later `Accept` can name it). The waitlist's order is the time of the last change.
pub fn set_rsvp(
    conn: &mut DbConn,
    post_id: i64,
    person_id: i64,
    state: RsvpState,
    activity_id: Option<&str>,
) -> Result<()> {
    let at = now();
    let row = event_rsvps::table.find((post_id, person_id));
    let changed = match activity_id {
        Some(id) => diesel::update(row)
            .set((
                event_rsvps::state.eq(state.as_str()),
                event_rsvps::activity_id.eq(id),
                event_rsvps::updated_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(row)
            .set((
                event_rsvps::state.eq(state.as_str()),
                event_rsvps::updated_at.eq(at),
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        diesel::insert_into(event_rsvps::table)
            .values((
                event_rsvps::post_id.eq(post_id),
                event_rsvps::person_id.eq(person_id),
                event_rsvps::state.eq(state.as_str()),
                event_rsvps::activity_id.eq(activity_id),
                event_rsvps::created_at.eq(at),
                event_rsvps::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// How many are in `state`, `except` one person.
pub fn count_in(
    conn: &mut DbConn,
    post_id: i64,
    state: RsvpState,
    except: Option<i64>,
) -> Result<i64> {
    let mut q = event_rsvps::table
        .filter(event_rsvps::post_id.eq(post_id))
        .filter(event_rsvps::state.eq(state.as_str()))
        .into_boxed();
    if let Some(p) = except {
        q = q.filter(event_rsvps::person_id.ne(p));
    }
    Ok(q.count().get_result(conn)?)
}

/// The first on the waitlist (who answered earliest).
pub fn first_waiting(conn: &mut DbConn, post_id: i64) -> Result<Option<Rsvp>> {
    Ok(event_rsvps::table
        .filter(event_rsvps::post_id.eq(post_id))
        .filter(event_rsvps::state.eq(RsvpState::Waitlisted.as_str()))
        .order((event_rsvps::updated_at.asc(), event_rsvps::person_id.asc()))
        .select(Rsvp::as_select())
        .first(conn)
        .optional()?)
}

/// Everyone who answered, with their names and instances' ids, in answer order: one statement.
pub fn answers(conn: &mut DbConn, post_id: i64) -> Result<Vec<(Rsvp, String, String, bool)>> {
    Ok(event_rsvps::table
        .inner_join(persons::table)
        .filter(event_rsvps::post_id.eq(post_id))
        .order((event_rsvps::updated_at.asc(), event_rsvps::person_id.asc()))
        .select((
            Rsvp::as_select(),
            persons::name,
            persons::ap_id,
            persons::local,
        ))
        .load(conn)?)
}

/// The organizers named besides the author.
pub fn organizers(conn: &mut DbConn, post_id: i64) -> Result<Vec<i64>> {
    Ok(event_organizers::table
        .filter(event_organizers::post_id.eq(post_id))
        .select(event_organizers::person_id)
        .load(conn)?)
}

pub fn set_organizers(conn: &mut DbConn, post_id: i64, people: &[i64]) -> Result<()> {
    diesel::delete(event_organizers::table.filter(event_organizers::post_id.eq(post_id)))
        .execute(conn)?;
    for person in people {
        diesel::insert_into(event_organizers::table)
            .values((
                event_organizers::post_id.eq(post_id),
                event_organizers::person_id.eq(person),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The events a person answered going, maybe or waitlisted, still to come.
pub fn answered_by(
    conn: &mut DbConn,
    person_id: i64,
    now: NaiveDateTime,
) -> Result<Vec<(Post, Event, String)>> {
    Ok(event_rsvps::table
        .inner_join(events::table.inner_join(posts::table))
        .filter(event_rsvps::person_id.eq(person_id))
        .filter(event_rsvps::state.eq_any(["going", "maybe", "waitlisted", "pending"]))
        .filter(events::ends_at.gt(now))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .order(events::starts_at.asc())
        .select((Post::as_select(), Event::as_select(), event_rsvps::state))
        .limit(200)
        .load(conn)?)
}

/// Records the notes and who came (replacing what was recorded).
pub fn record(
    conn: &mut DbConn,
    post_id: i64,
    notes_md: &str,
    notes_html: &str,
    attended: &[i64],
) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set((
            events::notes_md.eq(notes_md),
            events::notes_html.eq(notes_html),
        ))
        .execute(conn)?;
    diesel::delete(event_attendance::table.filter(event_attendance::post_id.eq(post_id)))
        .execute(conn)?;
    for person in attended {
        diesel::insert_into(event_attendance::table)
            .values((
                event_attendance::post_id.eq(post_id),
                event_attendance::person_id.eq(person),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the agenda.
pub fn set_agenda(
    conn: &mut DbConn,
    post_id: i64,
    agenda_md: &str,
    agenda_html: &str,
) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set((
            events::agenda_md.eq(agenda_md),
            events::agenda_html.eq(agenda_html),
        ))
        .execute(conn)?;
    Ok(())
}

/// Who came, by person id.
pub fn attended(conn: &mut DbConn, post_id: i64) -> Result<Vec<i64>> {
    Ok(event_attendance::table
        .filter(event_attendance::post_id.eq(post_id))
        .select(event_attendance::person_id)
        .load(conn)?)
}

/// Local people going to a scheduled event that starts in `(from, to]`, with the event's post
/// and community (for the reminders of `jobs::reminders`).
pub fn local_going_between(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<(i64, i64, i64)>> {
    let scheduled: &'static str = EventStatus::Scheduled.as_str();
    let going: &'static str = RsvpState::Going.as_str();
    Ok(events::table
        .inner_join(posts::table)
        .inner_join(event_rsvps::table.inner_join(persons::table))
        .filter(events::starts_at.gt(from))
        .filter(events::starts_at.le(to))
        .filter(events::status.eq(scheduled))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .filter(event_rsvps::state.eq(going))
        .filter(persons::local.eq(true))
        .select((events::post_id, posts::community_id, event_rsvps::person_id))
        .load(conn)?)
}

/// A member's calendar: the events of the communities they are an active member of and those they
/// answered going, maybe, waitlisted or asked, ending after `since`, within `scope` (what the
/// gate lets them read), soonest first; with their own answer. Two statements.
pub fn calendar_of(
    conn: &mut DbConn,
    person_id: i64,
    scope: crate::db::communities::Scope,
    since: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(Post, Event, Option<String>)>> {
    use crate::db::communities::{in_scope, Scope};
    use crate::domain::communities::Visibility;
    let member_of = community_members::table
        .filter(community_members::person_id.eq(person_id))
        .filter(community_members::state.eq("active"))
        .select(community_members::community_id);
    let answered = event_rsvps::table
        .filter(event_rsvps::person_id.eq(person_id))
        .filter(event_rsvps::state.eq_any(["going", "maybe", "waitlisted", "pending"]))
        .select(event_rsvps::post_id);
    let query = events::table
        .inner_join(posts::table.inner_join(communities::table))
        .filter(
            posts::community_id
                .eq_any(member_of)
                .or(events::post_id.eq_any(answered)),
        )
        .filter(events::ends_at.gt(since))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .into_boxed();
    let found: Vec<(Post, Event)> = in_scope!(query, scope)
        .order((events::starts_at.asc(), events::post_id.asc()))
        .limit(limit)
        .select((Post::as_select(), Event::as_select()))
        .load(conn)?;
    let ids: Vec<i64> = found.iter().map(|(p, _)| p.id).collect();
    let mine: std::collections::HashMap<i64, String> = event_rsvps::table
        .filter(event_rsvps::person_id.eq(person_id))
        .filter(event_rsvps::post_id.eq_any(&ids))
        .select((event_rsvps::post_id, event_rsvps::state))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(found
        .into_iter()
        .map(|(p, e)| {
            let state = mine.get(&p.id).cloned();
            (p, e, state)
        })
        .collect())
}
