//! The access gates of a community's content. By id through the client API and the pages
//! (`content`): a post or comment of a private community that the reader may not read answers
//! exactly what a missing one does (the same 404 and message), so that its existence does not
//! leak. Through ActivityPub (`authorize_fetch`): public communities answer everyone; a private
//! one answers only a signed request from an instance where at least one of its active members
//! lives, and everyone else is told 404 likewise.

use crate::{
    context::AppContext,
    db::{
        self,
        communities::Community,
        posts::{Comment, Post},
    },
    domain::{
        communities::{can_read, Viewer, Visibility},
        names::instance_of,
    },
    error::{Error, Result},
};
use std::future::Future;
use url::Url;

/// Whether the content of `community` may be served to whoever asks. `signer` yields the
/// verified signer of the request (a person or an instance actor), or None when the request is
/// unsigned or its signature does not verify; it is only awaited for private communities, so
/// public reads never cost a key fetch.
pub async fn authorize_fetch(
    ctx: &AppContext,
    community: &Community,
    signer: impl Future<Output = Option<Url>>,
) -> Result<()> {
    if community.visibility() == Visibility::Public {
        return Ok(());
    }
    let hidden = || Error::not_found("object");
    let instance = signer
        .await
        .as_ref()
        .and_then(instance_of)
        .ok_or_else(hidden)?;
    let community_id = community.id;
    let member_instance = ctx
        .db(move |conn| db::members::instance_has_active_member(conn, community_id, &instance))
        .await?;
    if member_instance {
        Ok(())
    } else {
        Err(hidden())
    }
}

/// A post or comment by local id.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Post(i64),
    Comment(i64),
}

impl Target {
    /// What a missing target answers: 404 `not_found`, "post not found". Hidden content
    /// answers exactly the same, byte for byte (so the message does not repeat the id).
    pub fn missing(self) -> Error {
        match self {
            Target::Post(_) => Error::not_found("post"),
            Target::Comment(_) => Error::not_found("comment"),
        }
    }
}

/// Who looks content up by id.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    /// Someone through the client API or the pages: a private community's content is hidden
    /// from those who may not read it (`domain::communities::can_read`).
    Local(Viewer),
    /// A received activity, authorised by its own rules (its author, a moderator, the
    /// community vouching for it) rather than by who may read.
    Inbound,
}

/// Which content a lookup finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not deleted by its author nor removed by a moderator.
    Visible,
    /// Removed by a moderator (so that a moderator can restore it).
    Removed,
}

/// A post or comment found by id, with its thread's post and its community.
pub struct Content {
    pub post: Post,
    pub comment: Option<Comment>,
    pub community: Community,
}

impl Content {
    /// The ActivityPub id of the target itself.
    pub fn ap_id(&self) -> String {
        match &self.comment {
            Some(c) => c.ap_id.to_string(),
            None => self.post.ap_id.to_string(),
        }
    }

    pub fn author_id(&self) -> i64 {
        self.comment
            .as_ref()
            .map_or(self.post.author_id, |c| c.author_id)
    }
}

/// The one lookup of content by id for the client API, the pages and the actions they call:
/// 404 (`Target::missing`) when it does not exist, is not in `state`, or is in a private
/// community that a `Local` reader may not read: the same status and message in each case.
pub fn content(
    conn: &mut db::DbConn,
    target: Target,
    state: State,
    reader: Reader,
) -> Result<Content> {
    let wanted = |deleted: bool, removed: bool| match state {
        State::Visible => !deleted,
        State::Removed => removed,
    };
    let missing = || target.missing();
    let (post, comment) = match target {
        Target::Post(id) => {
            let post = db::posts::post(conn, id)?
                .filter(|p| wanted(p.deleted, p.removed))
                .ok_or_else(missing)?;
            (post, None)
        }
        Target::Comment(id) => {
            let comment = db::posts::comment(conn, id)?
                .filter(|c| wanted(c.deleted, c.removed))
                .ok_or_else(missing)?;
            let post = db::posts::post(conn, comment.post_id)?.ok_or_else(missing)?;
            (post, Some(comment))
        }
    };
    let community = db::communities::by_id(conn, post.community_id)?.ok_or_else(missing)?;
    if let Reader::Local(viewer) = reader {
        if !can_read(&community, None, viewer.is_admin) {
            let role = match viewer.person_id {
                Some(person) => db::communities::role_of(conn, community.id, person)?,
                None => None,
            };
            if !can_read(&community, role, viewer.is_admin) {
                return Err(missing());
            }
        }
    }
    Ok(Content {
        post,
        comment,
        community,
    })
}
