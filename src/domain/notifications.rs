//! Notifications: their kinds, the mail categories a member turns on or off, and finding the
//! local accounts a text mentions. No I/O; `actions::notifications` writes them.

/// What happened. Stored as [`Kind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A reply to my post or comment.
    Reply,
    /// A post or comment names me (`@me`, `@me@this.host`).
    Mention,
    /// My application to a community was accepted.
    ApplicationAccepted,
    /// My application to a community was refused.
    ApplicationRefused,
    /// A moderator removed my post or comment.
    Removed,
    /// A moderator restored my post or comment.
    Restored,
    /// A moderator locked my thread.
    Locked,
    /// A moderator unlocked my thread.
    Unlocked,
    /// Someone applied to a community I moderate.
    NewApplication,
    /// Someone reported content in a community I moderate.
    NewReport,
    /// A meeting I am going to starts within a day.
    EventReminder,
    /// I moved from a meeting's waitlist to its going list.
    WaitlistPromoted,
    /// A meeting I was going to (or waiting for) was cancelled.
    EventCancelled,
}

/// The mail categories, each on or off in the settings (`notify:<name>` topics when off).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("replies", "Replies to my posts and comments"),
    ("mentions", "Mentions of me"),
    (
        "applications",
        "Answers to my applications to join a community",
    ),
    ("moderation", "Moderators' actions on my posts and comments"),
    (
        "organizing",
        "New applications and reports in communities I moderate",
    ),
    (
        "meetings",
        "Meetings: reminders, a place freed up, cancellations",
    ),
];

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Reply,
        Kind::Mention,
        Kind::ApplicationAccepted,
        Kind::ApplicationRefused,
        Kind::Removed,
        Kind::Restored,
        Kind::Locked,
        Kind::Unlocked,
        Kind::NewApplication,
        Kind::NewReport,
        Kind::EventReminder,
        Kind::WaitlistPromoted,
        Kind::EventCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Mention => "mention",
            Kind::ApplicationAccepted => "application_accepted",
            Kind::ApplicationRefused => "application_refused",
            Kind::Removed => "removed",
            Kind::Restored => "restored",
            Kind::Locked => "locked",
            Kind::Unlocked => "unlocked",
            Kind::NewApplication => "new_application",
            Kind::NewReport => "new_report",
            Kind::EventReminder => "event_reminder",
            Kind::WaitlistPromoted => "waitlist_promoted",
            Kind::EventCancelled => "event_cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Its mail category (a name of [`CATEGORIES`]).
    pub fn category(self) -> &'static str {
        match self {
            Kind::Reply => "replies",
            Kind::Mention => "mentions",
            Kind::ApplicationAccepted | Kind::ApplicationRefused => "applications",
            Kind::Removed | Kind::Restored | Kind::Locked | Kind::Unlocked => "moderation",
            Kind::NewApplication | Kind::NewReport => "organizing",
            Kind::EventReminder | Kind::WaitlistPromoted | Kind::EventCancelled => "meetings",
        }
    }

    /// The sentence of a notification: `who` did it, `what` is the thread or community named.
    pub fn sentence(self, who: &str, what: &str) -> String {
        match self {
            Kind::Reply => format!("{who} replied to you in “{what}”"),
            Kind::Mention => format!("{who} mentioned you in “{what}”"),
            Kind::ApplicationAccepted => format!("Your application to {what} was accepted"),
            Kind::ApplicationRefused => format!("Your application to {what} was refused"),
            Kind::Removed => format!("A moderator removed your contribution to “{what}”"),
            Kind::Restored => format!("A moderator restored your contribution to “{what}”"),
            Kind::Locked => format!("A moderator locked your thread “{what}”"),
            Kind::Unlocked => format!("A moderator unlocked your thread “{what}”"),
            Kind::NewApplication => format!("{who} applied to join {what}"),
            Kind::NewReport => format!("{who} reported content in {what}"),
            Kind::EventReminder => format!("Reminder: “{what}” starts within a day"),
            Kind::WaitlistPromoted => format!("A place freed up: you are going to “{what}”"),
            Kind::EventCancelled => format!("“{what}” was cancelled"),
        }
    }

    /// Whether the thing named is a community (else a thread).
    pub fn about_community(self) -> bool {
        matches!(
            self,
            Kind::ApplicationAccepted
                | Kind::ApplicationRefused
                | Kind::NewApplication
                | Kind::NewReport
        )
    }
}

/// The most mentions one text notifies.
pub const MAX_MENTIONS: usize = 20;

/// The local account names `text` (markdown) mentions: `@name@host` where `host` is ours, and,
/// when `bare` (text written on this instance), `@name` alone. Lower-cased, each once, at most
/// [`MAX_MENTIONS`]. An `@` right after a letter or digit (an email address) mentions nobody.
pub fn mentioned_names(text: &str, host: &str, bare: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && names.len() < MAX_MENTIONS {
        let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if chars[i] != '@' || after_word {
            i += 1;
            continue;
        }
        let name_end = scan(&chars, i + 1, |c| c.is_ascii_alphanumeric() || c == '_');
        if name_end == i + 1 {
            i += 1;
            continue;
        }
        let name: String = chars[i + 1..name_end].iter().collect();
        let mut end = name_end;
        let mut mentioned = bare;
        if chars.get(name_end) == Some(&'@') {
            let host_end = scan(&chars, name_end + 1, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')
            });
            let their_host: String = chars[name_end + 1..host_end].iter().collect();
            let their_host = their_host.trim_end_matches(['.', ':']);
            mentioned = !their_host.is_empty() && their_host.eq_ignore_ascii_case(host);
            end = host_end;
        }
        let name = name.to_ascii_lowercase();
        if mentioned && !names.contains(&name) {
            names.push(name);
        }
        i = end;
    }
    names
}

fn scan(chars: &[char], from: usize, ok: impl Fn(char) -> bool) -> usize {
    let mut end = from;
    while end < chars.len() && ok(chars[end]) {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_local_names_not_email_addresses() {
        let text = "Thanks @Ana and @bob@here.example:8080, cc @carol@elsewhere.org, \
                    mail me at dan@here.example:8080; @ana again, @ alone.";
        assert_eq!(
            mentioned_names(text, "here.example:8080", true),
            vec!["ana", "bob"]
        );
        assert_eq!(
            mentioned_names(text, "here.example:8080", false),
            vec!["bob"],
            "remote text mentions us only with our host"
        );
    }

    #[test]
    fn every_kind_round_trips_and_has_a_category() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(*kind));
            assert!(CATEGORIES.iter().any(|(c, _)| *c == kind.category()));
        }
    }
}
