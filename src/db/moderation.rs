//! The moderation record: the modlog (`mod_log`), reports (`reports`) and invitations into
//! invite-only communities (`invitations`); and moderator roles.

use super::{
    accounts::Person,
    members, now,
    schema::{community_members, invitations, mod_log, persons, reports},
    DbConn,
};
use crate::{domain::communities::Role, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One line of a community's modlog.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mod_log)]
pub struct ModAction {
    pub id: i64,
    pub community_id: i64,
    pub moderator_id: i64,
    pub action: String,
    pub person_id: Option<i64>,
    pub object_ap_id: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// What a modlog line records; `action` is one of the `domain::moderation::Action` names.
pub struct NewModAction<'a> {
    pub community_id: i64,
    pub moderator_id: i64,
    pub action: &'a str,
    pub person_id: Option<i64>,
    pub object_ap_id: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub expires_at: Option<NaiveDateTime>,
}

pub fn log(conn: &mut DbConn, a: &NewModAction<'_>) -> Result<()> {
    diesel::insert_into(mod_log::table)
        .values((
            mod_log::community_id.eq(a.community_id),
            mod_log::moderator_id.eq(a.moderator_id),
            mod_log::action.eq(a.action),
            mod_log::person_id.eq(a.person_id),
            mod_log::object_ap_id.eq(a.object_ap_id),
            mod_log::reason.eq(a.reason),
            mod_log::expires_at.eq(a.expires_at),
            mod_log::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A community's modlog, newest first, before the cursor `before_id`, with the moderators.
pub fn modlog(
    conn: &mut DbConn,
    community_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(ModAction, Person)>> {
    Ok(mod_log::table
        .inner_join(persons::table.on(persons::id.eq(mod_log::moderator_id)))
        .filter(mod_log::community_id.eq(community_id))
        .filter(mod_log::id.lt(before_id.unwrap_or(i64::MAX)))
        .order(mod_log::id.desc())
        .limit(limit)
        .select((ModAction::as_select(), Person::as_select()))
        .load(conn)?)
}

/// Sets a member's role. Returns false when the person is not an active member. For a remote
/// community (our mirror of it), a moderator we learn of is recorded as an active member.
pub fn set_role(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    role: Role,
    create: bool,
) -> Result<bool> {
    let current = members::get(conn, community_id, person_id)?;
    match current {
        Some(m) if m.is_active() => {
            diesel::update(community_members::table.find((community_id, person_id)))
                .set(community_members::role.eq(role.as_str()))
                .execute(conn)?;
            Ok(true)
        }
        _ if create => {
            members::record_change(conn, community_id, person_id, false, true)?;
            diesel::delete(community_members::table.find((community_id, person_id)))
                .execute(conn)?;
            diesel::insert_into(community_members::table)
                .values((
                    community_members::community_id.eq(community_id),
                    community_members::person_id.eq(person_id),
                    community_members::role.eq(role.as_str()),
                    community_members::state.eq(members::ACTIVE),
                    community_members::created_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: i64,
    pub ap_id: String,
    pub community_id: i64,
    pub reporter_id: i64,
    pub object_ap_id: String,
    pub reason: String,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Stores a report; a report with the same activity id is stored once. Returns the report and
/// whether it is new.
pub fn insert_report(
    conn: &mut DbConn,
    ap_id: &str,
    community_id: i64,
    reporter_id: i64,
    object_ap_id: &str,
    reason: &str,
) -> Result<(Report, bool)> {
    if let Some(existing) = report_by_ap_id(conn, ap_id)? {
        return Ok((existing, false));
    }
    diesel::insert_into(reports::table)
        .values((
            reports::ap_id.eq(ap_id),
            reports::community_id.eq(community_id),
            reports::reporter_id.eq(reporter_id),
            reports::object_ap_id.eq(object_ap_id),
            reports::reason.eq(reason),
            reports::created_at.eq(now()),
        ))
        .execute(conn)?;
    let report =
        report_by_ap_id(conn, ap_id)?.ok_or_else(|| crate::error::Error::not_found("report"))?;
    Ok((report, true))
}

pub fn report_by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Report>> {
    Ok(reports::table
        .filter(reports::ap_id.eq(ap_id))
        .select(Report::as_select())
        .first(conn)
        .optional()?)
}

pub fn report(conn: &mut DbConn, id: i64) -> Result<Option<Report>> {
    Ok(reports::table
        .find(id)
        .select(Report::as_select())
        .first(conn)
        .optional()?)
}

/// A community's reports, newest first, open ones only unless `all`, with their reporters.
pub fn reports(
    conn: &mut DbConn,
    community_id: i64,
    all: bool,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(Report, Person)>> {
    let mut query = reports::table
        .inner_join(persons::table.on(persons::id.eq(reports::reporter_id)))
        .filter(reports::community_id.eq(community_id))
        .filter(reports::id.lt(before_id.unwrap_or(i64::MAX)))
        .into_boxed();
    if !all {
        query = query.filter(reports::resolved_at.is_null());
    }
    Ok(query
        .order(reports::id.desc())
        .limit(limit)
        .select((Report::as_select(), Person::as_select()))
        .load(conn)?)
}

/// Marks a report resolved (or open again); false if nothing changed.
pub fn resolve_report(
    conn: &mut DbConn,
    id: i64,
    moderator_id: i64,
    resolved: bool,
) -> Result<bool> {
    let (by, at) = if resolved {
        (Some(moderator_id), Some(now()))
    } else {
        (None, None)
    };
    let n = diesel::update(reports::table.find(id))
        .filter(reports::resolved_at.is_null().eq(resolved))
        .set((reports::resolved_by.eq(by), reports::resolved_at.eq(at)))
        .execute(conn)?;
    Ok(n > 0)
}

/// Invites a person (again); the invitation stands until used or withdrawn.
pub fn invite(conn: &mut DbConn, community_id: i64, person_id: i64, by: i64) -> Result<()> {
    diesel::delete(invitations::table.find((community_id, person_id))).execute(conn)?;
    diesel::insert_into(invitations::table)
        .values((
            invitations::community_id.eq(community_id),
            invitations::person_id.eq(person_id),
            invitations::invited_by.eq(by),
            invitations::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn is_invited(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    let n: i64 = invitations::table
        .find((community_id, person_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Withdraws (or uses up) an invitation; false if there was none.
pub fn uninvite(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    Ok(diesel::delete(invitations::table.find((community_id, person_id))).execute(conn)? > 0)
}

/// A community's open invitations, oldest first, with the invited people.
pub fn invitations(conn: &mut DbConn, community_id: i64) -> Result<Vec<(NaiveDateTime, Person)>> {
    Ok(invitations::table
        .inner_join(persons::table.on(persons::id.eq(invitations::person_id)))
        .filter(invitations::community_id.eq(community_id))
        .order(invitations::created_at.asc())
        .select((invitations::created_at, Person::as_select()))
        .load(conn)?)
}
