//! Opening threads and replying, by local members (API) and remote ones (inbound `Create`), under
//! the same rules; remote posts and comments get local ids like local ones.

use super::notifications::{self, About};
use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        attachments::Owner,
        communities::Community,
        members::Receipt,
        posts::{Comment, NewComment, NewPost, Post, PostOrComment},
    },
    domain::{changes::Change, content, posts as rules},
    error::{Error, ErrorKind, Result},
};

/// A local member opens a thread in a community (local, or remote: then it is sent there).
pub async fn create_post(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    title: &str,
    body: &str,
    also_in: Vec<Community>,
) -> Result<Post> {
    open_thread(
        ctx,
        account,
        community,
        (title, body, also_in),
        rules::may_post,
        |_, _| Ok(()),
    )
    .await
}

/// What a new thread says, and the other communities its author also posts it in.
pub(crate) type Opening<'a> = (&'a str, &'a str, Vec<Community>);

/// Opens a thread as a local member: `may` decides from the member's role (posting, scheduling
/// an event), `with` stores what comes with the thread in the same write (an event's details);
/// the thread is put into the other communities of `opening` in that write too
/// (`sharing::put_also_in`: refused there, nothing is written).
pub(crate) async fn open_thread(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    (title, body, also_in): Opening<'_>,
    may: fn(&Community, Option<crate::domain::communities::Role>) -> Result<()>,
    with: impl FnOnce(&mut db::DbConn, &Post) -> Result<()> + Send + 'static,
) -> Result<Post> {
    let (title, body) = rules::parse_post(title, body)?;
    let announce_ids = super::sharing::also_in_ids(ctx, &also_in);
    let is_admin = account.user.is_admin;
    let html = content::markdown_to_html(&body);
    let author = account.person.clone();
    let base = ctx.url("");
    let notifier = ctx.clone();
    let post = ctx
        .write(move |conn| {
            let role = db::bans::role_unless_banned(conn, community.id, author.id)?;
            may(&community, role)?;
            let new = NewPost {
                ap_id: None,
                community_id: community.id,
                author_id: author.id,
                title: &title,
                body_md: &body,
                body_html: &html,
                published: None,
            };
            let post = db::posts::insert_post(conn, &new, &base)?;
            with(conn, &post)?;
            let event = Change::PostCreated {
                post_id: post.id,
                activity_id: None,
            };
            db::outbox::emit(conn, &event)?;
            super::sharing::put_also_in(conn, &post, &community, &also_in, announce_ids, is_admin)?;
            let about = About::post(community.id, post.id);
            notifications::new_content(conn, &notifier, author.id, about, None, &body, true)?;
            Ok(post)
        })
        .await?;
    notifications::wake_mail(ctx);
    Ok(post)
}

/// A local member replies to a post or to a comment of that post.
pub async fn create_comment(
    ctx: &AppContext,
    account: &Account,
    post_id: i64,
    parent_id: Option<i64>,
    body: &str,
) -> Result<Comment> {
    let body = rules::parse_comment(body)?;
    let html = content::markdown_to_html(&body);
    let author = account.person.clone();
    let base = ctx.url("");
    let notifier = ctx.clone();
    let comment = ctx
        .write({
            move |conn| {
                let post = db::posts::post(conn, post_id)?
                    .filter(|p| !p.deleted)
                    .ok_or_else(|| Error::not_found(format_args!("post {post_id}")))?;
                let replied_to = match parent_id {
                    Some(parent) => {
                        db::posts::comment(conn, parent)?
                            .filter(|c| c.post_id == post.id)
                            .ok_or_else(|| {
                                Error::invalid_field("parent_id", "no such comment on this post")
                            })?
                            .author_id
                    }
                    None => post.author_id,
                };
                let community = db::communities::by_id(conn, post.community_id)?
                    .ok_or_else(|| Error::not_found("community"))?;
                let role = db::bans::role_unless_banned(conn, community.id, author.id)?;
                rules::may_comment(&community, role, post.locked)?;
                let new = NewComment {
                    ap_id: None,
                    post_id: post.id,
                    parent_id,
                    author_id: author.id,
                    body_md: &body,
                    body_html: &html,
                    published: None,
                };
                let comment = db::posts::insert_comment(conn, &new, &base)?;
                let event = Change::CommentCreated {
                    comment_id: comment.id,
                    activity_id: None,
                };
                db::outbox::emit(conn, &event)?;
                let about = About::comment(community.id, post.id, comment.id);
                let (who, text) = (author.id, &body);
                notifications::new_content(
                    conn,
                    &notifier,
                    who,
                    about,
                    Some(replied_to),
                    text,
                    true,
                )?;
                Ok(comment)
            }
        })
        .await?;
    notifications::wake_mail(ctx);
    Ok(comment)
}

