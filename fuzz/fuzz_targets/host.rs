//! Fuzzes host and URL canonicalisation: a canonical host is lowercase, has no trailing dot and
//! is a fixed point; the instance policy treats every spelling of a blocked host alike.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::host(data));
