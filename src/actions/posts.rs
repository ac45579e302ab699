//! Opening threads and replying, by local members (API) and remote ones (inbound `Create`), under
//! the same rules; remote posts and comments get local ids like local ones.

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        posts::{Comment, NewComment, NewPost, Post},
    },
    domain::{content, events::Event, posts as rules},
    error::{Error, Result},
    federation::objects::post::PostOrComment,
};

/// A local member opens a thread in a community (local, or remote: then it is sent there).
pub async fn create_post(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    title: &str,
    body: &str,
) -> Result<Post> {
    let (title, body) = rules::parse_post(title, body)?;
    let html = content::markdown_to_html(&body);
    let author = account.person.clone();
    let base = ctx.url("");
    let post = ctx
        .write({
            move |conn| {
                db::members::ensure_not_banned(conn, community.id, author.id)?;
                let role = db::communities::role_of(conn, community.id, author.id)?;
                rules::may_post(&community, role)?;
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
                let event = Event::PostCreated {
                    post: post.clone(),
                    community,
                    author,
                    activity_id: None,
                };
                db::outbox::emit(conn, &event)?;
                Ok(post)
            }
        })
        .await?;
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
    let comment = ctx
        .write({
            move |conn| {
                let post = db::posts::post(conn, post_id)?
                    .filter(|p| !p.deleted)
                    .ok_or_else(|| Error::not_found(format_args!("post {post_id}")))?;
                if let Some(parent) = parent_id {
                    db::posts::comment(conn, parent)?
                        .filter(|c| c.post_id == post.id)
                        .ok_or_else(|| {
                            Error::invalid_field("parent_id", "no such comment on this post")
                        })?;
                }
                let community = db::communities::by_id(conn, post.community_id)?
                    .ok_or_else(|| Error::not_found("community"))?;
                db::members::ensure_not_banned(conn, community.id, author.id)?;
                let role = db::communities::role_of(conn, community.id, author.id)?;
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
                let event = Event::CommentCreated {
                    comment: comment.clone(),
                    post,
                    community,
                    author,
                    activity_id: None,
                };
                db::outbox::emit(conn, &event)?;
                Ok(comment)
            }
        })
        .await?;
    Ok(comment)
}

/// Whether a remote author may put this post or comment in a local community.
pub async fn check_remote_author(
    ctx: &AppContext,
    community: &Community,
    author: &Person,
    reply_to: Option<&PostOrComment>,
) -> Result<()> {
    let (community, author_id) = (community.clone(), author.id);
    let locked = match reply_to {
        Some(PostOrComment::Post(p)) => Some(p.locked),
        Some(PostOrComment::Comment(c)) => {
            let post_id = c.post_id;
            Some(
                ctx.db(move |conn| Ok(db::posts::post(conn, post_id)?.is_some_and(|p| p.locked)))
                    .await?,
            )
        }
        None => None,
    };
    ctx.db(move |conn| {
        db::members::ensure_not_banned(conn, community.id, author_id)?;
        let role = db::communities::role_of(conn, community.id, author_id)?;
        match locked {
            Some(locked) => rules::may_comment(&community, role, locked),
            None => rules::may_post(&community, role),
        }
    })
    .await
}

/// Stores a remote post (or returns the one stored under its id).
pub async fn store_remote_post(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
) -> Result<Post> {
    store_remote_post_then(ctx, received, author, community, |_, _| Ok(())).await
}

/// As [`store_remote_post`], then runs `then` on the stored post in the same write (the event
/// an inbound `Create` emits and its receipt commit with the post, one transaction).
pub async fn store_remote_post_then<F>(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    community: &Community,
    then: F,
) -> Result<Post>
where
    F: FnOnce(&mut db::DbConn, &Post) -> Result<()> + Send + 'static,
{
    let title = received.title()?;
    let body_md = content::text_block("source", &received.markdown, rules::MAX_BODY)?;
    let (body_html, ap_id) = (received.html.clone(), received.ap_id.clone());
    let (community_id, author_id) = (community.id, author.id);
    let published = received.published;
    let base = ctx.url("");
    ctx.write(move |conn| {
        let post = match db::posts::post_by_ap_id(conn, &ap_id)? {
            Some(existing) => existing,
            None => {
                refuse_tombstoned(conn, &ap_id)?;
                let new = NewPost {
                    ap_id: Some(&ap_id),
                    community_id,
                    author_id,
                    title: &title,
                    body_md: &body_md,
                    body_html: &body_html,
                    published,
                };
                db::posts::insert_post(conn, &new, &base)?
            }
        };
        then(conn, &post)?;
        Ok(post)
    })
    .await
}

/// Stores a remote comment under its parent (or returns the one stored under its id).
pub async fn store_remote_comment(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    parent: &PostOrComment,
) -> Result<Comment> {
    store_remote_comment_then(ctx, received, author, parent, |_, _| Ok(())).await
}

/// As [`store_remote_comment`], then runs `then` on the stored comment in the same write.
pub async fn store_remote_comment_then<F>(
    ctx: &AppContext,
    received: &rules::Received,
    author: &Person,
    parent: &PostOrComment,
    then: F,
) -> Result<Comment>
where
    F: FnOnce(&mut db::DbConn, &Comment) -> Result<()> + Send + 'static,
{
    let body_md = content::text_block("source", &received.markdown, rules::MAX_COMMENT)?;
    let (body_html, ap_id) = (received.html.clone(), received.ap_id.clone());
    let (post_id, parent_id) = match parent {
        PostOrComment::Post(p) => (p.id, None),
        PostOrComment::Comment(c) => (c.post_id, Some(c.id)),
    };
    let author_id = author.id;
    let published = received.published;
    let base = ctx.url("");
    ctx.write(move |conn| {
        let comment = match db::posts::comment_by_ap_id(conn, &ap_id)? {
            Some(existing) => existing,
            None => {
                refuse_tombstoned(conn, &ap_id)?;
                let new = NewComment {
                    ap_id: Some(&ap_id),
                    post_id,
                    parent_id,
                    author_id,
                    body_md: &body_md,
                    body_html: &body_html,
                    published,
                };
                db::posts::insert_comment(conn, &new, &base)?
            }
        };
        then(conn, &comment)?;
        Ok(comment)
    })
    .await
}

/// 410 for an object deleted before it arrived (a Create that came after its Delete).
fn refuse_tombstoned(conn: &mut db::DbConn, ap_id: &str) -> Result<()> {
    if db::posts::is_tombstoned(conn, ap_id)? {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::Gone,
            "deleted",
            "this object was deleted before it arrived",
        ));
    }
    Ok(())
}