/// Whether a received post or comment may be **stored** in `community`: the one rule for every
/// path that brings one (a `Create`, an `Announce`, an `Update` or vote of something unseen, a
/// reply's parent, `/resolve`). Fetching an object proves who wrote it, not that it may be kept.
/// - Nobody banned from the community is stored in it.
/// - A local community: its author must pass the rules a local member's post or reply passes
///   (membership of a private community, `postingRestrictedToMods`, a locked thread).
/// - A remote community: the content must be vouched for by that community (it arrived in the
///   community's own `Announce`), or be served by the community's own server.
/// - Vouched for by a community, it must be inside that community: a Group vouches for nothing
///   else.
///
/// `thread_locked` is the thread's lock for a reply, None for a new thread. Runs inside the
/// write that stores, so the check and the insert cannot be split by a concurrent ban or lock.
pub fn admit(
    conn: &mut db::DbConn,
    community: &Community,
    author_id: i64,
    thread_locked: Option<bool>,
    ap_id: &str,
    vouched_by: Option<i64>,
) -> Result<()> {
    let standing = db::bans::standing(conn, community.id, author_id)?;
    admit_as(community, standing, thread_locked, ap_id, vouched_by)
}

/// [`admit`] with the author's standing in the community already read (in the write that
/// stores).
fn admit_as(
    community: &Community,
    standing: db::bans::Standing,
    thread_locked: Option<bool>,
    ap_id: &str,
    vouched_by: Option<i64>,
) -> Result<()> {
    if vouched_by.is_some_and(|by| by != community.id) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            rules::OUTSIDE_COMMUNITY,
            "a community vouches only for content inside it",
        ));
    }
    let role = standing.role_unless_banned()?;
    if community.local {
        return match thread_locked {
            Some(locked) => rules::may_comment(community, role, locked),
            None => rules::may_post(community, role),
        };
    }
    let served_by_community = url::Url::parse(ap_id)
        .is_ok_and(|id| crate::domain::names::same_origin(&id, &community.ap_id.0));
    if vouched_by == Some(community.id) || served_by_community {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "not_announced",
        "content for a remote community is stored only when that community announces it",
    ))
}

/// A calendar's event is admitted into a local community that follows it, whose `Follow` it
/// accepted, unless the community banned it.
fn admit_calendar(conn: &mut db::DbConn, community: &Community, author_id: i64) -> Result<()> {
    db::bans::ensure_not_banned(conn, community.id, author_id)?;
    if community.local && db::event_sources::accepted(conn, community.id, author_id)? {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "not_followed",
        "this community does not follow that calendar",
    ))
}

/// The inbound `Create` that brought a post or comment: its id (under which a local community
/// announces it to its members) and its receipt, both written with the object; and for a thread,
/// the other communities here it is addressed to (its author putting it in them too, as
/// `sharing::put_also_in` allows: one refusal refuses the whole activity).
pub struct Created {
    pub activity_id: String,
    pub receipt: Option<Receipt>,
    pub also_in: Vec<Community>,
}

/// Stores a remote post fetched from its origin or announced by `vouched_by` (or returns the
/// one stored under its id). A post not yet stored must pass [`admit`].
pub async fn store_remote_post(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
    vouched_by: Option<i64>,
) -> Result<Post> {
    write_remote_post(ctx, received, author, community, vouched_by, None, false).await
}

/// A remote member's `Create` of a post: stored as [`store_remote_post`] stores (vouched for by
/// nobody), with, in the same write, the `PostCreated` change in a local community and the
/// activity's receipt (also when the post was stored before, fetched as some reply's parent).
pub async fn receive_post(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
    created: Created,
) -> Result<Post> {
    write_remote_post(ctx, received, author, community, None, Some(created), false).await
}

