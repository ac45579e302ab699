//! `Like` / `Dislike` and their `Undo`: votes on posts and comments. Lemmy sends them with only
//! `audience` (no `to`/`cc`); the object decides where they belong.

use crate::{
    actions::votes as actions,
    context::AppContext,
    db::{accounts::Person, posts::PostOrComment},
    error::Error,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::UndoType,
    protocol::{helpers::deserialize_skip_error, verification::verify_urls_match},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum VoteType {
    Like,
    Dislike,
}

impl VoteType {
    pub fn score(self) -> i32 {
        match self {
            VoteType::Like => 1,
            VoteType::Dislike => -1,
        }
    }

    pub fn of(score: i32) -> Self {
        if score < 0 {
            VoteType::Dislike
        } else {
            VoteType::Like
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    pub actor: ObjectId<Person>,
    pub object: ObjectId<PostOrComment>,
    #[serde(rename = "type")]
    pub kind: VoteType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

#[async_trait::async_trait]
impl Activity for Vote {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.receive_inbound(data, &mut super::Inbound::default())
            .await
    }
}

impl Vote {
    /// The voted object must exist (fetched if unknown); otherwise the vote is refused. One
    /// write: the vote, its change and the receipt commit together. An object already here (the
    /// usual case) is found by that write itself, without a read before it.
    pub async fn receive_inbound(
        self,
        data: &Data<AppContext>,
        inbound: &mut super::Inbound,
    ) -> Result<(), Error> {
        let voter = inbound.actor(&self.actor, data).await?;
        let receipt = inbound.take_receipt();
        let (score, id) = (self.kind.score(), self.id.to_string());
        let vote = |object| {
            actions::receive_vote(data, &voter, object, score, id.clone(), receipt.clone())
        };
        if vote(self.object.inner().to_string()).await? {
            return Ok(());
        }
        // Not here: fetched from its origin, and kept only if it belongs to a community here.
        let object = self.object.dereference(data).await?;
        match vote(object.ap_id().to_string()).await? {
            true => Ok(()),
            false => Err(Error::not_found("post")),
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoVote {
    pub actor: ObjectId<Person>,
    pub object: Vote,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

#[async_trait::async_trait]
impl Activity for UndoVote {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only the voter can withdraw the vote.
    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        verify_urls_match(self.actor.inner(), self.object.actor.inner())?;
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let voter = self.actor.dereference(data).await?;
        actions::receive_undo_vote(
            data,
            voter,
            self.object.id.to_string(),
            self.object.object.inner().to_string(),
            self.id.to_string(),
        )
        .await
    }
}
