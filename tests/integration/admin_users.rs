//! Instance administration of local accounts through `/api/v1/admin/users` and the command
//! line: suspension (sessions end, log-in refused with a clear message, content stays, lifted
//! again), administrator rights (not one's own, never the last administrator's), pending
//! registrations approved or rejected, and all of it for administrators only.

use crate::{
    cli::copse,
    helpers::{assert_error, TestApp, TestDb, PASSWORD},
    instance_policy::admin,
};
use copse::{
    actions::admin::{self as admin_actions, By},
    config::RegistrationMode,
    error::ErrorKind,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn log_in(app: &TestApp, name: &str) -> (StatusCode, Value) {
    app.post(
        "/api/v1/sessions",
        None,
        json!({"username": name, "password": PASSWORD}),
    )
    .await
}

/// The listed account named `name`, if any.
async fn listed(app: &TestApp, token: &str, query: &str, name: &str) -> Option<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/admin/users{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == name)
        .cloned()
}

#[tokio::test]
async fn a_suspension_ends_sessions_refuses_log_in_keeps_content_and_can_be_lifted() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "chief").await;
    let ann = app.user("ann").await;
    let (status, _) = app.community(&ann, "potters", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, done) = app
        .post(
            "/api/v1/admin/users/ann/suspend",
            Some(&root),
            json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["suspended_at"].is_string(), "{done}");
    assert_eq!(done["suspension_reason"], "spam");

    let (status, _) = app.get("/api/v1/me", Some(&ann)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token has ended");
    let refused = log_in(&app, "ann").await;
    assert_error(&refused, StatusCode::FORBIDDEN, "account_suspended", None);
    assert!(
        refused.1["message"]
            .as_str()
            .unwrap_or("")
            .contains("suspended"),
        "{}",
        refused.1
    );
    let (status, community) = app.get("/api/v1/communities/potters", None).await;
    assert_eq!(status, StatusCode::OK, "what ann made stays: {community}");
    let shown = listed(&app, &root, "?q=ann", "ann").await.expect("listed");
    assert!(shown["suspended_at"].is_string());

    let (status, done) = app
        .post("/api/v1/admin/users/ann/unsuspend", Some(&root), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["suspended_at"].is_null());
    let (status, body) = log_in(&app, "ann").await;
    assert_eq!(status, StatusCode::CREATED, "log-in works again: {body}");
}

#[tokio::test]
async fn no_one_suspends_or_demotes_themselves_and_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "chief").await;
    let ann = app.user("ann").await;

    let own = app
        .post("/api/v1/admin/users/chief/suspend", Some(&root), json!({}))
        .await;
    assert_error(&own, StatusCode::UNPROCESSABLE_ENTITY, "not_yourself", None);
    let own = app
        .post(
            "/api/v1/admin/users/chief/admin",
            Some(&root),
            json!({"is_admin": false}),
        )
        .await;
    assert_error(&own, StatusCode::UNPROCESSABLE_ENTITY, "not_yourself", None);
    // The operator has no account to protect, but the last administrator stays one.
    let last = admin_actions::set_admin(&app.context(), By::Operator, "chief", false).await;
    let last = last.err().map(|e| (e.kind, e.code));
    assert_eq!(last, Some((ErrorKind::Conflict, "last_admin")));
    let (_, me) = app.get("/api/v1/me", Some(&root)).await;
    assert_eq!(me["is_admin"], true, "nothing changed");
    assert!(listed(&app, &root, "", "chief").await.expect("chief")["suspended_at"].is_null());

    // With a second administrator: an administrator is demoted before being suspended.
    let (status, made) = app
        .post(
            "/api/v1/admin/users/ann/admin",
            Some(&root),
            json!({"is_admin": true}),
        )
        .await;
    assert_eq!((status, &made["is_admin"]), (StatusCode::OK, &json!(true)));
    let admin_suspended = app
        .post("/api/v1/admin/users/chief/suspend", Some(&ann), json!({}))
        .await;
    assert_error(&admin_suspended, StatusCode::CONFLICT, "is_admin", None);
    let (status, demoted) = app
        .post(
            "/api/v1/admin/users/chief/admin",
            Some(&ann),
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{demoted}");
    assert_eq!(demoted["is_admin"], false);
    let (status, _) = app.get("/api/v1/admin/users", Some(&root)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "chief is no longer one");
}