/// An event from a calendar `community` follows (`actions::event_sources`), not addressed to
/// any community: stored there as [`receive_post`] stores, admitted because the community's
/// `Follow` of its author was accepted (checked in the write), not by membership.
pub async fn receive_calendar_event(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
    created: Created,
) -> Result<Post> {
    if received.event.is_none() {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "not_an_event",
            "a followed calendar brings events only",
        ));
    }
    write_remote_post(ctx, received, author, community, None, Some(created), true).await
}

async fn write_remote_post(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
    vouched_by: Option<i64>,
    created: Option<Created>,
    from_calendar: bool,
) -> Result<Post> {
    let title = received.title()?;
    let body_md = content::text_block("source", &received.markdown, rules::MAX_BODY)?;
    let (body_html, ap_id) = (received.html.clone(), received.ap_id.clone());
    let (community, author_id) = (community.clone(), author.id);
    let published = received.published;
    let event = received.event.clone();
    let poll = received.poll.clone();
    let attachments = received.attachments.clone();
    let base = ctx.url("");
    let notifier = ctx.clone();
    let also_in_ids = created
        .as_ref()
        .map(|c| super::sharing::also_in_ids(ctx, &c.also_in))
        .unwrap_or_default();
    let post = ctx
        .write(move |conn| {
            // What the id names already, with the author's standing (one statement).
            let (stored, tombstoned, standing) = if from_calendar {
                let (stored, tombstoned) = db::posts::stored_id_or_tombstone(conn, &ap_id, false)?;
                (stored, tombstoned, None)
            } else {
                let (stored, tombstoned, standing) =
                    db::bans::post_and_standing(conn, &ap_id, community.id, author_id)?;
                (stored, tombstoned, Some(standing))
            };
            let post = match stored {
                Some(id) => db::posts::post(conn, id)?.ok_or_else(|| Error::not_found("post"))?,
                None => {
                    refuse_tombstoned(tombstoned)?;
                    match standing {
                        None => admit_calendar(conn, &community, author_id)?,
                        Some(standing) => admit_as(&community, standing, None, &ap_id, vouched_by)?,
                    }
                    let new = NewPost {
                        ap_id: Some(&ap_id),
                        community_id: community.id,
                        author_id,
                        title: &title,
                        body_md: &body_md,
                        body_html: &body_html,
                        published,
                    };
                    let post = db::posts::insert_post(conn, &new, &base)?;
                    if let Some(e) = &event {
                        db::events::save(conn, post.id, &e.details, e.status, e.participant_count)?;
                    }
                    if let Some(p) = &poll {
                        db::polls::save_received(conn, post.id, p)?;
                    }
                    db::attachments::add(conn, Owner::Post(post.id), &attachments)?;
                    let about = About::post(community.id, post.id);
                    notifications::new_content(
                        conn, &notifier, author_id, about, None, &body_md, false,
                    )?;
                    post
                }
            };
            if let Some(Created {
                activity_id,
                receipt,
                also_in,
            }) = created
            {
                if community.local {
                    let change = Change::PostCreated {
                        post_id: post.id,
                        activity_id: Some(activity_id),
                    };
                    db::outbox::emit(conn, &change)?;
                }
                super::sharing::put_also_in(conn, &post, &community, &also_in, also_in_ids, false)?;
                if let Some(receipt) = receipt {
                    receipt.record(conn)?;
                }
            }
            Ok(post)
        })
        .await?;
    notifications::wake_mail(ctx);
    Ok(post)
}

/// Stores a remote comment under its parent, fetched from its origin or announced by
/// `vouched_by` (or returns the one stored under its id). A comment not yet stored must pass
/// [`admit`] in its thread's community.
pub async fn store_remote_comment(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    parent: &PostOrComment,
    vouched_by: Option<i64>,
) -> Result<Comment> {
    write_remote_comment(ctx, received, author, parent, vouched_by, None).await
}

/// A remote member's `Create` of a reply: stored as [`store_remote_comment`] stores, with, in
/// the same write, the `CommentCreated` change in a local community and the activity's receipt.
pub async fn receive_comment(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    parent: &PostOrComment,
    created: Created,
) -> Result<Comment> {
    write_remote_comment(ctx, received, author, parent, None, Some(created)).await
}

