//! `Update` and `Delete` of posts and comments: authors edit and delete their own; a moderator's
//! `Delete` (with the reason as `summary`) is a removal.

use super::undo::{Undo, Undoable};
use crate::{
    actions::editing as actions,
    context::AppContext,
    db::accounts::Person,
    db::posts::PostOrComment,
    error::{Error, ErrorKind},
    federation::objects::post::PostJson,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{DeleteType, UpdateType},
    protocol::{
        helpers::{deserialize_one_or_many, deserialize_skip_error},
        verification::{verify_domains_match, verify_urls_match},
    },
    traits::{Activity, Object},
};
use serde::{Deserialize, Serialize};
use url::Url;

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    pub actor: ObjectId<Person>,
    pub object: PostJson,
    #[serde(rename = "type")]
    pub kind: UpdateType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

#[async_trait::async_trait]
impl Activity for Update {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// Only the author edits, and the object lives on the author's host.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        verify_domains_match(self.actor.inner(), &self.object.id)?;
        let author = self.object.author().ok_or_else(|| {
            Error::new(
                ErrorKind::BadRequest,
                "no_author",
                "attributedTo is missing",
            )
        })?;
        verify_urls_match(self.actor.inner(), &author)?;
        PostOrComment::verify(&self.object, self.actor.inner(), data).await
    }

    /// An Update of something we have not seen fetches it from its origin (the current version,
    /// as new as this Update or newer).
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let author = self.actor.dereference(data).await?;
        let known = PostOrComment::read_from_id(self.object.id.clone(), data).await?;
        if known.is_none() {
            ObjectId::<PostOrComment>::from(self.object.id)
                .dereference(data)
                .await?;
            return Ok(());
        }
        let updated = self
            .object
            .updated
            .map_or_else(crate::db::now, |u| u.naive_utc());
        let edit = actions::RemoteEdit {
            object_ap_id: self.object.id.to_string(),
            title: self.object.name.clone(),
            body_md: self.object.markdown(),
            body_html: self.object.html(),
            updated,
            activity_id: self.id.to_string(),
        };
        actions::receive_edit(data, &author, edit).await
    }
}

/// The deleted object: its id, or an embedded object (a Tombstone) with an id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum DeletedRef {
    Id(Url),
    Object { id: Url },
}

impl DeletedRef {
    pub fn id(&self) -> &Url {
        match self {
            DeletedRef::Id(id) | DeletedRef::Object { id } => id,
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    pub actor: ObjectId<Person>,
    pub object: DeletedRef,
    #[serde(rename = "type")]
    pub kind: DeleteType,
    pub id: Url,
    /// A moderator's reason for removing.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

impl Delete {
    /// Applies the deletion; `vouched_by` is the id of the community that announced it.
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let actor = self.actor.dereference(data).await?;
        actions::receive_delete(
            data,
            &actor,
            self.object.id().to_string(),
            self.summary,
            self.id.to_string(),
            vouched_by,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Activity for Delete {
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

    /// Authors delete their own; moderators of the content's community remove. Deleting
    /// something unknown (or a whole account, as Mastodon does) changes nothing.
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.apply(data, None).await
    }
}

/// `Undo(Delete)`: a moderator restores what a moderator removed (Lemmy's "undo remove").
pub type UndoDelete = Undo<Delete>;

#[async_trait::async_trait]
impl Undoable for Delete {
    fn actor_url(&self) -> &Url {
        self.actor.inner()
    }

    async fn undo(
        self,
        data: &Data<AppContext>,
        undo_id: String,
        vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let moderator = self.actor.dereference(data).await?;
        actions::receive_restore(
            data,
            &moderator,
            self.object.id().to_string(),
            self.summary,
            undo_id,
            vouched_by,
        )
        .await
    }
}

/// `Update(Group)`: a community's new profile (charter, policy), sent by the community itself.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateGroup {
    pub actor: ObjectId<crate::db::communities::Community>,
    pub object: crate::federation::objects::group::GroupJson,
    #[serde(rename = "type")]
    pub kind: UpdateType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

#[async_trait::async_trait]
impl Activity for UpdateGroup {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// A community updates only itself.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        verify_urls_match(self.actor.inner(), self.object.id.inner())?;
        crate::db::communities::Community::verify(&self.object, self.actor.inner(), data).await
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        crate::db::communities::Community::from_json(self.object, data).await?;
        Ok(())
    }
}
