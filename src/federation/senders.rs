//! Remote people as last read from the database or stored here, by actor id, for a minute: the
//! inbox reads its sender on every activity, and a busy sender sends many (issue 19: one
//! statement and one trip to a blocking thread fewer per received activity).
//!
//! A row changes only when its actor document is stored again (`Person::from_json`, which
//! keeps the new row here), so this process's copy is never older than its database's. Another
//! process on the same database may store a newer one (a new key, say): a signature that does
//! not verify with a kept row is checked again against the database's (`federation::inbox`),
//! and every row is read afresh after [`KEPT_FOR`]. Local people are never kept.

use crate::db::accounts::Person;
use moka::sync::Cache;
use std::time::Duration;

/// How long a row is used without reading it again.
pub const KEPT_FOR: Duration = Duration::from_secs(60);

/// The most bytes of rows kept (each weighed by its texts): about 2,000 people.
const MAX_BYTES: u64 = 4 << 20;

/// The kept rows, by actor id.
pub struct Senders(Cache<String, Person>);

impl Default for Senders {
    fn default() -> Self {
        Senders(
            Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|id: &String, p: &Person| weight(id, p))
                .time_to_live(KEPT_FOR)
                .build(),
        )
    }
}

/// About the bytes a row holds.
fn weight(id: &str, p: &Person) -> u32 {
    let optional = [
        &p.display_name,
        &p.summary_md,
        &p.summary_html,
        &p.shared_inbox_url,
    ];
    let texts = id.len()
        + p.ap_id.0.as_str().len()
        + p.name.len()
        + p.inbox_url.len()
        + p.public_key.len()
        + optional
            .iter()
            .map(|t| t.as_ref().map_or(0, String::len))
            .sum::<usize>();
    u32::try_from(texts + 256).unwrap_or(u32::MAX)
}

impl Senders {
    /// The kept row of the remote person `id`, if any.
    pub fn get(&self, id: &str) -> Option<Person> {
        self.0.get(id)
    }

    /// Keeps `person`'s row as just read or stored (a local person's is not kept).
    pub fn keep(&self, person: &Person) {
        if !person.local {
            self.0.insert(person.ap_id.0.to_string(), person.clone());
        }
    }

    /// Drops the row of `id`; answers whether one was kept.
    pub fn forget(&self, id: &str) -> bool {
        self.0.remove(id).is_some()
    }
}
