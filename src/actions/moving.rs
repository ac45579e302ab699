//! Moving a community to another instance or name, Mastodon's account-migration convention: the
//! new community's owner lists the old one in its `alsoKnownAs` (`add_alias`); then the old
//! one's owner moves it (`start`): it is marked moved (its page points to the new one, it takes
//! no new posts), its local members are carried over (made members of a local new community, or
//! their `Follow` sent to a remote one), and a `CommunityMoved` change sends the old Group's
//! `Move` to its followers. `receive` applies a remote Group's verified `Move` the same way for
//! the members here.

use crate::{
    context::{AppContext, RequestData},
    db::{self, accounts::Account, communities::Community, members},
    domain::{changes::Change, communities::Role, links::may_link},
    error::{Error, ErrorKind, Result},
};

/// At most this many Group ids a community says it also is.
const MAX_ALIASES: usize = 5;

/// The owner of the local community `name` says it is also the community `old` names (a name
/// here, `name@host`, or a Group's URL): the first step of moving `old` to it.
pub async fn add_alias(
    data: &RequestData,
    owner: &Account,
    name: String,
    old: &str,
) -> Result<Community> {
    let community = owned(data, owner, name).await?;
    let old = super::links::find_target(data, old).await?;
    if old.id == community.id {
        return Err(Error::invalid_field(
            "also_known_as",
            "a community is not its own alias",
        ));
    }
    let (id, person_id) = (community.id, owner.person.id);
    data.write(move |conn| {
        let mut aliases = community.aliases();
        if !aliases.contains(&old.ap_id.to_string()) {
            aliases.push(old.ap_id.to_string());
        }
        if aliases.len() > MAX_ALIASES {
            return Err(Error::invalid_field(
                "also_known_as",
                format_args!("at most {MAX_ALIASES} aliases"),
            ));
        }
        let community = db::communities::set_aliases(conn, id, &aliases)?;
        let update = Change::CommunityUpdated {
            community_id: id,
            editor_id: Some(person_id),
            unlinked_id: None,
        };
        db::outbox::emit(conn, &update)?;
        Ok(community)
    })
    .await
}

/// Moves the local community `name` to the community `target` names, which must list it in its
/// `alsoKnownAs` (fetched afresh when remote). Answers the moved community.
pub async fn start(
    data: &RequestData,
    owner: &Account,
    name: String,
    target: &str,
) -> Result<Community> {
    let old = owned(data, owner, name).await?;
    if old.moved_to.is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "already_moved",
            "the community has moved already",
        ));
    }
    let new = super::links::find_target(data, target).await?;
    check_target(&old, &new)?;
    let ctx: AppContext = (**data).clone();
    data.write(move |conn| {
        db::communities::set_moved_to(conn, old.id, new.ap_id.as_str())?;
        carry_members(conn, &ctx, &old, &new)?;
        let moved = Change::CommunityMoved {
            community_id: old.id,
            target: new.ap_id.to_string(),
        };
        db::outbox::emit(conn, &moved)?;
        db::communities::by_id(conn, old.id)?.ok_or_else(|| Error::not_found("community"))
    })
    .await
}

/// A remote community's `Move` to `new` (already verified as the old Group's own, and `new` as
/// fetched from its server): the old one is marked moved and its members here re-follow the new
/// one.
pub async fn receive(ctx: &AppContext, old: Community, new: Community) -> Result<()> {
    if old.local {
        return Err(Error::forbidden(
            "a local community is moved only by its owner",
        ));
    }
    check_target(&old, &new)?;
    let writer = ctx.clone();
    ctx.write(move |conn| {
        db::communities::set_moved_to(conn, old.id, new.ap_id.as_str())?;
        carry_members(conn, &writer, &old, &new)
    })
    .await
}

/// The new community must be another one and say it is also the old one.
fn check_target(old: &Community, new: &Community) -> Result<()> {
    if old.id == new.id {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "move_to_itself",
            "a community cannot move to itself",
        ));
    }
    if !new.aliases().contains(&old.ap_id.to_string()) {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "not_an_alias",
            format!(
                "the new community must first list this one ({}) as an alias (alsoKnownAs)",
                old.ap_id
            ),
        ));
    }
    Ok(())
}

/// The local active members of `old` become members of `new`: at once when it is local (those
/// banned there and those already in are left as they are), else through a `Follow` each.
fn carry_members(
    conn: &mut db::DbConn,
    ctx: &AppContext,
    old: &Community,
    new: &Community,
) -> Result<()> {
    for person_id in db::communities::local_active_members(conn, old.id)? {
        if crate::db::bans::is_banned(conn, new.id, person_id)?
            || members::get(conn, new.id, person_id)?.is_some_and(|m| m.is_active())
        {
            continue;
        }
        if new.local {
            members::put(conn, new.id, person_id, members::ACTIVE, None, None)?;
            continue;
        }
        let follow_id = ctx.new_activity_id("follow");
        members::put(
            conn,
            new.id,
            person_id,
            members::PENDING,
            None,
            Some(&follow_id),
        )?;
        let follow = Change::FollowRequested {
            person_id,
            community_id: new.id,
            follow_id,
            message: None,
        };
        db::outbox::emit(conn, &follow)?;
    }
    Ok(())
}

/// The local community `name` if `owner` owns it.
async fn owned(data: &RequestData, owner: &Account, name: String) -> Result<Community> {
    let person_id = owner.person.id;
    data.db(move |conn| {
        let community = db::communities::local_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))?;
        let role: Option<Role> = db::communities::role_of(conn, community.id, person_id)?;
        may_link(role)?;
        Ok(community)
    })
    .await
}
