//! A poll as one reader sees it: the options, the reader's choices, and the counts only when
//! `domain::polls::results_shown` allows (after voting, once closed, to the author and the
//! community's moderators). Asked of the read gate first (`read`), or for a thread the gate
//! already let the reader see (`of_post`).

use crate::{
    db::{self, posts::Post},
    domain::polls as rules,
    error::Result,
    views::gate::{Gate, State, Target, Viewer},
};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PollView {
    pub post_id: i64,
    pub multiple: bool,
    pub closes_at: Option<NaiveDateTime>,
    pub closed: bool,
    /// Shown with the counts only.
    pub voters_count: Option<i64>,
    pub options: Vec<OptionView>,
    /// The reader voted (in a single-choice poll: may not vote again).
    pub voted: bool,
    /// The counts are shown to this reader.
    pub results_shown: bool,
    /// The reader (signed in) may still vote for some option.
    pub may_vote: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OptionView {
    pub id: i64,
    pub name: String,
    /// None while the results are hidden from this reader.
    pub votes: Option<i64>,
    /// The share of all votes, in whole percent (for the bars).
    pub percent: Option<i64>,
    pub chosen: bool,
}

/// The poll of a thread the gate let `person` read (None when the thread has no poll);
/// `moderates`: the reader moderates its community.
pub fn of_post(
    conn: &mut db::DbConn,
    post: &Post,
    person: Option<i64>,
    moderates: bool,
) -> Result<Option<PollView>> {
    let Some((poll, options)) = db::polls::get(conn, post.id)? else {
        return Ok(None);
    };
    let chosen = match person {
        Some(p) => db::polls::chosen_by(conn, post.id, p)?,
        None => Vec::new(),
    };
    let closed = rules::is_closed(poll.closes_at, db::now());
    let voted = !chosen.is_empty();
    let shown = rules::results_shown(voted, moderates || person == Some(post.author_id), closed);
    let total: i64 = options.iter().map(|o| o.votes).sum();
    let may_vote = person.is_some()
        && !closed
        && !post.locked
        && match poll.multiple {
            true => chosen.len() < options.len(),
            false => !voted,
        };
    Ok(Some(PollView {
        post_id: post.id,
        multiple: poll.multiple,
        closes_at: poll.closes_at,
        closed,
        voters_count: shown.then_some(poll.voters_count),
        options: options
            .into_iter()
            .map(|o| OptionView {
                id: o.id,
                chosen: chosen.contains(&o.id),
                votes: shown.then_some(o.votes),
                percent: shown.then(|| (o.votes * 100).checked_div(total).unwrap_or(0)),
                name: o.name,
            })
            .collect(),
        voted,
        results_shown: shown,
        may_vote,
    }))
}

/// The poll of post `post_id` for `viewer`, through the read gate (404 for a thread the viewer
/// may not read; None when it has no poll).
pub fn read(
    conn: &mut db::DbConn,
    gate: &Gate,
    viewer: &Viewer,
    post_id: i64,
) -> Result<Option<(Post, PollView)>> {
    let content = gate.content(conn, Target::Post(post_id), State::Visible, viewer)?;
    let sight = gate.sight(conn, viewer, &content.community)?;
    let moderates =
        crate::domain::communities::may_moderate(&content.community, sight.role, viewer.is_admin())
            .is_ok();
    let view = of_post(conn, &content.post, viewer.person_id(), moderates)?;
    Ok(view.map(|v| (content.post, v)))
}

/// The poll with its counts and closing state left out (a page shared by every signed-out
/// reader, kept in the read cache past the closing time).
pub fn without_results(mut poll: PollView) -> PollView {
    poll.closed = false;
    poll.voters_count = None;
    poll.results_shown = false;
    poll.may_vote = false;
    for o in &mut poll.options {
        o.votes = None;
        o.percent = None;
    }
    poll
}
