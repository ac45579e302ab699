//! The rules of the library's resources, no I/O: what a valid link or file description is, and
//! which files are taken: the type is read from the content's first bytes (never from the name
//! or the declared type), must be one of a short list of documents, images and plain text, and
//! must agree with the name's extension. Everything else is 415.

use super::{content, events::optional_url};
use crate::error::{Error, ErrorKind, Result};

/// The longest title of a resource.
pub const MAX_TITLE: usize = 200;
/// The longest description.
pub const MAX_DESCRIPTION: usize = 1_000;
/// The longest file name kept.
pub const MAX_FILE_NAME: usize = 200;
/// How many of a file's first bytes its type is read from.
pub const HEAD: usize = 64 * 1024;

/// What a resource is called and says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceText {
    pub title: String,
    pub description: String,
}

impl ResourceText {
    /// `title` may be empty where a default is given (a file's name).
    pub fn parse(title: &str, description: &str, default_title: &str) -> Result<ResourceText> {
        let title = match title.trim().is_empty() {
            true => default_title,
            false => title,
        };
        Ok(ResourceText {
            title: content::plain_line("title", title, 1, MAX_TITLE)?,
            description: content::plain_line("description", description, 0, MAX_DESCRIPTION)?,
        })
    }
}

/// A link's address: http or https, with a host.
pub fn link_url(value: &str) -> Result<String> {
    match optional_url("url", value)? {
        url if url.is_empty() => Err(Error::invalid_field("url", "must not be empty")),
        url => Ok(url),
    }
}

/// The name a file is kept under: its last path segment (browsers on some systems send the
/// whole path), without control characters, at most `MAX_FILE_NAME` characters.
pub fn file_name(sent: &str) -> Result<String> {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        return Err(Error::invalid_field("file", "the file has no name"));
    }
    if clean.chars().count() > MAX_FILE_NAME {
        return Err(Error::invalid_field(
            "file",
            format_args!("the file's name is longer than {MAX_FILE_NAME} characters"),
        ));
    }
    Ok(clean.to_string())
}

/// A kind of file the library takes: its media type, its name's extensions, a label.
struct Kind {
    media_type: &'static str,
    extensions: &'static [&'static str],
    label: &'static str,
}

const fn kind(
    media_type: &'static str,
    extensions: &'static [&'static str],
    label: &'static str,
) -> Kind {
    Kind {
        media_type,
        extensions,
        label,
    }
}

/// Files read as binary (by their magic bytes).
const BINARY: &[Kind] = &[
    kind("application/pdf", &["pdf"], "a PDF document"),
    kind("image/png", &["png"], "a PNG image"),
    kind("image/jpeg", &["jpg", "jpeg"], "a JPEG image"),
    kind("image/gif", &["gif"], "a GIF image"),
    kind("image/webp", &["webp"], "a WebP image"),
    kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
        "a Word document",
    ),
    kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
        "an Excel workbook",
    ),
    kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
        "a PowerPoint presentation",
    ),
    kind(
        "application/vnd.oasis.opendocument.text",
        &["odt"],
        "an OpenDocument text",
    ),
    kind(
        "application/vnd.oasis.opendocument.spreadsheet",
        &["ods"],
        "an OpenDocument spreadsheet",
    ),
    kind(
        "application/vnd.oasis.opendocument.presentation",
        &["odp"],
        "an OpenDocument presentation",
    ),
];

/// Plain text (UTF-8, no NUL), told apart by the name's extension.
const TEXT: &[Kind] = &[
    kind("text/markdown", &["md", "markdown"], "Markdown text"),
    kind("text/csv", &["csv"], "CSV data"),
    kind("text/plain", &["txt", "text", ""], "plain text"),
];

/// What the library says it takes, for forms and errors.
pub const ACCEPTED: &str =
    "PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument, Markdown, CSV or plain text";

fn unsupported(message: String) -> Error {
    let mut e = Error::new(
        ErrorKind::UnsupportedMediaType,
        "unsupported_file_type",
        message,
    );
    e.field = Some("file".into());
    e
}

fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Whether `head` (a file's first bytes, all of it when shorter than `HEAD`) reads as UTF-8
/// text without NUL; a character cut at the end of the head is not held against it.
fn is_text(head: &[u8], whole: bool) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => !whole && e.error_len().is_none(),
    }
}

/// The media type of a file from its first bytes and its name, or 415. `whole` says the head
/// is the whole file.
pub fn file_type(head: &[u8], name: &str, whole: bool) -> Result<&'static str> {
    let ext = extension(name);
    if let Some(found) = infer::get(head) {
        let Some(kind) = BINARY.iter().find(|k| k.media_type == found.mime_type()) else {
            return Err(unsupported(format!(
                "Files of this type ({}) are not taken; the library takes {ACCEPTED}.",
                found.mime_type()
            )));
        };
        if !kind.extensions.contains(&ext.as_str()) {
            return Err(unsupported(format!(
                "The file is {} but its name ends in “.{ext}”: rename it to .{} and send it again.",
                kind.label, kind.extensions[0]
            )));
        }
        return Ok(kind.media_type);
    }
    let text = TEXT.iter().find(|k| k.extensions.contains(&ext.as_str()));
    match text {
        Some(kind) if is_text(head, whole) => Ok(kind.media_type),
        Some(kind) => Err(unsupported(format!(
            "The file's name says {} but its content is not UTF-8 text.",
            kind.label
        ))),
        None => Err(unsupported(format!(
            "Files ending in “.{ext}” are not taken; the library takes {ACCEPTED}."
        ))),
    }
}

/// A size for people: "1.2 MB", "830 kB", "75 bytes" (decimal units, as file managers show).
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1_000_000.0),
        b if b >= 1_000 => format!("{:.0} kB", b as f64 / 1_000.0),
        b => format!("{b} bytes"),
    }
}

/// Whether a browser may show a file of this type in place (images, PDF and plain text, under
/// a sandboxing policy); everything else is sent as a download.
pub fn shown_inline(media_type: &str) -> bool {
    media_type.starts_with("image/")
        || media_type == "application/pdf"
        || media_type.starts_with("text/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_type_comes_from_the_content_and_must_agree_with_the_name() {
        assert_eq!(file_type(PNG, "map.png", true).ok(), Some("image/png"));
        assert_eq!(
            file_type(b"%PDF-1.7\n", "notes.PDF", true).ok(),
            Some("application/pdf")
        );
        let e = file_type(PNG, "report.pdf", true).err().map(|e| e.kind);
        assert_eq!(e, Some(ErrorKind::UnsupportedMediaType));
        assert_eq!(
            file_type(b"a,b\n1,2\n", "data.csv", true).ok(),
            Some("text/csv")
        );
        assert_eq!(
            file_type("# Titre été".as_bytes(), "README", true).ok(),
            Some("text/plain")
        );
        for (bytes, name) in [
            (&b"<html><script>alert(1)</script>"[..], "page.html"),
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"),
            (b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0", "tool.txt"),
            (b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "setup.exe"),
            (b"text\0with nul", "notes.txt"),
            (b"PK\x03\x04\x14\0\0\0\x08\0", "archive.zip"),
        ] {
            let kind = file_type(bytes, name, true).err().map(|e| e.kind);
            assert_eq!(kind, Some(ErrorKind::UnsupportedMediaType), "{name}");
        }
    }

    #[test]
    fn a_character_cut_at_the_end_of_the_head_is_still_text() {
        let cut = &"été".as_bytes()[..4];
        assert!(is_text(cut, false));
        assert!(!is_text(cut, true));
    }

    #[test]
    fn names_and_links() {
        assert_eq!(
            file_name("C:\\Users\\me\\plan.pdf").ok().as_deref(),
            Some("plan.pdf")
        );
        assert_eq!(
            file_name("../../etc/passwd").ok().as_deref(),
            Some("passwd")
        );
        assert!(file_name("..").is_err());
        assert!(file_name("dir/").is_err());
        assert!(link_url("javascript:alert(1)").is_err());
        assert!(link_url("").is_err());
        assert_eq!(
            link_url("https://example.org/a").ok().as_deref(),
            Some("https://example.org/a")
        );
    }
}
