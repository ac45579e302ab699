//! People and accounts: `persons` (local and remote actors), `local_users`, `sessions` and the
//! shared `actor_names` namespace.

use super::{
    now,
    schema::{actor_names, local_users, persons, sessions},
    DbConn, DbUrl,
};
use crate::error::{Error, ErrorKind, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
    pub name: String,
    pub display_name: Option<String>,
    pub summary_md: Option<String>,
    pub summary_html: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key: String,
    /// Never serialized: events carry actors without their keys.
    #[serde(skip)]
    pub private_key: Option<String>,
    pub local: bool,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub last_refreshed_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = persons)]
pub struct NewPerson<'a> {
    pub ap_id: &'a str,
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub summary_md: Option<&'a str>,
    pub summary_html: Option<&'a str>,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub public_key: &'a str,
    pub private_key: Option<&'a str>,
    pub local: bool,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub last_refreshed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = local_users)]
pub struct LocalUser {
    pub id: i64,
    pub person_id: i64,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub approved: bool,
    pub created_at: NaiveDateTime,
    /// Set while an administrator has suspended the account (`actions::admin`).
    pub suspended_at: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
    /// When the current address was confirmed (None: not yet; see `actions::account_mail`).
    pub email_confirmed_at: Option<NaiveDateTime>,
}

/// A local account with its actor.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: LocalUser,
    pub person: Person,
}

/// Claims `name` in the shared namespace of local users and communities; 409 if taken.
pub fn claim_name(conn: &mut DbConn, name: &str, kind: &str) -> Result<()> {
    let taken: i64 = actor_names::table
        .filter(actor_names::name.eq(name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(name_taken(name));
    }
    diesel::insert_into(actor_names::table)
        .values((actor_names::name.eq(name), actor_names::kind.eq(kind)))
        .execute(conn)
        .map_err(|e| match Error::from(e) {
            e if e.kind == ErrorKind::Conflict => name_taken(name),
            e => e,
        })?;
    Ok(())
}

fn name_taken(name: &str) -> Error {
    let mut e = Error::new(
        ErrorKind::Conflict,
        "name_taken",
        format!("the name `{name}` is already taken"),
    );
    e.field = Some("name".into());
    e
}

/// Inserts a local account (person + local user) in the caller's transaction.
pub fn insert_account(
    conn: &mut DbConn,
    person: &NewPerson<'_>,
    email: &str,
    password_hash: &str,
    is_admin: bool,
    approved: bool,
    email_confirmed: bool,
) -> Result<Account> {
    claim_name(conn, person.name, "person")?;
    let taken: i64 = local_users::table
        .filter(local_users::email.eq(email))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(email_taken());
    }
    diesel::insert_into(persons::table)
        .values(person)
        .execute(conn)?;
    let person = person_by_ap_id(conn, person.ap_id)?.ok_or_else(|| Error::not_found("person"))?;
    diesel::insert_into(local_users::table)
        .values((
            local_users::person_id.eq(person.id),
            local_users::email.eq(email),
            local_users::password_hash.eq(password_hash),
            local_users::is_admin.eq(is_admin),
            local_users::approved.eq(approved),
            local_users::created_at.eq(now()),
            local_users::email_confirmed_at.eq(email_confirmed.then(now)),
        ))
        .execute(conn)?;
    account_by_person_id(conn, person.id)?.ok_or_else(|| Error::not_found("account"))
}

pub fn person_by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Person>> {
    Ok(persons::table
        .filter(persons::ap_id.eq(ap_id))
        .select(Person::as_select())
        .first(conn)
        .optional()?)
}

pub fn local_person_by_name(conn: &mut DbConn, name: &str) -> Result<Option<Person>> {
    Ok(persons::table
        .filter(persons::local.eq(true))
        .filter(persons::name.eq(name))
        .select(Person::as_select())
        .first(conn)
        .optional()?)
}

