//! Cross-posting as one object: a thread put into other communities than its home, by its
//! author when posting ("also post in") or by a moderator of the other community ("share into
//! my community"); taken out of one of those communities by that community's moderators only;
//! and the same received from a remote community's `Announce` (that community vouching for
//! itself only). The thread stays one object with one set of replies. Its author sends a thread
//! of a community here to a remote community with their own `Create` addressed to it; it is in
//! that community once the community announces it (received as any remote share). The same
//! `Create` received here from a remote author asks a community here to take their thread in.

use crate::views::gate::{self, State, Target, Viewer};
use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community},
    domain::{
        changes::Change,
        communities::{may_moderate, Visibility},
        content,
        moderation::MAX_MOD_REASON,
    },
    error::{Error, ErrorKind, Result},
};

/// Who puts a thread into a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedAs {
    /// Its author, who may post in that community.
    Author,
    /// A moderator of that community.
    Moderator,
    /// Its author, into a remote community: sent there, in it once that community announces it.
    Requested,
}

fn refused(code: &'static str, message: &'static str) -> Error {
    Error::new(ErrorKind::Forbidden, code, message)
}

/// Puts thread `post_id` into the local community `community_id` as `person` (the thread's
/// author, who may post there, or one of its moderators), announced by that community to its
/// members' instances. Refused (nothing written) when the thread is not public (its home
/// community private), when the community is its home or remote, or when the person is banned
/// there or may not post there. Sharing it again is no change.
pub async fn share(
    ctx: &AppContext,
    person: &Person,
    is_admin: bool,
    post_id: i64,
    community_id: i64,
) -> Result<SharedAs> {
    let reader = ctx.gate().reader(Viewer::person(person.id, is_admin));
    let announce_id = ctx.new_activity_id("announce");
    let create_id = ctx.new_activity_id("create");
    let person_id = person.id;
    ctx.write(move |conn| {
        let gate::Content {
            post,
            community: home,
            ..
        } = gate::content(conn, Target::Post(post_id), State::Visible, &reader)?;
        let community = db::communities::by_id(conn, community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        let shared_as = may_share(conn, &post, &home, &community, person_id, is_admin)?;
        if shared_as == SharedAs::Requested {
            request(conn, post_id, community_id, create_id)?;
        } else if db::shares::put(conn, post_id, community_id, Some(person_id), &announce_id)? {
            db::outbox::emit(
                conn,
                &Change::PostShared {
                    post_id,
                    community_id,
                    announce_id,
                },
            )?;
        }
        Ok(shared_as)
    })
    .await
}

/// How many other communities a thread may be put into when it is opened ("also post in").
pub const MAX_ALSO_IN: usize = 10;

/// The communities a new thread's author names to "also post in" (`name` here, `name@host` for
/// one known here): at most [`MAX_ALSO_IN`], each once; an unknown one is 400 on `also_in`.
/// Whether the author may post in each is decided when the thread is written ([`put_also_in`]).
pub async fn also_in(ctx: &AppContext, names: &[String]) -> Result<Vec<Community>> {
    let mut wanted: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim().trim_start_matches('!')) {
        if !wanted.iter().any(|w| w == name) {
            wanted.push(name.to_string());
        }
    }
    if wanted.len() > MAX_ALSO_IN {
        return Err(Error::invalid_field(
            "also_in",
            format_args!("at most {MAX_ALSO_IN} other communities"),
        ));
    }
    let our_host = ctx.settings().hostname.clone();
    ctx.db(move |conn| {
        let mut found = Vec::with_capacity(wanted.len());
        for name in wanted {
            found.push(by_handle(conn, &name, &our_host)?.ok_or_else(|| {
                Error::invalid_field(
                    "also_in",
                    format_args!("no community `{name}` is known here"),
                )
            })?);
        }
        Ok(found)
    })
    .await
}

/// The community `name` here, or `name@host` known here (None when there is none).
fn by_handle(conn: &mut db::DbConn, name: &str, our_host: &str) -> Result<Option<Community>> {
    let name = name.trim().trim_start_matches('!');
    match name.split_once('@') {
        Some((n, host)) if host != our_host => db::communities::remote_by_handle(conn, n, host),
        Some((n, _)) => db::communities::local_by_name(conn, n),
        None => db::communities::local_by_name(conn, name),
    }
}

/// The community a share form or request names: `name` here, `name@host` known here (404 when
/// there is none).
pub async fn named(ctx: &AppContext, name: String) -> Result<Community> {
    let our_host = ctx.settings().hostname.clone();
    ctx.db(move |conn| by_handle(conn, &name, &our_host))
        .await?
        .ok_or_else(|| Error::not_found("community"))
}

/// The activity ids [`put_also_in`] takes: one per community, an `Announce` by a community here,
/// the author's `Create` sent to a remote one.
pub fn also_in_ids(ctx: &AppContext, also_in: &[Community]) -> Vec<String> {
    also_in
        .iter()
        .map(|c| ctx.new_activity_id(if c.local { "announce" } else { "create" }))
        .collect()
}

