//! Domain events: what happened, in the community's words. `api/`, `web/` and `actions/` emit
//! them through `AppContext::emit`; `federation/outbound` turns them into activities.

use crate::db::{accounts::Person, communities::Community};

#[derive(Debug, Clone)]
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
}
