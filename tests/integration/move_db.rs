//! `copse admin move-db`: a populated SQLite instance moved into a fresh PostgreSQL database
//! arrives row for row in every table and serves from there; a target that is not empty is
//! refused and left as it was; a move that fails half-way leaves the target empty.

use crate::{
    cli::copse,
    helpers::{eventually, find_post, postgres_server, TestApp, TestDb},
};
use copse::db::move_db::TABLES;
use diesel::{sql_query, sql_types::Text, Connection, QueryableByName, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The PostgreSQL server to move into. Outside CI a missing one skips these tests; under
/// `CI=true` (where both passes run them) the default local server must be there.
fn postgres() -> Option<String> {
    if let Some(server) = postgres_server() {
        return Some(server);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return Some("postgres://postgres@127.0.0.1:5432".to_string());
    }
    eprintln!("move_db: skipped, needs PostgreSQL (set COPSE_TEST_POSTGRES_URL)");
    None
}

async fn move_db(source: String, target: String) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let db = TestDb::Sqlite(tempfile::tempdir().expect("dir"), source);
        copse(&db, &["admin", "move-db", "--to", &target], "")
    })
    .await
    .expect("join")
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every row of `table` on both sides as canonical JSON (booleans as booleans, timestamps in
/// one format), sorted, so that the two can be compared whole.
fn rows(sqlite_path: &str, pg_url: &str, table: &str) -> (Vec<String>, Vec<String>) {
    let mut pg = diesel::PgConnection::establish(pg_url).expect("pg");
    let columns: Vec<(String, String)> = sql_query(format!(
        "SELECT column_name || ' ' || data_type AS row FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = '{table}'"
    ))
    .load::<Row>(&mut pg)
    .expect("columns")
    .into_iter()
    .filter_map(|r| {
        r.row
            .split_once(' ')
            .map(|(c, t)| (c.to_string(), t.to_string()))
    })
    .collect();
    assert!(!columns.is_empty(), "{table} has no columns on PostgreSQL");
    let object = columns
        .iter()
        .map(|(c, _)| format!("'{c}', \"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sqlite = diesel::SqliteConnection::establish(sqlite_path).expect("sqlite");
    let from_sqlite = sql_query(format!("SELECT json_object({object}) AS row FROM {table}"))
        .load::<Row>(&mut sqlite)
        .expect("sqlite rows");
    let from_pg = sql_query(format!(
        "SELECT row_to_json({table})::text AS row FROM {table}"
    ))
    .load::<Row>(&mut pg)
    .expect("pg rows");
    let canonical = |found: Vec<Row>| {
        let mut out: Vec<String> = found
            .into_iter()
            .map(|r| {
                let raw: BTreeMap<String, Value> = serde_json::from_str(&r.row).expect("json");
                let row: BTreeMap<String, Value> = raw
                    .into_iter()
                    .map(|(column, value)| {
                        let kind = columns.iter().find(|(c, _)| *c == column).map(|c| &c.1);
                        let value = match (kind.map(String::as_str), value) {
                            (Some("boolean"), Value::Number(n)) => {
                                Value::Bool(n.as_i64() == Some(1))
                            }
                            (Some(k), Value::String(s)) if k.starts_with("timestamp") => {
                                let t = chrono::NaiveDateTime::parse_from_str(
                                    &s.replace('T', " "),
                                    "%Y-%m-%d %H:%M:%S%.f",
                                )
                                .unwrap_or_else(|e| panic!("{table}.{column} {s}: {e}"));
                                Value::String(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
                            }
                            (_, value) => value,
                        };
                        (column, value)
                    })
                    .collect();
                serde_json::to_string(&row).expect("json")
            })
            .collect();
        out.sort();
        out
    };
    (canonical(from_sqlite), canonical(from_pg))
}

const TITLE: &str = "Ünïcödé — 草 🌱 \"quoted\" \\ back'slash";

#[tokio::test]
async fn a_populated_instance_moves_to_postgres_row_for_row() {
    let Some(server) = postgres() else { return };
    let mut home = TestApp::spawn_on(TestDb::sqlite(), |_| {}).await;
    let owner = home.user("owner").await;
    let ann = home.user("ann").await;
    let (status, body) = home
        .community(
            &owner,
            "garden",
            json!({"summary": "Seeds **and** soil", "charter": {
                "purpose": "Grow food — together 🌻", "domain": "Gärten",
                "practice": "Swaps", "meeting_cadence": "Monthly",
                "code_of_conduct": "Be kind. *No* selling."}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    home.post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;
    // A remote member (before the post, so that it is delivered to her instance).
    let away = TestApp::spawn().await;
    let carol = away.user("carol").await;
    away.join_remote(&carol, "carol", &home, "garden").await;
    let post = home
        .post(
            "/api/v1/communities/garden/posts",
            Some(&ann),
            json!({"title": TITLE, "body": "Tomatoes 🍅\nand *beans*\r\n\ttabbed"}),
        )
        .await
        .1;
    let reply = home
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&owner),
            json!({"body": "Welcome, ann"}),
        )
        .await
        .1;
    home.post(
        &format!("/api/v1/posts/{}/comments", post["id"]),
        Some(&ann),
        json!({"body": "Thanks!", "parent_id": reply["id"]}),
    )
    .await;
    home.post(
        &format!("/api/v1/posts/{}/vote", post["id"]),
        Some(&owner),
        json!({"score": 1}),
    )
    .await;
    home.post(
        &format!("/api/v1/comments/{}/vote", reply["id"]),
        Some(&ann),
        json!({"score": -1}),
    )
    .await;
    // A report from afar, and a ban.
    let remote = format!("garden@{}", home.hostname);
    let on_away = eventually("the post arrives", || find_post(&away, &remote, TITLE)).await;
    let (status, body) = away
        .post(
            &format!("/api/v1/posts/{}/report", on_away["id"]),
            Some(&carol),
            json!({"reason": "Off topic ✋"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let members = home.get("/api/v1/communities/garden/members", None).await.1;
    let carol_id = members["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("carol@"))
        .expect("carol")["person_id"]
        .clone();
    eventually("the report arrives", || async {
        let reports = home
            .get("/api/v1/communities/garden/reports", Some(&owner))
            .await
            .1;
        (reports["items"].as_array().map_or(0, Vec::len) == 1).then_some(())
    })
    .await;
    let (status, body) = home
        .post(
            "/api/v1/communities/garden/bans",
            Some(&owner),
            json!({"person_id": carol_id, "reason": "Spam — again"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    // The library: a section with a page under it, a second revision, named editors.
    let pages = "/api/v1/communities/garden/pages";
    for body in [
        json!({"title": "Soil", "body": "loam"}),
        json!({"title": "Worms", "body": "red", "parent": "soil"}),
    ] {
        let (status, page) = home.post(pages, Some(&owner), body).await;
        assert_eq!(status, StatusCode::CREATED, "{page}");
    }
    let edit = json!({"title": "Soil", "body": "loam and clay", "base_revision": 1});
    let (status, page) = home
        .call(
            Method::PUT,
            &format!("{pages}/soil"),
            Some(&ann),
            Some(edit),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rights = json!({"edit_by": "editors", "editors": ["ann"]});
    let (status, body) = home
        .call(
            Method::PUT,
            "/api/v1/communities/garden/library",
            Some(&owner),
            Some(rights),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // An anonymous survey answered (its tables are WITHOUT ROWID on SQLite).
    let (status, survey) = home
        .post(
            "/api/v1/communities/garden/surveys",
            Some(&owner),
            json!({"title": "Harvest", "anonymous": true, "questions": [
                {"kind": "scale", "prompt": "How good?"}, {"kind": "text", "prompt": "Why?"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{survey}");
    let answers = json!({"answers": [
        {"question": survey["questions"][0]["id"], "scale": 4},
        {"question": survey["questions"][1]["id"], "text": "Rain ☔"}]});
    let (status, body) = home
        .post(
            &format!("/api/v1/surveys/{}/answers", survey["id"]),
            Some(&ann),
            answers,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let hostname = home.hostname.clone();
    home.server.take().expect("running").stop().await;
    let source = home.db.url();
    let target = TestDb::postgres_on(server);
    let (ok, out, err) = move_db(source.clone(), target.url()).await;
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("moved: every table"), "{out}");

    for table in TABLES {
        let (from, to) = rows(&source, &target.url(), table);
        assert_eq!(from, to, "{table} differs after the move");
        assert!(
            out.lines()
                .any(|l| l.starts_with(table) && l.contains(&from.len().to_string())),
            "{table} missing from the counts: {out}"
        );
    }
    for table in [
        "persons",
        "local_users",
        "communities",
        "community_members",
        "posts",
        "comments",
        "votes",
        "community_bans",
        "mod_log",
        "reports",
        "library_settings",
        "library_editors",
        "library_pages",
        "library_revisions",
        "surveys",
        "survey_questions",
        "survey_respondents",
        "survey_answers",
    ] {
        let (from, _) = rows(&source, &target.url(), table);
        assert!(!from.is_empty(), "the test left {table} empty");
    }

    // The copy serves: ann logs in and reads her post; new rows get new ids.
    let moved = TestApp::spawn_on(target, |s| s.hostname = hostname).await;
    let token = moved.login("ann").await;
    let (status, page) = moved
        .get("/api/v1/communities/garden/posts", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["title"], TITLE, "{page}");
    let (status, newer) = moved
        .post(
            "/api/v1/communities/garden/posts",
            Some(&token),
            json!({"title": "After the move", "body": "on PostgreSQL"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{newer}");
    assert!(
        newer["id"].as_i64() > post["id"].as_i64(),
        "{newer} after {post}"
    );
    let (status, page) = moved
        .post(
            "/api/v1/communities/garden/pages",
            Some(&token),
            json!({"title": "After the move", "parent": "worms"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
}

#[tokio::test]
async fn a_target_with_data_is_refused_and_a_failed_move_leaves_it_empty() {
    let Some(server) = postgres() else { return };
    let mut home = TestApp::spawn_on(TestDb::sqlite(), |_| {}).await;
    let owner = home.user("owner").await;
    home.community(&owner, "garden", json!({})).await;
    home.server.take().expect("running").stop().await;
    let source = home.db.url();

    // A database some instance already uses.
    let mut other = TestApp::spawn_on(TestDb::postgres_on(server.clone()), |_| {}).await;
    other.user("someone").await;
    other.server.take().expect("running").stop().await;
    let before: Vec<_> = TABLES
        .iter()
        .map(|t| rows(&source, &other.db.url(), t).1)
        .collect();
    let (ok, out, err) = move_db(source.clone(), other.db.url()).await;
    assert!(!ok, "{out}");
    assert!(
        err.contains("not empty") && err.contains("nothing was written"),
        "{err}"
    );
    let after: Vec<_> = TABLES
        .iter()
        .map(|t| rows(&source, &other.db.url(), t).1)
        .collect();
    assert_eq!(before, after, "the refused target changed");

    // A row PostgreSQL refuses (a comment on a post that does not exist, which SQLite kept
    // with its foreign keys off) fails the move; nothing of it stays in the target.
    let mut sqlite = diesel::SqliteConnection::establish(&source).expect("sqlite");
    sql_query("PRAGMA foreign_keys = OFF")
        .execute(&mut sqlite)
        .expect("pragma");
    sql_query(
        "INSERT INTO comments (ap_id, post_id, author_id, body_md, body_html, local, published, \
         deleted, score, removed) VALUES ('http://x/c/1', 999, 1, 'b', 'b', 1, \
         '2026-12-01 10:00:00', 0, 0, 0)",
    )
    .execute(&mut sqlite)
    .expect("orphan comment");
    let fresh = TestDb::postgres_on(server);
    let (ok, out, err) = move_db(source.clone(), fresh.url()).await;
    assert!(!ok, "{out}");
    assert!(
        err.contains("rolled back") && err.contains("comments"),
        "{err}"
    );
    for table in TABLES {
        assert!(
            rows(&source, &fresh.url(), table).1.is_empty(),
            "{table} kept rows of a failed move"
        );
    }
}
