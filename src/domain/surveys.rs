//! Surveys: what a valid survey is (a title, an intro, 1 to `MAX_QUESTIONS` questions of four
//! kinds, each optionally required, an optional closing time), what a valid set of answers to
//! it is, and the refusals of answering (closed, answered before).

use crate::{
    domain::{content, polls},
    error::{Error, ErrorKind, Result},
};
use chrono::NaiveDateTime;

pub const MAX_QUESTIONS: usize = 30;
pub const MAX_TITLE: usize = 200;
pub const MAX_INTRO: usize = 5000;
pub const MAX_PROMPT: usize = 500;
/// Longest free-text answer (characters).
pub const MAX_TEXT: usize = 5000;
/// The scale's ends.
pub const SCALE: std::ops::RangeInclusive<i64> = 1..=5;

/// A question's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One of the options.
    Single,
    /// Any of the options.
    Multiple,
    /// 1 to 5.
    Scale,
    /// Free text.
    Text,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Single, Kind::Multiple, Kind::Scale, Kind::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Scale => "scale",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn has_options(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple)
    }
}

/// A question as typed (API or form).
#[derive(Debug, Clone, Default)]
pub struct QuestionInput {
    pub kind: String,
    pub prompt: String,
    pub required: bool,
    pub options: Vec<String>,
}

/// A checked question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionFields {
    pub kind: Kind,
    pub prompt: String,
    pub required: bool,
    pub options: Vec<String>,
}

/// A checked new survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFields {
    pub title: String,
    pub intro: String,
    pub anonymous: bool,
    pub closes_at: Option<NaiveDateTime>,
    pub questions: Vec<QuestionFields>,
}

/// Checks a new survey (questions with a blank prompt are left out).
pub fn parse(
    title: &str,
    intro: &str,
    anonymous: bool,
    closes_at: Option<NaiveDateTime>,
    questions: &[QuestionInput],
    now: NaiveDateTime,
) -> Result<SurveyFields> {
    let title = content::plain_line("title", title, 1, MAX_TITLE)?;
    let intro = content::text_block("intro", intro, MAX_INTRO)?;
    polls::check_closes_at(closes_at, now)?;
    let mut kept = Vec::new();
    for (n, q) in questions.iter().enumerate() {
        if q.prompt.trim().is_empty() {
            continue;
        }
        let field = format!("questions[{n}]");
        let kind = Kind::parse(q.kind.trim()).ok_or_else(|| {
            Error::invalid_field(&field, "the kind is single, multiple, scale or text")
        })?;
        let prompt = content::plain_line(&field, &q.prompt, 1, MAX_PROMPT)?;
        let options = match kind.has_options() {
            true => {
                polls::parse(&q.options, false, None, now)
                    .map_err(|e| Error::invalid_field(&field, e.message))?
                    .options
            }
            false => Vec::new(),
        };
        kept.push(QuestionFields {
            kind,
            prompt,
            required: q.required,
            options,
        });
    }
    if !(1..=MAX_QUESTIONS).contains(&kept.len()) {
        return Err(Error::invalid_field(
            "questions",
            format_args!("a survey has 1 to {MAX_QUESTIONS} questions"),
        ));
    }
    Ok(SurveyFields {
        title,
        intro,
        anonymous,
        closes_at,
        questions: kept,
    })
}

/// A stored question, as answers are checked against it.
#[derive(Debug, Clone)]
pub struct Asked {
    pub id: i64,
    pub kind: Kind,
    pub required: bool,
    pub options: usize,
}

/// One answer as given: `choices` (option indexes) for a choice question, `scale` or `text`.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub question: i64,
    pub choices: Vec<i64>,
    pub scale: Option<i64>,
    pub text: Option<String>,
}

/// A checked answer: one per option chosen, scale value or text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Choice(i64),
    Scale(i64),
    Text(String),
}

