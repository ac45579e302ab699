//! Editing and deleting posts and comments: authors edit and delete their own; the community's
//! moderators (and instance admins, locally) may remove anything in it, with a reason.

use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community},
    domain::{communities::Role, content, events::Event, posts as rules},
    error::{Error, ErrorKind, Result},
};

/// A post or comment by local id.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Post(i64),
    Comment(i64),
}

/// Who wrote it, its id and its community.
struct Found {
    ap_id: String,
    author_id: i64,
    community: Community,
}

fn find(conn: &mut db::DbConn, target: Target) -> Result<Found> {
    let (ap_id, author_id, post_id) = match target {
        Target::Post(id) => {
            let p = db::posts::post(conn, id)?
                .filter(|p| !p.deleted)
                .ok_or_else(|| Error::not_found(format_args!("post {id}")))?;
            (p.ap_id.to_string(), p.author_id, p.id)
        }
        Target::Comment(id) => {
            let c = db::posts::comment(conn, id)?
                .filter(|c| !c.deleted)
                .ok_or_else(|| Error::not_found(format_args!("comment {id}")))?;
            (c.ap_id.to_string(), c.author_id, c.post_id)
        }
    };
    let post = db::posts::post(conn, post_id)?.ok_or_else(|| Error::not_found("post"))?;
    let community = db::communities::by_id(conn, post.community_id)?
        .ok_or_else(|| Error::not_found("community"))?;
    Ok(Found {
        ap_id,
        author_id,
        community,
    })
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
    let author_id = author.id;
    let (ap_id, community) = ctx
        .write(move |conn| {
            let found = find(conn, target)?;
            if found.author_id != author_id {
                return Err(not_author());
            }
            let now = db::now();
            match target {
                Target::Post(id) => {
                    let current =
                        db::posts::post(conn, id)?.ok_or_else(|| Error::not_found("post"))?;
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
                    db::posts::edit_comment(
                        conn,
                        id,
                        &body,
                        &content::markdown_to_html(&body),
                        now,
                    )?;
                }
            }
            Ok((found.ap_id, found.community))
        })
        .await?;
    ctx.emit(Event::ContentEdited {
        object_ap_id: ap_id,
        community,
        author: author.clone(),
        activity_id: None,
    });
    Ok(())
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
        .map(|r| content::plain_line("reason", &r, 0, 1000))
        .transpose()?
        .filter(|r| !r.is_empty());
    let actor_id = actor.id;
    let (ap_id, community, reason) = ctx
        .write(move |conn| {
            let found = find(conn, target)?;
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
            db::posts::mark_deleted(conn, &found.ap_id)?;
            Ok((
                found.ap_id,
                found.community,
                if is_author { None } else { reason },
            ))
        })
        .await?;
    ctx.emit(Event::ContentDeleted {
        object_ap_id: ap_id,
        community,
        actor: actor.clone(),
        reason,
        activity_id: None,
    });
    Ok(())
}

/// The new version a remote `Update` carries (already sanitised).
pub struct RemoteEdit {
    pub object_ap_id: String,
    pub title: Option<String>,
    pub body_md: String,
    pub body_html: String,
    pub updated: chrono::NaiveDateTime,
    pub activity_id: String,
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
    } = edit;
    let author_id = author.id;
    let community = ctx
        .write({
            let object_ap_id = object_ap_id.clone();
            move |conn| {
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
                let post =
                    db::posts::post(conn, c.post_id)?.ok_or_else(|| Error::not_found("post"))?;
                db::communities::by_id(conn, post.community_id)
            }
        })
        .await?;
    if let Some(community) = community.filter(|c| c.local) {
        ctx.emit(Event::ContentEdited {
            object_ap_id,
            community,
            author: author.clone(),
            activity_id: Some(activity_id),
        });
    }
    Ok(())
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
    let actor_id = actor.id;
    let found = ctx
        .write({
            let object_ap_id = object_ap_id.clone();
            move |conn| {
                let target = match db::posts::post_by_ap_id(conn, &object_ap_id)? {
                    Some(p) => Target::Post(p.id),
                    None => match db::posts::comment_by_ap_id(conn, &object_ap_id)? {
                        Some(c) => Target::Comment(c.id),
                        None => return Ok(None), // never seen, or already gone
                    },
                };
                let found = match find(conn, target) {
                    Ok(f) => f,
                    Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                };
                let vouched = vouched_by == Some(found.community.id) && !found.community.local;
                if found.author_id != actor_id && !vouched {
                    let role = db::communities::role_of(conn, found.community.id, actor_id)?;
                    if !role.is_some_and(Role::moderates) {
                        return Err(Error::new(
                            ErrorKind::Forbidden,
                            "not_allowed",
                            "only the author or a moderator may delete this",
                        ));
                    }
                }
                db::posts::mark_deleted(conn, &found.ap_id)?;
                Ok(Some(found.community))
            }
        })
        .await?;
    if let Some(community) = found.filter(|c| c.local) {
        ctx.emit(Event::ContentDeleted {
            object_ap_id,
            community,
            actor: actor.clone(),
            reason,
            activity_id: Some(activity_id),
        });
    }
    Ok(())
}
