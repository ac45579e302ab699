//! Editing and deleting posts and comments: authors edit and delete their own; the community's
//! moderators (and instance admins, locally) may remove anything in it, with a reason.

use super::notifications::{self, About};
use crate::domain::notifications::Kind;
use crate::{
    context::AppContext,
    db::{self, accounts::Person, attachments::Owner, communities::Community},
    domain::{
        changes::Change,
        communities::Role,
        content,
        moderation::{ModActionKind, MAX_MOD_REASON},
        posts as rules,
    },
    error::{Error, ErrorKind, Result},
};

pub use crate::views::gate::Target;
use crate::views::gate::{self, Reader, State, Viewer};

/// Who wrote it, its id and its community.
struct Found {
    ap_id: String,
    author_id: i64,
    community: Community,
    is_post: bool,
    post_id: i64,
    comment_id: Option<i64>,
}

/// Finds content in `state` through the one content lookup (`views::gate::content`): 404 for
/// what is missing, and for what `reader` may not read.
fn find_in(conn: &mut db::DbConn, target: Target, state: State, reader: &Reader) -> Result<Found> {
    let content = gate::content(conn, target, state, reader)?;
    Ok(Found {
        ap_id: content.ap_id(),
        author_id: content.author_id(),
        is_post: content.comment.is_none(),
        post_id: content.post.id,
        comment_id: content.comment.as_ref().map(|c| c.id),
        community: content.community,
    })
}

fn find(conn: &mut db::DbConn, target: Target, reader: &Reader) -> Result<Found> {
    find_in(conn, target, State::Visible, reader)
}

/// The id and community of a post or comment that is not deleted and that `reader` may read
/// (404 otherwise).
pub fn visible(
    conn: &mut db::DbConn,
    target: Target,
    reader: &Reader,
) -> Result<(String, Community)> {
    find(conn, target, reader).map(|f| (f.ap_id, f.community))
}

/// Where a target lives, by activity id.
fn target_of(conn: &mut db::DbConn, ap_id: &str) -> Result<Option<Target>> {
    Ok(match db::posts::post_by_ap_id(conn, ap_id)? {
        Some(p) => Some(Target::Post(p.id)),
        None => db::posts::comment_by_ap_id(conn, ap_id)?.map(|c| Target::Comment(c.id)),
    })
}

/// Hides (or restores) content as a moderator, records it in the modlog, and tells the author.
fn moderate(
    conn: &mut db::DbConn,
    notifier: &AppContext,
    found: &Found,
    moderator_id: i64,
    removed: bool,
    reason: Option<&str>,
) -> Result<bool> {
    if !db::posts::set_removed(conn, &found.ap_id, removed)? {
        return Ok(false);
    }
    let kind = match (found.is_post, removed) {
        (true, true) => ModActionKind::RemovePost,
        (true, false) => ModActionKind::RestorePost,
        (false, true) => ModActionKind::RemoveComment,
        (false, false) => ModActionKind::RestoreComment,
    };
    db::moderation::log(
        conn,
        &db::moderation::NewModAction {
            community_id: found.community.id,
            moderator_id,
            action: kind.as_str(),
            person_id: Some(found.author_id),
            object_ap_id: Some(&found.ap_id),
            reason: reason.filter(|r| !r.is_empty()),
            expires_at: None,
        },
    )?;
    let about = About {
        community_id: Some(found.community.id),
        post_id: Some(found.post_id),
        comment_id: found.comment_id,
    };
    let kind = if removed {
        Kind::Removed
    } else {
        Kind::Restored
    };
    let (author, by) = (found.author_id, Some(moderator_id));
    notifications::notify(conn, notifier, kind, author, by, about)?;
    Ok(true)
}

fn not_author() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "not_the_author",
        "only the author may edit this",
    )
}

