//! The mail queue (`mail_queue`): a row per message, written in the transaction of the change
//! that causes it, claimed by the mail job of any process (a lease in the row, `SKIP LOCKED` on
//! PostgreSQL), marked sent once the server took it, retried with backoff, dead after too long.

use super::{now, schema::mail_queue, DbConn};
use crate::{error::Result, mail::templates::Composed};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

const PENDING: &str = "pending";
const SENT: &str = "sent";
const DEAD: &str = "dead";

/// Kinds whose bodies hold a one-time link: blanked once sent, so the queue keeps no live
/// secret.
const SECRET_KINDS: &[&str] = &["confirm_email", "password_reset"];

/// A queued mail as the sender needs it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_queue)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe_url: Option<String>,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
}

/// Queues `mail` to `recipient` in the caller's transaction.
pub fn enqueue(conn: &mut DbConn, recipient: &str, mail: &Composed) -> Result<()> {
    let at = now();
    diesel::insert_into(mail_queue::table)
        .values((
            mail_queue::recipient.eq(recipient),
            mail_queue::kind.eq(mail.kind),
            mail_queue::subject.eq(&mail.subject),
            mail_queue::text_body.eq(&mail.text),
            mail_queue::html_body.eq(&mail.html),
            mail_queue::unsubscribe_url.eq(&mail.unsubscribe),
            mail_queue::state.eq(PENDING),
            mail_queue::attempts.eq(0),
            mail_queue::next_attempt_at.eq(at),
            mail_queue::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Pending mail due at `at` and not held by a live claim.
#[diesel::dsl::auto_type(no_type_alias)]
fn due(at: NaiveDateTime) -> _ {
    let pending: &'static str = PENDING;
    mail_queue::table
        .filter(mail_queue::state.eq(pending))
        .filter(mail_queue::next_attempt_at.le(at))
        .filter(
            mail_queue::claimed_until
                .is_null()
                .or(mail_queue::claimed_until.lt(at)),
        )
}

/// Whether any mail is due and free to claim: a read, so that an idle queue costs no write.
pub fn any_due(conn: &mut DbConn) -> Result<bool> {
    let n: i64 = due(now()).count().get_result(conn)?;
    Ok(n > 0)
}

/// Claims up to `limit` due mails for `lease` in the name of `worker`: pending, due, and not
/// held by a live claim. Several processes claim side by side (PostgreSQL skips rows another
/// transaction holds; SQLite has one writer at a time).
pub fn claim_due(
    conn: &mut DbConn,
    worker: &str,
    limit: i64,
    lease: Duration,
) -> Result<Vec<QueuedMail>> {
    let at = now();
    let due = due(at)
        .order(mail_queue::id.asc())
        .select(mail_queue::id)
        .limit(limit);
    let ids: Vec<i64> = match conn {
        DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
        DbConn::Sqlite(lite) => due.load(lite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(mail_queue::table.filter(mail_queue::id.eq_any(&ids)))
        .set((
            mail_queue::claimed_until.eq(at + lease),
            mail_queue::claimed_by.eq(worker),
        ))
        .execute(conn)?;
    Ok(mail_queue::table
        .filter(mail_queue::id.eq_any(&ids))
        .order(mail_queue::id.asc())
        .select(QueuedMail::as_select())
        .load(conn)?)
}

/// The server took the mail: sent, never tried again (a one-time link's bodies are blanked).
pub fn mark_sent(conn: &mut DbConn, mail: &QueuedMail) -> Result<()> {
    let at = now();
    let row = mail_queue::table
        .find(mail.id)
        .filter(mail_queue::state.eq(PENDING));
    if SECRET_KINDS.contains(&mail.kind.as_str()) {
        diesel::update(row)
            .set((
                mail_queue::state.eq(SENT),
                mail_queue::attempts.eq(mail.attempts + 1),
                mail_queue::claimed_until.eq(None::<NaiveDateTime>),
                mail_queue::finished_at.eq(at),
                mail_queue::text_body.eq(""),
                mail_queue::html_body.eq(""),
            ))
            .execute(conn)?;
    } else {
        diesel::update(row)
            .set((
                mail_queue::state.eq(SENT),
                mail_queue::attempts.eq(mail.attempts + 1),
                mail_queue::claimed_until.eq(None::<NaiveDateTime>),
                mail_queue::finished_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A try failed: retried at `next`, or dead when `permanent` or queued longer than
/// `give_up_after`. Returns whether it died.
pub fn mark_failed(
    conn: &mut DbConn,
    mail: &QueuedMail,
    error: &str,
    permanent: bool,
    next: NaiveDateTime,
    give_up_after: Duration,
) -> Result<bool> {
    let at = now();
    let dead = permanent || at - mail.created_at >= give_up_after;
    diesel::update(mail_queue::table.find(mail.id))
        .set((
            mail_queue::state.eq(if dead { DEAD } else { PENDING }),
            mail_queue::attempts.eq(mail.attempts + 1),
            mail_queue::next_attempt_at.eq(next),
            mail_queue::claimed_until.eq(None::<NaiveDateTime>),
            mail_queue::last_error.eq(error.chars().take(500).collect::<String>()),
            mail_queue::finished_at.eq(dead.then_some(at)),
        ))
        .execute(conn)?;
    Ok(dead)
}

/// Lets go of `worker`'s claims (at its start: the same worker before a restart).
pub fn release_claims(conn: &mut DbConn, worker: &str) -> Result<()> {
    diesel::update(
        mail_queue::table
            .filter(mail_queue::claimed_by.eq(worker))
            .filter(mail_queue::state.eq(PENDING)),
    )
    .set(mail_queue::claimed_until.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    Ok(())
}

/// Mails waiting to be sent, for `/metrics`.
pub fn depth(conn: &mut DbConn) -> Result<i64> {
    Ok(mail_queue::table
        .filter(mail_queue::state.eq(PENDING))
        .count()
        .get_result(conn)?)
}

/// Mails waiting (pending) and given up (dead), for administrators.
pub fn counts(conn: &mut DbConn) -> Result<(i64, i64)> {
    let dead: i64 = mail_queue::table
        .filter(mail_queue::state.eq(DEAD))
        .count()
        .get_result(conn)?;
    Ok((depth(conn)?, dead))
}

/// Forgets sent mail older than `keep` (dead mail stays for the administrators).
pub fn purge_sent(conn: &mut DbConn, keep: Duration) -> Result<usize> {
    Ok(diesel::delete(
        mail_queue::table
            .filter(mail_queue::state.eq(SENT))
            .filter(mail_queue::finished_at.lt(now() - keep)),
    )
    .execute(conn)?)
}

/// Every queued mail with its state, oldest first (for tests).
pub fn all(conn: &mut DbConn) -> Result<Vec<(QueuedMail, String)>> {
    Ok(mail_queue::table
        .order(mail_queue::id.asc())
        .select((QueuedMail::as_select(), mail_queue::state))
        .load(conn)?)
}
