//! `Group`: a community as an actor (FEP-1b12, Lemmy's shape), with the charter as
//! `PropertyValue` attachments so Mastodon shows it as profile fields.

use super::{Endpoints, PropertyValue, Source};
use crate::{
    actions,
    context::AppContext,
    db::{self, communities::Community, links::LinkedCommunity},
    domain::{
        communities::{Charter, MAX_CADENCE, MAX_CHARTER_LINE, MAX_QUESTION, MAX_QUESTIONS},
        communities::{MembershipPolicy, Visibility},
        content::{escape_html, html_to_text, plain_line, sanitize_html, text_block},
        links::{Relation, MAX_LINKS},
        names::handle,
    },
    error::Error,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::actor::GroupType,
    protocol::{
        helpers::deserialize_skip_error, public_key::PublicKey, verification::verify_domains_match,
    },
    traits::{Actor, Object},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Names of the charter's profile fields, in order.
pub const CHARTER_FIELDS: [&str; 4] = ["Purpose", "Domain", "Practice", "Meetings"];
const CODE_OF_CONDUCT: &str = "Code of conduct";

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupJson {
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub id: ObjectId<Community>,
    pub preferred_username: String,
    pub name: Option<String>,
    /// HTML.
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub source: Option<Source>,
    pub inbox: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub outbox: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub followers: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub featured: Option<Url>,
    /// The moderators collection (Lemmy's convention).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub attributed_to: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub url: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub posting_restricted_to_mods: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub discoverable: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<serde_json::Value>,
    /// copse's joining questions (`copse:joiningQuestions`), sent when the policy is `approval`.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub joining_questions: Option<Vec<String>>,
    /// The Group ids this community says it also is (before a move to it).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub also_known_as: Option<Vec<Url>>,
    /// Where the community moved.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub moved_to: Option<Url>,
    /// copse's typed links to other communities (`copse:communityLinks`).
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub community_links: Option<Vec<LinkJson>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub updated: Option<DateTime<Utc>>,
}

/// At most this many `alsoKnownAs` of a received Group are kept.
const MAX_ALIASES: usize = 5;

/// One typed link of a Group: what `target` (a Group's id) is to it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LinkJson {
    pub relation: String,
    pub target: Url,
}

/// A community's links as its Group carries them, and as readable profile fields (the
/// relation, then a link to the other community's page).
fn links_json(links: &[LinkedCommunity], host: &str) -> (Vec<LinkJson>, Vec<PropertyValue>) {
    let wire = links
        .iter()
        .map(|l| LinkJson {
            relation: l.relation.as_str().to_string(),
            target: l.target.ap_id.0.clone(),
        })
        .collect();
    let fields = links
        .iter()
        .map(|l| {
            let url = escape_html(l.target.ap_id.as_str());
            let name = escape_html(&handle(&l.target.name, &l.target.ap_id, host));
            PropertyValue::new(l.relation.label(), format!("<a href=\"{url}\">{name}</a>"))
        })
        .collect();
    (wire, fields)
}

/// The links a received Group declares: known relations to http(s) ids, at most `MAX_LINKS`.
fn received_links(json: &GroupJson) -> Vec<(Relation, String)> {
    json.community_links
        .iter()
        .flatten()
        .filter(|l| matches!(l.target.scheme(), "https" | "http"))
        .filter_map(|l| Some((Relation::parse(&l.relation)?, l.target.to_string())))
        .take(MAX_LINKS)
        .collect()
}

fn attachments(c: &Community, links: Vec<PropertyValue>) -> Vec<serde_json::Value> {
    let mut out: Vec<PropertyValue> = charter_lines(c)
        .map(|(name, text)| PropertyValue::new(name, escape_html(text).replace('\n', "<br>")))
        .collect();
    if !c.code_of_conduct_html.is_empty() {
        out.push(PropertyValue::new(
            CODE_OF_CONDUCT,
            c.code_of_conduct_html.clone(),
        ));
    }
    out.extend(links);
    out.into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}

/// Opens the readable list of joining questions appended to the `summary`, for software that
/// ignores `joiningQuestions`; a copse receiver cuts the summary there.
const QUESTIONS_HEADING: &str = "<p><strong>Joining questions</strong>";

/// The joining questions an applicant is asked: only an `approval` community's.
fn joining_questions(c: &Community) -> Vec<String> {
    match c.policy() {
        MembershipPolicy::Approval => c.questions(),
        _ => Vec::new(),
    }
}

/// Opens the charter section appended to the `summary` (HTML) and `source` (markdown): Lemmy
/// shows only those as a community's description, never the profile fields. A copse receiver
/// cuts both there, reading the charter from the fields.
const CHARTER_HEADING: &str = "<hr><p><strong>Charter</strong></p>";
const CHARTER_HEADING_MD: &str = "\n\n---\n\n**Charter**\n\n";
const QUESTIONS_HEADING_MD: &str = "\n\n**Joining questions**";

