//! Polls: `POST /communities/{ref}/polls` opens a thread whose post is a question,
//! `GET /posts/{id}/poll` reads its poll as the caller sees it (counts only once the caller
//! voted, the poll closed, or to its author and the community's moderators),
//! `POST /posts/{id}/poll/votes` votes.

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions,
    context::{AppContext, RequestData},
    domain::polls as rules,
    error::{Error, ErrorBody},
    views::polls::PollView,
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPollRequest {
    /// The question: plain text, 1–200 characters.
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    /// 2–20 options, each 1–200 characters, all different.
    pub options: Vec<String>,
    /// Several options may be chosen.
    #[serde(default)]
    pub multiple: bool,
    /// When it closes (within a year); absent: never.
    pub closes_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct PollOptionJson {
    pub id: i64,
    pub name: String,
    /// Absent while the results are hidden from the caller.
    pub votes: Option<i64>,
    /// The caller voted for it.
    pub chosen: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PollJson {
    pub post_id: i64,
    pub multiple: bool,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed: bool,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOptionJson>,
    pub voted: bool,
    pub results_shown: bool,
    pub may_vote: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NewPollResponse {
    pub post: super::posts::PostView,
    pub poll: PollJson,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollVoteRequest {
    /// Option ids: one for a single-choice poll.
    pub choices: Vec<i64>,
}

fn poll_json(v: PollView) -> PollJson {
    PollJson {
        post_id: v.post_id,
        multiple: v.multiple,
        closes_at: v.closes_at.map(|t| t.and_utc()),
        closed: v.closed,
        voters_count: v.voters_count,
        options: v
            .options
            .into_iter()
            .map(|o| PollOptionJson {
                id: o.id,
                name: o.name,
                votes: o.votes,
                chosen: o.chosen,
            })
            .collect(),
        voted: v.voted,
        results_shown: v.results_shown,
        may_vote: v.may_vote,
    }
}

async fn read(
    ctx: &AppContext,
    viewer: crate::views::gate::Viewer,
    id: i64,
) -> Result<PollJson, Error> {
    let gate = ctx.gate().clone();
    let found = ctx
        .db(move |conn| crate::views::polls::read(conn, &gate, &viewer, id))
        .await?;
    let (_, view) = found.ok_or_else(|| Error::not_found(format_args!("the poll of post {id}")))?;
    Ok(poll_json(view))
}

/// Open a poll: a thread whose post is the question. In a community on another instance it is
/// sent there.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/polls", tag = "posts",
    operation_id = "create_poll",
    params(("ref" = String, Path, description = "local name or name@host")),
    request_body = NewPollRequest, security(("bearer" = [])),
    responses((status = 201, body = NewPollResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<NewPollRequest>,
) -> Result<HttpResponse, Error> {
    let closes_at = body.closes_at.map(|t| t.naive_utc());
    let fields = rules::parse(&body.options, body.multiple, closes_at, crate::db::now())?;
    let community = actions::communities::find(&data, &reference).await?;
    let (title, text) = (&body.title, &body.body);
    let post =
        actions::polls::create(&data, &account, community, title, text, fields, Vec::new()).await?;
    let poll = read(&data, super::viewer(Some(&account)), post.id).await?;
    let post = super::posts::post_view(&data, post).await?;
    Ok(HttpResponse::Created().json(NewPollResponse { post, poll }))
}

/// A thread's poll, as the caller sees it.
#[utoipa::path(get, path = "/api/v1/posts/{id}/poll", tag = "posts",
    operation_id = "get_poll", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "post id")),
    responses((status = 200, body = PollJson), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let poll = read(&data, super::viewer(account.as_ref()), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(poll))
}

/// Vote in a thread's poll: refused (409) for an option voted for before or a second vote in a
/// single-choice poll, (422) once the poll is closed.
#[utoipa::path(post, path = "/api/v1/posts/{id}/poll/votes", tag = "posts",
    operation_id = "vote_in_poll",
    params(("id" = i64, Path, description = "post id")),
    request_body = PollVoteRequest, security(("bearer" = [])),
    responses((status = 200, body = PollJson), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn vote(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<PollVoteRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    actions::polls::vote(&data, &account, id, body.choices).await?;
    let poll = read(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Ok().json(poll))
}
