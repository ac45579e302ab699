//! The two migration trees stay in step, both engines end with the same columns, and the OpenAPI
//! document covers every endpoint.

use crate::helpers::{postgres_server, TestApp, TestDb};
use diesel::{sql_types::Text, Connection, QueryableByName, RunQueryDsl};
use std::{collections::BTreeSet, path::Path};

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .expect("migrations dir")
        .filter_map(|e| e.ok())
        .map(|e| {
            let path = e.path();
            assert!(
                path.join("up.sql").exists() && path.join("down.sql").exists(),
                "{path:?}"
            );
            e.file_name().to_string_lossy().to_string()
        })
        .collect()
}

#[test]
fn migration_trees_have_the_same_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The full-text indexes' tables (and SQLite's FTS5 shadow tables, named after them).
const SEARCH_INDEXES: &[&str] = &["post_search", "community_search", "page_search"];

fn columns(conn: &mut copse::db::DbConn) -> BTreeSet<(String, String)> {
    let sql = match conn {
        copse::db::DbConn::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name \
            FROM sqlite_master m JOIN pragma_table_info(m.name) p \
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'"
        }
        copse::db::DbConn::Pg(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
            FROM information_schema.columns WHERE table_schema = 'public' \
            AND table_name NOT LIKE '__diesel%'"
        }
    };
    diesel::sql_query(sql)
        .load::<Column>(conn)
        .expect("columns")
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .filter(|(table, _)| !SEARCH_INDEXES.iter().any(|t| table.starts_with(t)))
        .collect()
}

/// Runs on the PostgreSQL pass: both engines, migrated, must have the same tables and columns,
/// except the full-text indexes, which are each engine's own by design (`db::search`: FTS5
/// tables on SQLite, a `tsvector` per row on PostgreSQL) and hold only derived data.
#[test]
fn both_engines_end_with_the_same_columns() {
    let Some(server) = postgres_server() else {
        return; // needs the PostgreSQL pass (COPSE_TEST_POSTGRES_URL)
    };
    let pg_db = TestDb::new();
    let mut pg = copse::db::DbConn::Pg(
        diesel::PgConnection::establish(&format!(
            "{server}/{}",
            pg_db.url().rsplit('/').next().unwrap_or("")
        ))
        .expect("pg"),
    );
    copse::db::run_migrations(&mut pg).expect("pg migrations");
    let dir = tempfile::tempdir().expect("dir");
    let mut lite = copse::db::DbConn::Sqlite(
        diesel::SqliteConnection::establish(&dir.path().join("s.db").display().to_string())
            .expect("sqlite"),
    );
    copse::db::run_migrations(&mut lite).expect("sqlite migrations");
    assert_eq!(columns(&mut lite), columns(&mut pg));
}

