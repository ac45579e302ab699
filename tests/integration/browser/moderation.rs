//! The moderation page in a real browser: with scripts off the owner approves an application,
//! bans a member and follows a calendar through its plain forms; with scripts on, axe finds no WCAG 2.1 A/AA
//! violation on the page with every section filled.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

const PAGE: &str = "/c/growers/moderation";

/// An approval community `growers` of `keeper` with one application waiting (`sprout`, who
/// answered the joining question) and one member (`troll`). Returns the owner's token and
/// sprout's person id.
async fn scene(app: &TestApp) -> (String, i64) {
    let owner = app.user("keeper").await;
    let fields = json!({"membership_policy": "approval", "questions": ["What do you grow?"]});
    let (status, body) = app.community(&owner, "growers", fields).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (name, answer) in [("troll", "Trouble"), ("sprout", "Tomatoes on a balcony")] {
        let token = app.user(name).await;
        let join = json!({"answers": [answer]});
        let (status, body) = app
            .post("/api/v1/communities/growers/join", Some(&token), join)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, pending) = app
        .get("/api/v1/communities/growers/applications", Some(&owner))
        .await;
    let id = |name: &str| {
        pending["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|m| m["handle"].as_str().is_some_and(|h| h.starts_with(name)))
            .and_then(|m| m["person_id"].as_i64())
            .expect("an application")
    };
    let (troll, sprout) = (id("troll@"), id("sprout@"));
    let approve = format!("/api/v1/communities/growers/applications/{troll}/approve");
    let (status, _) = app.post(&approve, Some(&owner), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    (owner, sprout)
}

#[tokio::test]
async fn the_owner_approves_and_bans_through_the_page_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let (owner, sprout) = scene(&app).await;
    browser.log_in(&app, "keeper").await;
    browser.open(&app.url(PAGE)).await;
    browser
        .assert_shows(&["Applications (1)", "Tomatoes on a balcony"])
        .await;

    let approve = format!("form[action='{PAGE}/applications/{sprout}/approve'] button");
    browser.click(&approve).await;
    assert_eq!(browser.path().await, PAGE);
    browser
        .assert_shows(&["approved", "Applications (0)"])
        .await;
    let members = app.member_handles("growers", Some(&owner)).await;
    assert!(
        members.iter().any(|h| h.starts_with("sprout@")),
        "{members:?}"
    );

    browser.fill("#ban-person", "troll").await;
    browser.fill("#ban-reason", "Trolling every thread").await;
    browser
        .click(&format!("form[action='{PAGE}/bans'] button"))
        .await;
    assert_eq!(browser.path().await, PAGE);
    browser
        .assert_shows(&["troll is banned", "Bans (1)", "Trolling every thread"])
        .await;
    let members = app.member_handles("growers", Some(&owner)).await;
    assert!(
        !members.iter().any(|h| h.starts_with("troll@")),
        "{members:?}"
    );

    // Following a calendar on another server: a bad handle is shown next to the field, a
    // Gancio-shaped actor's URL is followed (waiting until it accepts).
    let origin = crate::origin::Origin::start().await;
    let relay = origin.application("/federation/u/relay", "relay");
    browser.fill("#calendar-calendar", "not a handle").await;
    browser
        .click(&format!("form[action='{PAGE}/calendars'] button"))
        .await;
    browser.assert_shows(&["No calendar found as"]).await;
    browser.fill("#calendar-calendar", &relay.id).await;
    browser
        .click(&format!("form[action='{PAGE}/calendars'] button"))
        .await;
    assert_eq!(browser.path().await, PAGE);
    browser
        .assert_shows(&[
            "Calendars followed (1)",
            "relay@",
            "waiting for it to accept",
        ])
        .await;
    browser
        .click(&format!("form[action^='{PAGE}/calendars/'] button"))
        .await;
    browser
        .assert_shows(&["no longer follows", "Calendars followed (0)"])
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_moderation_page_with_every_section_filled_passes_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let (owner, _) = scene(&app).await;
    app.user("guest").await;
    let reader = app.user("reader").await;
    let (_, members) = app
        .get("/api/v1/communities/growers/members", Some(&owner))
        .await;
    let troll = members["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| {
            m["handle"]
                .as_str()
                .is_some_and(|h| h.starts_with("troll@"))
        })
        .and_then(|m| m["person_id"].as_i64())
        .expect("troll");
    let mut post_id = 0;
    for (path, body) in [
        ("invitations", json!({"person": "guest"})),
        ("bans", json!({"person_id": troll, "reason": "Trolling"})),
        ("posts", json!({"title": "Seeds", "body": "b"})),
    ] {
        let path = format!("/api/v1/communities/growers/{path}");
        let (status, answer) = app.post(&path, Some(&owner), body).await;
        assert!(status.is_success(), "{path}: {status} {answer}");
        post_id = answer["id"].as_i64().unwrap_or(post_id);
    }
    let (status, report) = app
        .post(
            &format!("/api/v1/posts/{post_id}/report"),
            Some(&reader),
            json!({"reason": "Spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");

    let origin = crate::origin::Origin::start().await;
    let relay = origin.application("/federation/u/relay", "relay");
    let (status, body) = app
        .post(
            "/api/v1/communities/growers/calendars",
            Some(&owner),
            json!({"calendar": relay.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    browser.log_in(&app, "keeper").await;
    browser.open(&app.url(PAGE)).await;
    browser
        .assert_shows(&[
            "Calendars followed (1)",
            "Applications (1)",
            "Invitations (1)",
            "Reports (1)",
            "Bans (1)",
            "Moderators (1)",
            "banned",
        ])
        .await;
    browser.assert_accessible().await;

    // A refused form, its message next to the field, passes too.
    browser.fill("#ban-person", "nobody_here").await;
    browser
        .click(&format!("form[action='{PAGE}/bans'] button"))
        .await;
    browser.assert_shows(&["No one found as"]).await;
    browser.assert_accessible().await;
    browser.close().await;
}
