//! Upgrades (issue 15): an instance whose database was written by an earlier schema starts,
//! applies the migrations it lacks, and serves everything it held. The databases are kept as
//! test data in `tests/data/upgrade/`: a SQLite file and a plain-SQL PostgreSQL dump at schema
//! `000012`, made by `make_upgrade_data` (below: an instance populated through the API, then
//! migrations 000014 and 000013 reverted with their `down.sql`). So every run applies 000013
//! (account suspension), 000014 and every later migration over real rows.

use crate::helpers::{postgres_server, TestApp, TestDb, PASSWORD};
use copse::db::DbConn;
use diesel::{connection::SimpleConnection, Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The hostname the kept databases were made under: ids are fixed at creation, so the upgraded
/// instance keeps it (and listens wherever the test puts it).
const HOSTNAME: &str = "localhost:8130";

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/upgrade")
        .join(file)
}

/// A database holding the kept data of this pass's engine.
fn kept_database() -> TestDb {
    match postgres_server() {
        None => {
            let db = TestDb::sqlite();
            std::fs::copy(data("sqlite-000012.db"), db.url()).expect("copy the SQLite file");
            db
        }
        Some(server) => {
            let db = TestDb::postgres_on(server);
            let dump = std::fs::read_to_string(data("postgres-000012.sql")).expect("dump");
            let mut conn = PgConnection::establish(&db.url()).expect("connect");
            conn.batch_execute(&dump).expect("load the dump");
            db
        }
    }
}

