//! Digests: members' preferences (`digest_settings`, `digest_overrides`), the record of each
//! period's digest (`digest_runs`, the marker that makes queueing idempotent), communities'
//! federated digest setting (`community_digests`), and the reads a digest is made of (new,
//! active and unanswered threads of a community in a period, a member's RSVPs).

use super::{
    now,
    posts::Post,
    schema::{
        comments, community_digests, community_members, digest_overrides, digest_runs,
        digest_settings, event_rsvps, local_users, mail_opt_outs, persons, posts,
    },
    DbConn,
};
use crate::error::Result;
use chrono::NaiveDateTime;
use diesel::{dsl::count_star, prelude::*};

/// A member's stored preferences: frequency, hour, time zone (None: the instance's).
pub type Stored = (String, i32, Option<String>);

pub fn settings_of(conn: &mut DbConn, local_user_id: i64) -> Result<Option<Stored>> {
    Ok(digest_settings::table
        .find(local_user_id)
        .select((
            digest_settings::frequency,
            digest_settings::hour,
            digest_settings::timezone,
        ))
        .first(conn)
        .optional()?)
}

/// Stores a member's preferences (insert or replace).
pub fn save_settings(
    conn: &mut DbConn,
    local_user_id: i64,
    frequency: &str,
    hour: i32,
    timezone: Option<&str>,
) -> Result<()> {
    let at = now();
    let values = (
        digest_settings::local_user_id.eq(local_user_id),
        digest_settings::frequency.eq(frequency),
        digest_settings::hour.eq(hour),
        digest_settings::timezone.eq(timezone),
        digest_settings::updated_at.eq(at),
    );
    let change = (
        digest_settings::frequency.eq(frequency),
        digest_settings::hour.eq(hour),
        digest_settings::timezone.eq(timezone),
        digest_settings::updated_at.eq(at),
    );
    let insert = diesel::insert_into(digest_settings::table).values(values);
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict(digest_settings::local_user_id)
            .do_update()
            .set(change)
            .execute(pg)?,
        DbConn::Sqlite(lite) => insert
            .on_conflict(digest_settings::local_user_id)
            .do_update()
            .set(change)
            .execute(lite)?,
    };
    Ok(())
}

/// A member's per-community frequencies: (community id, frequency).
pub fn overrides_of(conn: &mut DbConn, local_user_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(digest_overrides::table
        .filter(digest_overrides::local_user_id.eq(local_user_id))
        .select((digest_overrides::community_id, digest_overrides::frequency))
        .load(conn)?)
}

