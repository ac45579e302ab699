//! Library pages over federation: the Group's `Create` / `Update` of a page `Article`
//! (announced by it to its members' instances), and a remote member's `Update` of a page sent
//! to its community's Group (docs/FEDERATION.md, "Library pages").
//!
//! Trust: a member's edit takes effect only as the person who signed it, who must be the
//! Article's `attributedTo`, under the community's edit rights (the same `views::library`
//! check as for a local editor) and from the page's latest revision. A page is taken from an
//! announce only when the announcing Group is the Article's `context`, the inner activity is
//! the Group's own, and the page's address is on the Group's host: a Group vouches only for its
//! own pages.

use crate::{
    actions::library_remote::{self, Announced, RemoteEdit},
    context::AppContext,
    db::{accounts::Person, communities::Community},
    domain::{library::PageText, names::same_origin},
    error::{Error, ErrorKind},
    federation::objects::page::{PageArticle, MAX_HTML},
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    protocol::{helpers::deserialize_one_or_many, verification::verify_domains_match},
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// `Create` (a new page) or `Update` (a new revision, or a member's edit).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum PageVerb {
    Create,
    Update,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageActivity {
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub actor: Url,
    pub object: PageArticle,
    #[serde(rename = "type")]
    pub kind: PageVerb,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    pub audience: Option<Url>,
}

impl PageActivity {
    /// The Group's own activity about its page `article`.
    pub fn by_group(community: &Community, article: PageArticle, id: Url) -> PageActivity {
        let group = community.ap_id.0.clone();
        PageActivity {
            actor: group.clone(),
            kind: match article.library_revision {
                1 => PageVerb::Create,
                _ => PageVerb::Update,
            },
            to: article.to.clone(),
            cc: Vec::new(),
            object: article,
            id,
            audience: Some(group),
        }
    }

    /// The page's text as the Article gives it (422 when it breaks the library's rules).
    fn text(&self) -> Result<PageText, Error> {
        if self.object.content.len() > MAX_HTML {
            return Err(refused(
                ErrorKind::PayloadTooLarge,
                "too_large",
                "the page is too large",
            ));
        }
        let summary: String = (self.object.revision_summary.as_deref())
            .unwrap_or_default()
            .chars()
            .take(crate::domain::library::MAX_SUMMARY)
            .collect();
        PageText::parse(&self.object.name, &self.object.markdown(), &summary)
    }

    /// Keeps the page the Group `group` announced (the announce was verified: `group` is a
    /// remote community a member here follows). Refused when the Group speaks for another
    /// community's page.
    pub async fn receive_announced(
        self,
        group: &Community,
        data: &Data<AppContext>,
    ) -> Result<(), Error> {
        let own = self.actor == group.ap_id.0
            && self.object.context == group.ap_id.0
            && same_origin(&self.object.id, &group.ap_id.0);
        if !own {
            return Err(refused(
                ErrorKind::Forbidden,
                "not_the_pages_group",
                "a Group announces only its own community's pages",
            ));
        }
        let text = self.text()?;
        let editor: Person = ObjectId::<Person>::from(self.object.attributed_to.clone())
            .dereference(data)
            .await?;
        let page = Announced {
            ap_id: self.object.id.to_string(),
            text,
            revision: self.object.library_revision,
            editor_id: editor.id,
            attachments: crate::federation::objects::attachment::received(&self.object.attachment),
        };
        library_remote::keep_remote(data, group.clone(), page).await
    }
}

fn refused(kind: ErrorKind, code: &'static str, message: &'static str) -> Error {
    Error::new(kind, code, message)
}

#[async_trait::async_trait]
impl Activity for PageActivity {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    /// The activity is its actor's; the page's revision is a revision number.
    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), Error> {
        verify_domains_match(&self.actor, &self.id)?;
        if self.object.library_revision < 1 {
            return Err(refused(
                ErrorKind::BadRequest,
                "bad_revision",
                "libraryRevision is a revision number, from 1",
            ));
        }
        Ok(())
    }

    /// Sent to us directly, it is a remote member's edit of one of our pages (a remote page
    /// changes here only as its Group announces it). Refusals are answered as the inbox
    /// answers any refusal, and change nothing.
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        if self.kind != PageVerb::Update {
            return Err(refused(
                ErrorKind::Unprocessable,
                "pages_created_at_home",
                "a page is created on its community's own instance",
            ));
        }
        if !crate::federation::is_local_url(data, &self.object.id) {
            return Err(refused(
                ErrorKind::Unprocessable,
                "not_our_page",
                "a remote page changes here only as its Group announces it",
            ));
        }
        if self.object.attributed_to != self.actor {
            return Err(refused(
                ErrorKind::Forbidden,
                "not_the_editor",
                "an edit is attributed to the person who sends it",
            ));
        }
        let text = self.text()?;
        let person: Person = ObjectId::<Person>::from(self.actor.clone())
            .dereference(data)
            .await?;
        if person.local {
            return Err(Error::forbidden("a local person edits on this instance"));
        }
        let (page, base) = (self.object.id.to_string(), self.object.library_revision);
        match library_remote::remote_edit(data, person.id, page, text, base).await? {
            RemoteEdit::Saved(n) => tracing::debug!("remote edit saved as revision {n}"),
            RemoteEdit::Unchanged => {}
        }
        Ok(())
    }
}
