//! `Person`: local users as served at `/u/{name}`, and remote people as fetched.

use super::{Endpoints, Source};
use crate::{
    actions,
    context::AppContext,
    db::{self, accounts::Person},
    domain::content::{plain_line, sanitize_html},
    error::Error,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::{
        helpers::deserialize_skip_error, public_key::PublicKey, verification::verify_domains_match,
    },
    traits::{Actor, Object},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// The actor types stored as people: a `Person`, and the automated actors that publish like
/// one: a `Service` (Mastodon's bots) and an `Application` (Gancio publishes its whole calendar
/// as one; `actions::event_sources`). Ours are always `Person`. A `Group` is never a person.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum PersonKind {
    Person,
    Service,
    Application,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonJson {
    #[serde(rename = "type")]
    pub kind: PersonKind,
    pub id: ObjectId<Person>,
    /// Optional in ActivityPub; without it the name is taken from the id (`username_of`).
    #[serde(default)]
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub source: Option<Source>,
    pub inbox: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub outbox: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub url: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub discoverable: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub updated: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
impl Object for Person {
    type DataType = AppContext;
    type Kind = PersonJson;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.last_refreshed_at.and_utc())
    }

    /// A remote person's row comes from `federation::senders` when kept there.
    async fn read_from_id(id: Url, data: &Data<AppContext>) -> Result<Option<Self>, Error> {
        if let Some(kept) = data.senders().get(id.as_str()) {
            return Ok(Some(kept));
        }
        let found = data
            .db(move |conn| db::accounts::person_by_ap_id(conn, id.as_str()))
            .await?;
        if let Some(person) = &found {
            data.senders().keep(person);
        }
        Ok(found)
    }

    async fn into_json(self, data: &Data<AppContext>) -> Result<PersonJson, Error> {
        let this = actions::keys::person(data, self).await?;
        let url = this.ap_id.0.clone();
        Ok(PersonJson {
            kind: PersonKind::Person,
            id: url.clone().into(),
            preferred_username: Some(this.name.clone()),
            name: this.display_name.clone(),
            summary: this.summary_html.clone(),
            source: this.summary_md.clone().map(Source::markdown),
            inbox: Url::parse(&this.inbox_url)?,
            outbox: Some(Url::parse(&format!("{}/outbox", this.ap_id))?),
            endpoints: Some(Endpoints {
                shared_inbox: Some(Url::parse(&data.url("/inbox"))?),
            }),
            public_key: this.public_key(),
            url: Some(url),
            manually_approves_followers: Some(false),
            discoverable: Some(true),
            published: Some(this.published.and_utc()),
            updated: this.updated.map(|u| u.and_utc()),
        })
    }

    async fn verify(
        json: &PersonJson,
        expected_domain: &Url,
        _data: &Data<AppContext>,
    ) -> Result<(), Error> {
        verify_domains_match(json.id.inner(), expected_domain)?;
        // Fetched documents get the caps inbox bodies get.
        crate::federation::limits::check_caps(&serde_json::to_value(json)?)?;
        verify_domains_match(&json.inbox, expected_domain)?;
        Ok(())
    }

    async fn from_json(json: PersonJson, data: &Data<AppContext>) -> Result<Self, Error> {
        let name = match &json.preferred_username {
            Some(username) => plain_line("preferredUsername", username, 1, 100)?,
            None => username_of(json.id.inner()),
        };
        let display_name = json
            .name
            .as_deref()
            .map(|n| plain_line("name", n, 0, 100))
            .transpose()?;
        let remote = db::accounts::RemotePerson {
            ap_id: json.id.inner().to_string(),
            name,
            display_name,
            summary_html: json.summary.as_deref().map(sanitize_html),
            inbox_url: json.inbox.to_string(),
            shared_inbox_url: json
                .endpoints
                .and_then(|e| e.shared_inbox)
                .map(|u| u.to_string()),
            public_key: json.public_key.public_key_pem,
            published: json.published.map(|p| p.naive_utc()),
        };
        let stored = data
            .write(move |conn| db::accounts::upsert_remote_person(conn, &remote))
            .await?;
        data.senders().keep(&stored);
        Ok(stored)
    }
}

impl Actor for Person {
    fn public_key_pem(&self) -> &str {
        &self.public_key
    }

    fn private_key_pem(&self) -> Option<String> {
        self.private_key.clone()
    }

    fn inbox(&self) -> Url {
        Url::parse(&self.inbox_url).unwrap_or_else(|_| self.ap_id.0.clone())
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
    }
}

/// A name for an actor that gives no `preferredUsername`: the last segment of its id's path
/// (`https://h.example/users/ann` → `ann`), else its host, cut to 100 characters.
fn username_of(id: &Url) -> String {
    let segment: Option<&str> = id
        .path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()));
    let name = segment
        .and_then(|p| plain_line("preferredUsername", p, 1, 100).ok())
        .unwrap_or_else(|| id.host_str().unwrap_or("unknown").to_string());
    name.chars().take(100).collect()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn actors_without_a_preferred_username_are_named_from_their_id() {
        let name = |id: &str| username_of(&Url::parse(id).expect("url"));
        assert_eq!(name("https://h.example/users/ann"), "ann");
        assert_eq!(name("https://h.example/users/ann/"), "ann");
        assert_eq!(name("https://h.example/"), "h.example");
        let json: PersonJson = serde_json::from_value(serde_json::json!({
            "type": "Person",
            "id": "https://h.example/frank",
            "inbox": "https://h.example/frank/inbox",
            "publicKey": {"id": "https://h.example/frank#main", "owner": "https://h.example/frank",
                          "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"},
        }))
        .expect("an actor without preferredUsername parses");
        assert_eq!(json.preferred_username, None);
    }
}
