//! `Add` / `Remove` to a community's collections, Lemmy's shapes: to `featured` pins and unpins a
//! post (Mastodon's featured collection too), to `moderators` appoints and removes a moderator.
//! Other targets are acknowledged and ignored.

use crate::{
    actions::{moderation as threads, moderators},
    context::AppContext,
    db::{self, accounts::Person},
    error::Error,
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

/// `Add` puts in, `Remove` takes out.
pub trait AddKind:
    Default + Clone + std::fmt::Debug + Serialize + for<'de> Deserialize<'de> + Send + Sync
{
    const ADDS: bool;
}

impl AddKind for AddType {
    const ADDS: bool = true;
}

impl AddKind for RemoveType {
    const ADDS: bool = false;
}

/// The collections a community has, by the last segment of their URL.
pub const FEATURED: &str = "featured";
pub const MODERATORS: &str = "moderators";

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collected<K> {
    pub actor: ObjectId<Person>,
    /// A post (featured) or a person (moderators).
    pub object: Url,
    /// `{community}/featured` or `{community}/moderators`.
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

pub type Add = Collected<AddType>;
pub type Remove = Collected<RemoveType>;

/// The community URL and collection name of a target such as `https://h/c/name/moderators`.
pub fn split_target(target: &Url) -> Option<(String, &str)> {
    let (base, last) = target.as_str().trim_end_matches('/').rsplit_once('/')?;
    Some((base.to_string(), last))
}

impl<K: AddKind> Collected<K> {
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let Some((community_url, collection)) = split_target(&self.target) else {
            return Ok(());
        };
        match collection {
            FEATURED => {
                let moderator = self.actor.dereference(data).await?;
                let post = self.object.to_string();
                let id = self.id.to_string();
                threads::receive_pin(data, &moderator, post, K::ADDS, id, vouched_by).await
            }
            MODERATORS => {
                let community = data
                    .db(move |conn| db::communities::by_ap_id(conn, &community_url))
                    .await?;
                let Some(community) = community else {
                    return Ok(()); // a community we do not know: not ours to track
                };
                let actor = self.actor.dereference(data).await?;
                let person = ObjectId::<Person>::from(self.object)
                    .dereference(data)
                    .await?;
                let id = self.id.to_string();
                moderators::receive_moderator(
                    data,
                    &actor,
                    person,
                    community,
                    K::ADDS,
                    id,
                    vouched_by,
                )
                .await
            }
            _ => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl<K: AddKind> Activity for Collected<K> {
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
