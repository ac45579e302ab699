//! For the people who run it: `/healthz` and `/readyz`, `copse health` (the container health
//! check), and `copse config show` keeping secrets out of its output.

use crate::{
    cli::copse,
    helpers::{TestApp, TestDb},
};
use reqwest::StatusCode;
use std::process::Command;

#[tokio::test]
async fn healthz_and_readyz_answer_when_the_instance_is_ready() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
}

#[tokio::test]
async fn copse_health_exits_zero_only_for_a_ready_instance() {
    let app = TestApp::spawn().await;
    let db = TestDb::new();
    let ready = app.url("/readyz");
    let (ok, out, err) =
        tokio::task::spawn_blocking(move || copse(&db, &["health", "--url", &ready], ""))
            .await
            .expect("join");
    assert!(ok, "{out} {err}");
    assert!(out.contains("200"), "{out}");

    // Nothing listens there (the port was bound and released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args([
            "health",
            "--url",
            &format!("http://127.0.0.1:{port}/readyz"),
        ])
        .env("COPSE_LOG", "warn")
        .output()
        .expect("run");
    assert!(!out.status.success());
    // A page that answers but not 2xx is not healthy either.
    let out = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(["health", "--url", &app.url("/no-such-page")])
        .env("COPSE_LOG", "warn")
        .output()
        .expect("run");
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn config_show_masks_the_database_password() {
    let out = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(["config", "show"])
        .env(
            "COPSE_DATABASE_URL",
            "postgres://copse:hunter2-secret@db.internal:5432/copse",
        )
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("hunter2-secret"), "{text}");
    assert!(
        text.contains("postgres://copse:***@db.internal:5432/copse"),
        "{text}"
    );
}

/// What `/readyz` reads: a database that has not been migrated is not ready.
#[test]
fn pending_migrations_are_counted_until_applied() {
    let db = TestDb::new();
    let settings = copse::config::Settings {
        database_url: db.url(),
        ..Default::default()
    };
    let mut conn = copse::db::ConnectionManager::new(&settings)
        .connect_once()
        .expect("connect");
    let before = copse::db::pending_migrations(&mut conn).expect("pending");
    assert!(before > 0, "{before}");
    copse::db::run_migrations(&mut conn).expect("migrate");
    assert_eq!(
        copse::db::pending_migrations(&mut conn).expect("pending"),
        0
    );
}
