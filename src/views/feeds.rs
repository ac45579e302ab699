//! What the RSS feeds (`feeds/`) list, each asked of the read gate: a community's newest threads
//! (to nobody in particular, so a private community is 404 however it is asked), a person's
//! newest posts in the communities everyone may read, and the newest threads of a member's
//! communities, private ones included, for the account a private feed address belongs to.

use super::gate::{Gate, Viewer};
use crate::{
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        posts::{ListedPost, Newest, PostOrder},
        DbConn,
    },
    error::{Error, ErrorKind, Result},
};

/// How many items a feed holds.
pub const ITEMS: i64 = 30;

/// The newest threads of the community `reference` names (`name`, or `name@host` of a remote
/// community stored here; never fetched), if nobody signed in may read them; 404 otherwise,
/// the same answer as for a community that does not exist.
pub fn community(
    conn: &mut DbConn,
    gate: &Gate,
    reference: &str,
    our_host: &str,
) -> Result<(Community, Vec<ListedPost>)> {
    let missing = || hidden(format_args!("The community {reference}"));
    let community = match split(reference, our_host) {
        (name, None) => db::communities::local_by_name(conn, name)?,
        (name, Some(host)) => db::communities::remote_by_handle(conn, name, host)?,
    }
    .ok_or_else(missing)?;
    gate.sight(conn, &Viewer::Anonymous, &community)?
        .or_else(missing)?;
    let threads = db::posts::community_posts(conn, community.id, PostOrder::New, None, ITEMS)?;
    Ok((community, threads))
}

/// The newest posts of the person `reference` names (as for [`community`]) in the communities
/// nobody signed in may read; 404 when there is no such person.
pub fn person(
    conn: &mut DbConn,
    gate: &Gate,
    reference: &str,
    our_host: &str,
) -> Result<(Person, Vec<ListedPost>)> {
    let person = match split(reference, our_host) {
        (name, None) => db::accounts::local_person_by_name(conn, name)?,
        (name, Some(host)) => db::accounts::remote_person_by_handle(conn, name, host)?,
    }
    .ok_or_else(|| hidden(format_args!("The user {reference}")))?;
    let scope = gate.scope(&Viewer::Anonymous);
    let posts = db::posts::newest(conn, Newest::By(person.id), scope, ITEMS)?;
    Ok((person, posts))
}

/// The account a private feed address belongs to and the newest threads of the communities it
/// is an active member of, as far as the gate lets it read them (a ban or leaving ends the
/// membership, and so the community's place here); 404 for an unknown (or revoked) token or a
/// suspended account.
pub fn member(conn: &mut DbConn, gate: &Gate, token: &str) -> Result<(Account, Vec<ListedPost>)> {
    let account =
        db::feeds::account_by_token(conn, token)?.ok_or_else(|| hidden("This feed address"))?;
    let viewer = Viewer::person(account.person.id, account.user.is_admin);
    let scope = gate.scope(&viewer);
    let threads = db::posts::newest(conn, Newest::MemberOf(account.person.id), scope, ITEMS)?;
    Ok((account, threads))
}

/// One event of a member's calendar, with its online link when they may see it.
pub struct CalendarEntry {
    pub post: crate::db::posts::Post,
    pub event: crate::db::events::Event,
    pub online_url: Option<String>,
}

/// A member's private calendar, at the same secret address as their feed: the account, and the
/// events of their communities and those they answered (from 30 days back), as far as the gate
/// lets them read them; the online link where the event page would show it to them (public, or
/// they are going, or they wrote it). 404 as [`member`].
pub fn member_events(
    conn: &mut DbConn,
    gate: &Gate,
    token: &str,
) -> Result<(Account, Vec<CalendarEntry>)> {
    let account =
        db::feeds::account_by_token(conn, token)?.ok_or_else(|| hidden("This feed address"))?;
    let viewer = Viewer::person(account.person.id, account.user.is_admin);
    let scope = gate.scope(&viewer);
    let since = crate::domain::events::now() - chrono::Duration::days(30);
    let person = account.person.id;
    let entries = db::events::calendar_of(conn, person, scope, since, 500)?
        .into_iter()
        .map(|(post, event, state)| {
            let shown = event.online_url_public
                || post.author_id == person
                || state.as_deref() == Some("going");
            CalendarEntry {
                online_url: Some(event.online_url.clone()).filter(|u| shown && !u.is_empty()),
                post,
                event,
            }
        })
        .collect();
    Ok((account, entries))
}

/// The private feed token of the account `local_user_id`, if it has made one (for its owner's
/// settings, never a shared page).
pub fn token_of(conn: &mut DbConn, local_user_id: i64) -> Result<Option<String>> {
    db::feeds::token_of(conn, local_user_id)
}

/// `name` and, for another instance's actor, `host` of a reference (`name` or `name@host`).
fn split<'a>(reference: &'a str, our_host: &str) -> (&'a str, Option<&'a str>) {
    match reference.split_once('@') {
        Some((name, host)) if host != our_host => (name, Some(host)),
        Some((name, _)) => (name, None),
        None => (reference, None),
    }
}

/// The 404 of a feed whose subject does not exist or may not be read (the same words).
fn hidden(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::NotFound,
        "not_found",
        format!("{what} does not exist on this instance."),
    )
}
