//! U+0000 anywhere in a request: PostgreSQL refuses it in text, so a NUL that reached a query
//! was a 500 there (found by schemathesis on the log-in). Every way in (a JSON body at any
//! depth, a form, a path segment, a query string) is the client's error on both engines, and
//! nothing is written.

use crate::helpers::{assert_error, TestApp, PASSWORD};
use crate::web_client::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_nul_in_a_json_body_is_a_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.user("ada").await;

    let login = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "\u{0}\u{b0}x", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &login,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("username"),
    );

    let signup = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "bea", "email": "b\u{0}@example.org", "password": PASSWORD}),
        )
        .await;
    assert_error(
        &signup,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("email"),
    );
    let bea = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "bea", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        bea.0,
        StatusCode::UNAUTHORIZED,
        "nothing was written: {}",
        bea.1
    );

    // Nested values and keys are found too, and an unknown key is no way round the check.
    let nested = app
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "data", "title": "Data", "charter": {"purpose": "a\u{0}"}}),
        )
        .await;
    assert_error(
        &nested,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("charter.purpose"),
    );
    let key = app
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "data", "title": "Data", "x\u{0}": 1}),
        )
        .await;
    assert_eq!(key.0, StatusCode::BAD_REQUEST, "{}", key.1);
    let (status, _) = app.get("/api/v1/communities/data", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
}

#[tokio::test]
async fn a_nul_in_a_path_or_query_is_never_a_server_error() {
    let app = TestApp::spawn().await;
    let token = app.user("ada").await;
    app.community(&token, "data", json!({})).await;
    for path in [
        "/api/v1/communities/da%00ta",
        "/api/v1/communities/data%00@example.org",
        "/api/v1/communities/data/members?cursor=%00",
        "/api/v1/communities/data/posts?sort=%00",
        "/api/v1/resolve?q=a%00@example.org",
        "/api/v1/communities?q=da%00",
        "/c/da%00ta",
        "/u/a%00da",
        "/?q=%00",
        "/communities?q=%00",
    ] {
        let res = app.client.get(app.url(path)).send().await.expect("request");
        let status = res.status();
        assert!(
            status.is_client_error() || status.is_success(),
            "{path}: {status} {}",
            res.text().await.unwrap_or_default()
        );
    }
}

#[tokio::test]
async fn a_nul_in_a_form_is_an_error_page_not_a_500() {
    let app = TestApp::spawn().await;
    app.user("ada").await;
    let browser = Browser::new(&app);
    let login = browser
        .post("/login", &[("username", "a\0da"), ("password", PASSWORD)])
        .await;
    login.assert_html(StatusCode::BAD_REQUEST);
    assert!(login.body.contains("NUL"), "{}", login.body);

    browser.log_in("ada").await;
    let token = browser.get("/settings").await.csrf_token();
    let created = browser
        .post(
            "/communities/new",
            &[
                ("csrf_token", &token),
                ("name", "data"),
                ("title", "Da\0ta"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::BAD_REQUEST, "{}", created.body);
    let (status, _) = app.get("/api/v1/communities/data", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
}
