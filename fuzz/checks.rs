//! The fuzz targets' checks, one function per target: each takes arbitrary bytes, must never
//! panic, and asserts what must hold of the output. libFuzzer drives them in `fuzz_targets/`
//! (`fuzz/run`); the test suite drives them over the seeds and deterministic mutations of them
//! (tests/integration/fuzz_smoke.rs), so CI runs every target without a separate build.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
use activitypub_federation::fetch::webfinger::Webfinger;
use copse::domain::content::{html_to_text, markdown_to_html, sanitize_html as sanitize};
use copse::domain::names::{instance_of, parse_hostname, InstancePolicy};
use copse::federation::signatures::{check_digest, parse_digest};
use copse::federation::signatures::{check_request, parse_signature, SignedRequest};
use copse::federation::{
    activities::{announce::Announced, InboxActivity},
    limits,
    objects::{group::GroupJson, person::PersonJson, post::PostJson},
};

/// Fuzzes the `Signature` header parser and the strict request rules: never panics, and whatever
/// parses names a key and a signature.
pub fn signature_header(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(params) = parse_signature(text) {
        assert!(!params.key_id.is_empty() && !params.signature.is_empty());
    }
    let header = |name: &str| match name {
        "signature" => Some(text.to_string()),
        "host" => Some("copse.example".to_string()),
        "date" => Some(text.chars().take(40).collect()),
        "digest" => Some(text.chars().rev().take(60).collect()),
        _ => None,
    };
    let request = SignedRequest {
        our_host: "copse.example",
        header: &header,
    };
    let _ = check_request(&request, Some(data), chrono_now());
    let _ = check_request(&request, None, chrono_now());
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// Fuzzes `Digest` parsing and checking: never panics; a header accepted for a body is a
/// SHA-256 digest of exactly that body.
pub fn digest(data: &[u8]) {
    let split = data.first().map_or(0, |b| *b as usize).min(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    if let Ok(parts) = parse_digest(header) {
        assert!(parts
            .iter()
            .all(|(alg, v)| !alg.is_empty() && !v.is_empty()));
    }
    if check_digest(Some(header), body).is_ok() {
        assert!(header.to_ascii_lowercase().contains("sha-256="));
    }
}

/// Fuzzes what the inbox does with a body before any network access: the depth-bounded parse,
/// the caps, and deserialisation of every inbox enum and object type. Never panics; anything
/// past the caps is refused before it is deserialised; `InboxActivity::parse` agrees with the
/// untagged enum.
pub fn activity(data: &[u8]) {
    let Ok(value) = limits::parse_json(data) else {
        return;
    };
    if limits::check_caps(&value).is_err() {
        return;
    }
    // The inbox's shortcut by `type` reads every body as the untagged enum would.
    let untagged = serde_json::from_value::<InboxActivity>(value.clone());
    let direct = InboxActivity::parse(&value);
    assert_eq!(untagged.is_ok(), direct.is_ok(), "{value}");
    if let (Ok(a), Ok(b)) = (&untagged, &direct) {
        assert_eq!(
            std::mem::discriminant(a),
            std::mem::discriminant(b),
            "{value}"
        );
    }
    let _ = serde_json::from_value::<Announced>(value.clone());
    let _ = serde_json::from_value::<PostJson>(value.clone());
    let _ = serde_json::from_value::<PersonJson>(value.clone());
    let _ = serde_json::from_value::<GroupJson>(value.clone());
    if let Ok(post) = serde_json::from_value::<PostJson>(value) {
        let _ = post.author();
        let _ = post.community_candidates();
        let _ = post.markdown();
        let html = post.html();
        assert!(!html.contains("<script"), "{html}");
    }
}

/// Every raw `<` in sanitised output opens a tag (text has `&lt;`): look inside the tags only,
/// since text may well say `javascript:` harmlessly.
fn assert_safe(html: &str) {
    assert!(!html.contains('\0'), "{html:?}");
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("").to_ascii_lowercase();
        let mut tokens = vec![String::new()];
        let mut quoted = false;
        for c in tag.chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    if let Some(t) = tokens.last_mut() {
                        t.push(c);
                    }
                }
                c if c.is_whitespace() && !quoted => tokens.push(String::new()),
                c => {
                    if let Some(t) = tokens.last_mut() {
                        t.push(c);
                    }
                }
            }
        }
        let name = tokens[0].trim_start_matches('/');
        assert!(
            !matches!(name, "script" | "style" | "iframe" | "object" | "embed"),
            "{html}"
        );
        for attr in tokens.iter().skip(1).filter(|t| !t.is_empty()) {
            let (key, value) = attr.split_once('=').unwrap_or((attr, ""));
            assert!(!key.starts_with("on"), "event handler in {html}");
            assert!(key != "style", "style attribute in {html}");
            // What a browser's URL parser makes of it: C0 controls and spaces trimmed at the
            // ends, tabs and newlines removed anywhere (`j\tavascript:` is `javascript:`).
            let value: String = value
                .trim_matches('"')
                .trim_matches(|c: char| c <= ' ')
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            if matches!(key, "href" | "src" | "action" | "formaction" | "cite") {
                assert!(!value.starts_with("javascript:"), "{html}");
            }
        }
    }
}

/// Fuzzes the HTML sanitiser: its output has no script, no event handler, no `javascript:` URL,
/// no NUL, and sanitising it again changes nothing.
pub fn sanitize_html(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let once = sanitize(input);
    assert_safe(&once);
    assert_eq!(sanitize(&once), once, "not idempotent for {input:?}");
    let rendered = markdown_to_html(input);
    assert_safe(&rendered);
    let _ = html_to_text(input);
}

/// Fuzzes host and URL canonicalisation: a canonical host is lowercase, has no trailing dot and
/// is a fixed point; the instance policy treats every spelling of a blocked host alike.
pub fn host(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(canonical) = parse_hostname(input) {
        assert_eq!(canonical, canonical.to_lowercase(), "{input:?}");
        assert!(!canonical.ends_with('.'), "{input:?}");
        assert_eq!(
            parse_hostname(&canonical).as_deref(),
            Ok(canonical.as_str())
        );
        let policy = InstancePolicy::new(&[input.to_string()], &[]);
        if let Ok(url) = url::Url::parse(&format!("https://{canonical}/u/x")) {
            assert!(!policy.permits(&url), "{input:?} does not block {url}");
        }
    }
    if let Ok(url) = url::Url::parse(input) {
        if let Some(instance) = instance_of(&url) {
            assert!(!instance.ends_with('.'));
        }
        let _ = copse::federation::signatures::origin(&url);
    }
}

/// Fuzzes WebFinger: parsing a response document from another server (depth-bounded, capped),
/// and the host of a handle (`name@host`) as copse canonicalises it before any lookup.
pub fn webfinger(data: &[u8]) {
    if let Ok(value) = copse::federation::limits::parse_json(data) {
        if copse::federation::limits::check_caps(&value).is_ok() {
            if let Ok(doc) = serde_json::from_value::<Webfinger>(value) {
                let _ = doc.links.iter().filter_map(|l| l.href.as_ref()).count();
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let handle = text.trim_start_matches(['!', '@']);
        if let Some((_, host)) = handle.split_once('@') {
            if let Ok(canonical) = copse::domain::names::parse_hostname(host) {
                assert!(!canonical.contains('/') && !canonical.contains('@'));
            }
        }
    }
}
