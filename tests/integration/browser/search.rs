//! Search in a real browser: the header's search box on every page leads to `/search`, whose
//! results (threads and communities, a remote one marked, a second page) pass axe signed out
//! and signed in; a member finds their private community's thread there, others do not.

use super::{
    communities::{arrive, log_in},
    Browser, Scripts,
};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_header_search_box_finds_threads_and_the_results_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = app.user("olga").await;
    app.user("ann").await;
    for (name, visibility) in [("gardeners", "public"), ("seedbank", "private")] {
        let (status, body) = app
            .community(
                &olga,
                name,
                json!({
                    "title": format!("The {name}"),
                    "visibility": visibility,
                    "charter": {"purpose": "Heirloom tomato seeds"}
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for n in 0..21 {
        let (status, body) = app
            .post(
                "/api/v1/communities/gardeners/posts",
                Some(&olga),
                json!({"title": format!("Tomato trial {n}"), "body": "Staking and pruning."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/communities/seedbank/posts",
            Some(&olga),
            json!({"title": "Tomato seed inventory", "body": "Members only."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Signed out, from the directory's header.
    browser.open(&app.url("/communities")).await;
    browser.fill("header input[name=q]", "tomato").await;
    browser.click("header form[action='/search'] button").await;
    arrive(&browser, "/search", &["Tomato trial", "The gardeners"]).await;
    browser.assert_accessible().await;
    let text = browser.main_text().await;
    assert!(
        !text.contains("seed inventory") && !text.contains("seedbank"),
        "{text}"
    );
    browser.click("main a[rel=next]").await;
    arrive(&browser, "/search", &["Previous results"]).await;
    browser.assert_accessible().await;

    // Signed in as a member of the private community: its thread is found.
    log_in(&browser, &app, "olga").await;
    browser.fill("header input[name=q]", "tomato seed").await;
    browser.click("header form[action='/search'] button").await;
    arrive(
        &browser,
        "/search",
        &["Tomato seed inventory", "The seedbank"],
    )
    .await;
    browser.assert_accessible().await;
    browser.close().await;
}
