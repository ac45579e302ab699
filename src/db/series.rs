//! Meeting series (`event_series`) and their occurrences (events whose `series_id` is set).

use super::{
    now,
    posts::Post,
    schema::{event_series, events, posts},
    DbConn,
};
use crate::{
    db::events::Event,
    domain::{events::EventDetails, series::Recurrence},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored series: the template of its occurrences and its rule.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_series)]
pub struct Series {
    pub id: i64,
    pub community_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body_md: String,
    pub rrule: String,
    pub exdates: String,
    pub first_local: NaiveDateTime,
    pub duration_minutes: i64,
    pub timezone: String,
    pub place_name: String,
    pub place_address: String,
    pub online_url: String,
    pub online_url_public: bool,
    pub capacity: Option<i64>,
    pub join_mode: String,
    pub external_url: String,
    pub finished: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Series {
    /// The stored rule as a recurrence (None if its zone is no longer known).
    pub fn recurrence(&self) -> Option<Recurrence> {
        Some(Recurrence {
            rrule: self.rrule.clone(),
            exdates: self
                .exdates
                .lines()
                .filter_map(|l| chrono::NaiveDate::parse_from_str(l.trim(), "%Y-%m-%d").ok())
                .collect(),
            first_local: self.first_local,
            tz: self.timezone.parse().ok()?,
            duration: chrono::Duration::minutes(self.duration_minutes),
        })
    }

    /// The details of the occurrence starting at `start` (UTC).
    pub fn details_at(&self, start: NaiveDateTime) -> Result<EventDetails> {
        use crate::domain::events::JoinMode;
        Ok(EventDetails {
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(self.duration_minutes),
            timezone: self.timezone.clone(),
            place_name: self.place_name.clone(),
            place_address: self.place_address.clone(),
            latitude: None,
            longitude: None,
            online_url: self.online_url.clone(),
            online_url_public: self.online_url_public,
            capacity: self.capacity,
            join_mode: JoinMode::parse(&self.join_mode).unwrap_or(JoinMode::Free),
            external_url: self.external_url.clone(),
        })
    }
}

/// The template columns, written together on insert and on update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = event_series, treat_none_as_null = true)]
struct Template<'a> {
    title: &'a str,
    body_md: &'a str,
    rrule: &'a str,
    exdates: String,
    first_local: NaiveDateTime,
    duration_minutes: i64,
    timezone: &'a str,
    place_name: &'a str,
    place_address: &'a str,
    online_url: &'a str,
    online_url_public: bool,
    capacity: Option<i64>,
    join_mode: &'a str,
    external_url: &'a str,
    finished: bool,
    updated_at: NaiveDateTime,
}

impl<'a> Template<'a> {
    fn of(title: &'a str, body: &'a str, d: &'a EventDetails, r: &'a Recurrence) -> Self {
        Template {
            title,
            body_md: body,
            rrule: &r.rrule,
            exdates: r.exdates_text(),
            first_local: r.first_local,
            duration_minutes: r.duration.num_minutes(),
            timezone: &d.timezone,
            place_name: &d.place_name,
            place_address: &d.place_address,
            online_url: &d.online_url,
            online_url_public: d.online_url_public,
            capacity: d.capacity,
            join_mode: d.join_mode.as_str(),
            external_url: &d.external_url,
            finished: false,
            updated_at: now(),
        }
    }
}

/// Stores a new series; its id.
pub fn insert(
    conn: &mut DbConn,
    community_id: i64,
    author_id: i64,
    title: &str,
    body: &str,
    d: &EventDetails,
    r: &Recurrence,
) -> Result<i64> {
    let at = now();
    diesel::insert_into(event_series::table)
        .values((
            event_series::community_id.eq(community_id),
            event_series::author_id.eq(author_id),
            event_series::created_at.eq(at),
            Template::of(title, body, d, r),
        ))
        .execute(conn)?;
    Ok(event_series::table
        .filter(event_series::community_id.eq(community_id))
        .filter(event_series::author_id.eq(author_id))
        .order(event_series::id.desc())
        .select(event_series::id)
        .first(conn)?)
}

/// Replaces a series' template and rule.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    title: &str,
    body: &str,
    d: &EventDetails,
    r: &Recurrence,
) -> Result<()> {
    diesel::update(event_series::table.find(id))
        .set(Template::of(title, body, d, r))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Option<Series>> {
    Ok(event_series::table
        .find(id)
        .select(Series::as_select())
        .first(conn)
        .optional()?)
}

/// The series still producing occurrences, in id order, from `after` on (for the job's pages).
pub fn active(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<Series>> {
    Ok(event_series::table
        .filter(event_series::finished.eq(false))
        .filter(event_series::id.gt(after))
        .order(event_series::id.asc())
        .limit(limit)
        .select(Series::as_select())
        .load(conn)?)
}

pub fn set_finished(conn: &mut DbConn, id: i64) -> Result<()> {
    diesel::update(event_series::table.find(id))
        .set(event_series::finished.eq(true))
        .execute(conn)?;
    Ok(())
}

/// A community's series, newest first.
pub fn in_community(conn: &mut DbConn, community_id: i64) -> Result<Vec<Series>> {
    Ok(event_series::table
        .filter(event_series::community_id.eq(community_id))
        .order(event_series::id.desc())
        .limit(100)
        .select(Series::as_select())
        .load(conn)?)
}

/// A series' occurrences (deleted threads too: their place in the rule stays taken), by start.
pub fn occurrences(conn: &mut DbConn, series_id: i64) -> Result<Vec<(Post, Event)>> {
    Ok(events::table
        .inner_join(posts::table)
        .filter(events::series_id.eq(series_id))
        .order((events::starts_at.asc(), events::post_id.asc()))
        .select((Post::as_select(), Event::as_select()))
        .load(conn)?)
}

/// Marks the event `post_id` as an occurrence of `series_id` that the rule placed at `start`.
pub fn attach(
    conn: &mut DbConn,
    post_id: i64,
    series_id: i64,
    start: Option<NaiveDateTime>,
) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set((
            events::series_id.eq(series_id),
            events::series_start.eq(start),
        ))
        .execute(conn)?;
    Ok(())
}

/// An organizer changed this one occurrence: the series' edits leave it alone from now on.
pub fn detach(conn: &mut DbConn, post_id: i64) -> Result<()> {
    diesel::update(events::table.find(post_id))
        .set(events::detached.eq(true))
        .execute(conn)?;
    Ok(())
}
