//! The one read gate: what a viewer (nobody, a local account, a remote instance proven by a
//! signed fetch) may see of a community. Every read path asks it: the client API, the pages, the
//! ActivityPub GETs and collections, WebFinger, NodeInfo and resolve. Every answer is counted
//! (`copse_read_checks_total` at `/metrics`), which is also how the route test proves that each
//! content route went through here.
//!
//! The rule itself is `domain::communities::can_read`: a public community's content is open to
//! all; a private one's to its members, to this instance's admins (for its own communities), and
//! to signed fetches from instances where at least one of its active members lives. A
//! community's charter (its Group actor, title, summary, policy) is public in every case.

use crate::{
    context::AppContext,
    db::{
        self,
        communities::{Community, Scope},
        posts::{Comment, Post},
    },
    domain::{
        communities::{can_read, may_moderate, members_only, Role, Visibility},
        names::instance_of,
    },
    error::{Error, Result},
};
use prometheus_client::metrics::counter::Counter;
use std::future::Future;
use url::Url;

/// Who reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Viewer {
    /// Nobody signed in, or an unsigned (or unverified) fetch.
    #[default]
    Anonymous,
    /// A local account, and whether it administers this instance.
    Account { person_id: i64, is_admin: bool },
    /// Another server, proven by the signature of its fetch: its host (`host[:port]`).
    Instance(String),
}

impl Viewer {
    pub fn anonymous() -> Self {
        Viewer::Anonymous
    }

    pub fn person(person_id: i64, is_admin: bool) -> Self {
        Viewer::Account {
            person_id,
            is_admin,
        }
    }

    /// The local person reading, if any.
    pub fn person_id(&self) -> Option<i64> {
        match self {
            Viewer::Account { person_id, .. } => Some(*person_id),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Viewer::Account { is_admin: true, .. })
    }
}

/// What a viewer may see of one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// The viewer's role in it (local accounts only).
    pub role: Option<Role>,
    /// Its content: posts, comments, members and their number, moderators, pinned posts, modlog.
    pub content: bool,
}

impl Sight {
    /// The content, or 403 `members_only` (for a community the viewer already knows of: it is
    /// listed, or named in the request).
    pub fn require(self) -> Result<Option<Role>> {
        if self.content {
            return Ok(self.role);
        }
        Err(members_only())
    }

    /// The content, or `hidden()` (404 for content reached by id or an ActivityPub GET, so that
    /// its existence does not leak).
    pub fn or_else(self, hidden: impl FnOnce() -> Error) -> Result<Option<Role>> {
        if self.content {
            Ok(self.role)
        } else {
            Err(hidden())
        }
    }
}

/// Who looks content up by id.
#[derive(Clone)]
pub enum Reader {
    /// Someone through the client API or the pages (or an action they call): content they may
    /// not read is hidden (`Gate::content`).
    Local(Gate, Viewer),
    /// A received activity, authorised by its own rules (its author, a moderator, the
    /// community vouching for it) rather than by who may read.
    Inbound,
}

/// The content lookup for actions: through the gate for a `Local` reader, unchecked for an
/// `Inbound` one.
pub fn content(
    conn: &mut db::DbConn,
    target: Target,
    state: State,
    reader: &Reader,
) -> Result<Content> {
    match reader {
        Reader::Local(gate, viewer) => gate.content(conn, target, state, viewer),
        Reader::Inbound => lookup(conn, target, state),
    }
}

/// The gate of one instance (cheap to clone into a database closure).
#[derive(Clone, Default)]
pub struct Gate {
    allowed: Counter,
    refused: Counter,
}

impl Gate {
    /// A reader of content by id for an action done by `viewer`.
    pub fn reader(&self, viewer: Viewer) -> Reader {
        Reader::Local(self.clone(), viewer)
    }

    /// (allowed, refused) answers so far, for `/metrics`.
    pub fn counters(&self) -> (Counter, Counter) {
        (self.allowed.clone(), self.refused.clone())
    }

    fn count(&self, content: bool) {
        if content {
            self.allowed.inc();
        } else {
            self.refused.inc();
        }
    }

    /// What `viewer` may see of `community`.
    pub fn sight(
        &self,
        conn: &mut db::DbConn,
        viewer: &Viewer,
        community: &Community,
    ) -> Result<Sight> {
        self.sight_given(conn, viewer, community, None)
    }

    /// [`sight`](Self::sight) for a viewer whose role in `community` (as an active member) the
    /// caller has already read, with the rest of where they stand (`db::bans::membership`).
    pub fn sight_with_role(
        &self,
        conn: &mut db::DbConn,
        viewer: &Viewer,
        community: &Community,
        role: Option<Role>,
    ) -> Result<Sight> {
        self.sight_given(conn, viewer, community, Some(role))
    }

