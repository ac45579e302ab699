//! Posts (`Page`) and comments (`Note` with `inReplyTo`) as one `Object`, the stored
//! `db::posts::PostOrComment`: what arrives decides which it is (a reply is a comment; anything
//! else addressed to a community is a post). We accept `Page`, `Article`, `Note`, `Event`,
//! `Question` and `Video` as posts.

use super::Source;
use crate::{
    actions::posts as actions,
    context::AppContext,
    db::{self, communities::Community, posts::PostOrComment},
    domain::{content, posts as rules},
    error::{Error, ErrorKind},
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::public,
    protocol::{
        helpers::{deserialize_one_or_many, deserialize_skip_error},
        verification::verify_domains_match,
    },
    traits::Object,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum ObjectKind {
    Page,
    Article,
    Note,
    Event,
    Question,
    Video,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostJson {
    #[serde(rename = "type")]
    pub kind: ObjectKind,
    pub id: Url,
    /// A URL; some servers send a list (we take the first person in it).
    pub attributed_to: Value,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub source: Option<Source>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub in_reply_to: Option<Url>,
    /// One tag may come as a single object (Fedify sends a lone `Mention` so).
    #[serde(default, deserialize_with = "super::deserialize_values")]
    pub tag: Vec<Value>,
    /// Links, documents and images (read by `objects::attachment`, bounded there).
    #[serde(
        default,
        deserialize_with = "super::deserialize_values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<Value>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub comments_enabled: Option<bool>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub published: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub updated: Option<DateTime<Utc>>,
    /// An `Event`'s own fields (empty for anything else).
    #[serde(flatten)]
    pub event: super::event::EventFields,
    /// A `Question`'s own fields (its `endTime` is `event.end_time`).
    #[serde(flatten)]
    pub question: super::poll::QuestionFields,
}

impl PostJson {
    /// The author: `attributedTo` as a URL, or the first Person (or URL) of a list.
    pub fn author(&self) -> Option<Url> {
        let pick = |v: &Value| match v {
            Value::String(s) => Url::parse(s).ok(),
            Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("Person") => o
                .get("id")
                .and_then(Value::as_str)
                .and_then(|s| Url::parse(s).ok()),
            _ => None,
        };
        match &self.attributed_to {
            Value::Array(items) => items.iter().find_map(pick),
            other => pick(other),
        }
    }

    /// Addressees that may be the community: `audience` first, then `to` and `cc`.
    pub fn community_candidates(&self) -> Vec<Url> {
        let public = public();
        self.audience
            .iter()
            .chain(self.to.iter())
            .chain(self.cc.iter())
            .filter(|u| **u != public && !u.path().ends_with("/followers"))
            .cloned()
            .collect()
    }

    /// Names of the Mention tags (to strip from a Note's first line).
    pub fn mention_names(&self) -> Vec<String> {
        self.tag
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("Mention"))
            .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// Markdown body: the `source` when it is markdown, else the text of the HTML.
    /// What `actions::posts` stores of it.
    /// A poll's content may end with its options as a list (copse sends them so for servers
    /// that show a `Question` as a post): that list is left out of the stored body, since the
    /// poll shows its options itself.
    pub fn received(&self) -> crate::domain::posts::Received {
        let poll = match (self.kind, self.in_reply_to.is_none()) {
            (ObjectKind::Question, true) => self
                .question
                .received(self.event.end_time.map(|t| t.with_timezone(&Utc))),
            _ => None,
        };
        let mut html = self.html();
        if let Some(p) = &poll {
            html = super::poll::without_options_list(&html, &p.options);
        }
        crate::domain::posts::Received {
            ap_id: self.id.to_string(),
            name: self.name.clone(),
            content: self.content.clone().unwrap_or_default(),
            mentions: self.mention_names(),
            markdown: self.markdown(),
            html,
            published: self.published.map(|p| p.naive_utc()),
            event: match (self.kind, self.in_reply_to.is_none()) {
                (ObjectKind::Event, true) => crate::domain::events::received(self.event.received()),
                _ => None,
            },
            poll,
            attachments: super::attachment::received(&self.attachment),
        }
    }

    /// A vote in a poll (Mastodon's): a `Note` with the option as `name`, `inReplyTo` the
    /// poll, and no content. Never a reply.
    pub fn is_poll_vote(&self) -> bool {
        self.kind == ObjectKind::Note
            && self.in_reply_to.is_some()
            && self.name.as_deref().is_some_and(|n| !n.trim().is_empty())
            && self.content.as_deref().is_none_or(|c| c.trim().is_empty())
    }

    pub fn markdown(&self) -> String {
        match &self.source {
            Some(s) if s.media_type == "text/markdown" => s.content.clone(),
            _ => content::html_to_text(self.content.as_deref().unwrap_or("")),
        }
    }

    pub fn html(&self) -> String {
        match (&self.content, &self.source) {
            (Some(html), _) => content::sanitize_html(html),
            (None, Some(s)) => content::markdown_to_html(&s.content),
            (None, None) => String::new(),
        }
    }
}

/// The community a post's or comment's thread belongs to.
pub async fn community(item: &PostOrComment, data: &AppContext) -> Result<Community, Error> {
    let post_id = item.post_id();
    data.db(move |conn| db::posts::thread_community(conn, post_id))
        .await
}

/// Finds the community among the candidates: known ones first, without fetching; then the
/// `audience` (or first candidate) fetched.
pub async fn find_community(json: &PostJson, data: &Data<AppContext>) -> Result<Community, Error> {
    let candidates = json.community_candidates();
    for url in &candidates {
        let id = url.to_string();
        if let Some(c) = data
            .db(move |conn| db::communities::by_ap_id(conn, &id))
            .await?
        {
            return Ok(c);
        }
    }
    for url in json.audience.iter().chain(candidates.first()) {
        if let Ok(c) = ObjectId::<Community>::from(url.clone())
            .dereference(data)
            .await
        {
            return Ok(c);
        }
    }
    Err(Error::new(
        ErrorKind::NotFound,
        "unknown_community",
        "the object is not addressed to a community we know",
    ))
}

#[async_trait::async_trait]
impl Object for PostOrComment {
    type DataType = AppContext;
    type Kind = PostJson;
    type Error = Error;

    fn id(&self) -> &Url {
        self.ap_id()
    }

    async fn read_from_id(id: Url, data: &Data<AppContext>) -> Result<Option<Self>, Error> {
        data.db(move |conn| db::posts::post_or_comment(conn, id.as_str()))
            .await
    }

    fn is_deleted(&self) -> bool {
        match self {
            PostOrComment::Post(p) => p.deleted,
            PostOrComment::Comment(c) => c.deleted,
        }
    }

    async fn into_json(self, data: &Data<AppContext>) -> Result<PostJson, Error> {
        let community = community(&self, data).await?;
        let (author_id, parent) = match &self {
            PostOrComment::Post(p) => (p.author_id, None),
            PostOrComment::Comment(c) => (c.author_id, Some((c.post_id, c.parent_id))),
        };
        let event_of = match &self {
            PostOrComment::Post(p) => Some(p.id),
            PostOrComment::Comment(_) => None,
        };
        let (author, in_reply_to, event, poll) = data
            .db(move |conn| {
                let author = db::accounts::person_by_id(conn, author_id)?
                    .ok_or_else(|| Error::not_found("author"))?;
                let event = match event_of {
                    Some(post) => match db::events::get(conn, post)? {
                        Some(e) => {
                            let going = db::events::count_in(
                                conn,
                                post,
                                crate::domain::events::RsvpState::Going,
                                None,
                            )?;
                            Some((e, going))
                        }
                        None => None,
                    },
                    None => None,
                };
                let in_reply_to = match parent {
                    Some((_, Some(comment))) => {
                        db::posts::comment(conn, comment)?.map(|c| c.ap_id.0)
                    }
                    Some((post, None)) => db::posts::post(conn, post)?.map(|p| p.ap_id.0),
                    None => None,
                };
                let poll = match event_of {
                    Some(post) => db::polls::get(conn, post)?,
                    None => None,
                };
                Ok((author, in_reply_to, event, poll))
            })
            .await?;
        let group = community.ap_id.0.clone();
        let host = group.host_str().unwrap_or_default().to_string();
        let host = group.port().map_or(host.clone(), |p| format!("{host}:{p}"));
        let mention = json!({"type": "Mention", "href": group, "name": format!("!{}@{host}", community.name)});
        Ok(match self {
            PostOrComment::Post(p) => PostJson {
                kind: match (&event, &poll) {
                    (Some(_), _) => ObjectKind::Event,
                    (None, Some(_)) => ObjectKind::Question,
                    (None, None) => ObjectKind::Page,
                },
                id: p.ap_id.0.clone(),
                attributed_to: Value::String(author.ap_id.to_string()),
                to: vec![group.clone(), public()],
                cc: vec![],
                audience: Some(group),
                name: Some(p.title.clone()),
                summary: Some(match &event {
                    Some((e, _)) => crate::domain::events::when_line(
                        e.starts_at,
                        &e.timezone,
                        &e.place_name,
                        !e.online_url.is_empty(),
                        e.status(),
                    ),
                    None => rules::teaser(&p.body_html),
                }),
                content: Some(match (&event, &poll) {
                    (Some((e, _)), _) => super::event::content_with_agenda(&p.body_html, e),
                    (None, Some((_, options))) => {
                        format!("{}{}", p.body_html, super::poll::options_html(options))
                    }
                    (None, None) => p.body_html.clone(),
                }),
                media_type: Some("text/html".into()),
                source: Some(Source::markdown(match &event {
                    Some((e, _)) => super::event::source_with_agenda(&p.body_md, e),
                    None => p.body_md.clone(),
                })),
                in_reply_to: None,
                tag: vec![mention],
                attachment: Vec::new(),
                sensitive: Some(false),
                comments_enabled: Some(!p.locked),
                published: Some(p.published.and_utc()),
                updated: p.updated.map(|u| u.and_utc()),
                event: match &event {
                    Some((e, going)) => super::event::outbound(
                        e,
                        *going,
                        &data
                            .url(&match e.series_id {
                                Some(series) => format!("/series/{series}"),
                                None => format!("/events/{}", p.id),
                            })
                            .parse()?,
                    ),
                    None => super::event::EventFields {
                        end_time: poll
                            .as_ref()
                            .and_then(|(p, _)| p.closes_at)
                            .map(|t| t.and_utc().fixed_offset()),
                        ..Default::default()
                    },
                },
                question: match (&event, &poll) {
                    (None, Some((p, options))) => {
                        super::poll::QuestionFields::outbound(p, options, db::now())
                    }
                    _ => Default::default(),
                },
            },
            PostOrComment::Comment(c) => PostJson {
                kind: ObjectKind::Note,
                id: c.ap_id.0.clone(),
                attributed_to: Value::String(author.ap_id.to_string()),
                to: vec![public()],
                cc: vec![group.clone()],
                audience: Some(group),
                name: None,
                summary: None,
                content: Some(c.body_html.clone()),
                media_type: Some("text/html".into()),
                source: Some(Source::markdown(c.body_md.clone())),
                in_reply_to,
                tag: vec![mention],
                attachment: Vec::new(),
                sensitive: Some(false),
                comments_enabled: None,
                published: Some(c.published.and_utc()),
                updated: c.updated.map(|u| u.and_utc()),
                event: Default::default(),
                question: Default::default(),
            },
        })
    }

    async fn verify(
        json: &PostJson,
        expected_domain: &Url,
        _data: &Data<AppContext>,
    ) -> Result<(), Error> {
        verify_domains_match(&json.id, expected_domain)?;
        // Fetched documents get the caps inbox bodies get.
        crate::federation::limits::check_caps(&serde_json::to_value(json)?)?;
        let author = json.author().ok_or_else(|| {
            Error::new(
                ErrorKind::BadRequest,
                "no_author",
                "attributedTo is missing",
            )
        })?;
        verify_domains_match(&author, &json.id)?;
        Ok(())
    }

    /// Stores a remote post or comment (or returns the stored one) that the library fetched from
    /// its origin, vouched for by nobody: what may be kept is decided by `actions::posts::admit`.
    async fn from_json(json: PostJson, data: &Data<AppContext>) -> Result<Self, Error> {
        store(json, data, None).await
    }
}

/// Stores a received post or comment, verified as its author's, unless it is stored already.
/// `vouched_by` is the community whose `Announce` brought it. Unseen ancestors of a reply are
/// fetched from their origins first, in a loop rather than by recursion (a hostile chain is
/// bounded by the fetch budget, never by the stack), then stored from the top down under the
/// same vouch. Whether each may be kept is `actions::posts::admit`'s call.
pub async fn store(
    json: PostJson,
    data: &Data<AppContext>,
    vouched_by: Option<i64>,
) -> Result<PostOrComment, Error> {
    if let Some(known) = PostOrComment::read_from_id(json.id.clone(), data).await? {
        return Ok(known);
    }
    let mut chain = vec![json];
    let mut anchor = None;
    while let Some(parent) = chain.last().and_then(|j| j.in_reply_to.clone()) {
        if let Some(known) = PostOrComment::read_from_id(parent.clone(), data).await? {
            anchor = Some(known);
            break;
        }
        if chain.iter().any(|j| j.id == parent) {
            return Err(Error::new(
                ErrorKind::BadRequest,
                "reply_cycle",
                "the replies form a cycle",
            ));
        }
        chain.push(fetch(&parent, data).await?);
    }
    let mut stored = anchor;
    for json in chain.into_iter().rev() {
        stored = Some(store_one(json, stored, data, vouched_by).await?);
    }
    stored.ok_or_else(|| Error::not_found("object"))
}

/// Fetches a post or comment from its origin and verifies it is its author's (not stored).
async fn fetch(id: &Url, data: &Data<AppContext>) -> Result<PostJson, Error> {
    if crate::federation::is_local_url(data, id) {
        return Err(Error::not_found("object"));
    }
    let fetched = activitypub_federation::fetch::fetch_object_http::<_, PostJson>(id, data).await?;
    PostOrComment::verify(&fetched.object, &fetched.url, data).await?;
    Ok(fetched.object)
}

/// Stores one post (no `inReplyTo`), or one reply under its stored `parent`.
async fn store_one(
    json: PostJson,
    parent: Option<PostOrComment>,
    data: &Data<AppContext>,
    vouched_by: Option<i64>,
) -> Result<PostOrComment, Error> {
    let author_url = json.author().ok_or_else(|| Error::not_found("author"))?;
    let author = ObjectId::<db::accounts::Person>::from(author_url)
        .dereference(data)
        .await?;
    let received = json.received();
    if let Some(parent) = parent {
        let comment =
            actions::store_remote_comment(data, &received, &author, &parent, vouched_by).await?;
        return Ok(PostOrComment::Comment(comment));
    }
    let community = match vouched_by {
        Some(id) => vouching_community(&json, id, data).await?,
        None => find_community(&json, data).await?,
    };
    let post = actions::store_remote_post(data, &received, &author, &community, vouched_by).await?;
    Ok(PostOrComment::Post(post))
}

/// A post or comment by id: the stored one, or fetched from its origin and stored under
/// `vouched_by` (as [`store`] decides).
pub async fn dereference(
    id: &Url,
    data: &Data<AppContext>,
    vouched_by: Option<i64>,
) -> Result<PostOrComment, Error> {
    if vouched_by.is_none() {
        return ObjectId::<PostOrComment>::from(id.clone())
            .dereference(data)
            .await;
    }
    if let Some(known) = PostOrComment::read_from_id(id.clone(), data).await? {
        return Ok(known);
    }
    store(fetch(id, data).await?, data, vouched_by).await
}

/// The vouching community, when the post is addressed to it; a community vouches for nothing
/// else.
async fn vouching_community(
    json: &PostJson,
    community_id: i64,
    data: &Data<AppContext>,
) -> Result<Community, Error> {
    let community = data
        .db(move |conn| db::communities::by_id(conn, community_id))
        .await?
        .ok_or_else(|| Error::not_found("community"))?;
    if json.community_candidates().contains(&community.ap_id.0) {
        return Ok(community);
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        rules::OUTSIDE_COMMUNITY,
        "a community vouches only for content addressed to it",
    ))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::PostJson;

    #[test]
    fn a_lone_tag_object_counts_like_a_list_of_one() {
        let note = serde_json::json!({
            "id": "https://fedify.example/notes/1",
            "type": "Note",
            "attributedTo": "https://fedify.example/users/peer",
            "content": "<p>@g hello</p>",
            "tag": {"type": "Mention", "href": "https://copse.example/c/g", "name": "@g@copse.example"}
        });
        let json: PostJson = serde_json::from_value(note).expect("parses");
        assert_eq!(json.tag.len(), 1);
        assert!(!json.mention_names().is_empty(), "{:?}", json.tag);
    }
}
