//! The instance actor's key pair (`instance_actor`, one row).

use super::{now, schema::instance_actor, DbConn};
use crate::error::Result;
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
