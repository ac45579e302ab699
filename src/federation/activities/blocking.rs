//! `Block` (with `target` the community) and `Undo(Block)`: banning people from a community.

use super::undo::{Undo, Undoable};
use crate::{
    actions::moderation::{self as actions, Ban},
    context::AppContext,
    db::{accounts::Person, communities::Community},
    error::Error,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::BlockType,
    protocol::helpers::{deserialize_one_or_many, deserialize_skip_error},
    traits::Activity,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub actor: ObjectId<Person>,
    pub object: ObjectId<Person>,
    pub target: ObjectId<Community>,
    #[serde(rename = "type")]
    pub kind: BlockType,
    pub id: Url,
    /// The reason.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    /// When the ban ends; absent for good.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

impl Block {
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        banned: bool,
        activity_id: String,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let moderator = self.actor.dereference(data).await?;
        let person = self.object.dereference(data).await?;
        let community = self.target.dereference(data).await?;
        let ban = Ban {
            person_id: person.id,
            banned,
            reason: self.summary,
            expires_at: self.end_time.map(|t| t.naive_utc()),
        };
        actions::receive_ban(
            data,
            &moderator,
            person,
            community,
            ban,
            activity_id,
            vouched_by,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Activity for Block {
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
        let id = self.id.to_string();
        self.apply(data, true, id, None).await
    }
}

pub type UndoBlock = Undo<Block>;

#[async_trait::async_trait]
impl Undoable for Block {
    fn actor_url(&self) -> &Url {
        self.actor.inner()
    }

    async fn undo(
        self,
        data: &Data<AppContext>,
        undo_id: String,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        self.apply(data, false, undo_id, vouched_by).await
    }
}
