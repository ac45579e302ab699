//! iCalendar (RFC 5545) of events, with the icalendar crate: a community's calendar and one
//! event's. Times are UTC (`...Z`), so no VTIMEZONE is needed; each event's `UID` is stable
//! (`event-{id}@{host}`), a cancelled one is `STATUS:CANCELLED`, and `SEQUENCE` follows its
//! edits so calendar apps replace the copy they hold.

use crate::db::{events::Event, posts::Post};
use crate::domain::events::EventStatus;
use icalendar::{Calendar, Component, EventLike};

/// What one calendar entry needs.
pub struct Entry<'a> {
    pub post: &'a Post,
    pub event: &'a Event,
    /// The online link when everyone may see it.
    pub online_url: Option<&'a str>,
}

/// A calendar named `name` with `entries`; `base` is our origin (`https://host`), `host` our
/// hostname.
pub fn calendar(name: &str, entries: &[Entry<'_>], base: &str, host: &str) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for entry in entries {
        calendar.push(component(entry, base, host));
    }
    calendar.done().to_string()
}

fn component(entry: &Entry<'_>, base: &str, host: &str) -> icalendar::Event {
    let (post, event) = (entry.post, entry.event);
    let mut c = icalendar::Event::new();
    c.uid(&format!("event-{}@{host}", post.id))
        .summary(&post.title)
        .starts(event.starts_at.and_utc())
        .ends(event.ends_at.and_utc())
        .timestamp(post.updated.unwrap_or(post.published).and_utc())
        .url(&format!("{base}/events/{}", post.id))
        .status(match event.status() {
            EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
            EventStatus::Postponed => icalendar::EventStatus::Tentative,
            _ => icalendar::EventStatus::Confirmed,
        });
    // Seconds since publication of the last edit: grows with each edit, fits u32 for a century.
    let sequence = post
        .updated
        .map(|u| {
            (u - post.published)
                .num_seconds()
                .clamp(0, i64::from(u32::MAX))
        })
        .unwrap_or(0);
    c.sequence(u32::try_from(sequence).unwrap_or(0));
    let place = [event.place_name.as_str(), event.place_address.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    match (place.is_empty(), entry.online_url) {
        (false, _) => {
            c.location(&place);
        }
        (true, Some(link)) => {
            c.location(link);
        }
        (true, None) => {}
    }
    let mut description = post.body_md.clone();
    if let Some(link) = entry.online_url {
        description.push_str(&format!("\n\nOnline: {link}"));
    }
    description.push_str(&format!("\n\n{base}/events/{}", post.id));
    c.description(description.trim());
    c.done()
}
