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
        // A poll's counts change without an edit (no newer `updated`): applied on their own.
        if let Some(poll) = self.object.received().poll {
            let id = self.object.id.to_string();
            crate::actions::polls::receive_results(data, &author, id, poll).await?;
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
            event: self.object.received().event,
            attachments: super::super::objects::attachment::received(&self.object.attachment),
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

/// `Update(Group)`: a community's new profile (charter, policy). Its actor is a moderator of the
/// community (Lemmy's form, and ours: announced by the community) or the community itself
/// (what copse sent before, still accepted).
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateGroup {
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub actor: Url,
    pub object: crate::federation::objects::group::GroupJson,
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

impl UpdateGroup {
    /// Whether the community updates itself (else a person claims to moderate it).
    fn by_the_group(&self) -> bool {
        self.actor == *self.object.id.inner()
    }

    /// Applies the update. Vouched for by the community itself (its own `Update`, or its
    /// `Announce` of a moderator's), the embedded profile is stored; a person's own `Update`
    /// sent to us directly counts only from a known moderator, and then the profile is taken
    /// from the community's server, not from the message.
    pub async fn apply(self, data: &Data<AppContext>, vouched: bool) -> Result<(), Error> {
        use crate::db::communities::Community;
        let group = self.object.id.inner().clone();
        if vouched || self.by_the_group() {
            Community::verify(&self.object, &group, data).await?;
            Community::from_json(self.object, data).await?;
            return Ok(());
        }
        let known = ObjectId::<Community>::from(group.clone())
            .dereference_local(data)
            .await
            .ok()
            .filter(|c| !c.local);
        let person = ObjectId::<Person>::from(self.actor.clone())
            .dereference_local(data)
            .await
            .ok();
        let (Some(community), Some(person)) = (known, person) else {
            return Err(not_a_moderator());
        };
        let (community_id, person_id) = (community.id, person.id);
        let role = data
            .db(move |conn| crate::db::communities::role_of(conn, community_id, person_id))
            .await?;
        if !role.is_some_and(crate::domain::communities::Role::moderates) {
            return Err(not_a_moderator());
        }
        ObjectId::<Community>::from(group)
            .dereference_forced(data)
            .await?;
        Ok(())
    }
}

fn not_a_moderator() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "not_allowed",
        "a community is updated only by itself or by one of its moderators",
    )
}

#[async_trait::async_trait]
impl Activity for UpdateGroup {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    /// A community updates only itself; a person's update is checked when applied.
    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        if self.by_the_group() {
            let group = self.object.id.inner();
            crate::db::communities::Community::verify(&self.object, group, data).await?;
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.apply(data, false).await
    }
}
