//! The instance as a whole: its actor's key pair (`instance_actor`, one row) and the instances
//! its administrators block or allow (`instance_policy`).

use super::{
    now,
    schema::{instance_actor, instance_policy},
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
    Ok(!existed)
}

/// Takes `host` off the lists; false if it was not on them.
pub fn remove_policy_entry(conn: &mut DbConn, host: &str) -> Result<bool> {
    Ok(diesel::delete(instance_policy::table.find(host)).execute(conn)? > 0)
}
