//! Activities we accept, one file per family (wire struct, `verify` with checks only, `receive`
//! applying through `actions/`). `InboxActivity` is what every inbox accepts; anything else is
//! answered 2xx and ignored.

pub mod adding;
pub mod announce;
pub mod attending;
pub mod blocking;
pub mod create;
pub mod digest;
pub mod editing;
pub mod following;
pub mod library;
pub mod locking;
pub mod moving;
pub mod reporting;
pub mod sharing;
pub mod undo;
pub mod voting;

use crate::{
    context::AppContext,
    db::{accounts::Person, communities::Community, members::Receipt},
    error::{Error, ErrorKind},
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId, traits::Activity};
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
    UndoDelete(Box<editing::UndoDelete>),
    UndoJoin(Box<attending::UndoJoin>),
    Join(attending::Join),
    Leave(attending::Leave),
    Block(Box<blocking::Block>),
    Lock(locking::Lock),
    Add(adding::Add),
    Remove(adding::Remove),
    Flag(reporting::Flag),
    Resolve(Box<reporting::Resolve>),
    Vote(voting::Vote),
    // Before `Create` and `Update`: a library page's Article (marked by `libraryRevision`)
    // and a digest's (marked by `digestPeriod`) are not posts.
    Page(Box<library::PageActivity>),
    CreateDigest(Box<digest::CreateDigest>),
    Create(Box<create::Create>),
    Update(Box<editing::Update>),
    UpdateGroup(Box<editing::UpdateGroup>),
    Delete(editing::Delete),
    Announce(Box<announce::Announce>),
    Move(Box<moving::Move>),
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

/// Runs the same expression on whichever activity a handled variant holds.
macro_rules! each_handled {
    ($value:expr, $a:ident => $body:expr, $other:ident => $fallback:expr) => {
        match $value {
            InboxActivity::Follow($a) => $body,
            InboxActivity::Accept($a) => $body,
            InboxActivity::Reject($a) => $body,
            InboxActivity::Undo($a) => $body,
            InboxActivity::UndoVote($a) => $body,
            InboxActivity::UndoLock($a) => $body,
            InboxActivity::UndoBlock($a) => $body,
            InboxActivity::UndoDelete($a) => $body,
            InboxActivity::UndoJoin($a) => $body,
            InboxActivity::Join($a) => $body,
            InboxActivity::Leave($a) => $body,
            InboxActivity::Block($a) => $body,
            InboxActivity::Lock($a) => $body,
            InboxActivity::Add($a) => $body,
            InboxActivity::Remove($a) => $body,
            InboxActivity::Flag($a) => $body,
            InboxActivity::Resolve($a) => $body,
            InboxActivity::Vote($a) => $body,
            InboxActivity::Page($a) => $body,
            InboxActivity::CreateDigest($a) => $body,
            InboxActivity::Create($a) => $body,
            InboxActivity::Update($a) => $body,
            InboxActivity::UpdateGroup($a) => $body,
            InboxActivity::Delete($a) => $body,
            InboxActivity::Announce($a) => $body,
            InboxActivity::Move($a) => $body,
            InboxActivity::Other($other) => $fallback,
        }
    };
}

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        each_handled!(self, a => a.id(), a => &a.id)
    }

    fn actor(&self) -> &Url {
        each_handled!(self, a => a.actor(), a => &a.actor)
    }

    async fn verify(&self, data: &Data<AppContext>) -> Result<(), Error> {
        each_handled!(self, a => a.verify(data).await, _a => Ok(()))
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.apply(data, None).await.map(|_| ())
    }
}

/// What became of an inbound activity that was not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (or a replay of one applied before).
    Applied,
    /// Acknowledged and deliberately not applied, for this reason.
    Ignored(&'static str),
}

/// The inbound activity being applied, handed by `&mut` to the `receive` that applies it: the
/// activity's receipt until a write takes it, and whether it was deliberately not applied.
/// Outside an inbox (`Inbound::default()`) there is nothing to record.
#[derive(Debug, Default)]
pub struct Inbound {
    receipt: Option<Receipt>,
    ignored: Option<&'static str>,
    /// The sender as the inbox read it to check the signature, handed on so that `receive`
    /// does not read it again ([`Inbound::actor`]).
    sender: Option<Person>,
}

impl Inbound {
    /// For a `receive` that applies its activity in a single write: takes the receipt, which
    /// that write must record (`Receipt::record`), so that the effect and the record of it
    /// commit together, one transaction instead of two. None outside an inbox, or once taken.
    /// Code that writes more than once must not take it: a receipt committed with a first write
    /// would make a retry after a crash skip the second.
    pub fn take_receipt(&mut self) -> Option<Receipt> {
        self.receipt.take()
    }

