//! Turns domain events into activities and delivers them, signed by the acting actor, to the
//! recipient's shared inbox (or inbox).
//!
//! Interim: events travel over an in-memory channel and are sent once, in order; the durable,
//! retrying queue of the delivery issue replaces this loop.

use super::{
    activities::{
        announce::{Announce, Announced},
        create::Create,
        following::{AnswerKind, Follow, FollowAnswer, FollowRef, UndoFollow},
    },
    objects::{
        self,
        post::{PostJson, PostOrComment},
    },
    FedData,
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
    kinds::{
        activity::{AcceptType, AnnounceType, CreateType, FollowType, RejectType, UndoType},
        public,
    },
    protocol::context::WithContext,
    traits::{Activity, Actor, Object},
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
        Event::PostCreated {
            post,
            community,
            author,
            activity_id,
        } => {
            let object = PostOrComment::Post(post).into_json(data).await?;
            publish(object, &community, &author, activity_id, true, data).await
        }
        Event::CommentCreated {
            comment,
            community,
            author,
            activity_id,
            ..
        } => {
            let object = PostOrComment::Comment(comment).into_json(data).await?;
            publish(object, &community, &author, activity_id, false, data).await
        }
    }
}

/// `host[:port]` of a URL: instances are told apart by both.
fn origin(url: &Url) -> (Option<&str>, Option<u16>) {
    (url.host_str(), url.port_or_known_default())
}

/// Delivers a new post or comment. In a local community the community announces the author's
/// `Create` to its members' instances (not back to the author's own), and for posts also the bare
/// object, which Mastodon and Pleroma show. A local author's contribution to a remote community
/// is sent to that community as a `Create`.
async fn publish(
    object: PostJson,
    community: &Community,
    author: &Person,
    activity_id: Option<String>,
    bare_too: bool,
    data: &FedData,
) -> Result<(), Error> {
    let id = match activity_id {
        Some(id) => Url::parse(&id)?,
        None => Url::parse(&data.new_activity_id("create"))?,
    };
    let create = Create {
        actor: author.ap_id.0.clone().into(),
        object: object.clone(),
        kind: CreateType::Create,
        id,
        to: vec![public()],
        cc: vec![community.ap_id.0.clone()],
        audience: Some(community.ap_id.0.clone()),
    };
    if !community.local {
        return send(
            create,
            author,
            vec![community.shared_inbox_or_inbox()],
            data,
        )
        .await;
    }
    let community_id = community.id;
    let author_origin = origin(&author.ap_id)
        .0
        .map(str::to_string)
        .zip(Some(origin(&author.ap_id).1));
    let inboxes: Vec<Url> = data
        .db(move |conn| crate::db::members::remote_member_inboxes(conn, community_id))
        .await?
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .filter(|i| {
            let (host, port) = origin(i);
            author_origin.as_ref() != Some(&(host.unwrap_or_default().to_string(), port))
        })
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let followers = Url::parse(&format!("{}/followers", community.ap_id))?;
    let announce = |object: Announced| -> Result<Announce, Error> {
        Ok(Announce {
            actor: community.ap_id.0.clone().into(),
            object,
            kind: AnnounceType::Announce,
            id: Url::parse(&data.new_activity_id("announce"))?,
            to: vec![public()],
            cc: vec![followers.clone()],
        })
    };
    send(
        announce(Announced::Create(Box::new(create)))?,
        community,
        inboxes.clone(),
        data,
    )
    .await?;
    if bare_too {
        send(
            announce(Announced::Object(Box::new(object)))?,
            community,
            inboxes,
            data,
        )
        .await?;
    }
    Ok(())
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
