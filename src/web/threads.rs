//! Threads on the pages: `/post/{id}` (the post, its comments, and for a signed-in reader the
//! forms to reply, vote, edit, delete, report and moderate: see `web::thread_forms`),
//! `/comment/{id}` (its place in the thread), and `/c/{name}/submit` (a new thread, with a
//! preview that saves nothing). The compose page (`compose.html`) serves every markdown form
//! shown again: a preview, a refusal, an edit.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, not_found, render, see_other, shared_reader, through_cache,
};
use crate::{
    actions,
    context::AppContext,
    db::{self, accounts::Person, communities::Community, posts::Post},
    domain::{attachments::Attachment, content, names::handle},
    error::{Error, ErrorKind},
    views::{
        gate::{State, Target},
        threads::{self, ThreadEntry},
    },
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// One comment of a thread page, with its depth (indentation stops at 5).
struct ThreadComment {
    id: i64,
    depth: usize,
    author: String,
    author_url: String,
    published: String,
    body_html: String,
    /// `[deleted]` or `[removed]` in place of a withdrawn comment that still has replies.
    placeholder: Option<&'static str>,
    removed: bool,
    score: i64,
    /// The viewer's vote: 1, -1 or 0.
    vote: i32,
    /// Written by the viewer.
    mine: bool,
    /// What its server attached (none for a placeholder).
    attachments: Vec<Attachment>,
}

#[derive(Template)]
#[template(path = "post.html", config = "src/web/askama.toml")]
struct PostPage {
    frame: Frame,
    post: Post,
    community: Community,
    author: Person,
    author_handle: String,
    comments: Vec<ThreadComment>,
    /// Comments shown with their content (placeholders not counted).
    shown: usize,
    /// The viewer's vote on the post, and whether they wrote it or moderate its community.
    vote: i32,
    mine: bool,
    moderates: bool,
    /// The thread's poll, if it is one.
    poll: Option<crate::views::polls::PollView>,
    /// The pages it became and those citing it; whether the viewer may make one of it.
    links: crate::views::library::PostLinks,
    /// The other communities it is in ("also in"), and where a signed-in reader may put it.
    also_in: Vec<super::thread_sharing::AlsoIn>,
    sharing: super::thread_sharing::Choices,
    /// What the post's server attached to it.
    attachments: Vec<Attachment>,
}

/// A markdown form shown on a page of its own: a new thread, a reply, an edit; first shown, with
/// a preview, or refused (with the message next to its field).
#[derive(Template)]
#[template(path = "compose.html", config = "src/web/askama.toml")]
pub(super) struct ComposePage {
    pub frame: Frame,
    pub heading: String,
    /// Where the form posts, and the page it came from.
    pub action: String,
    pub back: String,
    /// Shown (and posted) for a post; None for a comment.
    pub title: Option<String>,
    pub body: String,
    pub parent_id: Option<i64>,
    /// The sanitised HTML of `body`, when the reader asked for a preview.
    pub preview: Option<String>,
    pub submit: &'static str,
    /// The poll fields, on a new thread's page (a thread whose post is a question).
    pub poll: Option<PollInput>,
    /// On a new thread's page: the other communities the author may post it in too.
    pub also_post_in: Vec<super::thread_sharing::AlsoPostIn>,
    pub error: FormError,
}

/// What was typed in a new thread's poll fields.
#[derive(Default, Clone)]
pub(super) struct PollInput {
    /// One option a line.
    pub options: String,
    pub multiple: bool,
    /// `YYYY-MM-DDTHH:MM` (UTC), or empty.
    pub closes: String,
}

/// The fields of every markdown form: the API's (`title`, `body`, `parent_id`), and `preview`
/// (the second submit button) to see the result without saving it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ComposeForm {
    pub title: Option<String>,
    pub body: String,
    pub parent_id: Option<i64>,
    pub preview: Option<String>,
    /// A new thread's poll: its options, one a line (none: no poll), …
    pub poll_options: Option<String>,
    /// … `1` for multiple choice, …
    pub poll_multiple: Option<String>,
    /// … and its closing time (UTC, `YYYY-MM-DDTHH:MM`), if any.
    pub poll_closes: Option<String>,
}

