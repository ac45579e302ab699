//! Plans what a domain event becomes on the wire: which activities, signed by whom, to which
//! inboxes (shared where advertised). `queue` stores the plan and `worker` delivers it.

mod moderation;
pub mod queue;
pub mod worker;

pub use queue::Plan;

use super::{
    activities::{
        announce::{Announce, Announced},
        create::Create,
        editing::{Delete, DeletedRef, Update, UpdateGroup},
        following::{AnswerKind, Follow, FollowAnswer, FollowRef, UndoFollow},
        voting::{UndoVote, Vote, VoteType},
    },
    objects::{self, post::PostOrComment},
    FedData,
};
use crate::{
    db::{accounts::Person, communities::Community},
    domain::events::Event,
    error::Error,
};
use activitypub_federation::{
    kinds::{
        activity::{
            AcceptType, AnnounceType, CreateType, DeleteType, FollowType, RejectType, UndoType,
            UpdateType,
        },
        public,
    },
    protocol::context::WithContext,
    traits::{Activity, Actor, Object},
};
use serde::Serialize;
use std::fmt::Debug;
use url::Url;

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

/// Plans the activities of one event into `data` (a [`Plan`], which reads like `FedData`).
pub async fn plan(event: Event, data: &Plan<'_>) -> Result<(), Error> {
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
            let object = PostOrComment::Post(post);
            publish(object, &community, &author, activity_id, true, data).await
        }
        Event::CommentCreated {
            comment,
            community,
            author,
            activity_id,
            ..
        } => {
            let object = PostOrComment::Comment(comment);
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
        event @ (Event::ThreadLocked { .. }
        | Event::PersonBanned { .. }
        | Event::PostPinned { .. }
        | Event::ModeratorChanged { .. }
        | Event::ContentRestored { .. }
        | Event::ReportFiled { .. }) => moderation::plan(event, data).await,
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
fn activity_or_new(id: Option<String>, kind: &str, data: &Plan<'_>) -> Result<Url, Error> {
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
    data: &Plan<'_>,
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
    data: &Plan<'_>,
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

fn announce(community: &Community, object: Announced, data: &Plan<'_>) -> Result<Announce, Error> {
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
    object: PostOrComment,
    community: &Community,
    author: &Person,
    activity_id: Option<String>,
    bare_too: bool,
    data: &Plan<'_>,
) -> Result<(), Error> {
    // A local community with no other instance to tell: nothing to render.
    let inboxes = match community.local {
        true => member_inboxes(community, author, data).await?,
        false => vec![community.shared_inbox_or_inbox()],
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let object = object.into_json(data).await?;
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
        return send(create, author, inboxes, data).await;
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

async fn send<A>(
    activity: A,
    from: &impl Actor,
    inboxes: Vec<Url>,
    data: &Plan<'_>,
) -> Result<(), Error>
where
    A: Activity + Serialize + Debug + Send + Sync,
{
    data.push(
        &WithContext::new(activity, objects::context()),
        from.id(),
        inboxes,
    )
}
