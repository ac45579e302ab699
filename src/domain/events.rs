//! Events and meetings: what a valid event is (times in an IANA zone, place, capacity, join
//! mode), who may schedule one, what an RSVP becomes (going, waitlisted, pending), and the
//! plain-language date line other servers show.

use crate::{
    db::communities::Community,
    domain::{
        communities::{text_enum, Role, Visibility},
        content,
    },
    error::{Error, ErrorKind, Result},
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// An event lasts at most this long (a week-long gathering fits; a typo of a year does not).
pub const MAX_DAYS: i64 = 31;
pub const MAX_CAPACITY: i64 = 100_000;
pub const MAX_PLACE: usize = 300;
pub const MAX_URL: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinMode {
    Free,
    Approval,
    Invite,
    External,
}
text_enum!(JoinMode { Free = "free", Approval = "approval", Invite = "invite", External = "external" });

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Scheduled,
    Cancelled,
    Postponed,
    MovedOnline,
}
text_enum!(EventStatus {
    Scheduled = "scheduled",
    Cancelled = "cancelled",
    Postponed = "postponed",
    MovedOnline = "moved_online"
});

impl EventStatus {
    /// For people: "moved online".
    pub fn label(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Postponed => "postponed",
            EventStatus::MovedOnline => "moved online",
        }
    }

    /// schema.org's `eventStatus` (FEP-8a8e), as Mobilizon reads it.
    pub fn schema_org(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "EventScheduled",
            EventStatus::Cancelled => "EventCancelled",
            EventStatus::Postponed => "EventPostponed",
            EventStatus::MovedOnline => "EventMovedOnline",
        }
    }

    pub fn from_schema_org(s: &str) -> Option<Self> {
        let s = s.rsplit('/').next().unwrap_or(s);
        match s {
            "EventScheduled" | "EventRescheduled" | "CONFIRMED" | "TENTATIVE" => {
                Some(EventStatus::Scheduled)
            }
            "EventCancelled" | "CANCELLED" => Some(EventStatus::Cancelled),
            "EventPostponed" => Some(EventStatus::Postponed),
            "EventMovedOnline" => Some(EventStatus::MovedOnline),
            _ => None,
        }
    }
}

/// A person's answer, and what it became: `waitlisted` is "going" when a place frees up,
/// `pending` awaits the organizers, `refused` is their no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpState {
    Going,
    Maybe,
    NotGoing,
    Waitlisted,
    Pending,
    Refused,
}
text_enum!(RsvpState {
    Going = "going",
    Maybe = "maybe",
    NotGoing = "not_going",
    Waitlisted = "waitlisted",
    Pending = "pending",
    Refused = "refused"
});

impl RsvpState {
    /// For people: "not going", "on the waiting list".
    pub fn label(self) -> &'static str {
        match self {
            RsvpState::Going => "going",
            RsvpState::Maybe => "maybe",
            RsvpState::NotGoing => "not going",
            RsvpState::Waitlisted => "on the waiting list",
            RsvpState::Pending => "asked, waiting for the organizers",
            RsvpState::Refused => "declined by the organizers",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsBy {
    Members,
    Moderators,
}
text_enum!(EventsBy { Members = "members", Moderators = "moderators" });

/// An event's details as a form or the API gives them: times are local to `timezone`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EventInput {
    /// Local start, `YYYY-MM-DDTHH:MM` (an HTML `datetime-local` value), in `timezone`.
    pub starts_at: String,
    pub ends_at: String,
    /// An IANA zone such as `Europe/Berlin`.
    pub timezone: String,
    #[serde(default)]
    pub place_name: String,
    #[serde(default)]
    pub place_address: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub online_url: String,
    /// Whether the online link is shown to everyone (default: to participants only).
    #[serde(default)]
    pub online_url_public: bool,
    #[serde(default)]
    pub capacity: Option<i64>,
    /// `free` (default), `approval`, `invite` or `external`.
    #[serde(default)]
    pub join_mode: String,
    /// Where to sign up when `join_mode` is `external`.
    #[serde(default)]
    pub external_url: String,
}

/// A valid event: times in UTC and the zone they were given in.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDetails {
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
    pub join_mode: JoinMode,
    pub external_url: String,
}

pub fn parse_zone(zone: &str) -> Result<Tz> {
    zone.trim()
        .parse::<Tz>()
        .map_err(|_| Error::invalid_field("timezone", "not a known IANA time zone"))
}