impl ComposeForm {
    /// The poll asked for with a new thread (None when no option was given).
    fn poll(&self) -> Result<Option<crate::domain::polls::PollFields>, Error> {
        let Some(options) = self
            .poll_options
            .as_deref()
            .filter(|o| !o.trim().is_empty())
        else {
            return Ok(None);
        };
        let closes_at = match self.poll_closes.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(at) => Some(parse_utc_minute(at)?),
        };
        let options = crate::domain::polls::options_from_lines(options);
        let multiple = self.poll_multiple.is_some();
        crate::domain::polls::parse(&options, multiple, closes_at, db::now()).map(Some)
    }
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional), read as UTC.
pub(super) fn parse_utc_minute(at: &str) -> Result<chrono::NaiveDateTime, Error> {
    chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| Error::invalid_field("closes_at", "give the time as YYYY-MM-DDTHH:MM (UTC)"))
}

impl ComposePage {
    /// The page with what was typed, previewed if asked.
    pub(super) fn typed(mut self, data: ComposeForm) -> ComposePage {
        self.preview = data
            .preview
            .is_some()
            .then(|| content::markdown_to_html(&data.body));
        self.title = self.title.map(|t| data.title.unwrap_or(t));
        if let Some(poll) = &mut self.poll {
            poll.options = data.poll_options.unwrap_or_default();
            poll.multiple = data.poll_multiple.is_some();
            poll.closes = data.poll_closes.unwrap_or_default();
        }
        self.body = data.body;
        self
    }

    /// The end of a markdown form: on success a redirect to `done.0` with the message `done.1`;
    /// a refusal shows the form again with its message (or the error page, for our failures).
    pub(super) fn finish(
        self,
        req: &HttpRequest,
        ctx: &AppContext,
        outcome: Result<(String, &str), Error>,
    ) -> Result<HttpResponse, Error> {
        match outcome {
            Ok((location, message)) => Ok(flash::redirect(ctx, &location, message)),
            Err(e) => {
                let Some(status) = reshown_status(&e) else {
                    return Err(e);
                };
                let page = ComposePage {
                    error: FormError::of("compose", &e),
                    ..self
                };
                Ok(render(req, status, page))
            }
        }
    }
}

/// The community a `name` (local) or `name@host` (known here) names.
pub(super) async fn community(ctx: &AppContext, name: &str) -> Result<Option<Community>, Error> {
    let our_host = ctx.settings().hostname.clone();
    let name = name.to_string();
    ctx.db(move |conn| match name.split_once('@') {
        Some((n, host)) if host != our_host => db::communities::remote_by_handle(conn, n, host),
        Some((n, _)) => db::communities::local_by_name(conn, n),
        None => db::communities::local_by_name(conn, &name),
    })
    .await
}

/// The new-thread form of a community (`name` or `name@host`), with the other communities the
/// author may post it in too.
fn submit_page(
    frame: Frame,
    c: &Community,
    reference: &str,
    also_post_in: Vec<super::thread_sharing::AlsoPostIn>,
) -> ComposePage {
    ComposePage {
        frame,
        heading: format!("New thread in {}", c.title),
        action: format!("/c/{reference}/submit"),
        back: format!("/c/{reference}"),
        title: Some(String::new()),
        body: String::new(),
        parent_id: None,
        preview: None,
        submit: "Post thread",
        poll: Some(PollInput::default()),
        also_post_in,
        error: FormError::none(),
    }
}

/// `/c/{name}/submit`: the form (log in first).
pub async fn submit_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let Some(person_id) = frame.account.as_ref().map(|a| a.person.id) else {
        return Ok(see_other("/login"));
    };
    let Some(c) = community(&ctx, &name).await? else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let also = super::thread_sharing::also_post_in(&ctx, person_id, &c).await?;
    Ok(render(
        &req,
        StatusCode::OK,
        submit_page(frame, &c, &name, also),
    ))
}

