//! `Create` of a post or comment: from a member to a community (which then announces it), and as
//! sent by us for local authors.

use crate::{
    actions::{membership, posts as actions},
    context::AppContext,
    db::{accounts::Person, communities::Community, posts::PostOrComment},
    error::{Error, ErrorKind},
    federation::{
        is_local_url,
        objects::post::{self, find_community, PostJson},
    },
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    kinds::activity::CreateType,
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
pub struct Create {
    #[serde(deserialize_with = "super::deserialize_actor")]
    pub actor: ObjectId<Person>,
    pub object: PostJson,
    #[serde(rename = "type")]
    pub kind: CreateType,
    pub id: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub audience: Option<Url>,
}

impl Create {
    /// Where the object goes: its parent (for a reply) and its community.
    async fn target(
        &self,
        data: &Data<AppContext>,
    ) -> Result<(Option<PostOrComment>, Community), Error> {
        match &self.object.in_reply_to {
            Some(parent) => {
                let parent = ObjectId::<PostOrComment>::from(parent.clone())
                    .dereference(data)
                    .await
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::NotFound,
                            "unknown_parent",
                            "the replied-to object cannot be found",
                        )
                        .with_cause(anyhow::anyhow!("{e:?}"))
                    })?;
                let community = post::community(&parent, data).await?;
                Ok((Some(parent), community))
            }
            None => Ok((None, find_community(&self.object, data).await?)),
        }
    }
}

#[async_trait::async_trait]
impl Activity for Create {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    /// The object is the actor's own, on the actor's host. Whether it may be stored where it is
    /// addressed is `actions::posts::admit`'s call, when it is stored.
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

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        self.receive_inbound(data, &mut super::Inbound::default())
            .await
    }
}

impl Create {
    /// The object, the change that makes a local community announce it (with this activity's
    /// id) and the activity's receipt commit in one write (`actions::posts::receive_post`,
    /// `receive_comment`).
    /// A top-level object from someone whose application to the (local) community waits for a
    /// moderator is not a post: it adds to their application (answers to the joining questions).
    /// Whether the author is applying is read only when the post is refused (an applicant is not
    /// a member), which spares a read for every post from a member.
    pub async fn receive_inbound(
        self,
        data: &Data<AppContext>,
        inbound: &mut super::Inbound,
    ) -> Result<(), Error> {
        if self.object.is_poll_vote() {
            return self.receive_poll_vote(data, inbound).await;
        }
        let (parent, community) = match self.target(data).await {
            Ok(target) => target,
            Err(e) if e.kind == ErrorKind::NotFound && self.object.in_reply_to.is_none() => {
                return self.receive_from_calendar(data, inbound, e).await;
            }
            Err(e) => return Err(e),
        };
        let author = inbound.actor(&self.actor, data).await?;
        let receipt = inbound.take_receipt();
        let received = self.object.received();
        let also_in = match parent {
            None => self.also_addressed(&community, data).await?,
            Some(_) => Vec::new(),
        };
        let created = actions::Created {
            activity_id: self.id.to_string(),
            receipt: receipt.clone(),
            also_in,
        };
        let Some(parent) = parent else {
            let refused =
                match actions::receive_post(data, &received, &author, &community, created).await {
                    Err(e) if e.kind == ErrorKind::Forbidden => e,
                    stored => return stored.map(|_| ()),
                };
            // Refused (nothing was written): from an applicant, it is part of the application.
            if !membership::is_applying(data, &community, &author).await? {
                return Err(refused);
            }
            return membership::receive_application_message(
                data,
                community,
                author,
                &received.content,
                receipt,
            )
            .await;
        };
        actions::receive_comment(data, &received, &author, &parent, created).await?;
        Ok(())
    }

    /// The communities here a thread is addressed to besides its home (`to`, `cc` of the
    /// activity and of the object): its author puts it into them too (a cross-post from
    /// another server, or a Mastodon post naming two groups here).
    async fn also_addressed(
        &self,
        home: &Community,
        data: &Data<AppContext>,
    ) -> Result<Vec<Community>, Error> {
        let mut ids: Vec<String> = Vec::new();
        let addressed = self.to.iter().chain(&self.cc);
        for url in addressed.chain(&self.object.community_candidates()) {
            let id = url.to_string();
            // A local community's id is `/c/{name}` (not its followers, not a person).
            let group_path = url.path().strip_prefix("/c/");
            let group_like = group_path.is_some_and(|n| !n.is_empty() && !n.contains('/'));
            if group_like && *url != home.ap_id.0 && is_local_url(data, url) && !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = data
            .db(move |conn| {
                let mut found = Vec::new();
                for id in ids.iter().take(crate::actions::sharing::MAX_ALSO_IN) {
                    found.extend(crate::db::communities::by_ap_id(conn, id)?);
                }
                Ok(found)
            })
            .await?;
        Ok(found.into_iter().filter(|c| c.local).collect())
    }

    /// An `Event` addressed to no community we know, from an actor local communities follow as
    /// a calendar (Gancio, a Mobilizon account): it lands in the first of them to follow it
    /// (one object is one thread in one community). From anyone else, `unknown` stands.
    async fn receive_from_calendar(
        self,
        data: &Data<AppContext>,
        inbound: &mut super::Inbound,
        unknown: Error,
    ) -> Result<(), Error> {
        let received = self.object.received();
        if received.event.is_none() {
            return Err(unknown);
        }
        let author = self.actor.dereference(data).await?;
        let id = author.id;
        let landing = data
            .db(move |conn| crate::db::event_sources::landing(conn, id))
            .await?;
        let Some(community) = landing.first() else {
            return Err(unknown);
        };
        let created = actions::Created {
            activity_id: self.id.to_string(),
            receipt: inbound.take_receipt(),
            also_in: Vec::new(),
        };
        actions::receive_calendar_event(data, &received, &author, community, created).await?;
        Ok(())
    }
}

impl Create {
    /// A vote in one of our polls (`actions::polls::receive_vote`): never stored as a reply. A
    /// vote that may not count is acknowledged and ignored with its reason (logged), its receipt
    /// recorded.
    async fn receive_poll_vote(
        self,
        data: &Data<AppContext>,
        inbound: &mut super::Inbound,
    ) -> Result<(), Error> {
        let voter = self.actor.dereference(data).await?;
        let (Some(poll), Some(option)) = (self.object.in_reply_to, self.object.name) else {
            return inbound.ignore("not_a_vote");
        };
        let receipt = inbound.take_receipt();
        let (poll, note) = (poll.to_string(), self.object.id.to_string());
        let ignored =
            crate::actions::polls::receive_vote(data, &voter, poll, option, note, receipt).await?;
        match ignored {
            Some(reason) => {
                tracing::info!("a vote from {} is ignored: {reason}", voter.ap_id);
                inbound.ignore(reason)
            }
            None => Ok(()),
        }
    }
}
