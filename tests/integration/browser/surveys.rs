//! Surveys in a real browser: with scripts off, a moderator creates an anonymous survey from the
//! form's question blocks and a member answers it ("you answered" afterwards); with scripts on,
//! axe finds nothing on every survey page: the list, the creation form (also refused), the
//! survey before and after answering, and the results with their charts.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

/// `garden` owned by olga, with ann a member; answers olga's token.
async fn scene(app: &TestApp) -> String {
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    olga
}

#[tokio::test]
async fn a_survey_is_created_and_answered_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olga").await;
    browser.open(&app.url("/c/garden/moderation")).await;
    browser.click("a[href='/c/garden/surveys/new']").await;
    browser.fill("#title", "Seed swap").await;
    browser.click("input[name=anonymous]").await;
    browser.fill("#q0_prompt", "Which season?").await;
    browser.fill("#q0_options", "Spring\nAutumn").await;
    browser.click("main form button[type=submit]").await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/surveys/"),
        "{path}: {}",
        browser.main_text().await
    );
    browser
        .assert_shows(&[
            "The survey is open for answers.",
            "Seed swap",
            "Anonymous",
            "Autumn",
        ])
        .await;

    let ann = Browser::start(Scripts::Off)
        .await
        .expect("a second browser");
    ann.log_in(&app, "ann").await;
    ann.open(&app.url(&path)).await;
    ann.click("main form input[type=radio]").await;
    ann.click("main form button[type=submit]").await;
    ann.assert_shows(&[
        "Thank you: your answers were saved.",
        "You answered this survey.",
    ])
    .await;
    ann.close().await;
    browser.open(&app.url(&format!("{path}/results"))).await;
    browser.assert_shows(&["1 person answered", "Spring"]).await;
    browser.close().await;
}

#[tokio::test]
async fn the_survey_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = scene(&app).await;
    let (status, survey) = app
        .post(
            "/api/v1/communities/garden/surveys",
            Some(&olga),
            json!({"title": "Our year", "intro": "Tell us", "questions": [
                {"kind": "single", "prompt": "Best month?", "required": true, "options": ["May", "June"]},
                {"kind": "multiple", "prompt": "What grew?", "options": ["Beans", "Kale"]},
                {"kind": "scale", "prompt": "How happy?"},
                {"kind": "text", "prompt": "Ideas?"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{survey}");
    let id = survey["id"].as_i64().expect("id");
    browser.log_in(&app, "ann").await;
    browser.open(&app.url(&format!("/surveys/{id}"))).await;
    browser.assert_accessible().await;
    browser.click("main form input[type=radio]").await;
    browser.fill("main form textarea", "More shade").await;
    browser.click("main form button[type=submit]").await;
    browser.assert_shows(&["You answered this survey."]).await;
    browser.assert_accessible().await;

    browser.click("form[action='/logout'] button").await;
    browser.log_in(&app, "olga").await;
    for path in [
        "/c/garden/surveys".to_string(),
        "/c/garden/surveys/new".into(),
        format!("/surveys/{id}"),
        format!("/surveys/{id}/results"),
    ] {
        browser.open(&app.url(&path)).await;
        browser.assert_accessible().await;
    }
    browser.assert_shows(&["More shade", "Best month?"]).await;
    browser.open(&app.url("/c/garden/surveys/new")).await;
    browser.fill("#title", "Empty").await;
    browser.click("main form button[type=submit]").await;
    browser
        .assert_shows(&["A survey has 1 to 30 questions"])
        .await;
    browser.assert_accessible().await;
    browser.close().await;
}
