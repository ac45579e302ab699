//! The thread page's forms that withdraw or flag content: delete (its author), report (anyone
//! who reads it), and for the community's moderators remove and restore with a reason, lock and
//! pin. Each goes through `actions/` and ends in a 303 back to the thread with a flash message;
//! a refusal is an error page with its status (403 to a non-moderator, 404, 422).

use super::{
    flash,
    form::Form,
    thread_forms::{target, thread_of},
};
use crate::{
    actions::{self, editing::Target},
    context::AppContext,
    db,
    error::{Error, ErrorKind},
};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The reason of a removal, restoration, report or lock (optional but for a report).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

impl ReasonForm {
    fn given(&self) -> Option<String> {
        Some(self.reason.clone()).filter(|r| !r.trim().is_empty())
    }
}

/// A malformed field of one of these small forms (an empty report, a vote of 7) answers 422 with
/// the error page, like a refused form elsewhere, rather than 400.
pub(super) fn unprocessable(mut e: Error) -> Error {
    if e.kind == ErrorKind::BadRequest {
        e.kind = ErrorKind::Unprocessable;
    }
    e
}

/// Where an author's deleted post leaves them: its community's page.
async fn community_of(ctx: &AppContext, post_id: i64) -> Result<String, Error> {
    let c = ctx
        .db(move |conn| db::posts::thread_community(conn, post_id))
        .await?;
    if c.local {
        return Ok(format!("/c/{}", c.name));
    }
    let handle = crate::domain::names::handle(&c.name, &c.ap_id, "");
    Ok(format!("/c/{handle}"))
}

/// Deletes (the author) or removes with the reason given (a moderator): the one action,
/// `actions::editing::delete`, decides which by who asks.
pub async fn delete<const POST: bool>(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ReasonForm>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    let account = &form.session.account;
    let reason = form.data.given();
    let (person, admin) = (&account.person, account.user.is_admin);
    let author = ctx
        .db({
            let gate = ctx.gate().clone();
            let viewer = form.frame.viewer();
            move |conn| {
                let state = crate::views::gate::State::Visible;
                Ok(gate.content(conn, target, state, &viewer)?.author_id())
            }
        })
        .await?;
    actions::editing::delete(ctx, person, admin, target, reason).await?;
    let (location, message) = match target {
        Target::Post(id) if author == person.id => {
            (community_of(ctx, id).await?, "Your post was deleted.")
        }
        _ if author == person.id => (thread_of(ctx, target).await?, "Your comment was deleted."),
        _ => (thread_of(ctx, target).await?, "Removed."),
    };
    Ok(flash::redirect(ctx, &location, message))
}

pub async fn restore<const POST: bool>(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ReasonForm>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::editing::restore(ctx, person, admin, target, form.data.given()).await?;
    Ok(flash::redirect(
        ctx,
        &thread_of(ctx, target).await?,
        "Restored.",
    ))
}

pub async fn report<const POST: bool>(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ReasonForm>,
) -> Result<HttpResponse, Error> {
    let (ctx, target) = (&ctx, target::<POST>(id));
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    actions::reports::file(ctx, person, admin, target, &form.data.reason)
        .await
        .map_err(unprocessable)?;
    let message = "Thank you: your report was sent to the moderators.";
    Ok(flash::redirect(
        ctx,
        &thread_of(ctx, target).await?,
        message,
    ))
}

#[derive(Deserialize)]
pub struct LockForm {
    locked: bool,
    #[serde(default)]
    reason: String,
}

/// Locks or unlocks the thread (`actions::moderation::lock`).
pub async fn lock(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<LockForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    let LockForm { locked, reason } = form.data;
    let reason = Some(reason).filter(|r| !r.trim().is_empty());
    actions::moderation::lock(&ctx, person, admin, id, locked, reason).await?;
    let message = if locked {
        "The thread is locked."
    } else {
        "The thread is unlocked."
    };
    Ok(flash::redirect(&ctx, &format!("/post/{id}"), message))
}

#[derive(Deserialize)]
pub struct PinForm {
    pinned: bool,
}

/// Pins or unpins the thread (`actions::moderation::pin`).
pub async fn pin(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<PinForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    let pinned = form.data.pinned;
    actions::moderation::pin(&ctx, person, admin, id, pinned).await?;
    let message = if pinned {
        "The thread is pinned."
    } else {
        "The thread is unpinned."
    };
    Ok(flash::redirect(&ctx, &format!("/post/{id}"), message))
}