fn account_by_person_id(conn: &mut DbConn, person_id: i64) -> Result<Option<Account>> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(persons::id.eq(person_id))
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}

pub fn account_by_name(conn: &mut DbConn, name: &str) -> Result<Option<Account>> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(persons::local.eq(true))
        .filter(persons::name.eq(name))
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}

/// Marks a pending account approved; false if there is no such account.
pub fn approve_account(conn: &mut DbConn, name: &str) -> Result<bool> {
    let Some(account) = account_by_name(conn, name)? else {
        return Ok(false);
    };
    diesel::update(local_users::table.find(account.user.id))
        .set(local_users::approved.eq(true))
        .execute(conn)?;
    Ok(true)
}

/// Which local accounts a listing shows: the pending registrations (oldest first) or every
/// account (by name), narrowed to names containing `name_part`.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub pending: bool,
    pub name_part: Option<String>,
}

impl AccountFilter {
    fn approved_states(&self) -> &'static [bool] {
        if self.pending {
            &[false]
        } else {
            &[true, false]
        }
    }

    /// A LIKE pattern, `\` escaping the pattern characters typed.
    fn name_pattern(&self) -> String {
        let part = self.name_part.as_deref().unwrap_or("").to_lowercase();
        let escaped = part
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    }
}

/// One page of local accounts (see `AccountFilter`).
pub fn list_accounts(
    conn: &mut DbConn,
    filter: &AccountFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<Account>> {
    let base = local_users::table
        .inner_join(persons::table)
        .filter(local_users::approved.eq_any(filter.approved_states()))
        .filter(persons::name.like(filter.name_pattern()).escape('\\'))
        .select((LocalUser::as_select(), Person::as_select()))
        .offset(offset)
        .limit(limit);
    let rows: Vec<(LocalUser, Person)> = if filter.pending {
        base.order((local_users::created_at.asc(), local_users::id.asc()))
            .load(conn)?
    } else {
        base.order(persons::name.asc()).load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|(user, person)| Account { user, person })
        .collect())
}

/// How many local accounts `filter` lets through.
pub fn count_accounts(conn: &mut DbConn, filter: &AccountFilter) -> Result<i64> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::approved.eq_any(filter.approved_states()))
        .filter(persons::name.like(filter.name_pattern()).escape('\\'))
        .count()
        .get_result(conn)?)
}

