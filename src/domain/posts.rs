//! Posts and comments: content limits, who may post or comment where, and the plain-text forms
//! other servers need (Mastodon's teaser, a title for a Note that opens a thread).

use crate::{
    db::communities::Community,
    domain::{
        communities::{MembershipPolicy, Role, Visibility},
        content,
    },
    error::{Error, ErrorKind, Result},
};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 50_000;
pub const MAX_COMMENT: usize = 20_000;
/// Mastodon shows a Page as title + summary + link: the summary is this long at most.
pub const TEASER_LEN: usize = 500;
/// The error code of content that a community vouches for but that is not inside it.
pub const OUTSIDE_COMMUNITY: &str = "outside_community";

/// A post or comment received from another instance, as `federation/` read it from the wire:
/// what `actions::posts` stores.
#[derive(Debug, Clone)]
pub struct Received {
    pub ap_id: String,
    /// `name` as sent (a title; may carry HTML entities). A Note has none.
    pub name: Option<String>,
    /// `content` as sent (HTML), to derive a title from when there is no name.
    pub content: String,
    /// Names of the mentioned accounts, left out of a derived title.
    pub mentions: Vec<String>,
    /// The source as markdown (given, or derived from the HTML).
    pub markdown: String,
    /// The content, sanitised.
    pub html: String,
    pub published: Option<chrono::NaiveDateTime>,
    /// An `Event`'s details, when it is one and they make sense.
    pub event: Option<crate::domain::events::ReceivedEvent>,
    /// A `Question`'s options and counts, when it is a poll we can keep.
    pub poll: Option<crate::domain::polls::ReceivedPoll>,
    /// Its `attachment` list, bounded (`domain::attachments`).
    pub attachments: Vec<crate::domain::attachments::Attachment>,
}

impl Received {
    /// A post's title: its name as plain text, else one derived from the content (a Note that
    /// opens a thread).
    pub fn title(&self) -> Result<String> {
        match &self.name {
            Some(name) if !name.trim().is_empty() => {
                content::plain_line("name", &content::html_to_text(name), 1, MAX_TITLE)
            }
            _ => Ok(title_from_note(&self.content, &self.mentions)),
        }
    }
}

/// A validated post: plain-text title, markdown body.
pub fn parse_post(title: &str, body: &str) -> Result<(String, String)> {
    Ok((
        content::plain_line("title", title, 1, MAX_TITLE)?,
        content::text_block("body", body, MAX_BODY)?,
    ))
}

pub fn parse_comment(body: &str) -> Result<String> {
    content::plain_line("body", body, 1, MAX_COMMENT)?;
    content::text_block("body", body, MAX_COMMENT)
}

/// Who may open a thread. Public communities with open membership accept posts from anyone (as
/// Lemmy does); otherwise only active members. `postingRestrictedToMods` limits it to
/// moderators.
pub fn may_post(community: &Community, role: Option<Role>) -> Result<()> {
    if let Some(target) = &community.moved_to {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "community_moved",
            format!("this community has moved to {target}: post there"),
        ));
    }
    if community.posting_restricted_to_mods && !role.is_some_and(Role::moderates) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "moderators_only",
            "only moderators may post in this community",
        ));
    }
    let open_to_all = community.visibility() == Visibility::Public
        && community.policy() == MembershipPolicy::Open;
    if role.is_none() && !open_to_all {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "not_a_member",
            "join the community to post in it",
        ));
    }
    Ok(())
}

/// Who may comment: anyone in a public community, members in a private one; never in a locked
/// thread.
pub fn may_comment(community: &Community, role: Option<Role>, locked: bool) -> Result<()> {
    if locked {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "locked",
            "this thread is locked",
        ));
    }
    if community.visibility() == Visibility::Private && role.is_none() {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "not_a_member",
            "only members may comment in a private community",
        ));
    }
    Ok(())
}

/// The plain-text teaser of an HTML body.
pub fn teaser(html: &str) -> String {
    truncate(
        &content::html_to_text(html).replace("\n\n", "\n"),
        TEASER_LEN,
    )
}

/// A title for a post opened by a plain Note (Mastodon): its first line as plain text, without
/// the mentions, at most 200 characters.
pub fn title_from_note(html: &str, mentions: &[String]) -> String {
    let text = content::html_to_text(html);
    let mut line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string();
    for m in mentions {
        line = line.replace(m.as_str(), "");
    }
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| !(w.starts_with('@') || w.starts_with('!')) || w.len() == 1)
        .collect();
    let title = truncate(&words.join(" "), MAX_TITLE);
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.trim().to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_titles_drop_mentions_and_markup() {
        let html = "<p><span class=\"h-card\"><a href=\"https://c.example/c/chess\">@<span>chess</span></a></span> Best <b>opening</b> for beginners?</p><p>More text</p>";
        assert_eq!(title_from_note(html, &[]), "Best opening for beginners?");
        assert_eq!(title_from_note("<p>@chess@c.example</p>", &[]), "Untitled");
        let long = format!("<p>{}</p>", "word ".repeat(100));
        assert!(title_from_note(&long, &[]).chars().count() <= MAX_TITLE);
    }

    #[test]
    fn teasers_are_plain_and_short() {
        let t = teaser(&format!("<p>{}</p>", "a".repeat(600)));
        assert_eq!(t.chars().count(), TEASER_LEN);
        assert!(!teaser("<p>x <script>y</script></p>").contains('<'));
    }
}
