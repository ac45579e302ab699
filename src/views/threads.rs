//! Thread trees: a post's comments in reply order, the one builder behind the API's nested tree
//! and the HTML thread. A deleted or removed comment keeps its place, its content withheld, for
//! as long as a reply beneath it remains (as Lemmy and Reddit do); with none it is left out.
//! `read` is the whole of a thread page for one viewer, in a fixed number of statements.

use super::gate::{Gate, Sight, State, Target, Viewer};
use crate::{
    db::{
        self,
        accounts::Person,
        communities::Community,
        posts::{ActorRef, Comment, Post},
    },
    domain::communities::may_moderate,
    error::{ErrorKind, Result},
};
use std::collections::{HashMap, HashSet};

/// A thread as one viewer sees it.
pub struct ThreadRead {
    pub post: Post,
    pub community: Community,
    pub author: Person,
    pub comments: Vec<ThreadEntry>,
    /// The viewer's votes on the post and its comments, by object id.
    pub votes: HashMap<String, i32>,
    /// Whether the viewer moderates the thread's community.
    pub moderates: bool,
    /// What the viewer may see of the thread's community (their role in it), as the gate read it.
    pub sight: Sight,
    /// The other communities the thread is in (cross-posts), and the local communities a
    /// signed-in viewer is an active member of with their role (`db::shares::for_thread_page`).
    pub communities: Vec<db::shares::ThreadCommunity>,
    /// What other servers attached to the post and its replies (`db::attachments`).
    pub attachments: db::attachments::ThreadAttachments,
}

/// The thread of post `post_id` for `viewer`, through the read gate: None when it is missing or
/// hidden from the viewer. A post a moderator removed is shown to the community's moderators
/// only (so that they can restore it). Statements: the same number for any length of thread.
pub fn read(
    conn: &mut db::DbConn,
    gate: &Gate,
    viewer: &Viewer,
    post_id: i64,
) -> Result<Option<ThreadRead>> {
    let target = Target::Post(post_id);
    let found = match gate.content(conn, target, State::Visible, viewer) {
        Err(e) if e.kind == ErrorKind::NotFound && viewer.person_id().is_some() => {
            gate.content(conn, target, State::Removed, viewer)
        }
        found => found,
    };
    let content = match found {
        Ok(content) => content,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let (sight, role) = (content.sight(), content.role);
    let (post, community) = (content.post, content.community);
    let moderates = may_moderate(&community, role, viewer.is_admin()).is_ok();
    if post.removed && !moderates {
        return Ok(None);
    }
    let Some(author) = db::accounts::person_by_id(conn, post.author_id)? else {
        return Ok(None);
    };
    let comments = thread(db::posts::post_comments(conn, post.id)?);
    let communities = db::shares::for_thread_page(conn, post.id, viewer.person_id())?;
    let attachments = db::attachments::of_thread(conn, post.id)?;
    let votes = match viewer.person_id() {
        Some(person) => db::votes::in_thread(conn, person, post.id)?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    Ok(Some(ThreadRead {
        post,
        community,
        author,
        comments,
        votes,
        moderates,
        sight,
        communities,
        attachments,
    }))
}

/// What a thread shows of a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Visible,
    /// Deleted by its author: a placeholder (`[deleted]`).
    Deleted,
    /// Removed by a moderator: a placeholder (`[removed]`).
    Removed,
}

impl Shown {
    fn of(c: &Comment) -> Shown {
        match (c.deleted, c.removed) {
            (_, true) => Shown::Removed,
            (true, false) => Shown::Deleted,
            (false, false) => Shown::Visible,
        }
    }

    /// The placeholder text shown instead of the body, if any.
    pub fn placeholder(self) -> Option<&'static str> {
        match self {
            Shown::Visible => None,
            Shown::Deleted => Some("[deleted]"),
            Shown::Removed => Some("[removed]"),
        }
    }
}

/// One comment in its place: `depth` 0 replies to the post. A placeholder's body is empty.
pub struct ThreadEntry {
    pub comment: Comment,
    pub author: ActorRef,
    pub depth: usize,
    pub shown: Shown,
}

/// Orders a post's comments depth-first (each reply under its parent), oldest first at each
/// level. Iterative, so a reply chain of any depth cannot exhaust the stack. A comment whose
/// parent is not in the thread is left out.
pub fn thread(rows: Vec<(Comment, ActorRef)>) -> Vec<ThreadEntry> {
    let mut children: HashMap<Option<i64>, Vec<(Comment, ActorRef)>> = HashMap::new();
    for row in rows {
        children.entry(row.0.parent_id).or_default().push(row);
    }
    // Rows come oldest first; the stack pops from the end, so push each level reversed.
    let mut stack: Vec<(usize, (Comment, ActorRef))> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|row| (0, row))
        .collect();
    let mut ordered = Vec::new();
    while let Some((depth, (comment, author))) = stack.pop() {
        if let Some(replies) = children.remove(&Some(comment.id)) {
            stack.extend(replies.into_iter().rev().map(|row| (depth + 1, row)));
        }
        let shown = Shown::of(&comment);
        ordered.push(ThreadEntry {
            comment,
            author,
            depth,
            shown,
        });
    }
    // Backwards, every reply is seen before its parent: keep what is visible or has a kept reply.
    let mut with_kept_reply = HashSet::new();
    let mut kept: Vec<ThreadEntry> = Vec::with_capacity(ordered.len());
    for mut entry in ordered.into_iter().rev() {
        if entry.shown == Shown::Visible || with_kept_reply.contains(&entry.comment.id) {
            if let Some(parent) = entry.comment.parent_id {
                with_kept_reply.insert(parent);
            }
            if entry.shown != Shown::Visible {
                entry.comment.body_md.clear();
                entry.comment.body_html.clear();
            }
            kept.push(entry);
        }
    }
    kept.reverse();
    kept
}

/// Nests a depth-first list (as [`thread`] gives, each item with its depth) into trees:
/// `attach` hands an item its replies, oldest first.
pub fn nest<T>(ordered: Vec<(usize, T)>, attach: impl Fn(&mut T, Vec<T>)) -> Vec<T> {
    let mut roots = Vec::new();
    // The open path from a root down to the latest item, with the replies gathered so far.
    let mut path: Vec<(usize, T, Vec<T>)> = Vec::new();
    let close = |path: &mut Vec<(usize, T, Vec<T>)>, roots: &mut Vec<T>| {
        if let Some((_, mut item, replies)) = path.pop() {
            attach(&mut item, replies);
            match path.last_mut() {
                Some((_, _, siblings)) => siblings.push(item),
                None => roots.push(item),
            }
        }
    };
    for (depth, item) in ordered {
        while path.last().is_some_and(|(d, _, _)| *d >= depth) {
            close(&mut path, &mut roots);
        }
        path.push((depth, item, Vec::new()));
    }
    while !path.is_empty() {
        close(&mut path, &mut roots);
    }
    roots
}
