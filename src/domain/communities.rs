//! Communities of practice: the charter, membership policy, visibility, joining questions, roles,
//! and who may create or edit a community.

use crate::{
    config::{CommunityCreation, Settings},
    domain::{content, names},
    error::{Error, ErrorKind, Result},
};
use serde::{Deserialize, Serialize};

pub const MAX_TITLE: usize = 100;
pub const MAX_SUMMARY: usize = 10_000;
pub const MAX_CHARTER_LINE: usize = 1_000;
pub const MAX_CADENCE: usize = 200;
pub const MAX_CODE_OF_CONDUCT: usize = 20_000;
pub const MAX_QUESTIONS: usize = 5;
pub const MAX_QUESTION: usize = 300;

/// How people become members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipPolicy {
    /// Anyone who asks is a member at once.
    Open,
    /// Moderators approve each application (which may answer the joining questions).
    Approval,
    /// Only people invited by a moderator may join.
    Invite,
}

/// Who can read the community's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Private,
}

/// A member's role, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Moderator,
    Member,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident = $s:literal),+ }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)+ _ => None }
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(MembershipPolicy { Open = "open", Approval = "approval", Invite = "invite" });
text_enum!(Visibility { Public = "public", Private = "private" });
text_enum!(Role { Owner = "owner", Moderator = "moderator", Member = "member" });

impl Role {
    /// Owners and moderators run the community.
    pub fn moderates(self) -> bool {
        matches!(self, Role::Owner | Role::Moderator)
    }
}

/// The charter: why the community exists and how it works.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Charter {
    /// Why the community exists.
    pub purpose: String,
    /// The shared topic, the domain of knowledge.
    pub domain: String,
    /// What members do and share.
    pub practice: String,
    /// How often and how the community meets, e.g. "monthly, first Tuesday, online".
    pub meeting_cadence: String,
    /// Code of conduct, markdown.
    pub code_of_conduct: String,
}

/// Everything a community's owner sets, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityFields {
    pub title: String,
    pub summary: String,
    pub charter: Charter,
    pub membership_policy: MembershipPolicy,
    pub visibility: Visibility,
    pub posting_restricted_to_mods: bool,
    pub questions: Vec<String>,
}

/// Optional changes to a community; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CommunityChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub charter: Option<CharterChanges>,
    pub membership_policy: Option<MembershipPolicy>,
    pub visibility: Option<Visibility>,
    pub posting_restricted_to_mods: Option<bool>,
    pub questions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CharterChanges {
    pub purpose: Option<String>,
    pub domain: Option<String>,
    pub practice: Option<String>,
    pub meeting_cadence: Option<String>,
    pub code_of_conduct: Option<String>,
}

impl CommunityFields {
    /// Validates and normalises every field; the error names the first bad one.
    pub fn validated(self) -> Result<Self> {
        let charter = &self.charter;
        let questions = validate_questions(&self.questions)?;
        Ok(CommunityFields {
            title: content::plain_line("title", &self.title, 1, MAX_TITLE)?,
            summary: content::text_block("summary", &self.summary, MAX_SUMMARY)?,
            charter: Charter {
                purpose: content::text_block(
                    "charter.purpose",
                    &charter.purpose,
                    MAX_CHARTER_LINE,
                )?,
                domain: content::text_block("charter.domain", &charter.domain, MAX_CHARTER_LINE)?,
                practice: content::text_block(
                    "charter.practice",
                    &charter.practice,
                    MAX_CHARTER_LINE,
                )?,
                meeting_cadence: content::plain_line(
                    "charter.meeting_cadence",
                    &charter.meeting_cadence,
                    0,
                    MAX_CADENCE,
                )?,
                code_of_conduct: content::text_block(
                    "charter.code_of_conduct",
                    &charter.code_of_conduct,
                    MAX_CODE_OF_CONDUCT,
                )?,
            },
            questions,
            ..self
        })
    }

    /// Applies changes, then validates the result as a whole.
    pub fn apply(self, changes: CommunityChanges) -> Result<Self> {
        let mut charter = self.charter;
        if let Some(c) = changes.charter {
            charter = Charter {
                purpose: c.purpose.unwrap_or(charter.purpose),
                domain: c.domain.unwrap_or(charter.domain),
                practice: c.practice.unwrap_or(charter.practice),
                meeting_cadence: c.meeting_cadence.unwrap_or(charter.meeting_cadence),
                code_of_conduct: c.code_of_conduct.unwrap_or(charter.code_of_conduct),
            };
        }
        CommunityFields {
            title: changes.title.unwrap_or(self.title),
            summary: changes.summary.unwrap_or(self.summary),
            charter,
            membership_policy: changes.membership_policy.unwrap_or(self.membership_policy),
            visibility: changes.visibility.unwrap_or(self.visibility),
            posting_restricted_to_mods: changes
                .posting_restricted_to_mods
                .unwrap_or(self.posting_restricted_to_mods),
            questions: changes.questions.unwrap_or(self.questions),
        }
        .validated()
    }
}

