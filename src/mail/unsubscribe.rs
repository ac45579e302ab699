//! One-click unsubscribe links (RFC 8058): a stateless token naming a local account and a
//! [`Scope`] of mail, with an HMAC under this instance's key (`crate::signing`, purpose
//! `mail/unsubscribe`). Nothing is stored per link and a link never expires: a mail read a year
//! later still unsubscribes. Forging one needs the key; changing the account or the scope breaks
//! the tag. The pages are `web::unsubscribe`; the change is `actions::mail_preferences`.
//!
//! Token: `{local_user_id}.{scope code}.{base64url tag}`, the tag over `{local_user_id}.{code}`.

use crate::{
    context::AppContext,
    error::{Error, ErrorKind, Result},
};
use base64::Engine;

const PURPOSE: &str = "mail/unsubscribe";

/// What a link stops. New scopes (a community's digest, every digest) are new variants with
/// their own code and topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every notification mail (the categories chosen in the settings stay as they are).
    Notifications,
    /// Every mail that is not about the account's security.
    All,
    /// Every digest (`actions::digests::unsubscribe` with no community).
    Digests,
    /// The digest of one community (by id): it leaves the member's digests.
    Digest(i64),
}

impl Scope {
    /// The scope's part of a token.
    fn code(self) -> String {
        match self {
            Scope::Notifications => "n".into(),
            Scope::All => "a".into(),
            Scope::Digests => "d".into(),
            Scope::Digest(community) => format!("d{community}"),
        }
    }

    fn from_code(code: &str) -> Option<Scope> {
        match code {
            "n" => Some(Scope::Notifications),
            "a" => Some(Scope::All),
            "d" => Some(Scope::Digests),
            _ => {
                let id = code.strip_prefix('d')?;
                // Only the canonical form of a positive id: one scope, one token.
                let community: i64 = id.parse().ok().filter(|n| *n > 0)?;
                (id == community.to_string()).then_some(Scope::Digest(community))
            }
        }
    }

    /// The `mail_opt_outs` topic turned off by this scope; None for digests, whose choices are
    /// kept with the other digest settings (`actions::digests::unsubscribe`).
    pub fn topic(self) -> Option<String> {
        match self {
            Scope::Notifications => Some(crate::db::mail_preferences::NOTIFICATIONS.into()),
            Scope::All => Some(crate::db::mail_preferences::ALL.into()),
            Scope::Digests | Scope::Digest(_) => None,
        }
    }

    /// What it stops, for the page ("… will stop").
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Notifications => {
                "mail about your notifications (replies, mentions, applications, moderation, \
                 meetings)"
            }
            Scope::All => {
                "every mail from this instance except mail about your account's security \
                 (confirming an address, resetting a password)"
            }
            Scope::Digests => "every digest (the daily, weekly or monthly round-ups)",
            Scope::Digest(_) => "this community's part of your digests",
        }
    }
}

/// The token of `local_user_id` and `scope`.
pub fn token(ctx: &AppContext, local_user_id: i64, scope: Scope) -> String {
    let data = format!("{local_user_id}.{}", scope.code());
    let tag = crate::signing::sign(ctx, PURPOSE, data.as_bytes());
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag);
    format!("{data}.{tag}")
}

/// The absolute link of `local_user_id` and `scope` (`/mail/unsubscribe/{token}`).
pub fn link(ctx: &AppContext, local_user_id: i64, scope: Scope) -> String {
    ctx.url(&format!(
        "/mail/unsubscribe/{}",
        token(ctx, local_user_id, scope)
    ))
}

/// The account and scope of a token made by [`token`]; 400 `token_invalid` for anything else.
pub fn parse(ctx: &AppContext, token: &str) -> Result<(i64, Scope)> {
    let invalid = || {
        Error::new(
            ErrorKind::BadRequest,
            "token_invalid",
            "This unsubscribe link is not one this instance made (it may have been cut or \
             changed). Use the link of a mail, or change your mail settings after logging in.",
        )
    };
    let mut parts = token.trim().splitn(3, '.');
    let (Some(user), Some(code), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let user: i64 = user.parse().map_err(|_| invalid())?;
    let scope = Scope::from_code(code).ok_or_else(invalid)?;
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| invalid())?;
    let data = format!("{user}.{code}");
    if !crate::signing::verify(ctx, PURPOSE, data.as_bytes(), &tag) {
        return Err(invalid());
    }
    Ok((user, scope))
}
