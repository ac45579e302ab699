//! The instance as a whole: its actor's key pair (`instance_actor`, one row), the instances
//! its administrators block or allow (`instance_policy`), and the software other instances run
//! (`instance_software`, from their NodeInfo), and the versions of what processes keep
//! compiled in memory (`state_versions`: the policy's).

use super::{
    now,
    schema::{
        community_members, instance_actor, instance_policy, instance_software, persons,
        state_versions,
    },
    DbConn,
};
use crate::{domain::names::InstanceList, error::Result};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instance_actor)]
pub struct InstanceKeys {
    pub id: i64,
    pub public_key: String,
    pub private_key: String,
    pub created_at: chrono::NaiveDateTime,
}

/// The stored key pair, created with `generate` on first start.
pub fn get_or_create(
    conn: &mut DbConn,
    generate: impl FnOnce() -> Result<(String, String)>,
) -> Result<InstanceKeys> {
    if let Some(keys) = instance_actor::table
        .find(1)
        .select(InstanceKeys::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(keys);
    }
    let (public_key, private_key) = generate()?;
    diesel::insert_into(instance_actor::table)
        .values((
            instance_actor::id.eq(1),
            instance_actor::public_key.eq(&public_key),
            instance_actor::private_key.eq(&private_key),
            instance_actor::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(instance_actor::table
        .find(1)
        .select(InstanceKeys::as_select())
        .first(conn)?)
}

/// An instance an administrator put on the block- or allow-list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instance_policy)]
pub struct InstanceEntry {
    /// `host[:port]`, canonical.
    pub host: String,
    pub kind: String,
    pub reason: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

impl InstanceEntry {
    pub fn list(&self) -> InstanceList {
        InstanceList::parse(&self.kind).unwrap_or(InstanceList::Block)
    }
}

/// Every entry, by host.
pub fn policy_entries(conn: &mut DbConn) -> Result<Vec<InstanceEntry>> {
    Ok(instance_policy::table
        .order(instance_policy::host.asc())
        .select(InstanceEntry::as_select())
        .load(conn)?)
}

pub fn policy_entry(conn: &mut DbConn, host: &str) -> Result<Option<InstanceEntry>> {
    Ok(instance_policy::table
        .find(host)
        .select(InstanceEntry::as_select())
        .first(conn)
        .optional()?)
}

/// Puts `host` on a list (replacing its earlier entry, and its time); true if it was not listed
/// before.
pub fn put_policy_entry(
    conn: &mut DbConn,
    host: &str,
    list: InstanceList,
    reason: Option<&str>,
) -> Result<bool> {
    let existed = policy_entry(conn, host)?.is_some();
    if existed {
        diesel::update(instance_policy::table.find(host))
            .set((
                instance_policy::kind.eq(list.as_str()),
                instance_policy::reason.eq(reason),
                instance_policy::created_at.eq(now()),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(instance_policy::table)
            .values((
                instance_policy::host.eq(host),
                instance_policy::kind.eq(list.as_str()),
                instance_policy::reason.eq(reason),
                instance_policy::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    bump_version(conn, POLICY_VERSION)?;
    Ok(!existed)
}

/// Takes `host` off the lists; false if it was not on them.
pub fn remove_policy_entry(conn: &mut DbConn, host: &str) -> Result<bool> {
    let removed = diesel::delete(instance_policy::table.find(host)).execute(conn)? > 0;
    if removed {
        bump_version(conn, POLICY_VERSION)?;
    }
    Ok(removed)
}

/// The `state_versions` row of the instance policy: bumped with every change of the lists.
pub const POLICY_VERSION: &str = "instance_policy";

/// The version of a piece of shared state (0 before its first change). One indexed row: every
/// process reads it every second (`jobs::sync`).
pub fn version(conn: &mut DbConn, name: &str) -> Result<i64> {
    Ok(state_versions::table
        .find(name)
        .select(state_versions::version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Counts a change of a piece of shared state, in the transaction that makes it.
pub fn bump_version(conn: &mut DbConn, name: &str) -> Result<()> {
    let insert = diesel::insert_into(state_versions::table)
        .values((state_versions::name.eq(name), state_versions::version.eq(1)))
        .on_conflict(state_versions::name)
        .do_update()
        .set(state_versions::version.eq(state_versions::version + 1));
    match conn {
        DbConn::Pg(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(())
}

/// The software each of `hosts` runs, where known (lowercase NodeInfo name; empty when its
/// NodeInfo could not be read).
pub fn software_of(
    conn: &mut DbConn,
    hosts: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    Ok(instance_software::table
        .filter(instance_software::host.eq_any(hosts))
        .select((instance_software::host, instance_software::software))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Records what `host` runs.
pub fn set_software(conn: &mut DbConn, host: &str, software: &str) -> Result<()> {
    let checked_at = now();
    let updated = diesel::update(instance_software::table.find(host))
        .set((
            instance_software::software.eq(software),
            instance_software::checked_at.eq(checked_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(instance_software::table)
            .values((
                instance_software::host.eq(host),
                instance_software::software.eq(software),
                instance_software::checked_at.eq(checked_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The inbox URLs of remote people in our communities (any state), for learning what their
/// instances run; the caller takes their hosts.
pub fn member_inboxes(conn: &mut DbConn) -> Result<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = community_members::table
        .inner_join(persons::table)
        .filter(persons::local.eq(false))
        .select((persons::inbox_url, persons::shared_inbox_url))
        .distinct()
        .load(conn)?;
    Ok(super::members::delivery_inboxes(rows))
}

/// The hosts among `hosts` whose software was never asked, or asked before `before`.
pub fn software_to_learn(
    conn: &mut DbConn,
    hosts: &[String],
    before: chrono::NaiveDateTime,
) -> Result<Vec<String>> {
    let fresh: std::collections::HashSet<String> = instance_software::table
        .filter(instance_software::host.eq_any(hosts))
        .filter(instance_software::checked_at.ge(before))
        .select(instance_software::host)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(hosts
        .iter()
        .filter(|h| !fresh.contains(*h))
        .cloned()
        .collect())
}
