//! The health figures page in a real browser: a community with members, threads and replies,
//! snapshotted by the job; with scripts off the owner reads its charts and tables and follows the
//! months link; with scripts on, axe finds no WCAG 2.1 A/AA violation on the page.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

/// `garden` of `olive` with two members, a thread and a reply; snapshotted as of tomorrow.
async fn scene(app: &TestApp) {
    let owner = app.user("olive").await;
    let (status, body) = app.community(&owner, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for name in ["ann", "ben"] {
        let token = app.user(name).await;
        let (status, body) = app
            .post("/api/v1/communities/garden/join", Some(&token), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(&owner),
            json!({"title": "Pruning", "body": "when?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let ann = app.login("ann").await;
    let path = format!("/api/v1/posts/{}/comments", post["id"]);
    let (status, body) = app
        .post(&path, Some(&ann), json!({"body": "In March"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    copse::jobs::health::snapshot(&app.context(), tomorrow)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_owner_reads_the_health_figures_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olive").await;
    browser.open(&app.url("/c/garden/health")).await;
    browser
        .assert_shows(&[
            "Health figures of !garden",
            "Active members",
            "Participation modes",
            "Newcomer retention",
        ])
        .await;
    browser
        .click("a[href='/c/garden/health?period=months']")
        .await;
    assert_eq!(browser.path().await, "/c/garden/health");
    browser.assert_shows(&["the last 12 months"]).await;
    browser.close().await;
}

#[tokio::test]
async fn the_health_page_passes_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olive").await;
    browser.open(&app.url("/c/garden/health")).await;
    browser.assert_shows(&["Conversation"]).await;
    browser.assert_accessible().await;
    browser
        .open(&app.url("/c/garden/health?period=months"))
        .await;
    browser.assert_accessible().await;
    browser.close().await;
}