/// Opens the thread (`actions::posts::create_post`, also in the communities checked), or shows
/// the preview.
pub async fn submit(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data,
    }: Form<super::thread_sharing::NewThreadForm>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let Some(c) = community(&ctx, &name).await? else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let account = &session.account;
    let (data, checked) = (data.compose, data.also_in);
    let preview = data.preview.is_some();
    let (title, body) = (data.title.clone().unwrap_or_default(), data.body.clone());
    let poll = data.poll();
    let mut also = super::thread_sharing::also_post_in(&ctx, account.person.id, &c).await?;
    for choice in &mut also {
        choice.checked = checked.contains(&choice.handle);
    }
    let page = submit_page(frame, &c, &name, also).typed(data);
    if preview {
        return Ok(render(&req, StatusCode::OK, page));
    }
    let outcome = match (poll, actions::sharing::also_in(&ctx, &checked).await) {
        (Ok(None), Ok(also)) => {
            actions::posts::create_post(&ctx, account, c, &title, &body, also).await
        }
        (Ok(Some(poll)), Ok(also)) => {
            actions::polls::create(&ctx, account, c, &title, &body, poll, also).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
    .map(|post| (format!("/post/{}", post.id), "Your thread was posted."));
    page.finish(&req, &ctx, outcome)
}

/// The thread's comments for the page, with the viewer's votes.
fn comment_lines(
    entries: Vec<ThreadEntry>,
    votes: &std::collections::HashMap<String, i32>,
    attachments: &mut std::collections::HashMap<i64, Vec<Attachment>>,
    viewer: Option<i64>,
    our_host: &str,
) -> Vec<ThreadComment> {
    entries
        .into_iter()
        .map(|e| ThreadComment {
            attachments: match e.shown {
                threads::Shown::Visible => attachments.remove(&e.comment.id).unwrap_or_default(),
                _ => Vec::new(),
            },
            id: e.comment.id,
            depth: e.depth.min(5),
            author: handle(&e.author.name, &e.author.ap_id, our_host),
            author_url: e.author.ap_id.to_string(),
            published: e.comment.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            body_html: e.comment.body_html,
            placeholder: e.shown.placeholder(),
            removed: e.shown == threads::Shown::Removed,
            score: e.comment.score,
            vote: votes.get(e.comment.ap_id.as_str()).copied().unwrap_or(0),
            mine: viewer == Some(e.comment.author_id),
        })
        .collect()
}

/// A thread: the post and its comments, to those the read gate lets read them. Signed-out
/// readers get it through the read cache, at the thread's and its community's version.
pub async fn thread(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    if !shared_reader(&frame) {
        return thread_page(&ctx, frame, id).await;
    }
    let version = ctx.db(move |conn| db::versions::thread(conn, id)).await?;
    let page = thread_page(&ctx, frame, id);
    through_cache(&ctx, format!("/post/{id}"), version, page).await
}

async fn thread_page(ctx: &AppContext, frame: Frame, id: i64) -> Result<HttpResponse, Error> {
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let person = viewer.person_id();
    // The thread, what the library says of it and its poll: one trip to the database.
    let found = ctx
        .db(move |conn| {
            let Some(t) = threads::read(conn, &gate, &viewer, id)? else {
                return Ok(None);
            };
            let links = crate::views::library::post_links(
                conn,
                &gate,
                &viewer,
                &t.community,
                id,
                Some(t.sight),
            )?;
            let poll = crate::views::polls::of_post(conn, &t.post, person, t.moderates)?;
            Ok(Some((t, links, poll)))
        })
        .await?;
    let Some((t, links, poll)) = found else {
        return not_found(ctx, format!("The post {id}"));
    };
    let poll = poll.map(|p| match person {
        Some(_) => p,
        // Signed-out readers share one cached page: options only, the results on its page.
        None => crate::views::polls::without_results(p),
    });
    let host = &ctx.settings().hostname;
    let also_in = super::thread_sharing::also_in(&t.communities, host);
    let sharing = match person {
        Some(person) => {
            super::thread_sharing::choices(&t.post, &t.community, &t.communities, person, host)
        }
        None => Default::default(),
    };
    let mut attachments = t.attachments;
    let comments = comment_lines(
        t.comments,
        &t.votes,
        &mut attachments.comments,
        person,
        host,
    );
    let page = PostPage {
        also_in,
        sharing,
        author_handle: handle(&t.author.name, &t.author.ap_id, host),
        shown: comments.iter().filter(|c| c.placeholder.is_none()).count(),
        vote: t.votes.get(t.post.ap_id.as_str()).copied().unwrap_or(0),
        mine: person == Some(t.post.author_id),
        moderates: t.moderates,
        attachments: attachments.post,
        poll,
        links,
        frame,
        comments,
        post: t.post,
        community: t.community,
        author: t.author,
    };
    html(StatusCode::OK, &page)
}

/// A comment's page is its place in the thread. A comment the reader may not read is answered
/// like a missing one, not redirected to its post.
pub async fn comment(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let target = Target::Comment(id);
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(
            move |conn| match gate.content(conn, target, State::Visible, &viewer) {
                Ok(content) => Ok(content.comment),
                Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?;
    let Some(c) = found else {
        return not_found(&ctx, format!("The comment {id}"));
    };
    Ok(see_other(&format!("/post/{}#comment-{}", c.post_id, c.id)))
}
