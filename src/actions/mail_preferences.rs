//! What mail a member receives: the one-click unsubscribe of a link (`mail::unsubscribe`, no
//! session: the token is the proof) and the choices of the settings page. Account-security mail
//! (confirmation, reset, address change) is sent whatever is chosen here.

use crate::{
    context::AppContext,
    db::{self, mail_preferences},
    error::{Error, Result},
    mail::unsubscribe::{self, Scope},
};

use super::digests;

/// Whose link it is and what it stops (for the page shown before the button).
pub struct Unsubscribe {
    pub name: String,
    pub scope: Scope,
    /// Whether that mail is already off.
    pub already: bool,
}

/// Reads a link without changing anything (a GET: mail scanners open links).
pub async fn describe(ctx: &AppContext, token: &str) -> Result<Unsubscribe> {
    let (user, scope) = unsubscribe::parse(ctx, token)?;
    ctx.db(move |conn| {
        let account = db::accounts::account_by_user_id(conn, user)?
            .ok_or_else(|| Error::not_found("the account of this link"))?;
        let already = is_off(conn, user, scope)?;
        Ok(Unsubscribe {
            name: account.person.name,
            scope,
            already,
        })
    })
    .await
}

/// The one click (a POST of the link): turns the link's scope off. Doing it again changes
/// nothing.
pub async fn unsubscribe(ctx: &AppContext, token: &str) -> Result<Unsubscribe> {
    let (user, scope) = unsubscribe::parse(ctx, token)?;
    ctx.write(move |conn| {
        let account = db::accounts::account_by_user_id(conn, user)?
            .ok_or_else(|| Error::not_found("the account of this link"))?;
        turn_off(conn, user, scope)?;
        Ok(Unsubscribe {
            name: account.person.name,
            scope,
            already: true,
        })
    })
    .await
}

/// The topics the member turned off (for the settings page).
pub async fn off(ctx: &AppContext, local_user_id: i64) -> Result<Vec<String>> {
    ctx.db(move |conn| mail_preferences::off(conn, local_user_id))
        .await
}

/// Sets the settings page's choices: each of `topics` is turned on when it is in `on`, off
/// otherwise.
pub async fn choose(
    ctx: &AppContext,
    local_user_id: i64,
    topics: Vec<String>,
    on: Vec<String>,
) -> Result<()> {
    ctx.write(move |conn| {
        for topic in &topics {
            mail_preferences::set(conn, local_user_id, topic, !on.contains(topic))?;
        }
        Ok(())
    })
    .await
}

/// Whether the mail of `scope` is already off for the account.
fn is_off(conn: &mut db::DbConn, user: i64, scope: Scope) -> Result<bool> {
    match (scope, scope.topic()) {
        (_, Some(topic)) => mail_preferences::any_off(conn, user, &[&topic]),
        (Scope::Digest(community), None) => digests::is_off(conn, user, Some(community)),
        _ => digests::is_off(conn, user, None),
    }
}

/// Turns the mail of `scope` off, in the caller's transaction.
fn turn_off(conn: &mut db::DbConn, user: i64, scope: Scope) -> Result<()> {
    match (scope, scope.topic()) {
        (_, Some(topic)) => mail_preferences::set(conn, user, &topic, true),
        (Scope::Digest(community), None) => digests::unsubscribe(conn, user, Some(community)),
        _ => digests::unsubscribe(conn, user, None),
    }
}
