//! Caps on what other servers send, in one place: JSON nesting depth (checked on the raw bytes
//! before anything is deserialised), the length of every string and array, tighter caps on the
//! fields that are stored or shown (names, summaries, content, `tag`, `to`/`cc`, attachments,
//! poll options), and NUL characters, which never reach the database.

use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;

/// Deepest JSON nesting accepted (arrays and objects). Real activities stay under 10.
pub const MAX_JSON_DEPTH: usize = 32;
/// Longest string anywhere in remote JSON (bytes), unless a field has its own cap.
pub const MAX_STRING_BYTES: usize = 256 * 1024;
/// Longest array anywhere in remote JSON, unless a field has its own cap.
pub const MAX_ARRAY_LEN: usize = 1_000;

/// Per-field caps: (field name, longest string in bytes, longest array).
pub const FIELD_CAPS: &[(&str, usize, usize)] = &[
    ("name", 2_000, 10),
    ("preferredUsername", 400, 1),
    ("summary", 64 * 1024, 10),
    ("content", MAX_STRING_BYTES, 10),
    ("tag", MAX_STRING_BYTES, 200),
    ("to", 2_000, 500),
    ("cc", 2_000, 500),
    ("bto", 2_000, 500),
    ("bcc", 2_000, 500),
    ("audience", 2_000, 10),
    ("attachment", MAX_STRING_BYTES, 50),
    ("oneOf", MAX_STRING_BYTES, 50),
    ("anyOf", MAX_STRING_BYTES, 50),
];

fn caps_of(field: &str) -> (usize, usize) {
    FIELD_CAPS
        .iter()
        .find(|(name, ..)| *name == field)
        .map_or((MAX_STRING_BYTES, MAX_ARRAY_LEN), |&(_, s, a)| (s, a))
}

/// True when `json` nests arrays or objects deeper than `max`. Runs over the raw bytes without
/// recursion, so a body nested a million deep costs one pass.
pub fn too_deep(json: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in json {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Parses remote JSON within the depth cap: 400 `too_deep` or `malformed_json`.
pub fn parse_json(body: &[u8]) -> Result<Value> {
    if too_deep(body, MAX_JSON_DEPTH) {
        return Err(Error::new(
            ErrorKind::BadRequest,
            "too_deep",
            format!("JSON is nested more than {MAX_JSON_DEPTH} levels deep"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::BadRequest,
            "malformed_json",
            format!("the body is not JSON: {e}"),
        )
    })
}

fn too_large(path: &str, message: String) -> Error {
    let mut e = Error::new(ErrorKind::BadRequest, "too_large", message);
    e.field = Some(path.to_string());
    e
}

/// Checks every string and array in `value` against the caps (the field's own, or the general
/// ones), and refuses NUL characters: 400 naming the path of the field at fault.
pub fn check_caps(value: &Value) -> Result<()> {
    walk(value, "", MAX_STRING_BYTES, MAX_ARRAY_LEN)
}

fn walk(value: &Value, path: &str, max_string: usize, max_array: usize) -> Result<()> {
    match value {
        Value::String(s) => {
            if s.len() > max_string {
                return Err(too_large(
                    path,
                    format!("{path} is longer than {max_string} bytes"),
                ));
            }
            if s.contains('\0') {
                let mut e = Error::new(
                    ErrorKind::BadRequest,
                    "nul_character",
                    format!("{path} contains a NUL character"),
                );
                e.field = Some(path.to_string());
                return Err(e);
            }
        }
        Value::Array(items) => {
            if items.len() > max_array {
                return Err(too_large(
                    path,
                    format!("{path} has more than {max_array} items"),
                ));
            }
            for item in items {
                walk(item, path, max_string, max_array)?;
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                if key.len() > MAX_STRING_BYTES || key.contains('\0') {
                    return Err(too_large(path, format!("{path} has a malformed key")));
                }
                let (s, a) = caps_of(key);
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(item, &child, s, a)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_is_counted_outside_strings() {
        assert!(!too_deep(br#"{"a":[1,{"b":"[[[[[[["}]}"#, 3));
        assert!(too_deep(br#"{"a":[1,{"b":[]}]}"#, 3));
        assert!(!too_deep(br#"{"a":"\"[[[[\\"}"#, 1));
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let got = parse_json(deep.as_bytes()).err().map(|e| e.code);
        assert_eq!(got, Some("too_deep"));
    }

    #[test]
    fn caps_name_the_field() {
        let ok = json!({"type": "Create", "object": {"name": "hi", "tag": [1, 2]}});
        assert!(check_caps(&ok).is_ok());
        let tags = json!({"object": {"tag": vec![0; 201]}});
        let e = check_caps(&tags).expect_err("refused");
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("too_large", Some("object.tag"))
        );
        let name = json!({"object": {"name": "a".repeat(2_001)}});
        assert!(check_caps(&name).is_err());
        let nul = json!({"object": {"content": "a\u{0}b"}});
        assert_eq!(
            check_caps(&nul).err().map(|e| e.code),
            Some("nul_character")
        );
    }
}
