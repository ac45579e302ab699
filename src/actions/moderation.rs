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
    let moderator_id = moderator.id;
    let (post_ap_id, community) = ctx
        .write(move |conn| {
            let post = db::posts::post(conn, post_id)?
                .filter(|p| !p.deleted)
                .ok_or_else(|| Error::not_found(format_args!("post {post_id}")))?;
            let community = db::communities::by_id(conn, post.community_id)?
                .ok_or_else(|| Error::not_found("community"))?;
            let role = db::communities::role_of(conn, community.id, moderator_id)?;
            if !(role.is_some_and(Role::moderates) || (is_admin && community.local)) {
                return Err(not_moderator());
            }
            db::posts::set_locked(conn, &post.ap_id.to_string(), locked)?;
            Ok((post.ap_id.to_string(), community))
        })
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
    let moderator_id = moderator.id;
    let community = ctx
        .write({
            let post_ap_id = post_ap_id.clone();
            move |conn| {
                let Some(post) = db::posts::post_by_ap_id(conn, &post_ap_id)? else {
                    return Err(Error::not_found("the locked post"));
                };
                let community = db::communities::by_id(conn, post.community_id)?
                    .ok_or_else(|| Error::not_found("community"))?;
                let vouched = vouched_by == Some(community.id) && !community.local;
                let role = db::communities::role_of(conn, community.id, moderator_id)?;
                if !vouched && !role.is_some_and(Role::moderates) {
                    return Err(not_moderator());
                }
                db::posts::set_locked(conn, &post_ap_id, locked)?;
                Ok(community)
            }
        })
        .await?;
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
