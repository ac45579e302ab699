//! Cross-posts: a local community's `Announce` of a thread whose home is another community (the
//! object itself, NodeBB's form), to its members' instances and to the home community's; and a
//! moderator's `Remove` of the thread from that community only, announced by it; a local
//! author's `Create` of their thread sent to a remote community they put it into. Replies in a
//! shared thread are announced by `content`, once per inbox over all its local communities, and
//! by its home community here to the remote communities it is in.

use super::{announce, community, member_inboxes, person, send, Plan};
use crate::{
    db::{self, communities::Community, posts::PostOrComment},
    domain::changes::Change,
    error::Error,
    federation::activities::{adding::Remove, announce::Announced, create::Create},
};
use activitypub_federation::{
    kinds::{
        activity::{CreateType, RemoveType},
        public,
    },
    traits::{Actor, Object},
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::PostShared {
            post_id,
            community_id,
            announce_id,
        } => shared(post_id, community_id, announce_id, data).await,
        Change::ShareRequested {
            post_id,
            community_id,
            activity_id,
        } => requested(post_id, community_id, activity_id, data).await,
        Change::ShareRemoved {
            post_id,
            community_id,
            moderator_id,
            reason: _,
            activity_id,
        } => {
            let (Some(group), Some(moderator)) = (
                community(data, community_id).await?,
                person(data, moderator_id).await?,
            ) else {
                return Ok(());
            };
            let Some((post, home)) = thread(data, post_id).await? else {
                return Ok(());
            };
            let remove = Remove {
                actor: moderator.ap_id.0.clone().into(),
                object: post.ap_id.0.clone(),
                target: group.ap_id.0.clone(),
                kind: RemoveType::Remove,
                id: Url::parse(&activity_id)?,
                to: vec![public()],
                cc: vec![group.ap_id.0.clone()],
                audience: Some(group.ap_id.0.clone()),
            };
            let inboxes = inboxes(&group, &home, data).await?;
            if inboxes.is_empty() {
                return Ok(());
            }
            let wrapped = announce(&group, Announced::Remove(Box::new(remove)), data)?;
            send(wrapped, &group, inboxes, data).await
        }
        _ => Ok(()),
    }
}

/// Community `community_id`, thread `post_id` and its home community, read again.
async fn shared_thread(
    data: &Plan<'_>,
    community_id: i64,
    post_id: i64,
) -> Result<Option<(Community, db::posts::Post, Community)>, Error> {
    let Some(group) = community(data, community_id).await? else {
        return Ok(None);
    };
    Ok(thread(data, post_id)
        .await?
        .map(|(post, home)| (group, post, home)))
}

/// The thread `post_id` and its home community, read again.
async fn thread(
    data: &Plan<'_>,
    post_id: i64,
) -> Result<Option<(db::posts::Post, Community)>, Error> {
    data.db(move |conn| {
        let Some(post) = db::posts::post(conn, post_id)? else {
            return Ok(None);
        };
        let home = db::communities::by_id(conn, post.community_id)?;
        Ok(home.map(|h| (post, h)))
    })
    .await
}

