//! Fuzzes WebFinger: parsing a response document from another server (depth-bounded, capped),
//! and the host of a handle (`name@host`) as copse canonicalises it before any lookup.
#![no_main]

use activitypub_federation::fetch::webfinger::Webfinger;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = copse::federation::limits::parse_json(data) {
        if copse::federation::limits::check_caps(&value).is_ok() {
            if let Ok(doc) = serde_json::from_value::<Webfinger>(value) {
                let _ = doc.links.iter().filter_map(|l| l.href.as_ref()).count();
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let handle = text.trim_start_matches(['!', '@']);
        if let Some((_, host)) = handle.split_once('@') {
            if let Ok(canonical) = copse::domain::names::parse_hostname(host) {
                assert!(!canonical.contains('/') && !canonical.contains('@'));
            }
        }
    }
});
