//! Events in a real browser: with scripts off, an organizer schedules a meeting through the form
//! and a member answers going; with scripts on, axe finds nothing on the event form (also in its
//! refused state), the event page signed in and out, and the community's events list.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn scene(app: &TestApp) {
    let olga = app.user("olga").await;
    app.user("ann").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Fills the event form. Chromium's `datetime-local` field takes keys as a person types them in
/// its en-US layout: month, day, year, then (after a tab) hour, minute and AM/PM.
async fn fill_event(browser: &Browser, title: &str, starts: &str, ends: &str) {
    browser.fill("#title", title).await;
    browser.fill("#body", "Seed swap and *tea*").await;
    browser.fill("#starts_at", starts).await;
    browser.fill("#ends_at", ends).await;
    browser.fill("#timezone", "Europe/Paris").await;
    browser.fill("#place_name", "Community hall").await;
    browser.fill("#capacity", "10").await;
}

#[tokio::test]
async fn a_meeting_is_scheduled_and_answered_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olga").await;
    browser.open(&app.url("/c/garden")).await;
    browser.click("a[href='/c/garden/events']").await;
    browser.click("a[href='/c/garden/events/new']").await;
    fill_event(
        &browser,
        "Seed swap",
        "06052031\t0700PM",
        "06052031\t0900PM",
    )
    .await;
    browser.click("main form button[type=submit]").await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/events/"),
        "{path}: {}",
        browser.main_text().await
    );
    browser
        .assert_shows(&[
            "Your event is scheduled.",
            "Seed swap",
            "Community hall",
            "CEST",
        ])
        .await;

    let ann = Browser::start(Scripts::Off)
        .await
        .expect("a second browser");
    ann.log_in(&app, "ann").await;
    ann.open(&app.url(&path)).await;
    ann.click("form.rsvp button[value=going]").await;
    ann.assert_shows(&["You are going.", "You answered: going"])
        .await;
    ann.close().await;
    browser.close().await;
}

#[tokio::test]
async fn the_event_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    let olga = app.login("olga").await;
    let (status, event) = app
        .post(
            "/api/v1/communities/garden/events",
            Some(&olga),
            json!({"title": "Seed swap", "starts_at": "2031-06-05T19:00",
                   "ends_at": "2031-06-05T21:00", "timezone": "Europe/Paris",
                   "place_name": "Community hall", "capacity": 1,
                   "join_mode": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let id = event["id"].as_i64().expect("id");
    let first = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    let (status, series) = app
        .post(
            "/api/v1/communities/garden/series",
            Some(&olga),
            json!({"title": "Weeding", "starts_at": format!("{first}T09:00"),
                   "ends_at": format!("{first}T10:00"), "timezone": "Europe/Paris",
                   "rrule": "FREQ=MONTHLY;BYDAY=1SA", "exdates": ["2031-08-02"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{series}");
    let series = series["id"].as_i64().expect("id");
    let ann = app.login("ann").await;
    app.post(
        &format!("/api/v1/events/{id}/rsvp"),
        Some(&ann),
        json!({"state": "going"}),
    )
    .await;

    // Signed out: the page and the list.
    for path in [
        format!("/events/{id}"),
        "/c/garden/events".to_string(),
        format!("/series/{series}"),
    ] {
        browser.open(&app.url(&path)).await;
        browser.assert_accessible().await;
    }
    // The organizer: the page with the decisions and status forms, the form and its refusal.
    browser.log_in(&app, "olga").await;
    browser.open(&app.url(&format!("/events/{id}"))).await;
    browser.assert_shows(&["Asked to come", "Accept ann"]).await;
    browser.assert_accessible().await;
    browser.open(&app.url("/c/garden/events/new")).await;
    browser.assert_accessible().await;
    browser
        .open(&app.url(&format!("/series/{series}/edit")))
        .await;
    browser
        .assert_shows(&["Repeats", "How often the meeting takes place"])
        .await;
    browser.assert_accessible().await;
    browser.open(&app.url("/c/garden/events/new")).await;
    browser.fill("#title", "No date").await;
    browser.click("main form button[type=submit]").await;
    browser
        .assert_shows(&["Expected a local date and time"])
        .await;
    browser.assert_accessible().await;
    browser.close().await;
}
