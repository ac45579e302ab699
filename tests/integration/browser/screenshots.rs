//! The README's screenshots of the main pages (`docs/screenshots/`), taken in the real browser
//! on a seeded instance, signed out and signed in. Run by hand, not in CI:
//! `COPSE_SCREENSHOTS=docs/screenshots cargo test --test integration screenshots -- --ignored`.

use super::{Browser, Scripts};
use crate::helpers::{TestApp, PASSWORD};

/// Each screenshot: its file name, the page, and whether the seeded owner is signed in.
fn shots(post: i64) -> Vec<(&'static str, String, bool)> {
    vec![
        ("home", "/".into(), false),
        ("signup", "/signup".into(), false),
        ("community", "/c/gardeners".into(), true),
        ("thread", format!("/post/{post}"), true),
        ("submit", "/c/gardeners/submit".into(), true),
        ("moderation", "/c/gardeners/moderation".into(), true),
        ("admin", "/admin/users".into(), true),
        ("settings", "/settings".into(), true),
    ]
}

#[tokio::test]
#[ignore = "writes the README's screenshots; run by hand with COPSE_SCREENSHOTS set"]
async fn screenshots() {
    let dir = std::env::var("COPSE_SCREENSHOTS").expect("COPSE_SCREENSHOTS: where to write");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let browser = browser.expect("Chromium is needed for screenshots");
    let post = super::pages::scene(&app).await;
    // The community's owner is also an administrator, for the admin pages.
    let ada = crate::instance_policy::admin(&app, "ada").await;
    let (status, body) = app
        .post(
            "/api/v1/admin/users/olga/admin",
            Some(&ada),
            serde_json::json!({"is_admin": true}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let mut signed_in = false;
    for (name, path, as_owner) in shots(post) {
        if as_owner && !signed_in {
            browser.open(&app.url("/login")).await;
            browser.fill("#username", "olga").await;
            browser.fill("#password", PASSWORD).await;
            browser.click("main form button[type=submit]").await;
            signed_in = true;
        }
        browser.open(&app.url(&path)).await;
        let file = std::path::Path::new(&dir).join(format!("{name}.png"));
        browser.screenshot(&file).await;
        println!("{path} → {}", file.display());
    }
    browser.close().await;
}
