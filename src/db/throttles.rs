//! Log-in throttles (`login_throttles`): one row per kind (`account`, `address`) and key, the
//! stored form of `domain::throttle::Entry`, shared by every process on the database.

use super::{schema::login_throttles as t, DbConn};
use crate::{
    domain::throttle::{Entry, Policy},
    error::Result,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A row's counters, as `domain::throttle::Entry` holds them.
#[derive(Queryable, Selectable)]
#[diesel(table_name = t)]
struct Stored {
    failures: i32,
    window_start: Option<NaiveDateTime>,
    in_flight: i32,
    in_flight_until: Option<NaiveDateTime>,
    lockouts: i32,
    locked_until: Option<NaiveDateTime>,
    last_failure: Option<NaiveDateTime>,
}

impl From<Stored> for Entry {
    fn from(row: Stored) -> Entry {
        let count = |n: i32| u32::try_from(n).unwrap_or(0);
        Entry {
            failures: count(row.failures),
            window_start: row.window_start,
            in_flight: count(row.in_flight),
            in_flight_until: row.in_flight_until,
            lockouts: count(row.lockouts),
            locked_until: row.locked_until,
            last_failure: row.last_failure,
        }
    }
}

/// A key's entry as stored (empty when there is none); a plain read.
pub fn get(conn: &mut DbConn, kind: &str, key: &str) -> Result<Entry> {
    let row: Option<Stored> = t::table
        .find((kind, key))
        .select(Stored::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Entry::from).unwrap_or_default())
}

/// Changes a key's entry with `f` inside the caller's write transaction, the row locked from
/// the read to the write (PostgreSQL: `FOR UPDATE`; SQLite's write transactions take the
/// database's one write lock first), so that two processes never count over each other. An
/// entry left with nothing worth keeping is deleted.
pub fn update<T>(
    conn: &mut DbConn,
    kind: &str,
    key: &str,
    policy: &Policy,
    f: impl FnOnce(&mut Entry) -> T,
) -> Result<T> {
    // The row exists first (empty if new), so that locking it serialises two processes that
    // count the same new key at once.
    let blank = (
        t::kind.eq(kind),
        t::key.eq(key),
        t::failures.eq(0),
        t::in_flight.eq(0),
        t::lockouts.eq(0),
        t::forget_after.eq(super::now()),
    );
    let insert = diesel::insert_into(t::table).values(blank);
    let row: Stored = match conn {
        DbConn::Pg(pg) => {
            insert.on_conflict_do_nothing().execute(pg)?;
            t::table
                .find((kind, key))
                .select(Stored::as_select())
                .for_update()
                .first(pg)?
        }
        DbConn::Sqlite(lite) => {
            insert.on_conflict_do_nothing().execute(lite)?;
            t::table
                .find((kind, key))
                .select(Stored::as_select())
                .first(lite)?
        }
    };
    let mut current = Entry::from(row);
    let out = f(&mut current);
    let forget_after = current.forget_after(policy);
    let row = t::table.find((kind, key));
    if forget_after <= super::now() {
        diesel::delete(row).execute(conn)?;
        return Ok(out);
    }
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    diesel::update(row)
        .set((
            t::failures.eq(count(current.failures)),
            t::window_start.eq(current.window_start),
            t::in_flight.eq(count(current.in_flight)),
            t::in_flight_until.eq(current.in_flight_until),
            t::lockouts.eq(count(current.lockouts)),
            t::locked_until.eq(current.locked_until),
            t::last_failure.eq(current.last_failure),
            t::forget_after.eq(forget_after),
        ))
        .execute(conn)?;
    Ok(out)
}

/// Forgets the entries nothing of which matters any more (housekeeping); answers how many.
pub fn forget_idle(conn: &mut DbConn) -> Result<usize> {
    Ok(diesel::delete(t::table.filter(t::forget_after.le(super::now()))).execute(conn)?)
}
