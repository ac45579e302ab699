//! Applications to join: answers to a community's joining questions as the one text a moderator
//! reads (and a remote community receives as a `Follow`'s `content`), and the answers read back
//! out of a free-text message from another server.

use crate::{
    domain::content,
    error::{Error, Result},
};

/// Longest answer to one joining question.
pub const MAX_ANSWER: usize = 2_000;
/// Longest application text, however many messages it was gathered from.
pub const MAX_APPLICATION: usize = 12_000;

/// Formats answers to the community's questions as one text: each question, a newline, its
/// answer, and a blank line between pairs. Answers beyond the questions are refused (one answer
/// is always allowed, as a message when there are no questions).
pub fn application_text(questions: &[String], answers: &[String]) -> Result<Option<String>> {
    if answers.len() > questions.len().max(1) {
        return Err(Error::invalid_field(
            "answers",
            format_args!("the community asks {} question(s)", questions.len()),
        ));
    }
    let mut text = String::new();
    for (i, answer) in answers.iter().enumerate() {
        let answer = content::text_block(&format!("answers[{i}]"), answer, MAX_ANSWER)?;
        match questions.get(i) {
            Some(q) => text.push_str(&format!("{q}\n{answer}\n\n")),
            None => text.push_str(&format!("{answer}\n\n")),
        }
    }
    let text = text.trim().to_string();
    Ok((!text.is_empty()).then_some(text))
}

/// Reads answers to `questions` out of a free-text message (plain text), when its shape says
/// which answer is which: the question-and-answer blocks copse sends, numbered lines (`1.`,
/// `2)`), or exactly one non-empty line per question. None when it says nothing of the kind (the
/// message is then kept as it came).
pub fn split_answers(questions: &[String], message: &str) -> Option<Vec<String>> {
    if questions.is_empty() {
        return None;
    }
    let message = message.replace("\r\n", "\n");
    // copse's own shape: "question\nanswer" blocks, in order.
    let blocks: Vec<&str> = message
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect();
    let from_blocks: Option<Vec<String>> = blocks
        .iter()
        .zip(questions)
        .map(|(block, q)| {
            let (first, rest) = block.split_once('\n')?;
            (first.trim() == q.trim()).then(|| rest.trim().to_string())
        })
        .collect();
    if let Some(answers) = from_blocks.filter(|a| !a.is_empty() && blocks.len() <= questions.len())
    {
        return Some(answers);
    }
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let numbered: Vec<(usize, &str)> = lines.iter().filter_map(|l| numbered(l)).collect();
    if !numbered.is_empty() && numbered.len() == lines.len() {
        let mut answers = vec![String::new(); questions.len()];
        for (n, text) in numbered {
            let slot = answers.get_mut(n.checked_sub(1)?)?;
            *slot = text.to_string();
        }
        return Some(answers);
    }
    (lines.len() == questions.len()).then(|| lines.iter().map(|l| l.to_string()).collect())
}

/// `3. text` or `3) text` → (3, "text").
fn numbered(line: &str) -> Option<(usize, &str)> {
    let digits = line.find(|c: char| !c.is_ascii_digit())?;
    let n = line[..digits].parse().ok()?;
    let rest = line[digits..].strip_prefix(['.', ')'])?;
    Some((n, rest.trim()))
}

/// Adds what a later message brought to an application's text: the answers it gives, formatted,
/// or its text after what was there. Refused past [`MAX_APPLICATION`].
pub fn gather(questions: &[String], before: Option<&str>, message: &str) -> Result<String> {
    let message = content::text_block("message", message, MAX_ANSWER)?;
    let added = match split_answers(questions, &message) {
        Some(answers) => application_text(questions, &answers)?.unwrap_or_default(),
        None => message,
    };
    let text = match before.filter(|b| !b.trim().is_empty()) {
        Some(before) => format!("{before}\n\n{added}"),
        None => added,
    };
    if text.chars().count() > MAX_APPLICATION {
        return Err(Error::invalid_field(
            "message",
            format_args!("an application holds at most {MAX_APPLICATION} characters"),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs() -> Vec<String> {
        vec!["Your rating?".into(), "Why join?".into()]
    }

    #[test]
    fn answers_are_read_from_each_shape() {
        let want = Some(vec!["1800".to_string(), "To learn".to_string()]);
        assert_eq!(
            split_answers(&qs(), "Your rating?\n1800\n\nWhy join?\nTo learn"),
            want
        );
        assert_eq!(split_answers(&qs(), "1. 1800\n2) To learn"), want);
        assert_eq!(split_answers(&qs(), "1800\nTo learn\n"), want);
        assert_eq!(split_answers(&qs(), "just let me in"), None);
        assert_eq!(split_answers(&[], "1800"), None);
        assert_eq!(split_answers(&qs(), "7. out of range"), None);
    }
}
