//! The outbox format written before [`Change`](super::Change) (until December 2026): an
//! externally tagged enum whose variants embedded whole rows (`{"PostCreated": {"post": {…},
//! "community": {…}, "author": {…}, "activity_id": …}}`). Queued rows of that format are read
//! here, on the fly, rather than rewritten by a migration (see docs/ARCHITECTURE.md).
//!
//! The variant names and every other field are the same; each embedded row becomes its id under
//! the row's name + `_id`. Rows are read as plain JSON, never as today's row structs, so their
//! columns do not matter.

use serde_json::{Map, Value};

/// The embedded rows of the old format, by field name.
const ROWS: &[&str] = &[
    "person",
    "community",
    "author",
    "voter",
    "actor",
    "moderator",
    "reporter",
    "post",
    "comment",
    "report",
];

/// Turns an old stored event into the JSON of the new format (still to be deserialized, so an
/// unknown variant or a missing field is an error there). Anything else is returned unchanged.
pub fn upgrade(value: Value) -> Value {
    let Value::Object(outer) = value else {
        return value;
    };
    if outer.len() != 1 {
        return Value::Object(outer);
    }
    let Some((name, Value::Object(fields))) = outer.into_iter().next() else {
        return Value::Null;
    };
    let mut out = Map::new();
    out.insert("change".into(), Value::String(name));
    for (key, value) in fields {
        match value {
            Value::Object(row) if ROWS.contains(&key.as_str()) => {
                if let Some(id) = row.get("id") {
                    out.insert(format!("{key}_id"), id.clone());
                }
            }
            other => {
                out.insert(key, other);
            }
        }
    }
    Value::Object(out)
}
