//! What mail a member receives: the one-click unsubscribe of a link (`mail::unsubscribe`, no
//! session: the token is the proof) and the choices of the settings page. Account-security mail
//! (confirmation, reset, address change) is sent whatever is chosen here.

use crate::{
    context::AppContext,
    db::{self, mail_preferences},
    error::{Error, Result},
    mail::unsubscribe::{self, Scope},
};

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
        let already = mail_preferences::any_off(conn, user, &[&scope.topic()])?;
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
        mail_preferences::set(conn, user, &scope.topic(), true)?;
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
