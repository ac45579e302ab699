//! The `Question` fields of a post (Mastodon's poll, FEP-9967): `oneOf`/`anyOf` (each option a
//! `Note` with a `name` and `replies.totalItems`), `closed`, `votersCount`; the closing time is
//! `endTime`, which an `Event` has too (so it is read and written through `EventFields`). They
//! sit flattened in `PostJson`, since a poll is a thread.

use crate::{
    db::polls::{Poll, PollOption},
    domain::polls::{self as rules, ReceivedPoll},
};
use activitypub_federation::protocol::helpers::deserialize_skip_error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionFields {
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub one_of: Option<Vec<Choice>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub any_of: Option<Vec<Choice>>,
    /// When it closed (Mastodon sends a time; some send `true`).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub closed: Option<Value>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub voters_count: Option<i64>,
}

/// One option: a `Note` with its text as `name` and its votes as `replies.totalItems`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Choice {
    #[serde(rename = "type", default = "note")]
    pub kind: String,
    pub name: String,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub replies: Option<Replies>,
}

fn note() -> String {
    "Note".into()
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replies {
    #[serde(rename = "type", default = "collection")]
    pub kind: String,
    #[serde(default)]
    pub total_items: i64,
}

fn collection() -> String {
    "Collection".into()
}

impl QuestionFields {
    /// What copse sends of a stored poll (`endTime` goes in the event fields).
    pub fn outbound(poll: &Poll, options: &[PollOption], now: chrono::NaiveDateTime) -> Self {
        let choices: Vec<Choice> = options
            .iter()
            .map(|o| Choice {
                kind: note(),
                name: o.name.clone(),
                replies: Some(Replies {
                    kind: collection(),
                    total_items: o.votes,
                }),
            })
            .collect();
        let closed = poll
            .closes_at
            .filter(|_| rules::is_closed(poll.closes_at, now))
            .map(|at| Value::String(at.and_utc().to_rfc3339()));
        QuestionFields {
            one_of: (!poll.multiple).then(|| choices.clone()),
            any_of: poll.multiple.then_some(choices),
            closed,
            voters_count: Some(poll.voters_count),
        }
    }

    /// The poll a received `Question` carries (`end_time` from its `endTime`), if it is one we
    /// can keep. A `closed` time before `endTime` closes it then.
    pub fn received(&self, end_time: Option<DateTime<Utc>>) -> Option<ReceivedPoll> {
        let (choices, multiple) = match (&self.one_of, &self.any_of) {
            (Some(one), _) if !one.is_empty() => (one, false),
            (_, Some(any)) => (any, true),
            _ => return None,
        };
        let closed = match &self.closed {
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            Some(Value::Bool(true)) => Some(end_time.unwrap_or_else(Utc::now).min(Utc::now())),
            _ => None,
        };
        let closes_at = match (end_time, closed) {
            (Some(end), Some(closed)) => Some(end.min(closed)),
            (end, closed) => end.or(closed),
        };
        let options = choices
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.replies.as_ref().map_or(0, |r| r.total_items),
                )
            })
            .collect();
        rules::received(
            options,
            multiple,
            closes_at.map(|t| t.naive_utc()),
            self.voters_count,
        )
    }
}

/// The text of a poll's options, for receivers that show a `Question` (or its `Page` form) as
/// an ordinary post: one line each, in the content's HTML.
pub fn options_html(options: &[PollOption]) -> String {
    let items: String = options
        .iter()
        .map(|o| format!("<li>{}</li>", crate::domain::content::escape_html(&o.name)))
        .collect();
    format!("<ul>{items}</ul>")
}

/// `html` without a last `<ul>` listing exactly `options` in order (what `options_html` adds
/// to the content); any other `html` as it is.
pub fn without_options_list(html: &str, options: &[(String, i64)]) -> String {
    let body = html.trim_end();
    let Some(start) = body.rfind("<ul") else {
        return html.to_string();
    };
    let list = &body[start..];
    if !list.ends_with("</ul>") || list[3..].contains("<ul") {
        return html.to_string();
    }
    let items: Vec<String> = list
        .split("<li")
        .skip(1)
        .map(|item| {
            let inner = item.split_once('>').map_or("", |(_, rest)| rest);
            let inner = inner.split("</li>").next().unwrap_or("");
            crate::domain::content::html_to_text(inner)
                .trim()
                .to_string()
        })
        .collect();
    let names: Vec<&str> = options.iter().map(|(n, _)| n.as_str()).collect();
    if items != names {
        return html.to_string();
    }
    body[..start].trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(names: &[&str]) -> Vec<(String, i64)> {
        names.iter().map(|n| (n.to_string(), 0)).collect()
    }

    #[test]
    fn the_options_list_copse_appends_is_left_out_once() {
        let html = "<p>Pick one</p><ul><li>Tea &amp; milk</li><li>Coffee</li></ul>";
        let two = options(&["Tea & milk", "Coffee"]);
        assert_eq!(without_options_list(html, &two), "<p>Pick one</p>");
        // Another list, or the options in another order, stays.
        let other = options(&["Coffee", "Tea & milk"]);
        assert_eq!(without_options_list(html, &other), html);
        let text = "<p>Pick one</p><ul><li>a</li></ul><p>after</p>";
        assert_eq!(without_options_list(text, &options(&["a"])), text);
    }
}
