//! What a library page cites: the local addresses among its markdown links (threads and events
//! by their post, `/post/N` and `/events/N`; other pages, `/c/{name}/library/{slug}`), written
//! as paths or as this instance's full URLs; and the quoted text a page made from a thread
//! starts with (each post or reply quoted, with its author, date and a link back).

use pulldown_cmark::{Event, Parser, Tag};

/// One local address a page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Citation {
    /// A thread or an event (an event is a post): its post id.
    Post(i64),
    /// A page of a local community's library.
    Page { community: String, slug: String },
}

/// At most this many citations are recorded per page (the rest are plain links).
pub const MAX_CITATIONS: usize = 200;

/// The citations of `body` (markdown), in order, each once. `base` is this instance's URL
/// (`https://host`, no trailing slash): links to it count like paths; other hosts' do not.
pub fn citations(body: &str, base: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    for event in Parser::new(body) {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let Some(found) = citation(&dest_url, base) else {
            continue;
        };
        if !out.contains(&found) {
            out.push(found);
        }
        if out.len() == MAX_CITATIONS {
            break;
        }
    }
    out
}

fn citation(url: &str, base: &str) -> Option<Citation> {
    let path = match url.strip_prefix(base) {
        Some(rest) if rest.starts_with('/') => rest,
        _ if url.starts_with('/') && !url.starts_with("//") => url,
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["post" | "events", id] => id.parse().ok().filter(|n| *n > 0).map(Citation::Post),
        ["c", community, "library", slug]
            if !community.contains('@') && !["new", "settings", "resources"].contains(slug) =>
        {
            Some(Citation::Page {
                community: community.to_string(),
                slug: slug.to_string(),
            })
        }
        _ => None,
    }
}

/// `text` as a markdown block quote, followed by its attribution: `— author, date` with
/// `link` (a path back to where it was said).
pub fn quoted(text: &str, author: &str, date: &str, link: &str) -> String {
    let mut out = String::with_capacity(text.len() + 80);
    for line in text.trim().lines() {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(">\n> — ");
    out.push_str(&escape(author));
    out.push_str(", [");
    out.push_str(date);
    out.push_str("](");
    out.push_str(link);
    out.push_str(")\n");
    out
}

/// Markdown's punctuation in a name, escaped (a handle may hold `_`).
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\`*_{}[]()#+-.!<>|~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_links_are_citations_and_others_are_not() {
        let body = "See [a](/post/3), [b](https://ex.org/events/9#x), [c](/c/garden/library/soil?x),\n\
                    [again](/post/3), [far](https://other.org/post/4), [new](/c/garden/library/new),\n\
                    [remote](/c/g@far.org/library/soil), [rel](post/5), [zero](/post/0)";
        assert_eq!(
            citations(body, "https://ex.org"),
            vec![
                Citation::Post(3),
                Citation::Post(9),
                Citation::Page {
                    community: "garden".into(),
                    slug: "soil".into()
                },
            ]
        );
    }

    #[test]
    fn a_quote_keeps_every_line_and_links_back() {
        let q = quoted("one\ntwo", "ann_b", "2 Dec 2026", "/post/1#comment-2");
        assert_eq!(
            q,
            "> one\n> two\n>\n> — ann\\_b, [2 Dec 2026](/post/1#comment-2)\n"
        );
        assert_eq!(citations(&q, "https://ex.org"), vec![Citation::Post(1)]);
    }
}
