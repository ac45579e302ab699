//! Key pairs of local people and communities, made on first need. Sign-up and founding a
//! community store no key (an RSA-2048 pair costs 100–300 ms of CPU); the pair is made the first
//! time the actor is served to another server or signs a delivery, as Pleroma does. Two requests
//! that race both generate, the first to store wins (`… WHERE public_key = ''`), and both go on
//! with the stored pair, so an actor never shows two keys.

use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community},
    error::{Error, Result},
};

/// `person` with its key pair: as given when it has one (or is remote), else made and stored.
pub async fn person(ctx: &AppContext, person: Person) -> Result<Person> {
    if !person.local || !person.public_key.is_empty() {
        return Ok(person);
    }
    let (public, private) = new_pair(ctx).await?;
    let id = person.id;
    ctx.write(move |conn| {
        db::accounts::set_keys_if_absent(conn, id, &public, &private)?;
        db::accounts::person_by_id(conn, id)?.ok_or_else(|| Error::not_found("person"))
    })
    .await
}

/// `community` with its key pair, like [`person`].
pub async fn community(ctx: &AppContext, community: Community) -> Result<Community> {
    if !community.local || !community.public_key.is_empty() {
        return Ok(community);
    }
    let (public, private) = new_pair(ctx).await?;
    let id = community.id;
    ctx.write(move |conn| {
        db::communities::set_keys_if_absent(conn, id, &public, &private)?;
        db::communities::by_id(conn, id)?.ok_or_else(|| Error::not_found("community"))
    })
    .await
}

async fn new_pair(ctx: &AppContext) -> Result<(String, String)> {
    let source = ctx.key_source().clone();
    tokio::task::spawn_blocking(move || source.make()).await?
}
