//! `Add` / `Remove` of a post to a community's `featured` collection: pinning (Lemmy's and
//! Mastodon's featured collection).

use crate::{
    actions::moderation as actions, context::AppContext, db::accounts::Person, error::Error,
    federation::objects::post::PostOrComment,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{AddType, RemoveType},
    protocol::helpers::{deserialize_one_or_many, deserialize_skip_error},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// `Add` pins, `Remove` unpins.
pub trait PinKind:
    Default + Clone + std::fmt::Debug + Serialize + for<'de> Deserialize<'de> + Send + Sync
{
    const PINS: bool;
}

impl PinKind for AddType {
    const PINS: bool = true;
}

impl PinKind for RemoveType {
    const PINS: bool = false;
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Featured<K> {
    pub actor: ObjectId<Person>,
    pub object: ObjectId<PostOrComment>,
    /// The community's `featured` collection.
    pub target: Url,
    #[serde(rename = "type")]
    pub kind: K,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

pub type Pin = Featured<AddType>;
pub type Unpin = Featured<RemoveType>;

impl<K: PinKind> Featured<K> {
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let moderator = self.actor.dereference(data).await?;
        let post = self.object.inner().to_string();
        actions::receive_pin(
            data,
            &moderator,
            post,
            K::PINS,
            self.id.to_string(),
            vouched_by,
        )
        .await
    }
}

#[async_trait::async_trait]
impl<K: PinKind> Activity for Featured<K> {
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
        self.apply(data, None).await
    }
}
