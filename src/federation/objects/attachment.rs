//! `attachment` on the wire: what copse reads of other servers' (a `Link` with `href`; a
//! `Document`, `Image`, `Video` or `Audio` with `url` as a string, a `Link` or a list of them:
//! Mobilizon, Lemmy, Mastodon, Pleroma, WordPress, lotide) and the `Link`s it sends for a
//! library page's resources. Anything else (`PropertyValue`, unknown types, malformed entries)
//! is skipped; what is kept is bounded by `domain::attachments`.

use crate::domain::attachments::{self, Attachment};
use serde_json::{json, Value};

/// The attachment types whose address we keep.
const KEPT: &[&str] = &["Link", "Document", "Image", "Video", "Audio"];

/// The attachments of an `attachment` list as copse keeps them.
pub fn received(list: &[Value]) -> Vec<Attachment> {
    attachments::bounded_list(list.iter().filter_map(one))
}

fn one(value: &Value) -> Option<Attachment> {
    let kind = value.get("type").and_then(Value::as_str)?;
    if !KEPT.contains(&kind) {
        return None;
    }
    let mut addresses = Vec::new();
    match kind {
        "Link" => addresses.extend(value.get("href").and_then(Value::as_str)),
        _ => {
            if let Some(url) = value.get("url") {
                addresses_in(url, &mut addresses);
            }
            addresses.extend(value.get("href").and_then(Value::as_str));
        }
    }
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let media_type = text("mediaType").or_else(|| match value.get("url") {
        Some(Value::Object(link)) => link.get("mediaType").and_then(Value::as_str),
        _ => None,
    });
    addresses
        .into_iter()
        .find_map(|address| Attachment::bounded(address, text("name"), media_type))
}

/// The addresses a `url` gives: a string, a `Link` object's `href`, or those of a list of
/// them (the first ten, not nested further).
fn addresses_in<'a>(url: &'a Value, found: &mut Vec<&'a str>) {
    match url {
        Value::String(s) => found.push(s),
        Value::Object(link) => found.extend(link.get("href").and_then(Value::as_str)),
        Value::Array(items) => {
            for item in items.iter().take(10) {
                if !item.is_array() {
                    addresses_in(item, found);
                }
            }
        }
        _ => {}
    }
}

/// A `Link` as copse sends one: `href`, the name, and the media type when known.
pub fn link(href: &str, name: &str, media_type: Option<&str>) -> Value {
    let mut link = json!({"type": "Link", "href": href, "name": name});
    if let Some(media_type) = media_type.filter(|m| !m.is_empty()) {
        link["mediaType"] = json!(media_type);
    }
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_documents_and_images_are_read_and_the_rest_skipped() {
        let list = serde_json::json!([
            {"type": "Link", "href": "https://a.example/", "name": "A", "mediaType": "text/html"},
            {"type": "Document", "url": "https://b.example/b.png", "mediaType": "image/png"},
            {"type": "Image", "url": {"type": "Link", "href": "https://c.example/c.jpg",
                "mediaType": "image/jpeg"}},
            {"type": "Video", "url": [{"type": "Link", "href": "javascript:x"},
                "https://d.example/d.mp4"]},
            {"type": "PropertyValue", "name": "Site", "value": "https://e.example/"},
            {"type": "Link", "href": "javascript:alert(1)"},
            {"type": "Document", "url": 7},
            "https://f.example/",
            {"href": "https://g.example/"}
        ]);
        let kept = received(list.as_array().map(Vec::as_slice).unwrap_or_default());
        let urls: Vec<&str> = kept.iter().map(|a| a.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://a.example/",
                "https://b.example/b.png",
                "https://c.example/c.jpg",
                "https://d.example/d.mp4"
            ]
        );
        assert_eq!(kept[0].name, "A");
        assert_eq!(kept[2].media_type, "image/jpeg");
    }
}