/// A local wall-clock time in `tz` as UTC. A time that does not exist (skipped by a DST change)
/// is refused; one that happens twice is the first.
pub fn local_to_utc(field: &str, local: &str, tz: Tz) -> Result<NaiveDateTime> {
    let local = local.trim();
    let parsed = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M"))
        .map_err(|_| {
            Error::invalid_field(field, "expected a local date and time YYYY-MM-DDTHH:MM")
        })?;
    tz.from_local_datetime(&parsed)
        .earliest()
        .map(|t| t.naive_utc())
        .ok_or_else(|| {
            Error::invalid_field(
                field,
                "this time does not exist in the zone (a clock change)",
            )
        })
}

/// UTC as the wall-clock time of `tz`.
pub fn utc_to_local(utc: NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    tz.from_utc_datetime(&utc)
}

/// An http(s) address, or empty; 422 on `field` otherwise.
pub fn optional_url(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    if value.len() > MAX_URL {
        return Err(Error::invalid_field(field, "too long"));
    }
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(u.to_string())
        }
        _ => Err(Error::invalid_field(
            field,
            "expected an http or https address",
        )),
    }
}

pub fn parse(input: &EventInput) -> Result<EventDetails> {
    let tz = parse_zone(&input.timezone)?;
    let starts_at = local_to_utc("starts_at", &input.starts_at, tz)?;
    let ends_at = local_to_utc("ends_at", &input.ends_at, tz)?;
    if ends_at <= starts_at {
        return Err(Error::invalid_field(
            "ends_at",
            "the end must be after the start",
        ));
    }
    if ends_at - starts_at > chrono::Duration::days(MAX_DAYS) {
        return Err(Error::invalid_field(
            "ends_at",
            format_args!("an event lasts at most {MAX_DAYS} days"),
        ));
    }
    let place_name = content::plain_line("place_name", &input.place_name, 0, MAX_PLACE)?;
    let place_address = content::plain_line("place_address", &input.place_address, 0, MAX_PLACE)?;
    let (latitude, longitude) = match (input.latitude, input.longitude) {
        (None, None) => (None, None),
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            (Some(lat), Some(lon))
        }
        _ => {
            return Err(Error::invalid_field(
                "latitude",
                "give both latitude (-90..90) and longitude (-180..180), or neither",
            ))
        }
    };
    let online_url = optional_url("online_url", &input.online_url)?;
    if let Some(c) = input.capacity {
        if !(1..=MAX_CAPACITY).contains(&c) {
            return Err(Error::invalid_field(
                "capacity",
                format_args!("a capacity is between 1 and {MAX_CAPACITY} (or none)"),
            ));
        }
    }
    let join_mode = match input.join_mode.trim() {
        "" => JoinMode::Free,
        other => JoinMode::parse(other).ok_or_else(|| {
            Error::invalid_field("join_mode", "one of free, approval, invite, external")
        })?,
    };
    let external_url = optional_url("external_url", &input.external_url)?;
    if join_mode == JoinMode::External && external_url.is_empty() {
        return Err(Error::invalid_field(
            "external_url",
            "an external join mode needs the address where people sign up",
        ));
    }
    Ok(EventDetails {
        starts_at,
        ends_at,
        timezone: tz.name().to_string(),
        place_name,
        place_address,
        latitude,
        longitude,
        online_url,
        online_url_public: input.online_url_public,
        capacity: input.capacity,
        join_mode,
        external_url,
    })
}

/// A received `Event`'s details, checked as a local event's are (a remote server's event that
/// makes no sense is stored as a plain thread).
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    pub details: EventDetails,
    pub status: EventStatus,
    pub participant_count: i64,
}

/// What a remote server said of its event, raw.
#[derive(Debug, Clone, Default)]
pub struct RemoteEventInput {
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub timezone: Option<String>,
    pub place_name: String,
    pub place_address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub join_mode: Option<String>,
    pub external_url: Option<String>,
    pub status: Option<String>,
    pub participant_count: Option<i64>,
}

