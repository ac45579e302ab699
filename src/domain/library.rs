//! The library's rules, no I/O: who may edit a community's pages (`EditBy`, `may_edit`), what a
//! valid page is (title, slug, body, change summary), the line diff between two revisions and
//! the three-way merge of two saves made from the same revision.

use super::{communities::Role, content};
use crate::error::{Error, ErrorKind, Result};
use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};
use std::time::{Duration, Instant};

/// The longest page source, in characters.
pub const MAX_BODY: usize = 100_000;
/// The longest title.
pub const MAX_TITLE: usize = 200;
/// The longest change summary.
pub const MAX_SUMMARY: usize = 300;
/// The longest slug.
pub const MAX_SLUG: usize = 80;
/// How deep the tree of sections goes (a page's ancestors, at most).
pub const MAX_DEPTH: usize = 8;
/// Slugs the library's own addresses use.
const RESERVED: &[&str] = &["new", "settings", "resources", "files"];

/// Who may edit a community's pages (its moderators always may).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditBy {
    Moderators,
    Members,
    /// The people the moderators named.
    Editors,
}

impl EditBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EditBy::Moderators => "moderators",
            EditBy::Members => "members",
            EditBy::Editors => "editors",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "moderators" => Some(EditBy::Moderators),
            "members" => Some(EditBy::Members),
            "editors" => Some(EditBy::Editors),
            _ => None,
        }
    }

    /// The setting as typed: 422 on `edit_by` when unknown.
    pub fn parse_field(s: &str) -> Result<Self> {
        Self::parse(s.trim()).ok_or_else(|| {
            Error::invalid_field("edit_by", "must be moderators, members or editors")
        })
    }

    /// In words, for the pages.
    pub fn label(self) -> &'static str {
        match self {
            EditBy::Moderators => "the moderators",
            EditBy::Members => "every member",
            EditBy::Editors => "the named editors and the moderators",
        }
    }
}

/// Whether someone with `role` in the community (named an editor or not) may edit its pages
/// under `edit_by`: 403 `may_not_edit_library` otherwise.
pub fn may_edit(edit_by: EditBy, role: Option<Role>, named_editor: bool) -> Result<()> {
    let allowed = match (edit_by, role) {
        (_, Some(r)) if r.moderates() => true,
        (EditBy::Members, Some(_)) => true,
        (EditBy::Editors, Some(_)) => named_editor,
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "may_not_edit_library",
        format!("in this community, pages are edited by {}", edit_by.label()),
    ))
}

/// A page as written: checked title, source and change summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    pub title: String,
    pub body: String,
    pub summary: String,
}

impl PageText {
    pub fn parse(title: &str, body: &str, summary: &str) -> Result<PageText> {
        Ok(PageText {
            title: content::plain_line("title", title, 1, MAX_TITLE)?,
            body: content::text_block("body", body, MAX_BODY)?,
            summary: content::plain_line("summary", summary, 0, MAX_SUMMARY)?,
        })
    }
}

/// The slug a page gets: the one asked for, else made from its title (lowercase letters and
/// digits, words joined by `-`). 422 on `slug` when it is empty, too long or reserved.
pub fn slug(asked: &str, title: &str) -> Result<String> {
    let source = if asked.trim().is_empty() {
        title
    } else {
        asked
    };
    let mut out = String::new();
    for c in source.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        return Err(Error::invalid_field("slug", "needs a letter or a digit"));
    }
    if out.chars().count() > MAX_SLUG {
        return Err(Error::invalid_field(
            "slug",
            format_args!("at most {MAX_SLUG} characters"),
        ));
    }
    if RESERVED.contains(&out.as_str()) {
        return Err(Error::invalid_field(
            "slug",
            format_args!("“{out}” is reserved"),
        ));
    }
    Ok(out)
}

/// What happened to one line between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    Same,
    Removed,
    Added,
}

impl LineChange {
    /// In words (the diff never says it by colour alone).
    pub fn label(self) -> &'static str {
        match self {
            LineChange::Same => "unchanged",
            LineChange::Removed => "removed",
            LineChange::Added => "added",
        }
    }
}

/// One line of a diff, with its number in the old and the new text (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub change: LineChange,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

/// How long a diff may search before it settles for a coarser answer.
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<similar::DiffOp> {
    let deadline = Instant::now() + DIFF_DEADLINE;
    capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline))
}

/// The line diff from `old` to `new`; with `context` lines kept around each change (None: all).
pub fn diff(old: &str, new: &str, context: Option<usize>) -> Vec<DiffLine> {
    let (a, b) = (lines(old), lines(new));
    let mut out = Vec::new();
    for op in ops(&a, &b) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            for (i, j) in old_range.zip(new_range) {
                out.push(DiffLine {
                    change: LineChange::Same,
                    old: Some(i + 1),
                    new: Some(j + 1),
                    text: a[i].to_string(),
                });
            }
            continue;
        }
        out.extend(old_range.map(|i| DiffLine {
            change: LineChange::Removed,
            old: Some(i + 1),
            new: None,
            text: a[i].to_string(),
        }));
        out.extend(new_range.map(|j| DiffLine {
            change: LineChange::Added,
            old: None,
            new: Some(j + 1),
            text: b[j].to_string(),
        }));
    }
    match context {
        Some(n) => trim_context(out, n),
        None => out,
    }
}

