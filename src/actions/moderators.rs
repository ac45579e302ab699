//! Appointing and removing a community's moderators, locally and from other instances (`Add` /
//! `Remove` to the community's `moderators` collection, Lemmy's shape).

use crate::{
    context::{AppContext, RequestData},
    db::{self, accounts::Person, communities::Community, moderation::NewModAction},
    domain::{changes::Change, communities::Role, moderation::ModActionKind},
    error::{Error, ErrorKind, Result},
};

/// The one moderation gate: a community's owner and moderators may; so may instance admins, for
/// communities on this instance. Everyone else gets 403 `not_a_moderator`.
pub fn ensure_moderator(
    conn: &mut db::DbConn,
    community: &Community,
    person_id: i64,
    is_admin: bool,
) -> Result<()> {
    let role = db::communities::role_of(conn, community.id, person_id)?;
    crate::domain::communities::may_moderate(community, role, is_admin)
}

/// The person a moderator names by handle (`name` here, or `name@host`, fetched through
/// WebFinger), looked up only once they are known to moderate `community`: nobody else makes
/// us fetch. An unknown handle is an error on the `person` field.
pub async fn person_named(
    data: &RequestData,
    moderator_id: i64,
    is_admin: bool,
    community: &Community,
    handle: &str,
) -> Result<Person> {
    let handle = handle.trim().trim_start_matches('@');
    if handle.is_empty() {
        return Err(Error::invalid_field(
            "person",
            "a handle: name or name@host",
        ));
    }
    let check = community.clone();
    data.db(move |conn| ensure_moderator(conn, &check, moderator_id, is_admin))
        .await?;
    crate::federation::resolve::person(data, handle)
        .await
        .map_err(|_| Error::invalid_field("person", format_args!("no one found as `{handle}`")))
}

/// A local community's owner or moderator (or an instance admin) appoints an active member as a
/// moderator. Removing a moderator is for the owner and admins; moderators may step down.
/// The owner's role never changes here.
pub async fn set_moderator(
    ctx: &AppContext,
    actor: &Person,
    is_admin: bool,
    community: Community,
    person_id: i64,
    appoint: bool,
) -> Result<()> {
    let actor = actor.clone();
    let actor_id = actor.id;
    ctx.write({
        move |conn| {
            let actor_role = db::communities::role_of(conn, community.id, actor_id)?;
            let allowed = (is_admin && community.local)
                || match appoint {
                    true => actor_role.is_some_and(Role::moderates),
                    false => actor_role == Some(Role::Owner) || person_id == actor_id,
                };
            if !allowed {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "not_allowed",
                    if appoint {
                        "only the community's moderators may appoint moderators"
                    } else {
                        "only the owner may remove a moderator"
                    },
                ));
            }
            let person = db::accounts::person_by_id(conn, person_id)?
                .ok_or_else(|| Error::not_found(format_args!("person {person_id}")))?;
            let role = db::communities::role_of(conn, community.id, person_id)?;
            match role {
                None => {
                    return Err(Error::new(
                        ErrorKind::Unprocessable,
                        "not_a_member",
                        "only active members can be moderators",
                    ))
                }
                Some(Role::Owner) => {
                    return Err(Error::new(
                        ErrorKind::Unprocessable,
                        "is_owner",
                        "the owner's role cannot change",
                    ))
                }
                Some(Role::Moderator) if appoint => return Ok(()),
                Some(Role::Member) if !appoint => return Ok(()),
                _ => {}
            }
            change_role(conn, &community, actor_id, person_id, appoint)?;
            let event = Change::ModeratorChanged {
                community_id: community.id,
                actor_id: actor.id,
                person_id: person.id,
                appointed: appoint,
                activity_id: None,
            };
            db::outbox::emit(conn, &event)
        }
    })
    .await
}

/// Sets the role and writes the modlog line.
fn change_role(
    conn: &mut db::DbConn,
    community: &Community,
    actor_id: i64,
    person_id: i64,
    appoint: bool,
) -> Result<()> {
    let role = if appoint {
        Role::Moderator
    } else {
        Role::Member
    };
    // Our mirror of a remote community learns its moderators even when they are not known as
    // members here.
    let changed = db::moderation::set_role(
        conn,
        community.id,
        person_id,
        role,
        appoint && !community.local,
    )?;
    if !changed {
        return Ok(());
    }
    db::moderation::log(
        conn,
        &NewModAction {
            community_id: community.id,
            moderator_id: actor_id,
            action: ModActionKind::of(
                appoint,
                ModActionKind::AddModerator,
                ModActionKind::RemoveModerator,
            )
            .as_str(),
            person_id: Some(person_id),
            object_ap_id: None,
            reason: None,
            expires_at: None,
        },
    )
}

/// A received `Add` / `Remove` to a community's moderators. For a local community the actor must
/// moderate it (a remote moderator appointed earlier); for a remote one, the community announced
/// it or the actor is on the community's own host.
pub async fn receive_moderator(
    ctx: &AppContext,
    actor: &Person,
    person: Person,
    community: Community,
    appoint: bool,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let same_host = actor.ap_id.host_str() == community.ap_id.host_str()
        && actor.ap_id.port() == community.ap_id.port();
    let vouched = !community.local && (vouched_by == Some(community.id) || same_host);
    let actor = actor.clone();
    let actor_id = actor.id;
    ctx.write({
        let person_id = person.id;
        move |conn| {
            let role = db::communities::role_of(conn, community.id, actor_id)?;
            if !vouched && !role.is_some_and(Role::moderates) {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "not_a_moderator",
                    "only the community's moderators may do this",
                ));
            }
            let current = db::communities::role_of(conn, community.id, person_id)?;
            if current == Some(Role::Owner)
                || (appoint && current == Some(Role::Moderator))
                || (!appoint && current != Some(Role::Moderator))
            {
                return Ok(());
            }
            if community.local && current.is_none() {
                return Err(Error::new(
                    ErrorKind::Unprocessable,
                    "not_a_member",
                    "only active members can be moderators",
                ));
            }
            change_role(conn, &community, actor_id, person_id, appoint)?;
            if !community.local {
                return Ok(());
            }
            let event = Change::ModeratorChanged {
                community_id: community.id,
                actor_id: actor.id,
                person_id: person.id,
                appointed: appoint,
                activity_id: Some(activity_id),
            };
            db::outbox::emit(conn, &event)
        }
    })
    .await
}
