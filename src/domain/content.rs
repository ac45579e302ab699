//! Text that people write: length limits, plain-text fields, and markdown rendered to HTML that
//! is safe to show (ammonia's allow-list: no scripts, no event handlers, no `javascript:` URLs).

use crate::error::{Error, Result};
use pulldown_cmark::{html, Options, Parser};

/// Checks and normalises a single-line plain-text field (names, titles): no NUL or other control
/// characters, no bidirectional overrides, trimmed, between `min` and `max` characters.
pub fn plain_line(field: &str, value: &str, min: usize, max: usize) -> Result<String> {
    let cleaned = clean_text(field, value, false)?;
    let trimmed = cleaned.trim().to_string();
    check_length(field, &trimmed, min, max)?;
    Ok(trimmed)
}

/// Checks a multi-line text field (markdown sources, answers): like [`plain_line`] but keeps
/// newlines and tabs.
pub fn text_block(field: &str, value: &str, max: usize) -> Result<String> {
    let cleaned = clean_text(field, value, true)?;
    let trimmed = cleaned.trim().to_string();
    check_length(field, &trimmed, 0, max)?;
    Ok(trimmed)
}

fn check_length(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len < min {
        return Err(Error::invalid_field(
            field,
            if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("at least {min} characters")
            },
        ));
    }
    if len > max {
        return Err(Error::invalid_field(
            field,
            format_args!("at most {max} characters (got {len})"),
        ));
    }
    Ok(())
}

/// NUL is rejected outright (it never reaches the database); other control characters and the
/// bidirectional override/isolate marks that disguise text are removed, as are zero-width
/// characters used to make look-alike names.
fn clean_text(field: &str, value: &str, multiline: bool) -> Result<String> {
    if value.contains('\0') {
        return Err(Error::invalid_field(field, "must not contain NUL bytes"));
    }
    Ok(value
        .chars()
        .filter(|&c| {
            let allowed_ws = multiline && (c == '\n' || c == '\t' || c == '\r');
            (!c.is_control() || allowed_ws) && !is_invisible_format(c)
        })
        .collect())
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM/RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FEFF}')
}

/// Renders markdown to sanitised HTML.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let parser = Parser::new_ext(markdown, options);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitize_html(&raw)
}

/// Cleans HTML with an allow-list; links get `rel="noopener noreferrer nofollow ugc"`. The
/// parser can build trees whose serialisation parses differently (a heading inside a heading,
/// found by fuzzing), so cleaning repeats until the output is stable: what is stored is what
/// any later parse sees.
pub fn sanitize_html(html: &str) -> String {
    let clean = |html: &str| {
        ammonia::Builder::default()
            .link_rel(Some("noopener noreferrer nofollow ugc"))
            .clean(html)
            .to_string()
    };
    let mut out = clean(html);
    for _ in 0..4 {
        let again = clean(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// Plain text of remote HTML (for titles and application messages): paragraphs and line breaks
/// become newlines, every tag is dropped, entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let spaced = html
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("</p>", "</p>\n\n");
    let stripped = ammonia::Builder::empty()
        .clean_content_tags(["script", "style"].into_iter().collect())
        .clean(&spaced)
        .to_string();
    stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Escapes plain text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        let html = markdown_to_html("**hi** <script>alert(1)</script> [x](javascript:alert(1))");
        assert!(html.contains("<strong>hi</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        let html = markdown_to_html("<img src=x onerror=alert(1)>");
        assert!(!html.contains("onerror"));
    }

    #[test]
    fn urls_browsers_read_as_javascript_are_dropped() {
        // Browsers drop tabs and newlines inside URLs and trim controls at the ends.
        for href in [
            "j\tavascript:alert(1)",
            "java\nscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "JaVaScRiPt:alert(1)",
        ] {
            let html = sanitize_html(&format!("<a href=\"{href}\">x</a>"));
            assert!(!html.contains("href"), "{href}: {html}");
        }
    }

    #[test]
    fn nested_headings_from_fuzzing_are_stable() {
        let input = "<p>Hi < <`>H/00000000/'e.e<<rt\">l<!\0\0rt\">l<h1>lxa)<&/ts<\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\"https://ascr&ipt\u{15e}e>&#p2;2x\0ef;\"https: <`>H/00000000/'e.e<<rt\">l<!\0\0rt\">l<h1>lxa)<&/t";
        let once = sanitize_html(input);
        assert_eq!(sanitize_html(&once), once);
        assert!(!once.contains('\0'));
    }

    #[test]
    fn sanitising_is_idempotent() {
        let once = markdown_to_html("<a href='https://e.example' onclick='x'>a</a> *b*");
        assert_eq!(sanitize_html(&once), once);
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text("<p>a &amp; <b>b</b></p><p>c<br>d</p><script>x</script>"),
            "a & b\n\nc\nd"
        );
    }

    #[test]
    fn plain_text_rules() {
        assert!(plain_line("title", "a\0b", 1, 10).is_err());
        assert_eq!(
            plain_line("title", " a\u{202E}b\u{200B} ", 1, 10)
                .ok()
                .as_deref(),
            Some("ab")
        );
        assert!(plain_line("title", "   ", 1, 10).is_err());
        assert!(plain_line("title", "abcdefghijk", 1, 10).is_err());
        assert_eq!(text_block("body", "a\nb", 10).ok().as_deref(), Some("a\nb"));
    }
}
