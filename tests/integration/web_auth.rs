//! The web UI's foundation over real HTTP, with a cookie-keeping client standing in for a
//! browser: sign-up, log-in (the session cookie and its attributes), settings, log-out, flash
//! messages and the stylesheets (CSRF and error pages: `web_csrf`).

use crate::helpers::{TestApp, PASSWORD};
use crate::web_client::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn signing_up_in_the_browser_logs_in_with_a_secure_http_only_cookie() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let form = browser.get("/signup").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("<label for=\"username\">"));
    assert!(form.body.contains("<html lang=\"en\">"));
    assert!(form.body.contains("href=\"#main\""), "skip link");
    assert!(!form.body.contains("<script") && !form.body.contains("style="));

    let done = browser
        .post(
            "/signup",
            &[
                ("username", "ada"),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/");
    let cookie = done.cookie(SESSION).expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "__Host- cookies have no Domain");

    let home = browser.get("/").await;
    home.assert_html(StatusCode::OK);
    assert!(home.body.contains("href=\"/u/ada\""), "{}", home.body);
    assert!(home.body.contains("Welcome, ada!"), "the flash is shown");
    assert!(home.cookie("copse_flash").is_some(), "and cleared");
    let again = browser.get("/").await;
    assert!(!again.body.contains("Welcome, ada!"), "only once");

    // The cookie's token is an ordinary session: the API takes it as a bearer token.
    let token = session_token(&done);
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ada");
}

