//! Settings: the generated defaults file, layering, and start-up errors that name the key.

use copse::config::{Backend, RegistrationMode, Settings};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_file_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/defaults.toml");
    let on_disk = std::fs::read_to_string(path).expect("config/defaults.toml");
    assert_eq!(
        on_disk,
        Settings::defaults_toml(),
        "config/defaults.toml is stale: run `cargo run -- config defaults > config/defaults.toml`"
    );
    let parsed = Settings::load(Some(std::path::Path::new(path)), env(&[])).expect("load");
    assert_eq!(parsed, Settings::default());
}

#[test]
fn documented_defaults() {
    let s = Settings::load(None, env(&[])).expect("defaults");
    assert_eq!(s.hostname, "localhost:8080");
    assert_eq!(s.bind, "127.0.0.1:8080");
    assert_eq!(s.database_url, "data/copse.db");
    assert_eq!(s.backend(), Backend::Sqlite);
    assert!(!s.insecure_federation);
    assert_eq!(s.registration_mode, RegistrationMode::Open);
}

#[test]
fn environment_overrides_file_overrides_defaults() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse.toml");
    std::fs::write(&file, "hostname = \"file.example\"\nhttp_workers = 3\n").expect("write");
    let s = Settings::load(
        Some(&file),
        env(&[
            ("COPSE_HOSTNAME", "env.example"),
            ("COPSE_DATABASE_URL", "postgres://u@h/db"),
            ("COPSE_INSECURE_FEDERATION", "true"),
            ("COPSE_REGISTRATION_MODE", "approval"),
            ("COPSE_BLOCKED_INSTANCES", "bad.example, worse.example:8443"),
            ("COPSE_TEST_POSTGRES_URL", "ignored: not a setting"),
            ("PATH", "/bin"),
        ]),
    )
    .expect("load");
    assert_eq!(s.hostname, "env.example");
    assert_eq!(s.http_workers, 3);
    assert_eq!(s.backend(), Backend::Postgres);
    assert!(s.insecure_federation);
    assert_eq!(s.registration_mode, RegistrationMode::Approval);
    assert_eq!(s.blocked_instances, ["bad.example", "worse.example:8443"]);
    assert_eq!(s.url("/c/x"), "http://env.example/c/x");
}

#[test]
fn invalid_settings_name_the_key() {
    let cases = [
        ("COPSE_BIND", "not an address", "bind"),
        ("COPSE_HOSTNAME", "has space", "hostname"),
        ("COPSE_INSECURE_FEDERATION", "maybe", "insecure_federation"),
        ("COPSE_REGISTRATION_MODE", "sometimes", "registration_mode"),
        ("COPSE_DATABASE_POOL_SIZE", "0", "database_pool_size"),
        (
            "COPSE_BLOCKED_INSTANCES",
            "ok.example,not a host",
            "blocked_instances",
        ),
    ];
    for (key, value, name) in cases {
        let err = Settings::load(None, env(&[(key, value)])).expect_err(key);
        assert!(err.contains(name), "{key}={value}: {err}");
    }
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse.toml");
    std::fs::write(&file, "hostnme = \"typo.example\"\n").expect("write");
    let err = Settings::load(Some(&file), env(&[])).expect_err("unknown key");
    assert!(err.contains("hostnme"), "{err}");
    let err =
        Settings::load(Some(&dir.path().join("missing.toml")), env(&[])).expect_err("missing");
    assert!(err.contains("missing.toml"), "{err}");
}
