//! A community archive's folder: `archive.json` (the [`Archive`], what `import-community`
//! reads) beside a static HTML site that reads without copse (`index.html`, one page per thread
//! under `threads/`, one stylesheet, no scripts, no outside assets); and the JSON alone as a
//! download.

use crate::{
    domain::archive::{Archive, ArchivedComment, ArchivedThread, JSON_FILE, MAX_ARCHIVE_BYTES},
    error::{Error, ErrorKind, Result},
};
use askama::Template;
use chrono::NaiveDateTime;
use std::{collections::HashMap, io::Read, path::Path};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;\
padding:0 1rem;color:#1d1d1d;background:#fff}a{color:#0b5394}header,footer{color:#555}\
.reply{border-left:3px solid #ddd;padding-left:.75rem;margin:1rem 0}.meta{color:#555;\
font-size:.9rem}";

#[derive(Template)]
#[template(path = "archive_index.html", config = "src/web/askama.toml")]
struct IndexPage<'a> {
    a: &'a Archive,
    threads: Vec<Line<'a>>,
}

struct Line<'a> {
    file: String,
    t: &'a ArchivedThread,
    replies: usize,
    by: &'a str,
    when: String,
}

#[derive(Template)]
#[template(path = "archive_thread.html", config = "src/web/askama.toml")]
struct ThreadPage<'a> {
    a: &'a Archive,
    t: &'a ArchivedThread,
    by: &'a str,
    when: String,
    replies: Vec<Reply<'a>>,
}

struct Reply<'a> {
    c: &'a ArchivedComment,
    by: &'a str,
    when: String,
    /// How deep in the tree (0: answers the post), capped for the page's width.
    depth: usize,
}

/// What [`write`] wrote.
pub struct Written {
    pub threads: usize,
    pub replies: usize,
}

/// Writes the archive's folder at `dir`, which must not exist or be empty.
pub fn write(dir: &Path, archive: &Archive) -> Result<Written> {
    if dir.exists() && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "not_empty",
            format!(
                "{} is not empty: an archive goes into a new folder",
                dir.display()
            ),
        ));
    }
    std::fs::create_dir_all(dir.join("threads")).map_err(io)?;
    std::fs::write(dir.join(JSON_FILE), serde_json::to_vec_pretty(archive)?).map_err(io)?;
    std::fs::write(dir.join("style.css"), STYLE).map_err(io)?;
    let handles: HashMap<&str, &str> = archive
        .people
        .iter()
        .map(|p| (p.ap_id.as_str(), p.handle.as_str()))
        .collect();
    let by = |ap_id: &str| handles.get(ap_id).copied().unwrap_or("someone");
    let mut replies = 0;
    let mut lines = Vec::new();
    for (i, t) in archive.threads.iter().enumerate() {
        let file = format!("{}.html", i + 1);
        let page = ThreadPage {
            a: archive,
            t,
            by: by(&t.author),
            when: day(&t.published),
            replies: tree(&t.comments, &by),
        };
        std::fs::write(dir.join("threads").join(&file), render(&page)?).map_err(io)?;
        replies += t.comments.len();
        lines.push(Line {
            file,
            t,
            replies: t.comments.len(),
            by: by(&t.author),
            when: day(&t.published),
        });
    }
    lines.reverse();
    let index = IndexPage {
        a: archive,
        threads: lines,
    };
    std::fs::write(dir.join("index.html"), render(&index)?).map_err(io)?;
    Ok(Written {
        threads: archive.threads.len(),
        replies,
    })
}

/// An archive's JSON as a download named after its community (the move page's and the API's),
/// never cached: a private community's archive holds its content.
pub fn download(name: &str, archive: &Archive) -> Result<actix_web::HttpResponse> {
    Ok(actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{name}-archive.json\""),
        ))
        .insert_header(("cache-control", "no-store"))
        .body(serde_json::to_vec_pretty(archive)?))
}

/// Reads `archive.json` from an archive's folder (or the file itself), bounded in size.
pub fn read(path: &Path) -> Result<Archive> {
    let file = match path.is_dir() {
        true => path.join(JSON_FILE),
        false => path.to_path_buf(),
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&file)
        .map_err(|e| Error::invalid_field("archive", format_args!("{}: {e}", file.display())))?
        .take(MAX_ARCHIVE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(Error::new(
            ErrorKind::PayloadTooLarge,
            "too_large",
            format!("an archive is read up to {MAX_ARCHIVE_BYTES} bytes"),
        ));
    }
    Archive::parse(&bytes)
}

/// Replies in thread order (each under its parent, oldest first) with their depth.
fn tree<'a>(replies: &'a [ArchivedComment], by: &dyn Fn(&str) -> &'a str) -> Vec<Reply<'a>> {
    let mut children: HashMap<Option<&str>, Vec<&ArchivedComment>> = HashMap::new();
    for c in replies {
        children.entry(c.parent.as_deref()).or_default().push(c);
    }
    let mut out = Vec::with_capacity(replies.len());
    let mut stack: Vec<(&ArchivedComment, usize)> = children
        .get(&None)
        .map(|top| top.iter().rev().map(|c| (*c, 0)).collect())
        .unwrap_or_default();
    while let Some((c, depth)) = stack.pop() {
        out.push(Reply {
            c,
            by: by(&c.author),
            when: day(&c.published),
            depth: depth.min(6),
        });
        if let Some(under) = children.get(&Some(c.ap_id.as_str())) {
            stack.extend(under.iter().rev().map(|r| (*r, depth + 1)));
        }
    }
    out
}

fn render(page: &impl Template) -> Result<String> {
    page.render()
        .map_err(|e| Error::new(ErrorKind::Internal, "template", e.to_string()))
}

fn day(at: &NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn io(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Internal, "io", e.to_string())
}