/// The charter's lines that are set, with their names.
fn charter_lines(c: &Community) -> impl Iterator<Item = (&'static str, &String)> {
    let lines = [&c.purpose, &c.domain, &c.practice, &c.meeting_cadence];
    CHARTER_FIELDS
        .into_iter()
        .zip(lines)
        .filter(|(_, text)| !text.is_empty())
}

fn has_charter(c: &Community) -> bool {
    charter_lines(c).next().is_some() || !c.code_of_conduct_md.is_empty()
}

/// The summary, then the charter, then the joining questions (for software that reads neither
/// the profile fields nor `joiningQuestions`).
fn summary_html(c: &Community, questions: &[String]) -> String {
    let mut out = c.summary_html.clone();
    if has_charter(c) {
        out.push_str(CHARTER_HEADING);
        for (name, text) in charter_lines(c) {
            let text = escape_html(text).replace('\n', "<br>");
            out.push_str(&format!("<p><strong>{name}:</strong> {text}</p>"));
        }
        if !c.code_of_conduct_html.is_empty() {
            out.push_str("<p><strong>Code of conduct</strong></p>");
            out.push_str(&c.code_of_conduct_html);
        }
    }
    if !questions.is_empty() {
        let items: String = questions
            .iter()
            .map(|q| format!("<li>{}</li>", escape_html(q)))
            .collect();
        out.push_str(&format!(
            "{QUESTIONS_HEADING} (answer them in your request to join, one line each):</p><ol>{items}</ol>"
        ));
    }
    out
}

/// The summary's markdown with the charter and the questions after it (Lemmy prefers `source`
/// to `summary`).
fn summary_markdown(c: &Community, questions: &[String]) -> String {
    let mut out = c.summary_md.clone();
    if has_charter(c) {
        out.push_str(CHARTER_HEADING_MD);
        let lines: Vec<String> = charter_lines(c)
            .map(|(name, text)| format!("**{name}:** {}", markdown_line(text)))
            .collect();
        out.push_str(&lines.join("\n\n"));
        if !c.code_of_conduct_md.is_empty() {
            out.push_str("\n\n**Code of conduct**\n\n");
            out.push_str(&c.code_of_conduct_md);
        }
    }
    if !questions.is_empty() {
        out.push_str(QUESTIONS_HEADING_MD);
        out.push_str(" (answer them in your request to join, one line each):\n");
        for (n, q) in questions.iter().enumerate() {
            out.push_str(&format!("\n{}. {}", n + 1, markdown_line(q)));
        }
    }
    out
}

