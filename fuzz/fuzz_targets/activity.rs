//! Fuzzes what the inbox does with a body before any network access: the depth-bounded parse,
//! the caps, and deserialisation of every inbox enum and object type. Never panics; anything
//! past the caps is refused before it is deserialised.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::activity(data));
