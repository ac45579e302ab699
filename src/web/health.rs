//! The health figures pages: `/c/{name}/health` for a local community's moderators (and this
//! instance's administrators) and `/admin/health` for the administrators, both from the newest
//! daily snapshot (`views::health`), drawn by `health_charts`; each figure's CSV at
//! `{page}.csv?figure=NAME&period=weeks|months`. Signed out: to `/login`; anyone else: 403.

use super::{
    frame::Frame,
    health_charts::{self as charts, Chart, Span},
    moderation::community,
    render, see_other,
};
use crate::{
    context::AppContext,
    error::{Error, Result},
    views::health::{self, Snapshot},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "health.html", config = "src/web/askama.toml")]
struct HealthPage {
    frame: Frame,
    /// `health` on the administrators' page (its navigation), empty on a community's.
    section: &'static str,
    subject: String,
    back: String,
    /// The page's address; the CSV of a figure is at `{base}.csv`.
    base: String,
    span: &'static str,
    day: Option<String>,
    charts: Vec<Chart>,
}

#[derive(Deserialize)]
pub struct Query {
    period: Option<String>,
    figure: Option<String>,
}

fn span(q: &Query) -> Result<Span> {
    Span::parse(q.period.as_deref())
        .ok_or_else(|| Error::invalid_field("period", "must be weeks or months"))
}

/// `GET /c/{name}/health`.
pub async fn community_page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
    q: web::Query<Query>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let span = span(&q)?;
    let c = community(&ctx, &name).await?;
    let snapshot = health::community(&ctx, frame.viewer(), c.clone()).await?;
    let page = page(
        frame,
        snapshot,
        span,
        (format!("!{}", c.name), format!("/c/{}", c.name), ""),
    );
    Ok(render(&req, StatusCode::OK, page))
}

/// `GET /admin/health`.
pub async fn instance_page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    q: web::Query<Query>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let span = span(&q)?;
    let snapshot = health::instance(&ctx, frame.viewer()).await?;
    let subject = frame.hostname.clone();
    let page = page(frame, snapshot, span, (subject, "/admin".into(), "health"));
    Ok(render(&req, StatusCode::OK, page))
}

fn page(
    frame: Frame,
    snapshot: Option<Snapshot>,
    span: Span,
    (subject, back, section): (String, String, &'static str),
) -> HealthPage {
    let base = if section.is_empty() {
        format!("{back}/health")
    } else {
        "/admin/health".into()
    };
    let (day, charts) = match snapshot {
        Some(s) => {
            let charts = charts::charts(&s.figures, span, &s.day, false);
            (Some(s.day), charts)
        }
        None => (None, Vec::new()),
    };
    HealthPage {
        frame,
        section,
        subject,
        back,
        base,
        span: span.as_str(),
        day,
        charts,
    }
}

/// `GET /c/{name}/health.csv?figure=NAME`.
pub async fn community_csv(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
    q: web::Query<Query>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let span = span(&q)?;
    let c = community(&ctx, &name).await?;
    let snapshot = health::community(&ctx, frame.viewer(), c.clone()).await?;
    csv(snapshot, &q, span, &c.name)
}

/// `GET /admin/health.csv?figure=NAME`.
pub async fn instance_csv(
    ctx: web::Data<AppContext>,
    frame: Frame,
    q: web::Query<Query>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let span = span(&q)?;
    let snapshot = health::instance(&ctx, frame.viewer()).await?;
    csv(snapshot, &q, span, "instance")
}

/// One figure of the snapshot as a CSV download (404 before the first snapshot).
fn csv(snapshot: Option<Snapshot>, q: &Query, span: Span, subject: &str) -> Result<HttpResponse> {
    let figure = q.figure.as_deref().unwrap_or("summary");
    if !charts::FIGURES.contains(&figure) {
        return Err(Error::invalid_field(
            "figure",
            format!("must be one of {}", charts::FIGURES.join(", ")),
        ));
    }
    let s = snapshot.ok_or_else(|| Error::not_found("A health snapshot"))?;
    let all = charts::charts(&s.figures, span, &s.day, true);
    let chart = all
        .iter()
        .find(|c| c.id == figure)
        .ok_or_else(|| Error::not_found("The figure"))?;
    let file = format!("{subject}-{figure}-{}-{}.csv", span.as_str(), s.day);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(charts::csv(chart)))
}
