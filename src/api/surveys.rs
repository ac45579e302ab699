//! Surveys: `GET|POST /communities/{ref}/surveys` (list; create, moderators),
//! `GET /surveys/{id}` (the questions, and whether the caller may answer),
//! `POST /surveys/{id}/answers` (a member, once; 409 the second time, 422 once closed),
//! `GET /surveys/{id}/results` (moderators: counts per option, the free-text answers).

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions,
    context::{AppContext, RequestData},
    domain::surveys::{self as rules, Given, QuestionInput},
    error::{Error, ErrorBody},
    views::surveys::{self as views, Line, Results, SurveyView},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    /// `single`, `multiple`, `scale` (1–5) or `text`.
    pub kind: String,
    /// 1–500 characters.
    pub prompt: String,
    #[serde(default)]
    pub required: bool,
    /// A choice question's 2–20 options (each 1–200 characters, all different).
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurveyRequest {
    /// 1–200 characters.
    pub title: String,
    /// Plain text shown above the questions, up to 5000 characters.
    #[serde(default)]
    pub intro: String,
    /// Fixed at creation: no one can link an answer to the person who gave it.
    #[serde(default)]
    pub anonymous: bool,
    /// When it closes (within a year); absent: never.
    pub closes_at: Option<DateTime<Utc>>,
    /// 1–30 questions.
    pub questions: Vec<NewQuestion>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionJson {
    pub id: i64,
    pub kind: String,
    pub prompt: String,
    pub required: bool,
    /// A choice question's options: an answer names them by their index (from 0).
    pub options: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SurveyJson {
    pub id: i64,
    /// The community's local name.
    pub community: String,
    pub title: String,
    pub intro: String,
    pub anonymous: bool,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed: bool,
    pub respondents: i64,
    /// The caller answered it.
    pub answered: bool,
    /// The caller is a member who has not answered, and it is open.
    pub may_answer: bool,
    pub questions: Vec<QuestionJson>,
}

#[derive(Serialize, ToSchema)]
pub struct SurveyLineJson {
    pub id: i64,
    pub title: String,
    pub anonymous: bool,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed: bool,
    pub respondents: i64,
    pub answered: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerJson {
    /// The question's id.
    pub question: i64,
    /// A choice question: the options' indexes (one for `single`).
    #[serde(default)]
    pub choices: Vec<i64>,
    /// A scale question: 1–5.
    pub scale: Option<i64>,
    /// A text question: up to 5000 characters.
    pub text: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersRequest {
    pub answers: Vec<AnswerJson>,
}

#[derive(Serialize, ToSchema)]
pub struct CountJson {
    /// The option, or the scale's value.
    pub label: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TextAnswerJson {
    /// Who wrote it; absent in an anonymous survey.
    pub respondent: Option<String>,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionResultJson {
    pub id: i64,
    pub kind: String,
    pub prompt: String,
    pub counts: Vec<CountJson>,
    /// A text question's answers, in random order.
    pub texts: Vec<TextAnswerJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsJson {
    pub survey: SurveyJson,
    pub questions: Vec<QuestionResultJson>,
}

fn utc(t: Option<chrono::NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

fn survey_json(v: SurveyView) -> SurveyJson {
    SurveyJson {
        id: v.survey.id,
        community: v.community.name,
        title: v.survey.title,
        intro: v.survey.intro,
        anonymous: v.survey.anonymous,
        closes_at: utc(v.survey.closes_at),
        closed: v.closed,
        respondents: v.respondents,
        answered: v.answered,
        may_answer: v.may_answer,
        questions: v
            .questions
            .into_iter()
            .map(|q| QuestionJson {
                id: q.id,
                kind: q.kind.as_str().into(),
                prompt: q.prompt,
                required: q.required,
                options: q.options,
            })
            .collect(),
    }
}

fn line_json(l: Line) -> SurveyLineJson {
    SurveyLineJson {
        id: l.survey.id,
        title: l.survey.title,
        anonymous: l.survey.anonymous,
        closes_at: utc(l.survey.closes_at),
        closed: l.closed,
        respondents: l.respondents,
        answered: l.answered,
    }
}

async fn read(
    ctx: &AppContext,
    viewer: crate::views::gate::Viewer,
    id: i64,
) -> Result<SurveyJson, Error> {
    let gate = ctx.gate().clone();
    let view = ctx
        .db(move |conn| views::read(conn, &gate, &viewer, id))
        .await?;
    Ok(survey_json(view))
}

/// A community's surveys, newest first (open and closed).
#[utoipa::path(get, path = "/api/v1/communities/{ref}/surveys", tag = "communities",
    operation_id = "list_surveys", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host")),
    responses((status = 200, body = [SurveyLineJson]), (status = 404, body = ErrorBody)))]
pub async fn list(
    data: RequestData,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let (gate, viewer) = (data.gate().clone(), super::viewer(account.as_ref()));
    let listing = data
        .db(move |conn| views::list(conn, &gate, &viewer, community))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("The community {reference}")))?;
    let lines: Vec<SurveyLineJson> = listing
        .open
        .into_iter()
        .chain(listing.closed)
        .map(line_json)
        .collect();
    Ok(HttpResponse::Ok().json(lines))
}

/// Create a survey (the community's moderators; local communities only).
#[utoipa::path(post, path = "/api/v1/communities/{ref}/surveys", tag = "communities",
    operation_id = "create_survey",
    params(("ref" = String, Path, description = "local name")),
    request_body = NewSurveyRequest, security(("bearer" = [])),
    responses((status = 201, body = SurveyJson), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<NewSurveyRequest>,
) -> Result<HttpResponse, Error> {
    let questions: Vec<QuestionInput> = body
        .questions
        .into_iter()
        .map(|q| QuestionInput {
            kind: q.kind,
            prompt: q.prompt,
            required: q.required,
            options: q.options,
        })
        .collect();
    if questions.iter().any(|q| q.prompt.trim().is_empty()) {
        return Err(Error::invalid_field(
            "questions",
            "every question has a prompt",
        ));
    }
    let fields = rules::parse(
        &body.title,
        &body.intro,
        body.anonymous,
        body.closes_at.map(|t| t.naive_utc()),
        &questions,
        crate::db::now(),
    )?;
    let community = actions::communities::find(&data, &reference).await?;
    let id = actions::surveys::create(&data, &account, community, fields).await?;
    let survey = read(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Created().json(survey))
}

/// A survey's questions, and whether the caller may answer it.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "communities",
    operation_id = "get_survey", security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "survey id")),
    responses((status = 200, body = SurveyJson), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let survey = read(&data, super::viewer(account.as_ref()), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(survey))
}

/// Answer a survey (its community's members, once): 403 for others, 409 the second time, 422
/// once it is closed, 400 for an answer that does not fit its question.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/answers", tag = "communities",
    operation_id = "answer_survey",
    params(("id" = i64, Path, description = "survey id")),
    request_body = AnswersRequest, security(("bearer" = [])),
    responses((status = 201, body = SurveyJson), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn answer(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
    ApiJson(body): ApiJson<AnswersRequest>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let given = body
        .answers
        .into_iter()
        .map(|a| Given {
            question: a.question,
            choices: a.choices,
            scale: a.scale,
            text: a.text,
        })
        .collect();
    actions::surveys::answer(&data, &account, id, given).await?;
    let survey = read(&data, super::viewer(Some(&account)), id).await?;
    Ok(HttpResponse::Created().json(survey))
}

/// A survey's results, for its community's moderators: per question the count of each option
/// (or scale value) and the free-text answers (in an anonymous survey with no one named).
#[utoipa::path(get, path = "/api/v1/surveys/{id}/results", tag = "communities",
    operation_id = "survey_results", security(("bearer" = [])),
    params(("id" = i64, Path, description = "survey id")),
    responses((status = 200, body = ResultsJson), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn results(
    data: web::Data<AppContext>,
    Auth(account): Auth,
    id: web::Path<i64>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let (gate, viewer) = (data.gate().clone(), super::viewer(Some(&account)));
    let Results { view, questions } = data
        .db(move |conn| views::results(conn, &gate, &viewer, id))
        .await?;
    let questions = questions
        .into_iter()
        .map(|r| QuestionResultJson {
            id: r.question.id,
            kind: r.question.kind.as_str().into(),
            prompt: r.question.prompt,
            counts: r
                .counts
                .into_iter()
                .map(|(label, count)| CountJson { label, count })
                .collect(),
            texts: r
                .texts
                .into_iter()
                .map(|(respondent, text)| TextAnswerJson { respondent, text })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ResultsJson {
        survey: survey_json(view),
        questions,
    }))
}
