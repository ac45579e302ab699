//! A community's typed links in a real browser: its owner opens the links page from the edit
//! page, a refused link comes back with its message, a link to a sibling is added (one-sided),
//! confirmed once the sibling links back, shown on the community page, and removed; axe checks
//! every page with scripts on, plain forms work with scripts off.

use super::{
    communities::{arrive, log_in},
    Browser, Scripts,
};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn linking(scripts: Scripts) {
    let (browser, app) = tokio::join!(Browser::start(scripts), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let check = |path: &'static str, expected: &'static [&'static str]| {
        let browser = &browser;
        async move {
            arrive(browser, path, expected).await;
            if scripts == Scripts::On {
                browser.assert_accessible().await;
            }
        }
    };
    let olga = app.user("olga").await;
    for name in ["weavers", "spinners"] {
        let (status, body) = app.community(&olga, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    log_in(&browser, &app, "olga").await;
    browser.open(&app.url("/c/weavers/edit")).await;
    check("/c/weavers/edit", &[]).await;
    browser.click("main a[href='/c/weavers/links']").await;
    check("/c/weavers/links", &["links to no other community"]).await;

    // A link to itself is refused, with what was typed kept.
    browser.fill("#target", "weavers").await;
    browser
        .click("main form[action='/c/weavers/links'] button")
        .await;
    check("/c/weavers/links", &["cannot link to itself"]).await;
    browser.fill("#target", "spinners").await;
    browser
        .click("main form[action='/c/weavers/links'] button")
        .await;
    check("/c/weavers/links", &["now links to spinners", "one-sided"]).await;

    // The spinners link back: confirmed, and shown on the community page.
    let (status, body) = app
        .post(
            "/api/v1/communities/spinners/links",
            Some(&olga),
            json!({"relation": "sibling", "target": "weavers"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    browser.open(&app.url("/c/weavers/links")).await;
    check("/c/weavers/links", &["confirmed"]).await;
    browser.open(&app.url("/c/weavers")).await;
    check(
        "/c/weavers",
        &[
            "Related communities",
            "Sibling communities",
            "The spinners community",
        ],
    )
    .await;
    browser.click("main a[href='/c/weavers/links']").await;
    check("/c/weavers/links", &[]).await;
    browser
        .click("main form[action='/c/weavers/links/remove'] button")
        .await;
    check(
        "/c/weavers/links",
        &["was removed", "links to no other community"],
    )
    .await;
}

#[tokio::test]
async fn an_owner_links_communities_and_every_page_passes_axe() {
    linking(Scripts::On).await;
}

#[tokio::test]
async fn an_owner_links_communities_with_scripts_off() {
    linking(Scripts::Off).await;
}