/// In the write that opens (or receives) thread `post` in `home`: puts it into each of `also_in`
/// as its author (refused, and with it the whole thread, where they may not post or are
/// banned), each announced by that community (`activity_ids`, from [`also_in_ids`]); a remote
/// community is sent the author's `Create` instead, and announces it itself.
pub(crate) fn put_also_in(
    conn: &mut db::DbConn,
    post: &db::posts::Post,
    home: &Community,
    also_in: &[Community],
    activity_ids: Vec<String>,
    is_admin: bool,
) -> Result<()> {
    for (community, activity_id) in also_in.iter().zip(activity_ids) {
        let shared_as =
            may_share(conn, post, home, community, post.author_id, is_admin).map_err(|mut e| {
                if e.kind != ErrorKind::Internal {
                    e.message = format!("in {}: {}", community.name, e.message);
                    e.field = Some("also_in".into());
                }
                e
            })?;
        if shared_as == SharedAs::Requested {
            request(conn, post.id, community.id, activity_id)?;
            continue;
        }
        if db::shares::put(
            conn,
            post.id,
            community.id,
            Some(post.author_id),
            &activity_id,
        )? {
            db::outbox::emit(
                conn,
                &Change::PostShared {
                    post_id: post.id,
                    community_id: community.id,
                    announce_id: activity_id,
                },
            )?;
        }
    }
    Ok(())
}

/// Whether `person_id` may put `post` (of community `home`) into `community`, and as whom.
fn may_share(
    conn: &mut db::DbConn,
    post: &db::posts::Post,
    home: &Community,
    community: &Community,
    person_id: i64,
    is_admin: bool,
) -> Result<SharedAs> {
    if community.id == home.id {
        return Err(Error::new(
            ErrorKind::Conflict,
            "home_community",
            "the thread is already in this community: it is its home",
        ));
    }
    if home.visibility() != Visibility::Public {
        return Err(refused(
            "private_thread",
            "a thread of a private community is not shared into another community",
        ));
    }
    if post.removed || post.deleted {
        return Err(Error::not_found("post"));
    }
    db::bans::ensure_not_banned(conn, community.id, person_id)?;
    if !community.local {
        return may_request(post, home, person_id);
    }
    let role = db::communities::role_of(conn, community.id, person_id)?;
    if may_moderate(community, role, is_admin).is_ok() {
        return Ok(SharedAs::Moderator);
    }
    if post.author_id == person_id {
        crate::domain::posts::may_post(community, role)?;
        return Ok(SharedAs::Author);
    }
    Err(refused(
        "not_a_moderator",
        "only the thread's author or the community's moderators may put it in this community",
    ))
}

/// Whether `person_id` may send `post` to a remote community (which decides whether it takes
/// it): its author only, and only a thread whose home is here (the receiving server takes it as
/// served by its own community's server).
fn may_request(post: &db::posts::Post, home: &Community, person_id: i64) -> Result<SharedAs> {
    if post.author_id != person_id {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "remote_community",
            "only its author sends a thread to a remote community; that community's moderators \
             share it there",
        ));
    }
    if !home.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "remote_home",
            "a thread opened in a remote community is put into other communities from there",
        ));
    }
    Ok(SharedAs::Requested)
}

/// Sends thread `post_id` to remote community `community_id` (the author's `Create`, id
/// `create_id`); nothing is recorded until that community announces it.
fn request(
    conn: &mut db::DbConn,
    post_id: i64,
    community_id: i64,
    create_id: String,
) -> Result<()> {
    let change = Change::ShareRequested {
        post_id,
        community_id,
        activity_id: create_id,
    };
    db::outbox::emit(conn, &change)
}

/// A local moderator of `community_id` takes shared thread `post_id` out of that community only
/// (its home and the other communities keep it), announced by that community.
pub async fn remove(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    post_id: i64,
    community_id: i64,
    reason: Option<String>,
) -> Result<()> {
    let reason = reason
        .map(|r| content::plain_line("reason", &r, 0, MAX_MOD_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    let moderator_id = moderator.id;
    let activity_id = ctx.new_activity_id("remove");
    ctx.write(move |conn| {
        let community = db::communities::by_id(conn, community_id)?
            .filter(|c| c.local)
            .ok_or_else(|| Error::not_found("community"))?;
        super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
        if !db::shares::remove(conn, post_id, community_id, Some(moderator_id))? {
            return Err(Error::not_found("shared thread"));
        }
        db::outbox::emit(
            conn,
            &Change::ShareRemoved {
                post_id,
                community_id,
                moderator_id,
                reason,
                activity_id,
            },
        )
    })
    .await
}

/// A remote community's `Announce` of thread `post_id`, whose home is another community: the
/// thread is in that community too. Its author banned there is refused.
pub async fn receive_share(
    ctx: &AppContext,
    post_id: i64,
    community: &Community,
    announce_id: String,
) -> Result<()> {
    let community_id = community.id;
    ctx.write(move |conn| {
        let post = db::posts::post(conn, post_id)?.ok_or_else(|| Error::not_found("post"))?;
        if post.community_id == community_id {
            return Ok(());
        }
        db::bans::ensure_not_banned(conn, community_id, post.author_id)?;
        db::shares::put(conn, post_id, community_id, None, &announce_id)?;
        Ok(())
    })
    .await
}

/// A remote community's moderator took thread `post_id` out of that community (vouched for by
/// the community's own `Announce`).
pub async fn receive_removal(
    ctx: &AppContext,
    post_id: i64,
    community: &Community,
    moderator_id: i64,
) -> Result<()> {
    let community_id = community.id;
    ctx.write(move |conn| {
        db::shares::remove(conn, post_id, community_id, Some(moderator_id))?;
        Ok(())
    })
    .await
}