/// A plain charter line as markdown text: markdown's own characters escaped, line breaks kept.
fn markdown_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\`*_[]<>#!|~".contains(ch) {
            out.push('\\');
        }
        match ch {
            '\n' => out.push_str("  \n"),
            _ => out.push(ch),
        }
    }
    out
}

/// Cuts what copse appends to a Group's summary: at the charter (when the Group has charter
/// fields, so a section of the same name in anyone else's summary stays) and at the questions.
fn own_summary<'a>(text: &'a str, json: &GroupJson, markers: &[&str]) -> &'a str {
    let has_fields = json.attachment.iter().any(|a| {
        let name = a.get("name").and_then(|n| n.as_str());
        name.is_some_and(|n| CHARTER_FIELDS.contains(&n) || n == CODE_OF_CONDUCT)
    });
    let mut end = text.len();
    if has_fields {
        if let Some(at) = text.find(markers[0]) {
            end = end.min(at);
        }
    }
    if json.joining_questions.is_some() {
        if let Some(at) = markers.get(1).and_then(|m| text.rfind(m)) {
            end = end.min(at);
        }
    }
    &text[..end]
}

/// Joining questions a received Group publishes (each a plain line; at most as many as a local
/// community may ask, the others ignored).
fn received_questions(json: &GroupJson) -> Vec<String> {
    json.joining_questions
        .iter()
        .flatten()
        .filter_map(|q| plain_line("joiningQuestions", q, 1, MAX_QUESTION).ok())
        .take(MAX_QUESTIONS)
        .collect()
}

#[async_trait::async_trait]
impl Object for Community {
    type DataType = AppContext;
    type Kind = GroupJson;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.last_refreshed_at.and_utc())
    }

    async fn read_from_id(id: Url, data: &Data<AppContext>) -> Result<Option<Self>, Error> {
        data.db(move |conn| db::communities::by_ap_id(conn, id.as_str()))
            .await
    }

    async fn into_json(self, data: &Data<AppContext>) -> Result<GroupJson, Error> {
        let this = actions::keys::community(data, self).await?;
        let id = this.ap_id.0.clone();
        let sub = |path: &str| Url::parse(&format!("{id}/{path}"));
        let questions = joining_questions(&this);
        let community_id = this.id;
        let links = data
            .db(move |conn| db::links::of(conn, community_id))
            .await?;
        let (links, link_fields) = links_json(&links, &data.settings().hostname);
        let (summary, source) = (
            summary_html(&this, &questions),
            summary_markdown(&this, &questions),
        );
        Ok(GroupJson {
            kind: GroupType::Group,
            preferred_username: this.name.clone(),
            name: Some(this.title.clone()),
            summary: Some(summary),
            joining_questions: (!questions.is_empty()).then_some(questions),
            source: Some(Source::markdown(source)),
            inbox: Url::parse(&this.inbox_url)?,
            outbox: Some(sub("outbox")?),
            followers: Some(sub("followers")?),
            featured: Some(sub("featured")?),
            attributed_to: Some(sub("moderators")?),
            endpoints: Some(Endpoints {
                shared_inbox: Some(Url::parse(&data.url("/inbox"))?),
            }),
            public_key: this.public_key(),
            url: Some(id.clone()),
            manually_approves_followers: Some(this.policy() != MembershipPolicy::Open),
            posting_restricted_to_mods: Some(this.posting_restricted_to_mods),
            discoverable: Some(this.visibility() == Visibility::Public),
            attachment: attachments(&this, link_fields),
            community_links: Some(links),
            also_known_as: Some(
                this.aliases()
                    .iter()
                    .filter_map(|a| Url::parse(a).ok())
                    .collect::<Vec<_>>(),
            )
            .filter(|a| !a.is_empty()),
            moved_to: this.moved_to.as_deref().and_then(|m| Url::parse(m).ok()),
            published: Some(this.published.and_utc()),
            updated: this.updated.map(|u| u.and_utc()),
            id: id.into(),
        })
    }

    async fn verify(
        json: &GroupJson,
        expected_domain: &Url,
        _data: &Data<AppContext>,
    ) -> Result<(), Error> {
        verify_domains_match(json.id.inner(), expected_domain)?;
        // Fetched documents get the caps inbox bodies get.
        crate::federation::limits::check_caps(&serde_json::to_value(json)?)?;
        verify_domains_match(&json.inbox, expected_domain)?;
        Ok(())
    }

    async fn from_json(json: GroupJson, data: &Data<AppContext>) -> Result<Self, Error> {
        let name = plain_line("preferredUsername", &json.preferred_username, 1, 100)?;
        let title = plain_line("name", json.name.as_deref().unwrap_or(&name), 1, 200)?;
        let field = |name: &str| {
            json.attachment
                .iter()
                .find(|a| a.get("name").and_then(|n| n.as_str()) == Some(name))
                .and_then(|a| a.get("value").and_then(|v| v.as_str()))
                .map(html_to_text)
                .unwrap_or_default()
        };
        let charter = Charter {
            purpose: text_block(
                "charter.purpose",
                &field(CHARTER_FIELDS[0]),
                MAX_CHARTER_LINE,
            )?,
            domain: text_block(
                "charter.domain",
                &field(CHARTER_FIELDS[1]),
                MAX_CHARTER_LINE,
            )?,
            practice: text_block(
                "charter.practice",
                &field(CHARTER_FIELDS[2]),
                MAX_CHARTER_LINE,
            )?,
            meeting_cadence: plain_line(
                "charter.meeting_cadence",
                &field(CHARTER_FIELDS[3]),
                0,
                MAX_CADENCE,
            )?,
            code_of_conduct: String::new(),
        };
        let questions = received_questions(&json);
        let links = received_links(&json);
        let remote = db::communities::RemoteCommunity {
            charter,
            ap_id: json.id.inner().to_string(),
            name,
            title,
            summary_md: json
                .source
                .as_ref()
                .map(|s| {
                    own_summary(
                        &s.content,
                        &json,
                        &[CHARTER_HEADING_MD, QUESTIONS_HEADING_MD],
                    )
                    .to_string()
                })
                .unwrap_or_default(),
            summary_html: json
                .summary
                .as_deref()
                .map(|s| own_summary(s, &json, &[CHARTER_HEADING, QUESTIONS_HEADING]))
                .map(sanitize_html)
                .unwrap_or_default(),
            questions,
            also_known_as: json
                .also_known_as
                .iter()
                .flatten()
                .take(MAX_ALIASES)
                .map(|u| u.to_string())
                .collect(),
            moved_to: json.moved_to.as_ref().map(|u| u.to_string()),
            membership_policy: if json.manually_approves_followers.unwrap_or(false) {
                MembershipPolicy::Approval
            } else {
                MembershipPolicy::Open
            },
            visibility: match json.discoverable {
                Some(false) => Visibility::Private,
                _ => Visibility::Public,
            },
            posting_restricted_to_mods: json.posting_restricted_to_mods.unwrap_or(false),
            inbox_url: json.inbox.to_string(),
            shared_inbox_url: json
                .endpoints
                .and_then(|e| e.shared_inbox)
                .map(|u| u.to_string()),
            followers_url: json.followers.map(|u| u.to_string()),
            public_key: json.public_key.public_key_pem,
            published: json.published.map(|p| p.naive_utc()),
        };
        data.write(move |conn| {
            let community = db::communities::upsert_remote(conn, &remote)?;
            db::links::replace_declared(conn, community.id, &links)?;
            Ok(community)
        })
        .await
    }
}

impl Actor for Community {
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