    /// For a `receive` that acknowledges its activity without applying it (an announce that a
    /// community may not vouch for, for example): the inbox answers 202 with the reason.
    pub fn ignore(&mut self, reason: &'static str) -> Result<(), Error> {
        tracing::debug!("inbound activity ignored: {reason}");
        self.ignored = Some(reason);
        Ok(())
    }

    /// The person `id`: the sender the inbox already read when it is them, else dereferenced.
    pub async fn actor(
        &mut self,
        id: &ObjectId<Person>,
        data: &Data<AppContext>,
    ) -> Result<Person, Error> {
        match self.sender.take() {
            Some(sender) if sender.ap_id.0 == *id.inner() => Ok(sender),
            _ => id.dereference(data).await,
        }
    }
}

impl InboxActivity {
    /// Applies the activity once. A replay of an applied activity has no second effect. The id
    /// is recorded only once the activity was applied (or ignored), so a sender retrying after
    /// a refusal or a failure is heard again. `sender`: the person the inbox read to check the
    /// signature, if the actor is one (`Inbound::actor`).
    pub async fn apply(
        self,
        data: &Data<AppContext>,
        sender: Option<Person>,
    ) -> Result<Outcome, Error> {
        let id = self.id().to_string();
        // Two copies of one activity at once: the second waits for the first, then finds it
        // applied. In this process they queue here; across processes sharing the database, on
        // the stored claim, or on the receipt's insert.
        let _turn = data.inbound_turn(&id).await;
        // A post, a reply or a vote is applied in one write that records its receipt: no claim
        // first (one statement fewer), that write's receipt refuses a second copy (`Receipt`).
        let claim_first = !matches!(self, InboxActivity::Create(_) | InboxActivity::Vote(_));
        if claim_first && !claim(data, &id).await? {
            return Ok(Outcome::Applied);
        }
        // An Undo that arrives before what it undoes: the undone activity is remembered as
        // received too, so when it comes late it has no effect. Only ids on the Undo's own
        // origin: nobody pre-empts another server's activities.
        let actor = self.actor().clone();
        let mut inbound = Inbound {
            receipt: Some(Receipt {
                id,
                undone: self
                    .undone_id()
                    .filter(|undone| crate::domain::names::same_origin(undone, &actor))
                    .map(Url::to_string),
                claimed: claim_first,
            }),
            ignored: None,
            sender,
        };
        let sender = crate::db::outbox::host_of(&actor);
        // Bounded: a slow peer (or a long chain of fetches) cannot hold the inbox; the sender is
        // told to retry, and nothing was recorded as received.
        let claimed = id_of(&inbound);
        let applied = tokio::time::timeout(PROCESSING_LIMIT, self.receive_each(data, &mut inbound))
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Unavailable,
                    "processing_timeout",
                    "the activity took too long to process; try again later",
                )
            })
            .and_then(|applied| applied);
        // Unless the activity's own write recorded it (`Inbound::take_receipt`).
        let recorded = match (applied, inbound.receipt) {
            (Ok(()), Some(receipt)) => data.write(move |conn| receipt.record(conn)).await,
            (applied, _) => applied,
        };
        if let Err(e) = recorded {
            if e.code == crate::db::members::ALREADY_APPLIED {
                return Ok(Outcome::Applied);
            }
            if !claim_first {
                return Err(e);
            }
            // Not applied: the claim goes, so that the sender's retry is heard.
            let release = data
                .write(move |conn| crate::db::members::release_claim(conn, &claimed))
                .await;
            if let Err(r) = release {
                tracing::warn!("releasing the claim on an inbound activity: {r:?}");
            }
            return Err(e);
        }
        crate::federation::outbound::worker::heard_from(data, &sender).await;
        Ok(inbound.ignored.map_or(Outcome::Applied, Outcome::Ignored))
    }

    /// The variant's `receive`. Those that may record the receipt in their own write, or ignore
    /// the activity, take the `Inbound`; the others are the library's `Activity::receive`.
    async fn receive_each(
        self,
        data: &Data<AppContext>,
        inbound: &mut Inbound,
    ) -> Result<(), Error> {
        match self {
            InboxActivity::Create(a) => a.receive_inbound(data, inbound).await,
            InboxActivity::Vote(a) => a.receive_inbound(data, inbound).await,
            InboxActivity::Announce(a) => a.receive_inbound(data, inbound).await,
            InboxActivity::Follow(a) => a.receive(data).await,
            InboxActivity::Page(a) => a.receive(data).await,
            InboxActivity::CreateDigest(a) => a.receive(data).await,
            InboxActivity::Accept(a) => a.receive(data).await,
            InboxActivity::Reject(a) => a.receive(data).await,
            InboxActivity::Undo(a) => a.receive(data).await,
            InboxActivity::UndoVote(a) => a.receive(data).await,
            InboxActivity::UndoLock(a) => a.receive(data).await,
            InboxActivity::UndoBlock(a) => a.receive(data).await,
            InboxActivity::UndoDelete(a) => a.receive(data).await,
            InboxActivity::UndoJoin(a) => a.receive(data).await,
            InboxActivity::Join(a) => a.receive(data).await,
            InboxActivity::Leave(a) => a.receive(data).await,
            InboxActivity::Block(a) => a.receive(data).await,
            InboxActivity::Lock(a) => a.receive(data).await,
            InboxActivity::Add(a) => a.receive(data).await,
            InboxActivity::Remove(a) => a.receive(data).await,
            InboxActivity::Flag(a) => a.receive(data).await,
            InboxActivity::Resolve(a) => a.receive(data).await,
            InboxActivity::Update(a) => a.receive(data).await,
            InboxActivity::UpdateGroup(a) => a.receive(data).await,
            InboxActivity::Delete(a) => a.receive(data).await,
            InboxActivity::Move(a) => a.receive(data).await,
            InboxActivity::Other(a) => {
                tracing::debug!("ignoring unsupported activity {} of type {}", a.id, a.kind);
                Ok(())
            }
        }
    }
}

