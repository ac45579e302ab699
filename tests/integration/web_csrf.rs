//! The web UI's CSRF defences and error pages over real HTTP: cross-origin posts and posts
//! without the form token are refused with an HTML 403, bearer requests are exempt, and page
//! errors are HTML with their status while the API stays JSON.

use crate::helpers::{TestApp, PASSWORD};
use crate::web_client::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn cross_origin_posts_and_posts_without_the_form_token_are_refused() {
    let app = TestApp::spawn().await;
    app.user("gus").await;
    let browser = Browser::new(&app);
    browser.log_in("gus").await;
    let token = browser.get("/settings").await.csrf_token();
    let change = [("csrf_token", token.as_str()), ("display_name", "Hijacked")];

    let foreign = browser
        .post_with(
            "/settings/profile",
            &change,
            &[("origin", "http://evil.example")],
        )
        .await;
    foreign.assert_html(StatusCode::FORBIDDEN);
    assert!(
        foreign.body.contains("sent from another site"),
        "{}",
        foreign.body
    );
    let cross_site = browser
        .post_with(
            "/settings/profile",
            &change,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    cross_site.assert_html(StatusCode::FORBIDDEN);

    let silent = Browser::with_origin(&app, None);
    silent.log_in_without_origin_is_refused().await;

    let no_token = browser
        .post("/settings/profile", &[("display_name", "Hijacked")])
        .await;
    no_token.assert_html(StatusCode::FORBIDDEN);
    assert!(no_token.body.contains("no security token"));
    let wrong_token = browser
        .post(
            "/settings/profile",
            &[("csrf_token", "AAAA"), ("display_name", "Hijacked")],
        )
        .await;
    wrong_token.assert_html(StatusCode::FORBIDDEN);
    let logout = browser.post("/logout", &[]).await;
    logout.assert_html(StatusCode::FORBIDDEN);

    // Typed-in (Sec-Fetch-Site: none) with the token is fine.
    let typed = browser
        .post_with(
            "/settings/profile",
            &[("csrf_token", token.as_str()), ("display_name", "Gus")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    let profile = browser.get("/u/gus").await;
    assert!(!profile.body.contains("Hijacked"));
    assert!(profile.body.contains("Gus"));

    // A log-in posted from another site is refused too (no login CSRF).
    let foreign = Browser::with_origin(&app, Some("http://evil.example"));
    let page = foreign
        .post("/login", &[("username", "gus"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::FORBIDDEN);
    assert!(page.cookie(SESSION).is_none());
}

impl Browser {
    async fn log_in_without_origin_is_refused(&self) {
        let page = self
            .post("/login", &[("username", "gus"), ("password", PASSWORD)])
            .await;
        page.assert_html(StatusCode::FORBIDDEN);
        assert!(
            page.body.contains("did not say which site"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn bearer_requests_are_not_subject_to_csrf_and_cookie_api_writes_are() {
    let app = TestApp::spawn().await;
    let token = app.user("hal").await;
    // A form post with a bearer token: no Origin, no form token, accepted.
    let api_client = Browser::with_origin(&app, None);
    let res = api_client
        .client
        .post(app.url("/settings/profile"))
        .bearer_auth(&token)
        .header("content-type", FORM)
        .body("display_name=Hal+by+API")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = (0, app.fetch("/u/hal", "text/html").await.2);
    assert!(html.contains("Hal by API"));

    // The JSON API with the session cookie: a write needs the origin and the X-CSRF-Token.
    let browser = Browser::new(&app);
    browser.log_in("hal").await;
    let form_token = browser.get("/").await.csrf_token();
    let body = json!({"name": "kites", "title": "Kites"});
    let res = browser
        .client
        .post(app.url("/api/v1/communities"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let error: serde_json::Value = res.json().await.expect("JSON error");
    assert_eq!(error["error"], "csrf");
    let res = browser
        .client
        .post(app.url("/api/v1/communities"))
        .header("x-csrf-token", &form_token)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = browser
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "reads need no token");
}

#[tokio::test]
async fn page_errors_are_html_pages_with_their_status_and_the_api_stays_json() {
    let app = TestApp::spawn_with(|s| s.api_body_limit_bytes = 4096).await;
    let browser = Browser::new(&app);
    browser
        .get("/no/such/page")
        .await
        .assert_html(StatusCode::NOT_FOUND);
    let missing = browser.get("/c/nobody").await;
    missing.assert_html(StatusCode::NOT_FOUND);
    assert!(missing.body.contains("The community nobody does not exist"));
    browser
        .get("/post/not-a-number")
        .await
        .assert_html(StatusCode::NOT_FOUND);

    let big = "x".repeat(10_000);
    let page = browser
        .post("/login", &[("username", "ivy"), ("password", &big)])
        .await;
    page.assert_html(StatusCode::PAYLOAD_TOO_LARGE);
    let res = browser
        .client
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    Browser::page(res)
        .await
        .assert_html(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    browser
        .post("/logout", &[])
        .await
        .assert_html(StatusCode::UNAUTHORIZED);
    browser
        .get("/logout")
        .await
        .assert_html(StatusCode::NOT_FOUND);
    let settings = browser.get("/settings").await;
    assert_eq!(settings.status, StatusCode::SEE_OTHER);
    assert_eq!(settings.header("location"), "/login");

    let (status, body) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string(), "the API answers JSON: {body}");
    let (status, body) = app.get("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");
}
