//! Changes: what happened, in the community's words, as stored in the outbox (`outbox_events`)
//! in the transaction of the change itself. `actions/` (and received activities) emit them
//! through `db::outbox::emit`; `federation/outbound` re-reads the rows by id and plans the
//! activities.
//!
//! A change carries ids (local row ids, ActivityPub ids) and only the values the wire needs that
//! cannot be read again later (a removal's reason, the id of a received activity a community
//! re-announces, a deleted object's ap_id): never whole rows, so that a new column cannot make
//! queued changes unreadable. The format is an internally tagged JSON object
//! (`{"change": "PostCreated", "post_id": 7, …}`); optional fields default, unknown fields are
//! ignored. Queued rows written before this format (whole rows, externally tagged) are read
//! through [`legacy`].

pub mod legacy;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// One change, stored for federation. Field names of row ids are the old row field's name with
/// `_id` (which is what [`legacy`] relies on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change")]
pub enum Change {
    /// A local person asked to join a remote community (→ `Follow`).
    FollowRequested {
        person_id: i64,
        community_id: i64,
        follow_id: String,
        /// Answers to the joining questions, as one text.
        #[serde(default)]
        message: Option<String>,
    },
    /// A local person left a remote community (→ `Undo(Follow)`).
    FollowWithdrawn {
        person_id: i64,
        community_id: i64,
        follow_id: String,
    },
    /// A local community follows a calendar on another server (→ the Group's `Follow` of that
    /// actor; `actions::event_sources`).
    CalendarFollowed {
        community_id: i64,
        person_id: i64,
        follow_id: String,
    },
    /// A local community stopped following a calendar (→ the Group's `Undo(Follow)`).
    CalendarUnfollowed {
        community_id: i64,
        person_id: i64,
        follow_id: String,
    },
    /// A local community took a remote person in (→ `Accept(Follow)`).
    FollowAccepted {
        community_id: i64,
        person_id: i64,
        follow_id: String,
    },
    /// A local community turned a remote person down (→ `Reject(Follow)`).
    FollowRejected {
        community_id: i64,
        person_id: i64,
        follow_id: String,
    },
    /// A post was stored in a community. In a local community it is announced to the
    /// members' instances; a local author's post in a remote community is sent there.
    /// `activity_id` is the id of the remote `Create` that brought it, if any.
    PostCreated {
        post_id: i64,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A comment was stored; delivered like a post.
    CommentCreated {
        comment_id: i64,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A vote (`Like` +1, `Dislike` -1) on a post or comment. `activity_id` is the vote's id (a
    /// remote voter's own, when the community forwards it).
    VoteCast {
        voter_id: i64,
        object_ap_id: String,
        community_id: i64,
        score: i32,
        activity_id: String,
    },
    /// A vote withdrawn (`Undo` of the vote `vote_activity_id`).
    VoteWithdrawn {
        voter_id: i64,
        object_ap_id: String,
        community_id: i64,
        score: i32,
        vote_activity_id: String,
        activity_id: String,
    },
    /// An organizer's answer to a remote person's `Join` of a local event: a place (→ `Accept`),
    /// or a refusal (→ `Reject`), sent by the event's author to the person.
    EventAnswered {
        post_id: i64,
        person_id: i64,
        join_id: String,
        accepted: bool,
    },
    /// A local person answered an event held on another server: going (→ their `Join`, whose
    /// id is `join_id`), or no longer (`leave` → their `Leave`), sent to the event's author.
    EventJoinSent {
        post_id: i64,
        person_id: i64,
        join_id: String,
        leave: bool,
    },
    /// A post or comment was edited by its author (→ `Update`).
    ContentEdited {
        object_ap_id: String,
        community_id: i64,
        author_id: i64,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A post or comment was deleted by its author, or removed by a moderator with a reason
    /// (→ `Delete`).
    ContentDeleted {
        object_ap_id: String,
        community_id: i64,
        actor_id: i64,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A moderator restored a post or comment a moderator had removed (→ `Undo(Delete)`).
    ContentRestored {
        object_ap_id: String,
        community_id: i64,
        moderator_id: i64,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A local community's moderators changed (→ `Add` / `Remove` to `moderators`).
    ModeratorChanged {
        community_id: i64,
        actor_id: i64,
        person_id: i64,
        appointed: bool,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A local person reported content of a remote community (→ `Flag` to the community).
    ReportFiled {
        report_id: i64,
        reporter_id: i64,
        community_id: i64,
    },
    /// A moderator locked or unlocked a thread (→ `Lock` / `Undo(Lock)`).
    ThreadLocked {
        post_ap_id: String,
        community_id: i64,
        moderator_id: i64,
        locked: bool,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A moderator banned (or unbanned) a person from a community (→ `Block` / `Undo(Block)`).
    PersonBanned {
        community_id: i64,
        moderator_id: i64,
        person_id: i64,
        banned: bool,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        expires_at: Option<NaiveDateTime>,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A local community's charter or settings changed (→ `Announce(Update(Group))` with the
    /// person who made the change as the `Update`'s actor; queued rows from before `editor_id`
    /// send the Group's own `Update`).
    CommunityUpdated {
        community_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        editor_id: Option<i64>,
        /// A remote community the change unlinked: told too, so that it drops its confirmation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unlinked_id: Option<i64>,
    },
    /// A local community moved to the Group `target` (→ the old Group's `Move` to its
    /// followers).
    CommunityMoved { community_id: i64, target: String },
    /// A moderator pinned or unpinned a post (→ `Add` / `Remove` to `featured`).
    PostPinned {
        post_ap_id: String,
        community_id: i64,
        moderator_id: i64,
        pinned: bool,
        #[serde(default)]
        activity_id: Option<String>,
    },
    /// A local community published its weekly digest for the week ending `period` (the Monday,
    /// `YYYY-MM-DD`, UTC) (→ `Create(Article)` from the Group to its followers).
    DigestPublished { community_id: i64, period: String },
    /// A local person voted in a remote poll (→ `Create(Note)` with the option as `name`, to
    /// the poll's author).
    PollVoteCast { vote_id: i64 },
    /// A thread was put into a local community besides its home (→ that community's
    /// `Announce` of the object, with id `announce_id`, to its members' instances and to the
    /// home community's).
    PostShared {
        post_id: i64,
        community_id: i64,
        announce_id: String,
    },
    /// A local author sent their thread (whose home is here) to a remote community (→ the
    /// author's `Create` of the object, with id `activity_id`, addressed to that community and
    /// sent to its inbox; it is in that community once the community announces it).
    ShareRequested {
        post_id: i64,
        community_id: i64,
        activity_id: String,
    },
    /// A local community's moderator took a shared thread out of that community only (→ the
    /// community's `Announce` of the moderator's `Remove` with the community as `target`).
    ShareRemoved {
        post_id: i64,
        community_id: i64,
        moderator_id: i64,
        #[serde(default)]
        reason: Option<String>,
        activity_id: String,
    },
    /// A local poll's results changed or it closed (→ the author's `Update(Question)`, batched
    /// by the polls job: at most one every few minutes per poll).
    PollResults { post_id: i64 },
    /// A library page of a local community was created (`revision` 1) or saved as `revision`
    /// (→ the Group's `Announce(Create(Article))` / `Announce(Update(Article))`). Saves queued
    /// before planning collapse: a change whose page has moved past `revision` sends nothing,
    /// since the change of the later save carries the latest revision.
    PageSaved { page_id: i64, revision: i64 },
}

impl Change {
    /// Reads a stored change: this format, or the format written before it ([`legacy`]).
    pub fn decode(json: &str) -> Result<Change, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        if value.get("change").is_some() {
            return serde_json::from_value(value);
        }
        serde_json::from_value(legacy::upgrade(value))
    }

    /// The stored text.
    pub fn encode(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::Change;
    use serde_json::{json, Value};
    use std::collections::BTreeSet;

    /// Stored rows as written before `Change`, captured from the integration suite.
    const V1: &str = include_str!("../../tests/data/outbox_events_v1.json");
    /// The same changes as today's code writes them.
    const V2: &str = include_str!("../../tests/data/outbox_events_v2.json");
    const VARIANTS: usize = 17;

    fn samples(file: &str) -> Vec<Value> {
        serde_json::from_str(file).expect("samples")
    }

    fn name(change: &Change) -> String {
        serde_json::to_value(change).expect("encodes")["change"]
            .as_str()
            .expect("tagged")
            .to_string()
    }

    #[test]
    fn every_variant_written_before_is_still_read_as_todays_change() {
        let (v1, v2) = (samples(V1), samples(V2));
        assert_eq!(v1.len(), v2.len());
        let mut seen = BTreeSet::new();
        for (old, new) in v1.iter().zip(&v2) {
            let change = Change::decode(&old.to_string()).expect("an old row decodes");
            seen.insert(name(&change));
            let written: Value =
                serde_json::from_str(&change.encode().expect("encodes")).expect("json");
            assert_eq!(&written, new, "{old}");
        }
        assert_eq!(seen.len(), VARIANTS, "{seen:?}");
    }

    #[test]
    fn todays_format_round_trips_for_every_variant() {
        let mut seen = BTreeSet::new();
        for sample in samples(V2) {
            let change = Change::decode(&sample.to_string()).expect("decodes");
            seen.insert(name(&change));
            let again = Change::decode(&change.encode().expect("encodes")).expect("decodes");
            assert_eq!(again, change);
        }
        assert_eq!(seen.len(), VARIANTS, "{seen:?}");
    }

    #[test]
    fn a_later_field_or_a_missing_optional_one_strands_nothing() {
        let change = Change::decode(
            &json!({"change": "ContentDeleted", "object_ap_id": "https://a.example/post/1",
                "community_id": 1, "actor_id": 2, "added_later": {"x": 1}})
            .to_string(),
        )
        .expect("decodes");
        assert_eq!(
            change,
            Change::ContentDeleted {
                object_ap_id: "https://a.example/post/1".into(),
                community_id: 1,
                actor_id: 2,
                reason: None,
                activity_id: None,
            }
        );
        // An old row whose embedded rows have other columns than today's: only their ids count.
        let old = json!({"PostCreated": {"post": {"id": 7, "a_column_since_removed": true},
            "community": {"id": 1}, "author": {"id": 2}, "activity_id": null}});
        assert_eq!(
            Change::decode(&old.to_string()).expect("decodes"),
            Change::PostCreated {
                post_id: 7,
                activity_id: None
            }
        );
    }

    #[test]
    fn what_is_not_a_change_is_an_error_not_a_guess() {
        for text in [
            json!({"MeetingScheduled": {"meeting_id": 3}}).to_string(),
            json!({"change": "MeetingScheduled"}).to_string(),
            json!({"PostCreated": {"activity_id": null}}).to_string(),
            "not json".to_string(),
        ] {
            assert!(Change::decode(&text).is_err(), "{text}");
        }
    }
}
