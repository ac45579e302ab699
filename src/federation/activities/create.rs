//! `Create` of a post or comment: from a member to a community (which then announces it), and as
//! sent by us for local authors.

use crate::{
    actions::posts as actions,
    context::AppContext,
    db::accounts::Person,
    domain::events::Event,
    error::{Error, ErrorKind},
    federation::objects::post::{find_community, PostJson, PostOrComment},
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
    ) -> Result<(Option<PostOrComment>, crate::db::communities::Community), Error> {
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
                let community = parent.community(data).await?;
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

    /// The object is the actor's own, on the actor's host; members-only rules of a local
    /// community hold for its author.
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
        PostOrComment::verify(&self.object, self.actor.inner(), data).await?;
        let (parent, community) = self.target(data).await?;
        if community.local {
            let author = self.actor.dereference(data).await?;
            actions::check_remote_author(data, &community, &author, parent.as_ref()).await?;
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppContext>) -> Result<(), Error> {
        let (parent, community) = self.target(data).await?;
        let author = self.actor.dereference(data).await?;
        let activity_id = Some(self.id.to_string());
        if parent.is_none() {
            // A thread: the post, the event that announces it (in a local community) and the
            // receipt commit in one write.
            let receipt = super::take_receipt();
            let (announced_in, by) = (community.clone(), author.clone());
            let local = community.local;
            actions::store_remote_post_then(
                data,
                &self.object,
                &author,
                &community,
                move |conn, post| {
                    if local {
                        let event = Event::PostCreated {
                            post: post.clone(),
                            community: announced_in,
                            author: by,
                            activity_id,
                        };
                        crate::db::outbox::emit(conn, &event)?;
                    }
                    receipt.map_or(Ok(()), |receipt| receipt.record(conn))
                },
            )
            .await?;
            return Ok(());
        }
        let stored = PostOrComment::from_json(self.object, data).await?;
        if community.local {
            // Stored on its own: if we crash before this, the sender's retry (answered 2xx
            // only after this) finds the object stored and announces it then.
            let event = match stored {
                PostOrComment::Post(post) => Event::PostCreated {
                    post,
                    community,
                    author,
                    activity_id,
                },
                PostOrComment::Comment(comment) => {
                    let post_id = comment.post_id;
                    let post = data
                        .db(move |conn| crate::db::posts::post(conn, post_id))
                        .await?
                        .ok_or_else(|| Error::not_found("post"))?;
                    Event::CommentCreated {
                        comment,
                        post,
                        community,
                        author,
                        activity_id,
                    }
                }
            };
            data.write(move |conn| crate::db::outbox::emit(conn, &event))
                .await?;
        }
        Ok(())
    }
}