#[tokio::test]
async fn pending_registrations_are_listed_approved_or_rejected() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval).await;
    let root = admin(&app, "chief").await;
    for name in ["bob", "carol"] {
        let (status, body) = app.register(name).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, list) = app
        .get("/api/v1/admin/users?pending=true", Some(&root))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["bob", "carol"], "oldest first, no approved account");
    assert_eq!(list["users"][0]["email"], "bob@example.org");
    assert!(list["users"][0]["created_at"].is_string());
    assert_eq!(list["total"], 2);

    let (status, done) = app
        .post("/api/v1/admin/users/bob/approve", Some(&root), json!({}))
        .await;
    assert_eq!((status, &done["approved"]), (StatusCode::OK, &json!(true)));
    assert_eq!(log_in(&app, "bob").await.0, StatusCode::CREATED);
    let again = app
        .post("/api/v1/admin/users/bob/approve", Some(&root), json!({}))
        .await;
    assert_error(&again, StatusCode::CONFLICT, "not_pending", None);
    let approved = app
        .post("/api/v1/admin/users/bob/reject", Some(&root), json!({}))
        .await;
    assert_error(&approved, StatusCode::CONFLICT, "not_pending", None);

    let (status, _) = app
        .post("/api/v1/admin/users/carol/reject", Some(&root), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(listed(&app, &root, "", "carol").await.is_none(), "deleted");
    assert_error(
        &log_in(&app, "carol").await,
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        None,
    );
    let (status, body) = app.register("carol").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the name is free again: {body}"
    );
    let missing = app
        .post("/api/v1/admin/users/nobody/approve", Some(&root), json!({}))
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn only_administrators_administer_accounts() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval).await;
    let root = admin(&app, "chief").await;
    let ann = admin(&app, "ann").await;
    let (status, _) = app
        .post(
            "/api/v1/admin/users/ann/admin",
            Some(&root),
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.register("pat").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.get("/api/v1/admin/users", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = app
        .get("/api/v1/admin/users?pending=true", Some(&ann))
        .await;
    assert_error(&(status, body), StatusCode::FORBIDDEN, "not_an_admin", None);
    for (path, body) in [
        ("chief/suspend", json!({})),
        ("chief/unsuspend", json!({})),
        ("ann/admin", json!({"is_admin": true})),
        ("chief/admin", json!({"is_admin": false})),
        ("pat/approve", json!({})),
        ("pat/reject", json!({})),
    ] {
        let got = app
            .post(&format!("/api/v1/admin/users/{path}"), Some(&ann), body)
            .await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_an_admin", None);
    }
    let pending = listed(&app, &root, "?pending=true", "pat").await;
    assert!(pending.is_some(), "pat still waits");
    let chief = listed(&app, &root, "", "chief").await.expect("chief");
    assert_eq!(
        (&chief["is_admin"], &chief["suspended_at"]),
        (&json!(true), &Value::Null)
    );
    let ann_row = listed(&app, &root, "", "ann").await.expect("ann");
    assert_eq!(ann_row["is_admin"], false);
}

#[tokio::test]
async fn the_listing_searches_names_and_pages() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "chief").await;
    for name in ["ann", "anna", "bob_100"] {
        app.user(name).await;
    }
    let (_, list) = app.get("/api/v1/admin/users?q=ANN", Some(&root)).await;
    let names: Vec<&str> = list["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["ann", "anna"], "{list}");
    // `_` is a character typed, not a pattern.
    let (_, list) = app.get("/api/v1/admin/users?q=b_1", Some(&root)).await;
    assert_eq!(list["total"], 1, "{list}");
    let (_, list) = app.get("/api/v1/admin/users?q=%25", Some(&root)).await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, list) = app.get("/api/v1/admin/users", Some(&root)).await;
    assert_eq!(
        (list["total"].clone(), list["next_page"].clone()),
        (json!(4), Value::Null)
    );
    let (_, list) = app.get("/api/v1/admin/users?page=2", Some(&root)).await;
    assert_eq!(list["users"], json!([]), "{list}");
}

/// `copse admin users`, `suspend`, `unsuspend` and `make-admin` on the database of an instance
/// that is not running; the instance then refuses the suspended account.
#[tokio::test]
async fn the_command_line_lists_suspends_and_grants() {
    let db = TestDb::new();
    let cli = |args: &[&str], stdin: &str| copse(&db, args, stdin);
    let create = |name: &str, admin: bool| {
        let email = format!("{name}@example.org");
        let mut args = vec!["admin", "create-user", name, "--email", email.as_str()];
        if admin {
            args.push("--admin");
        }
        let (ok, out, err) = copse(&db, &args, &format!("{PASSWORD}\n"));
        assert!(ok, "{out}{err}");
    };
    create("root_admin", true);
    create("ann", false);

    let (ok, out, err) = cli(&["admin", "users"], "");
    assert!(ok, "{err}");
    assert!(err.contains("copse: database"), "{err}");
    let row = |out: &str, name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(row(&out, "ann")[1..4], ["ann@example.org", "active", "no"]);
    assert_eq!(row(&out, "root_admin")[2..4], ["active", "yes"]);
    assert!(out.contains("2 account(s)"), "{out}");

    let (ok, out, err) = cli(&["admin", "suspend", "ann", "--reason", "spam"], "");
    assert!(ok && out.contains("suspended ann"), "{out}{err}");
    assert!(err.contains("copse: database"), "{err}");
    let (_, out, _) = cli(&["admin", "users"], "");
    assert_eq!(row(&out, "ann")[2], "suspended");
    let (ok, _, err) = cli(&["admin", "suspend", "nobody"], "");
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = cli(&["admin", "make-admin", "root_admin", "--remove"], "");
    assert!(!ok && err.contains("last administrator"), "{err}");
    let (_, out, _) = cli(&["admin", "users", "--pending"], "");
    assert!(out.contains("0 account(s)"), "{out}");

    let app = TestApp::spawn_on(db, |_| {}).await;
    let refused = log_in(&app, "ann").await;
    assert_error(&refused, StatusCode::FORBIDDEN, "account_suspended", None);
    let db = &app.db;
    let (ok, out, err) = copse(db, &["admin", "unsuspend", "ann"], "");
    assert!(ok && out.contains("unsuspended ann"), "{out}{err}");
    assert_eq!(log_in(&app, "ann").await.0, StatusCode::CREATED);
    let (ok, out, err) = copse(db, &["admin", "make-admin", "ann"], "");
    assert!(ok && out.contains("ann is an administrator"), "{out}{err}");
    let (ok, out, err) = copse(db, &["admin", "make-admin", "root_admin", "--remove"], "");
    assert!(ok && out.contains("no longer"), "{out}{err}");
    let (_, out, _) = copse(db, &["admin", "users"], "");
    assert_eq!(row(&out, "ann")[3], "yes");
    assert_eq!(row(&out, "root_admin")[3], "no");
}
