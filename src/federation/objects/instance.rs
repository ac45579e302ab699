//! The instance actor (`Application` at `/actor`): signs our fetches (Mastodon's authorized
//! fetch), and is how remote servers see this instance as a whole.

use super::Endpoints;
use crate::{context::AppContext, error::Error};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::actor::ApplicationType,
    protocol::{
        helpers::deserialize_skip_error, public_key::PublicKey, verification::verify_domains_match,
    },
    traits::{Actor, Object},
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone)]
pub struct InstanceActor {
    pub id: Url,
    pub public_key: String,
    pub private_key: Option<String>,
    pub inbox: Url,
    pub preferred_username: String,
}

impl InstanceActor {
    pub fn local(ctx: &AppContext) -> Result<Self, Error> {
        let keys = ctx.instance_keys();
        Ok(InstanceActor {
            id: Url::parse(&ctx.url("/actor"))?,
            public_key: keys.public_key.clone(),
            private_key: Some(keys.private_key.clone()),
            inbox: Url::parse(&ctx.url("/inbox"))?,
            preferred_username: ctx.settings().hostname.clone(),
        })
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationJson {
    #[serde(rename = "type")]
    pub kind: ApplicationType,
    pub id: ObjectId<InstanceActor>,
    pub preferred_username: String,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub name: Option<String>,
    pub inbox: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub outbox: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub manually_approves_followers: Option<bool>,
}

#[async_trait::async_trait]
impl Object for InstanceActor {
    type DataType = AppContext;
    type Kind = ApplicationJson;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<AppContext>) -> Result<Option<Self>, Error> {
        if id.as_str() == data.url("/actor") {
            Ok(Some(InstanceActor::local(data)?))
        } else {
            Ok(None)
        }
    }

    async fn into_json(self, data: &Data<AppContext>) -> Result<ApplicationJson, Error> {
        Ok(ApplicationJson {
            kind: ApplicationType::Application,
            public_key: self.public_key(),
            preferred_username: self.preferred_username.clone(),
            name: Some(format!("copse at {}", data.settings().hostname)),
            outbox: Some(Url::parse(&data.url("/actor/outbox"))?),
            endpoints: Some(Endpoints {
                shared_inbox: Some(self.inbox.clone()),
            }),
            inbox: self.inbox,
            manually_approves_followers: Some(true),
            id: self.id.into(),
        })
    }

    async fn verify(
        json: &ApplicationJson,
        expected_domain: &Url,
        _data: &Data<AppContext>,
    ) -> Result<(), Error> {
        verify_domains_match(json.id.inner(), expected_domain)?;
        Ok(())
    }

    /// Remote instance actors are used only to check signatures of their fetches; they are not
    /// stored.
    async fn from_json(json: ApplicationJson, _data: &Data<AppContext>) -> Result<Self, Error> {
        Ok(InstanceActor {
            id: json.id.into_inner(),
            public_key: json.public_key.public_key_pem,
            private_key: None,
            inbox: json.inbox,
            preferred_username: json.preferred_username,
        })
    }
}

impl Actor for InstanceActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key
    }

    fn private_key_pem(&self) -> Option<String> {
        self.private_key.clone()
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}