fn validate_questions(questions: &[String]) -> Result<Vec<String>> {
    if questions.len() > MAX_QUESTIONS {
        return Err(Error::invalid_field(
            "questions",
            format_args!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| content::plain_line(&format!("questions[{i}]"), q, 1, MAX_QUESTION))
        .collect()
}

/// Checks a new community's name (same rules and namespace as user names).
pub fn validate_community_name(name: &str) -> Result<()> {
    names::validate_name("name", name)
}

/// Whether this account may create communities under the instance's settings.
pub fn may_create(settings: &Settings, is_admin: bool) -> Result<()> {
    match settings.community_creation {
        CommunityCreation::Anyone => Ok(()),
        CommunityCreation::Admins if is_admin => Ok(()),
        CommunityCreation::Admins => Err(Error::forbidden(
            "only administrators may create communities on this instance",
        )),
    }
}

/// Owners and moderators (and instance admins) may edit a community.
pub fn may_edit(role: Option<Role>, is_admin: bool) -> Result<()> {
    if is_admin || role.is_some_and(Role::moderates) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Forbidden,
            "not_a_moderator",
            "only the community's owner and moderators may edit it",
        ))
    }
}

/// The one rule for reading a community's content (and its member count): public communities'
/// is open to all; private ones' to their members, and to this instance's admins for its own
/// communities (which they moderate anyway). `role` is the reader's role in the community.
pub fn can_read(
    community: &crate::db::communities::Community,
    role: Option<Role>,
    is_admin: bool,
) -> bool {
    community.visibility() == Visibility::Public || role.is_some() || (is_admin && community.local)
}

/// `can_read` for a write that needs it (a vote): 403 `members_only`. Reads ask the read gate
/// (`views::gate`), which applies the same rule.
pub fn may_read(
    community: &crate::db::communities::Community,
    role: Option<Role>,
    is_admin: bool,
) -> Result<()> {
    if can_read(community, role, is_admin) {
        return Ok(());
    }
    Err(members_only())
}

/// Whether one with `role` in `community` may moderate it: its owner and moderators, and this
/// instance's admins for its own communities. 403 `not_a_moderator` otherwise.
pub fn may_moderate(
    community: &crate::db::communities::Community,
    role: Option<Role>,
    is_admin: bool,
) -> Result<()> {
    if role.is_some_and(Role::moderates) || (is_admin && community.local) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Forbidden,
        "not_a_moderator",
        "only the community's moderators may do this",
    ))
}

/// 403 `members_only`: what a reader who may not read a community's content is told, when the
/// community itself is known to them.
pub fn members_only() -> Error {
    Error::new(
        ErrorKind::Forbidden,
        "members_only",
        "this community's content is visible to members only",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> CommunityFields {
        CommunityFields {
            title: "Gardeners".into(),
            summary: String::new(),
            charter: Charter::default(),
            membership_policy: MembershipPolicy::Open,
            visibility: Visibility::Public,
            posting_restricted_to_mods: false,
            questions: vec![],
        }
    }

    #[test]
    fn too_many_questions_are_rejected() {
        let mut f = fields();
        f.questions = vec!["q?".into(); 6];
        let err = f.validated().err().map(|e| e.field);
        assert_eq!(err, Some(Some("questions".into())));
    }

    #[test]
    fn changes_keep_unset_fields() {
        let changed = fields()
            .apply(CommunityChanges {
                title: Some("Urban gardeners".into()),
                ..Default::default()
            })
            .ok();
        assert_eq!(
            changed.as_ref().map(|c| c.title.as_str()),
            Some("Urban gardeners")
        );
        assert_eq!(
            changed.map(|c| c.membership_policy),
            Some(MembershipPolicy::Open)
        );
    }

    #[test]
    fn only_moderators_edit() {
        assert!(may_edit(Some(Role::Owner), false).is_ok());
        assert!(may_edit(Some(Role::Moderator), false).is_ok());
        assert!(may_edit(Some(Role::Member), false).is_err());
        assert!(may_edit(None, false).is_err());
        assert!(may_edit(None, true).is_ok());
    }
}