/// Checks a person's answers against the survey's questions: every answer to a question of
/// this survey, once, of its kind; every required question answered. Blank texts and empty
/// choices count as not answered.
pub fn check_answers(questions: &[Asked], given: &[Given]) -> Result<Vec<(i64, Value)>> {
    let mut out = Vec::new();
    let mut answered = Vec::new();
    for g in given {
        let Some((n, q)) = questions
            .iter()
            .enumerate()
            .find(|(_, q)| q.id == g.question)
        else {
            return Err(Error::invalid_field(
                "answers",
                format_args!("there is no question {} in this survey", g.question),
            ));
        };
        let field = format!("q{}", q.id);
        let at = |m: &str| Error::invalid_field(&field, format_args!("question {}: {m}", n + 1));
        if answered.contains(&q.id) {
            return Err(at("answered twice"));
        }
        let before = out.len();
        match q.kind {
            Kind::Single | Kind::Multiple => {
                if g.scale.is_some() || g.text.is_some() {
                    return Err(at("choose among its options"));
                }
                if q.kind == Kind::Single && g.choices.len() > 1 {
                    return Err(at("choose one option"));
                }
                let mut seen = Vec::new();
                for &c in &g.choices {
                    if c < 0 || c as usize >= q.options || seen.contains(&c) {
                        return Err(at("no such option"));
                    }
                    seen.push(c);
                    out.push((q.id, Value::Choice(c)));
                }
            }
            Kind::Scale => {
                if !g.choices.is_empty() || g.text.is_some() {
                    return Err(at("give a number from 1 to 5"));
                }
                if let Some(v) = g.scale {
                    if !SCALE.contains(&v) {
                        return Err(at("give a number from 1 to 5"));
                    }
                    out.push((q.id, Value::Scale(v)));
                }
            }
            Kind::Text => {
                if !g.choices.is_empty() || g.scale.is_some() {
                    return Err(at("answer in words"));
                }
                let text = content::text_block(&field, g.text.as_deref().unwrap_or(""), MAX_TEXT)
                    .map_err(|e| at(&e.message.replace(&format!("{field}: "), "")))?;
                if !text.is_empty() {
                    out.push((q.id, Value::Text(text)));
                }
            }
        }
        if out.len() > before {
            answered.push(q.id);
        }
    }
    if let Some((n, q)) = questions
        .iter()
        .enumerate()
        .find(|(_, q)| q.required && !answered.contains(&q.id))
    {
        return Err(Error::invalid_field(
            &format!("q{}", q.id),
            format_args!("question {}: an answer is required", n + 1),
        ));
    }
    if out.is_empty() {
        return Err(Error::invalid_field(
            "answers",
            "answer at least one question",
        ));
    }
    Ok(out)
}

/// Refuses an answer to a closed survey (422) or a second one (409).
pub fn check_open(
    closes_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    answered: bool,
) -> Result<()> {
    if polls::is_closed(closes_at, now) {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "survey_closed",
            "This survey is closed: it takes no more answers.",
        ));
    }
    if answered {
        return Err(Error::new(
            ErrorKind::Conflict,
            "already_answered",
            "You have already answered this survey.",
        ));
    }
    Ok(())
}

/// A new answer id: 128 random bits in hex (no order, nothing sequential).
pub fn random_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn asked() -> Vec<Asked> {
        vec![
            Asked {
                id: 1,
                kind: Kind::Single,
                required: true,
                options: 3,
            },
            Asked {
                id: 2,
                kind: Kind::Multiple,
                required: false,
                options: 3,
            },
            Asked {
                id: 3,
                kind: Kind::Scale,
                required: false,
                options: 0,
            },
            Asked {
                id: 4,
                kind: Kind::Text,
                required: false,
                options: 0,
            },
        ]
    }

    fn choice(question: i64, choices: Vec<i64>) -> Given {
        Given {
            question,
            choices,
            ..Given::default()
        }
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let q = asked();
        let ok = check_answers(
            &q,
            &[
                choice(1, vec![2]),
                choice(2, vec![0, 1]),
                Given {
                    question: 3,
                    scale: Some(5),
                    ..Given::default()
                },
                Given {
                    question: 4,
                    text: Some(" fine ".into()),
                    ..Given::default()
                },
            ],
        )
        .expect("valid");
        assert_eq!(ok.len(), 5);
        assert_eq!(ok[4], (4, Value::Text("fine".into())));
        // Required question missing; unknown option; scale 6; unknown question; two choices.
        assert!(check_answers(&q, &[choice(2, vec![0])]).is_err());
        assert!(check_answers(&q, &[choice(1, vec![3])]).is_err());
        let six = Given {
            question: 3,
            scale: Some(6),
            ..Given::default()
        };
        assert!(check_answers(&q, &[choice(1, vec![0]), six]).is_err());
        assert!(check_answers(&q, &[choice(9, vec![0])]).is_err());
        assert!(check_answers(&q, &[choice(1, vec![0, 1])]).is_err());
        let long = Given {
            question: 4,
            text: Some("x".repeat(MAX_TEXT + 1)),
            ..Given::default()
        };
        assert!(check_answers(&q, &[choice(1, vec![0]), long]).is_err());
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(random_id(), random_id());
        assert_eq!(random_id().len(), 32);
    }
}
