//! Signing up, checking sessions and logging out (logging in: `actions::login`).

use crate::{
    config::RegistrationMode,
    context::AppContext,
    db::{self, accounts::Account, accounts::NewPerson},
    domain::{accounts as rules, accounts::NewAccount, keys},
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
    // Hashing and key generation are CPU work: on blocking threads, the hash within the bound
    // on password hashes at once (argon2 takes 19 MiB each).
    let password = input.password.clone();
    let hash = ctx
        .login()
        .hashing()
        .run(move || rules::hash_password(&password))
        .await??;
    let (public_key, private_key) = tokio::task::spawn_blocking(keys::generate).await??;
    let ap_id = ctx.person_url(&input.username);
    let inbox = format!("{ap_id}/inbox");
    let shared_inbox = ctx.url("/inbox");
    ctx.write(move |conn| {
        let ts = db::now();
        let person = NewPerson {
            ap_id: &ap_id,
            name: &input.username,
            display_name: None,
            summary_md: None,
            summary_html: None,
            inbox_url: &inbox,
            shared_inbox_url: Some(&shared_inbox),
            public_key: &public_key,
            private_key: Some(&private_key),
            local: true,
            published: ts,
            updated: None,
            last_refreshed_at: ts,
        };
        db::accounts::insert_account(conn, &person, &input.email, &hash, is_admin, approved)
    })
    .await
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