/// A remote event's details, bounded and made sense of (remote content is untrusted): None
/// without a start. No end is two hours; an unknown zone is UTC; text is cut to our limits;
/// Mobilizon's capacity 0 means none.
pub fn received(raw: RemoteEventInput) -> Option<ReceivedEvent> {
    let starts_at = raw.starts_at?;
    let ends_at = raw
        .ends_at
        .filter(|e| *e > starts_at && *e - starts_at <= chrono::Duration::days(MAX_DAYS))
        .unwrap_or(starts_at + chrono::Duration::hours(2));
    let cut = |s: &str| -> String {
        let plain = content::html_to_text(s);
        plain.trim().chars().take(MAX_PLACE).collect()
    };
    let url_or_empty = |u: Option<String>| {
        u.and_then(|u| optional_url("url", &u).ok())
            .unwrap_or_default()
    };
    let (latitude, longitude) = match (raw.latitude, raw.longitude) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            (Some(lat), Some(lon))
        }
        _ => (None, None),
    };
    let external_url = url_or_empty(raw.external_url);
    let join_mode = match raw.join_mode.as_deref().and_then(JoinMode::parse) {
        Some(JoinMode::External) if external_url.is_empty() => JoinMode::Free,
        Some(m) => m,
        None if !external_url.is_empty() => JoinMode::External,
        None => JoinMode::Free,
    };
    let timezone = raw
        .timezone
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
        .name()
        .to_string();
    Some(ReceivedEvent {
        details: EventDetails {
            starts_at,
            ends_at,
            timezone,
            place_name: cut(&raw.place_name),
            place_address: cut(&raw.place_address),
            latitude,
            longitude,
            online_url: url_or_empty(raw.online_url),
            online_url_public: true,
            capacity: raw.capacity.filter(|c| (1..=MAX_CAPACITY).contains(c)),
            join_mode,
            external_url,
        },
        status: raw
            .status
            .as_deref()
            .and_then(EventStatus::from_schema_org)
            .unwrap_or(EventStatus::Scheduled),
        participant_count: raw
            .participant_count
            .unwrap_or(0)
            .clamp(0, i64::from(u32::MAX)),
    })
}

/// Who may schedule an event in a community: its members (or moderators only, as it says).
pub fn may_schedule(community: &Community, role: Option<Role>) -> Result<()> {
    let by = EventsBy::parse(&community.events_by).unwrap_or(EventsBy::Members);
    let allowed = match by {
        EventsBy::Members => role.is_some(),
        EventsBy::Moderators => role.is_some_and(Role::moderates),
    };
    if allowed {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "not_allowed",
        match by {
            EventsBy::Members => "join the community to schedule events in it",
            EventsBy::Moderators => "only moderators schedule events in this community",
        },
    ))
}

/// Who may answer an event: anyone in a public community, members in a private one.
pub fn may_answer(community: &Community, role: Option<Role>) -> Result<()> {
    if community.visibility() == Visibility::Private && role.is_none() {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "not_a_member",
            "only members answer this community's events",
        ));
    }
    Ok(())
}

/// What an event is now, for an RSVP.
#[derive(Debug, Clone, Copy)]
pub struct Answerable {
    pub status: EventStatus,
    pub ends_at: NaiveDateTime,
    pub join_mode: JoinMode,
    pub capacity: Option<i64>,
    /// People going now, the asker excluded.
    pub going_others: i64,
}

/// What a person's answer becomes: `going` is waitlisted when the event is full, pending in
/// approval mode; an answer already accepted stays accepted. `now` is UTC.
pub fn answer(
    event: &Answerable,
    wanted: RsvpState,
    current: Option<RsvpState>,
    now: NaiveDateTime,
) -> Result<RsvpState> {
    if !matches!(
        wanted,
        RsvpState::Going | RsvpState::Maybe | RsvpState::NotGoing
    ) {
        return Err(Error::invalid_field(
            "state",
            "one of going, maybe, not_going",
        ));
    }
    if wanted == RsvpState::NotGoing {
        return Ok(RsvpState::NotGoing);
    }
    if event.status == EventStatus::Cancelled {
        return Err(closed("this event is cancelled"));
    }
    if event.ends_at <= now {
        return Err(closed("this event is over"));
    }
    match event.join_mode {
        JoinMode::External => {
            return Err(closed(
                "people sign up for this event at its external address",
            ))
        }
        JoinMode::Invite if current.is_none() || current == Some(RsvpState::NotGoing) => {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "invite_only",
                "only people the organizers invite answer this event",
            ))
        }
        _ => {}
    }
    if current == Some(RsvpState::Refused) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "refused",
            "the organizers declined your participation",
        ));
    }
    if wanted == RsvpState::Maybe {
        return Ok(RsvpState::Maybe);
    }
    // An answer already holding a place, or waiting for one, stays as it is.
    if let Some(kept @ (RsvpState::Going | RsvpState::Waitlisted | RsvpState::Pending)) = current {
        return Ok(kept);
    }
    if event.join_mode == JoinMode::Approval {
        return Ok(RsvpState::Pending);
    }
    Ok(match event.capacity {
        Some(cap) if event.going_others >= cap => RsvpState::Waitlisted,
        _ => RsvpState::Going,
    })
}

fn closed(message: &'static str) -> Error {
    Error::new(ErrorKind::Conflict, "event_closed", message)
}

