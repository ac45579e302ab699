//! What moderators do, as recorded in a community's public modlog, and the limits of reports.

/// One kind of modlog entry. The names are stable: they are stored and shown by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModActionKind {
    RemovePost,
    RestorePost,
    RemoveComment,
    RestoreComment,
    LockPost,
    UnlockPost,
    PinPost,
    UnpinPost,
    Ban,
    Unban,
    AddModerator,
    RemoveModerator,
}

impl ModActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModActionKind::RemovePost => "remove_post",
            ModActionKind::RestorePost => "restore_post",
            ModActionKind::RemoveComment => "remove_comment",
            ModActionKind::RestoreComment => "restore_comment",
            ModActionKind::LockPost => "lock_post",
            ModActionKind::UnlockPost => "unlock_post",
            ModActionKind::PinPost => "pin_post",
            ModActionKind::UnpinPost => "unpin_post",
            ModActionKind::Ban => "ban",
            ModActionKind::Unban => "unban",
            ModActionKind::AddModerator => "add_moderator",
            ModActionKind::RemoveModerator => "remove_moderator",
        }
    }

    /// The pair for an action that can be undone: `on` picks the first.
    pub fn of(on: bool, yes: ModActionKind, no: ModActionKind) -> ModActionKind {
        if on {
            yes
        } else {
            no
        }
    }
}

/// Longest reason for a report, in characters.
pub const MAX_REPORT_REASON: usize = 1000;
/// Longest reason for a moderator's action, in characters.
pub const MAX_MOD_REASON: usize = 1000;