/// The author edits a post (title and/or body) or a comment (body).
pub async fn edit(
    ctx: &AppContext,
    author: &Person,
    target: Target,
    title: Option<String>,
    body: Option<String>,
) -> Result<()> {
    let author = author.clone();
    let author_id = author.id;
    let reader = ctx.gate().reader(Viewer::person(author_id, false));
    ctx.write(move |conn| {
        let found = find(conn, target, &reader)?;
        if found.author_id != author_id {
            return Err(not_author());
        }
        let now = db::now();
        match target {
            Target::Post(id) => {
                let current = db::posts::post(conn, id)?.ok_or_else(|| Error::not_found("post"))?;
                let (title, body) = rules::parse_post(
                    title.as_deref().unwrap_or(&current.title),
                    body.as_deref().unwrap_or(&current.body_md),
                )?;
                db::posts::edit_post(
                    conn,
                    id,
                    &title,
                    &body,
                    &content::markdown_to_html(&body),
                    now,
                )?;
            }
            Target::Comment(id) => {
                if title.is_some() {
                    return Err(Error::invalid_field("title", "comments have no title"));
                }
                let body = rules::parse_comment(
                    &body.ok_or_else(|| Error::invalid_field("body", "required"))?,
                )?;
                db::posts::edit_comment(conn, id, &body, &content::markdown_to_html(&body), now)?;
            }
        }
        let event = Change::ContentEdited {
            object_ap_id: found.ap_id,
            community_id: found.community.id,
            author_id: author.id,
            activity_id: None,
        };
        db::outbox::emit(conn, &event)
    })
    .await
}