/// The plain-language line other servers show (Mastodon shows only `name` and `summary` of an
/// Event): "Thu 12 Mar 2026, 19:00 CET (Europe/Berlin), The Hall, online".
pub fn when_line(
    starts_at: NaiveDateTime,
    zone: &str,
    place_name: &str,
    online: bool,
    status: EventStatus,
) -> String {
    let mut line = match zone.parse::<Tz>() {
        Ok(tz) => {
            let local = utc_to_local(starts_at, tz);
            format!("{} ({})", local.format("%a %-d %b %Y, %H:%M %Z"), tz.name())
        }
        Err(_) => format!("{} UTC", starts_at.format("%a %-d %b %Y, %H:%M")),
    };
    if !place_name.is_empty() {
        line.push_str(", ");
        line.push_str(place_name);
    }
    if online {
        line.push_str(", online");
    }
    match status {
        EventStatus::Cancelled => format!("Cancelled: {line}"),
        EventStatus::Postponed => format!("Postponed: {line}"),
        _ => line,
    }
}

/// Now, as stored times are (UTC, no zone).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn input(start: &str, end: &str, zone: &str) -> EventInput {
        EventInput {
            starts_at: start.into(),
            ends_at: end.into(),
            timezone: zone.into(),
            ..EventInput::default()
        }
    }

    #[test]
    fn local_times_become_utc_in_their_zone_across_a_dst_change() {
        // Berlin is UTC+1 in winter, UTC+2 in summer: 19:00 local both times.
        let winter = parse(&input(
            "2026-03-12T19:00",
            "2026-03-12T21:00",
            "Europe/Berlin",
        ))
        .unwrap();
        let summer = parse(&input(
            "2026-04-09T19:00",
            "2026-04-09T21:00",
            "Europe/Berlin",
        ))
        .unwrap();
        assert_eq!(winter.starts_at.format("%H:%M").to_string(), "18:00");
        assert_eq!(summer.starts_at.format("%H:%M").to_string(), "17:00");
        // 02:30 on the spring-forward night does not exist in Berlin.
        let gap = parse(&input(
            "2026-03-29T02:30",
            "2026-03-29T04:00",
            "Europe/Berlin",
        ));
        assert_eq!(gap.unwrap_err().code, "invalid_field");
    }

    #[test]
    fn bad_events_are_refused_by_field() {
        let field = |i: &EventInput| parse(i).unwrap_err().field.clone();
        let mut i = input("2026-03-12T19:00", "2026-03-12T18:00", "Europe/Berlin");
        assert_eq!(field(&i).as_deref(), Some("ends_at"));
        i = input("2026-03-12T19:00", "2026-03-12T20:00", "Mars/Olympus");
        assert_eq!(field(&i).as_deref(), Some("timezone"));
        i = input("2026-03-12T19:00", "2026-03-12T20:00", "UTC");
        i.capacity = Some(0);
        assert_eq!(field(&i).as_deref(), Some("capacity"));
        i.capacity = None;
        i.join_mode = "external".into();
        assert_eq!(field(&i).as_deref(), Some("external_url"));
        i.join_mode = "free".into();
        i.online_url = "javascript:alert(1)".into();
        assert_eq!(field(&i).as_deref(), Some("online_url"));
    }

    #[test]
    fn going_is_waitlisted_when_full_and_pending_in_approval_mode() {
        let now = now();
        let mut event = Answerable {
            status: EventStatus::Scheduled,
            ends_at: now + chrono::Duration::days(1),
            join_mode: JoinMode::Free,
            capacity: Some(2),
            going_others: 1,
        };
        assert_eq!(
            answer(&event, RsvpState::Going, None, now).unwrap(),
            RsvpState::Going
        );
        event.going_others = 2;
        assert_eq!(
            answer(&event, RsvpState::Going, None, now).unwrap(),
            RsvpState::Waitlisted
        );
        // Someone already going stays going when the event fills up.
        let kept = answer(&event, RsvpState::Going, Some(RsvpState::Going), now).unwrap();
        assert_eq!(kept, RsvpState::Going);
        event.join_mode = JoinMode::Approval;
        assert_eq!(
            answer(&event, RsvpState::Going, None, now).unwrap(),
            RsvpState::Pending
        );
        event.status = EventStatus::Cancelled;
        assert_eq!(
            answer(&event, RsvpState::Going, None, now)
                .unwrap_err()
                .code,
            "event_closed"
        );
        // Not going is always possible.
        assert_eq!(
            answer(&event, RsvpState::NotGoing, None, now).unwrap(),
            RsvpState::NotGoing
        );
    }

    #[test]
    fn the_when_line_names_the_local_time_and_zone() {
        let e = parse(&input(
            "2026-03-12T19:00",
            "2026-03-12T21:00",
            "Europe/Berlin",
        ))
        .unwrap();
        let line = when_line(e.starts_at, &e.timezone, "", true, EventStatus::Scheduled);
        assert_eq!(line, "Thu 12 Mar 2026, 19:00 CET (Europe/Berlin), online");
    }
}
