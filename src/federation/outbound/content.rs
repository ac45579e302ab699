//! Content: a new post or comment (`Create`, announced by a local community), an edit
//! (`Update`), a deletion or removal (`Delete`), and a local community's new charter
//! (`Update(Group)`).

use super::{
    activity_or_new, announce, anyone_to_tell, community, community_and, forward, gone,
    member_inboxes, person, send, Plan,
};
use crate::{
    db::{self, accounts::Person, communities::Community, posts::PostOrComment},
    domain::changes::Change,
    error::Error,
    federation::activities::{
        announce::Announced,
        create::Create,
        editing::{Delete, DeletedRef, Update, UpdateGroup},
    },
};
use activitypub_federation::{
    kinds::{
        activity::{CreateType, DeleteType, UpdateType},
        public,
    },
    traits::{Actor, Object},
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::PostCreated {
            post_id,
            activity_id,
        } => {
            let Some(post) = data.db(move |conn| db::posts::post(conn, post_id)).await? else {
                gone::<()>("post", post_id);
                return Ok(());
            };
            let Some(community) = community(data, post.community_id).await? else {
                return Ok(());
            };
            if !anyone_to_tell(&community, data).await? {
                return Ok(());
            }
            let Some(author) = person(data, post.author_id).await? else {
                return Ok(());
            };
            let object = PostOrComment::Post(post);
            publish(object, &community, &author, activity_id, true, data).await?;
            Ok(())
        }
        Change::CommentCreated {
            comment_id,
            activity_id,
        } => {
            let found = data
                .db(move |conn| {
                    let Some(comment) = db::posts::comment(conn, comment_id)? else {
                        return Ok(None);
                    };
                    let post = db::posts::post(conn, comment.post_id)?;
                    Ok(post.map(|p| (comment, p.community_id)))
                })
                .await?;
            let Some((comment, community_id)) = found else {
                gone::<()>("comment", comment_id);
                return Ok(());
            };
            let Some((community, author)) =
                community_and(data, community_id, comment.author_id).await?
            else {
                return Ok(());
            };
            let post_id = comment.post_id;
            let object = PostOrComment::Comment(comment);
            // A remote person's reply in a remote community's thread is not ours to send on:
            // only the communities here it is shared into announce it.
            if !community.local && !author.local {
                let object = object.into_json(data).await?;
                let sent = vec![community.shared_inbox_or_inbox()];
                return super::sharing::replies(post_id, object, sent, &author, &community, data)
                    .await;
            }
            let (create, sent) =
                publish(object, &community, &author, activity_id, false, data).await?;
            super::sharing::replies(post_id, create.object, sent, &author, &community, data).await
        }
        Change::ContentEdited {
            object_ap_id,
            community_id,
            author_id,
            activity_id,
        } => {
            let Some((community, author)) = community_and(data, community_id, author_id).await?
            else {
                return Ok(());
            };
            let Some(object) =
                PostOrComment::read_from_id(Url::parse(&object_ap_id)?, data).await?
            else {
                tracing::info!("outbox: edited {object_ap_id} is gone; its Update is not sent");
                return Ok(());
            };
            let object = object.into_json(data).await?;
            let update = Update {
                actor: author.ap_id.0.clone().into(),
                object,
                kind: UpdateType::Update,
                id: activity_or_new(activity_id, "update", data)?,
                to: vec![public()],
                cc: vec![community.ap_id.0.clone()],
                audience: Some(community.ap_id.0.clone()),
            };
            let (object, told) = (update.object.id.clone(), Box::new(update.clone()));
            forward(update, Announced::Update, &community, &author, data).await?;
            let told = Announced::Update(told);
            super::sharing::tell_remote_shares(&object, told, &community, &author, data).await
        }
        Change::ContentDeleted {
            object_ap_id,
            community_id,
            actor_id,
            reason,
            activity_id,
        } => {
            // The object's row may be gone: its ap_id is all a Delete needs.
            let Some((community, actor)) = community_and(data, community_id, actor_id).await?
            else {
                return Ok(());
            };
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
            let (object, told) = (delete.object.id().clone(), Box::new(delete.clone()));
            forward(delete, Announced::Delete, &community, &actor, data).await?;
            let told = Announced::Delete(told);
            super::sharing::tell_remote_shares(&object, told, &community, &actor, data).await
        }
        Change::CommunityUpdated {
            community_id,
            editor_id,
            unlinked_id,
        } => community_updated(community_id, editor_id, unlinked_id, data).await,
        _ => Ok(()),
    }
}

