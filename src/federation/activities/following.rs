//! `Follow`, `Accept(Follow)`, `Reject(Follow)` and `Undo(Follow)`: joining and leaving
//! communities across servers. Object and actor fields are plain URLs, as Lemmy expects.

use crate::{
    actions::membership,
    context::AppContext,
    db::{accounts::Person, communities::Community},
    error::{Error, ErrorKind},
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{AcceptType, FollowType, RejectType, UndoType},
    protocol::{helpers::deserialize_skip_error, verification::verify_urls_match},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub actor: ObjectId<Person>,
    pub object: ObjectId<Community>,
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub to: Option<Vec<Url>>,
    /// Application text: copse and Lemmy-style servers use `content`, some `summary`, Mobilizon
    /// `participationMessage`.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub participation_message: Option<String>,
}

impl Follow {
    fn message(&self) -> Option<String> {
        [&self.content, &self.summary, &self.participation_message]
            .into_iter()
            .flatten()
            .find(|m| !m.trim().is_empty())
            .cloned()
    }
}

async fn local_community(
    id: &ObjectId<Community>,
    data: &Data<AppContext>,
) -> Result<Community, Error> {
    let community = id.dereference_local(data).await.map_err(|_| {
        Error::new(
            ErrorKind::NotFound,
            "unknown_community",
            format!("no community {} here", id.inner()),
        )
    })?;
    if !community.local {
        return Err(Error::new(
            ErrorKind::NotFound,
            "unknown_community",
            "not a community of this instance",
        ));
    }
    Ok(community)
}

#[async_trait::async_trait]
impl Activity for Follow {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        local_community(&self.object, data).await?;
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let community = local_community(&self.object, data).await?;
        let person = self.actor.dereference(data).await?;
        let message = self.message();
        membership::receive_follow(data, person, community, self.id.to_string(), message).await
    }
}

/// The Follow an answer refers to: embedded (Lemmy, Mastodon, copse) or only its id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(Box<Follow>),
    Id(Url),
}

impl FollowRef {
    fn id(&self) -> &Url {
        match self {
            FollowRef::Embedded(f) => &f.id,
            FollowRef::Id(id) => id,
        }
    }
}

/// `Accept` or `Reject`: which answer a [`FollowAnswer`] is.
pub trait AnswerKind:
    Default + Clone + std::fmt::Debug + Serialize + for<'de> Deserialize<'de> + Send + Sync
{
    const ACCEPTS: bool;
}

impl AnswerKind for AcceptType {
    const ACCEPTS: bool = true;
}

impl AnswerKind for RejectType {
    const ACCEPTS: bool = false;
}

/// A community's answer to a Follow.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowAnswer<K> {
    pub actor: ObjectId<Community>,
    pub object: FollowRef,
    #[serde(rename = "type")]
    pub kind: K,
    pub id: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<Vec<Url>>,
}

pub type AcceptFollow = FollowAnswer<AcceptType>;
pub type RejectFollow = FollowAnswer<RejectType>;

#[async_trait::async_trait]
impl<K: AnswerKind> Activity for FollowAnswer<K> {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// An embedded Follow must be addressed to the answering community.
    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        if let FollowRef::Embedded(follow) = &self.object {
            verify_urls_match(follow.object.inner(), self.actor.inner())?;
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let follow_id = self.object.id().to_string();
        // The same shape answers a member's `Join` of a remote event (from its organizer).
        let actor = self.actor.inner().to_string();
        let join =
            crate::actions::remote_rsvp::receive_answer(data, actor, follow_id.clone(), K::ACCEPTS);
        if join.await?.is_some() {
            return Ok(());
        }
        // And a calendar's answer to a local community's `Follow` of it.
        let calendar = crate::actions::event_sources::receive_answer(
            data,
            self.actor.inner().to_string(),
            follow_id.clone(),
            K::ACCEPTS,
        );
        if calendar.await?.is_some() {
            return Ok(());
        }
        let community = self.actor.dereference(data).await?;
        membership::receive_answer(data, community, follow_id, K::ACCEPTS).await
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoFollow {
    pub actor: ObjectId<Person>,
    pub object: Follow,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub id: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<Vec<Url>>,
}

#[async_trait::async_trait]
impl Activity for UndoFollow {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only the follower can undo its Follow.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        local_community(&self.object.object, data).await?;
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let community = local_community(&self.object.object, data).await?;
        let person = self.actor.dereference(data).await?;
        membership::receive_unfollow(data, person, community).await
    }
}
