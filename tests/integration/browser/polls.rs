//! Polls in a real browser: with scripts off, a member opens a poll from the new-thread page and
//! another votes on the poll's page; with scripts on, axe finds nothing on the compose page with
//! its poll fields (also refused), the thread and poll pages signed out, and the poll page
//! before and after voting.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn scene(app: &TestApp) -> String {
    let olga = app.user("olga").await;
    app.user("ann").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    olga
}

#[tokio::test]
async fn a_poll_is_opened_and_voted_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olga").await;
    browser.open(&app.url("/c/garden/submit")).await;
    browser.fill("#title", "Which seeds?").await;
    browser.fill("#body", "For the spring swap").await;
    browser.click("details summary").await;
    browser.fill("#poll_options", "Tomatoes\nBeans\nKale").await;
    browser.click("main form button[type=submit]").await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/post/"),
        "{path}: {}",
        browser.main_text().await
    );
    browser
        .assert_shows(&["Your thread was posted.", "Which seeds?", "Poll", "Beans"])
        .await;

    let ann = Browser::start(Scripts::Off)
        .await
        .expect("a second browser");
    ann.log_in(&app, "ann").await;
    ann.open(&app.url(&path)).await;
    ann.click("#poll input[type=radio]").await;
    ann.click("#poll button[type=submit]").await;
    ann.assert_shows(&["Your vote was counted.", "1 voter", "(your vote)"])
        .await;
    ann.close().await;
    browser.close().await;
}

#[tokio::test]
async fn the_poll_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = scene(&app).await;
    let closes = chrono::Utc::now() + chrono::Duration::days(30);
    let (status, created) = app
        .post(
            "/api/v1/communities/garden/polls",
            Some(&olga),
            json!({"title": "Which seeds?", "options": ["Tomatoes", "Beans"], "multiple": true,
                   "closes_at": closes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["post"]["id"].as_i64().expect("id");
    for path in [format!("/post/{id}"), format!("/post/{id}/poll")] {
        browser.open(&app.url(&path)).await;
        browser.assert_accessible().await;
    }
    browser.log_in(&app, "ann").await;
    browser.open(&app.url(&format!("/post/{id}/poll"))).await;
    browser.assert_shows(&["Choose one or more options."]).await;
    browser.assert_accessible().await;
    browser.click("#poll input[type=checkbox]").await;
    browser.click("#poll button[type=submit]").await;
    browser.assert_shows(&["Your vote was counted."]).await;
    browser.assert_accessible().await;
    browser.open(&app.url("/c/garden/submit")).await;
    browser.assert_accessible().await;
    browser.fill("#title", "One option only").await;
    browser.click("details summary").await;
    browser.fill("#poll_options", "Alone").await;
    browser.click("main form button[type=submit]").await;
    browser.assert_shows(&["A poll has 2 to 20 options"]).await;
    browser.assert_accessible().await;
    browser.close().await;
}