    fn sight_given(
        &self,
        conn: &mut db::DbConn,
        viewer: &Viewer,
        community: &Community,
        known_role: Option<Option<Role>>,
    ) -> Result<Sight> {
        let sight = match viewer {
            Viewer::Anonymous => Sight {
                role: None,
                content: can_read(community, None, false),
            },
            Viewer::Account {
                person_id,
                is_admin,
            } => {
                let role = match known_role {
                    Some(role) => role,
                    None => db::communities::role_of(conn, community.id, *person_id)?,
                };
                Sight {
                    role,
                    content: can_read(community, role, *is_admin),
                }
            }
            Viewer::Instance(host) => Sight {
                role: None,
                content: can_read(community, None, false)
                    || db::members::instance_has_active_member(conn, community.id, host)?,
            },
        };
        self.count(sight.content);
        Ok(sight)
    }

    /// `sight` for an ActivityPub GET: `signer` yields the verified signer of the request (or
    /// None when it is unsigned or does not verify), and is awaited only for a private
    /// community, so public reads never cost a key fetch.
    pub async fn sight_signed(
        &self,
        ctx: &AppContext,
        community: &Community,
        signer: impl Future<Output = Option<Url>>,
    ) -> Result<Sight> {
        if community.visibility() == Visibility::Public {
            self.count(true);
            return Ok(Sight {
                role: None,
                content: true,
            });
        }
        let viewer = match signer.await.as_ref().and_then(instance_of) {
            Some(host) => Viewer::Instance(host),
            None => Viewer::Anonymous,
        };
        let (gate, community) = (self.clone(), community.clone());
        ctx.db(move |conn| gate.sight(conn, &viewer, &community))
            .await
    }

    /// `sight`, for what only the community's moderators (and this instance's admins, for its
    /// own communities) see: reports, applications, invitations. 403 `not_a_moderator` otherwise.
    pub fn moderates(
        &self,
        conn: &mut db::DbConn,
        viewer: &Viewer,
        community: &Community,
    ) -> Result<()> {
        let sight = self.sight(conn, viewer, community)?;
        may_moderate(community, sight.role, viewer.is_admin())
    }

    /// Whether `viewer` may see `community`'s charter (its Group actor, title, summary, policy
    /// and questions): yes, for every community. A route that serves only a charter still asks,
    /// so that a community hidden from some viewers (an unlisted one) changes one place.
    pub fn charter(&self, viewer: &Viewer, community: &Community) -> bool {
        let _ = (viewer, community);
        self.count(true);
        true
    }

    /// Which communities a listing or count shown to `viewer` covers: the public ones, those
    /// a local account is a member of, and every one for an admin. (A private community's
    /// charter is public, but it is listed only to those who may read its content.)
    pub fn scope(&self, viewer: &Viewer) -> Scope {
        self.count(true);
        match viewer {
            Viewer::Account { is_admin: true, .. } => Scope::All,
            Viewer::Account { person_id, .. } => Scope::PublicAndMemberOf(*person_id),
            Viewer::Anonymous | Viewer::Instance(_) => Scope::Public,
        }
    }

    /// The one lookup of content by id for the client API and the pages (and the actions they
    /// call): 404 (`Target::missing`) when it does not exist, is not in `state`, or is in a
    /// community `viewer` may not read: the same status and message in each case, so that its
    /// existence does not leak.
    pub fn content(
        &self,
        conn: &mut db::DbConn,
        target: Target,
        state: State,
        viewer: &Viewer,
    ) -> Result<Content> {
        let mut found = lookup(conn, target, state)?;
        let sight = self.sight(conn, viewer, &found.community)?;
        if !sight.content {
            return Err(target.missing());
        }
        found.role = sight.role;
        Ok(found)
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
    /// The reader's role in the community, as the gate read it (None for received activities,
    /// which [`lookup`] finds without asking who reads).
    pub role: Option<Role>,
}

impl Content {
    /// The reader's sight of the community, which [`Gate::content`] found it may read.
    pub fn sight(&self) -> Sight {
        Sight {
            role: self.role,
            content: true,
        }
    }

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

/// Content by id without asking who reads: for received activities, which are authorised by
/// their own rules (their author, a moderator, the community vouching), not by who may read.
pub fn lookup(conn: &mut db::DbConn, target: Target, state: State) -> Result<Content> {
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
    Ok(Content {
        post,
        comment,
        community,
        role: None,
    })
}
