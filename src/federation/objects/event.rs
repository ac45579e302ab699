//! The `Event` fields of a post (FEP-8a8e, with Mobilizon's names): what copse sends of an
//! event, and what it reads of Mobilizon's, Gancio's and other copse instances' events. They sit
//! flattened in `PostJson`, since an event is a thread.

use crate::{
    db::events::Event,
    domain::events::{self as rules, EventStatus, RemoteEventInput},
};
use activitypub_federation::protocol::helpers::deserialize_skip_error;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFields {
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub start_time: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub end_time: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub timezone: Option<String>,
    /// A `Place`, a `VirtualLocation`, or a list of them (Gancio).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub location: Option<Value>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub join_mode: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub external_participation_url: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub maximum_attendee_capacity: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub remaining_attendee_capacity: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub participant_count: Option<i64>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub event_status: Option<String>,
    /// Mobilizon's status (`CONFIRMED`, `TENTATIVE`, `CANCELLED`).
    #[serde(
        default,
        rename = "ical:status",
        deserialize_with = "deserialize_skip_error"
    )]
    pub ical_status: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub category: Option<String>,
    /// The page people open (the event page).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub url: Option<Value>,
}

/// What copse sends of a stored event. The online link goes out only when the organizers made it
/// public; `going` is the local count of people going.
pub fn outbound(event: &Event, going: i64, page: &url::Url) -> EventFields {
    let zone = rules::parse_zone(&event.timezone).unwrap_or(chrono_tz::Tz::UTC);
    let local = |t| rules::utc_to_local(t, zone).fixed_offset();
    let remaining = event.capacity.map(|c| (c - going).max(0));
    EventFields {
        start_time: Some(local(event.starts_at)),
        end_time: Some(local(event.ends_at)),
        timezone: Some(event.timezone.clone()),
        location: location(event),
        join_mode: Some(event.join_mode.clone()),
        external_participation_url: Some(event.external_url.clone()).filter(|u| !u.is_empty()),
        maximum_attendee_capacity: event.capacity,
        remaining_attendee_capacity: remaining,
        participant_count: Some(going),
        event_status: Some(event.status().schema_org().to_string()),
        ical_status: Some(
            match event.status() {
                EventStatus::Cancelled => "CANCELLED",
                EventStatus::Postponed => "TENTATIVE",
                _ => "CONFIRMED",
            }
            .to_string(),
        ),
        category: Some("MEETING".into()),
        url: Some(Value::String(page.to_string())),
    }
}

/// The `content` of an event: its description, then its agenda under a heading when it has one
/// (other servers show `content`; copse keeps no separate agenda field on the wire).
pub fn content_with_agenda(body_html: &str, event: &Event) -> String {
    if event.agenda_html.trim().is_empty() {
        return body_html.to_string();
    }
    format!("{body_html}<h2>Agenda</h2>{}", event.agenda_html)
}

/// The markdown `source` to match [`content_with_agenda`].
pub fn source_with_agenda(body_md: &str, event: &Event) -> String {
    if event.agenda_md.trim().is_empty() {
        return body_md.to_string();
    }
    format!("{body_md}\n\n## Agenda\n\n{}", event.agenda_md)
}

fn location(event: &Event) -> Option<Value> {
    let mut places = vec![];
    if !event.place_name.is_empty() || !event.place_address.is_empty() {
        let mut place = json!({"type": "Place", "name": event.place_name});
        if !event.place_address.is_empty() {
            place["address"] =
                json!({"type": "PostalAddress", "streetAddress": event.place_address});
        }
        if let (Some(lat), Some(lon)) = (event.latitude, event.longitude) {
            place["latitude"] = json!(lat);
            place["longitude"] = json!(lon);
        }
        places.push(place);
    }
    if !event.online_url.is_empty() && event.online_url_public {
        places.push(json!({"type": "VirtualLocation", "url": event.online_url}));
    }
    match places.len() {
        0 => None,
        1 => places.pop(),
        _ => Some(Value::Array(places)),
    }
}

impl EventFields {
    /// What a received `Event` says of itself (None without a start time).
    pub fn received(&self) -> RemoteEventInput {
        let mut raw = RemoteEventInput {
            starts_at: self.start_time.map(|t| t.naive_utc()),
            ends_at: self.end_time.map(|t| t.naive_utc()),
            timezone: self.timezone.clone(),
            capacity: self.maximum_attendee_capacity,
            join_mode: self.join_mode.clone(),
            external_url: self.external_participation_url.clone(),
            status: self
                .event_status
                .clone()
                .or_else(|| self.ical_status.clone()),
            participant_count: self.participant_count,
            ..RemoteEventInput::default()
        };
        let places = match &self.location {
            Some(Value::Array(items)) => items.iter().take(8).collect(),
            Some(one) => vec![one],
            None => vec![],
        };
        for place in places {
            let Some(o) = place.as_object() else { continue };
            match o.get("type").and_then(Value::as_str) {
                Some("VirtualLocation") => {
                    raw.online_url = raw.online_url.or_else(|| text(o, "url"));
                }
                _ if raw.place_name.is_empty() && raw.place_address.is_empty() => {
                    raw.place_name = text(o, "name").unwrap_or_default();
                    raw.place_address = address(o.get("address"));
                    raw.latitude = o.get("latitude").and_then(Value::as_f64);
                    raw.longitude = o.get("longitude").and_then(Value::as_f64);
                }
                _ => {}
            }
        }
        raw
    }
}

fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key).and_then(Value::as_str).map(str::to_string)
}

/// An address given as text (Gancio) or as a schema.org `PostalAddress` (Mobilizon).
fn address(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => [
            "streetAddress",
            "postalCode",
            "addressLocality",
            "addressRegion",
            "addressCountry",
        ]
        .iter()
        .filter_map(|k| o.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        _ => String::new(),
    }
}
