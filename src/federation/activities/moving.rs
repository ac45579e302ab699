//! `Move` of a community, the account-migration convention: the old Group moves itself
//! (`actor` = `object` = the old Group, `target` = the new Group) to its followers. Received,
//! it takes effect only as the old Group's own (the inbox has checked that the Group signed it)
//! for a remote community known here, and only when the new Group, fetched from its own server,
//! lists the old one in `alsoKnownAs`; then `actions::moving::receive` re-follows the new one
//! for each member here.

use crate::{
    actions,
    context::AppContext,
    db::communities::Community,
    error::{Error, ErrorKind},
};
use activitypub_federation::{
    config::Data, fetch::object_id::ObjectId, kinds::activity::MoveType,
    protocol::helpers::deserialize_one_or_many, traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub actor: Url,
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub object: Url,
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub target: Url,
    #[serde(rename = "type")]
    pub kind: MoveType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

impl Move {
    /// The old Group's move of itself to `target`, addressed to its followers.
    pub fn new(old: &Community, target: Url, id: Url) -> Result<Move, Error> {
        let followers = match &old.followers_url {
            Some(f) => Url::parse(f)?,
            None => Url::parse(&format!("{}/followers", old.ap_id))?,
        };
        Ok(Move {
            actor: old.ap_id.0.clone(),
            object: old.ap_id.0.clone(),
            target,
            kind: MoveType::Move,
            id,
            to: vec![followers],
            cc: vec![activitypub_federation::kinds::public()],
        })
    }
}

#[async_trait::async_trait]
impl Activity for Move {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    /// A Group moves only itself: a `Move` of anything by anyone else is refused.
    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        if self.actor != self.object {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "not_the_group",
                "a community is moved only by itself (actor and object must be its Group)",
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        // An account's move (Mastodon's) or an unknown community's is not ours to apply.
        let Ok(old) = ObjectId::<Community>::from(self.object.clone())
            .dereference_local(data)
            .await
        else {
            tracing::debug!(
                "ignoring the Move of {}: not a community known here",
                self.object
            );
            return Ok(());
        };
        let new = ObjectId::<Community>::from(self.target.clone())
            .dereference_forced(data)
            .await?;
        actions::moving::receive(data, old, new).await
    }
}
