//! Sign-up, login, logout, `me`, registration modes, and bad input on those endpoints.

use crate::helpers::{assert_error, TestApp, PASSWORD};
use copse::config::RegistrationMode;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_up_log_in_me_and_log_out() {
    let app = TestApp::spawn().await;
    let (status, body) = app.register("alice").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["username"], "alice");
    assert_eq!(body["handle"], format!("alice@{}", app.hostname));
    assert_eq!(body["is_admin"], false, "sign-up never makes an admin");
    assert!(body.get("password_hash").is_none());

    let token = app.login("alice").await;
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["actor_id"], format!("http://{}/u/alice", app.hostname));

    let (status, _) = app
        .call(Method::DELETE, "/api/v1/sessions", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/me", Some(&token)).await;
    assert_error(&after, StatusCode::UNAUTHORIZED, "unauthorized", None);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_401() {
    let app = TestApp::spawn().await;
    app.user("bob").await;
    let wrong = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "bob", "password": "not the password"}),
        )
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "bad_credentials", None);
    let unknown = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "bad_credentials", None);
}

#[tokio::test]
async fn missing_or_forged_tokens_are_401() {
    let app = TestApp::spawn().await;
    let none = app.get("/api/v1/me", None).await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let forged = app.get("/api/v1/me", Some("not-a-token")).await;
    assert_error(&forged, StatusCode::UNAUTHORIZED, "unauthorized", None);
}

#[tokio::test]
async fn invalid_usernames_are_400_naming_the_field() {
    let app = TestApp::spawn().await;
    for bad in ["Alice", "a-b", "", "a b", &"x".repeat(31), "ünïcode"] {
        let got = app
            .post(
                "/api/v1/accounts",
                None,
                json!({"username": bad, "email": "x@example.org", "password": PASSWORD}),
            )
            .await;
        assert_error(
            &got,
            StatusCode::BAD_REQUEST,
            "invalid_field",
            Some("username"),
        );
    }
}

#[tokio::test]
async fn reserved_usernames_are_422() {
    let app = TestApp::spawn().await;
    let got = app.register("admin").await;
    assert_error(
        &got,
        StatusCode::UNPROCESSABLE_ENTITY,
        "name_reserved",
        Some("username"),
    );
}

#[tokio::test]
async fn short_passwords_and_bad_emails_are_400() {
    let app = TestApp::spawn().await;
    let short = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "carol", "email": "c@example.org", "password": "short"}),
        )
        .await;
    assert_error(
        &short,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("password"),
    );
    let email = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "carol", "email": "nope", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &email,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("email"),
    );
}

#[tokio::test]
async fn duplicate_names_and_emails_are_409_and_nothing_is_half_written() {
    let app = TestApp::spawn().await;
    app.user("dave").await;
    let again = app.register("dave").await;
    assert_error(&again, StatusCode::CONFLICT, "name_taken", Some("name"));

    // A new name with a taken email fails as a whole: the name must not stay claimed.
    let email_taken = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "erin", "email": "DAVE@example.org", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &email_taken,
        StatusCode::CONFLICT,
        "email_taken",
        Some("email"),
    );
    let (status, body) = app.register("erin").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the failed sign-up left `erin` claimed: {body}"
    );
}

#[tokio::test]
async fn malformed_json_wrong_types_and_unknown_fields_are_400() {
    let app = TestApp::spawn().await;
    let malformed = app
        .post_raw(
            "/api/v1/accounts",
            "application/json",
            b"{\"username\": ".to_vec(),
        )
        .await;
    assert_error(&malformed, StatusCode::BAD_REQUEST, "invalid_json", None);

    let wrong_type = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": 5, "email": "x@example.org", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &wrong_type,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("username"),
    );

    let missing = app
        .post("/api/v1/accounts", None, json!({"username": "frank"}))
        .await;
    assert_eq!(missing.0, StatusCode::BAD_REQUEST);
    assert!(
        missing.1["message"]
            .as_str()
            .unwrap_or("")
            .contains("email"),
        "{}",
        missing.1
    );

    let unknown = app
        .post("/api/v1/accounts", None, json!({"username": "frank", "email": "f@example.org", "password": PASSWORD, "admin": true}))
        .await;
    assert_eq!(unknown.0, StatusCode::BAD_REQUEST, "{}", unknown.1);

    let not_json = app
        .post_raw("/api/v1/accounts", "text/plain", b"hello".to_vec())
        .await;
    assert_error(
        &not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
    );
}

#[tokio::test]
async fn nul_bytes_are_rejected_never_500() {
    let app = TestApp::spawn().await;
    let got = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "gina", "email": "g\u{0}@example.org", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("email"),
    );
    let got = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "gi\u{0}na", "email": "g@example.org", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("username"),
    );
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_length() {
    let app = TestApp::spawn_with(|s| s.api_body_limit_bytes = 4096).await;
    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(10_000));
    let declared = app
        .post_raw(
            "/api/v1/accounts",
            "application/json",
            big.clone().into_bytes(),
        )
        .await;
    assert_error(
        &declared,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        None,
    );

    // Chunked: no Content-Length, the limit is enforced while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .into_bytes()
        .chunks(1000)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let res = app
        .client
        .post(app.url("/api/v1/accounts"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(body["error"], "payload_too_large");
}

#[tokio::test]
async fn closed_registration_is_403() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Closed).await;
    let got = app.register("henry").await;
    assert_error(&got, StatusCode::FORBIDDEN, "registration_closed", None);
}

#[tokio::test]
async fn approval_registration_waits_for_an_admin() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval).await;
    let (status, body) = app.register("iris").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["approved"], false);
    let got = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "iris", "password": PASSWORD}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "account_pending", None);
    let ctx = app.server.as_ref().expect("server").context.clone();
    let approved = ctx
        .write(|conn| copse::db::accounts::approve_account(conn, "iris"))
        .await
        .expect("approve");
    assert!(approved);
    app.login("iris").await;
}

#[tokio::test]
async fn unknown_api_endpoints_are_json_404() {
    let app = TestApp::spawn().await;
    let got = app.get("/api/v1/nothing-here", None).await;
    assert_error(&got, StatusCode::NOT_FOUND, "no_such_endpoint", None);
}

#[tokio::test]
async fn a_busy_sqlite_database_answers_503_with_retry_after() {
    let app = TestApp::spawn_with(|s| s.sqlite_busy_timeout_ms = 200).await;
    if !app.db.is_sqlite() {
        return; // lock contention of this kind is SQLite's; PostgreSQL waits on row locks.
    }
    use diesel::{connection::SimpleConnection, Connection, SqliteConnection};
    let mut locker = SqliteConnection::establish(&app.db.url()).expect("open");
    locker.batch_execute("BEGIN EXCLUSIVE").expect("lock");
    let res = app
        .client
        .post(app.url("/api/v1/accounts"))
        .json(&json!({"username": "jane", "email": "j@example.org", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(body["error"], "unavailable");
    locker.batch_execute("ROLLBACK").expect("unlock");
    let (status, body) = app.register("jane").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "retry after the lock is gone: {body}"
    );
}
