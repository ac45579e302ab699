//! Activities we accept, one file per family (wire struct, `verify` with checks only, `receive`
//! applying through `actions/`). `InboxActivity` is what every inbox accepts; anything else is
//! answered 2xx and ignored.

pub mod announce;
pub mod blocking;
pub mod create;
pub mod editing;
pub mod following;
pub mod locking;
pub mod pinning;
pub mod voting;

use crate::{
    context::AppContext,
    db::{accounts::Person, communities::Community},
    error::Error,
};
use activitypub_federation::{config::Data, traits::Activity};
use either::Either;
use serde::Deserialize;
use url::Url;

/// Reads an actor given as a URL, as an object with an `id`, or as a list of those (Prismo
/// sends a list), taking the first.
pub fn deserialize_actor<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: From<Url>,
{
    use serde::de::Error as _;
    fn first(value: &serde_json::Value) -> Option<Url> {
        match value {
            serde_json::Value::String(s) => Url::parse(s).ok(),
            serde_json::Value::Object(o) => o.get("id").and_then(first),
            serde_json::Value::Array(items) => items.iter().find_map(first),
            _ => None,
        }
    }
    let value = serde_json::Value::deserialize(deserializer)?;
    first(&value).map(T::from).ok_or_else(|| {
        D::Error::custom("actor is not a URL, an object with an id, or a list of them")
    })
}

/// The actor of an inbound activity: a person, or a community answering us.
pub type RemoteActor = Either<Person, Community>;

/// Everything an inbox accepts. Untagged: each variant's `type` decides; the catch-all is last.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InboxActivity {
    Follow(following::Follow),
    Accept(following::AcceptFollow),
    Reject(following::RejectFollow),
    Undo(following::UndoFollow),
    UndoVote(voting::UndoVote),
    UndoLock(Box<locking::UndoLock>),
    UndoBlock(Box<blocking::UndoBlock>),
    Block(Box<blocking::Block>),
    Lock(locking::Lock),
    Pin(pinning::Pin),
    Unpin(pinning::Unpin),
    Vote(voting::Vote),
    Create(Box<create::Create>),
    Update(Box<editing::Update>),
    UpdateGroup(Box<editing::UpdateGroup>),
    Delete(editing::Delete),
    Announce(Box<announce::Announce>),
    Other(Unsupported),
}

/// An activity of a kind we do not handle: acknowledged, not applied.
#[derive(Debug, Deserialize)]
pub struct Unsupported {
    pub id: Url,
    pub actor: Url,
    #[serde(rename = "type")]
    pub kind: serde_json::Value,
}

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        match self {
            InboxActivity::Follow(a) => a.id(),
            InboxActivity::Accept(a) => a.id(),
            InboxActivity::Reject(a) => a.id(),
            InboxActivity::Undo(a) => a.id(),
            InboxActivity::UndoVote(a) => a.id(),
            InboxActivity::UndoLock(a) => a.id(),
            InboxActivity::UndoBlock(a) => a.id(),
            InboxActivity::Block(a) => a.id(),
            InboxActivity::Lock(a) => a.id(),
            InboxActivity::Pin(a) => a.id(),
            InboxActivity::Unpin(a) => a.id(),
            InboxActivity::Vote(a) => a.id(),
            InboxActivity::Create(a) => a.id(),
            InboxActivity::Update(a) => a.id(),
            InboxActivity::UpdateGroup(a) => a.id(),
            InboxActivity::Delete(a) => a.id(),
            InboxActivity::Announce(a) => a.id(),
            InboxActivity::Other(a) => &a.id,
        }
    }

    fn actor(&self) -> &Url {
        match self {
            InboxActivity::Follow(a) => a.actor(),
            InboxActivity::Accept(a) => a.actor(),
            InboxActivity::Reject(a) => a.actor(),
            InboxActivity::Undo(a) => a.actor(),
            InboxActivity::UndoVote(a) => a.actor(),
            InboxActivity::UndoLock(a) => a.actor(),
            InboxActivity::UndoBlock(a) => a.actor(),
            InboxActivity::Block(a) => a.actor(),
            InboxActivity::Lock(a) => a.actor(),
            InboxActivity::Pin(a) => a.actor(),
            InboxActivity::Unpin(a) => a.actor(),
            InboxActivity::Vote(a) => a.actor(),
            InboxActivity::Create(a) => a.actor(),
            InboxActivity::Update(a) => a.actor(),
            InboxActivity::UpdateGroup(a) => a.actor(),
            InboxActivity::Delete(a) => a.actor(),
            InboxActivity::Announce(a) => a.actor(),
            InboxActivity::Other(a) => &a.actor,
        }
    }

    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        match self {
            InboxActivity::Follow(a) => a.verify(data).await,
            InboxActivity::Accept(a) => a.verify(data).await,
            InboxActivity::Reject(a) => a.verify(data).await,
            InboxActivity::Undo(a) => a.verify(data).await,
            InboxActivity::UndoVote(a) => a.verify(data).await,
            InboxActivity::UndoLock(a) => a.verify(data).await,
            InboxActivity::UndoBlock(a) => a.verify(data).await,
            InboxActivity::Block(a) => a.verify(data).await,
            InboxActivity::Lock(a) => a.verify(data).await,
            InboxActivity::Pin(a) => a.verify(data).await,
            InboxActivity::Unpin(a) => a.verify(data).await,
            InboxActivity::Vote(a) => a.verify(data).await,
            InboxActivity::Create(a) => a.verify(data).await,
            InboxActivity::Update(a) => a.verify(data).await,
            InboxActivity::UpdateGroup(a) => a.verify(data).await,
            InboxActivity::Delete(a) => a.verify(data).await,
            InboxActivity::Announce(a) => a.verify(data).await,
            InboxActivity::Other(_) => Ok(()),
        }
    }

    /// A replay of an applied activity has no second effect. The id is recorded only once the
    /// activity was applied, so a sender retrying after a refusal or a failure is heard again.
    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let id = self.id().to_string();
        let lookup = id.clone();
        if data
            .db(move |conn| crate::db::members::was_received(conn, &lookup))
            .await?
        {
            return Ok(());
        }
        self.apply(data).await?;
        data.write(move |conn| crate::db::members::record_receipt(conn, &id))
            .await
    }
}

impl InboxActivity {
    async fn apply(self, data: &Data<AppContext>) -> Result<(), Error> {
        match self {
            InboxActivity::Follow(a) => a.receive(data).await,
            InboxActivity::Accept(a) => a.receive(data).await,
            InboxActivity::Reject(a) => a.receive(data).await,
            InboxActivity::Undo(a) => a.receive(data).await,
            InboxActivity::UndoVote(a) => a.receive(data).await,
            InboxActivity::UndoLock(a) => a.receive(data).await,
            InboxActivity::UndoBlock(a) => a.receive(data).await,
            InboxActivity::Block(a) => a.receive(data).await,
            InboxActivity::Lock(a) => a.receive(data).await,
            InboxActivity::Pin(a) => a.receive(data).await,
            InboxActivity::Unpin(a) => a.receive(data).await,
            InboxActivity::Vote(a) => a.receive(data).await,
            InboxActivity::Create(a) => a.receive(data).await,
            InboxActivity::Update(a) => a.receive(data).await,
            InboxActivity::UpdateGroup(a) => a.receive(data).await,
            InboxActivity::Delete(a) => a.receive(data).await,
            InboxActivity::Announce(a) => a.receive(data).await,
            InboxActivity::Other(a) => {
                tracing::debug!("ignoring unsupported activity {} of type {}", a.id, a.kind);
                Ok(())
            }
        }
    }
}
