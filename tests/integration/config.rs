//! Settings: the generated defaults file, layering, and start-up errors that name the key.

use copse::config::{Backend, RegistrationMode, Scheme, Settings};

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
    // Loaded from config/, the relative default database is config/'s data/copse.db.
    let config_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
    assert_eq!(
        parsed,
        Settings {
            database_url: format!("{config_dir}/data/copse.db"),
            ..Settings::default()
        }
    );
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

#[test]
fn scheme_is_http_for_development_instances_unless_set() {
    let url = |pairs: &[(&str, &str)]| Settings::load(None, env(pairs)).expect("load").url("/c/x");
    assert_eq!(url(&[]), "http://localhost:8080/c/x");
    assert_eq!(
        url(&[("COPSE_HOSTNAME", "copse.example")]),
        "https://copse.example/c/x"
    );
    assert_eq!(
        url(&[("COPSE_HOSTNAME", "dev.localhost:8443")]),
        "http://dev.localhost:8443/c/x"
    );
    assert_eq!(
        url(&[("COPSE_HOSTNAME", "notlocalhost.example")]),
        "https://notlocalhost.example/c/x"
    );
    assert_eq!(
        url(&[
            ("COPSE_HOSTNAME", "copse.example"),
            ("COPSE_INSECURE_FEDERATION", "true")
        ]),
        "http://copse.example/c/x"
    );
    assert_eq!(
        url(&[("COPSE_SCHEME", "https")]),
        "https://localhost:8080/c/x"
    );
    assert_eq!(
        url(&[
            ("COPSE_HOSTNAME", "copse.example"),
            ("COPSE_SCHEME", "http")
        ]),
        "http://copse.example/c/x"
    );
    assert_eq!(Settings::default().scheme, Scheme::Auto);
    let err = Settings::load(None, env(&[("COPSE_SCHEME", "ftp")])).expect_err("ftp");
    assert!(err.contains("scheme"), "{err}");
}

#[test]
fn relative_sqlite_paths_are_under_the_settings_file() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse.toml");
    let folder = dir.path().display();
    let load = |text: &str, pairs: &[(&str, &str)]| {
        std::fs::write(&file, text).expect("write");
        Settings::load(Some(&file), env(pairs))
            .expect("load")
            .database_url
    };
    assert_eq!(
        load("database_url = \"db/x.db\"\n", &[]),
        format!("{folder}/db/x.db")
    );
    assert_eq!(
        load("database_url = \"sqlite://x.db\"\n", &[]),
        format!("sqlite://{folder}/x.db")
    );
    assert_eq!(
        load("", &[("COPSE_DATABASE_URL", "y.db")]),
        format!("{folder}/y.db")
    );
    assert_eq!(
        load("database_url = \"/srv/copse.db\"\n", &[]),
        "/srv/copse.db"
    );
    let pg = "postgres://copse:secret@127.0.0.1:5432/copse";
    assert_eq!(load("", &[("COPSE_DATABASE_URL", pg)]), pg);
    // Without a settings file, the working directory decides (and nothing is rewritten).
    let s = Settings::load(None, env(&[])).expect("load");
    assert_eq!(s.database_url, "data/copse.db");
    let shown = s.database_description();
    let cwd = std::env::current_dir().expect("cwd");
    assert!(
        shown.starts_with(&format!("SQLite {}/data/copse.db", cwd.display())),
        "{shown}"
    );
    let s = Settings::load(None, env(&[("COPSE_DATABASE_URL", pg)])).expect("load");
    let shown = s.database_description();
    assert!(
        !shown.contains("secret") && shown.contains("127.0.0.1:5432/copse"),
        "{shown}"
    );
}

/// A plain-http development instance (a `localhost` name, insecure federation off) gives ids and
/// links a browser can follow.
#[tokio::test]
async fn a_localhost_instance_without_tls_links_with_http() {
    let app = crate::helpers::TestApp::spawn_with(|s| s.insecure_federation = false).await;
    let olga = app.user("olga").await;
    let (status, c) = app
        .community(&olga, "gardeners", serde_json::json!({}))
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{c}");
    let base = format!("http://{}", app.hostname);
    let group = app.activity_json("/c/gardeners").await;
    assert_eq!(group["id"], format!("{base}/c/gardeners"));
    assert_eq!(group["inbox"], format!("{base}/c/gardeners/inbox"));
    let (_, _, page) = app.fetch("/c/gardeners", "text/html").await;
    assert!(page.contains(&format!("href=\"{base}/u/olga\"")), "{page}");
    assert!(!page.contains("https://localhost"), "{page}");
}

#[test]
fn mail_settings_mask_the_smtp_password_and_say_what_is_wrong() {
    let s = Settings::load(
        None,
        env(&[
            (
                "COPSE_SMTP_URL",
                "smtp://copse:s3cret@mail.example.org:587?tls=required",
            ),
            ("COPSE_MAIL_FROM", "Gardeners <copse@example.org>"),
        ]),
    )
    .expect("valid mail settings");
    assert!(s.email_confirmation_required(), "auto: on with SMTP");
    let shown = toml::to_string(&s.redacted()).unwrap();
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        shown.contains("smtp://copse:***@mail.example.org:587"),
        "{shown}"
    );

    let none = Settings::load(None, env(&[])).unwrap();
    assert!(
        !none.email_confirmation_required(),
        "auto: off without SMTP"
    );
    let forced = Settings::load(None, env(&[("COPSE_REQUIRE_EMAIL_CONFIRMATION", "true")]));
    assert!(forced.unwrap().email_confirmation_required());

    for (key, value, named) in [
        ("COPSE_SMTP_URL", "http://mail.example.org", "smtp_url"),
        ("COPSE_MAIL_FROM", "not an address", "mail_from"),
        (
            "COPSE_REQUIRE_EMAIL_CONFIRMATION",
            "sometimes",
            "require_email_confirmation",
        ),
    ] {
        let err = Settings::load(None, env(&[(key, value)])).unwrap_err();
        assert!(err.contains(named), "{key}={value}: {err}");
    }
}

#[test]
fn mail_goes_beside_the_database_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copse.toml");
    std::fs::write(&file, "database_url = \"data/copse.db\"\n").unwrap();
    let s = Settings::load(Some(&file), env(&[])).unwrap();
    assert_eq!(
        s.mail_folder(),
        std::path::absolute(dir.path()).unwrap().join("data/mail")
    );
    std::fs::write(&file, "mail_dir = \"outbox\"\n").unwrap();
    let s = Settings::load(Some(&file), env(&[])).unwrap();
    assert_eq!(
        s.mail_folder(),
        std::path::absolute(dir.path()).unwrap().join("outbox")
    );
}
