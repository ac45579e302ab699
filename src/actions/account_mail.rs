//! Account mail: confirming an address (at sign-up, and for a new address), resetting a forgotten
//! password by an emailed one-time link, and telling the old address that the address changes.
//! Each mail is rendered (`mail::templates`) and queued (`db::mail`) in the transaction of the
//! change that causes it; `jobs::mail` sends it.
//!
//! The rules (docs/MAIL.md):
//! - **Confirmation** (`require_email_confirmation`): a self-service account whose address is
//!   not confirmed cannot log in (403 `email_unconfirmed`); the refusal sends a fresh link (at
//!   most one every [`RESEND_AFTER`]). Accounts made by the operator count as confirmed. A link is
//!   valid [`CONFIRM_HOURS`] hours. While confirmation is required, changing one's address
//!   takes effect only when the link sent to the new address is opened; the old address is told
//!   at once. Otherwise the change is immediate and the old address is told.
//! - **Reset**: asking answers the same whether or not an account has the address (and sends
//!   at most one mail per account every [`RESEND_AFTER`]); the link works once, for
//!   [`RESET_MINUTES`] minutes, only the newest link works, and using it ends every session of
//!   the account. Since the link reached the address, using it also confirms the address.

use crate::{
    config::Settings,
    context::AppContext,
    db::{
        self,
        account_tokens::{self, Purpose},
        accounts::Account,
        DbConn,
    },
    domain::accounts as rules,
    error::{Error, ErrorKind, Result},
    mail::templates,
};
use chrono::Duration;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;
/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;
/// Repeated asks within this time send no further mail.
pub const RESEND_AFTER: Duration = Duration::minutes(2);

/// The answer to a reset or resend ask, whatever happened.
pub const SENT_IF_KNOWN: &str =
    "If an account has this address, a mail with a link is on its way to it.";

fn link(settings: &Settings, path: &str, token: &str) -> String {
    settings.url(&format!("{path}?token={token}"))
}

/// Makes a confirmation token for `email` and queues its mail, in the caller's transaction.
/// `change`: `email` is a new address asked for (not yet the account's).
pub fn queue_confirmation(
    conn: &mut DbConn,
    settings: &Settings,
    account: &Account,
    email: &str,
    change: bool,
) -> Result<()> {
    let (token, hash) = rules::new_token();
    let expires = db::now() + Duration::hours(CONFIRM_HOURS);
    account_tokens::insert(
        conn,
        &hash,
        account.user.id,
        Purpose::Confirm,
        email,
        expires,
    )?;
    let link = link(settings, "/confirm-email", &token);
    let mail =
        templates::confirm_email(settings, &account.person.name, &link, CONFIRM_HOURS, change)?;
    db::mail::enqueue(conn, email, &mail)
}

/// Wakes the mail job after a write that queued mail.
fn queued(ctx: &AppContext) {
    ctx.mail_wakeup().notify_one();
}

/// Whether `account` must confirm its address before logging in.
pub fn must_confirm(settings: &Settings, account: &Account) -> bool {
    settings.email_confirmation_required() && account.user.email_confirmed_at.is_none()
}

/// A log-in refused for an unconfirmed address: sends a fresh link (unless one was sent
/// lately) and returns the refusal.
pub async fn refuse_unconfirmed(ctx: &AppContext, account: Account) -> Error {
    let settings = ctx.settings().clone();
    let sent = ctx
        .write(move |conn| {
            let since = db::now() - RESEND_AFTER;
            if account_tokens::made_since(conn, account.user.id, Purpose::Confirm, since)? {
                return Ok(());
            }
            let email = account.user.email.clone();
            queue_confirmation(conn, &settings, &account, &email, false)
        })
        .await;
    match sent {
        Ok(()) => queued(ctx),
        Err(e) => tracing::warn!("queueing a confirmation mail: {e:?}"),
    }
    Error::new(
        ErrorKind::Forbidden,
        "email_unconfirmed",
        "confirm your email address first: open the link we sent to it (a new one is on its way)",
    )
}

/// "Forgot password": queues a reset mail if an active account has `email`. Answers the same
/// either way (the caller shows [`SENT_IF_KNOWN`]).
pub async fn request_reset(ctx: &AppContext, email: &str) -> Result<()> {
    // An address that cannot be one is refused as such: that tells nothing about accounts.
    let email = rules::parse_email(email)?;
    let settings = ctx.settings().clone();
    let queued_one = ctx
        .write(move |conn| {
            let Some(account) = db::accounts::account_by_email(conn, &email)? else {
                return Ok(false);
            };
            let since = db::now() - RESEND_AFTER;
            if account.user.suspended_at.is_some()
                || account_tokens::made_since(conn, account.user.id, Purpose::Reset, since)?
            {
                return Ok(false);
            }
            let (token, hash) = rules::new_token();
            let expires = db::now() + Duration::minutes(RESET_MINUTES);
            account_tokens::insert(
                conn,
                &hash,
                account.user.id,
                Purpose::Reset,
                &email,
                expires,
            )?;
            let link = link(&settings, "/password/reset", &token);
            let mail =
                templates::password_reset(&settings, &account.person.name, &link, RESET_MINUTES)?;
            db::mail::enqueue(conn, &email, &mail)?;
            Ok(true)
        })
        .await?;
    if queued_one {
        queued(ctx);
    }
    Ok(())
}

/// A one-time reset link for the account `name`, made by the operator (`copse admin
/// reset-password`): nothing is mailed.
pub async fn reset_link_for(ctx: &AppContext, name: &str) -> Result<String> {
    let name = name.to_string();
    let settings = ctx.settings().clone();
    ctx.write(move |conn| {
        let account = db::accounts::account_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("account {name}")))?;
        let (token, hash) = rules::new_token();
        let expires = db::now() + Duration::minutes(RESET_MINUTES);
        let email = account.user.email.clone();
        account_tokens::insert(
            conn,
            &hash,
            account.user.id,
            Purpose::Reset,
            &email,
            expires,
        )?;
        Ok(link(&settings, "/password/reset", &token))
    })
    .await
}

