//! The federated digest: a local community's weekly round-up, published by its Group as
//! `Create(Article)` to the public and its followers (docs/FEDERATION.md), so that followers on
//! Mastodon or Lemmy read the same round-up as members get by mail. Another copse instance keeps
//! the latest digest of a remote community its members follow and shows it on the community's
//! page (it does not become a thread: its threads are there already).
//!
//! Trust: a digest takes effect only as the Group that sent it, about itself: the Article is the
//! Group's own (same host, `attributedTo` the Group), its `audience` is the Group, and the Group
//! must be a community known here. Its HTML is sanitized and its size bounded.

use crate::{
    context::AppContext,
    db::{self, communities::Community},
    domain::content::{escape_html, sanitize_html},
    error::{Error, ErrorKind},
    views::digests::Roundup,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::{activity::CreateType, object::ArticleType},
    protocol::{
        helpers::deserialize_one_or_many,
        verification::{verify_domains_match, verify_urls_match},
    },
    traits::Activity,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Longest digest title and body kept from another server.
const MAX_NAME: usize = 300;
const MAX_HTML: usize = 64 * 1024;

/// The digest as an ActivityStreams `Article`. `digestPeriod` (`copse:digestPeriod`, the Monday
/// the week ends, `YYYY-MM-DD`) marks it as a digest.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestArticle {
    #[serde(rename = "type")]
    pub kind: ArticleType,
    pub id: Url,
    pub attributed_to: Url,
    pub name: String,
    pub content: String,
    pub media_type: Option<String>,
    pub url: Option<Url>,
    pub published: DateTime<Utc>,
    pub digest_period: String,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    pub audience: Option<Url>,
}

/// `Create` of a digest, from the Group.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDigest {
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub actor: ObjectId<Community>,
    pub object: DigestArticle,
    #[serde(rename = "type")]
    pub kind: CreateType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

/// The Article's HTML: each section of the roundup as a heading and a list of links.
fn html(roundup: &Roundup) -> String {
    let mut out = String::new();
    let list = |out: &mut String, title: &str, items: Vec<(String, String, String)>| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("<h3>{}</h3><ul>", escape_html(title)));
        for (url, text, extra) in items {
            out.push_str(&format!(
                "<li><a href=\"{}\">{}</a>{}</li>",
                escape_html(&url),
                escape_html(&text),
                escape_html(&extra)
            ));
        }
        out.push_str("</ul>");
    };
    let threads = |t: &[crate::views::digests::ThreadLine], counted: bool| {
        t.iter()
            .map(|t| {
                let extra = match counted {
                    true => format!(" ({} new comments)", t.comments),
                    false => String::new(),
                };
                (t.url.clone(), t.title.clone(), extra)
            })
            .collect()
    };
    list(
        &mut out,
        "New threads",
        threads(&roundup.new_threads, false),
    );
    list(&mut out, "Most active", threads(&roundup.most_active, true));
    list(
        &mut out,
        "Still without a reply",
        threads(&roundup.unanswered, false),
    );
    let meetings = roundup
        .meetings
        .iter()
        .map(|m| (m.url.clone(), m.title.clone(), format!(": {}", m.when)))
        .collect();
    list(&mut out, "Coming meetings", meetings);
    let pages = roundup
        .pages
        .iter()
        .map(|p| {
            let state = if p.new { " (new)" } else { " (updated)" };
            (p.url.clone(), p.title.clone(), state.to_string())
        })
        .collect();
    list(&mut out, "New and updated pages", pages);
    out
}

impl CreateDigest {
    /// The Group's `Create(Article)` of its digest for the week ending `period`.
    pub fn new(
        community: &Community,
        roundup: &Roundup,
        period: &str,
        activity_id: Url,
    ) -> Result<CreateDigest, Error> {
        let group = community.ap_id.0.clone();
        let followers = Url::parse(&format!("{group}/followers"))?;
        let public = activitypub_federation::kinds::public();
        let article = DigestArticle {
            kind: ArticleType::Article,
            id: Url::parse(&format!("{group}/digests/{period}"))?,
            attributed_to: group.clone(),
            name: format!("{}: the week to {period}", community.title),
            content: html(roundup),
            media_type: Some("text/html".into()),
            url: Some(Url::parse(&roundup.url)?),
            published: Utc::now(),
            digest_period: period.to_string(),
            to: vec![public.clone()],
            cc: vec![followers.clone()],
            audience: Some(group),
        };
        Ok(CreateDigest {
            actor: community.ap_id.0.clone().into(),
            object: article,
            kind: CreateType::Create,
            id: activity_id,
            to: vec![public],
            cc: vec![followers],
        })
    }
}

fn refused(code: &'static str, message: &'static str) -> Error {
    Error::new(ErrorKind::BadRequest, code, message)
}

#[async_trait::async_trait]
impl Activity for CreateDigest {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// The Article is the Group's own and about the Group; sizes are bounded.
    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        verify_domains_match(self.actor.inner(), &self.id)?;
        verify_domains_match(self.actor.inner(), &self.object.id)?;
        verify_urls_match(self.actor.inner(), &self.object.attributed_to)?;
        if self.object.audience.as_ref() != Some(self.actor.inner()) {
            return Err(refused(
                "wrong_audience",
                "a digest's audience is its own Group",
            ));
        }
        if self.object.name.len() > MAX_NAME * 4 || self.object.content.len() > MAX_HTML {
            return Err(refused("too_large", "the digest is too large"));
        }
        Ok(())
    }

    /// Keeps the digest of a remote community known here (the latest one), sanitized. A
    /// digest from a Group nobody here follows is ignored.
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let group = self.actor.inner().to_string();
        let Some(community) = data
            .db(move |conn| db::communities::by_ap_id(conn, &group))
            .await?
        else {
            return Ok(());
        };
        if community.local {
            return Ok(());
        }
        let name: String = self.object.name.chars().take(MAX_NAME).collect();
        let html = sanitize_html(&self.object.content);
        let (id, published) = (
            self.object.id.to_string(),
            self.object.published.naive_utc(),
        );
        data.write(move |conn| {
            db::digests::keep_received(conn, community.id, &id, &name, &html, published)
        })
        .await
    }
}
