//! Invitations into invite-only communities: moderators invite a person (local, or a handle on
//! another instance); the person's join (or `Follow`) is then accepted once.

use crate::{
    context::RequestData,
    db::{self, accounts::Person, communities::Community},
    error::{Error, ErrorKind, Result},
};

/// Invites `handle` (`name` here, or `name@host`, fetched through WebFinger) into a local
/// community. Inviting a member changes nothing.
pub async fn invite(
    data: &RequestData,
    moderator: &Person,
    is_admin: bool,
    community: Community,
    handle: &str,
) -> Result<Person> {
    if !community.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "not_local",
            "invitations are for communities on this instance",
        ));
    }
    let person =
        super::moderators::person_named(data, moderator.id, is_admin, &community, handle).await?;
    let moderator_id = moderator.id;
    let invited = person.clone();
    data.write(move |conn| {
        db::bans::ensure_not_banned(conn, community.id, invited.id)?;
        if db::communities::role_of(conn, community.id, invited.id)?.is_none() {
            db::moderation::invite(conn, community.id, invited.id, moderator_id)?;
        }
        Ok(())
    })
    .await?;
    Ok(person)
}

/// Withdraws an invitation (404 if there is none).
pub async fn withdraw(
    data: &RequestData,
    moderator: &Person,
    is_admin: bool,
    community: Community,
    person_id: i64,
) -> Result<()> {
    let moderator_id = moderator.id;
    data.write(move |conn| {
        super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
        if !db::moderation::uninvite(conn, community.id, person_id)? {
            return Err(Error::not_found("invitation"));
        }
        Ok(())
    })
    .await
}
