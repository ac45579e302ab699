//! Notifications in a real browser (scripts on, axe-core): the header's unread count, the
//! `/notifications` page before and after marking read, the mail settings section, and the
//! one-click unsubscribe page (signed out) before and after its button.

use super::{Browser, Scripts};
use crate::helpers::{TestApp, PASSWORD};
use copse::mail::unsubscribe::{self, Scope};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_notification_pages_pass_axe_and_mark_read() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    app.community(&olga, "garden", json!({})).await;
    app.post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(&olga),
            json!({"title": "Seed swap", "body": "Who comes?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().unwrap();
    for body in ["Me!", "And me again, @olga"] {
        app.post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&ann),
            json!({ "body": body }),
        )
        .await;
    }

    browser.open(&app.url("/login")).await;
    browser.fill("#username", "olga").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    let header = browser.page_text().await;
    assert!(header.contains("Notifications 2"), "{header}");
    browser.open(&app.url("/notifications")).await;
    browser
        .assert_shows(&["2 unread notifications.", "replied to you in “Seed swap”"])
        .await;
    browser.assert_accessible().await;
    browser.click("ul.notifications form button").await;
    assert_eq!(browser.path().await, "/notifications");
    browser.assert_shows(&["One unread notification."]).await;
    browser.click("main > form button").await;
    browser
        .assert_shows(&["One notification marked read.", "Nothing unread."])
        .await;
    browser.assert_accessible().await;
    browser.open(&app.url("/settings")).await;
    browser
        .assert_shows(&["Send me mail about", "Mentions of me"])
        .await;
    browser.assert_accessible().await;

    // The unsubscribe page, signed out (another browser: no session).
    let ctx = app.context();
    let user = ctx
        .db(|conn| copse::db::accounts::account_by_name(conn, "olga"))
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let link = unsubscribe::link(&ctx, user, Scope::Notifications);
    browser.close().await;
    let stranger = Browser::start(Scripts::On).await.expect("a second browser");
    stranger.open(&link).await;
    stranger
        .assert_shows(&["This link stops mail about your notifications"])
        .await;
    stranger.assert_accessible().await;
    stranger.click("main form button").await;
    stranger.assert_shows(&["Done: olga gets no more"]).await;
    stranger.assert_accessible().await;
    stranger.close().await;
}
