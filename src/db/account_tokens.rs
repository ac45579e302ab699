//! One-time links of account mail (`account_tokens`): password resets and address
//! confirmations, stored as SHA-256 of the token, taken (deleted) when used.

use super::{now, schema::account_tokens, DbConn};
use crate::error::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Choose a new password.
    Reset,
    /// The token's address is the account's: confirms it (or makes it the account's address).
    Confirm,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Confirm => "confirm",
        }
    }
}

/// A token taken for use: whose, and for which address.
#[derive(Debug, Clone)]
pub struct Taken {
    pub local_user_id: i64,
    pub email: String,
}

/// Stores a new token for `local_user_id`, replacing the earlier ones of the same purpose (only
/// the newest link works).
pub fn insert(
    conn: &mut DbConn,
    token_hash: &str,
    local_user_id: i64,
    purpose: Purpose,
    email: &str,
    expires_at: NaiveDateTime,
) -> Result<()> {
    diesel::delete(
        account_tokens::table
            .filter(account_tokens::local_user_id.eq(local_user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str())),
    )
    .execute(conn)?;
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::token_hash.eq(token_hash),
            account_tokens::local_user_id.eq(local_user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::email.eq(email),
            account_tokens::created_at.eq(now()),
            account_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The account (`local_users` id) of a live token of `purpose` with this hash, without taking
/// it (the reset form checks before asking for a password).
pub fn live_owner(conn: &mut DbConn, token_hash: &str, purpose: Purpose) -> Result<Option<i64>> {
    Ok(account_tokens::table
        .find(token_hash)
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::expires_at.gt(now()))
        .select(account_tokens::local_user_id)
        .first(conn)
        .optional()?)
}

/// Takes a live token of `purpose`: deletes it and says whose it was. None when it is unknown,
/// used, expired, or taken by a concurrent transaction (the delete must remove the row).
pub fn take(conn: &mut DbConn, token_hash: &str, purpose: Purpose) -> Result<Option<Taken>> {
    let found: Option<(i64, String)> = account_tokens::table
        .find(token_hash)
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::expires_at.gt(now()))
        .select((account_tokens::local_user_id, account_tokens::email))
        .first(conn)
        .optional()?;
    let Some((local_user_id, email)) = found else {
        return Ok(None);
    };
    let deleted = diesel::delete(account_tokens::table.find(token_hash)).execute(conn)?;
    Ok((deleted == 1).then_some(Taken {
        local_user_id,
        email,
    }))
}

/// Forgets expired tokens (housekeeping).
pub fn purge_expired(conn: &mut DbConn) -> Result<usize> {
    Ok(
        diesel::delete(account_tokens::table.filter(account_tokens::expires_at.le(now())))
            .execute(conn)?,
    )
}

/// Whether a token of `purpose` was made for the account since `since` (so that repeated asks
/// do not each send a mail).
pub fn made_since(
    conn: &mut DbConn,
    local_user_id: i64,
    purpose: Purpose,
    since: NaiveDateTime,
) -> Result<bool> {
    let n: i64 = account_tokens::table
        .filter(account_tokens::local_user_id.eq(local_user_id))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::created_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
