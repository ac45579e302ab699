//! Votes: `Like` / `Dislike` and their `Undo`, sent to a remote community or announced by a local
//! one to its members' instances.

use super::{anyone_to_tell, community, forward, person, Plan};
use crate::{
    db::{accounts::Person, communities::Community},
    domain::changes::Change,
    error::Error,
    federation::activities::{
        announce::Announced,
        voting::{UndoVote, Vote, VoteType},
    },
};
use activitypub_federation::kinds::activity::UndoType;
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::VoteCast {
            voter_id,
            object_ap_id,
            community_id,
            score,
            activity_id,
        } => {
            let Some((community, voter)) = told_of(data, community_id, voter_id).await? else {
                return Ok(());
            };
            let vote = vote_of(&voter, &object_ap_id, &community, score, &activity_id)?;
            forward(vote, Announced::Vote, &community, &voter, data).await
        }
        Change::VoteWithdrawn {
            voter_id,
            object_ap_id,
            community_id,
            score,
            vote_activity_id,
            activity_id,
        } => {
            let Some((community, voter)) = told_of(data, community_id, voter_id).await? else {
                return Ok(());
            };
            let undo = UndoVote {
                actor: voter.ap_id.0.clone().into(),
                object: vote_of(&voter, &object_ap_id, &community, score, &vote_activity_id)?,
                kind: UndoType::Undo,
                id: Url::parse(&activity_id)?,
                audience: Some(community.ap_id.0.clone()),
            };
            forward(undo, Announced::UndoVote, &community, &voter, data).await
        }
        _ => Ok(()),
    }
}

/// The community and the voter, when the community has anyone to tell (the voter is not read
/// otherwise).
async fn told_of(
    data: &Plan<'_>,
    community_id: i64,
    voter_id: i64,
) -> Result<Option<(Community, Person)>, Error> {
    let Some(community) = community(data, community_id).await? else {
        return Ok(None);
    };
    if !anyone_to_tell(&community, data).await? {
        return Ok(None);
    }
    Ok(person(data, voter_id)
        .await?
        .map(|voter| (community, voter)))
}

fn vote_of(
    voter: &Person,
    object_ap_id: &str,
    community: &Community,
    score: i32,
    id: &str,
) -> Result<Vote, Error> {
    Ok(Vote {
        actor: voter.ap_id.0.clone().into(),
        object: Url::parse(object_ap_id)?.into(),
        kind: VoteType::of(score),
        id: Url::parse(id)?,
        audience: Some(community.ap_id.0.clone()),
    })
}
