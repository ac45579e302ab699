//! The surveys' forms: a new survey (`/c/{name}/surveys/new`, the moderators': `BLOCKS`
//! question blocks, each a prompt, a kind, "required" and the options one per line; a block
//! left without a prompt is skipped, so no script is needed to add or remove questions) and the
//! answers (`POST /surveys/{id}`: field `q{question id}`, once per option chosen). Refused
//! input shows the form again with the message (422); writes go through `actions::surveys`.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    moderation::community,
    render, see_other,
    surveys::{view, SurveyPage},
    threads::parse_utc_minute,
};
use crate::{
    actions,
    context::AppContext,
    db::communities::Community,
    domain::{
        communities::may_moderate,
        surveys::{self as rules, Given, Kind, QuestionInput},
    },
    error::{Error, Result},
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

/// How many question blocks the form shows.
pub const BLOCKS: usize = 8;

/// The form as typed.
pub(super) struct Typed {
    title: String,
    intro: String,
    anonymous: bool,
    closes_at: String,
    questions: Vec<QuestionInput>,
}

impl Typed {
    fn blank() -> Typed {
        Typed {
            title: String::new(),
            intro: String::new(),
            anonymous: false,
            closes_at: String::new(),
            questions: vec![QuestionInput::default(); BLOCKS],
        }
    }

    fn from_form(data: &[(String, String)]) -> Typed {
        let mut t = Typed::blank();
        for (key, value) in data {
            match key.as_str() {
                "title" => t.title = value.clone(),
                "intro" => t.intro = value.clone(),
                "anonymous" => t.anonymous = true,
                "closes_at" => t.closes_at = value.clone(),
                _ => {
                    let Some((n, field)) = key
                        .strip_prefix('q')
                        .and_then(|k| k.split_once('_'))
                        .and_then(|(n, f)| Some((n.parse::<usize>().ok()?, f)))
                    else {
                        continue;
                    };
                    let Some(q) = t.questions.get_mut(n) else {
                        continue;
                    };
                    match field {
                        "prompt" => q.prompt = value.clone(),
                        "kind" => q.kind = value.clone(),
                        "required" => q.required = true,
                        "options" => q.options = value.lines().map(str::to_string).collect(),
                        _ => {}
                    }
                }
            }
        }
        t
    }

    /// The options of block `n` as typed, one per line (for the textarea).
    pub fn options(&self, n: &usize) -> String {
        self.questions
            .get(*n)
            .map(|q| q.options.join("\n"))
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "survey_form.html", config = "src/web/askama.toml")]
struct NewPage {
    frame: Frame,
    c: Community,
    f: Typed,
    kinds: [Kind; 4],
    error: FormError,
}

/// The community, when `frame`'s viewer moderates it (403 otherwise).
async fn moderated(ctx: &AppContext, frame: &Frame, name: &str) -> Result<Community> {
    let c = community(ctx, name).await?;
    let (gate, viewer, checked) = (ctx.gate().clone(), frame.viewer(), c.clone());
    ctx.db(move |conn| {
        let sight = gate.sight(conn, &viewer, &checked)?;
        may_moderate(&checked, sight.role, viewer.is_admin())
    })
    .await?;
    Ok(c)
}

/// `GET /c/{name}/surveys/new`.
pub async fn new_form(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let c = moderated(&ctx, &frame, &name).await?;
    let page = NewPage {
        frame,
        c,
        f: Typed::blank(),
        kinds: Kind::ALL,
        error: FormError::none(),
    };
    Ok(render(&req, StatusCode::OK, page))
}

/// `POST /c/{name}/surveys/new`: to the new survey's page.
pub async fn create(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<HttpResponse> {
    let c = moderated(&ctx, &form.frame, &name).await?;
    let typed = Typed::from_form(&form.data);
    let closes_at = match typed.closes_at.trim() {
        "" => Ok(None),
        at => parse_utc_minute(at).map(Some),
    };
    let made = match closes_at.and_then(|at| {
        rules::parse(
            &typed.title,
            &typed.intro,
            typed.anonymous,
            at,
            &typed.questions,
            crate::db::now(),
        )
    }) {
        Ok(fields) => {
            actions::surveys::create(&ctx, &form.session.account, c.clone(), fields).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(id) => Ok(flash::redirect(
            &ctx,
            &format!("/surveys/{id}"),
            "The survey is open for answers.",
        )),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let page = NewPage {
                frame: form.frame,
                c,
                f: typed,
                kinds: Kind::ALL,
                error: FormError::of("survey", &e),
            };
            Ok(render(&req, status, page))
        }
    }
}

/// The answers in the form: `q{id}` fields, read by each question's kind.
fn given(s: &crate::views::surveys::SurveyView, data: &[(String, String)]) -> Result<Vec<Given>> {
    let mut out = Vec::new();
    for q in &s.questions {
        let key = format!("q{}", q.id);
        let values: Vec<&str> = data
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        let number = |v: &str| {
            v.parse::<i64>()
                .map_err(|_| Error::invalid_field(&key, "not one of the answers offered"))
        };
        let mut g = Given {
            question: q.id,
            ..Given::default()
        };
        match q.kind {
            Kind::Single | Kind::Multiple => {
                g.choices = values.iter().map(|v| number(v)).collect::<Result<_>>()?
            }
            Kind::Scale => g.scale = values.first().map(|v| number(v)).transpose()?,
            Kind::Text => g.text = values.first().map(|v| v.to_string()),
        }
        if !g.choices.is_empty() || g.scale.is_some() || g.text.is_some() {
            out.push(g);
        }
    }
    Ok(out)
}

/// `POST /surveys/{id}`: the answers; back to the survey ("you answered").
pub async fn answer(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<Vec<(String, String)>>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let s = view(&ctx, &form.frame, id).await?;
    let done = match given(&s, &form.data) {
        Ok(g) => actions::surveys::answer(&ctx, &form.session.account, id, g).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &format!("/surveys/{id}"),
            "Thank you: your answers were saved.",
        )),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let page = SurveyPage {
                frame: form.frame,
                s,
                error: FormError::of("answers", &e),
            };
            Ok(render(&req, status, page))
        }
    }
}
