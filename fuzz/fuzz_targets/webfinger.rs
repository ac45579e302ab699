//! Fuzzes WebFinger: parsing a response document from another server (depth-bounded, capped),
//! and the host of a handle (`name@host`) as copse canonicalises it before any lookup.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::webfinger(data));
