//! Cross-posting in a real browser with axe: the new-thread page's "Also post in" checkboxes
//! (offered, refused where the author was banned meanwhile, with what was typed kept, then
//! posted), the thread page's "also in" and sharing forms for its author and for a moderator,
//! and the community page's "also in".

use super::{Browser, Scripts};
use crate::{cross_posting::ban_ann, helpers::TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn also_post_in_and_the_sharing_forms_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    for name in ["garden", "orchard", "meadow"] {
        let (status, body) = app.community(&olga, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for name in ["orchard", "meadow"] {
        let path = format!("/api/v1/communities/{name}/join");
        let (status, body) = app.post(&path, Some(&ann), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    browser.log_in(&app, "ann").await;
    browser.open(&app.url("/c/garden/submit")).await;
    browser
        .assert_shows(&["Also post in", "orchard", "meadow"])
        .await;
    browser.assert_accessible().await;
    ban_ann(&app, &olga, "meadow").await;
    browser.fill("#title", "Grafting day").await;
    browser.fill("#body", "Bring rootstock.").await;
    browser.click("input[name=also_in][value=orchard]").await;
    browser.click("input[name=also_in][value=meadow]").await;
    browser.click("main form button[type=submit]").await;
    browser.assert_shows(&["In meadow: you are banned"]).await;
    browser.assert_accessible().await;

    // What was typed and checked is kept (meadow is no longer offered): post.
    browser.click("main form button[type=submit]").await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/post/"),
        "{path}: {}",
        browser.main_text().await
    );
    browser
        .assert_shows(&["Your thread was posted.", "Grafting day", "orchard"])
        .await;
    browser.assert_accessible().await;

    // A moderator of orchard sees the removal form; the listings say "also in".
    browser.close().await;
    let moderator = Browser::start(Scripts::On).await.expect("a second browser");
    moderator.log_in(&app, "olga").await;
    moderator.open(&app.url(&path)).await;
    moderator.assert_shows(&["Remove from orchard only"]).await;
    moderator.assert_accessible().await;
    moderator.open(&app.url("/c/orchard")).await;
    moderator.assert_shows(&["Grafting day", "also in"]).await;
    moderator.assert_accessible().await;
    moderator.close().await;
}
