//! A library page as an ActivityStreams `Article` (docs/FEDERATION.md, "Library pages"): its
//! title as `name`, its HTML as `content`, its markdown as `source`, the community's Group as
//! `context` and `audience`, its last editor as `attributedTo`. `libraryRevision`
//! (`copse:libraryRevision`) marks it as a page, not a post or a digest: the revision the
//! Article shows, or, in a member's edit sent to the Group, the revision the edit was written
//! from (its base). `attachment` carries the page's resources as `Link`s (a file by its public
//! download address), kept by followers as the page's received attachments.

use super::Source;
use crate::{
    db::{communities::Community, library::Page},
    domain::communities::Visibility,
    error::Error,
};
use activitypub_federation::{
    kinds::{object::ArticleType, public},
    protocol::helpers::deserialize_one_or_many,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Longest page HTML kept from another server (its markdown is bounded by the library's rules).
pub const MAX_HTML: usize = 256 * 1024;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageArticle {
    #[serde(rename = "type")]
    pub kind: ArticleType,
    pub id: Url,
    pub attributed_to: Url,
    pub name: String,
    #[serde(default)]
    pub content: String,
    pub media_type: Option<String>,
    pub source: Option<Source>,
    /// The community's Group.
    pub context: Url,
    pub audience: Option<Url>,
    pub library_revision: i64,
    /// The change summary of the revision (or of the proposed edit).
    pub revision_summary: Option<String>,
    pub url: Option<Url>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    /// The page's resources (`objects::attachment`).
    #[serde(
        default,
        deserialize_with = "super::deserialize_values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<serde_json::Value>,
}

impl PageArticle {
    /// The page as its latest revision left it, by `editor` (the last editor's ActivityPub id).
    pub fn of(
        page: &Page,
        community: &Community,
        editor: Url,
        summary: Option<String>,
        attachment: Vec<serde_json::Value>,
    ) -> Result<PageArticle, Error> {
        let group = community.ap_id.0.clone();
        let id = Url::parse(&page.ap_id)?;
        let to = match community.visibility() {
            Visibility::Public => vec![group.clone(), public()],
            _ => vec![group.clone()],
        };
        let at = |t: chrono::NaiveDateTime| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc);
        Ok(PageArticle {
            kind: ArticleType::Article,
            id: id.clone(),
            attributed_to: editor,
            name: page.title.clone(),
            content: page.body_html.clone(),
            media_type: Some("text/html".into()),
            source: Some(Source::markdown(page.body_md.clone())),
            context: group.clone(),
            audience: Some(group),
            library_revision: page.revision,
            revision_summary: summary.filter(|s| !s.is_empty()),
            url: Some(id),
            published: Some(at(page.created_at)),
            updated: Some(at(page.updated_at)),
            to,
            cc: Vec::new(),
            attachment,
        })
    }

    /// The markdown of the page: its `source` when it is markdown, else its HTML as text.
    pub fn markdown(&self) -> String {
        match &self.source {
            Some(s) if s.media_type == "text/markdown" => s.content.clone(),
            _ => crate::domain::content::html_to_text(&self.content),
        }
    }
}

/// The Article of `page` (of `community`) as its latest revision left it: its last editor,
/// that revision's change summary and the page's resources are read here.
pub fn article(
    conn: &mut crate::db::DbConn,
    page: &Page,
    community: &Community,
) -> Result<PageArticle, Error> {
    use crate::db;
    let editor = db::accounts::person_by_id(conn, page.last_editor_id)?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("editor of page {} missing", page.id)))?;
    let summary = db::library::revisions(conn, page.id, &[page.revision])?
        .pop()
        .map(|r| r.summary);
    let resources = db::library_resources::of_page(conn, page.id)?;
    let attachment = resources
        .iter()
        .filter_map(|r| resource_link(community, r))
        .collect();
    PageArticle::of(page, community, editor.ap_id.0.clone(), summary, attachment)
}

/// A resource as a `Link`: named by its description (else its title); a file by its public
/// download address on the community's instance, with its media type.
fn resource_link(
    community: &Community,
    r: &crate::db::library_resources::Resource,
) -> Option<serde_json::Value> {
    let name = match r.description.trim() {
        "" => r.title.as_str(),
        description => description,
    };
    let href = match (&r.url, r.kind.as_str()) {
        (Some(url), _) => url.clone(),
        (None, crate::db::library_resources::FILE) => {
            let path = crate::views::resources::download_path(&community.name, r);
            community.ap_id.0.join(&path).ok()?.to_string()
        }
        (None, _) => return None,
    };
    Some(super::attachment::link(
        &href,
        name,
        r.media_type.as_deref(),
    ))
}
