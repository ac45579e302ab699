//! Turns domain events into activities and delivers them, signed by the acting actor, to the
//! recipient's shared inbox (or inbox).
//!
//! Interim: events travel over an in-memory channel and are sent once, in order; the durable,
//! retrying queue of the delivery issue replaces this loop.

use super::{
    activities::{
        announce::{Announce, Announced},
        blocking::{Block, UndoBlock},
        create::Create,
        editing::{Delete, DeletedRef, Update, UpdateGroup},
        following::{AnswerKind, Follow, FollowAnswer, FollowRef, UndoFollow},
        locking::{Lock, LockType, UndoLock},
        pinning::Featured,
        voting::{UndoVote, Vote, VoteType},
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
        activity::{
            AcceptType, AddType, AnnounceType, BlockType, CreateType, DeleteType, FollowType,
            RejectType, RemoveType, UndoType, UpdateType,
        },
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
        Event::VoteCast {
            voter,
            object_ap_id,
            community,
            score,
            activity_id,
        } => {
            let vote = vote_of(&voter, &object_ap_id, &community, score, &activity_id)?;
            forward(vote, Announced::Vote, &community, &voter, data).await
        }
        Event::VoteWithdrawn {
            voter,
            object_ap_id,
            community,
            score,
            vote_activity_id,
            activity_id,
        } => {
            let undo = UndoVote {
                actor: voter.ap_id.0.clone().into(),
                object: vote_of(&voter, &object_ap_id, &community, score, &vote_activity_id)?,
                kind: UndoType::Undo,
                id: Url::parse(&activity_id)?,
                audience: Some(community.ap_id.0.clone()),
            };
            forward(undo, Announced::UndoVote, &community, &voter, data).await
        }
        Event::ContentEdited {
            object_ap_id,
            community,
            author,
            activity_id,
        } => {
            let object = PostOrComment::read_from_id(Url::parse(&object_ap_id)?, data)
                .await?
                .ok_or_else(|| Error::not_found("edited object"))?
                .into_json(data)
                .await?;
            let update = Update {
                actor: author.ap_id.0.clone().into(),
                object,
                kind: UpdateType::Update,
                id: activity_or_new(activity_id, "update", data)?,
                to: vec![public()],
                cc: vec![community.ap_id.0.clone()],
                audience: Some(community.ap_id.0.clone()),
            };
            forward(update, Announced::Update, &community, &author, data).await
        }
        Event::ContentDeleted {
            object_ap_id,
            community,
            actor,
            reason,
            activity_id,
        } => {
            let delete = Delete {
                actor: actor.ap_id.0.clone().into(),
                object: DeletedRef::Id(Url::parse(&object_ap_id)?),
                kind: DeleteType::Delete,
                id: activity_or_new(activity_id, "delete", data)?,
                summary: reason,
                to: vec![public()],
                cc: vec![community.ap_id.0.clone()],
                audience: Some(community.ap_id.0.clone()),
            };
            forward(delete, Announced::Delete, &community, &actor, data).await
        }
        Event::ThreadLocked {
            post_ap_id,
            community,
            moderator,
            locked,
            reason,
            activity_id,
        } => {
            let lock = |id: Url, summary: Option<String>| -> Result<Lock, Error> {
                Ok(Lock {
                    actor: moderator.ap_id.0.clone().into(),
                    object: Url::parse(&post_ap_id)?.into(),
                    kind: LockType::Lock,
                    id,
                    summary,
                    to: vec![public()],
                    cc: vec![community.ap_id.0.clone()],
                    audience: Some(community.ap_id.0.clone()),
                })
            };
            if locked {
                let activity = lock(activity_or_new(activity_id, "lock", data)?, reason)?;
                forward(activity, Announced::Lock, &community, &moderator, data).await
            } else {
                let undo = UndoLock {
                    actor: moderator.ap_id.0.clone().into(),
                    object: lock(Url::parse(&data.new_activity_id("lock"))?, None)?,
                    kind: UndoType::Undo,
                    id: activity_or_new(activity_id, "undo", data)?,
                    summary: reason,
                    to: vec![public()],
                    cc: vec![community.ap_id.0.clone()],
                    audience: Some(community.ap_id.0.clone()),
                };
                forward(undo, Announced::UndoLock, &community, &moderator, data).await
            }
        }
        Event::PersonBanned {
            community,
            moderator,
            person,
            banned,
            reason,
            expires_at,
            activity_id,
        } => {
            let block = |id: Url| -> Result<Block, Error> {
                Ok(Block {
                    actor: moderator.ap_id.0.clone().into(),
                    object: person.ap_id.0.clone().into(),
                    target: community.ap_id.0.clone().into(),
                    kind: BlockType::Block,
                    id,
                    summary: reason.clone(),
                    end_time: expires_at.map(|t| t.and_utc()),
                    to: vec![public()],
                    cc: vec![community.ap_id.0.clone()],
                    audience: Some(community.ap_id.0.clone()),
                })
            };
            let announced = if banned {
                Announced::Block(Box::new(block(activity_or_new(
                    activity_id,
                    "block",
                    data,
                )?)?))
            } else {
                Announced::UndoBlock(Box::new(UndoBlock {
                    actor: moderator.ap_id.0.clone().into(),
                    object: block(Url::parse(&data.new_activity_id("block"))?)?,
                    kind: UndoType::Undo,
                    id: activity_or_new(activity_id, "undo", data)?,
                    to: vec![public()],
                    cc: vec![community.ap_id.0.clone()],
                    audience: Some(community.ap_id.0.clone()),
                }))
            };
            if !community.local {
                return Ok(());
            }
            // The members' instances, and the banned person's own (no longer a member).
            let mut inboxes = member_inboxes(&community, &moderator, data).await?;
            if !person.local {
                inboxes.push(person.shared_inbox_or_inbox());
                inboxes.sort();
                inboxes.dedup();
            }
            send(
                announce(&community, announced, data)?,
                &community,
                inboxes,
                data,
            )
            .await
        }
        Event::PostPinned {
            post_ap_id,
            community,
            moderator,
            pinned,
            activity_id,
        } => {
            let id = activity_or_new(activity_id, if pinned { "add" } else { "remove" }, data)?;
            let target = Url::parse(&format!("{}/featured", community.ap_id))?;
            let object = Url::parse(&post_ap_id)?.into();
            let (to, cc) = (vec![public()], vec![community.ap_id.0.clone()]);
            let audience = Some(community.ap_id.0.clone());
            let actor = moderator.ap_id.0.clone().into();
            if pinned {
                let pin = Featured {
                    actor,
                    object,
                    target,
                    kind: AddType::Add,
                    id,
                    to,
                    cc,
                    audience,
                };
                forward(pin, Announced::Pin, &community, &moderator, data).await
            } else {
                let unpin = Featured {
                    actor,
                    object,
                    target,
                    kind: RemoveType::Remove,
                    id,
                    to,
                    cc,
                    audience,
                };
                forward(unpin, Announced::Unpin, &community, &moderator, data).await
            }
        }
        Event::CommunityUpdated { community } => {
            let community_id = community.id;
            let inboxes: Vec<Url> = data
                .db(move |conn| crate::db::members::remote_member_inboxes(conn, community_id))
                .await?
                .iter()
                .filter_map(|i| Url::parse(i).ok())
                .collect();
            if inboxes.is_empty() {
                return Ok(());
            }
            let update = UpdateGroup {
                actor: community.ap_id.0.clone().into(),
                object: community.clone().into_json(data).await?,
                kind: UpdateType::Update,
                id: Url::parse(&data.new_activity_id("update"))?,
                to: vec![public()],
                cc: vec![Url::parse(&format!("{}/followers", community.ap_id))?],
            };
            send(update, &community, inboxes, data).await
        }
    }
}

