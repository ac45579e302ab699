//! Moderators' activities: `Lock`, `Block`, `Add`/`Remove` (featured and moderators), their
//! `Undo`s and `Undo(Delete)` (restoring), announced by a local community to its members'
//! instances or sent to a remote community; and reports, sent to the reported content's
//! community as a `Flag`.

use super::{
    activity_or_new, announce, community_and, forward, member_inboxes, person, send, Plan,
};
use crate::{
    db::{accounts::Person, communities::Community},
    domain::changes::Change,
    error::Error,
    federation::activities::{
        adding::{Collected, FEATURED, MODERATORS},
        announce::Announced,
        blocking::Block,
        editing::{Delete, DeletedRef},
        locking::{Lock, LockType},
        reporting::{Flag, FlagType},
        undo::Undo,
    },
};
use activitypub_federation::{
    kinds::{
        activity::{AddType, BlockType, DeleteType, RemoveType, UndoType},
        public,
    },
    traits::Actor,
};
use url::Url;

/// Wraps an activity of `moderator` in an `Undo` addressed like it.
fn undo<T>(moderator: &Person, community: &Community, object: T, id: Url) -> Undo<T> {
    Undo {
        actor: moderator.ap_id.0.clone().into(),
        object,
        kind: UndoType::Undo,
        id,
        to: vec![public()],
        cc: vec![community.ap_id.0.clone()],
        audience: Some(community.ap_id.0.clone()),
    }
}

/// `Add` or `Remove` of `object` to one of the community's collections.
fn collected<K>(
    kind: K,
    moderator: &Person,
    community: &Community,
    (object, collection): (Url, &str),
    id: Url,
) -> Result<Collected<K>, Error> {
    Ok(Collected {
        actor: moderator.ap_id.0.clone().into(),
        object,
        target: Url::parse(&format!("{}/{collection}", community.ap_id))?,
        kind,
        id,
        to: vec![public()],
        cc: vec![community.ap_id.0.clone()],
        audience: Some(community.ap_id.0.clone()),
    })
}

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::ThreadLocked {
            post_ap_id,
            community_id,
            moderator_id,
            locked,
            reason,
            activity_id,
        } => {
            let Some((community, moderator)) =
                community_and(data, community_id, moderator_id).await?
            else {
                return Ok(());
            };
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
                let inner = lock(Url::parse(&data.new_activity_id("lock"))?, reason)?;
                let id = activity_or_new(activity_id, "undo", data)?;
                let activity = undo(&moderator, &community, inner, id);
                forward(activity, Announced::UndoLock, &community, &moderator, data).await
            }
        }
        Change::PersonBanned {
            community_id,
            moderator_id,
            person_id,
            banned,
            reason,
            expires_at,
            activity_id,
        } => {
            let Some((community, moderator)) =
                community_and(data, community_id, moderator_id).await?
            else {
                return Ok(());
            };
            let Some(person) = person(data, person_id).await? else {
                return Ok(());
            };
            let block = |id: Url| -> Block {
                Block {
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
                }
            };
            let announced = if banned {
                let id = activity_or_new(activity_id, "block", data)?;
                Announced::Block(Box::new(block(id)))
            } else {
                let inner = block(Url::parse(&data.new_activity_id("block"))?);
                let id = activity_or_new(activity_id, "undo", data)?;
                Announced::UndoBlock(Box::new(undo(&moderator, &community, inner, id)))
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
        Change::PostPinned {
            post_ap_id,
            community_id,
            moderator_id,
            pinned,
            activity_id,
        } => {
            let Some((community, moderator)) =
                community_and(data, community_id, moderator_id).await?
            else {
                return Ok(());
            };
            let id = activity_or_new(activity_id, if pinned { "add" } else { "remove" }, data)?;
            let object = (Url::parse(&post_ap_id)?, FEATURED);
            if pinned {
                let add = collected(AddType::Add, &moderator, &community, object, id)?;
                forward(add, Announced::Add, &community, &moderator, data).await
            } else {
                let remove = collected(RemoveType::Remove, &moderator, &community, object, id)?;
                forward(remove, Announced::Remove, &community, &moderator, data).await
            }
        }
        Change::ModeratorChanged {
            community_id,
            actor_id,
            person_id,
            appointed,
            activity_id,
        } => {
            let Some((community, actor)) = community_and(data, community_id, actor_id).await?
            else {
                return Ok(());
            };
            let Some(person) = person(data, person_id).await? else {
                return Ok(());
            };
            let id = activity_or_new(activity_id, if appointed { "add" } else { "remove" }, data)?;
            let object = (person.ap_id.0.clone(), MODERATORS);
            if appointed {
                let add = collected(AddType::Add, &actor, &community, object, id)?;
                forward(add, Announced::Add, &community, &actor, data).await
            } else {
                let remove = collected(RemoveType::Remove, &actor, &community, object, id)?;
                forward(remove, Announced::Remove, &community, &actor, data).await
            }
        }
        Change::ContentRestored {
            object_ap_id,
            community_id,
            moderator_id,
            reason,
            activity_id,
        } => {
            let Some((community, moderator)) =
                community_and(data, community_id, moderator_id).await?
            else {
                return Ok(());
            };
            let removal = Delete {
                actor: moderator.ap_id.0.clone().into(),
                object: DeletedRef::Id(Url::parse(&object_ap_id)?),
                kind: DeleteType::Delete,
                id: Url::parse(&data.new_activity_id("delete"))?,
                summary: reason,
                to: vec![public()],
                cc: vec![community.ap_id.0.clone()],
                audience: Some(community.ap_id.0.clone()),
            };
            let id = activity_or_new(activity_id, "undo", data)?;
            let activity = undo(&moderator, &community, removal, id);
            forward(
                activity,
                Announced::UndoDelete,
                &community,
                &moderator,
                data,
            )
            .await
        }
        Change::ReportFiled {
            report_id,
            reporter_id,
            community_id,
        } => {
            let Some((community, reporter)) =
                community_and(data, community_id, reporter_id).await?
            else {
                return Ok(());
            };
            let Some(report) = data
                .db(move |conn| crate::db::moderation::report(conn, report_id))
                .await?
            else {
                super::gone::<()>("report", report_id);
                return Ok(());
            };
            let flag = Flag {
                actor: reporter.ap_id.0.clone(),
                object: vec![Url::parse(&report.object_ap_id)?],
                kind: FlagType::Flag,
                id: Url::parse(&report.ap_id)?,
                summary: Some(report.reason),
                content: None,
                to: vec![community.ap_id.0.clone()],
                audience: Some(community.ap_id.0.clone()),
            };
            send(
                flag,
                &reporter,
                vec![community.shared_inbox_or_inbox()],
                data,
            )
            .await
        }
        _ => Ok(()),
    }
}
