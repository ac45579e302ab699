//! The mail a member turned off (`mail_opt_outs`): one row per topic; no row is the default
//! (on). Topics: [`ALL`], [`NOTIFICATIONS`], and `notify:<category>` for one category.

use super::{now, schema::mail_opt_outs, DbConn};
use crate::error::Result;
use diesel::prelude::*;

/// Every mail that is not about the account's security.
pub const ALL: &str = "all";
/// Every notification mail.
pub const NOTIFICATIONS: &str = "notifications";

/// Turns `topic` off (`off`) or back on for the account.
pub fn set(conn: &mut DbConn, local_user_id: i64, topic: &str, off: bool) -> Result<()> {
    let row = mail_opt_outs::table
        .filter(mail_opt_outs::local_user_id.eq(local_user_id))
        .filter(mail_opt_outs::topic.eq(topic));
    diesel::delete(row).execute(conn)?;
    if off {
        diesel::insert_into(mail_opt_outs::table)
            .values((
                mail_opt_outs::local_user_id.eq(local_user_id),
                mail_opt_outs::topic.eq(topic),
                mail_opt_outs::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The topics the account turned off.
pub fn off(conn: &mut DbConn, local_user_id: i64) -> Result<Vec<String>> {
    Ok(mail_opt_outs::table
        .filter(mail_opt_outs::local_user_id.eq(local_user_id))
        .select(mail_opt_outs::topic)
        .order(mail_opt_outs::topic.asc())
        .load(conn)?)
}

/// Whether any of `topics` is turned off for the account.
pub fn any_off(conn: &mut DbConn, local_user_id: i64, topics: &[&str]) -> Result<bool> {
    let n: i64 = mail_opt_outs::table
        .filter(mail_opt_outs::local_user_id.eq(local_user_id))
        .filter(mail_opt_outs::topic.eq_any(topics))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
