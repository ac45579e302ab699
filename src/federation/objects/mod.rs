//! ActivityPub objects: wire structs with ActivityStreams names, and the library's `Object` /
//! `Actor` traits implemented on our database types.

pub mod attachment;
pub mod event;
pub mod group;
pub mod instance;
pub mod page;
pub mod person;
pub mod poll;
pub mod post;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

/// The JSON-LD context of everything we serve: ActivityStreams, security, and the extension
/// terms Lemmy and Mastodon use (`postingRestrictedToMods`, `discoverable`, `PropertyValue`).
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "lemmy": "https://join-lemmy.org/ns#",
            "toot": "http://joinmastodon.org/ns#",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "discoverable": "toot:discoverable",
            "votersCount": "toot:votersCount",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "sensitive": "as:sensitive",
            "copse": "https://w3id.org/copse#",
            "joiningQuestions": { "@id": "copse:joiningQuestions", "@container": "@list" },
            "digestPeriod": "copse:digestPeriod",
            "libraryRevision": "copse:libraryRevision",
            "revisionSummary": "copse:revisionSummary",
            "communityLinks": { "@id": "copse:communityLinks", "@container": "@set" },
            "relation": "copse:relation",
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "mz": "https://joinmobilizon.org/ns#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "timezone": { "@id": "mz:timezone", "@type": "schema:Text" },
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "externalParticipationUrl": { "@id": "mz:externalParticipationUrl", "@type": "schema:URL" },
            "participantCount": { "@id": "mz:participantCount", "@type": "schema:Integer" },
            "maximumAttendeeCapacity": "schema:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "schema:remainingAttendeeCapacity",
            "eventStatus": { "@id": "schema:eventStatus", "@type": "@id" },
            "category": "schema:category",
            "location": { "@id": "schema:location", "@type": "schema:Place" },
            "address": { "@id": "schema:address", "@type": "schema:PostalAddress" },
            "PostalAddress": "schema:PostalAddress",
            "streetAddress": "schema:streetAddress",
        }
    ])
}

/// The markdown a `summary` or `content` was rendered from.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: String,
}

impl Source {
    pub fn markdown(content: impl Into<String>) -> Self {
        Source {
            content: content.into(),
            media_type: "text/markdown".into(),
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: Option<Url>,
}

/// A profile field (Mastodon shows these as a table on the profile).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// HTML.
    pub value: String,
}

impl PropertyValue {
    pub fn new(name: &str, html: String) -> Self {
        PropertyValue {
            kind: "PropertyValue".into(),
            name: name.into(),
            value: html,
        }
    }
}

/// A list of JSON values given as a list or as one value (a lone tag, for instance); never
/// fails, so one odd field does not reject the whole object.
pub fn deserialize_values<'de, D>(deserializer: D) -> Result<Vec<serde_json::Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Null => Vec::new(),
        one => vec![one],
    })
}