#[tokio::test]
async fn a_database_of_the_previous_schema_is_migrated_and_served() {
    let app = TestApp::spawn_on(kept_database(), |s| s.hostname = HOSTNAME.into()).await;

    // Every migration of this build is applied now.
    let applied = app
        .context()
        .db(|conn| {
            use diesel::sql_types::Text;
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = Text)]
                version: String,
            }
            let rows: Vec<Row> =
                diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
                    .load(conn)
                    .map_err(copse::error::Error::from)?;
            Ok(rows.into_iter().map(|r| r.version).collect::<Vec<_>>())
        })
        .await
        .expect("migrations");
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations")
        .count();
    assert_eq!(applied.len(), shipped, "{applied:?}");
    assert!(
        applied.contains(&"20261202000013".to_string()),
        "{applied:?}"
    );

    // The people log in with the passwords they had.
    let (status, session) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "ada", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["token"].as_str().expect("token").to_string();
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["is_admin"], true, "{me}");

    // The community, its charter, its threads, replies and votes.
    let (status, weavers) = app.get("/api/v1/communities/weavers", None).await;
    assert_eq!(status, StatusCode::OK, "{weavers}");
    assert_eq!(weavers["charter"]["purpose"], "Keep looms running");
    assert_eq!(weavers["membership_policy"], "approval");
    let (_, posts) = app.get("/api/v1/communities/weavers/posts", None).await;
    let titles: Vec<&str> = posts["items"]
        .as_array()
        .expect("posts")
        .iter()
        .filter_map(|p| p["title"].as_str())
        .collect();
    assert_eq!(titles, ["Warping a loom", "Which yarn?"], "{posts}");
    let warping = &posts["items"][0];
    assert_eq!(warping["score"], 2, "{warping}");
    assert_eq!(warping["comment_count"], 2, "{warping}");
    let id = warping["id"].as_i64().expect("id");
    let (_, tree) = app.get(&format!("/api/v1/posts/{id}/comments"), None).await;
    assert_eq!(tree["items"][0]["body"], "Front to back.");
    assert_eq!(tree["items"][0]["replies"][0]["body"], "Back to front!");

    // The pages and the actors, as before; writing goes on.
    let page = app
        .client
        .get(app.url("/c/weavers"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("body").contains("Warping a loom"));
    let group = app.activity_json("/c/weavers").await;
    assert_eq!(group["id"], format!("http://{HOSTNAME}/c/weavers"));
    assert!(group["publicKey"]["publicKeyPem"].is_string());
    let (status, body) = app
        .post(
            "/api/v1/communities/weavers/posts",
            Some(&token),
            json!({"title": "After the upgrade", "body": "Still here."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Makes the kept databases from the current schema. By hand only, when a release freezes a
/// schema: `COPSE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 cargo test --test
/// integration make_upgrade_data -- --ignored` writes both files (pg_dump on the PATH).
#[tokio::test]
#[ignore = "writes tests/data/upgrade; run by hand when a schema is frozen"]
async fn make_upgrade_data() {
    let server = postgres_server().expect("COPSE_TEST_POSTGRES_URL");
    for db in [TestDb::sqlite(), TestDb::postgres_on(server)] {
        let url = db.url();
        let sqlite = db.is_sqlite();
        let app = TestApp::spawn_on(db, |s| s.hostname = HOSTNAME.into()).await;
        populate(&app).await;
        revert(&app, if sqlite { "sqlite" } else { "postgres" }).await;
        if sqlite {
            let target = data("sqlite-000012.db");
            let _ = std::fs::remove_file(&target);
            let into = format!("VACUUM INTO '{}'", target.display());
            app.context()
                .db(move |conn| {
                    let DbConn::Sqlite(c) = conn else {
                        unreachable!()
                    };
                    diesel::sql_query(into)
                        .execute(c)
                        .map_err(copse::error::Error::from)
                })
                .await
                .expect("VACUUM INTO");
        } else {
            let out = std::process::Command::new("pg_dump")
                .args(["--no-owner", "--no-privileges", "--inserts", &url])
                .output()
                .expect("pg_dump");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            // psql's own commands (`\restrict` since 15.14) are not SQL.
            let sql: String = String::from_utf8(out.stdout)
                .expect("utf-8")
                .lines()
                .filter(|l| !l.starts_with('\\'))
                .map(|l| format!("{l}\n"))
                .collect();
            std::fs::write(data("postgres-000012.sql"), sql).expect("write dump");
        }
    }
}

/// The migrations after the kept schema, newest first.
const LATER: [&str; 2] = [
    "2026-12-02-000014_instance_software",
    "2026-12-02-000013_user_suspension",
];

/// Takes `app`'s database back to the kept schema with the later migrations' `down.sql`.
async fn revert(app: &TestApp, engine: &str) {
    for migration in LATER {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine)
            .join(migration);
        let down = std::fs::read_to_string(folder.join("down.sql")).expect("down.sql");
        let version = migration.replace('-', "");
        let version = version.split('_').next().expect("version").to_string();
        app.context()
            .write(move |conn| {
                let sql = format!(
                    "{down}\nDELETE FROM __diesel_schema_migrations WHERE version = '{version}';"
                );
                match conn {
                    DbConn::Sqlite(c) => c.batch_execute(&sql),
                    DbConn::Pg(c) => c.batch_execute(&sql),
                }
                .map_err(copse::error::Error::from)
            })
            .await
            .expect("revert");
    }
}

async fn populate(app: &TestApp) {
    let (status, _) = app.register("ada").await;
    assert_eq!(status, StatusCode::CREATED);
    copse::actions::admin::set_admin(
        &app.context(),
        copse::actions::admin::By::Operator,
        "ada",
        true,
    )
    .await
    .expect("admin");
    let ada = app.login("ada").await;
    let bea = app.user("bea").await;
    let cy = app.user("cy").await;
    let (status, body) = app
        .community(
            &ada,
            "weavers",
            json!({"membership_policy": "approval",
                   "charter": {"purpose": "Keep looms running", "domain": "Textiles"},
                   "questions": ["Which loom do you use?"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post = |title: &'static str| {
        let ada = ada.clone();
        async move {
            let (status, body) = app
                .post(
                    "/api/v1/communities/weavers/posts",
                    Some(&ada),
                    json!({"title": title, "body": format!("About **{title}**")}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().expect("id")
        }
    };
    post("Which yarn?").await;
    let warping = post("Warping a loom").await;
    let comment = |token: String, body: &'static str, parent: Option<Value>| async move {
        let (status, made) = app
            .post(
                &format!("/api/v1/posts/{warping}/comments"),
                Some(&token),
                json!({"body": body, "parent_id": parent}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        made["id"].clone()
    };
    let top = comment(bea.clone(), "Front to back.", None).await;
    comment(cy.clone(), "Back to front!", Some(top)).await;
    for token in [&bea, &cy] {
        let (status, body) = app
            .post(
                &format!("/api/v1/posts/{warping}/vote"),
                Some(token),
                json!({"score": 1}),
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
}
