//! Notifications (`notifications`): written in the transaction of their cause
//! (`actions::notifications`), listed unread first, counted for the page header (a bounded
//! count on the `(local_user_id, read_at, id)` index), marked read.

use super::{
    communities::Scope,
    now,
    schema::{communities, community_members, local_users, notifications, persons, posts},
    DbConn,
};
use crate::{domain::communities::Visibility, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What a new notification names.
#[derive(Debug, Clone, Default)]
pub struct NewNotification {
    pub local_user_id: i64,
    pub kind: &'static str,
    pub actor_id: Option<i64>,
    pub community_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
}

/// A notification with the names it shows.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub actor: Option<(String, bool, String)>,
    /// Name, whether local, and id.
    pub community: Option<(String, bool, String)>,
    pub post_title: Option<String>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// The header's count stops here ("99+").
pub const COUNT_CAP: i64 = 99;

pub fn insert(conn: &mut DbConn, n: &NewNotification) -> Result<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::local_user_id.eq(n.local_user_id),
            notifications::kind.eq(n.kind),
            notifications::actor_id.eq(n.actor_id),
            notifications::community_id.eq(n.community_id),
            notifications::post_id.eq(n.post_id),
            notifications::comment_id.eq(n.comment_id),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the account already has a notification of `kind` about `post_id` (reminders are
/// sent once).
pub fn exists(conn: &mut DbConn, local_user_id: i64, kind: &str, post_id: i64) -> Result<bool> {
    let n: i64 = notifications::table
        .filter(notifications::local_user_id.eq(local_user_id))
        .filter(notifications::kind.eq(kind))
        .filter(notifications::post_id.eq(post_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Unread notifications of the account, counted up to [`COUNT_CAP`] + 1 (one index range read,
/// however many there are).
pub fn count_unread(conn: &mut DbConn, local_user_id: i64) -> Result<i64> {
    let ids: Vec<i64> = notifications::table
        .filter(notifications::local_user_id.eq(local_user_id))
        .filter(notifications::read_at.is_null())
        .select(notifications::id)
        .limit(COUNT_CAP + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}

/// A page of the account's notifications: unread first, then newest first; `before` pages on
/// (an offset: the order is not a single key).
pub fn list(
    conn: &mut DbConn,
    local_user_id: i64,
    scope: Scope,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Listed>> {
    let mut query = notifications::table
        .left_join(persons::table)
        .left_join(communities::table)
        .left_join(posts::table)
        .filter(notifications::local_user_id.eq(local_user_id))
        .into_boxed();
    // About a community: only one within the reader's scope now (the gate's).
    let public = Visibility::Public.as_str();
    query = match scope {
        Scope::All => query,
        Scope::Public => query.filter(
            notifications::community_id
                .is_null()
                .or(communities::visibility.eq(public).assume_not_null()),
        ),
        Scope::PublicAndMemberOf(person) => {
            let member_of = community_members::table
                .filter(community_members::person_id.eq(person))
                .filter(community_members::state.eq("active"))
                .select(community_members::community_id);
            query.filter(
                notifications::community_id
                    .is_null()
                    .or(communities::visibility.eq(public).assume_not_null())
                    .or(notifications::community_id
                        .assume_not_null()
                        .eq_any(member_of)),
            )
        }
    };
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    type Row = (
        i64,
        String,
        Option<(String, bool, String)>,
        Option<(String, bool, String)>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = query
        .order((
            notifications::read_at.is_not_null().asc(),
            notifications::id.desc(),
        ))
        .select((
            notifications::id,
            notifications::kind,
            (persons::name, persons::local, persons::ap_id).nullable(),
            (communities::name, communities::local, communities::ap_id).nullable(),
            posts::title.nullable(),
            notifications::post_id,
            notifications::comment_id,
            notifications::created_at,
            notifications::read_at,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            id: r.0,
            kind: r.1,
            actor: r.2,
            community: r.3,
            post_title: r.4,
            post_id: r.5,
            comment_id: r.6,
            created_at: r.7,
            read_at: r.8,
        })
        .collect())
}

/// Marks one notification of the account read; false when it has none so numbered.
pub fn mark_read(conn: &mut DbConn, local_user_id: i64, id: i64) -> Result<bool> {
    let found: i64 = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::local_user_id.eq(local_user_id))
        .count()
        .get_result(conn)?;
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::local_user_id.eq(local_user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now()))
    .execute(conn)?;
    Ok(found > 0)
}

/// Marks every notification of the account read; returns how many were unread.
pub fn mark_all_read(conn: &mut DbConn, local_user_id: i64) -> Result<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::local_user_id.eq(local_user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now()))
    .execute(conn)?)
}

/// The local account (id, email if confirmed, admin) of a local person that may be notified
/// (not suspended), if it is one.
pub fn recipient(conn: &mut DbConn, person_id: i64) -> Result<Option<Recipient>> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::person_id.eq(person_id))
        .filter(local_users::suspended_at.is_null())
        .select((
            local_users::id,
            persons::name,
            local_users::email,
            local_users::email_confirmed_at,
            local_users::is_admin,
        ))
        .first::<(i64, String, String, Option<NaiveDateTime>, bool)>(conn)
        .optional()?
        .map(|(id, name, email, confirmed, is_admin)| Recipient {
            local_user_id: id,
            person_id,
            name,
            email: confirmed.map(|_| email),
            is_admin,
        }))
}

/// Who a notification goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub local_user_id: i64,
    pub person_id: i64,
    pub name: String,
    /// The address, when confirmed (unconfirmed addresses get no notification mail).
    pub email: Option<String>,
    pub is_admin: bool,
}