/// Longest time one inbound activity may take to apply (fetches included).
pub const PROCESSING_LIMIT: std::time::Duration = std::time::Duration::from_secs(8);

/// How long a claim on an inbound activity lasts: longer than applying it may take, so only a
/// process that died leaves one to run out.
const CLAIM_LEASE: std::time::Duration = std::time::Duration::from_secs(12);

fn id_of(inbound: &Inbound) -> String {
    inbound
        .receipt
        .as_ref()
        .map(|r| r.id.clone())
        .unwrap_or_default()
}

/// Claims inbound activity `id` for this process (`db::members::claim`): true when it is ours
/// to apply, false when it was applied before. While another process applies a copy, waits
/// (polling every 50 ms) for it to finish; 503 if it is not done within `PROCESSING_LIMIT`.
async fn claim(data: &Data<AppContext>, id: &str) -> Result<bool, Error> {
    use crate::db::members::Claim;
    let lease = chrono::Duration::from_std(CLAIM_LEASE).unwrap_or(chrono::Duration::seconds(12));
    let deadline = tokio::time::Instant::now() + PROCESSING_LIMIT;
    loop {
        let lookup = id.to_string();
        match data
            .write_each(move |conn| crate::db::members::claim(conn, &lookup, lease))
            .await?
        {
            Claim::Ours => return Ok(true),
            Claim::Applied => return Ok(false),
            Claim::Held(_) if tokio::time::Instant::now() >= deadline => {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "processing_timeout",
                    "a copy of this activity is being processed; try again later",
                ))
            }
            Claim::Held(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

impl InboxActivity {
    /// Reads an activity. The common kinds go straight to their variant by `type`; anything
    /// else, or a body its variant refuses, is read as the untagged enum (which tries every
    /// variant in order, the catch-all last), so the result is the same either way. The shortcut
    /// spares trying a dozen variants for each `Create` or `Like`.
    pub fn parse(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        use serde_json::Value;
        let direct = match value.get("type").and_then(Value::as_str) {
            Some("Create" | "Update") if value.pointer("/object/libraryRevision").is_some() => {
                library::PageActivity::deserialize(value)
                    .ok()
                    .map(|a| InboxActivity::Page(Box::new(a)))
            }
            Some("Create") if value.pointer("/object/digestPeriod").is_some() => {
                digest::CreateDigest::deserialize(value)
                    .ok()
                    .map(|a| InboxActivity::CreateDigest(Box::new(a)))
            }
            Some("Create") => create::Create::deserialize(value)
                .ok()
                .map(|a| InboxActivity::Create(Box::new(a))),
            Some("Like" | "Dislike") => voting::Vote::deserialize(value)
                .ok()
                .map(InboxActivity::Vote),
            Some("Announce") => announce::Announce::deserialize(value)
                .ok()
                .map(|a| InboxActivity::Announce(Box::new(a))),
            Some("Follow") => following::Follow::deserialize(value)
                .ok()
                .map(InboxActivity::Follow),
            Some("Update") => editing::Update::deserialize(value)
                .ok()
                .map(|a| InboxActivity::Update(Box::new(a))),
            Some("Delete") => editing::Delete::deserialize(value)
                .ok()
                .map(InboxActivity::Delete),
            _ => None,
        };
        match direct {
            Some(activity) => Ok(activity),
            None => InboxActivity::deserialize(value),
        }
    }

    /// The id of the activity an Undo takes back.
    fn undone_id(&self) -> Option<&Url> {
        match self {
            InboxActivity::Undo(a) => Some(&a.object.id),
            InboxActivity::UndoVote(a) => Some(&a.object.id),
            InboxActivity::UndoLock(a) => Some(&a.object.id),
            InboxActivity::UndoBlock(a) => Some(&a.object.id),
            InboxActivity::UndoDelete(a) => Some(&a.object.id),
            InboxActivity::UndoJoin(a) => Some(&a.object.id),
            _ => None,
        }
    }
}
