//! Fuzzes the HTML sanitiser: its output has no script, no event handler, no `javascript:` URL,
//! no NUL, and sanitising it again changes nothing.
#![no_main]

use copse::domain::content::{html_to_text, markdown_to_html, sanitize_html};
use libfuzzer_sys::fuzz_target;

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
                    tokens.last_mut().map(|t| t.push(c));
                }
                c if c.is_whitespace() && !quoted => tokens.push(String::new()),
                c => {
                    tokens.last_mut().map(|t| t.push(c));
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
            let value: String = value
                .trim_matches('"')
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if matches!(key, "href" | "src" | "action" | "formaction" | "cite") {
                assert!(!value.starts_with("javascript:"), "{html}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let once = sanitize_html(input);
    assert_safe(&once);
    assert_eq!(sanitize_html(&once), once, "not idempotent for {input:?}");
    let rendered = markdown_to_html(input);
    assert_safe(&rendered);
    let _ = html_to_text(input);
});
