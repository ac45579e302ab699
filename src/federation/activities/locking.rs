//! `Lock` and `Undo(Lock)` of a thread (Lemmy's moderation extension), with the reason as
//! `summary`.

use super::undo::{Undo, Undoable};
use crate::{
    actions::moderation as actions,
    context::AppContext,
    db::{accounts::Person, posts::PostOrComment},
    error::Error,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::helpers::{deserialize_one_or_many, deserialize_skip_error},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
pub enum LockType {
    #[default]
    Lock,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    pub actor: ObjectId<Person>,
    pub object: ObjectId<PostOrComment>,
    #[serde(rename = "type")]
    pub kind: LockType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

impl Lock {
    /// Applies the lock (or, from an Undo, the unlock); `vouched_by` is the id of the community
    /// that announced it.
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        locked: bool,
        activity_id: String,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let moderator = self.actor.dereference(data).await?;
        let post = self.object.inner().to_string();
        actions::receive_lock(
            data,
            &moderator,
            post,
            locked,
            self.summary,
            activity_id,
            vouched_by,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Activity for Lock {
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

pub type UndoLock = Undo<Lock>;

#[async_trait::async_trait]
impl Undoable for Lock {
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
