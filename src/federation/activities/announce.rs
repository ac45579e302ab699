//! `Announce` from a remote community: the community forwarding what happened inside it (forum
//! software wraps the activity; Mastodon's form is the bare object). A community vouches only
//! for its own community (FEP-1b12): the announced activity is applied only when it comes from a
//! community a member here follows, is not one of our own users' activities, and acts on
//! something inside the announcing community; anything else is acknowledged (202) and ignored.
//! An embedded object from another host than the community is fetched from its origin.

use super::{
    adding::{split_target, Add, Remove, FEATURED},
    blocking::{Block, UndoBlock},
    create::Create,
    editing::{Delete, UndoDelete, Update, UpdateGroup},
    library::PageActivity,
    locking::{Lock, UndoLock},
    voting::{UndoVote, Vote},
};
use crate::{
    context::AppContext,
    db::{communities::Community, posts::PostOrComment},
    domain::{names::same_origin, posts::OUTSIDE_COMMUNITY},
    error::{Error, ErrorKind},
    federation::objects::post::{self, PostJson},
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::AnnounceType,
    protocol::{helpers::deserialize_one_or_many, verification::verify_domains_match},
    traits::{Activity, Object},
};
use serde::{Deserialize, Serialize};
use url::Url;

/// What an Announce carries.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Announced {
    /// Before `Create` and `Update`: a library page (its Article carries `libraryRevision`).
    Page(Box<PageActivity>),
    Create(Box<Create>),
    /// Before `Update`: a community's new profile (its `object` is a `Group`).
    UpdateGroup(Box<UpdateGroup>),
    Update(Box<Update>),
    Delete(Box<Delete>),
    UndoVote(Box<UndoVote>),
    Vote(Box<Vote>),
    UndoLock(Box<UndoLock>),
    Lock(Box<Lock>),
    UndoBlock(Box<UndoBlock>),
    UndoDelete(Box<UndoDelete>),
    Block(Box<Block>),
    Add(Box<Add>),
    Remove(Box<Remove>),
    Object(Box<PostJson>),
    /// Anything else (Lemmy's `Announce` of a `Flag` or `Resolve`, for example): acknowledged.
    Other(serde_json::Value),
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
    pub actor: ObjectId<Community>,
    pub object: Announced,
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

/// Why an announced activity was not applied (the `reason` of the 202 answer).
const OUR_OWN: &str = "an activity of this instance is never taken from another server";
const OUTSIDE: &str = "a community vouches only for what happens inside it";
const UNHANDLED: &str = "not an activity copse applies from an announce";

impl Announced {
    /// The inner activity's actor and id (None for a bare object or an unhandled kind).
    fn actor_and_id(&self) -> Option<(&Url, &Url)> {
        Some(match self {
            Announced::Page(a) => (&a.actor, &a.id),
            Announced::Create(a) => (a.actor.inner(), &a.id),
            Announced::UpdateGroup(a) => (&a.actor, &a.id),
            Announced::Update(a) => (a.actor.inner(), &a.id),
            Announced::Delete(a) => (a.actor.inner(), &a.id),
            Announced::UndoVote(a) => (a.actor.inner(), &a.id),
            Announced::Vote(a) => (a.actor.inner(), &a.id),
            Announced::UndoLock(a) => (a.actor.inner(), &a.id),
            Announced::Lock(a) => (a.actor.inner(), &a.id),
            Announced::UndoBlock(a) => (a.actor.inner(), &a.id),
            Announced::UndoDelete(a) => (a.actor.inner(), &a.id),
            Announced::Block(a) => (a.actor.inner(), &a.id),
            Announced::Add(a) => (a.actor.inner(), &a.id),
            Announced::Remove(a) => (a.actor.inner(), &a.id),
            Announced::Object(_) | Announced::Other(_) => return None,
        })
    }

    /// The announced post or comment (of a `Create`, or the bare object).
    fn object_json(&self) -> Option<&PostJson> {
        match self {
            Announced::Create(create) => Some(&create.object),
            Announced::Object(object) => Some(object),
            _ => None,
        }
    }
}

/// The id of the community a post or comment is in: the stored one, or (with `fetch_vouched`)
/// fetched from its origin and stored under that community's vouch. None when unknown, or when
/// what the origin serves is outside that community; any other failure is the sender's to hear
/// (nothing is recorded, so a retry is applied).
async fn community_of(
    object: &Url,
    data: &Data<AppContext>,
    fetch_vouched: Option<i64>,
) -> Result<Option<i64>, Error> {
    let found = match fetch_vouched {
        Some(group) => match post::dereference(object, data, Some(group)).await {
            Err(e) if e.code == OUTSIDE_COMMUNITY => None,
            other => Some(other?),
        },
        None => PostOrComment::read_from_id(object.clone(), data).await?,
    };
    Ok(match found {
        Some(object) => Some(post::community(&object, data).await?.id),
        None => None,
    })
}