/// Sets (Some) or clears (None: the member's default applies) one community's frequency.
pub fn set_override(
    conn: &mut DbConn,
    local_user_id: i64,
    community_id: i64,
    frequency: Option<&str>,
) -> Result<()> {
    let row = digest_overrides::table
        .filter(digest_overrides::local_user_id.eq(local_user_id))
        .filter(digest_overrides::community_id.eq(community_id));
    diesel::delete(row).execute(conn)?;
    if let Some(frequency) = frequency {
        diesel::insert_into(digest_overrides::table)
            .values((
                digest_overrides::local_user_id.eq(local_user_id),
                digest_overrides::community_id.eq(community_id),
                digest_overrides::frequency.eq(frequency),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets every per-community frequency of a member.
pub fn clear_overrides(conn: &mut DbConn, local_user_id: i64) -> Result<()> {
    diesel::delete(
        digest_overrides::table.filter(digest_overrides::local_user_id.eq(local_user_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// A local account as the digest job needs it.
#[derive(Debug, Clone, Queryable)]
pub struct Recipient {
    pub local_user_id: i64,
    pub person_id: i64,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub settings: Option<Stored>,
}

/// An account row and its stored preferences, as read.
type RecipientRow = (
    i64,
    i64,
    String,
    String,
    bool,
    Option<String>,
    Option<i32>,
    Option<String>,
);

/// Up to `limit` accounts that may get mail (approved, not suspended, the address confirmed, not
/// every mail turned off) with an id above
/// `after`, by id, with their stored preferences: the job walks all accounts in such batches,
/// so its memory does not grow with their number.
pub fn recipients_after(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<Recipient>> {
    let rows: Vec<RecipientRow> = local_users::table
        .inner_join(persons::table)
        .left_join(digest_settings::table)
        .filter(local_users::id.gt(after))
        .filter(local_users::approved.eq(true))
        .filter(local_users::suspended_at.is_null())
        // Mail goes only to a confirmed address, and not to who turned every mail off.
        .filter(local_users::email_confirmed_at.is_not_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            mail_opt_outs::table
                .filter(mail_opt_outs::local_user_id.eq(local_users::id))
                .filter(mail_opt_outs::topic.eq(super::mail_preferences::ALL)),
        )))
        .order(local_users::id.asc())
        .limit(limit)
        .select((
            local_users::id,
            local_users::person_id,
            persons::name,
            local_users::email,
            local_users::is_admin,
            digest_settings::frequency.nullable(),
            digest_settings::hour.nullable(),
            digest_settings::timezone.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(local_user_id, person_id, name, email, is_admin, f, h, z)| Recipient {
                local_user_id,
                person_id,
                name,
                email,
                is_admin,
                settings: f.zip(h).map(|(f, h)| (f, h, z)),
            },
        )
        .collect())
}

/// The per-community frequencies of some accounts: (account, community, frequency).
pub fn overrides_for(conn: &mut DbConn, users: &[i64]) -> Result<Vec<(i64, i64, String)>> {
    Ok(digest_overrides::table
        .filter(digest_overrides::local_user_id.eq_any(users))
        .select((
            digest_overrides::local_user_id,
            digest_overrides::community_id,
            digest_overrides::frequency,
        ))
        .load(conn)?)
}

/// The active memberships of some people: (person, community), by community id.
pub fn memberships_for(conn: &mut DbConn, people: &[i64]) -> Result<Vec<(i64, i64)>> {
    Ok(community_members::table
        .filter(community_members::person_id.eq_any(people))
        .filter(community_members::state.eq(super::members::ACTIVE))
        .order(community_members::community_id.asc())
        .select((
            community_members::person_id,
            community_members::community_id,
        ))
        .load(conn)?)
}

/// The periods already composed for some accounts since `since`: (account, frequency, period).
pub fn runs_for(
    conn: &mut DbConn,
    users: &[i64],
    since: NaiveDateTime,
) -> Result<Vec<(i64, String, String)>> {
    Ok(digest_runs::table
        .filter(digest_runs::local_user_id.eq_any(users))
        .filter(digest_runs::created_at.ge(since))
        .select((
            digest_runs::local_user_id,
            digest_runs::frequency,
            digest_runs::period,
        ))
        .load(conn)?)
}

/// Records that a period's digest was composed (and `mailed` or found empty). False when it
/// was recorded already: by an earlier run or by another worker: then nothing may be queued.
pub fn record_run(
    conn: &mut DbConn,
    local_user_id: i64,
    frequency: &str,
    period: &str,
    mailed: bool,
) -> Result<bool> {
    let insert = diesel::insert_into(digest_runs::table).values((
        digest_runs::local_user_id.eq(local_user_id),
        digest_runs::frequency.eq(frequency),
        digest_runs::period.eq(period),
        digest_runs::mailed.eq(mailed),
        digest_runs::created_at.eq(now()),
    ));
    let n = match conn {
        DbConn::Pg(pg) => insert.on_conflict_do_nothing().execute(pg)?,
        DbConn::Sqlite(lite) => insert.on_conflict_do_nothing().execute(lite)?,
    };
    Ok(n == 1)
}

/// How many digests were recorded for an account (tests and the admin's view).
pub fn runs_of(conn: &mut DbConn, local_user_id: i64) -> Result<Vec<(String, String, bool)>> {
    Ok(digest_runs::table
        .filter(digest_runs::local_user_id.eq(local_user_id))
        .order(digest_runs::period.asc())
        .select((
            digest_runs::frequency,
            digest_runs::period,
            digest_runs::mailed,
        ))
        .load(conn)?)
}

/// Threads shown in a community: not deleted, not removed.
#[diesel::dsl::auto_type(no_type_alias)]
fn shown_threads(community_id: i64) -> _ {
    posts::table
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
}

/// Threads started in `[since, until)`, newest first.
pub fn new_threads(
    conn: &mut DbConn,
    community_id: i64,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Post>> {
    Ok(shown_threads(community_id)
        .filter(posts::published.ge(since))
        .filter(posts::published.lt(until))
        .order((posts::published.desc(), posts::id.desc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)?)
}

/// The library pages of a community created or saved in `[since, until)`, the most recently
/// saved first.
pub fn saved_pages(
    conn: &mut DbConn,
    community_id: i64,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<super::library::Page>> {
    use super::schema::library_pages;
    Ok(library_pages::table
        .filter(library_pages::community_id.eq(community_id))
        .filter(library_pages::updated_at.ge(since))
        .filter(library_pages::updated_at.lt(until))
        .order((library_pages::updated_at.desc(), library_pages::id.desc()))
        .limit(limit)
        .select(super::library::Page::as_select())
        .load(conn)?)
}

/// The threads with the most comments written in `[since, until)`: (post id, comments), most
/// first.
pub fn most_active(
    conn: &mut DbConn,
    community_id: i64,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    Ok(comments::table
        .inner_join(posts::table)
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .filter(comments::deleted.eq(false))
        .filter(comments::removed.eq(false))
        .filter(comments::published.ge(since))
        .filter(comments::published.lt(until))
        .group_by(comments::post_id)
        .select((comments::post_id, count_star()))
        .order((count_star().desc(), comments::post_id.desc()))
        .limit(limit)
        .load(conn)?)
}

/// Threads started in `[since, until)` that no comment answers yet, oldest first.
pub fn unanswered(
    conn: &mut DbConn,
    community_id: i64,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Post>> {
    let answered = comments::table
        .filter(comments::post_id.eq(posts::id))
        .filter(comments::deleted.eq(false))
        .filter(comments::removed.eq(false));
    Ok(shown_threads(community_id)
        .filter(posts::published.ge(since))
        .filter(posts::published.lt(until))
        .filter(diesel::dsl::not(diesel::dsl::exists(answered)))
        .order((posts::published.asc(), posts::id.asc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)?)
}

/// Threads by id (shown ones only).
pub fn threads_by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Post>> {
    Ok(posts::table
        .filter(posts::id.eq_any(ids))
        .filter(posts::deleted.eq(false))
        .filter(posts::removed.eq(false))
        .select(Post::as_select())
        .load(conn)?)
}

/// A person's answers to some events: (event post id, state).
pub fn rsvps_of(conn: &mut DbConn, person_id: i64, events: &[i64]) -> Result<Vec<(i64, String)>> {
    Ok(event_rsvps::table
        .filter(event_rsvps::person_id.eq(person_id))
        .filter(event_rsvps::post_id.eq_any(events))
        .select((event_rsvps::post_id, event_rsvps::state))
        .load(conn)?)
}

/// Whether a community publishes its weekly digest (off without a row).
pub fn federates(conn: &mut DbConn, community_id: i64) -> Result<bool> {
    Ok(community_digests::table
        .find(community_id)
        .select(community_digests::federate)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}

pub fn set_federates(conn: &mut DbConn, community_id: i64, federate: bool) -> Result<()> {
    let insert = diesel::insert_into(community_digests::table).values((
        community_digests::community_id.eq(community_id),
        community_digests::federate.eq(federate),
    ));
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict(community_digests::community_id)
            .do_update()
            .set(community_digests::federate.eq(federate))
            .execute(pg)?,
        DbConn::Sqlite(lite) => insert
            .on_conflict(community_digests::community_id)
            .do_update()
            .set(community_digests::federate.eq(federate))
            .execute(lite)?,
    };
    Ok(())
}

/// The communities that publish their digest and have not published `period` yet.
pub fn federating_unpublished(conn: &mut DbConn, period: &str) -> Result<Vec<i64>> {
    Ok(community_digests::table
        .filter(community_digests::federate.eq(true))
        .filter(
            community_digests::last_period
                .is_null()
                .or(community_digests::last_period.ne(period)),
        )
        .order(community_digests::community_id.asc())
        .select(community_digests::community_id)
        .load(conn)?)
}

/// Marks `period` published for a community: false when it already was (by another worker),
/// then nothing may be sent. Call in the transaction that records the activity.
pub fn claim_publication(conn: &mut DbConn, community_id: i64, period: &str) -> Result<bool> {
    let n = diesel::update(
        community_digests::table
            .find(community_id)
            .filter(community_digests::federate.eq(true))
            .filter(
                community_digests::last_period
                    .is_null()
                    .or(community_digests::last_period.ne(period)),
            ),
    )
    .set(community_digests::last_period.eq(period))
    .execute(conn)?;
    Ok(n == 1)
}

/// Keeps the latest digest a remote community sent (replacing an older one).
pub fn keep_received(
    conn: &mut DbConn,
    community_id: i64,
    id: &str,
    name: &str,
    html: &str,
    published: NaiveDateTime,
) -> Result<()> {
    let change = (
        community_digests::article_id.eq(id),
        community_digests::article_name.eq(name),
        community_digests::article_html.eq(html),
        community_digests::article_published.eq(published),
    );
    let insert = diesel::insert_into(community_digests::table).values((
        community_digests::community_id.eq(community_id),
        community_digests::federate.eq(false),
        change,
    ));
    match conn {
        DbConn::Pg(pg) => insert
            .on_conflict(community_digests::community_id)
            .do_update()
            .set(change)
            .execute(pg)?,
        DbConn::Sqlite(lite) => insert
            .on_conflict(community_digests::community_id)
            .do_update()
            .set(change)
            .execute(lite)?,
    };
    Ok(())
}

type ReceivedRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

/// The latest digest received from a remote community: (Article id, title, sanitized HTML,
/// published).
pub fn received(
    conn: &mut DbConn,
    community_id: i64,
) -> Result<Option<(String, String, String, NaiveDateTime)>> {
    let row: Option<ReceivedRow> = community_digests::table
        .find(community_id)
        .select((
            community_digests::article_id,
            community_digests::article_name,
            community_digests::article_html,
            community_digests::article_published,
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(a, b, c, d)| Some((a?, b?, c?, d?))))
}