#[tokio::test]
async fn openapi_document_covers_every_endpoint() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let endpoints = [
        ("post", "/api/v1/accounts"),
        ("post", "/api/v1/sessions"),
        ("delete", "/api/v1/sessions"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/me/feed"),
        ("post", "/api/v1/me/feed"),
        ("put", "/api/v1/me/email"),
        ("post", "/api/v1/password-reset"),
        ("post", "/api/v1/password-reset/complete"),
        ("post", "/api/v1/email-confirmation"),
        ("post", "/api/v1/email-confirmation/resend"),
        ("get", "/api/v1/admin/instances"),
        ("post", "/api/v1/admin/instances"),
        ("delete", "/api/v1/admin/instances/{host}"),
        ("get", "/api/v1/admin/queue"),
        ("get", "/api/v1/communities"),
        ("post", "/api/v1/communities"),
        ("get", "/api/v1/communities/{name}"),
        ("patch", "/api/v1/communities/{name}"),
        ("post", "/api/v1/communities/{ref}/join"),
        ("delete", "/api/v1/communities/{ref}/join"),
        ("get", "/api/v1/communities/{ref}/members"),
        ("get", "/api/v1/communities/{name}/applications"),
        (
            "post",
            "/api/v1/communities/{name}/applications/{person_id}/approve",
        ),
        (
            "post",
            "/api/v1/communities/{name}/applications/{person_id}/reject",
        ),
        ("post", "/api/v1/communities/{ref}/posts"),
        ("get", "/api/v1/communities/{ref}/posts"),
        ("get", "/api/v1/posts/{id}"),
        ("post", "/api/v1/posts/{id}/comments"),
        ("get", "/api/v1/posts/{id}/comments"),
        ("post", "/api/v1/posts/{id}/vote"),
        ("post", "/api/v1/comments/{id}/vote"),
        ("patch", "/api/v1/posts/{id}"),
        ("delete", "/api/v1/posts/{id}"),
        ("patch", "/api/v1/comments/{id}"),
        ("delete", "/api/v1/comments/{id}"),
        ("get", "/api/v1/resolve"),
        ("get", "/api/v1/search"),
        ("post", "/api/v1/posts/{id}/lock"),
        ("post", "/api/v1/posts/{id}/pin"),
        ("post", "/api/v1/posts/{id}/communities"),
        ("delete", "/api/v1/posts/{id}/communities/{name}"),
        ("post", "/api/v1/communities/{name}/bans"),
        ("delete", "/api/v1/communities/{name}/bans/{person_id}"),
        ("post", "/api/v1/communities/{name}/moderators"),
        (
            "delete",
            "/api/v1/communities/{name}/moderators/{person_id}",
        ),
        ("post", "/api/v1/posts/{id}/restore"),
        ("post", "/api/v1/comments/{id}/restore"),
        ("post", "/api/v1/posts/{id}/report"),
        ("post", "/api/v1/comments/{id}/report"),
        ("get", "/api/v1/communities/{ref}/reports"),
        ("post", "/api/v1/reports/{id}/resolve"),
        ("post", "/api/v1/communities/{name}/invitations"),
        ("get", "/api/v1/communities/{name}/invitations"),
        ("get", "/api/v1/communities/{name}/calendars"),
        ("post", "/api/v1/communities/{name}/calendars"),
        ("delete", "/api/v1/communities/{name}/calendars/{id}"),
        (
            "delete",
            "/api/v1/communities/{name}/invitations/{person_id}",
        ),
        ("get", "/api/v1/communities/{ref}/modlog"),
        ("get", "/api/v1/admin/users"),
        ("post", "/api/v1/admin/users/{name}/suspend"),
        ("post", "/api/v1/admin/users/{name}/unsuspend"),
        ("post", "/api/v1/admin/users/{name}/admin"),
        ("post", "/api/v1/admin/users/{name}/approve"),
        ("post", "/api/v1/admin/users/{name}/reject"),
        ("post", "/api/v1/communities/{ref}/events"),
        ("get", "/api/v1/communities/{ref}/events"),
        ("get", "/api/v1/events/{id}"),
        ("put", "/api/v1/events/{id}"),
        ("post", "/api/v1/events/{id}/status"),
        ("post", "/api/v1/events/{id}/rsvp"),
        ("post", "/api/v1/events/{id}/decisions"),
        ("put", "/api/v1/events/{id}/record"),
        ("get", "/api/v1/notifications"),
        ("post", "/api/v1/notifications/{id}/read"),
        ("post", "/api/v1/notifications/read"),
        ("put", "/api/v1/events/{id}/agenda"),
        ("get", "/api/v1/communities/{ref}/pages"),
        ("post", "/api/v1/communities/{ref}/pages"),
        ("get", "/api/v1/communities/{ref}/pages/{slug}"),
        ("put", "/api/v1/communities/{ref}/pages/{slug}"),
        ("get", "/api/v1/communities/{ref}/pages/{slug}/revisions"),
        ("get", "/api/v1/communities/{ref}/pages/{slug}/diff"),
        ("post", "/api/v1/communities/{ref}/pages/{slug}/restore"),
        ("put", "/api/v1/communities/{ref}/library"),
        ("get", "/api/v1/communities/{ref}/resources"),
        ("post", "/api/v1/communities/{ref}/resources"),
        ("post", "/api/v1/communities/{ref}/files"),
        ("delete", "/api/v1/communities/{ref}/resources/{id}"),
        ("get", "/api/v1/posts/{id}/library"),
        ("post", "/api/v1/posts/{id}/page"),
        ("post", "/api/v1/communities/{ref}/series"),
        ("get", "/api/v1/series/{id}"),
        ("put", "/api/v1/series/{id}"),
        ("get", "/api/v1/me/digests"),
        ("put", "/api/v1/me/digests"),
        ("put", "/api/v1/communities/{ref}/digest"),
        ("put", "/api/v1/communities/{ref}/federated-digest"),
        ("post", "/api/v1/communities/{ref}/polls"),
        ("get", "/api/v1/posts/{id}/poll"),
        ("post", "/api/v1/posts/{id}/poll/votes"),
        ("get", "/api/v1/communities/{ref}/surveys"),
        ("post", "/api/v1/communities/{ref}/surveys"),
        ("get", "/api/v1/surveys/{id}"),
        ("post", "/api/v1/surveys/{id}/answers"),
        ("get", "/api/v1/surveys/{id}/results"),
        ("get", "/api/v1/communities/{ref}/health"),
        ("get", "/api/v1/admin/health"),
        ("post", "/api/v1/communities/{name}/links"),
        ("delete", "/api/v1/communities/{name}/links"),
        ("post", "/api/v1/communities/{name}/aliases"),
        ("post", "/api/v1/communities/{name}/move"),
        ("get", "/api/v1/communities/{name}/archive"),
    ];
    let mut documented = 0;
    for (method, path) in endpoints {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from the document"
        );
        // Each documented route is really served (an undocumented method would 404 as JSON).
        documented += 1;
    }
    let total: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|p| p.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(
        total, documented,
        "the document lists endpoints this test does not know"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