impl Announce {
    /// Whether this announces a thread of this instance into the announcing community, or its
    /// removal from it (a cross-post: the home community's instance hears of it though nobody
    /// here follows that community).
    fn shares_local_thread(&self, data: &Data<AppContext>) -> bool {
        let local = |url: &Url| crate::federation::is_local_url(data, url);
        match &self.object {
            Announced::Object(o) => o.in_reply_to.is_none() && local(&o.id),
            Announced::Remove(r) => r.target == *self.actor.inner() && local(&r.object),
            _ => false,
        }
    }

    /// Whether this announces a reply, an edit or a deletion in a thread of `group`'s community
    /// that is shared into a community here: the home community tells the communities its
    /// thread is in, whose instances may not follow it (`federation::outbound::sharing`).
    async fn in_thread_shared_here(
        &self,
        group: &Community,
        data: &Data<AppContext>,
    ) -> Result<bool, Error> {
        let about = match &self.object {
            Announced::Create(_) | Announced::Object(_) => self
                .object
                .object_json()
                .and_then(|o| o.in_reply_to.clone()),
            Announced::Update(update) => Some(update.object.id.clone()),
            Announced::Delete(delete) => Some(delete.object.id().clone()),
            _ => None,
        };
        let Some(about) = about else {
            return Ok(false);
        };
        let Some(found) = PostOrComment::read_from_id(about, data).await? else {
            return Ok(false);
        };
        let (post_id, group_id) = (found.post_id(), group.id);
        data.db(move |conn| {
            let home = crate::db::posts::thread_community(conn, post_id)?;
            Ok(home.id == group_id && crate::db::shares::in_local_community(conn, post_id)?)
        })
        .await
    }

    /// Whether the inner activity acts inside `group`'s community: on a post or comment of it,
    /// on its collections, or on its bans. An unseen post a vote or edit names is fetched from
    /// its origin under the community's vouch (and kept only if it is inside the community).
    async fn inside(&self, group: &Community, data: &Data<AppContext>) -> Result<bool, Error> {
        let vouch = Some(group.id);
        let is_group = |url: &Url| *url == group.ap_id.0;
        let community = match &self.object {
            Announced::Vote(vote) => community_of(vote.object.inner(), data, vouch).await?,
            Announced::Update(update) => community_of(&update.object.id, data, vouch).await?,
            Announced::UndoVote(undo) => {
                community_of(undo.object.object.inner(), data, None).await?
            }
            Announced::Delete(delete) => community_of(delete.object.id(), data, None).await?,
            Announced::UndoDelete(undo) => {
                community_of(undo.object.object.id(), data, None).await?
            }
            Announced::Lock(lock) => community_of(lock.object.inner(), data, None).await?,
            Announced::UndoLock(undo) => {
                community_of(undo.object.object.inner(), data, None).await?
            }
            Announced::UpdateGroup(update) => return Ok(is_group(update.object.id.inner())),
            Announced::Block(block) => return Ok(is_group(block.target.inner())),
            Announced::UndoBlock(undo) => return Ok(is_group(undo.object.target.inner())),
            Announced::Add(add) => {
                return collected_inside(&add.target, &add.object, group, data).await
            }
            Announced::Remove(remove) => {
                return collected_inside(&remove.target, &remove.object, group, data).await
            }
            Announced::Page(_)
            | Announced::Create(_)
            | Announced::Object(_)
            | Announced::Other(_) => None,
        };
        Ok(community == Some(group.id))
    }

    /// Stores the announced post or comment when it is inside `group`'s community: as embedded
    /// when it is on the community's own server, else as its origin serves it.
    async fn store(
        &self,
        object: &PostJson,
        group: &Community,
        data: &Data<AppContext>,
    ) -> Result<bool, Error> {
        let vouch = Some(group.id);
        let inside = match &object.in_reply_to {
            Some(parent) => {
                community_of(parent, data, vouch).await? == vouch
                    || super::sharing::shared_into(parent, group, data).await?
            }
            None => object.community_candidates().contains(&group.ap_id.0),
        };
        if !inside {
            return Ok(false);
        }
        let stored = if same_origin(&object.id, &group.ap_id.0) {
            PostOrComment::verify(object, &object.id, data).await?;
            post::store(object.clone(), data, vouch).await
        } else {
            post::dereference(&object.id, data, vouch).await
        };
        match stored {
            // What the origin serves is addressed elsewhere than the embedded copy said.
            Err(e) if e.code == OUTSIDE_COMMUNITY => Ok(false),
            other => other.map(|_| true),
        }
    }
}