/// The author deletes, or a moderator removes (with a reason), a post or comment.
pub async fn delete(
    ctx: &AppContext,
    actor: &Person,
    is_admin: bool,
    target: Target,
    reason: Option<String>,
) -> Result<()> {
    let reason = reason
        .map(|r| content::plain_line("reason", &r, 0, MAX_MOD_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    let actor = actor.clone();
    let actor_id = actor.id;
    let reader = ctx.gate().reader(Viewer::person(actor_id, is_admin));
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let found = find(conn, target, &reader)?;
            let is_author = found.author_id == actor_id;
            if !is_author {
                let role = db::communities::role_of(conn, found.community.id, actor_id)?;
                let moderates =
                    role.is_some_and(Role::moderates) || (is_admin && found.community.local);
                if !moderates {
                    return Err(Error::new(
                        ErrorKind::Forbidden,
                        "not_allowed",
                        "only the author or a moderator may delete this",
                    ));
                }
            }
            // A removal always carries its reason, empty when none was given: Lemmy reads a
            // `Delete` without `summary` as the author's own (docs/FEDERATION.md).
            let reason = if is_author {
                db::posts::mark_deleted(conn, &found.ap_id)?;
                None
            } else {
                moderate(conn, &notifier, &found, actor_id, true, reason.as_deref())?;
                Some(reason.unwrap_or_default())
            };
            let event = Change::ContentDeleted {
                object_ap_id: found.ap_id,
                community_id: found.community.id,
                actor_id: actor.id,
                reason,
                activity_id: None,
            };
            db::outbox::emit(conn, &event)
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// The new version a remote `Update` carries (already sanitised).
pub struct RemoteEdit {
    pub object_ap_id: String,
    pub title: Option<String>,
    pub body_md: String,
    pub body_html: String,
    pub updated: chrono::NaiveDateTime,
    pub activity_id: String,
    /// The new details of an `Event`.
    pub event: Option<crate::domain::events::ReceivedEvent>,
    /// The new attachments, in place of the old.
    pub attachments: Vec<crate::domain::attachments::Attachment>,
}

/// A remote Update: the author's new version, applied unless an equal or newer one is stored.
pub async fn receive_edit(ctx: &AppContext, author: &Person, edit: RemoteEdit) -> Result<()> {
    let RemoteEdit {
        object_ap_id,
        title,
        body_md,
        body_html,
        updated,
        activity_id,
        event,
        attachments,
    } = edit;
    let author = author.clone();
    let author_id = author.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let applied = {
                let object_ap_id = object_ap_id.clone();
                let conn = &mut *conn;
                move || -> Result<Option<Community>> {
                    if let Some(p) = db::posts::post_by_ap_id(conn, &object_ap_id)? {
                        if p.author_id != author_id {
                            return Err(not_author());
                        }
                        if p.deleted || p.updated.is_some_and(|u| u >= updated) {
                            return Ok(None);
                        }
                        let title = match title {
                            Some(t) => content::plain_line("name", &t, 1, rules::MAX_TITLE)?,
                            None => p.title.clone(),
                        };
                        db::posts::edit_post(conn, p.id, &title, &body_md, &body_html, updated)?;
                        db::attachments::replace(conn, Owner::Post(p.id), &attachments)?;
                        if let Some(e) = &event {
                            let before = db::events::get(conn, p.id)?.map(|e| e.status());
                            db::events::save(
                                conn,
                                p.id,
                                &e.details,
                                e.status,
                                e.participant_count,
                            )?;
                            let cancelled = crate::domain::events::EventStatus::Cancelled;
                            if e.status == cancelled && before.is_some_and(|b| b != cancelled) {
                                let by = Some(author_id);
                                super::events::cancelled(
                                    conn,
                                    &notifier,
                                    p.community_id,
                                    p.id,
                                    by,
                                )?;
                            }
                        }
                        return db::communities::by_id(conn, p.community_id);
                    }
                    let c = db::posts::comment_by_ap_id(conn, &object_ap_id)?
                        .ok_or_else(|| Error::not_found("the updated object"))?;
                    if c.author_id != author_id {
                        return Err(not_author());
                    }
                    if c.deleted || c.updated.is_some_and(|u| u >= updated) {
                        return Ok(None);
                    }
                    db::posts::edit_comment(conn, c.id, &body_md, &body_html, updated)?;
                    let owner = Owner::Comment {
                        post_id: c.post_id,
                        comment_id: c.id,
                    };
                    db::attachments::replace(conn, owner, &attachments)?;
                    let post = db::posts::post(conn, c.post_id)?
                        .ok_or_else(|| Error::not_found("post"))?;
                    db::communities::by_id(conn, post.community_id)
                }
            }()?;
            emit_if_local(conn, applied, |community| Change::ContentEdited {
                object_ap_id,
                community_id: community.id,
                author_id: author.id,
                activity_id: Some(activity_id),
            })
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// Has a received change announced when it happened in a local community.
fn emit_if_local(
    conn: &mut db::DbConn,
    community: Option<Community>,
    event: impl FnOnce(Community) -> Change,
) -> Result<()> {
    match community.filter(|c| c.local) {
        Some(community) => db::outbox::emit(conn, &event(community)),
        None => Ok(()),
    }
}

/// A remote Delete: by the author, or by a moderator of the community (a removal). A Delete
/// announced by the content's own (remote) community is vouched for by it: we do not know
/// other instances' moderators, the community does.
pub async fn receive_delete(
    ctx: &AppContext,
    actor: &Person,
    object_ap_id: String,
    reason: Option<String>,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let actor = actor.clone();
    let actor_id = actor.id;
    let actor_url = actor.ap_id.0.clone();
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let applied = {
                let (object_ap_id, reason) = (object_ap_id.clone(), reason.clone());
                let conn = &mut *conn;
                move || -> Result<Option<(Community, bool)>> {
                    let Some(target) = target_of(conn, &object_ap_id)? else {
                        // Never seen: remembered, so that a Create arriving late stays deleted.
                        // Only the object's own origin may delete it before we know it.
                        if same_origin(&object_ap_id, actor_url.as_str()) {
                            db::posts::add_tombstone(conn, &object_ap_id)?;
                        }
                        return Ok(None);
                    };
                    let found = match find(conn, target, &Reader::Inbound) {
                        Ok(f) => f,
                        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(e),
                    };
                    let removal = found.author_id != actor_id;
                    if removal {
                        ensure_remote_moderator(conn, &found, actor_id, vouched_by)?;
                        moderate(conn, &notifier, &found, actor_id, true, reason.as_deref())?;
                    } else {
                        db::posts::mark_deleted(conn, &found.ap_id)?;
                    }
                    Ok(Some((found.community, removal)))
                }
            }()?;
            let removal = applied.as_ref().is_some_and(|(_, removal)| *removal);
            // Forwarded by our community, a removal carries `summary` whatever the sender did.
            let reason = match removal {
                true => Some(reason.unwrap_or_default()),
                false => None,
            };
            emit_if_local(conn, applied.map(|(c, _)| c), |community| {
                Change::ContentDeleted {
                    object_ap_id,
                    community_id: community.id,
                    actor_id: actor.id,
                    reason,
                    activity_id: Some(activity_id),
                }
            })
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// A moderator of a remote community acts here: known as a moderator, or vouched for by the
/// community that announced the activity.
fn ensure_remote_moderator(
    conn: &mut db::DbConn,
    found: &Found,
    actor_id: i64,
    vouched_by: Option<i64>,
) -> Result<()> {
    let vouched = vouched_by == Some(found.community.id) && !found.community.local;
    let role = db::communities::role_of(conn, found.community.id, actor_id)?;
    if vouched || role.is_some_and(Role::moderates) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "not_allowed",
        "only the author or a moderator may do this",
    ))
}

/// A moderator restores a post or comment that a moderator removed (content its author deleted
/// is gone for good).
pub async fn restore(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    target: Target,
    reason: Option<String>,
) -> Result<()> {
    let reason = reason
        .map(|r| content::plain_line("reason", &r, 0, MAX_MOD_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    let moderator = moderator.clone();
    let moderator_id = moderator.id;
    let reader = ctx.gate().reader(Viewer::person(moderator_id, is_admin));
    let notifier = ctx.clone();
    let done = ctx
        .write({
            move |conn| {
                let found = find_in(conn, target, State::Removed, &reader)?;
                super::moderators::ensure_moderator(
                    conn,
                    &found.community,
                    moderator_id,
                    is_admin,
                )?;
                moderate(
                    conn,
                    &notifier,
                    &found,
                    moderator_id,
                    false,
                    reason.as_deref(),
                )?;
                let event = Change::ContentRestored {
                    object_ap_id: found.ap_id,
                    community_id: found.community.id,
                    moderator_id: moderator.id,
                    reason,
                    activity_id: None,
                };
                db::outbox::emit(conn, &event)
            }
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// A received `Undo(Delete)` of a removal, from a moderator (known, or vouched for by the
/// announcing community). Undoing an author's own deletion changes nothing: its content is gone.
pub async fn receive_restore(
    ctx: &AppContext,
    moderator: &Person,
    object_ap_id: String,
    reason: Option<String>,
    activity_id: String,
    vouched_by: Option<i64>,
) -> Result<()> {
    let moderator = moderator.clone();
    let moderator_id = moderator.id;
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let applied = {
                let (object_ap_id, reason) = (object_ap_id.clone(), reason.clone());
                let conn = &mut *conn;
                move || -> Result<Option<Community>> {
                    let Some(target) = target_of(conn, &object_ap_id)? else {
                        return Ok(None);
                    };
                    let found = match find_in(conn, target, State::Removed, &Reader::Inbound) {
                        Ok(f) => f,
                        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(e),
                    };
                    ensure_remote_moderator(conn, &found, moderator_id, vouched_by)?;
                    moderate(
                        conn,
                        &notifier,
                        &found,
                        moderator_id,
                        false,
                        reason.as_deref(),
                    )?;
                    Ok(Some(found.community))
                }
            }()?;
            emit_if_local(conn, applied, |community| Change::ContentRestored {
                object_ap_id,
                community_id: community.id,
                moderator_id: moderator.id,
                reason,
                activity_id: Some(activity_id),
            })
        })
        .await;
    notifications::wake_mail(ctx);
    done
}

/// Whether two URLs share host and port.
fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}
