//! Cross-posts received: a remote community's `Announce` of a thread whose home is another
//! community (NodeBB's form: the bare object) puts the thread into that community here too; its
//! `Announce` of a moderator's `Remove` with the community itself as `target` takes it out of
//! that community only. A community vouches for itself only: what it announces is recorded for
//! its own community, never another's; the thread itself is our own, already stored, or fetched
//! from its origin and kept only as `actions::posts::admit` allows (served by its home
//! community's server, or announced by it before).

use super::{adding::Remove, Inbound};
use crate::{
    actions::sharing,
    context::AppContext,
    db::{self, communities::Community, posts::PostOrComment},
    error::Error,
    federation::objects::post::{self, PostJson},
};
use activitypub_federation::{config::Data, traits::Object};
use url::Url;

/// Why an announced share was not recorded (the `reason` of the 202 answer).
const NOT_A_THREAD: &str = "only a thread (a post, not a reply) is shared into a community";
const NOT_VOUCHED: &str = "the thread's own community has not vouched for it";

/// Thread `object` announced by `group`, whose home is another community: in `group` too.
pub async fn receive_announce(
    object: &PostJson,
    group: &Community,
    announce_id: String,
    data: &Data<AppContext>,
    inbound: &mut Inbound,
) -> Result<(), Error> {
    let local = |url: &Url| crate::federation::is_local_url(data, url);
    let found = match PostOrComment::read_from_id(object.id.clone(), data).await? {
        Some(found) => Some(found),
        None if local(&object.id) => None,
        // A thread of a community here is made by its author's own `Create`, never brought
        // by another community's announce.
        None if object.community_candidates().iter().any(local) => {
            return inbound.ignore(NOT_VOUCHED)
        }
        // Fetched from its origin, kept only as `actions::posts::admit` allows; what cannot be
        // fetched or kept is not this community's to vouch for.
        None => match post::dereference(&object.id, data, None).await {
            Ok(found) => Some(found),
            Err(e) => {
                tracing::debug!("a shared thread not taken: {e}");
                return inbound.ignore(NOT_VOUCHED);
            }
        },
    };
    let Some(PostOrComment::Post(post)) = found else {
        return inbound.ignore(NOT_A_THREAD);
    };
    if post.community_id == group.id {
        return Ok(());
    }
    sharing::receive_share(data, post.id, group, announce_id).await
}

/// A moderator's `Remove` of a thread from `group`, announced by `group`: out of it only.
pub async fn receive_removal(
    remove: &Remove,
    group: &Community,
    data: &Data<AppContext>,
) -> Result<(), Error> {
    let Some(PostOrComment::Post(post)) =
        PostOrComment::read_from_id(remove.object.clone(), data).await?
    else {
        return Ok(());
    };
    let moderator = remove.actor.dereference(data).await?;
    sharing::receive_removal(data, post.id, group, moderator.id).await
}

/// Whether the thread of `parent` (a stored post or comment) is shared into `group`.
pub async fn shared_into(
    parent: &Url,
    group: &Community,
    data: &Data<AppContext>,
) -> Result<bool, Error> {
    let Some(found) = PostOrComment::read_from_id(parent.clone(), data).await? else {
        return Ok(false);
    };
    let (post_id, group_id) = (found.post_id(), group.id);
    data.db(move |conn| db::shares::is_in(conn, post_id, group_id))
        .await
}
