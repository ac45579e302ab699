//! Log-in hardening: failed log-ins throttled per account and per address (429 with
//! `Retry-After`), the bound on password hashes under many concurrent log-ins, and the password
//! rule at sign-up.

use crate::cli::copse;
use crate::helpers::{assert_error, TestApp, TestDb, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Status, `Retry-After` and JSON body of one log-in, optionally with `X-Forwarded-For`.
async fn log_in(
    app: &TestApp,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<u64>, Value) {
    let mut req = app
        .client
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"username": username, "password": password}));
    if let Some(hop) = forwarded_for {
        req = req.header("x-forwarded-for", hop);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry_after, res.json().await.unwrap_or(Value::Null))
}

async fn wrong(app: &TestApp, username: &str) -> StatusCode {
    log_in(app, username, "not the password at all", None)
        .await
        .0
}

#[track_caller]
fn assert_throttled(got: &(StatusCode, Option<u64>, Value)) {
    assert_eq!(got.0, StatusCode::TOO_MANY_REQUESTS, "body: {}", got.2);
    assert_eq!(got.2["error"], "too_many_attempts", "body: {}", got.2);
    assert!(got.1.is_some_and(|s| s >= 1), "Retry-After: {:?}", got.1);
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_one_and_no_other() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    app.user("bob").await;
    for _ in 0..5 {
        assert_eq!(wrong(&app, "alice").await, StatusCode::UNAUTHORIZED);
    }
    let right = log_in(&app, "alice", PASSWORD, None).await;
    assert_throttled(&right);
    assert!(
        right.1.is_some_and(|s| s > 60),
        "the first lockout is 15 minutes: {:?}",
        right.1
    );
    // More tries change nothing (the attacker's case: 60 wrong, then the right one).
    for _ in 0..55 {
        assert_throttled(&log_in(&app, "alice", "yet another guess", None).await);
    }
    assert_throttled(&log_in(&app, "alice", PASSWORD, None).await);

    // Another account from the same address logs in, and that does not unlock alice.
    let (status, _, body) = log_in(&app, "bob", PASSWORD, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_throttled(&log_in(&app, "alice", PASSWORD, None).await);
}

#[tokio::test]
async fn unknown_usernames_are_throttled_like_known_ones() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(wrong(&app, "nobody").await, StatusCode::UNAUTHORIZED);
    }
    assert_throttled(&log_in(&app, "nobody", PASSWORD, None).await);
}

#[tokio::test]
async fn after_the_lockout_the_right_password_works_again() {
    let app = TestApp::spawn_with(|s| s.login_lockout_secs = 1).await;
    app.user("carol").await;
    for _ in 0..5 {
        assert_eq!(wrong(&app, "carol").await, StatusCode::UNAUTHORIZED);
    }
    let locked = log_in(&app, "carol", PASSWORD, None).await;
    assert_throttled(&locked);
    assert_eq!(locked.1, Some(1));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (status, _, body) = log_in(&app, "carol", PASSWORD, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The success cleared carol's failures: four wrong ones are allowed again.
    for _ in 0..4 {
        assert_eq!(wrong(&app, "carol").await, StatusCode::UNAUTHORIZED);
    }
    let (status, _, body) = log_in(&app, "carol", PASSWORD, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_locked_out() {
    let app = TestApp::spawn_with(|s| s.login_failures_per_address = 6).await;
    app.user("dave").await;
    for name in ["u1", "u2", "u3", "u4", "u5", "u6"] {
        assert_eq!(wrong(&app, name).await, StatusCode::UNAUTHORIZED);
    }
    // dave has no failures of his own, but this address is out of guesses; a forged
    // X-Forwarded-For does not help when the proxy is not trusted.
    assert_throttled(&log_in(&app, "dave", PASSWORD, None).await);
    assert_throttled(&log_in(&app, "dave", PASSWORD, Some("203.0.113.9")).await);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_last_forwarded_hop_is_the_address() {
    let app = TestApp::spawn_with(|s| {
        s.login_failures_per_address = 3;
        s.trusted_proxy = true;
    })
    .await;
    app.user("erin").await;
    for name in ["u1", "u2", "u3"] {
        let got = log_in(&app, name, "not the password", Some("203.0.113.9")).await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{}", got.2);
    }
    // The client may write what it likes before the proxy's entry: only the last one counts.
    let same = log_in(&app, "erin", PASSWORD, Some("198.51.100.1, 203.0.113.9")).await;
    assert_throttled(&same);
    let (status, _, body) = log_in(&app, "erin", PASSWORD, Some("203.0.113.9, 198.51.100.1")).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "another client address: {body}"
    );
}

#[tokio::test]
async fn many_concurrent_wrong_log_ins_are_answered_without_a_server_error() {
    let app = TestApp::spawn_with(|s| s.login_failures_per_address = 1000).await;
    app.user("fay").await;
    let attempts = (0..64).map(|i| {
        // Half on one account (throttled early), half on distinct names (each hashed).
        let name = if i % 2 == 0 {
            "fay".to_string()
        } else {
            format!("ghost{i}")
        };
        let app = &app;
        async move { log_in(app, &name, "not the password", None).await }
    });
    let answers = futures::future::join_all(attempts).await;
    let mut hashed = 0;
    for (status, retry_after, body) in &answers {
        match *status {
            StatusCode::UNAUTHORIZED => hashed += 1,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                assert!(
                    retry_after.is_some(),
                    "{status} without Retry-After: {body}"
                );
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    let on_fay = answers
        .iter()
        .step_by(2)
        .filter(|(s, ..)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(hashed > 0);
    assert!(
        on_fay <= 5,
        "concurrent guesses do not overshoot the account's budget: {on_fay}"
    );
    // The server is still fine afterwards.
    let (status, _, body) = log_in(&app, "ghost1", PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn weak_passwords_are_refused_at_sign_up_naming_the_field() {
    let app = TestApp::spawn().await;
    for password in [
        "gretchen",         // too short
        "gretchen1234",     // contains the username
        "GRETCHENgretchen", // the username, in any case
        "aaaaaaaaaaaa",     // one character repeated
        "abcabcabcabc",     // a short pattern repeated
        "password123",      // among the commonest
        "qwertyuiop",       // among the commonest
        "1234567890",       // among the commonest
    ] {
        let got = app
            .post(
                "/api/v1/accounts",
                None,
                json!({"username": "gretchen", "email": "g@example.org", "password": password}),
            )
            .await;
        assert_error(
            &got,
            StatusCode::BAD_REQUEST,
            "invalid_field",
            Some("password"),
        );
    }
    let (status, body) = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "gretchen", "email": "g@example.org", "password": "a long password"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "nothing was half-written: {body}"
    );
}

#[test]
fn the_cli_refuses_weak_passwords_too() {
    let db = TestDb::new();
    let create = |password: &str| {
        copse(
            &db,
            &["admin", "create-user", "henry", "--email", "h@example.org"],
            &format!("{password}\n"),
        )
    };
    for weak in ["password123", "henryhenry1", "zzzzzzzzzzzz"] {
        let (ok, out, err) = create(weak);
        assert!(!ok && err.contains("password"), "{weak}: {out}{err}");
    }
    let (ok, out, err) = create("a long password");
    assert!(ok && out.contains("created henry"), "{out}{err}");
}
