//! `Flag` (a report, sent to the community; Lemmy's, Mbin's and Mastodon's shapes) and Lemmy's
//! `Resolve` of a `Flag` by a moderator.

use crate::{actions::reports as actions, context::AppContext, db::accounts::Person, error::Error};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::helpers::{deserialize_one_or_many, deserialize_skip_error},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
pub enum FlagType {
    #[default]
    Flag,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
pub enum ResolveType {
    #[default]
    Resolve,
}

/// The most objects one report may name (Mastodon lists the account and several posts).
const MAX_FLAGGED: usize = 20;

/// One object as a plain URL (what Lemmy expects), several as a list.
fn serialize_one_or_many<S: serde::Serializer>(urls: &[Url], s: S) -> Result<S::Ok, S::Error> {
    match urls {
        [one] => one.serialize(s),
        many => many.serialize(s),
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    pub actor: Url,
    /// The reported post or comment; Mastodon and Mbin send a list (with the account too).
    #[serde(
        deserialize_with = "deserialize_one_or_many",
        serialize_with = "serialize_one_or_many"
    )]
    pub object: Vec<Url>,
    #[serde(rename = "type")]
    pub kind: FlagType,
    pub id: Url,
    /// The reason (Lemmy); Mastodon puts it in `content`.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

#[async_trait::async_trait]
impl Activity for Flag {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        Ok(())
    }

    /// Stores a report for each post or comment named that we hold. Reports whose actor is not a
    /// person (Mastodon reports as its instance actor) and reports about accounts are
    /// acknowledged and not stored: copse reports are about content, with a reporter.
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let Ok(reporter) = ObjectId::<Person>::from(self.actor.clone())
            .dereference(data)
            .await
        else {
            return Ok(());
        };
        let reason = self.summary.or(self.content);
        for (i, object) in self.object.iter().take(MAX_FLAGGED).enumerate() {
            // One report per object; the first keeps the Flag's own id.
            let id = match i {
                0 => self.id.to_string(),
                _ => format!("{}#{i}", self.id),
            };
            match actions::receive(data, &reporter, object.to_string(), reason.clone(), id).await {
                Err(e) if e.kind == crate::error::ErrorKind::NotFound => continue,
                other => other?,
            }
        }
        Ok(())
    }
}

/// The resolved report: the Flag embedded, or its id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FlagRef {
    Flag(Box<Flag>),
    Id(Url),
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolve {
    pub actor: ObjectId<Person>,
    pub object: FlagRef,
    #[serde(rename = "type")]
    pub kind: ResolveType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
}

#[async_trait::async_trait]
impl Activity for Resolve {
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
        let moderator = self.actor.dereference(data).await?;
        let flag_id = match self.object {
            FlagRef::Flag(flag) => flag.id.to_string(),
            FlagRef::Id(id) => id.to_string(),
        };
        actions::receive_resolve(data, &moderator, flag_id).await
    }
}
