//! Fuzzes host and URL canonicalisation: a canonical host is lowercase, has no trailing dot and
//! is a fixed point; the instance policy treats every spelling of a blocked host alike.
#![no_main]

use copse::domain::names::{instance_of, parse_hostname, InstancePolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(canonical) = parse_hostname(input) {
        assert_eq!(canonical, canonical.to_lowercase(), "{input:?}");
        assert!(!canonical.ends_with('.'), "{input:?}");
        assert_eq!(
            parse_hostname(&canonical).as_deref(),
            Ok(canonical.as_str())
        );
        let policy = InstancePolicy::new(&[input.to_string()], &[]);
        if let Ok(url) = url::Url::parse(&format!("https://{canonical}/u/x")) {
            assert!(!policy.permits(&url), "{input:?} does not block {url}");
        }
    }
    if let Ok(url) = url::Url::parse(input) {
        if let Some(instance) = instance_of(&url) {
            assert!(!instance.ends_with('.'));
        }
        let _ = copse::federation::signatures::origin(&url);
    }
});
