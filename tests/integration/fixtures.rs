//! Real actor documents captured from other servers parse into our wire types. Runs when
//! COPSE_FIXTURES points at the shared fixtures folder (CI sets it).

use copse::federation::objects::{group::GroupJson, person::PersonJson};
use std::path::PathBuf;

fn fixtures() -> Option<PathBuf> {
    match std::env::var("COPSE_FIXTURES") {
        Ok(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("COPSE_FIXTURES is not set: skipping the fixture round-trips");
            None
        }
    }
}

fn documents(root: &std::path::Path) -> Vec<(PathBuf, serde_json::Value)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("read");
                if let Ok(value) = serde_json::from_str(&text) {
                    out.push((path, value));
                }
            }
        }
    }
    out
}

#[test]
fn every_captured_person_and_group_parses() {
    let Some(root) = fixtures() else { return };
    let (mut persons, mut groups) = (0, 0);
    for (path, doc) in documents(&root) {
        match doc["type"].as_str() {
            Some("Person") => {
                serde_json::from_value::<PersonJson>(doc.clone())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                persons += 1;
            }
            Some("Group") => {
                serde_json::from_value::<GroupJson>(doc.clone())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                groups += 1;
            }
            _ => {}
        }
    }
    assert!(
        persons >= 5 && groups >= 3,
        "found {persons} persons, {groups} groups"
    );
}
