//! Signing up, checking sessions, logging out, and changing one's own profile and password and
//! one's private feed address (logging in: `actions::login`; the address and its mail:
//! `actions::account_mail`).

use crate::{
    actions::account_mail,
    config::RegistrationMode,
    context::AppContext,
    db::{self, accounts::Account, accounts::NewPerson},
    domain::{accounts as rules, accounts::NewAccount, content},
    error::{Error, ErrorKind, Result},
};

/// How an account comes to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Self-service sign-up, subject to the registration mode.
    SignUp,
    /// Created by an operator on the command line; may be an admin, approved at once.
    Operator { admin: bool },
}

/// Creates a local account with its actor and key pair.
pub async fn create(ctx: &AppContext, input: NewAccount, origin: Origin) -> Result<Account> {
    let (is_admin, approved) = match origin {
        Origin::Operator { admin } => (admin, true),
        Origin::SignUp => match ctx.settings().registration_mode {
            RegistrationMode::Open => (false, true),
            RegistrationMode::Approval => (false, false),
            RegistrationMode::Closed => {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "registration_closed",
                    "this instance does not accept sign-ups",
                ))
            }
        },
    };
    // Hashing is CPU work: on a blocking thread, within the bound on password hashes at once
    // (argon2 takes 19 MiB each). The key pair is made on first need (`actions::keys`).
    let password = input.password.clone();
    let hash = ctx
        .login()
        .hashing()
        .run(move || rules::hash_password(&password))
        .await??;
    let ap_id = ctx.person_url(&input.username);
    let inbox = format!("{ap_id}/inbox");
    let shared_inbox = ctx.url("/inbox");
    // Self-service accounts confirm their address when the instance asks for it; the operator
    // vouches for the ones made on the command line.
    let confirm = origin == Origin::SignUp && ctx.settings().email_confirmation_required();
    let settings = ctx.settings().clone();
    let account = ctx
        .write(move |conn| {
            let ts = db::now();
            let person = NewPerson {
                ap_id: &ap_id,
                name: &input.username,
                display_name: None,
                summary_md: None,
                summary_html: None,
                inbox_url: &inbox,
                shared_inbox_url: Some(&shared_inbox),
                public_key: "",
                private_key: None,
                local: true,
                published: ts,
                updated: None,
                last_refreshed_at: ts,
            };
            let confirmed = matches!(origin, Origin::Operator { .. });
            let account = db::accounts::insert_account(
                conn,
                &person,
                &input.email,
                &hash,
                is_admin,
                approved,
                confirmed,
            )?;
            if confirm {
                account_mail::queue_confirmation(conn, &settings, &account, &input.email, false)?;
            }
            Ok(account)
        })
        .await?;
    if confirm {
        ctx.mail_wakeup().notify_one();
    }
    Ok(account)
}

/// The account of a bearer token, if it is live.
pub async fn authenticate(ctx: &AppContext, token: &str) -> Result<Option<Account>> {
    let hash = rules::hash_token(token);
    ctx.db(move |conn| db::accounts::account_by_session(conn, &hash))
        .await
}

pub async fn log_out(ctx: &AppContext, token: &str) -> Result<()> {
    let hash = rules::hash_token(token);
    ctx.write(move |conn| db::accounts::delete_session(conn, &hash))
        .await
}

/// What a person may change about their own profile.
pub struct ProfileChange {
    /// Empty: none (the username is shown).
    pub display_name: String,
    /// Markdown; empty: none.
    pub bio: String,
}

pub const MAX_DISPLAY_NAME: usize = 100;
pub const MAX_BIO: usize = 5_000;

/// Sets the account's display name and bio (markdown, stored with its sanitised HTML).
pub async fn update_profile(
    ctx: &AppContext,
    account: &Account,
    change: ProfileChange,
) -> Result<()> {
    let display_name =
        content::plain_line("display_name", &change.display_name, 0, MAX_DISPLAY_NAME)?;
    let bio = content::text_block("bio", &change.bio, MAX_BIO)?;
    let display_name = (!display_name.is_empty()).then_some(display_name);
    let (bio_md, bio_html) = if bio.is_empty() {
        (None, None)
    } else {
        let html = content::markdown_to_html(&bio);
        (Some(bio), Some(html))
    };
    let person_id = account.person.id;
    ctx.write(move |conn| {
        db::accounts::update_profile(conn, person_id, display_name, bio_md, bio_html)
    })
    .await
}

/// Gives the account a new private feed address (`/feeds/{token}/front.xml`, 256 random bits),
/// revoking the one it had: the old address answers 404 from the moment this returns. Also
/// whether there was one.
pub async fn new_feed_token(ctx: &AppContext, account: &Account) -> Result<(String, bool)> {
    let (token, _) = rules::new_token();
    let user_id = account.user.id;
    let stored = token.clone();
    let replaced = ctx
        .write(move |conn| db::feeds::replace_token(conn, user_id, &stored))
        .await?;
    Ok((token, replaced))
}

/// Changes the account's password after checking the current one (throttled like log-ins);
/// every other session of the account ends, the one in `keep` stays.
pub async fn change_password(
    ctx: &AppContext,
    account: &Account,
    current: String,
    new: &str,
    client: Option<std::net::IpAddr>,
    keep: &str,
) -> Result<()> {
    let new = rules::check_password(new, &account.person.name)?;
    crate::actions::login::check_current_password(ctx, account, current, client).await?;
    let hash = ctx
        .login()
        .hashing()
        .run(move || rules::hash_password(&new))
        .await??;
    let user_id = account.user.id;
    let keep = rules::hash_token(keep);
    ctx.write(move |conn| {
        db::accounts::update_password(conn, user_id, &hash)?;
        db::accounts::delete_other_sessions(conn, user_id, &keep)
    })
    .await
}