#[tokio::test]
async fn logging_in_renews_the_token_and_logging_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.user("bea").await;
    let browser = Browser::new(&app);
    let first = browser.log_in("bea").await;
    let second = browser.log_in("bea").await;
    assert_ne!(first, second, "a log-in opens a new session");
    let (status, _) = app.get("/api/v1/me", Some(&first)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the one it replaced ended"
    );
    let (status, _) = app.get("/api/v1/me", Some(&second)).await;
    assert_eq!(status, StatusCode::OK);

    let home = browser.get("/").await;
    let token = home.csrf_token();
    let out = browser.post("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let removal = out.cookie(SESSION).expect("the cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    let (status, _) = app.get("/api/v1/me", Some(&second)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is deleted");
    let home = browser.get("/").await;
    assert!(home.body.contains("href=\"/login\""));
    assert!(home.body.contains("You are logged out."));
}

#[tokio::test]
async fn a_cookie_whose_session_ended_elsewhere_is_cleared() {
    let app = TestApp::spawn().await;
    app.user("bea").await;
    let browser = Browser::new(&app);
    let token = browser.log_in("bea").await;
    let page = browser.get("/").await;
    assert!(
        page.cookie(SESSION).is_none(),
        "a live session is left alone"
    );
    // The session ends through the API (another device logging out).
    let (status, _) = app
        .call(Method::DELETE, "/api/v1/sessions", Some(&token), None)
        .await;
    assert!(status.is_success(), "{status}");
    let page = browser.get("/").await;
    let removal = page.cookie(SESSION).expect("the dead cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert!(page.body.contains("href=\"/login\""), "shown signed out");
    let again = browser.get("/").await;
    assert!(
        again.cookie(SESSION).is_none(),
        "removed once, not on every page"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_401_and_the_message() {
    let app = TestApp::spawn().await;
    app.user("cai").await;
    let browser = Browser::new(&app);
    let page = browser
        .post(
            "/login",
            &[("username", "cai"), ("password", "not the password at all")],
        )
        .await;
    page.assert_html(StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("Wrong username or password"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"cai\""), "the username stays");
    assert!(page.cookie(SESSION).is_none());

    // A sign-up with a weak password: 422, the message next to the field.
    let page = browser
        .post(
            "/signup",
            &[
                ("username", "dee"),
                ("email", "dee@example.org"),
                ("password", "password123"),
            ],
        )
        .await;
    page.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("aria-describedby=\"password-error\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("commonest passwords"));
    assert!(page.body.contains("value=\"dee@example.org\""));
}

#[tokio::test]
async fn failed_log_ins_past_the_limit_answer_429_in_the_form() {
    let app = TestApp::spawn_with(|s| s.login_failures_per_account = 2).await;
    app.user("eve").await;
    let browser = Browser::new(&app);
    for _ in 0..2 {
        let page = browser
            .post(
                "/login",
                &[("username", "eve"), ("password", "wrong wrong wrong")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = browser
        .post("/login", &[("username", "eve"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::TOO_MANY_REQUESTS);
    assert!(!page.header("retry-after").is_empty());
    assert!(
        page.body.contains("Too many failed log-ins"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn settings_change_the_profile_the_email_and_the_password() {
    let app = TestApp::spawn().await;
    let elsewhere = app.user("fay").await;
    let browser = Browser::new(&app);
    let session = browser.log_in("fay").await;
    let page = browser.get("/settings").await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("fay@example.org"));
    let token = page.csrf_token();

    let saved = browser
        .post(
            "/settings/profile",
            &[
                ("csrf_token", &token),
                ("display_name", "Fay Bell"),
                ("bio", "I keep *bees*."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/settings");
    let profile = browser.get("/u/fay").await;
    assert!(profile.body.contains("Fay Bell"), "{}", profile.body);
    assert!(profile.body.contains("<em>bees</em>"));
    assert!(profile.body.contains("Your profile was saved."));

    let refused = browser
        .post(
            "/settings/email",
            &[("csrf_token", &token), ("email", "not an address")],
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("aria-describedby=\"email-error\""));
    assert!(
        refused.body.contains("value=\"not an address\""),
        "what was typed stays"
    );
    let changed = browser
        .post(
            "/settings/email",
            &[("csrf_token", &token), ("email", "fay@bees.example")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let (_, me) = app.get("/api/v1/me", Some(&session)).await;
    assert_eq!(me["email"], "fay@bees.example");

    let wrong = browser
        .post(
            "/settings/password",
            &[
                ("csrf_token", &token),
                ("current_password", "not my password"),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    wrong.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Is not your password"),
        "{}",
        wrong.body
    );
    let changed = browser
        .post(
            "/settings/password",
            &[
                ("csrf_token", &token),
                ("current_password", PASSWORD),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let (status, _) = app.get("/api/v1/me", Some(&elsewhere)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "other sessions end");
    let (status, _) = app.get("/api/v1/me", Some(&session)).await;
    assert_eq!(status, StatusCode::OK, "this one stays");
    let (status, _) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "fay", "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn sign_up_follows_the_registration_mode() {
    let closed = TestApp::spawn_with(|s| {
        s.registration_mode = copse::config::RegistrationMode::Closed;
    })
    .await;
    let browser = Browser::new(&closed);
    let page = browser.get("/signup").await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("does not accept sign-ups"));
    let refused = browser
        .post(
            "/signup",
            &[
                ("username", "jon"),
                ("email", "jon@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);

    let approval = TestApp::spawn_with(|s| {
        s.registration_mode = copse::config::RegistrationMode::Approval;
    })
    .await;
    let browser = Browser::new(&approval);
    let done = browser
        .post(
            "/signup",
            &[
                ("username", "kim"),
                ("email", "kim@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/login");
    assert!(done.cookie(SESSION).is_none(), "no session while pending");
    let login = browser.get("/login").await;
    assert!(login.body.contains("pending"), "{}", login.body);
    let page = browser
        .post("/login", &[("username", "kim"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::FORBIDDEN);
    assert!(page.body.contains("waiting for approval"), "{}", page.body);
}

#[tokio::test]
async fn the_stylesheets_are_vendored_and_cached_for_long() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let home = browser.get("/").await;
    let marker = "href=\"/static/pico-2.1.1.classless.min.css\"";
    assert!(home.body.contains(marker), "{}", home.body);
    let start = home
        .body
        .find("href=\"/static/copse.")
        .expect("copse sheet")
        + 6;
    let copse = &home.body[start..start + home.body[start..].find('"').expect("end")];
    for path in ["/static/pico-2.1.1.classless.min.css", copse] {
        let sheet = browser.get(path).await;
        assert_eq!(sheet.status, StatusCode::OK, "{path}");
        assert!(sheet.header("content-type").starts_with("text/css"));
        assert!(sheet.header("cache-control").contains("immutable"));
    }
    let pico = browser.get("/static/pico-2.1.1.classless.min.css").await;
    assert!(pico.body.contains("Pico CSS ✨ v2.1.1"));
    browser
        .get("/static/other.css")
        .await
        .assert_html(StatusCode::NOT_FOUND);
}
