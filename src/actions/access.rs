//! Authorized fetch: the one gate every ActivityPub read of a community's content (posts,
//! comments, pinned posts) goes through. Public communities answer everyone; a private one
//! answers only a signed request from an instance where at least one of its active members
//! lives, and everyone else is told 404 so that not even its content's existence leaks.

use crate::{
    context::AppContext,
    db::{self, communities::Community},
    domain::{communities::Visibility, names::instance_of},
    error::{Error, Result},
};
use std::future::Future;
use url::Url;

/// Whether the content of `community` may be served to whoever asks. `signer` yields the
/// verified signer of the request (a person or an instance actor), or None when the request is
/// unsigned or its signature does not verify; it is only awaited for private communities, so
/// public reads never cost a key fetch.
pub async fn authorize_fetch(
    ctx: &AppContext,
    community: &Community,
    signer: impl Future<Output = Option<Url>>,
) -> Result<()> {
    if community.visibility() == Visibility::Public {
        return Ok(());
    }
    let hidden = || Error::not_found("object");
    let instance = signer
        .await
        .as_ref()
        .and_then(instance_of)
        .ok_or_else(hidden)?;
    let community_id = community.id;
    let member_instance = ctx
        .db(move |conn| db::members::instance_has_active_member(conn, community_id, &instance))
        .await?;
    if member_instance {
        Ok(())
    } else {
        Err(hidden())
    }
}
