//! Moderation of threads: locking and unlocking. Moderators of the community (and instance
//! admins, for local communities) may; a remote community vouches for its own moderators.

use crate::{
    context::AppContext,
    db::{self, accounts::Person},
    domain::{communities::Role, content, events::Event},
    error::{Error, ErrorKind, Result},
};

fn not_moderator() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "not_a_moderator",
        "only the community's moderators may do this",
    )
}

/// A flag moderators set on a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadFlag {
    Locked,
    Pinned,
}

/// A local moderator pins (or unpins) a post in its community's featured list.
pub async fn pin(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    post_id: i64,
    pinned: bool,
) -> Result<()> {
    let (post_ap_id, community) = set_flag(
        ctx,
        moderator.id,
        is_admin,
        post_id,
        ThreadFlag::Pinned,
        pinned,
    )
    .await?;
    ctx.emit(Event::PostPinned {
        post_ap_id,
        community,
        moderator: moderator.clone(),
        pinned,
        activity_id: None,
    });
    Ok(())
}

/// Sets a thread flag if `moderator_id` moderates the post's community (or is an admin and the
/// community is local); returns the post's id and community.
async fn set_flag(
    ctx: &AppContext,
    moderator_id: i64,
    is_admin: bool,
    post_id: i64,
    flag: ThreadFlag,
    value: bool,
) -> Result<(String, db::communities::Community)> {
    ctx.write(move |conn| {
        let post = db::posts::post(conn, post_id)?
            .filter(|p| !p.deleted)
            .ok_or_else(|| Error::not_found(format_args!("post {post_id}")))?;
        let community = db::communities::by_id(conn, post.community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        let role = db::communities::role_of(conn, community.id, moderator_id)?;
        if !(role.is_some_and(Role::moderates) || (is_admin && community.local)) {
            return Err(not_moderator());
        }
        let ap_id = post.ap_id.to_string();
        match flag {
            ThreadFlag::Locked => db::posts::set_locked(conn, &ap_id, value)?,
            ThreadFlag::Pinned => db::posts::set_pinned(conn, &ap_id, value)?,
        };
        Ok((ap_id, community))
    })
    .await
}

/// A local moderator locks (or unlocks) a post's thread.
pub async fn lock(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    post_id: i64,
    locked: bool,
    reason: Option<String>,
) -> Result<()> {
    let reason = reason
        .map(|r| content::plain_line("reason", &r, 0, 1000))
        .transpose()?
        .filter(|r| !r.is_empty());
    let (post_ap_id, community) = set_flag(
        ctx,
        moderator.id,
        is_admin,
        post_id,
        ThreadFlag::Locked,
        locked,
    )
    .await?;
    ctx.emit(Event::ThreadLocked {
        post_ap_id,
        community,
        moderator: moderator.clone(),
        locked,
        reason,
        activity_id: None,
    });
    Ok(())
}

/// A received Lock or Undo(Lock). `vouched_by` is the announcing community's id.
pub async fn receive_lock(
    ctx: &AppContext,
    moderator: &Person,
    post_ap_id: String,
    locked: bool,
    reason: Option<String>,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let flag = (ThreadFlag::Locked, locked);
    let community = receive_flag(ctx, moderator, post_ap_id.clone(), flag, vouched_by).await?;
    if community.local {
        ctx.emit(Event::ThreadLocked {
            post_ap_id,
            community,
            moderator: moderator.clone(),
            locked,
            reason,
            activity_id: Some(activity_id),
        });
    }
    Ok(())
}

/// A received Add or Remove of a post to a community's featured collection.
pub async fn receive_pin(
    ctx: &AppContext,
    moderator: &Person,
    post_ap_id: String,
    pinned: bool,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let flag = (ThreadFlag::Pinned, pinned);
    let community = receive_flag(ctx, moderator, post_ap_id.clone(), flag, vouched_by).await?;
    if community.local {
        ctx.emit(Event::PostPinned {
            post_ap_id,
            community,
            moderator: moderator.clone(),
            pinned,
            activity_id: Some(activity_id),
        });
    }
    Ok(())
}

/// Applies a received thread flag from a known moderator, or vouched for by the (remote)
/// community that announced it.
async fn receive_flag(
    ctx: &AppContext,
    moderator: &Person,
    post_ap_id: String,
    (flag, value): (ThreadFlag, bool),
    vouched_by: Option<i64>,
) -> Result<db::communities::Community> {
    let moderator_id = moderator.id;
    ctx.write(move |conn| {
        let Some(post) = db::posts::post_by_ap_id(conn, &post_ap_id)? else {
            return Err(Error::not_found("the post"));
        };
        let community = db::communities::by_id(conn, post.community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        let vouched = vouched_by == Some(community.id) && !community.local;
        let role = db::communities::role_of(conn, community.id, moderator_id)?;
        if !vouched && !role.is_some_and(Role::moderates) {
            return Err(not_moderator());
        }
        match flag {
            ThreadFlag::Locked => db::posts::set_locked(conn, &post_ap_id, value)?,
            ThreadFlag::Pinned => db::posts::set_pinned(conn, &post_ap_id, value)?,
        };
        Ok(community)
    })
    .await
}

/// A ban or its lifting, as a moderator asks for it.
pub struct Ban {
    pub person_id: i64,
    pub banned: bool,
    pub reason: Option<String>,
    pub expires_at: Option<chrono::NaiveDateTime>,
}

/// A local moderator bans (or unbans) someone from a local community. The owner cannot be
/// banned; a ban ends the membership.
pub async fn ban(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    community: db::communities::Community,
    ban: Ban,
) -> Result<()> {
    let reason = ban
        .reason
        .map(|r| content::plain_line("reason", &r, 0, 1000))
        .transpose()?
        .filter(|r| !r.is_empty());
    if ban.expires_at.is_some_and(|at| at <= db::now()) {
        return Err(Error::invalid_field("expires_at", "must be in the future"));
    }
    let moderator_id = moderator.id;
    let person = ctx
        .write({
            let (community, reason) = (community.clone(), reason.clone());
            move |conn| {
                let role = db::communities::role_of(conn, community.id, moderator_id)?;
                if !(role.is_some_and(Role::moderates) || (is_admin && community.local)) {
                    return Err(not_moderator());
                }
                let person = db::accounts::person_by_id(conn, ban.person_id)?
                    .ok_or_else(|| Error::not_found(format_args!("person {}", ban.person_id)))?;
                if ban.banned {
                    if db::communities::role_of(conn, community.id, person.id)? == Some(Role::Owner)
                    {
                        return Err(Error::new(
                            ErrorKind::Unprocessable,
                            "cannot_ban_owner",
                            "the owner cannot be banned",
                        ));
                    }
                    db::members::ban(
                        conn,
                        community.id,
                        person.id,
                        reason.as_deref(),
                        ban.expires_at,
                    )?;
                } else if !db::members::unban(conn, community.id, person.id)? {
                    return Err(Error::not_found("ban"));
                }
                Ok(person)
            }
        })
        .await?;
    ctx.emit(Event::PersonBanned {
        community,
        moderator: moderator.clone(),
        person,
        banned: ban.banned,
        reason,
        expires_at: ban.expires_at,
        activity_id: None,
    });
    Ok(())
}

/// A received Block or Undo(Block) of `person` in `community`. Accepted from a known moderator,
/// when announced by the (remote) community itself, or from an actor on the community's own host.
pub async fn receive_ban(
    ctx: &AppContext,
    moderator: &Person,
    person: db::accounts::Person,
    community: db::communities::Community,
    ban: Ban,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let same_host = moderator.ap_id.host_str() == community.ap_id.host_str()
        && moderator.ap_id.port() == community.ap_id.port();
    let vouched = !community.local && (vouched_by == Some(community.id) || same_host);
    let moderator_id = moderator.id;
    let reason = ban.reason.clone();
    ctx.write({
        let (community, person_id) = (community.clone(), person.id);
        move |conn| {
            let role = db::communities::role_of(conn, community.id, moderator_id)?;
            if !vouched && !role.is_some_and(Role::moderates) {
                return Err(not_moderator());
            }
            if ban.banned {
                db::members::ban(
                    conn,
                    community.id,
                    person_id,
                    reason.as_deref(),
                    ban.expires_at,
                )
            } else {
                db::members::unban(conn, community.id, person_id).map(|_| ())
            }
        }
    })
    .await?;
    if community.local {
        ctx.emit(Event::PersonBanned {
            community,
            moderator: moderator.clone(),
            person,
            banned: ban.banned,
            reason: ban.reason,
            expires_at: ban.expires_at,
            activity_id: Some(activity_id),
        });
    }
    Ok(())
}
