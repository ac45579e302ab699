//! An administrator in a real browser: logs in, follows the header's Admin link, approves a
//! pending registration, suspends a member, and blocks an instance, with scripts off (plain
//! forms) and on (axe checks every admin page, a refused form included).

use super::{Browser, Scripts};
use crate::{helpers::TestApp, instance_policy::admin};
use copse::config::RegistrationMode;
use reqwest::StatusCode;
use serde_json::json;

async fn administrator(scripts: Scripts) {
    let spawn = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval);
    let (browser, app) = tokio::join!(Browser::start(scripts), spawn);
    let Some(browser) = browser else {
        return;
    };
    let root = admin(&app, "chief").await;
    let member = admin(&app, "ann").await;
    let (status, _) = app
        .post(
            "/api/v1/admin/users/ann/admin",
            Some(&root),
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.register("newbie").await;
    assert_eq!(status, StatusCode::CREATED);
    let axe = scripts == Scripts::On;
    let check = |path: &'static str| {
        let browser = &browser;
        async move {
            assert_eq!(browser.path().await, path);
            if axe {
                browser.assert_accessible().await;
            }
        }
    };

    browser.open(&app.url("/login")).await;
    browser.fill("#username", "chief").await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.click("header a[href='/admin']").await;
    check("/admin").await;
    browser
        .assert_shows(&["Pending registrations", "newbie", "newbie@example.org"])
        .await;
    browser
        .assert_shows(&["Instance settings", "registration_mode"])
        .await;

    browser
        .click("form[action='/admin/users/newbie/approve'] button")
        .await;
    check("/admin").await;
    browser.assert_shows(&["newbie was approved"]).await;
    let (status, body) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "newbie", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "newbie logs in: {body}");

    browser.click("a[href='/admin/users']").await;
    check("/admin/users").await;
    browser.fill("#q", "ann").await;
    browser.click("main form[role=search] button").await;
    check("/admin/users").await;
    browser.fill("#reason-ann", "Spam links").await;
    browser
        .click("form[action='/admin/users/ann/suspend'] button")
        .await;
    check("/admin/users").await;
    browser
        .assert_shows(&["ann is suspended", "Suspended since", "Spam links"])
        .await;
    let (status, _) = app.get("/api/v1/me", Some(&member)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "ann's sessions ended");

    browser.click("a[href='/admin/instances']").await;
    check("/admin/instances").await;
    browser.fill("#host", "not a host").await;
    browser
        .click("form[action='/admin/instances'] button")
        .await;
    check("/admin/instances").await;
    browser.fill("#host", "spam.example").await;
    browser.fill("#reason", "spam waves").await;
    browser
        .click("form[action='/admin/instances'] button")
        .await;
    check("/admin/instances").await;
    browser
        .assert_shows(&["spam.example is blocked", "spam waves"])
        .await;

    browser.click("a[href='/admin/queue']").await;
    check("/admin/queue").await;
    browser
        .assert_shows(&["Outgoing deliveries per instance"])
        .await;
    browser.close().await;
}

#[tokio::test]
async fn an_administrator_works_through_the_admin_pages_without_javascript() {
    administrator(Scripts::Off).await;
}

#[tokio::test]
async fn every_admin_page_passes_axe() {
    administrator(Scripts::On).await;
}
