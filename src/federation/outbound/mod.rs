//! Plans what a stored change becomes on the wire: which activities, signed by whom, to which
//! inboxes (shared where advertised). The rows a change names are read again here, by id; one
//! file per activity family (`following`, `content`, `voting`, `moderation`). `queue` stores the
//! plan and `worker` delivers it.

mod attending;
mod content;
mod digest;
mod following;
mod library;
mod moderation;
mod moving;
mod polls;
pub mod queue;
mod sharing;
mod voting;
pub mod worker;

pub use queue::Plan;

use super::{
    activities::announce::{Announce, Announced},
    objects, FedData,
};
use crate::{
    db::{self, accounts::Person, communities::Community, DbConn},
    domain::changes::Change,
    error::Error,
};
use activitypub_federation::{
    kinds::{activity::AnnounceType, public},
    protocol::context::WithContext,
    traits::{Activity, Actor},
};
use serde::Serialize;
use std::{
    collections::HashMap,
    fmt::Debug,
    sync::{Mutex, PoisonError},
};
use url::Url;

/// Plans the activities of one change into `data` (a [`Plan`], which reads like `FedData`).
/// A row the change names that is gone by now leaves nothing to plan (logged).
pub async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::FollowRequested { .. }
        | Change::FollowWithdrawn { .. }
        | Change::FollowAccepted { .. }
        | Change::FollowRejected { .. }
        | Change::CalendarFollowed { .. }
        | Change::CalendarUnfollowed { .. } => following::plan(change, data).await,
        Change::PostCreated { .. }
        | Change::CommentCreated { .. }
        | Change::ContentEdited { .. }
        | Change::ContentDeleted { .. }
        | Change::CommunityUpdated { .. } => content::plan(change, data).await,
        Change::VoteCast { .. } | Change::VoteWithdrawn { .. } => voting::plan(change, data).await,
        Change::EventAnswered { .. } | Change::EventJoinSent { .. } => {
            attending::plan(change, data).await
        }
        Change::DigestPublished { .. } => digest::plan(change, data).await,
        Change::PageSaved { .. } => library::plan(change, data).await,
        Change::PollVoteCast { .. } | Change::PollResults { .. } => polls::plan(change, data).await,
        Change::CommunityMoved { .. } => moving::plan(change, data).await,
        Change::PostShared { .. } | Change::ShareRemoved { .. } | Change::ShareRequested { .. } => {
            sharing::plan(change, data).await
        }
        Change::ThreadLocked { .. }
        | Change::PersonBanned { .. }
        | Change::PostPinned { .. }
        | Change::ModeratorChanged { .. }
        | Change::ContentRestored { .. }
        | Change::ReportFiled { .. } => moderation::plan(change, data).await,
    }
}

/// The person `id`, read again (once a batch); `None` (logged) if the row is gone.
async fn person(data: &Plan<'_>, id: i64) -> Result<Option<Person>, Error> {
    let found = read_once(&data.reads.people, id, data, move |conn| {
        db::accounts::person_by_id(conn, id)
    });
    Ok(found.await?.or_else(|| gone("person", id)))
}

/// The community `id`, read again (once a batch); `None` (logged) if the row is gone.
async fn community(data: &Plan<'_>, id: i64) -> Result<Option<Community>, Error> {
    let found = read_once(&data.reads.communities, id, data, move |conn| {
        db::communities::by_id(conn, id)
    });
    Ok(found.await?.or_else(|| gone("community", id)))
}

/// A community and a person, both read again; `None` if either is gone.
async fn community_and(
    data: &Plan<'_>,
    community_id: i64,
    person_id: i64,
) -> Result<Option<(Community, Person)>, Error> {
    let Some(c) = community(data, community_id).await? else {
        return Ok(None);
    };
    Ok(person(data, person_id).await?.map(|p| (c, p)))
}

/// The value `map` holds for `id`, else what `read` reads, kept for the rest of the batch
/// ([`queue::Reads`]).
async fn read_once<T, F>(
    map: &Mutex<HashMap<i64, T>>,
    id: i64,
    data: &Plan<'_>,
    read: F,
) -> Result<T, Error>
where
    T: Clone + Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, Error> + Send + 'static,
{
    let held = map
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id)
        .cloned();
    if let Some(found) = held {
        return Ok(found);
    }
    let found = data.db(read).await?;
    (map.lock().unwrap_or_else(PoisonError::into_inner)).insert(id, found.clone());
    Ok(found)
}

/// The shared inboxes of a local community's remote members (once a batch).
async fn remote_member_inboxes(data: &Plan<'_>, community_id: i64) -> Result<Vec<String>, Error> {
    read_once(
        &data.reads.member_inboxes,
        community_id,
        data,
        move |conn| db::members::remote_member_inboxes(conn, community_id),
    )
    .await
}

/// Whether anything about the community's content goes anywhere: a remote community is always
/// told; a local one only if it has members on other instances. Read before the actor and the
/// object, which are then not read for nothing.
async fn anyone_to_tell(community: &Community, data: &Plan<'_>) -> Result<bool, Error> {
    Ok(!community.local || !remote_member_inboxes(data, community.id).await?.is_empty())
}

/// Logs that a row named by a change was deleted before the change was planned.
fn gone<T>(what: &str, id: i64) -> Option<T> {
    tracing::info!("outbox: {what} {id} is gone; its activity is not sent");
    None
}

/// The id of a forwarded activity, or a new one for our own.
fn activity_or_new(id: Option<String>, kind: &str, data: &Plan<'_>) -> Result<Url, Error> {
    Ok(Url::parse(
        &id.unwrap_or_else(|| data.new_activity_id(kind)),
    )?)
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
    Ok(remote_member_inboxes(data, community_id)
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
