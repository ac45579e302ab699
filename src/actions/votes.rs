//! Voting on posts and comments, locally and from other instances.

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
    },
    domain::{changes::Change, communities::may_read},
    error::{Error, Result},
};

/// What is voted on: a post or a comment, by local id.
pub use super::editing::Target;
use crate::views::gate::Viewer;

fn current_score(conn: &mut db::DbConn, target: Target) -> Result<i64> {
    Ok(match target {
        Target::Post(id) => db::posts::post(conn, id)?.map_or(0, |p| p.score),
        Target::Comment(id) => db::posts::comment(conn, id)?.map_or(0, |c| c.score),
    })
}

/// A local person votes +1, -1, or 0 (withdraws). Returns the object's new score.
pub async fn vote(ctx: &AppContext, account: &Account, target: Target, score: i32) -> Result<i64> {
    if !(-1..=1).contains(&score) {
        return Err(Error::invalid_field("score", "must be 1, -1 or 0"));
    }
    let voter = account.person.clone();
    let activity_id = ctx.new_activity_id(if score < 0 { "dislike" } else { "like" });
    let undo_id = ctx.new_activity_id("undo");
    let reader = ctx
        .gate()
        .reader(Viewer::person(voter.id, account.user.is_admin));
    ctx.write({
        let voter_id = voter.id;
        move |conn| {
            let (ap_id, community) = super::editing::visible(conn, target, &reader)?;
            db::bans::ensure_not_banned(conn, community.id, voter_id)?;
            let previous = db::votes::set(
                conn,
                voter_id,
                &ap_id,
                score,
                (score != 0).then_some(activity_id.as_str()),
            )?;
            let total = current_score(conn, target)?;
            let previous_vote = previous.and_then(|p| p.activity_id.map(|id| (id, p.score)));
            let event = match (score, previous_vote) {
                (0, None) => None,
                (0, Some((vote_activity_id, previous_score))) => Some(Change::VoteWithdrawn {
                    voter_id: voter.id,
                    object_ap_id: ap_id,
                    community_id: community.id,
                    score: previous_score,
                    vote_activity_id,
                    activity_id: undo_id,
                }),
                _ => Some(Change::VoteCast {
                    voter_id: voter.id,
                    object_ap_id: ap_id,
                    community_id: community.id,
                    score,
                    activity_id,
                }),
            };
            if let Some(event) = event {
                db::outbox::emit(conn, &event)?;
            }
            Ok(total)
        }
    })
    .await
}

/// A remote person's vote on the post or comment with id `object_ap_id`. In a local community,
/// private content only takes members' votes, and the community forwards the vote to its
/// members' instances. `receipt` is the activity's, recorded in the same write. One write finds
/// the object with its community and the voter's standing and stores the vote; `Ok(false)`,
/// with nothing written, when no post or comment here has that id (the caller fetches it).
pub async fn receive_vote(
    ctx: &AppContext,
    voter: &Person,
    object_ap_id: String,
    score: i32,
    activity_id: String,
    receipt: Option<db::members::Receipt>,
) -> Result<bool> {
    let voter_id = voter.id;
    ctx.write(move |conn| {
        let Some((community, standing)) =
            db::bans::thread_community_standing(conn, &object_ap_id, voter_id)?
        else {
            return Ok(false);
        };
        if community.local {
            may_read(&community, standing.role_unless_banned()?, false)?;
        }
        if community.local {
            let event = Change::VoteCast {
                voter_id,
                object_ap_id: object_ap_id.clone(),
                community_id: community.id,
                score,
                activity_id: activity_id.clone(),
            };
            db::outbox::emit(conn, &event)?;
        }
        if let Some(receipt) = &receipt {
            receipt.record(conn)?;
        }
        // The score follows in the database (`db::votes::put`); its row stays locked from here
        // to the commit, so the vote comes last.
        db::votes::put(conn, voter_id, &object_ap_id, score, Some(&activity_id))?;
        Ok(true)
    })
    .await
}

/// A remote person withdrew a vote (`Undo`), found by the vote's id or by voter and object.
pub async fn receive_undo_vote(
    ctx: &AppContext,
    voter: Person,
    vote_activity_id: String,
    object_ap_id: String,
    undo_id: String,
) -> Result<()> {
    let voter_id = voter.id;
    ctx.write({
        move |conn| {
            let vote = match db::votes::by_activity(conn, &vote_activity_id)? {
                Some(v) => Some(v),
                None => db::votes::get(conn, voter_id, &object_ap_id)?,
            };
            let Some(vote) = vote.filter(|v| v.person_id == voter_id) else {
                return Ok(());
            };
            db::votes::set(conn, voter_id, &vote.object_ap_id, 0, None)?;
            let community = match db::posts::post_or_comment(conn, &vote.object_ap_id)? {
                Some(object) => Some(db::posts::thread_community(conn, object.post_id())?),
                None => None,
            };
            if let Some(community) = community.filter(|c| c.local) {
                let event = Change::VoteWithdrawn {
                    voter_id: voter.id,
                    object_ap_id: vote.object_ap_id,
                    community_id: community.id,
                    score: vote.score,
                    vote_activity_id,
                    activity_id: undo_id,
                };
                db::outbox::emit(conn, &event)?;
            }
            Ok(())
        }
    })
    .await
}
