//! Moderation of threads: locking and unlocking. Moderators of the community (and instance
//! admins, for local communities) may; a remote community vouches for its own moderators.

use super::notifications::{self, About};
use crate::domain::notifications::Kind;
use crate::views::gate::{self, State, Target, Viewer};
use crate::{
    context::AppContext,
    db::moderation::NewModAction,
    db::{self, accounts::Person},
    domain::{
        changes::Change,
        communities::Role,
        content,
        moderation::{ModActionKind, MAX_MOD_REASON},
    },
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

/// A flag change on one thread, by one moderator. `activity_id` is the remote activity's id when
/// the change was received.
struct FlagChange {
    moderator: Person,
    flag: ThreadFlag,
    value: bool,
    reason: Option<String>,
    activity_id: Option<String>,
}

/// A local moderator pins (or unpins) a post in its community's featured list.
pub async fn pin(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    post_id: i64,
    pinned: bool,
) -> Result<()> {
    let change = FlagChange {
        moderator: moderator.clone(),
        flag: ThreadFlag::Pinned,
        value: pinned,
        reason: None,
        activity_id: None,
    };
    set_flag(ctx, is_admin, post_id, change).await
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
        .map(|r| content::plain_line("reason", &r, 0, MAX_MOD_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    let change = FlagChange {
        moderator: moderator.clone(),
        flag: ThreadFlag::Locked,
        value: locked,
        reason,
        activity_id: None,
    };
    set_flag(ctx, is_admin, post_id, change).await
}

/// Sets a thread flag if the moderator moderates the post's community (or is an admin and the
/// community is local). A post the moderator may not read is missing to them (404).
async fn set_flag(
    ctx: &AppContext,
    is_admin: bool,
    post_id: i64,
    change: FlagChange,
) -> Result<()> {
    let reader = ctx
        .gate()
        .reader(Viewer::person(change.moderator.id, is_admin));
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let gate::Content {
            post, community, ..
        } = gate::content(conn, Target::Post(post_id), State::Visible, &reader)?;
        super::moderators::ensure_moderator(conn, &community, change.moderator.id, is_admin)?;
        apply_flag(conn, &notifier, community, post.ap_id.to_string(), change)
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
}

/// Sets the flag, records it in the modlog, and has it federated: a local moderator's change
/// always (to the members' instances, or to the remote community), a received one when the
/// community is ours to announce it.
fn apply_flag(
    conn: &mut db::DbConn,
    notifier: &AppContext,
    community: db::communities::Community,
    post_ap_id: String,
    change: FlagChange,
) -> Result<()> {
    let FlagChange {
        moderator,
        flag,
        value,
        reason,
        activity_id,
    } = change;
    let kind = match flag {
        ThreadFlag::Locked => {
            if let Some(post) = db::posts::post_by_ap_id(conn, &post_ap_id)? {
                if post.locked != value {
                    let kind = if value { Kind::Locked } else { Kind::Unlocked };
                    let about = About::post(community.id, post.id);
                    let (author, by) = (post.author_id, Some(moderator.id));
                    notifications::notify(conn, notifier, kind, author, by, about)?;
                }
            }
            db::posts::set_locked(conn, &post_ap_id, value)?;
            ModActionKind::of(value, ModActionKind::LockPost, ModActionKind::UnlockPost)
        }
        ThreadFlag::Pinned => {
            db::posts::set_pinned(conn, &post_ap_id, value)?;
            ModActionKind::of(value, ModActionKind::PinPost, ModActionKind::UnpinPost)
        }
    };
    db::moderation::log(
        conn,
        &NewModAction {
            community_id: community.id,
            moderator_id: moderator.id,
            action: kind.as_str(),
            person_id: None,
            object_ap_id: Some(&post_ap_id),
            reason: reason.as_deref(),
            expires_at: None,
        },
    )?;
    if activity_id.is_some() && !community.local {
        return Ok(());
    }
    let event = match flag {
        ThreadFlag::Locked => Change::ThreadLocked {
            post_ap_id,
            community_id: community.id,
            moderator_id: moderator.id,
            locked: value,
            reason,
            activity_id,
        },
        ThreadFlag::Pinned => Change::PostPinned {
            post_ap_id,
            community_id: community.id,
            moderator_id: moderator.id,
            pinned: value,
            activity_id,
        },
    };
    db::outbox::emit(conn, &event)
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
    let change = FlagChange {
        moderator: moderator.clone(),
        flag: ThreadFlag::Locked,
        value: locked,
        reason,
        activity_id: Some(activity_id),
    };
    receive_flag(ctx, post_ap_id, change, vouched_by).await
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
    let change = FlagChange {
        moderator: moderator.clone(),
        flag: ThreadFlag::Pinned,
        value: pinned,
        reason: None,
        activity_id: Some(activity_id),
    };
    receive_flag(ctx, post_ap_id, change, vouched_by).await
}

/// Applies a received thread flag from a known moderator, or vouched for by the (remote)
/// community that announced it.
async fn receive_flag(
    ctx: &AppContext,
    post_ap_id: String,
    change: FlagChange,
    vouched_by: Option<i64>,
) -> Result<()> {
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let Some(post) = db::posts::post_by_ap_id(conn, &post_ap_id)? else {
            return Err(Error::not_found("the post"));
        };
        let community = db::communities::by_id(conn, post.community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        let vouched = vouched_by == Some(community.id) && !community.local;
        let role = db::communities::role_of(conn, community.id, change.moderator.id)?;
        if !vouched && !role.is_some_and(Role::moderates) {
            return Err(not_moderator());
        }
        apply_flag(conn, &notifier, community, post_ap_id, change)
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
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
        .map(|r| content::plain_line("reason", &r, 0, MAX_MOD_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    if ban.expires_at.is_some_and(|at| at <= db::now()) {
        return Err(Error::invalid_field("expires_at", "must be in the future"));
    }
    let moderator = moderator.clone();
    let moderator_id = moderator.id;
    ctx.write({
        move |conn| {
            super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
            let person = db::accounts::person_by_id(conn, ban.person_id)?
                .ok_or_else(|| Error::not_found(format_args!("person {}", ban.person_id)))?;
            if ban.banned {
                if db::communities::role_of(conn, community.id, person.id)? == Some(Role::Owner) {
                    return Err(Error::new(
                        ErrorKind::Unprocessable,
                        "cannot_ban_owner",
                        "the owner cannot be banned",
                    ));
                }
                db::bans::ban(
                    conn,
                    community.id,
                    person.id,
                    reason.as_deref(),
                    ban.expires_at,
                )?;
            } else if !db::bans::unban(conn, community.id, person.id)? {
                return Err(Error::not_found("ban"));
            }
            log_ban(
                conn,
                (community.id, moderator_id, person.id),
                ban.banned,
                ban.expires_at,
                &reason,
            )?;
            let event = Change::PersonBanned {
                community_id: community.id,
                moderator_id: moderator.id,
                person_id: person.id,
                banned: ban.banned,
                reason,
                expires_at: ban.expires_at,
                activity_id: None,
            };
            db::outbox::emit(conn, &event)
        }
    })
    .await
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
    let moderator = moderator.clone();
    let moderator_id = moderator.id;
    let reason = ban.reason.clone();
    ctx.write({
        let person_id = person.id;
        move |conn| {
            let role = db::communities::role_of(conn, community.id, moderator_id)?;
            if !vouched && !role.is_some_and(Role::moderates) {
                return Err(not_moderator());
            }
            if ban.banned {
                db::bans::ban(
                    conn,
                    community.id,
                    person_id,
                    reason.as_deref(),
                    ban.expires_at,
                )?;
            } else {
                db::bans::unban(conn, community.id, person_id)?;
            }
            log_ban(
                conn,
                (community.id, moderator_id, person_id),
                ban.banned,
                ban.expires_at,
                &reason,
            )?;
            if !community.local {
                return Ok(());
            }
            let event = Change::PersonBanned {
                community_id: community.id,
                moderator_id: moderator.id,
                person_id: person.id,
                banned: ban.banned,
                reason,
                expires_at: ban.expires_at,
                activity_id: Some(activity_id),
            };
            db::outbox::emit(conn, &event)
        }
    })
    .await
}

fn log_ban(
    conn: &mut db::DbConn,
    (community_id, moderator_id, person_id): (i64, i64, i64),
    banned: bool,
    expires_at: Option<chrono::NaiveDateTime>,
    reason: &Option<String>,
) -> Result<()> {
    db::moderation::log(
        conn,
        &NewModAction {
            community_id,
            moderator_id,
            action: ModActionKind::of(banned, ModActionKind::Ban, ModActionKind::Unban).as_str(),
            person_id: Some(person_id),
            object_ap_id: None,
            reason: reason.as_deref(),
            expires_at: expires_at.filter(|_| banned),
        },
    )
}
