//! Private feed addresses (`feed_tokens`): one per local account, kept as is so the settings
//! page can show it again; replaced (the old one revoked) in one statement pair.

use super::{
    accounts::{Account, LocalUser, Person},
    now,
    schema::{feed_tokens, local_users, persons},
    DbConn,
};
use crate::error::Result;
use diesel::prelude::*;

/// The account's feed token, if it has made one.
pub fn token_of(conn: &mut DbConn, local_user_id: i64) -> Result<Option<String>> {
    Ok(feed_tokens::table
        .find(local_user_id)
        .select(feed_tokens::token)
        .first(conn)
        .optional()?)
}

/// Gives the account `token` as its feed token, in place of any earlier one (true if there was
/// one).
pub fn replace_token(conn: &mut DbConn, local_user_id: i64, token: &str) -> Result<bool> {
    let replaced = diesel::delete(feed_tokens::table.find(local_user_id)).execute(conn)? > 0;
    diesel::insert_into(feed_tokens::table)
        .values((
            feed_tokens::local_user_id.eq(local_user_id),
            feed_tokens::token.eq(token),
            feed_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(replaced)
}

/// The account whose feed token is `token`, unless it is suspended.
pub fn account_by_token(conn: &mut DbConn, token: &str) -> Result<Option<Account>> {
    Ok(feed_tokens::table
        .inner_join(local_users::table.inner_join(persons::table))
        .filter(feed_tokens::token.eq(token))
        .filter(local_users::suspended_at.is_null())
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}
