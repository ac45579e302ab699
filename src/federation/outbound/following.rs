//! Joining and leaving: a local person's `Follow` and `Undo(Follow)` to a remote community, a
//! local community's `Accept` / `Reject` of a remote person's `Follow`, and a local community's
//! `Follow` and `Undo(Follow)` of a calendar it follows.

use super::{community_and, send, Plan};
use crate::{
    db::{accounts::Person, communities::Community},
    domain::changes::Change,
    error::Error,
    federation::activities::following::{AnswerKind, Follow, FollowAnswer, FollowRef, UndoFollow},
};
use activitypub_federation::{
    kinds::activity::{AcceptType, FollowType, RejectType, UndoType},
    traits::Actor,
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::FollowRequested {
            person_id,
            community_id,
            follow_id,
            message,
        } => {
            let Some((community, person)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            let follow = follow_of(&person, &community, &follow_id, message)?;
            send(
                follow,
                &person,
                vec![community.shared_inbox_or_inbox()],
                data,
            )
            .await
        }
        Change::FollowWithdrawn {
            person_id,
            community_id,
            follow_id,
        } => {
            let Some((community, person)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            let undo = UndoFollow {
                actor: person.ap_id.0.clone().into(),
                object: follow_of(&person, &community, &follow_id, None)?,
                kind: UndoType::Undo,
                id: Url::parse(&data.new_activity_id("undo"))?,
                to: Some(vec![community.ap_id.0.clone()]),
            };
            send(undo, &person, vec![community.shared_inbox_or_inbox()], data).await
        }
        Change::FollowAccepted {
            community_id,
            person_id,
            follow_id,
        } => {
            let Some((community, person)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            answer(AcceptType::Accept, &community, &person, &follow_id, data).await
        }
        Change::FollowRejected {
            community_id,
            person_id,
            follow_id,
        } => {
            let Some((community, person)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            answer(RejectType::Reject, &community, &person, &follow_id, data).await
        }
        Change::CalendarFollowed {
            community_id,
            person_id,
            follow_id,
        } => {
            let Some((community, calendar)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            let follow = calendar_follow(&community, &calendar, &follow_id)?;
            let inbox = vec![calendar.shared_inbox_or_inbox()];
            send(follow, &community, inbox, data).await
        }
        Change::CalendarUnfollowed {
            community_id,
            person_id,
            follow_id,
        } => {
            let Some((community, calendar)) = community_and(data, community_id, person_id).await?
            else {
                return Ok(());
            };
            let undo = UndoFollow {
                actor: community.ap_id.0.clone().into(),
                object: calendar_follow(&community, &calendar, &follow_id)?,
                kind: UndoType::Undo,
                id: Url::parse(&data.new_activity_id("undo"))?,
                to: Some(vec![calendar.ap_id.0.clone()]),
            };
            let inbox = vec![calendar.shared_inbox_or_inbox()];
            send(undo, &community, inbox, data).await
        }
        _ => Ok(()),
    }
}

/// A community's `Follow` of a calendar: the Group follows the actor that publishes it.
fn calendar_follow(community: &Community, calendar: &Person, id: &str) -> Result<Follow, Error> {
    Ok(Follow {
        actor: community.ap_id.0.clone().into(),
        object: calendar.ap_id.0.clone().into(),
        kind: FollowType::Follow,
        id: Url::parse(id)?,
        to: Some(vec![calendar.ap_id.0.clone()]),
        content: None,
        summary: None,
        participation_message: None,
    })
}

fn follow_of(
    person: &Person,
    community: &Community,
    id: &str,
    message: Option<String>,
) -> Result<Follow, Error> {
    Ok(Follow {
        actor: person.ap_id.0.clone().into(),
        object: community.ap_id.0.clone().into(),
        kind: FollowType::Follow,
        id: Url::parse(id)?,
        to: Some(vec![community.ap_id.0.clone()]),
        content: message,
        summary: None,
        participation_message: None,
    })
}

/// Sends the community's Accept or Reject of a Follow, embedding the Follow.
async fn answer<K: AnswerKind>(
    kind: K,
    community: &Community,
    person: &Person,
    follow_id: &str,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let activity = FollowAnswer {
        actor: community.ap_id.0.clone().into(),
        object: FollowRef::Embedded(Box::new(follow_of(person, community, follow_id, None)?)),
        id: Url::parse(&data.new_activity_id(if K::ACCEPTS { "accept" } else { "reject" }))?,
        to: Some(vec![person.ap_id.0.clone()]),
        kind,
    };
    send(
        activity,
        community,
        vec![person.shared_inbox_or_inbox()],
        data,
    )
    .await
}