/// The members' instances of the sharing community `group` (the author's too: they follow it),
/// and the home community's own inbox when it is remote (so that its instance shows where else
/// the thread is).
async fn inboxes(group: &Community, home: &Community, data: &Plan<'_>) -> Result<Vec<Url>, Error> {
    let group_id = group.id;
    let mut inboxes: Vec<Url> = data
        .db(move |conn| db::members::remote_member_inboxes(conn, group_id))
        .await?
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .collect();
    if !home.local {
        inboxes.push(home.shared_inbox_or_inbox());
    }
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

async fn shared(
    post_id: i64,
    community_id: i64,
    announce_id: String,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let Some((group, post, home)) = shared_thread(data, community_id, post_id).await? else {
        return Ok(());
    };
    let inboxes = inboxes(&group, &home, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let object = PostOrComment::Post(post).into_json(data).await?;
    let mut wrapped = announce(&group, Announced::Object(Box::new(object)), data)?;
    wrapped.id = Url::parse(&announce_id)?;
    send(wrapped, &group, inboxes, data).await
}

/// The author's `Create` of their thread (home here) to the remote community `community_id`:
/// the same object, its home still its `audience`, with that community in `cc`.
async fn requested(
    post_id: i64,
    community_id: i64,
    activity_id: String,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let Some((group, post, home)) = shared_thread(data, community_id, post_id).await? else {
        return Ok(());
    };
    let Some(author) = person(data, post.author_id).await? else {
        return Ok(());
    };
    if group.local || !home.local || !author.local {
        return Ok(());
    }
    let object = PostOrComment::Post(post).into_json(data).await?;
    let create = Create {
        actor: author.ap_id.0.clone().into(),
        object,
        kind: CreateType::Create,
        id: Url::parse(&activity_id)?,
        to: vec![public()],
        cc: vec![group.ap_id.0.clone(), home.ap_id.0.clone()],
        audience: Some(home.ap_id.0.clone()),
    };
    send(create, &author, vec![group.shared_inbox_or_inbox()], data).await
}

/// A new reply in thread `post_id` (`object`), sent to the `sent` inboxes already (the home
/// community's members' instances, or the remote home community): announced (the bare object,
/// which receivers fetch from its origin) by each local community the thread is shared into, to
/// its members' instances not told yet: each inbox once. A home community here also announces
/// it to the remote communities the thread is in (whose instances may not follow it).
pub(super) async fn replies(
    post_id: i64,
    object: crate::federation::objects::post::PostJson,
    mut sent: Vec<Url>,
    author: &db::accounts::Person,
    home: &Community,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let shared = data
        .db(move |conn| db::shares::also_in(conn, post_id))
        .await?;
    let remote = match home.local {
        true => remote_shares(&shared, &sent, author, data).await?,
        false => Vec::new(),
    };
    if !remote.is_empty() {
        sent.extend(remote.iter().cloned());
        let wrapped = announce(home, Announced::Object(Box::new(object.clone())), data)?;
        send(wrapped, home, remote, data).await?;
    }
    for s in shared.into_iter().filter(|s| s.local) {
        let Some(group) = community(data, s.community_id).await? else {
            continue;
        };
        let inboxes: Vec<Url> = member_inboxes(&group, author, data)
            .await?
            .into_iter()
            .filter(|i| !sent.contains(i))
            .collect();
        if inboxes.is_empty() {
            continue;
        }
        sent.extend(inboxes.iter().cloned());
        let wrapped = announce(&group, Announced::Object(Box::new(object.clone())), data)?;
        send(wrapped, &group, inboxes, data).await?;
    }
    Ok(())
}

/// An edit or deletion (`announced`, by `actor`) of `object`, a post or comment in a thread of
/// `home`: a home community here announces it to the remote communities the thread is in too
/// (their instances may follow nothing here), but for its members' instances, which `forward`
/// told, and the actor's own.
pub(super) async fn tell_remote_shares(
    object: &Url,
    announced: Announced,
    home: &Community,
    actor: &db::accounts::Person,
    data: &Plan<'_>,
) -> Result<(), Error> {
    if !home.local {
        return Ok(());
    }
    let Some(found) = PostOrComment::read_from_id(object.clone(), data).await? else {
        return Ok(());
    };
    let post_id = found.post_id();
    let shared = data
        .db(move |conn| db::shares::also_in(conn, post_id))
        .await?;
    if shared.iter().all(|s| s.local) {
        return Ok(());
    }
    let sent = member_inboxes(home, actor, data).await?;
    let inboxes = remote_shares(&shared, &sent, actor, data).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    send(announce(home, announced, data)?, home, inboxes, data).await
}

/// The inboxes of the remote communities of `shared` not in `sent`, but for the author's own.
async fn remote_shares(
    shared: &[db::shares::SharedIn],
    sent: &[Url],
    author: &db::accounts::Person,
    data: &Plan<'_>,
) -> Result<Vec<Url>, Error> {
    let mut inboxes = Vec::new();
    for s in shared.iter().filter(|s| !s.local) {
        if let Some(group) = community(data, s.community_id).await? {
            let inbox = group.shared_inbox_or_inbox();
            let authors = crate::domain::names::same_origin(&inbox, &author.ap_id.0);
            if !authors && !sent.contains(&inbox) && !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    Ok(inboxes)
}
