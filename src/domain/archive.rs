//! A community archive (`copse admin export-community` / `import-community`): its JSON format,
//! versioned, and the checks an archive passes before anything of it is stored (every reference
//! inside it resolves, every id is an http(s) URL, every text is within the limits of a post).

use crate::{
    domain::{
        communities::{Charter, CommunityFields, MembershipPolicy, Visibility},
        content, posts,
    },
    error::{Error, Result},
};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The format written and the only one read; a later format gets its own reader.
pub const FORMAT: &str = "copse-community-archive/1";
/// The archive's JSON file inside the archive's folder.
pub const JSON_FILE: &str = "archive.json";
/// A bound on what is read from an archive file (the operator's input, still bounded).
pub const MAX_ARCHIVE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Archive {
    pub format: String,
    /// The instance it was exported from (its base URL).
    pub source: String,
    pub exported_at: NaiveDateTime,
    pub community: ArchivedCommunity,
    /// Everyone who wrote something in it, once each.
    pub people: Vec<ArchivedPerson>,
    /// Threads, oldest first; deleted and removed ones are left out.
    pub threads: Vec<ArchivedThread>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedCommunity {
    /// The Group's id where it was exported: the imported community lists it in `alsoKnownAs`.
    pub ap_id: String,
    pub name: String,
    pub title: String,
    /// Markdown.
    pub summary: String,
    pub charter: Charter,
    pub membership_policy: MembershipPolicy,
    pub visibility: Visibility,
    pub posting_restricted_to_mods: bool,
    pub questions: Vec<String>,
    pub published: NaiveDateTime,
    /// Owners and moderators when exported, by actor id (a record; not restored as roles).
    pub moderators: Vec<String>,
    /// Active members when exported (a record; members follow a `Move`, not an import).
    pub member_count: i64,
    /// The summary as the site shows it (sanitised when exported; the import renders the
    /// markdown again and never stores this).
    pub summary_html: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedPerson {
    pub ap_id: String,
    pub name: String,
    pub display_name: Option<String>,
    /// `name@host`, as shown beside what they wrote.
    pub handle: String,
    /// On the same host as `ap_id`. No key: an importing instance fetches it from the
    /// person's server before it checks any signature of theirs.
    pub inbox_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedThread {
    pub ap_id: String,
    /// The author's actor id (one of `people`).
    pub author: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub body_html: String,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub locked: bool,
    pub pinned: bool,
    pub score: i64,
    /// Replies in the order written; a reply's parent comes before it.
    pub comments: Vec<ArchivedComment>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedComment {
    pub ap_id: String,
    /// The comment it answers (None: the thread's post).
    pub parent: Option<String>,
    pub author: String,
    pub body: String,
    pub body_html: String,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub score: i64,
}

impl Archive {
    /// Reads an archive's JSON, refusing another format.
    pub fn parse(json: &[u8]) -> Result<Archive> {
        let archive: Archive = serde_json::from_slice(json)
            .map_err(|e| Error::invalid_field("archive", format_args!("not an archive: {e}")))?;
        if archive.format != FORMAT {
            return Err(Error::invalid_field(
                "format",
                format_args!("`{}` is not {FORMAT}", archive.format),
            ));
        }
        Ok(archive)
    }

    /// The community's fields, validated as a new community's are.
    pub fn fields(&self) -> Result<CommunityFields> {
        let c = &self.community;
        CommunityFields {
            title: c.title.clone(),
            summary: c.summary.clone(),
            charter: c.charter.clone(),
            membership_policy: c.membership_policy,
            visibility: c.visibility,
            posting_restricted_to_mods: c.posting_restricted_to_mods,
            questions: c.questions.clone(),
        }
        .validated()
    }

    /// Every check that needs no database: ids are URLs and unique, authors and parents
    /// resolve inside the archive, texts are within a post's limits. The error names the
    /// first bad item.
    pub fn check(&self) -> Result<()> {
        self.fields()?;
        url_field("community.ap_id", &self.community.ap_id)?;
        let mut people = HashSet::new();
        for p in &self.people {
            url_field("people[].ap_id", &p.ap_id)?;
            url_field("people[].inbox_url", &p.inbox_url)?;
            if host_of(&p.inbox_url) != host_of(&p.ap_id) {
                return Err(Error::invalid_field(
                    "people[].inbox_url",
                    format_args!("{} is not on the host of {}", p.inbox_url, p.ap_id),
                ));
            }
            content::plain_line("people[].name", &p.name, 1, 100)?;
            if !people.insert(p.ap_id.as_str()) {
                return Err(twice(&p.ap_id));
            }
        }
        let mut ids = HashSet::new();
        for (i, t) in self.threads.iter().enumerate() {
            let at = format!("threads[{i}]");
            url_field(&at, &t.ap_id)?;
            author_known(&people, &at, &t.author)?;
            posts::parse_post(&t.title, &t.body).map_err(|e| within(&at, e))?;
            if !ids.insert(t.ap_id.as_str()) {
                return Err(twice(&t.ap_id));
            }
            let mut replies = HashSet::new();
            for (j, c) in t.comments.iter().enumerate() {
                let at = format!("threads[{i}].comments[{j}]");
                url_field(&at, &c.ap_id)?;
                author_known(&people, &at, &c.author)?;
                posts::parse_comment(&c.body).map_err(|e| within(&at, e))?;
                if let Some(parent) = &c.parent {
                    if !replies.contains(parent.as_str()) {
                        return Err(Error::invalid_field(
                            &at,
                            format_args!("answers {parent}, which is not an earlier reply"),
                        ));
                    }
                }
                if !ids.insert(c.ap_id.as_str()) {
                    return Err(twice(&c.ap_id));
                }
                replies.insert(c.ap_id.as_str());
            }
        }
        Ok(())
    }

    pub fn person(&self, ap_id: &str) -> Option<&ArchivedPerson> {
        self.people.iter().find(|p| p.ap_id == ap_id)
    }
}

fn url_field(field: &str, value: &str) -> Result<()> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(Error::invalid_field(
            field,
            format_args!("`{value}` is not an http(s) URL"),
        )),
    }
}

fn host_of(u: &str) -> Option<(String, Option<u16>)> {
    let u = url::Url::parse(u).ok()?;
    Some((u.host_str()?.to_string(), u.port_or_known_default()))
}

fn author_known(people: &HashSet<&str>, at: &str, author: &str) -> Result<()> {
    match people.contains(author) {
        true => Ok(()),
        false => Err(Error::invalid_field(
            &format!("{at}.author"),
            format_args!("{author} is not among the archive's people"),
        )),
    }
}

fn twice(ap_id: &str) -> Error {
    Error::invalid_field("archive", format_args!("{ap_id} appears twice"))
}

fn within(at: &str, e: Error) -> Error {
    Error::invalid_field(at, e.message)
}
