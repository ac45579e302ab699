//! Fuzzes what the inbox does with a body before any network access: the depth-bounded parse,
//! the caps, and deserialisation of every inbox enum and object type. Never panics; anything
//! past the caps is refused before it is deserialised.
#![no_main]

use copse::federation::{
    activities::{announce::Announced, InboxActivity},
    limits,
    objects::{group::GroupJson, person::PersonJson, post::PostJson},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = limits::parse_json(data) else {
        return;
    };
    if limits::check_caps(&value).is_err() {
        return;
    }
    let _ = serde_json::from_value::<InboxActivity>(value.clone());
    let _ = serde_json::from_value::<Announced>(value.clone());
    let _ = serde_json::from_value::<PostJson>(value.clone());
    let _ = serde_json::from_value::<PersonJson>(value.clone());
    let _ = serde_json::from_value::<GroupJson>(value.clone());
    if let Ok(post) = serde_json::from_value::<PostJson>(value) {
        let _ = post.author();
        let _ = post.community_candidates();
        let _ = post.markdown();
        let html = post.html();
        assert!(!html.contains("<script"), "{html}");
    }
});
