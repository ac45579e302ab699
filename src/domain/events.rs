//! Domain events: what happened, in the community's words. `api/`, `web/` and `actions/` emit
//! them through `AppContext::emit`; `federation/outbound` turns them into activities.

use crate::db::{
    accounts::Person,
    communities::Community,
    posts::{Comment, Post},
};

/// Events are stored (as JSON, in the outbox) in the transaction of the change that caused
/// them, so that what happened is delivered whatever crashes later.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Event {
    /// A local person asked to join a remote community (→ `Follow`).
    FollowRequested {
        person: Person,
        community: Community,
        follow_id: String,
        /// Answers to the joining questions, as one text.
        message: Option<String>,
    },
    /// A local person left a remote community (→ `Undo(Follow)`).
    FollowWithdrawn {
        person: Person,
        community: Community,
        follow_id: String,
    },
    /// A local community took a remote person in (→ `Accept(Follow)`).
    FollowAccepted {
        community: Community,
        person: Person,
        follow_id: String,
    },
    /// A local community turned a remote person down (→ `Reject(Follow)`).
    FollowRejected {
        community: Community,
        person: Person,
        follow_id: String,
    },
    /// A post was stored in a community. In a local community it is announced to the
    /// members' instances; a local author's post in a remote community is sent there.
    /// `activity_id` is the id of the remote `Create` that brought it, if any.
    PostCreated {
        post: Post,
        community: Community,
        author: Person,
        activity_id: Option<String>,
    },
    /// A comment was stored; delivered like a post.
    CommentCreated {
        comment: Comment,
        post: Post,
        community: Community,
        author: Person,
        activity_id: Option<String>,
    },
    /// A vote (`Like` +1, `Dislike` -1) on a post or comment. `activity_id` is the vote's id (a
    /// remote voter's own, when the community forwards it).
    VoteCast {
        voter: Person,
        object_ap_id: String,
        community: Community,
        score: i32,
        activity_id: String,
    },
    /// A vote withdrawn (`Undo` of the vote `vote_activity_id`).
    VoteWithdrawn {
        voter: Person,
        object_ap_id: String,
        community: Community,
        score: i32,
        vote_activity_id: String,
        activity_id: String,
    },
    /// A post or comment was edited by its author (→ `Update`).
    ContentEdited {
        object_ap_id: String,
        community: Community,
        author: Person,
        activity_id: Option<String>,
    },
    /// A post or comment was deleted by its author, or removed by a moderator with a reason
    /// (→ `Delete`).
    ContentDeleted {
        object_ap_id: String,
        community: Community,
        actor: Person,
        reason: Option<String>,
        activity_id: Option<String>,
    },
    /// A moderator restored a post or comment a moderator had removed (→ `Undo(Delete)`).
    ContentRestored {
        object_ap_id: String,
        community: Community,
        moderator: Person,
        reason: Option<String>,
        activity_id: Option<String>,
    },
    /// A local community's moderators changed (→ `Add` / `Remove` to `moderators`).
    ModeratorChanged {
        community: Community,
        actor: Person,
        person: Person,
        appointed: bool,
        activity_id: Option<String>,
    },
    /// A local person reported content of a remote community (→ `Flag` to the community).
    ReportFiled {
        report: crate::db::moderation::Report,
        reporter: Person,
        community: Community,
    },
    /// A moderator locked or unlocked a thread (→ `Lock` / `Undo(Lock)`).
    ThreadLocked {
        post_ap_id: String,
        community: Community,
        moderator: Person,
        locked: bool,
        reason: Option<String>,
        activity_id: Option<String>,
    },
    /// A moderator banned (or unbanned) a person from a community (→ `Block` / `Undo(Block)`).
    PersonBanned {
        community: Community,
        moderator: Person,
        person: Person,
        banned: bool,
        reason: Option<String>,
        expires_at: Option<chrono::NaiveDateTime>,
        activity_id: Option<String>,
    },
    /// A local community's charter or settings changed (→ `Update(Group)`).
    CommunityUpdated { community: Community },
    /// A moderator pinned or unpinned a post (→ `Add` / `Remove` to `featured`).
    PostPinned {
        post_ap_id: String,
        community: Community,
        moderator: Person,
        pinned: bool,
        activity_id: Option<String>,
    },
}