/// The id of a forwarded activity, or a new one for our own.
fn activity_or_new(id: Option<String>, kind: &str, data: &FedData) -> Result<Url, Error> {
    Ok(Url::parse(
        &id.unwrap_or_else(|| data.new_activity_id(kind)),
    )?)
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

/// A member's activity about existing content: to the community if it is remote; announced to
/// the members' instances (but the actor's) if it is local.
async fn forward<A>(
    activity: A,
    wrap: fn(Box<A>) -> Announced,
    community: &Community,
    actor: &Person,
    data: &FedData,
) -> Result<(), Error>
where
    A: Activity + Serialize + Debug + Send + Sync,
{
    if !community.local {
        return send(
            activity,
            actor,
            vec![community.shared_inbox_or_inbox()],
            data,
        )
        .await;
    }
    let inboxes = member_inboxes(community, actor, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    send(
        announce(community, wrap(Box::new(activity)), data)?,
        community,
        inboxes,
        data,
    )
    .await
}

/// The shared inboxes of a local community's remote members, except the actor's own instance.
async fn member_inboxes(
    community: &Community,
    actor: &Person,
    data: &FedData,
) -> Result<Vec<Url>, Error> {
    let community_id = community.id;
    let (host, port) = origin(&actor.ap_id);
    let actor_origin = (host.map(str::to_string), port);
    Ok(data
        .db(move |conn| crate::db::members::remote_member_inboxes(conn, community_id))
        .await?
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .filter(|i| {
            let (host, port) = origin(i);
            (host.map(str::to_string), port) != actor_origin
        })
        .collect())
}

fn announce(community: &Community, object: Announced, data: &FedData) -> Result<Announce, Error> {
    Ok(Announce {
        actor: community.ap_id.0.clone().into(),
        object,
        kind: AnnounceType::Announce,
        id: Url::parse(&data.new_activity_id("announce"))?,
        to: vec![public()],
        cc: vec![Url::parse(&format!("{}/followers", community.ap_id))?],
    })
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
    let id = activity_or_new(activity_id, "create", data)?;
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
    let inboxes = member_inboxes(community, author, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let wrapped = announce(community, Announced::Create(Box::new(create)), data)?;
    send(wrapped, community, inboxes.clone(), data).await?;
    if bare_too {
        let bare = announce(community, Announced::Object(Box::new(object)), data)?;
        send(bare, community, inboxes, data).await?;
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