/// A local community's new profile, to its members' instances: the editor's `Update(Group)`
/// announced by the community (Lemmy checks that a community's update comes from a moderator);
/// a change queued before editors were recorded goes out as the Group's own `Update`. The
/// remote communities it links to (or just unlinked) get the Group's own `Update` too, so that
/// they re-check their side of each link (their instances need not follow it, which an
/// `Announce` would require).
async fn community_updated(
    community_id: i64,
    editor_id: Option<i64>,
    unlinked_id: Option<i64>,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let Some(community) = community(data, community_id).await? else {
        return Ok(());
    };
    let (members, linked) = data
        .db(move |conn| {
            let members = db::members::remote_member_inboxes(conn, community_id)?;
            let mut linked = db::links::remote_target_inboxes(conn, community_id)?;
            if let Some(unlinked) = unlinked_id.map(|id| db::communities::by_id(conn, id)) {
                let unlinked = unlinked?.filter(|c| !c.local);
                linked.extend(unlinked.map(|c| c.shared_inbox_url.unwrap_or(c.inbox_url)));
            }
            linked.retain(|i| !members.contains(i));
            linked.sort();
            linked.dedup();
            Ok((members, linked))
        })
        .await?;
    let urls = |inboxes: Vec<String>| -> Vec<Url> {
        inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect()
    };
    let (members, linked) = (urls(members), urls(linked));
    if members.is_empty() && linked.is_empty() {
        return Ok(());
    }
    let editor = match editor_id {
        Some(id) => person(data, id).await?,
        None => None,
    };
    let group = community.ap_id.0.clone();
    let update = |actor: Url, object| -> Result<UpdateGroup, Error> {
        Ok(UpdateGroup {
            actor,
            object,
            kind: UpdateType::Update,
            id: Url::parse(&data.new_activity_id("update"))?,
            to: vec![public()],
            cc: vec![group.clone()],
            audience: Some(group.clone()),
        })
    };
    let object = community.clone().into_json(data).await?;
    if !linked.is_empty() {
        let own = update(group.clone(), object.clone())?;
        send(own, &community, linked, data).await?;
    }
    if members.is_empty() {
        return Ok(());
    }
    let by = editor.map_or_else(|| group.clone(), |e| e.ap_id.0.clone());
    let update = update(by, object)?;
    if update.actor == group {
        return send(update, &community, members, data).await;
    }
    let wrapped = announce(&community, Announced::UpdateGroup(Box::new(update)), data)?;
    send(wrapped, &community, members, data).await
}

/// Delivers a new post or comment. In a local community the community announces the author's
/// `Create` to its members' instances (not back to the author's own), and for posts also the bare
/// object, which Mastodon and Pleroma show. A local author's contribution to a remote community
/// is sent to that community as a `Create`. Returns the `Create` and the inboxes it went to.
async fn publish(
    object: PostOrComment,
    community: &Community,
    author: &Person,
    activity_id: Option<String>,
    bare_too: bool,
    data: &Plan<'_>,
) -> Result<(Create, Vec<Url>), Error> {
    let inboxes = match community.local {
        true => member_inboxes(community, author, data).await?,
        false => vec![community.shared_inbox_or_inbox()],
    };
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
    if inboxes.is_empty() {
        return Ok((create, inboxes));
    }
    if !community.local {
        send(create.clone(), author, inboxes.clone(), data).await?;
        return Ok((create, inboxes));
    }
    let wrapped = announce(community, Announced::Create(Box::new(create.clone())), data)?;
    send(wrapped, community, inboxes.clone(), data).await?;
    let bare_inboxes = match bare_too {
        true => wanting_bare(inboxes.clone(), data).await?,
        false => Vec::new(),
    };
    if !bare_inboxes.is_empty() {
        let bare = announce(community, Announced::Object(Box::new(object)), data)?;
        send(bare, community, bare_inboxes, data).await?;
    }
    Ok((create, inboxes))
}

/// The inboxes whose instances are also sent a post's bare announce: all but those known to run
/// forum software, which reads the wrapped `Create` and refuses the bare form (Lemmy).
async fn wanting_bare(inboxes: Vec<Url>, data: &Plan<'_>) -> Result<Vec<Url>, Error> {
    use crate::federation::software::{host_of, wants_bare_announce};
    let hosts: Vec<String> = inboxes.iter().filter_map(host_of).collect();
    let known = data
        .db(move |conn| db::instance::software_of(conn, &hosts))
        .await?;
    Ok(inboxes
        .into_iter()
        .filter(|inbox| {
            let software = host_of(inbox).and_then(|h| known.get(&h).cloned());
            wants_bare_announce(software.as_deref())
        })
        .collect())
}
