//! Turns domain events into activities and delivers them, signed by the acting actor, to the
//! recipient's shared inbox (or inbox).
//!
//! Interim: events travel over an in-memory channel and are sent once, in order; the durable,
//! retrying queue of the delivery issue replaces this loop.

use super::{
    activities::following::{AnswerKind, Follow, FollowAnswer, FollowRef, UndoFollow},
    objects, FedData,
};
use crate::{
    context::AppContext,
    db::{accounts::Person, communities::Community},
    domain::events::Event,
    error::Error,
};
use activitypub_federation::{
    activity_sending::SendActivityTask,
    config::FederationConfig,
    kinds::activity::{AcceptType, FollowType, RejectType, UndoType},
    protocol::context::WithContext,
    traits::{Activity, Actor},
};
use serde::Serialize;
use std::fmt::Debug;
use tokio::sync::mpsc::UnboundedReceiver;
use url::Url;

/// Runs until the instance's context is dropped.
pub async fn run(config: FederationConfig<AppContext>, mut events: UnboundedReceiver<Event>) {
    while let Some(event) = events.recv().await {
        let data = config.to_request_data();
        if let Err(e) = deliver(event, &data).await {
            tracing::warn!("delivery failed: {e:?}");
        }
    }
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

pub async fn deliver(event: Event, data: &FedData) -> Result<(), Error> {
    match event {
        Event::FollowRequested {
            person,
            community,
            follow_id,
            message,
        } => {
            let follow = follow_of(&person, &community, &follow_id, message)?;
            send(
                follow,
                &person,
                vec![community.shared_inbox_or_inbox()],
                data,
            )
            .await
        }
        Event::FollowWithdrawn {
            person,
            community,
            follow_id,
        } => {
            let undo = UndoFollow {
                actor: person.ap_id.0.clone().into(),
                object: follow_of(&person, &community, &follow_id, None)?,
                kind: UndoType::Undo,
                id: Url::parse(&data.new_activity_id("undo"))?,
                to: Some(vec![community.ap_id.0.clone()]),
            };
            send(undo, &person, vec![community.shared_inbox_or_inbox()], data).await
        }
        Event::FollowAccepted {
            community,
            person,
            follow_id,
        } => answer(AcceptType::Accept, &community, &person, &follow_id, data).await,
        Event::FollowRejected {
            community,
            person,
            follow_id,
        } => answer(RejectType::Reject, &community, &person, &follow_id, data).await,
    }
}

/// Sends the community's Accept or Reject of a Follow, embedding the Follow.
async fn answer<K: AnswerKind>(
    kind: K,
    community: &Community,
    person: &Person,
    follow_id: &str,
    data: &FedData,
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

async fn send<A>(
    activity: A,
    from: &impl Actor,
    inboxes: Vec<Url>,
    data: &FedData,
) -> Result<(), Error>
where
    A: Activity + Serialize + Debug + Send + Sync,
{
    let activity = WithContext::new(activity, objects::context());
    for task in SendActivityTask::prepare(&activity, from, inboxes, data).await? {
        task.sign_and_send(data).await?;
    }
    Ok(())
}
