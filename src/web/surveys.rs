//! Surveys on the pages: a community's list (`/c/{name}/surveys`), one survey with its answer
//! form for members (`/surveys/{id}`; "you answered" afterwards), and its results for the
//! moderators (`/surveys/{id}/results`: a chart and a table per choice or scale question, drawn
//! by `health_charts`, the free-text answers listed; the CSV at `/surveys/{id}/results.csv`).
//! The creation form and the answers' POST are in `survey_forms`.

use super::{
    form::FormError,
    frame::Frame,
    health_charts::{self as charts, Chart},
    moderation::community,
    render, see_other,
};
use crate::{
    context::AppContext,
    domain::surveys::Kind,
    error::{Error, Result},
    views::surveys::{self as views, Listing, QuestionResult, SurveyView},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "surveys.html", config = "src/web/askama.toml")]
struct ListPage {
    frame: Frame,
    l: Listing,
    /// The open surveys, then the closed ones: heading, id, lines.
    sections: Vec<(&'static str, &'static str, Vec<views::Line>)>,
}

#[derive(Template)]
#[template(path = "survey.html", config = "src/web/askama.toml")]
pub(super) struct SurveyPage {
    pub frame: Frame,
    pub s: SurveyView,
    pub error: FormError,
}

/// One question's results as the page shows them.
struct Shown {
    r: QuestionResult,
    chart: Option<Chart>,
}

#[derive(Template)]
#[template(path = "survey_results.html", config = "src/web/askama.toml")]
struct ResultsPage {
    frame: Frame,
    s: SurveyView,
    questions: Vec<Shown>,
}

/// `GET /c/{name}/surveys`.
pub async fn list(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let c = community(&ctx, &name).await?;
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    let mut l = ctx
        .db(move |conn| views::list(conn, &gate, &viewer, c))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("The community {name}")))?;
    let sections = vec![
        ("Open", "open", std::mem::take(&mut l.open)),
        ("Closed", "closed", std::mem::take(&mut l.closed)),
    ];
    Ok(render(
        &req,
        StatusCode::OK,
        ListPage { frame, l, sections },
    ))
}

/// Survey `id` for the frame's viewer.
pub(super) async fn view(ctx: &AppContext, frame: &Frame, id: i64) -> Result<SurveyView> {
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    ctx.db(move |conn| views::read(conn, &gate, &viewer, id))
        .await
}

/// `GET /surveys/{id}`.
pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let s = view(&ctx, &frame, id.into_inner()).await?;
    let page = SurveyPage {
        frame,
        s,
        error: FormError::none(),
    };
    Ok(render(&req, StatusCode::OK, page))
}

async fn results_of(ctx: &AppContext, frame: &Frame, id: i64) -> Result<views::Results> {
    let (gate, viewer) = (ctx.gate().clone(), frame.viewer());
    ctx.db(move |conn| views::results(conn, &gate, &viewer, id))
        .await
}

fn chart_of(r: &QuestionResult) -> Option<Chart> {
    if r.question.kind == Kind::Text {
        return None;
    }
    let labels: Vec<String> = r.counts.iter().map(|(l, _)| l.clone()).collect();
    let counts: Vec<f64> = r.counts.iter().map(|(_, c)| *c as f64).collect();
    let first = match r.question.kind {
        Kind::Scale => "Value (1 to 5)",
        _ => "Option",
    };
    let desc = format!(
        "Question {}: how many answers chose each {}.",
        r.number,
        match r.question.kind {
            Kind::Scale => "value of the scale",
            _ => "option",
        }
    );
    let heading = format!("Question {}: {}", r.number, r.question.prompt);
    let id = format!("q{}", r.number);
    Some(charts::chart(
        &id,
        &heading,
        desc,
        first,
        labels,
        vec![("answers", counts)],
    ))
}

/// `GET /surveys/{id}/results` (the community's moderators; signed out: to `/login`).
pub async fn results(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let r = results_of(&ctx, &frame, id.into_inner()).await?;
    let questions = r
        .questions
        .into_iter()
        .map(|r| Shown {
            chart: chart_of(&r),
            r,
        })
        .collect();
    let page = ResultsPage {
        frame,
        s: r.view,
        questions,
    };
    Ok(render(&req, StatusCode::OK, page))
}

/// `GET /surveys/{id}/results.csv`: one line per option or scale value (with its count) and
/// per free-text answer; the respondent's name only in a named survey.
pub async fn results_csv(
    ctx: web::Data<AppContext>,
    frame: Frame,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let r = results_of(&ctx, &frame, id.into_inner()).await?;
    let mut rows = Vec::new();
    for q in &r.questions {
        let (n, kind) = (q.number.to_string(), q.question.kind.as_str());
        for (label, count) in &q.counts {
            let row = [&n, &q.question.prompt, kind, label, &count.to_string(), ""];
            rows.push(row.map(str::to_string).to_vec());
        }
        for (who, text) in &q.texts {
            let who = who.as_deref().unwrap_or("");
            rows.push(
                [&n, &q.question.prompt, kind, text, "1", who]
                    .map(str::to_string)
                    .to_vec(),
            );
        }
    }
    let table = Chart {
        id: "survey".into(),
        heading: r.view.survey.title.clone(),
        desc: String::new(),
        columns: [
            "question",
            "prompt",
            "kind",
            "answer",
            "count",
            "respondent",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
        svg: None,
    };
    let file = format!("survey-{}-results.csv", r.view.survey.id);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(charts::csv(&table)))
}