fn invalid_link() -> Error {
    let mut e = Error::new(
        ErrorKind::BadRequest,
        "token_invalid",
        "this link does not work: it was used already, it expired, or a newer one was sent",
    );
    e.field = Some("token".into());
    e
}

/// Whether a reset link still works (the reset page asks before showing its form).
pub async fn reset_link_works(ctx: &AppContext, token: &str) -> Result<bool> {
    let hash = rules::hash_token(token);
    let owner = ctx
        .db(move |conn| account_tokens::live_owner(conn, &hash, Purpose::Reset))
        .await?;
    Ok(owner.is_some())
}

/// Sets a new password with a reset link: the link is used up, every session of the account
/// ends, and the address it was sent to is confirmed. Returns the account's name.
pub async fn reset_password(ctx: &AppContext, token: &str, password: &str) -> Result<String> {
    let hash = rules::hash_token(token);
    // Who the link is for, to check the password against the name before hashing.
    let lookup = hash.clone();
    let account = ctx
        .db(
            move |conn| match account_tokens::live_owner(conn, &lookup, Purpose::Reset)? {
                Some(user_id) => db::accounts::account_by_user_id(conn, user_id),
                None => Ok(None),
            },
        )
        .await?
        .ok_or_else(invalid_link)?;
    let password = rules::check_password(password, &account.person.name)?;
    let password_hash = ctx
        .login()
        .hashing()
        .run(move || rules::hash_password(&password))
        .await??;
    let name = account.person.name.clone();
    ctx.write(move |conn| {
        // Taken in the same transaction as the change: two uses of one link, one wins.
        let taken = account_tokens::take(conn, &hash, Purpose::Reset)?.ok_or_else(invalid_link)?;
        if taken.local_user_id != account.user.id {
            return Err(invalid_link());
        }
        db::accounts::update_password(conn, taken.local_user_id, &password_hash)?;
        db::accounts::delete_sessions(conn, taken.local_user_id)?;
        db::accounts::confirm_email(conn, taken.local_user_id, &taken.email)?;
        Ok(())
    })
    .await?;
    Ok(name)
}

/// What opening a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The account's address is confirmed.
    Address(String),
    /// The account's address is now this new one (and confirmed).
    Changed(String),
}

/// Opens a confirmation link: confirms the address, or makes a requested new address the
/// account's (409 `email_taken` if another account took it meanwhile).
pub async fn confirm(ctx: &AppContext, token: &str) -> Result<Confirmed> {
    let hash = rules::hash_token(token);
    ctx.write(move |conn| {
        let taken =
            account_tokens::take(conn, &hash, Purpose::Confirm)?.ok_or_else(invalid_link)?;
        let account = db::accounts::account_by_user_id(conn, taken.local_user_id)?
            .ok_or_else(invalid_link)?;
        if account.user.email == taken.email {
            db::accounts::confirm_email(conn, account.user.id, &taken.email)?;
            return Ok(Confirmed::Address(taken.email));
        }
        db::accounts::update_email(conn, account.user.id, &taken.email)?;
        db::accounts::confirm_email(conn, account.user.id, &taken.email)?;
        Ok(Confirmed::Changed(taken.email))
    })
    .await
}

/// "Send the confirmation link again" for an address: the same answer whatever the address.
pub async fn resend_confirmation(ctx: &AppContext, email: &str) -> Result<()> {
    let email = rules::parse_email(email)?;
    let settings = ctx.settings().clone();
    let queued_one = ctx
        .write(move |conn| {
            let Some(account) = db::accounts::account_by_email(conn, &email)? else {
                return Ok(false);
            };
            let since = db::now() - RESEND_AFTER;
            if account.user.email_confirmed_at.is_some()
                || account_tokens::made_since(conn, account.user.id, Purpose::Confirm, since)?
            {
                return Ok(false);
            }
            queue_confirmation(conn, &settings, &account, &email, false)?;
            Ok(true)
        })
        .await?;
    if queued_one {
        queued(ctx);
    }
    Ok(())
}

/// What a change of address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailChange {
    /// The address is changed (confirmation not required); the old address was told.
    Changed,
    /// A link went to the new address; the change waits for it. The old address was told.
    Pending,
    /// The address given is the account's already.
    Unchanged,
}

/// Changes the account's address (409 `email_taken` if another account has it): at once, or,
/// while confirmation is required, once the link sent to the new address is opened. The old
/// address is told either way.
pub async fn change_email(ctx: &AppContext, account: &Account, email: &str) -> Result<EmailChange> {
    let email = rules::parse_email(email)?;
    if email == account.user.email {
        return Ok(EmailChange::Unchanged);
    }
    let settings = ctx.settings().clone();
    let account = account.clone();
    let pending = settings.email_confirmation_required();
    ctx.write(move |conn| {
        db::accounts::check_email_free(conn, account.user.id, &email)?;
        let old = account.user.email.clone();
        let notice = templates::email_changed(&settings, &account.person.name, &email, pending)?;
        db::mail::enqueue(conn, &old, &notice)?;
        if pending {
            queue_confirmation(conn, &settings, &account, &email, true)
        } else {
            db::accounts::update_email(conn, account.user.id, &email)?;
            db::accounts::unconfirm_email(conn, account.user.id)
        }
    })
    .await?;
    queued(ctx);
    Ok(if pending {
        EmailChange::Pending
    } else {
        EmailChange::Changed
    })
}
