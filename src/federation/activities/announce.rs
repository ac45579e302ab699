//! `Announce` from a remote community we follow: the community forwarding a member's `Create`
//! (forum software) or the bare object (Mastodon's form). An embedded object from another host
//! than the announcing community is not trusted as given: it is fetched from its origin.

use super::{
    adding::{Add, Remove},
    blocking::{Block, UndoBlock},
    create::Create,
    editing::{Delete, UndoDelete, Update},
    locking::{Lock, UndoLock},
    voting::{UndoVote, Vote},
};
use crate::{
    context::AppContext,
    db::communities::Community,
    error::{Error, ErrorKind},
    federation::objects::post::{PostJson, PostOrComment},
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
    Create(Box<Create>),
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

impl Announce {
    fn object_json(&self) -> Option<&PostJson> {
        match &self.object {
            Announced::Create(create) => Some(&create.object),
            Announced::Object(object) => Some(object),
            _ => None,
        }
    }
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

    /// Only a remote community we already know announces to us; an embedded Create must be by
    /// the object's author, on the author's host.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        let community = self.actor.dereference_local(data).await.map_err(|_| {
            Error::new(
                ErrorKind::Forbidden,
                "not_followed",
                "announces are accepted from followed communities only",
            )
        })?;
        if community.local {
            return Err(Error::forbidden(
                "a local community cannot be announced from outside",
            ));
        }
        match &self.object {
            Announced::Create(create) => {
                verify_domains_match(create.actor.inner(), &create.object.id)?
            }
            Announced::Vote(vote) => verify_domains_match(vote.actor.inner(), &vote.id)?,
            Announced::Update(update) => {
                verify_domains_match(update.actor.inner(), &update.id)?;
                update.verify(data).await?;
            }
            Announced::Delete(delete) => verify_domains_match(delete.actor.inner(), &delete.id)?,
            Announced::Lock(lock) => verify_domains_match(lock.actor.inner(), &lock.id)?,
            Announced::UndoLock(undo) => verify_domains_match(undo.actor.inner(), &undo.id)?,
            Announced::Block(block) => verify_domains_match(block.actor.inner(), &block.id)?,
            Announced::UndoBlock(undo) => verify_domains_match(undo.actor.inner(), &undo.id)?,
            Announced::UndoDelete(undo) => verify_domains_match(undo.actor.inner(), &undo.id)?,
            Announced::Add(add) => verify_domains_match(add.actor.inner(), &add.id)?,
            Announced::Remove(remove) => verify_domains_match(remove.actor.inner(), &remove.id)?,
            Announced::UndoVote(undo) => {
                verify_domains_match(undo.actor.inner(), &undo.id)?;
                undo.verify(data).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        // Moderation is vouched for by the announcing community.
        let by = Some(self.actor.dereference_local(data).await?.id);
        match self.object {
            Announced::Vote(vote) => return vote.receive(data).await,
            Announced::UndoVote(undo) => return undo.receive(data).await,
            Announced::Update(update) => return update.receive(data).await,
            Announced::Delete(delete) => return delete.apply(data, by).await,
            Announced::Lock(lock) => {
                let id = lock.id.to_string();
                return lock.apply(data, true, id, by).await;
            }
            Announced::Block(block) => {
                let id = block.id.to_string();
                return block.apply(data, true, id, by).await;
            }
            Announced::UndoLock(undo) => return undo.apply(data, by).await,
            Announced::UndoBlock(undo) => return undo.apply(data, by).await,
            Announced::UndoDelete(undo) => return undo.apply(data, by).await,
            Announced::Add(add) => return add.apply(data, by).await,
            Announced::Remove(remove) => return remove.apply(data, by).await,
            Announced::Create(_) | Announced::Object(_) | Announced::Other(_) => {}
        }
        let Some(object) = self.object_json().cloned() else {
            return Ok(());
        };
        let same_origin = object.id.host_str() == self.actor.inner().host_str()
            && object.id.port() == self.actor.inner().port();
        if same_origin {
            PostOrComment::verify(&object, &object.id, data).await?;
            PostOrComment::from_json(object, data).await?;
        } else {
            // Fetched from its origin; stored copies are kept.
            ObjectId::<PostOrComment>::from(object.id)
                .dereference(data)
                .await?;
        }
        Ok(())
    }
}
