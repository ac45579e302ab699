//! The forms of a thread page, each a POST under `/post/{id}/…` or `/comment/{id}/…` that goes
//! through `actions/` and ends in a 303 back to the thread (`/post/{id}#comment-{cid}`) with a
//! flash message: reply, vote (pressing one's current vote sends 0 and withdraws it), edit (its
//! own page), delete (the author), report, and for the community's moderators remove and restore
//! (with a reason), lock and pin. A refused reply or edit is shown again on the compose page; any
//! other refusal is an error page with its status (403, 404, 422).

use super::{
    flash,
    form::{Form, FormError},
    frame::Frame,
    see_other,
    threads::{ComposeForm, ComposePage},
};
use crate::{
    actions::{self, editing::Target},
    context::AppContext,
    db,
    error::{Error, ErrorKind},
    views::gate::State,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// The target of a form under `/post/{id}/…` (`POST`) or `/comment/{id}/…`: each form has one
/// handler for both, routed twice.
pub(super) fn target<const POST: bool>(id: web::Path<i64>) -> Target {
    let id = id.into_inner();
    if POST {
        Target::Post(id)
    } else {
        Target::Comment(id)
    }
}

/// The thread page of a post or comment: `/post/{id}`, or `/post/{id}#comment-{cid}`.
pub(super) async fn thread_of(ctx: &AppContext, target: Target) -> Result<String, Error> {
    match target {
        Target::Post(id) => Ok(format!("/post/{id}")),
        Target::Comment(id) => {
            let c = ctx.db(move |conn| db::posts::comment(conn, id)).await?;
            let c = c.ok_or_else(|| target.missing())?;
            Ok(format!("/post/{}#comment-{}", c.post_id, c.id))
        }
    }
}

/// A reply's compose page (shown again when refused, or previewed).
fn reply_page(frame: Frame, post_id: i64, parent_id: Option<i64>) -> ComposePage {
    let back = match parent_id {
        Some(c) => format!("/post/{post_id}#comment-{c}"),
        None => format!("/post/{post_id}"),
    };
    ComposePage {
        frame,
        heading: "Reply".into(),
        action: format!("/post/{post_id}/comments"),
        back,
        title: None,
        body: String::new(),
        parent_id,
        preview: None,
        submit: "Reply",
        poll: None,
        also_post_in: Vec::new(),
        error: FormError::none(),
    }
}

/// `POST /post/{id}/comments`: a reply to the post, or to one of its comments (`parent_id`).
pub async fn reply(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    Form {
        frame,
        session,
        data,
    }: Form<ComposeForm>,
) -> Result<HttpResponse, Error> {
    let post_id = id.into_inner();
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    ctx.db(move |conn| gate.content(conn, Target::Post(post_id), State::Visible, &viewer))
        .await?;
    let (preview, parent, body) = (data.preview.is_some(), data.parent_id, data.body.clone());
    let page = reply_page(frame, post_id, parent).typed(data);
    if preview {
        return Ok(super::render(&req, actix_web::http::StatusCode::OK, page));
    }
    let account = &session.account;
    let outcome = actions::posts::create_comment(&ctx, account, post_id, parent, &body)
        .await
        .map(|c| {
            (
                format!("/post/{post_id}#comment-{}", c.id),
                "Your reply was posted.",
            )
        });
    page.finish(&req, &ctx, outcome)
}

#[derive(Deserialize)]
pub struct VoteForm {
    /// 1, -1, or 0 to withdraw one's vote.
    score: i32,
}

pub async fn vote<const POST: bool>(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<VoteForm>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    let score = form.data.score;
    actions::votes::vote(ctx, &form.session.account, target, score)
        .await
        .map_err(super::thread_moderation::unprocessable)?;
    let message = if score == 0 {
        "Your vote was withdrawn."
    } else {
        "Your vote was counted."
    };
    Ok(flash::redirect(
        ctx,
        &thread_of(ctx, target).await?,
        message,
    ))
}

/// The edit page of one's own post or comment, with its markdown source: found through the
/// read gate first (404 for what the reader may not read), then the author's only (403).
async fn edit_page(ctx: &AppContext, frame: Frame, target: Target) -> Result<ComposePage, Error> {
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let content = ctx
        .db(move |conn| gate.content(conn, target, State::Visible, &viewer))
        .await?;
    let Some(account) = &frame.account else {
        return Err(Error::unauthorized("Log in to edit."));
    };
    if content.author_id() != account.person.id {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "not_the_author",
            "Only the author may edit this.",
        ));
    }
    let back = thread_of(ctx, target).await?;
    let (heading, action, title, body) = match (target, content.comment) {
        (Target::Comment(id), Some(c)) => (
            "Edit your comment",
            format!("/comment/{id}/edit"),
            None,
            c.body_md,
        ),
        _ => (
            "Edit your post",
            format!("/post/{}/edit", content.post.id),
            Some(content.post.title),
            content.post.body_md,
        ),
    };
    Ok(ComposePage {
        frame,
        heading: heading.into(),
        action,
        back,
        title,
        body,
        parent_id: None,
        preview: None,
        submit: "Save",
        poll: None,
        also_post_in: Vec::new(),
        error: FormError::none(),
    })
}

/// `/post/{id}/edit` and `/comment/{id}/edit`.
pub async fn edit_form<const POST: bool>(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    if frame.account.is_none() {
        // Asked of the gate all the same (so a hidden target is a 404 like a missing one).
        return match edit_page(ctx, frame, target).await {
            Err(e) if e.kind == ErrorKind::NotFound => Err(e),
            _ => Ok(see_other("/login")),
        };
    }
    let page = edit_page(ctx, frame, target).await?;
    Ok(super::render(&req, actix_web::http::StatusCode::OK, page))
}

/// Saves an edit (`actions::editing::edit`), or shows the preview.
pub async fn edit<const POST: bool>(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ComposeForm>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    let Form {
        frame,
        session,
        data,
    } = form;
    let preview = data.preview.is_some();
    let (title, body) = (data.title.clone(), data.body.clone());
    let page = edit_page(ctx, frame, target).await?.typed(data);
    if preview {
        return Ok(super::render(&req, actix_web::http::StatusCode::OK, page));
    }
    let title = title.filter(|_| matches!(target, Target::Post(_)));
    let person = &session.account.person;
    let outcome = match actions::editing::edit(ctx, person, target, title, Some(body)).await {
        Ok(()) => Ok((thread_of(ctx, target).await?, "Your changes were saved.")),
        Err(e) => Err(e),
    };
    page.finish(&req, ctx, outcome)
}
