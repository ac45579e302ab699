//! Fuzzes the `Signature` header parser and the strict request rules: never panics, and whatever
//! parses names a key and a signature.
#![no_main]

use copse::federation::signatures::{check_request, parse_signature, SignedRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(params) = parse_signature(text) {
        assert!(!params.key_id.is_empty() && !params.signature.is_empty());
    }
    let header = |name: &str| match name {
        "signature" => Some(text.to_string()),
        "host" => Some("copse.example".to_string()),
        "date" => Some(text.chars().take(40).collect()),
        "digest" => Some(text.chars().rev().take(60).collect()),
        _ => None,
    };
    let request = SignedRequest {
        our_host: "copse.example",
        header: &header,
    };
    let _ = check_request(&request, Some(data), chrono_now());
    let _ = check_request(&request, None, chrono_now());
});

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}
