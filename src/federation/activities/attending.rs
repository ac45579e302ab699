//! `Join`, `Leave` and `Undo(Join)` of an event (Mobilizon's participation), and the organizer's
//! `Accept` / `Reject` of a `Join`: RSVPs from other servers to events held here. A `Join` is
//! "going": it becomes going, waitlisted or pending under the event's rules, and is answered with
//! an `Accept` when the person has a place (a waitlisted or pending one when promoted or
//! accepted) or a `Reject` when refused; nothing is stored of a refused one. The same `Join` and
//! `Leave` are sent for a local member's answer to a remote event (`outbound::attending`).

use super::undo::{Undo, Undoable};
use crate::{
    actions::events as actions,
    context::AppContext,
    db::{self, accounts::Person},
    error::{Error, ErrorKind},
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::{JoinType, LeaveType},
    protocol::helpers::deserialize_skip_error,
    traits::Activity,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// The event a `Join` or `Leave` names: its id, or the embedded object's.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum EventRef {
    Id(Url),
    Object { id: Url },
}

impl EventRef {
    pub fn id(&self) -> &Url {
        match self {
            EventRef::Id(id) | EventRef::Object { id } => id,
        }
    }
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Join {
    pub actor: ObjectId<Person>,
    pub object: EventRef,
    #[serde(rename = "type")]
    pub kind: JoinType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub to: Option<Vec<Url>>,
    /// Mobilizon's note to the organizers.
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub participation_message: Option<String>,
}

#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leave {
    pub actor: ObjectId<Person>,
    pub object: EventRef,
    #[serde(rename = "type")]
    pub kind: LeaveType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub to: Option<Vec<Url>>,
}

/// The local event `id` names: its post id. Anything else is not ours to answer.
async fn local_event(id: &Url, data: &Data<AppContext>) -> Result<i64, Error> {
    let ap_id = id.to_string();
    let found = data
        .db(move |conn| {
            let Some(post) = db::posts::post_by_ap_id(conn, &ap_id)? else {
                return Ok(None);
            };
            Ok(db::events::get(conn, post.id)?
                .filter(|_| post.local)
                .map(|e| e.post_id))
        })
        .await?;
    found.ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            "unknown_event",
            "not an event of this instance",
        )
    })
}

#[async_trait::async_trait]
impl Activity for Join {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        local_event(self.object.id(), data).await.map(|_| ())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let post_id = local_event(self.object.id(), data).await?;
        let person = self.actor.dereference(data).await?;
        actions::receive_join(data, &person, post_id, self.id.to_string()).await
    }
}

#[async_trait::async_trait]
impl Activity for Leave {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        local_event(self.object.id(), data).await.map(|_| ())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let post_id = local_event(self.object.id(), data).await?;
        let person = self.actor.dereference(data).await?;
        actions::receive_leave(data, &person, post_id).await
    }
}

/// `Undo(Join)`: the same as `Leave`.
pub type UndoJoin = Undo<Join>;

#[async_trait::async_trait]
impl Undoable for Join {
    fn actor_url(&self) -> &Url {
        self.actor.inner()
    }

    async fn undo(
        self,
        data: &Data<AppContext>,
        _undo_id: String,
        _vouched_by: Option<i64>,
    ) -> Result<(), Error> {
        let post_id = local_event(self.object.id(), data).await?;
        let person = self.actor.dereference(data).await?;
        actions::receive_leave(data, &person, post_id).await
    }
}

/// The organizer's answer to a `Join`: `Accept` (a place) or `Reject`, from the event's author
/// (the organizer actor Mobilizon expects), naming the `Join` by id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinAnswer<K> {
    pub actor: Url,
    pub object: Url,
    #[serde(rename = "type")]
    pub kind: K,
    pub id: Url,
    pub to: Vec<Url>,
}

/// Sent only through this type: an answer to a local member's `Join` of a remote event has the
/// shape of an answer to a Follow and is read as one (`following::FollowAnswer`), which hands it
/// to `actions::remote_rsvp::receive_answer` when it names such a Join.
#[async_trait::async_trait]
impl<K> Activity for JoinAnswer<K>
where
    K: Clone + std::fmt::Debug + Serialize + for<'de> Deserialize<'de> + Send + Sync,
{
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

    async fn receive(self, _data: &Data<AppContext>) -> Result<(), Error> {
        Ok(())
    }
}