async fn write_remote_comment(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    parent: &PostOrComment,
    vouched_by: Option<i64>,
    created: Option<Created>,
) -> Result<Comment> {
    let body_md = content::text_block("source", &received.markdown, rules::MAX_COMMENT)?;
    let (body_html, ap_id) = (received.html.clone(), received.ap_id.clone());
    let (post_id, parent_id) = match parent {
        PostOrComment::Post(p) => (p.id, None),
        PostOrComment::Comment(c) => (c.post_id, Some(c.id)),
    };
    let author_id = author.id;
    let published = received.published;
    let attachments = received.attachments.clone();
    let base = ctx.url("");
    let notifier = ctx.clone();
    let comment = ctx
        .write(move |conn| {
            // The thread's community, when this write read it.
            let (comment, community) = match db::posts::stored_id_or_tombstone(conn, &ap_id, true)?
            {
                (Some(id), _) => {
                    let found = db::posts::comment(conn, id)?;
                    (found.ok_or_else(|| Error::not_found("comment"))?, None)
                }
                (None, tombstoned) => {
                    refuse_tombstoned(tombstoned)?;
                    let post = db::posts::post(conn, post_id)?
                        .filter(|p| !p.deleted)
                        .ok_or_else(|| Error::not_found("the replied-to post"))?;
                    let community = db::communities::by_id(conn, post.community_id)?
                        .ok_or_else(|| Error::not_found("community"))?;
                    // A community the thread is shared into vouches for the replies it
                    // announces, admitted as in that community.
                    let admitting = match vouched_by {
                        Some(by) if by != community.id && db::shares::is_in(conn, post_id, by)? => {
                            db::communities::by_id(conn, by)?
                                .ok_or_else(|| Error::not_found("community"))?
                        }
                        _ => community.clone(),
                    };
                    admit(
                        conn,
                        &admitting,
                        author_id,
                        Some(post.locked),
                        &ap_id,
                        vouched_by,
                    )?;
                    let new = NewComment {
                        ap_id: Some(&ap_id),
                        post_id,
                        parent_id,
                        author_id,
                        body_md: &body_md,
                        body_html: &body_html,
                        published,
                    };
                    let comment = db::posts::insert_comment(conn, &new, &base)?;
                    let owner = Owner::Comment {
                        post_id,
                        comment_id: comment.id,
                    };
                    db::attachments::add(conn, owner, &attachments)?;
                    let replied_to = match parent_id {
                        Some(id) => db::posts::comment(conn, id)?.map(|c| c.author_id),
                        None => Some(post.author_id),
                    };
                    let about = About::comment(community.id, post_id, comment.id);
                    let text = &body_md;
                    notifications::new_content(
                        conn, &notifier, author_id, about, replied_to, text, false,
                    )?;
                    (comment, Some(community))
                }
            };
            // A new reply in a remote community's thread that is shared into a community here:
            // that community tells its members' instances (`federation::outbound::sharing`).
            if let (Some(home), None) = (&community, &created) {
                if !home.local && db::shares::in_local_community(conn, comment.post_id)? {
                    let change = Change::CommentCreated {
                        comment_id: comment.id,
                        activity_id: None,
                    };
                    db::outbox::emit(conn, &change)?;
                }
            }
            if let Some(Created {
                activity_id,
                receipt,
                ..
            }) = created
            {
                let local = match community {
                    Some(community) => community.local,
                    None => db::posts::thread_community(conn, comment.post_id)?.local,
                };
                let shared_here = !local && db::shares::in_local_community(conn, comment.post_id)?;
                if local || shared_here {
                    let change = Change::CommentCreated {
                        comment_id: comment.id,
                        activity_id: Some(activity_id),
                    };
                    db::outbox::emit(conn, &change)?;
                }
                if let Some(receipt) = receipt {
                    receipt.record(conn)?;
                }
            }
            Ok(comment)
        })
        .await?;
    notifications::wake_mail(ctx);
    Ok(comment)
}

/// 410 for an object deleted before it arrived (a Create that came after its Delete).
fn refuse_tombstoned(tombstoned: bool) -> Result<()> {
    if tombstoned {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::Gone,
            "deleted",
            "this object was deleted before it arrived",
        ));
    }
    Ok(())
}
