//! Fuzzes the `Signature` header parser and the strict request rules: never panics, and whatever
//! parses names a key and a signature.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::signature_header(data));
