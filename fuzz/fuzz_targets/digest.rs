//! Fuzzes `Digest` parsing and checking: never panics; a header accepted for a body is a
//! SHA-256 digest of exactly that body.
#![no_main]

use copse::federation::signatures::{check_digest, parse_digest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize).min(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    if let Ok(parts) = parse_digest(header) {
        assert!(parts
            .iter()
            .all(|(alg, v)| !alg.is_empty() && !v.is_empty()));
    }
    if check_digest(Some(header), body).is_ok() {
        assert!(header.to_ascii_lowercase().contains("sha-256="));
    }
});
