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

/// Activity types copse handles (the inbox's variants other than the catch-all).
const HANDLED: &[&str] = &[
    "Follow", "Join", "Leave", "Accept", "Reject", "Undo", "Create", "Announce", "Like", "Dislike",
    "Flag", "Resolve", "Move",
];

/// What `InboxActivity` made of a document, by variant name.
fn variant(doc: &serde_json::Value) -> Result<&'static str, String> {
    use copse::federation::activities::InboxActivity as A;
    let parsed: A = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    Ok(match parsed {
        A::Follow(_) => "Follow",
        A::Accept(_) => "Accept",
        A::Reject(_) => "Reject",
        A::Undo(_)
        | A::UndoVote(_)
        | A::UndoLock(_)
        | A::UndoBlock(_)
        | A::UndoDelete(_)
        | A::UndoJoin(_) => "Undo",
        A::Join(_) => "Join",
        A::Leave(_) => "Leave",
        A::Block(_) => "Block",
        A::Add(_) => "Add",
        A::Remove(_) => "Remove",
        A::Flag(_) => "Flag",
        A::Resolve(_) => "Resolve",
        A::Lock(_) => "Lock",
        A::Vote(v) => match v.kind {
            copse::federation::activities::voting::VoteType::Like => "Like",
            copse::federation::activities::voting::VoteType::Dislike => "Dislike",
        },
        A::Page(p) => match p.kind {
            copse::federation::activities::library::PageVerb::Create => "Create",
            copse::federation::activities::library::PageVerb::Update => "Update",
        },
        A::CreateDigest(_) | A::Create(_) => "Create",
        A::Update(_) | A::UpdateGroup(_) => "Update",
        A::Delete(_) => "Delete",
        A::Announce(_) => "Announce",
        A::Move(_) => "Move",
        A::Other(_) => "Other",
    })
}

/// Whether copse handles this document's kind: an Undo of a Follow or a vote, a Create only of
/// content, an Announce of anything (unsupported inner activities are acknowledged).
fn handled(doc: &serde_json::Value) -> bool {
    let kind = doc["type"].as_str().unwrap_or("");
    let inner = doc["object"]["type"].as_str().unwrap_or("");
    match kind {
        "Undo" => [
            "Follow", "Like", "Dislike", "Lock", "Block", "Delete", "Join",
        ]
        .contains(&inner),
        // A Block without a community target is a person blocking a person: not ours.
        "Block" => !doc["target"].is_null(),
        // Add/Remove to a community's featured or moderators collection.
        "Add" | "Remove" => doc["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("/featured") || t.ends_with("/moderators")),
        "Create" => ["Page", "Article", "Note", "Event", "Question", "Video"].contains(&inner),
        "Update" => [
            "Page", "Article", "Note", "Event", "Question", "Video", "Group",
        ]
        .contains(&inner),
        "Accept" | "Reject" => inner == "Follow" || doc["object"].is_string(),
        other => HANDLED.contains(&other),
    }
}

#[test]
fn every_captured_activity_we_handle_parses_into_its_variant() {
    let Some(root) = fixtures() else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, doc) in documents(&root) {
        // An activity without an id cannot be processed by anyone (one Lemmy capture lacks it).
        if doc["actor"].is_null() || doc["id"].is_null() || !handled(&doc) {
            continue;
        }
        let expected = doc["type"].as_str().unwrap_or("");
        match variant(&doc) {
            Ok(got) if got == expected => checked += 1,
            Ok(got) => failures.push(format!("{}: parsed as {got}", path.display())),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} documents failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 15, "only {checked} activities found");
}

#[test]
fn every_captured_post_or_comment_parses() {
    use copse::federation::objects::post::PostJson;
    let Some(root) = fixtures() else { return };
    let kinds = ["Page", "Article", "Note", "Event", "Question", "Video"];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, doc) in documents(&root) {
        if !kinds.contains(&doc["type"].as_str().unwrap_or("")) || doc["attributedTo"].is_null() {
            continue;
        }
        match serde_json::from_value::<PostJson>(doc.clone()) {
            Ok(json) if json.author().is_some() => checked += 1,
            Ok(_) => failures.push(format!("{}: no author", path.display())),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} documents failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 10, "only {checked} objects found");
}

/// Every captured `Event` (Mobilizon's, Gancio's, inside activities too) reads as an event with
/// a start, and the places, addresses and links the captures hold come through.
#[test]
fn every_captured_event_reads_as_an_event() {
    use copse::federation::objects::post::PostJson;
    let Some(root) = fixtures() else { return };
    let mut events = Vec::new();
    for (path, doc) in documents(&root) {
        let object = match doc["type"].as_str() {
            Some("Event") => doc.clone(),
            _ if doc["object"]["type"] == "Event" => doc["object"].clone(),
            _ => continue,
        };
        let json: PostJson =
            serde_json::from_value(object).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let event = json
            .received()
            .event
            .unwrap_or_else(|| panic!("{}: not read as an event", path.display()));
        events.push((path, event));
    }
    assert!(events.len() >= 3, "only {} events found", events.len());
    let places: Vec<String> = events
        .iter()
        .map(|(_, e)| format!("{} | {}", e.details.place_name, e.details.place_address))
        .collect();
    // Mobilizon's PostalAddress and Gancio's address line both become the address.
    assert!(
        places
            .iter()
            .any(|p| p.starts_with("The Kenn Centre | Devon Expressway, EX6 7TW")),
        "{places:?}"
    );
    assert!(
        places
            .iter()
            .any(|p| p == "Community Hall | 1 Main St, Springfield"),
        "{places:?}"
    );
    // Gancio's VirtualLocation is the online link; Mobilizon's capacity 0 is none.
    assert!(events
        .iter()
        .any(|(_, e)| e.details.online_url == "https://meet.example/room"));
    assert!(events
        .iter()
        .all(|(_, e)| e.details.capacity.is_none_or(|c| c > 0)));
    assert!(events
        .iter()
        .any(|(_, e)| e.details.timezone == "Europe/London"));
}
