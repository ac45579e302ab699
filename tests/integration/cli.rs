//! The `copse` binary: version, migrate, config, and creating an admin from the command line.

use crate::helpers::{TestApp, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    io::Write,
    process::{Command, Stdio},
};

pub fn copse(db: &TestDb, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(args)
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run copse");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn version_and_migrate() {
    let db = TestDb::new();
    let (ok, out, _) = copse(&db, &["--version"], "");
    assert!(ok && out.contains(env!("CARGO_PKG_VERSION")), "{out}");
    let (ok, out, err) = copse(&db, &["migrate"], "");
    assert!(ok, "{err}");
    let expected = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations")
        .count();
    assert!(
        out.contains(&format!("{expected} migration(s) applied")),
        "{out}"
    );
    let (ok, out, _) = copse(&db, &["migrate"], "");
    assert!(ok && out.contains("0 migration(s) applied"), "{out}");
}

#[test]
fn bad_settings_stop_start_up_with_the_key_named() {
    let db = TestDb::new();
    let out = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(["serve"])
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_BIND", "nonsense")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind"), "{err}");
}

#[tokio::test]
async fn operator_creates_an_admin_who_can_log_in() {
    let db = TestDb::new();
    let (ok, out, err) = copse(
        &db,
        &[
            "admin",
            "create-user",
            "root_admin",
            "--email",
            "root@example.org",
            "--admin",
        ],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("created root_admin (admin)"), "{out}");
    let (ok, _, err) = copse(
        &db,
        &[
            "admin",
            "create-user",
            "Bad-Name",
            "--email",
            "b@example.org",
        ],
        "a long enough password\n",
    );
    assert!(!ok && err.contains("username"), "{err}");

    let app = TestApp::spawn_on(db, |_| {}).await;
    let (status, body) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "root_admin", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("token").to_string();
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["is_admin"], true);
}

#[test]
fn config_defaults_prints_the_defaults_file() {
    let db = TestDb::new();
    let (ok, out, _) = copse(&db, &["config", "defaults"], "");
    assert!(ok);
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/defaults.toml"))
            .expect("file");
    assert_eq!(out, file);
}
