//! Fuzzes `Digest` parsing and checking: never panics; a header accepted for a body is a
//! SHA-256 digest of exactly that body.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::digest(data));
