//! Surveys (`surveys`), their questions (`survey_questions`), who answered
//! (`survey_respondents`) and the answers (`survey_answers`: random ids, no person, no time; a
//! named survey's answers carry a random `response_id` that its respondent row also holds).

use super::{
    schema::{persons, survey_answers, survey_questions, survey_respondents, surveys},
    DbConn,
};
use crate::{
    domain::surveys::{random_id, Kind, SurveyFields, Value},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = surveys)]
pub struct Survey {
    pub id: i64,
    pub community_id: i64,
    pub author_id: i64,
    pub title: String,
    pub intro: String,
    pub anonymous: bool,
    pub closes_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = survey_questions)]
struct QuestionRow {
    id: i64,
    kind: String,
    prompt: String,
    required: bool,
    options: String,
}

/// A stored question.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub kind: Kind,
    pub prompt: String,
    pub required: bool,
    pub options: Vec<String>,
}

/// One stored answer: its question, the respondent's name (a named survey) and its value.
#[derive(Debug, Clone)]
pub struct Answer {
    pub question_id: i64,
    pub respondent: Option<String>,
    pub value: Value,
}

/// Stores a new survey and its questions; answers its id.
pub fn insert(
    conn: &mut DbConn,
    community_id: i64,
    author_id: i64,
    fields: &SurveyFields,
    now: NaiveDateTime,
) -> Result<i64> {
    diesel::insert_into(surveys::table)
        .values((
            surveys::community_id.eq(community_id),
            surveys::author_id.eq(author_id),
            surveys::title.eq(&fields.title),
            surveys::intro.eq(&fields.intro),
            surveys::anonymous.eq(fields.anonymous),
            surveys::closes_at.eq(fields.closes_at),
            surveys::created_at.eq(now),
        ))
        .execute(conn)?;
    // In the write's transaction: the author's newest survey is this one.
    let id: i64 = surveys::table
        .filter(surveys::author_id.eq(author_id))
        .order(surveys::id.desc())
        .select(surveys::id)
        .first(conn)?;
    for (position, q) in fields.questions.iter().enumerate() {
        diesel::insert_into(survey_questions::table)
            .values((
                survey_questions::survey_id.eq(id),
                survey_questions::position.eq(position as i64),
                survey_questions::kind.eq(q.kind.as_str()),
                survey_questions::prompt.eq(&q.prompt),
                survey_questions::required.eq(q.required),
                survey_questions::options.eq(q.options.join("\n")),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// A survey by id.
pub fn get(conn: &mut DbConn, id: i64) -> Result<Option<Survey>> {
    Ok(surveys::table
        .find(id)
        .select(Survey::as_select())
        .first(conn)
        .optional()?)
}

/// A community's surveys, newest first.
pub fn of_community(conn: &mut DbConn, community_id: i64) -> Result<Vec<Survey>> {
    Ok(surveys::table
        .filter(surveys::community_id.eq(community_id))
        .order((surveys::created_at.desc(), surveys::id.desc()))
        .select(Survey::as_select())
        .load(conn)?)
}

/// A survey's questions in order.
pub fn questions(conn: &mut DbConn, survey_id: i64) -> Result<Vec<Question>> {
    let rows: Vec<QuestionRow> = survey_questions::table
        .filter(survey_questions::survey_id.eq(survey_id))
        .order(survey_questions::position.asc())
        .select(QuestionRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Question {
            id: r.id,
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Text),
            prompt: r.prompt,
            required: r.required,
            options: match r.options.is_empty() {
                true => Vec::new(),
                false => r.options.split('\n').map(str::to_string).collect(),
            },
        })
        .collect())
}

/// Whether `person_id` answered the survey.
pub fn answered(conn: &mut DbConn, survey_id: i64, person_id: i64) -> Result<bool> {
    Ok(survey_respondents::table
        .find((survey_id, person_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// How many people answered.
pub fn respondents(conn: &mut DbConn, survey_id: i64) -> Result<i64> {
    Ok(survey_respondents::table
        .filter(survey_respondents::survey_id.eq(survey_id))
        .count()
        .get_result(conn)?)
}

/// Stores one person's answers. In an anonymous survey the respondent row and the answers share
/// nothing: no person id, no response id, no time; the answers' ids are random. On PostgreSQL,
/// whose heap keeps rows in the order written and stamps each with its transaction, the
/// survey's answers are then written again in id order in this transaction (SQLite's table is
/// WITHOUT ROWID, ordered by the random id already): docs/SECURITY.md.
pub fn insert_answers(
    conn: &mut DbConn,
    survey: &Survey,
    person_id: i64,
    answers: &[(i64, Value)],
) -> Result<()> {
    let response = (!survey.anonymous).then(random_id);
    diesel::insert_into(survey_respondents::table)
        .values((
            survey_respondents::survey_id.eq(survey.id),
            survey_respondents::person_id.eq(person_id),
            survey_respondents::response_id.eq(&response),
        ))
        .execute(conn)?;
    for (question, value) in answers {
        let (choice, scale, text) = match value {
            Value::Choice(c) => (Some(*c), None, None),
            Value::Scale(s) => (None, Some(*s), None),
            Value::Text(t) => (None, None, Some(t.as_str())),
        };
        diesel::insert_into(survey_answers::table)
            .values((
                survey_answers::id.eq(random_id()),
                survey_answers::survey_id.eq(survey.id),
                survey_answers::question_id.eq(question),
                survey_answers::response_id.eq(&response),
                survey_answers::choice.eq(choice),
                survey_answers::scale.eq(scale),
                survey_answers::answer_text.eq(text),
            ))
            .execute(conn)?;
    }
    if survey.anonymous {
        if let DbConn::Pg(pg) = conn {
            rewrite_in_id_order(pg, survey.id)?;
        }
    }
    Ok(())
}

type AnswerRow = (
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Deletes and inserts again every answer of the survey, in random-id order, in one statement
/// pair: all rows then carry this transaction's `xmin`, and the heap order is the ids' order.
fn rewrite_in_id_order(pg: &mut diesel::PgConnection, survey_id: i64) -> Result<()> {
    let rows: Vec<AnswerRow> = diesel::delete(survey_answers::table)
        .filter(survey_answers::survey_id.eq(survey_id))
        .returning((
            survey_answers::id,
            survey_answers::survey_id,
            survey_answers::question_id,
            survey_answers::response_id,
            survey_answers::choice,
            survey_answers::scale,
            survey_answers::answer_text,
        ))
        .get_results(pg)?;
    let mut rows = rows;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, s, q, r, c, sc, t)| {
                (
                    survey_answers::id.eq(id),
                    survey_answers::survey_id.eq(s),
                    survey_answers::question_id.eq(q),
                    survey_answers::response_id.eq(r),
                    survey_answers::choice.eq(c),
                    survey_answers::scale.eq(sc),
                    survey_answers::answer_text.eq(t),
                )
            })
            .collect();
        diesel::insert_into(survey_answers::table)
            .values(values)
            .execute(pg)?;
    }
    Ok(())
}

/// An answer as read: question, choice, scale, text, the respondent's name.
type StoredAnswer = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// Every answer of a survey, ordered by question then by random id (never by when written);
/// a named survey's with the respondent's name.
pub fn answers(conn: &mut DbConn, survey: &Survey) -> Result<Vec<Answer>> {
    let rows: Vec<StoredAnswer> = survey_answers::table
        .left_join(
            survey_respondents::table.on(survey_respondents::survey_id
                .eq(survey_answers::survey_id)
                .and(survey_respondents::response_id.eq(survey_answers::response_id))),
        )
        .left_join(persons::table.on(persons::id.eq(survey_respondents::person_id)))
        .filter(survey_answers::survey_id.eq(survey.id))
        .order((survey_answers::question_id.asc(), survey_answers::id.asc()))
        .select((
            survey_answers::question_id,
            survey_answers::choice,
            survey_answers::scale,
            survey_answers::answer_text,
            persons::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(question_id, choice, scale, text, name)| Answer {
            question_id,
            respondent: name,
            value: match (choice, scale, text) {
                (Some(c), _, _) => Value::Choice(c),
                (_, Some(s), _) => Value::Scale(s),
                (_, _, t) => Value::Text(t.unwrap_or_default()),
            },
        })
        .collect())
}
