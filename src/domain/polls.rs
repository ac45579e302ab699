//! Polls: what a valid poll is (2 to `MAX_OPTIONS` options, single or multiple choice, an
//! optional closing time), what a received `Question` may bring (bounded), who may vote when,
//! and who sees the results.

use crate::{
    domain::content,
    error::{Error, ErrorKind, Result},
};
use chrono::NaiveDateTime;

pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 20;
/// Longest option text (characters).
pub const MAX_OPTION: usize = 200;
/// Furthest closing time from now (days).
pub const MAX_DAYS: i64 = 366;

/// A new poll, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PollFields {
    pub options: Vec<String>,
    pub multiple: bool,
    pub closes_at: Option<NaiveDateTime>,
}

/// Checks a new poll's options (blank ones left out; duplicates refused) and closing time.
pub fn parse(
    options: &[String],
    multiple: bool,
    closes_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<PollFields> {
    let mut kept: Vec<String> = Vec::new();
    for option in options.iter().filter(|o| !o.trim().is_empty()) {
        let option = content::plain_line("options", option, 1, MAX_OPTION)?;
        if kept.contains(&option) {
            return Err(Error::invalid_field(
                "options",
                format_args!("the option \"{option}\" is given twice"),
            ));
        }
        kept.push(option);
    }
    if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&kept.len()) {
        return Err(Error::invalid_field(
            "options",
            format_args!("a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options"),
        ));
    }
    check_closes_at(closes_at, now)?;
    Ok(PollFields {
        options: kept,
        multiple,
        closes_at,
    })
}

/// Checks a closing time (of a poll or a survey): in the future, within `MAX_DAYS`.
pub fn check_closes_at(closes_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Result<()> {
    let Some(at) = closes_at else { return Ok(()) };
    if at <= now {
        return Err(Error::invalid_field(
            "closes_at",
            "the closing time must be in the future",
        ));
    }
    if at > now + chrono::Duration::days(MAX_DAYS) {
        return Err(Error::invalid_field(
            "closes_at",
            format_args!("it closes within {MAX_DAYS} days"),
        ));
    }
    Ok(())
}

/// The options of a poll as one text per line (the form's textarea).
pub fn options_from_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// A poll received from another server (`Question`), bounded: at most `MAX_OPTIONS` options,
/// each plain text of at most `MAX_OPTION` characters, counts never negative.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedPoll {
    pub options: Vec<(String, i64)>,
    pub multiple: bool,
    pub closes_at: Option<NaiveDateTime>,
    pub voters_count: i64,
}

/// A received poll from the wire's options (name, count): None when it is not a poll we can
/// keep (fewer than two named options, or too many).
pub fn received(
    options: Vec<(String, i64)>,
    multiple: bool,
    closes_at: Option<NaiveDateTime>,
    voters_count: Option<i64>,
) -> Option<ReceivedPoll> {
    if options.len() > MAX_OPTIONS {
        return None;
    }
    let mut kept: Vec<(String, i64)> = Vec::new();
    for (name, count) in options {
        let name = content::html_to_text(&name);
        let name: String = name.trim().chars().take(MAX_OPTION).collect();
        if name.is_empty() || kept.iter().any(|(n, _)| *n == name) {
            return None;
        }
        kept.push((name, count.max(0)));
    }
    if kept.len() < MIN_OPTIONS {
        return None;
    }
    let total: i64 = kept.iter().map(|(_, c)| c).sum();
    Some(ReceivedPoll {
        options: kept,
        multiple,
        closes_at,
        voters_count: voters_count.unwrap_or(total).max(0),
    })
}

/// Whether a poll closing at `closes_at` is closed at `now`.
pub fn is_closed(closes_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    closes_at.is_some_and(|at| at <= now)
}

/// Checks a vote: the poll is open, the choices are of this poll, one only for a single-choice
/// poll, and none given before by this person (a single-choice poll: no vote at all before).
/// `chosen_before` are the options this person voted for already.
pub fn check_vote(
    multiple: bool,
    closes_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    choices: &[i64],
    options: &[i64],
    chosen_before: &[i64],
) -> Result<()> {
    if is_closed(closes_at, now) {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "poll_closed",
            "This poll is closed.",
        ));
    }
    if choices.is_empty() {
        return Err(Error::invalid_field("choices", "choose an option"));
    }
    if choices.iter().any(|c| !options.contains(c)) {
        return Err(Error::invalid_field(
            "choices",
            "no such option in this poll",
        ));
    }
    if !multiple && (choices.len() > 1 || !chosen_before.is_empty()) {
        return Err(match chosen_before.is_empty() {
            true => Error::invalid_field("choices", "this poll takes one choice"),
            false => already_voted(),
        });
    }
    let mut seen = Vec::new();
    for c in choices {
        if chosen_before.contains(c) || seen.contains(c) {
            return Err(already_voted());
        }
        seen.push(*c);
    }
    Ok(())
}

fn already_voted() -> Error {
    Error::new(
        ErrorKind::Conflict,
        "already_voted",
        "You have already voted for this.",
    )
}

/// Whether the results are shown: to those who voted, to the author and the community's
/// moderators, and to everyone once the poll is closed.
pub fn results_shown(voted: bool, author_or_moderator: bool, closed: bool) -> bool {
    voted || author_or_moderator || closed
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("time")
            .naive_utc()
    }

    #[test]
    fn options_are_bounded_and_distinct() {
        let two = vec!["a".to_string(), " ".into(), "b".into()];
        assert_eq!(
            parse(&two, false, None, now()).expect("ok").options.len(),
            2
        );
        assert!(parse(&["a".into()], false, None, now()).is_err());
        assert!(parse(&["a".into(), "a".into()], false, None, now()).is_err());
        let many: Vec<String> = (0..=MAX_OPTIONS).map(|i| i.to_string()).collect();
        assert!(parse(&many, false, None, now()).is_err());
        assert!(parse(&two, false, Some(now()), now()).is_err());
    }

    #[test]
    fn single_choice_takes_one_vote_and_multiple_one_per_option() {
        let opts = [1, 2, 3];
        assert!(check_vote(false, None, now(), &[1], &opts, &[]).is_ok());
        assert!(check_vote(false, None, now(), &[1, 2], &opts, &[]).is_err());
        let again = check_vote(false, None, now(), &[2], &opts, &[1]).expect_err("twice");
        assert_eq!(again.code, "already_voted");
        assert!(check_vote(true, None, now(), &[1, 2], &opts, &[]).is_ok());
        assert!(check_vote(true, None, now(), &[2], &opts, &[1]).is_ok());
        assert!(check_vote(true, None, now(), &[1], &opts, &[1]).is_err());
        assert!(check_vote(true, None, now(), &[9], &opts, &[]).is_err());
        let late = check_vote(true, Some(now()), now(), &[1], &opts, &[]).expect_err("late");
        assert_eq!(late.code, "poll_closed");
    }

    #[test]
    fn received_polls_are_bounded() {
        let ok = received(vec![("a".into(), 2), ("b".into(), -1)], false, None, None);
        assert_eq!(ok.expect("poll").voters_count, 2);
        assert!(received(vec![("a".into(), 1)], false, None, None).is_none());
        let many = (0..=MAX_OPTIONS).map(|i| (i.to_string(), 0)).collect();
        assert!(received(many, false, None, None).is_none());
    }
}
