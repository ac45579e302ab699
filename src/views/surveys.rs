//! Surveys as a viewer sees them, through the read gate (a survey of a community whose content
//! the viewer may not read is 404): a community's list, one survey with whether the viewer may
//! answer it, and its results (the community's moderators only: 403 otherwise), counted here.

use super::gate::{Gate, Viewer};
use crate::{
    db::{
        self,
        communities::Community,
        surveys::{Question, Survey},
        DbConn,
    },
    domain::{
        communities::{may_moderate, Role},
        polls::is_closed,
        surveys::{Kind, Value, SCALE},
    },
    error::{Error, Result},
};

/// A survey in a community's list.
pub struct Line {
    pub survey: Survey,
    pub closed: bool,
    pub respondents: i64,
    /// The viewer answered it.
    pub answered: bool,
}

/// A community's surveys, open ones first.
pub struct Listing {
    pub community: Community,
    pub moderates: bool,
    pub member: bool,
    pub open: Vec<Line>,
    pub closed: Vec<Line>,
}

/// One survey for one viewer.
pub struct SurveyView {
    pub survey: Survey,
    pub community: Community,
    pub questions: Vec<Question>,
    pub closed: bool,
    pub respondents: i64,
    pub member: bool,
    pub answered: bool,
    /// A member who has not answered, while it is open.
    pub may_answer: bool,
    pub moderates: bool,
}

/// One question's results.
pub struct QuestionResult {
    pub number: usize,
    pub question: Question,
    /// Choice and scale questions: each option (or 1–5) and how many chose it.
    pub counts: Vec<(String, i64)>,
    /// Text questions: each answer, with the respondent's name in a named survey (ordered by
    /// the answers' random ids, never by when they were given).
    pub texts: Vec<(Option<String>, String)>,
}

pub struct Results {
    pub view: SurveyView,
    pub questions: Vec<QuestionResult>,
}

fn missing(id: i64) -> Error {
    Error::not_found(format_args!("The survey {id}"))
}

/// A survey, its community and the viewer's role in it, when the gate lets `viewer` read the
/// community's content (404 otherwise, so that a private community's surveys do not show that
/// they exist).
pub fn find(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    id: i64,
) -> Result<(Survey, Community, Option<Role>)> {
    let survey = db::surveys::get(conn, id)?.ok_or_else(|| missing(id))?;
    let community =
        db::communities::by_id(conn, survey.community_id)?.ok_or_else(|| missing(id))?;
    let role = gate
        .sight(conn, viewer, &community)?
        .or_else(|| missing(id))?;
    Ok((survey, community, role))
}

fn line(conn: &mut DbConn, survey: Survey, viewer: &Viewer) -> Result<Line> {
    let answered = match viewer.person_id() {
        Some(p) => db::surveys::answered(conn, survey.id, p)?,
        None => false,
    };
    Ok(Line {
        closed: is_closed(survey.closes_at, db::now()),
        respondents: db::surveys::respondents(conn, survey.id)?,
        answered,
        survey,
    })
}

/// A local community's surveys (None when the gate hides its content).
pub fn list(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: Community,
) -> Result<Option<Listing>> {
    let sight = gate.sight(conn, viewer, &community)?;
    if !sight.content {
        return Ok(None);
    }
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for survey in db::surveys::of_community(conn, community.id)? {
        let l = line(conn, survey, viewer)?;
        match l.closed {
            true => closed.push(l),
            false => open.push(l),
        }
    }
    Ok(Some(Listing {
        moderates: community.local
            && may_moderate(&community, sight.role, viewer.is_admin()).is_ok(),
        member: sight.role.is_some(),
        community,
        open,
        closed,
    }))
}

/// Survey `id` for `viewer`.
pub fn read(conn: &mut DbConn, gate: &Gate, viewer: &Viewer, id: i64) -> Result<SurveyView> {
    let (survey, community, role) = find(conn, gate, viewer, id)?;
    let l = line(conn, survey, viewer)?;
    let member = role.is_some();
    Ok(SurveyView {
        questions: db::surveys::questions(conn, l.survey.id)?,
        may_answer: member && !l.answered && !l.closed,
        moderates: may_moderate(&community, role, viewer.is_admin()).is_ok(),
        closed: l.closed,
        respondents: l.respondents,
        answered: l.answered,
        member,
        survey: l.survey,
        community,
    })
}

/// Survey `id`'s results, for its community's moderators (403 `not_a_moderator` otherwise).
pub fn results(conn: &mut DbConn, gate: &Gate, viewer: &Viewer, id: i64) -> Result<Results> {
    let view = read(conn, gate, viewer, id)?;
    gate.moderates(conn, viewer, &view.community)?;
    let answers = db::surveys::answers(conn, &view.survey)?;
    let questions = view
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let mine = answers.iter().filter(|a| a.question_id == q.id);
            let labels: Vec<String> = match q.kind {
                Kind::Scale => SCALE.map(|v| v.to_string()).collect(),
                _ => q.options.clone(),
            };
            let mut counts: Vec<(String, i64)> = labels.into_iter().map(|l| (l, 0)).collect();
            let mut texts = Vec::new();
            for a in mine {
                let slot = match &a.value {
                    Value::Choice(c) => usize::try_from(*c).ok(),
                    Value::Scale(s) => usize::try_from(*s - 1).ok(),
                    Value::Text(t) => {
                        texts.push((a.respondent.clone(), t.clone()));
                        None
                    }
                };
                if let Some((_, count)) = slot.and_then(|i| counts.get_mut(i)) {
                    *count += 1;
                }
            }
            QuestionResult {
                number: n + 1,
                question: q.clone(),
                counts,
                texts,
            }
        })
        .collect();
    Ok(Results { view, questions })
}
