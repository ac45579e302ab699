//! Search terms: what a reader typed into a search box, reduced to words that both engines'
//! query languages take literally (FTS5 `MATCH` and PostgreSQL `to_tsquery`), so that no input
//! (stray quotes, operators, parentheses, NUL) is ever read as query syntax.

/// At most this many words are searched for; the rest of the text is ignored.
pub const MAX_TERMS: usize = 12;
/// A longer word is cut to this many characters.
pub const MAX_TERM_CHARS: usize = 64;

/// The words of a search, in the order typed: letters and digits only, lowercased. All must
/// match, each as a word (both engines stem English: `stewards` finds `steward`). Not as the
/// start of a longer word: an FTS5 prefix query reads the whole list of every word it covers,
/// which made a common prefix cost 130 ms over a million threads (docs/PERFORMANCE.md).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms(Vec<String>);

impl Terms {
    /// Splits `text` on every character that is not a letter or a digit.
    pub fn parse(text: &str) -> Terms {
        Terms(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(MAX_TERMS)
                .map(|w| {
                    w.chars()
                        .take(MAX_TERM_CHARS)
                        .collect::<String>()
                        .to_lowercase()
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// An FTS5 `MATCH` expression: each word a quoted string (implicit AND).
    pub fn fts5(&self) -> String {
        let quoted: Vec<String> = self
            .0
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect();
        quoted.join(" ")
    }

    /// A PostgreSQL `to_tsquery` text: the words joined by `&`.
    pub fn tsquery(&self) -> String {
        self.0.join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_never_passed_through() {
        let terms = Terms::parse("\"data OR (stewards* NEAR:x) 'a' & b | !c\u{0}");
        assert_eq!(
            terms.words(),
            ["data", "or", "stewards", "near", "x", "a", "b", "c"]
        );
        assert_eq!(
            terms.fts5(),
            "\"data\" \"or\" \"stewards\" \"near\" \"x\" \"a\" \"b\" \"c\""
        );
        assert_eq!(
            terms.tsquery(),
            "data & or & stewards & near & x & a & b & c"
        );
    }

    #[test]
    fn nothing_searchable_is_empty() {
        for text in ["", "   ", "\"\"", "*:&|!()", "\u{0}"] {
            let terms = Terms::parse(text);
            assert!(terms.is_empty(), "{text:?}");
            assert_eq!(terms.fts5(), "");
            assert_eq!(terms.tsquery(), "");
        }
    }

    #[test]
    fn words_are_bounded_and_unicode_is_kept() {
        let long = "x".repeat(500);
        let many = vec!["w"; 40].join(" ");
        assert_eq!(Terms::parse(&long).words()[0].len(), MAX_TERM_CHARS);
        assert_eq!(Terms::parse(&many).words().len(), MAX_TERMS);
        assert_eq!(
            Terms::parse("Ökologie—Datenpflege").words(),
            ["ökologie", "datenpflege"]
        );
    }
}
