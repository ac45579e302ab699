//! `copse admin backup` and `restore`: a consistent copy of a SQLite instance taken while it
//! serves, and put back after later changes; PostgreSQL instances are pointed to pg_dump.

use crate::{
    cli::copse,
    helpers::{TestApp, TestDb},
};
use reqwest::StatusCode;
use serde_json::json;

async fn run(db_url: String, args: Vec<String>) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        copse(
            &TestDb::Sqlite(tempfile::tempdir().expect("dir"), db_url),
            &args,
            "",
        )
    })
    .await
    .expect("join")
}

#[tokio::test]
async fn a_backup_taken_while_serving_is_restored_in_place() {
    let mut app = TestApp::spawn().await;
    if !app.db.is_sqlite() {
        let (ok, _, err) = run(
            app.db.url(),
            vec!["admin".into(), "backup".into(), "/tmp/x".into()],
        )
        .await;
        assert!(!ok && err.contains("pg_dump"), "{err}");
        return;
    }
    let owner = app.user("keeper").await;
    app.community(&owner, "archive", json!({})).await;
    let post = |title: &'static str| {
        app.post(
            "/api/v1/communities/archive/posts",
            Some(&owner),
            json!({"title": title, "body": "kept"}),
        )
    };
    assert_eq!(post("Before the backup").await.0, StatusCode::CREATED);

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse-backup.db").display().to_string();
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (ok, out, err) = run(app.db.url(), args(&["admin", "backup", &file])).await;
    assert!(ok, "{out} {err}");
    assert!(out.contains("1 communities, 1 posts"), "{out}");
    // Never over an existing file.
    let (ok, _, err) = run(app.db.url(), args(&["admin", "backup", &file])).await;
    assert!(!ok && err.contains("exists"), "{err}");

    assert_eq!(post("After the backup").await.0, StatusCode::CREATED);
    let db_url = app.db.url();
    // Restoring over a database needs --force (and copse stopped).
    let (ok, _, err) = run(db_url.clone(), args(&["admin", "restore", &file])).await;
    assert!(!ok && err.contains("--force"), "{err}");
    app.server.take().expect("running").stop().await;
    let db = std::mem::replace(&mut app.db, TestDb::new());
    let (ok, out, err) = run(db.url(), args(&["admin", "restore", &file, "--force"])).await;
    assert!(ok, "{out} {err}");
    assert!(out.contains("before-restore"), "{out}");

    let restored = TestApp::spawn_on(db, |_| {}).await;
    let (status, page) = restored
        .get("/api/v1/communities/archive/posts", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let titles: Vec<_> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles, ["Before the backup"]);

    // What is not a copse database is refused, and nothing is replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").expect("write");
    let (ok, _, err) = run(
        db_url,
        args(&["admin", "restore", &junk.display().to_string(), "--force"]),
    )
    .await;
    assert!(!ok, "{err}");
    let (status, _) = restored
        .get("/api/v1/communities/archive/posts", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}