/// An `Add`/`Remove` is inside the community when its target is one of the community's
/// collections and, for a pin, the post is the community's.
async fn collected_inside(
    target: &Url,
    object: &Url,
    group: &Community,
    data: &Data<AppContext>,
) -> Result<bool, Error> {
    let Some((community, collection)) = split_target(target) else {
        return Ok(false);
    };
    if community != group.ap_id.0.as_str().trim_end_matches('/') {
        return Ok(false);
    }
    if collection == FEATURED {
        return Ok(community_of(object, data, None).await? == Some(group.id));
    }
    Ok(true)
}

#[async_trait::async_trait]
impl Activity for Announce {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only a remote community that a member here follows announces to us; the announced
    /// activity is on its actor's host.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        let not_followed = || {
            Error::new(
                ErrorKind::Forbidden,
                "not_followed",
                "announces are accepted only from communities a member here follows",
            )
        };
        if self.shares_local_thread(data) {
            // A remote community saying that a thread of ours is in it too: it vouches for
            // itself only, and the thread is ours (`sharing::receive_announce`).
            let community = self.actor.dereference(data).await?;
            if community.local {
                return Err(Error::forbidden(
                    "a local community cannot be announced from outside",
                ));
            }
            return Ok(());
        }
        let community = self
            .actor
            .dereference_local(data)
            .await
            .map_err(|_| not_followed())?;
        if community.local {
            return Err(Error::forbidden(
                "a local community cannot be announced from outside",
            ));
        }
        let id = community.id;
        let followed = data
            .db(move |conn| crate::db::members::has_local_follower(conn, id))
            .await?;
        if !followed && !self.in_thread_shared_here(&community, data).await? {
            return Err(not_followed());
        }
        if let Some((actor, id)) = self.object.actor_and_id() {
            verify_domains_match(actor, id)?;
        }
        match &self.object {
            Announced::Create(create) => create.verify(data).await?,
            Announced::Update(update) => update.verify(data).await?,
            Announced::UndoVote(undo) => undo.verify(data).await?,
            Announced::Page(page) => page.verify(data).await?,
            _ => {}
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.receive_inbound(data, &mut super::Inbound::default())
            .await
    }
}

impl Announce {
    /// Applies the announced activity, or acknowledges it without applying it
    /// (`Inbound::ignore`, with the reason). A vote it carries records the Announce's receipt
    /// in its own write.
    pub async fn receive_inbound(
        self,
        data: &Data<AppContext>,
        inbound: &mut super::Inbound,
    ) -> Result<(), Error> {
        let group = self.actor.dereference_local(data).await?;
        if let Some((actor, id)) = self.object.actor_and_id() {
            if crate::federation::is_local_url(data, actor)
                || crate::federation::is_local_url(data, id)
            {
                return inbound.ignore(OUR_OWN);
            }
        }
        if let Announced::Page(page) = self.object {
            return page.receive_announced(&group, data).await;
        }
        if let Some(object) = self.object.object_json() {
            if object.in_reply_to.is_none()
                && !object.community_candidates().contains(&group.ap_id.0)
            {
                // A thread whose home is another community, announced into this one.
                let id = self.id.to_string();
                return super::sharing::receive_announce(object, &group, id, data, inbound).await;
            }
            return match self.store(object, &group, data).await? {
                true => Ok(()),
                false => inbound.ignore(OUTSIDE),
            };
        }
        if let Announced::Remove(remove) = &self.object {
            if remove.target == group.ap_id.0 {
                return super::sharing::receive_removal(remove, &group, data).await;
            }
        }
        if matches!(self.object, Announced::Other(_)) {
            return inbound.ignore(UNHANDLED);
        }
        if !self.inside(&group, data).await? {
            return inbound.ignore(OUTSIDE);
        }
        // Moderation inside the community is vouched for by it.
        let by = Some(group.id);
        match self.object {
            Announced::Vote(vote) => vote.receive_inbound(data, inbound).await,
            Announced::UndoVote(undo) => undo.receive(data).await,
            Announced::Update(update) => update.receive(data).await,
            Announced::UpdateGroup(update) => update.apply(data, true).await,
            Announced::Delete(delete) => delete.apply(data, by).await,
            Announced::Lock(lock) => {
                let id = lock.id.to_string();
                lock.apply(data, true, id, by).await
            }
            Announced::Block(block) => {
                let id = block.id.to_string();
                block.apply(data, true, id, by).await
            }
            Announced::UndoLock(undo) => undo.apply(data, by).await,
            Announced::UndoBlock(undo) => undo.apply(data, by).await,
            Announced::UndoDelete(undo) => undo.apply(data, by).await,
            Announced::Add(add) => add.apply(data, by).await,
            Announced::Remove(remove) => remove.apply(data, by).await,
            Announced::Page(_)
            | Announced::Create(_)
            | Announced::Object(_)
            | Announced::Other(_) => Ok(()),
        }
    }
}
