//! Polls on the pages: `/post/{id}/poll` (the question, the vote form, the results when the
//! reader may see them; never cached, so a closed poll's results show at once) and its POST,
//! the vote (`actions::polls::vote`), ending in a 303 back to it with a flash message. New polls
//! are made on a community's new-thread page (`web::threads`).

use super::{flash, form::Form, frame::Frame, html, not_found, thread_moderation::unprocessable};
use crate::{
    actions,
    context::AppContext,
    error::Error,
    views::polls::{self, PollView},
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "poll.html", config = "src/web/askama.toml")]
struct PollPage {
    frame: Frame,
    post_id: i64,
    title: String,
    poll: Option<PollView>,
}

/// `/post/{id}/poll`.
pub async fn page(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let post_id = id.into_inner();
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(move |conn| polls::read(conn, &gate, &viewer, post_id))
        .await?;
    let Some((post, poll)) = found else {
        return not_found(&ctx, format!("The poll {post_id}"));
    };
    let page = PollPage {
        frame,
        post_id,
        title: post.title,
        poll: Some(poll),
    };
    html(StatusCode::OK, &page)
}

/// `POST /post/{id}/poll`: the options chosen (`choice`, once per option).
pub async fn vote(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let post_id = id.into_inner();
    let mut choices = Vec::new();
    for (key, value) in &form.data {
        if key == "choice" {
            let choice = value
                .parse::<i64>()
                .map_err(|_| Error::invalid_field("choices", "no such option in this poll"))?;
            choices.push(choice);
        }
    }
    actions::polls::vote(&ctx, &form.session.account, post_id, choices)
        .await
        .map_err(unprocessable)?;
    Ok(flash::redirect(
        &ctx,
        &format!("/post/{post_id}/poll"),
        "Your vote was counted.",
    ))
}
