//! Attachments other servers send with a post, a reply or a library page (`attachment`: links,
//! documents, images): what of them is kept. Remote input, so everything is bounded: at most
//! [`MAX_ATTACHMENTS`] per object, only http(s) addresses, names as plain text cut to
//! [`MAX_NAME`] characters, a media type only when it looks like one. One bad attachment is
//! dropped, never the object that carries it.

use url::Url;

/// Attachments kept per object; the rest are dropped (the transport cap is 50, `limits`).
pub const MAX_ATTACHMENTS: usize = 20;
/// Longest address kept (bytes); a longer one drops its attachment.
pub const MAX_URL: usize = 2_000;
/// Longest name kept (characters); a longer one is cut.
pub const MAX_NAME: usize = 300;
/// Longest media type kept (bytes); a longer one is left out.
pub const MAX_MEDIA_TYPE: usize = 100;

/// One attachment as stored and shown: an http(s) address, a name (may be empty) and a media
/// type (may be empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub url: String,
    pub name: String,
    pub media_type: String,
}

impl Attachment {
    /// An attachment from what was sent, or None when its address is not one we link to.
    pub fn bounded(url: &str, name: Option<&str>, media_type: Option<&str>) -> Option<Attachment> {
        let url = url.trim();
        if url.len() > MAX_URL {
            return None;
        }
        let parsed = Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return None;
        }
        Some(Attachment {
            url: parsed.to_string(),
            name: name.map(plain_name).unwrap_or_default(),
            media_type: media_type.and_then(media_type_of).unwrap_or_default(),
        })
    }

    /// The link's text: the name, or else the address's host.
    pub fn label(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| self.url.clone())
    }
}

/// Keeps the first [`MAX_ATTACHMENTS`] of `found`, each address once.
pub fn bounded_list(found: impl IntoIterator<Item = Attachment>) -> Vec<Attachment> {
    let mut kept: Vec<Attachment> = Vec::new();
    for a in found {
        if kept.len() == MAX_ATTACHMENTS {
            break;
        }
        if !kept.iter().any(|k| k.url == a.url) {
            kept.push(a);
        }
    }
    kept
}

/// A name as one line of plain text (markup and control characters gone, spaces folded), cut
/// to [`MAX_NAME`] characters.
fn plain_name(sent: &str) -> String {
    let text = super::content::html_to_text(sent);
    let folded = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    folded.chars().take(MAX_NAME).collect()
}

/// `type/subtype` (with parameters dropped), lowercased, when it is one.
fn media_type_of(sent: &str) -> Option<String> {
    let essence = sent.split(';').next()?.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let (kind, sub) = essence.split_once('/')?;
    (essence.len() <= MAX_MEDIA_TYPE && token(kind) && token(sub)).then_some(essence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_addresses_are_kept() {
        assert!(Attachment::bounded("javascript:alert(1)", None, None).is_none());
        assert!(Attachment::bounded("data:text/html,hi", None, None).is_none());
        assert!(Attachment::bounded("ftp://files.example/a", None, None).is_none());
        assert!(Attachment::bounded("not a url", None, None).is_none());
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL));
        assert!(Attachment::bounded(&long, None, None).is_none());
        let a = Attachment::bounded(" https://x.example/a ", None, None);
        assert_eq!(a.map(|a| a.label()), Some("x.example".to_string()));
    }

    #[test]
    fn names_and_types_are_bounded() {
        let name = format!("<b>Big</b>\n{}", "é".repeat(1_000));
        let a = Attachment::bounded("https://x.example/", Some(&name), Some("Image/PNG; q=1"));
        let a = a.unwrap_or_else(|| panic!("kept"));
        assert_eq!(a.name.chars().count(), MAX_NAME);
        assert!(a.name.starts_with("Big é"), "{}", a.name);
        assert_eq!(a.media_type, "image/png");
        let odd = Attachment::bounded("https://x.example/", None, Some("<script>"));
        assert_eq!(odd.map(|a| a.media_type), Some(String::new()));
    }

    #[test]
    fn a_list_keeps_twenty_distinct_addresses() {
        let many = (0..30).map(|i| {
            let url = format!("https://x.example/{}", i / 2);
            Attachment::bounded(&url, None, None).unwrap_or_else(|| panic!("kept"))
        });
        let kept = bounded_list(many);
        assert_eq!(kept.len(), 15);
        let more = (0..50).map(|i| {
            let url = format!("https://x.example/{i}");
            Attachment::bounded(&url, None, None).unwrap_or_else(|| panic!("kept"))
        });
        assert_eq!(bounded_list(more).len(), MAX_ATTACHMENTS);
    }
}
