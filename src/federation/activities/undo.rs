//! `Undo` of a moderator's activity (`Lock`, `Block`, `Delete`): one wire struct for all three,
//! the undone activity embedded, undone by the same actor that did it.

use crate::{context::AppContext, db::accounts::Person, error::Error};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::UndoType,
    protocol::{
        helpers::{deserialize_one_or_many, deserialize_skip_error},
        verification::verify_urls_match,
    },
    traits::Activity,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::fmt::Debug;
use url::Url;

/// An activity an `Undo` can take back.
#[async_trait::async_trait]
pub trait Undoable: Clone + Debug + Serialize + DeserializeOwned + Send + Sync {
    /// Who did it (the Undo must come from the same actor).
    fn actor_url(&self) -> &Url;

    /// Takes it back. `undo_id` is the Undo's id; `vouched_by` the announcing community's id.
    async fn undo(
        self,
        data: &Data<AppContext>,
        undo_id: String,
        vouched_by: Option<i64>,
    ) -> Result<(), Error>;
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "T: DeserializeOwned", serialize = "T: Serialize"))]
pub struct Undo<T> {
    pub actor: ObjectId<Person>,
    pub object: T,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

impl<T: Undoable> Undo<T> {
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        verify_urls_match(self.actor.inner(), self.object.actor_url())?;
        let id = self.id.to_string();
        self.object.undo(data, id, vouched_by).await
    }
}

#[async_trait::async_trait]
impl<T: Undoable> Activity for Undo<T> {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        verify_urls_match(self.actor.inner(), self.object.actor_url())?;
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.apply(data, None).await
    }
}