/// Keeps the changed lines and `n` unchanged ones on each side of them.
fn trim_context(all: Vec<DiffLine>, n: usize) -> Vec<DiffLine> {
    let changed: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, l)| l.change != LineChange::Same)
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| changed.iter().any(|&c| c.abs_diff(i) <= n);
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| near(*i))
        .map(|(_, l)| l)
        .collect()
}

/// One side's change to the base: base lines `start..end` become `lines`.
#[derive(Debug, PartialEq, Eq)]
struct Edit<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
    mine: bool,
}

fn edits<'a>(base: &[&'a str], other: &[&'a str], mine: bool) -> Vec<Edit<'a>> {
    let mut out: Vec<Edit<'a>> = Vec::new();
    let mut open: Option<Edit<'a>> = None;
    for op in ops(base, other) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            out.extend(open.take());
            continue;
        }
        let e = open.get_or_insert(Edit {
            start: old_range.start,
            end: old_range.start,
            lines: Vec::new(),
            mine,
        });
        e.end = e.end.max(old_range.end);
        e.lines.extend(&other[new_range]);
    }
    out.extend(open);
    out
}

/// The three-way merge of two texts made from `base`: both sides' changes, when they touch
/// different lines (changes next to each other count as touching); None when they collide.
pub fn merge(base: &str, mine: &str, theirs: &str) -> Option<String> {
    let b = lines(base);
    let (m, t) = (lines(mine), lines(theirs));
    let mut all = edits(&b, &m, true);
    all.extend(edits(&b, &t, false));
    all.sort_by_key(|e| (e.start, e.end, e.mine));
    let mut out: Vec<&str> = Vec::new();
    let mut pos = 0;
    let mut last: Option<&Edit> = None;
    for e in &all {
        if let Some(prev) = last {
            if e.start <= prev.end && e.mine != prev.mine {
                if (e.start, e.end, &e.lines) == (prev.start, prev.end, &prev.lines) {
                    continue;
                }
                return None;
            }
        }
        out.extend(&b[pos..e.start]);
        out.extend(&e.lines);
        pos = e.end;
        last = Some(e);
    }
    out.extend(&b[pos..]);
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(
            slug("", "Getting Started: Tools!").ok().as_deref(),
            Some("getting-started-tools")
        );
        assert_eq!(slug("Ünïcode ok", "x").ok().as_deref(), Some("ünïcode-ok"));
        assert!(slug("", "!!!").is_err());
        assert!(slug("new", "x").is_err());
    }

    #[test]
    fn rights_follow_the_mode() {
        use Role::*;
        assert!(may_edit(EditBy::Members, Some(Member), false).is_ok());
        assert!(may_edit(EditBy::Members, None, false).is_err());
        assert!(may_edit(EditBy::Moderators, Some(Member), true).is_err());
        assert!(may_edit(EditBy::Moderators, Some(Moderator), false).is_ok());
        assert!(may_edit(EditBy::Editors, Some(Member), false).is_err());
        assert!(may_edit(EditBy::Editors, Some(Member), true).is_ok());
        assert!(may_edit(EditBy::Editors, Some(Owner), false).is_ok());
    }

    #[test]
    fn diff_numbers_lines() {
        let d = diff("a\nb\nc", "a\nB\nc", None);
        let kinds: Vec<_> = d.iter().map(|l| (l.change, l.old, l.new)).collect();
        assert_eq!(
            kinds,
            vec![
                (LineChange::Same, Some(1), Some(1)),
                (LineChange::Removed, Some(2), None),
                (LineChange::Added, None, Some(2)),
                (LineChange::Same, Some(3), Some(3)),
            ]
        );
        assert_eq!(
            diff("1\n2\n3\n4\n5\n6", "1\n2\n3\n4\n5\nsix", Some(1)).len(),
            3
        );
    }

    #[test]
    fn merge_takes_both_sides_apart_and_refuses_collisions() {
        let base = "one\ntwo\nthree\nfour\nfive";
        let mine = "ONE\ntwo\nthree\nfour\nfive";
        let theirs = "one\ntwo\nthree\nfour\nFIVE";
        assert_eq!(
            merge(base, mine, theirs).as_deref(),
            Some("ONE\ntwo\nthree\nfour\nFIVE")
        );
        assert_eq!(
            merge(
                base,
                "one\n2\nthree\nfour\nfive",
                "one\nII\nthree\nfour\nfive"
            ),
            None
        );
        assert_eq!(merge(base, mine, mine).as_deref(), Some(mine));
        assert_eq!(
            merge(base, "zero\none\ntwo\nthree\nfour\nfive", theirs).as_deref(),
            Some("zero\none\ntwo\nthree\nfour\nFIVE")
        );
    }
}