/// Suspends an account (`Some(reason)`) or lifts its suspension (`None`).
pub fn set_suspension(
    conn: &mut DbConn,
    local_user_id: i64,
    suspension: Option<Option<String>>,
) -> Result<()> {
    let (at, reason) = match suspension {
        Some(reason) => (Some(now()), reason),
        None => (None, None),
    };
    diesel::update(local_users::table.find(local_user_id))
        .set((
            local_users::suspended_at.eq(at),
            local_users::suspension_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of an account.
pub fn delete_sessions(conn: &mut DbConn, local_user_id: i64) -> Result<()> {
    diesel::delete(sessions::table.filter(sessions::local_user_id.eq(local_user_id)))
        .execute(conn)?;
    Ok(())
}

pub fn set_admin(conn: &mut DbConn, local_user_id: i64, is_admin: bool) -> Result<()> {
    diesel::update(local_users::table.find(local_user_id))
        .set(local_users::is_admin.eq(is_admin))
        .execute(conn)?;
    Ok(())
}

/// Administrators who can act: approved and not suspended.
pub fn count_active_admins(conn: &mut DbConn) -> Result<i64> {
    Ok(local_users::table
        .filter(local_users::is_admin.eq(true))
        .filter(local_users::approved.eq(true))
        .filter(local_users::suspended_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Deletes a local account with its actor (its sessions go with it) and frees its name.
pub fn delete_account(conn: &mut DbConn, account: &Account) -> Result<()> {
    diesel::delete(persons::table.find(account.person.id)).execute(conn)?;
    diesel::delete(actor_names::table.find(&account.person.name)).execute(conn)?;
    Ok(())
}

pub fn insert_session(
    conn: &mut DbConn,
    token_hash: &str,
    local_user_id: i64,
    expires_at: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::local_user_id.eq(local_user_id),
            sessions::created_at.eq(now()),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The account a live token belongs to.
pub fn account_by_session(conn: &mut DbConn, token_hash: &str) -> Result<Option<Account>> {
    Ok(sessions::table
        .inner_join(local_users::table.inner_join(persons::table))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now()))
        .filter(local_users::suspended_at.is_null())
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}

pub fn delete_session(conn: &mut DbConn, token_hash: &str) -> Result<()> {
    diesel::delete(sessions::table.find(token_hash)).execute(conn)?;
    Ok(())
}

/// Ends every session of an account but the one whose hash is `keep`.
pub fn delete_other_sessions(conn: &mut DbConn, local_user_id: i64, keep: &str) -> Result<()> {
    diesel::delete(
        sessions::table
            .filter(sessions::local_user_id.eq(local_user_id))
            .filter(sessions::token_hash.ne(keep)),
    )
    .execute(conn)?;
    Ok(())
}

/// Sets a local person's display name and bio.
pub fn update_profile(
    conn: &mut DbConn,
    person_id: i64,
    display_name: Option<String>,
    summary_md: Option<String>,
    summary_html: Option<String>,
) -> Result<()> {
    diesel::update(persons::table.find(person_id))
        .set((
            persons::display_name.eq(display_name),
            persons::summary_md.eq(summary_md),
            persons::summary_html.eq(summary_html),
            persons::updated.eq(Some(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets an account's email; 409 `email_taken` when another account has it.
pub fn update_email(conn: &mut DbConn, local_user_id: i64, email: &str) -> Result<()> {
    check_email_free(conn, local_user_id, email)?;
    diesel::update(local_users::table.find(local_user_id))
        .set(local_users::email.eq(email))
        .execute(conn)?;
    Ok(())
}

/// Marks the account's address confirmed if it still is `email`; whether it was.
pub fn confirm_email(conn: &mut DbConn, local_user_id: i64, email: &str) -> Result<bool> {
    let n = diesel::update(
        local_users::table
            .find(local_user_id)
            .filter(local_users::email.eq(email)),
    )
    .set(local_users::email_confirmed_at.eq(Some(now())))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks the account's current address unconfirmed (it was just changed without a link).
pub fn unconfirm_email(conn: &mut DbConn, local_user_id: i64) -> Result<()> {
    diesel::update(local_users::table.find(local_user_id))
        .set(local_users::email_confirmed_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// 409 `email_taken` when an account other than `local_user_id` has `email`.
pub fn check_email_free(conn: &mut DbConn, local_user_id: i64, email: &str) -> Result<()> {
    let taken: i64 = local_users::table
        .filter(local_users::email.eq(email))
        .filter(local_users::id.ne(local_user_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(email_taken());
    }
    Ok(())
}

/// The local account with this address.
pub fn account_by_email(conn: &mut DbConn, email: &str) -> Result<Option<Account>> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::email.eq(email))
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}

/// The local account of a `local_users` id.
pub fn account_by_user_id(conn: &mut DbConn, local_user_id: i64) -> Result<Option<Account>> {
    Ok(local_users::table
        .inner_join(persons::table)
        .filter(local_users::id.eq(local_user_id))
        .select((LocalUser::as_select(), Person::as_select()))
        .first::<(LocalUser, Person)>(conn)
        .optional()?
        .map(|(user, person)| Account { user, person }))
}

pub fn update_password(conn: &mut DbConn, local_user_id: i64, password_hash: &str) -> Result<()> {
    diesel::update(local_users::table.find(local_user_id))
        .set(local_users::password_hash.eq(password_hash))
        .execute(conn)?;
    Ok(())
}

fn email_taken() -> Error {
    let mut e = Error::new(
        ErrorKind::Conflict,
        "email_taken",
        "an account with this email address exists",
    );
    e.field = Some("email".into());
    e
}

pub fn count_local_users(conn: &mut DbConn) -> Result<i64> {
    Ok(local_users::table.count().get_result(conn)?)
}

/// What we keep of a remote person, from its actor document (already sanitised).
#[derive(Debug, Clone)]
pub struct RemotePerson {
    pub ap_id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub summary_html: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key: String,
    pub published: Option<NaiveDateTime>,
}

/// Inserts or refreshes a remote person by id. Never touches local persons.
pub fn upsert_remote_person(conn: &mut DbConn, p: &RemotePerson) -> Result<Person> {
    let ts = now();
    match person_by_ap_id(conn, &p.ap_id)? {
        Some(existing) if existing.local => {
            return Err(Error::new(
                ErrorKind::BadRequest,
                "local_object",
                "a remote document claims a local id",
            ))
        }
        Some(existing) => {
            diesel::update(persons::table.find(existing.id))
                .set((
                    persons::name.eq(&p.name),
                    persons::display_name.eq(&p.display_name),
                    persons::summary_html.eq(&p.summary_html),
                    persons::inbox_url.eq(&p.inbox_url),
                    persons::shared_inbox_url.eq(&p.shared_inbox_url),
                    persons::public_key.eq(&p.public_key),
                    persons::updated.eq(Some(ts)),
                    persons::last_refreshed_at.eq(ts),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(persons::table)
                .values(&NewPerson {
                    ap_id: &p.ap_id,
                    name: &p.name,
                    display_name: p.display_name.as_deref(),
                    summary_md: None,
                    summary_html: p.summary_html.as_deref(),
                    inbox_url: &p.inbox_url,
                    shared_inbox_url: p.shared_inbox_url.as_deref(),
                    public_key: &p.public_key,
                    private_key: None,
                    local: false,
                    published: p.published.unwrap_or(ts),
                    updated: None,
                    last_refreshed_at: ts,
                })
                .execute(conn)?;
        }
    }
    person_by_ap_id(conn, &p.ap_id)?.ok_or_else(|| Error::not_found("person"))
}

/// Whether a local name is a `person` or a `community`.
pub fn name_kind(conn: &mut DbConn, name: &str) -> Result<Option<String>> {
    Ok(actor_names::table
        .filter(actor_names::name.eq(name))
        .select(actor_names::kind)
        .first(conn)
        .optional()?)
}

/// Stores a local person's first key pair unless one is stored already (`actions::keys`).
pub fn set_keys_if_absent(conn: &mut DbConn, id: i64, public: &str, private: &str) -> Result<()> {
    diesel::update(
        persons::table
            .find(id)
            .filter(persons::local.eq(true))
            .filter(persons::public_key.eq("")),
    )
    .set((
        persons::public_key.eq(public),
        persons::private_key.eq(private),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn person_by_id(conn: &mut DbConn, id: i64) -> Result<Option<Person>> {
    Ok(persons::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .optional()?)
}

/// The people with these ids (in no particular order; unknown ids are left out).
pub fn persons_by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Person>> {
    Ok(persons::table
        .filter(persons::id.eq_any(ids))
        .select(Person::as_select())
        .load(conn)?)
}

/// A person of another instance known here, by `name` and `host` (`host[:port]`, as in a handle).
pub fn remote_person_by_handle(
    conn: &mut DbConn,
    name: &str,
    host: &str,
) -> Result<Option<Person>> {
    let candidates: Vec<Person> = persons::table
        .filter(persons::local.eq(false))
        .filter(persons::name.eq(name))
        .select(Person::as_select())
        .load(conn)?;
    Ok(candidates
        .into_iter()
        .find(|p| crate::domain::names::handle(name, &p.ap_id, "") == format!("{name}@{host}")))
}
