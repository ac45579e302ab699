//! Digest choices in a real browser, scripts off: a member sets her default (daily, 07:00,
//! Europe/Paris) on the settings page and turns one community's digest off from its page; the
//! owner publishes the weekly digest. With scripts on, axe finds nothing on either page.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_member_chooses_her_digests_without_javascript_and_the_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let (status, body) = app
        .community(
            &olga,
            "garden",
            json!({"title": "Urban Gardeners", "membership_policy": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;

    browser.log_in(&app, "ann").await;
    browser.open(&app.url("/settings")).await;
    browser.click("a[href='/settings/digests']").await;
    browser.click("#frequency option[value=daily]").await;
    browser.fill("#hour", "7").await;
    browser.fill("#timezone", "Europe/Paris").await;
    browser
        .click("form[action='/settings/digests'] button[type=submit]")
        .await;
    browser
        .assert_shows(&["Your digest choice was saved."])
        .await;
    // A zone that does not exist is refused next to its field, with what was typed kept.
    browser.fill("#timezone", "Europe/Atlantis").await;
    browser
        .click("form[action='/settings/digests'] button[type=submit]")
        .await;
    browser.assert_shows(&["known IANA time zone"]).await;
    let (_, got) = app.get("/api/v1/me/digests", Some(&ann)).await;
    assert_eq!(got["frequency"], "daily", "{got}");
    assert_eq!(got["hour"], 7);
    assert_eq!(got["timezone"], "Europe/Paris");

    browser.open(&app.url("/c/garden")).await;
    browser.click("#digest-frequency option[value=off]").await;
    browser
        .click("form[action='/c/garden/digest'] button[type=submit]")
        .await;
    browser
        .assert_shows(&["Digests of Urban Gardeners: off."])
        .await;
    let (_, got) = app.get("/api/v1/me/digests", Some(&ann)).await;
    assert_eq!(got["communities"][0]["frequency"], "off", "{got}");
    assert!(
        !browser
            .page_text()
            .await
            .contains("Publish the weekly digest"),
        "only the owner publishes"
    );

    let owner = Browser::start(Scripts::Off)
        .await
        .expect("a second browser");
    owner.log_in(&app, "olga").await;
    owner.open(&app.url("/c/garden")).await;
    owner
        .click("form[action='/c/garden/federated-digest'] button")
        .await;
    owner
        .assert_shows(&[
            "The weekly digest will be published",
            "published every Monday",
        ])
        .await;
    owner.close().await;
    browser.close().await;

    let checker = Browser::start(Scripts::On)
        .await
        .expect("a browser with scripts");
    checker.log_in(&app, "ann").await;
    for path in ["/settings/digests", "/c/garden", "/settings"] {
        checker.open(&app.url(path)).await;
        checker.assert_accessible().await;
    }
    checker.close().await;
}
