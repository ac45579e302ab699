//! Moving a community in a real browser: its owner opens the move page from the community page,
//! a refused step comes back with its message, the new community says it continues the old one,
//! the old one moves to it, and the old page points to the new one and offers no new thread;
//! axe checks every page with scripts on, plain forms work with scripts off.

use super::{communities::arrive, Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn moving(scripts: Scripts) {
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
    for name in ["weavers", "loomworks"] {
        let (status, body) = app.community(&olga, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    browser.log_in(&app, "olga").await;

    // The old community cannot move before the new one lists it.
    browser.open(&app.url("/c/weavers")).await;
    check("/c/weavers", &[]).await;
    browser.click("main a[href='/c/weavers/move']").await;
    check(
        "/c/weavers/move",
        &[
            "continues no other community yet",
            "Download this community's archive",
        ],
    )
    .await;
    browser.fill("#target", "loomworks").await;
    browser
        .click("main form[action='/c/weavers/move'] button")
        .await;
    check("/c/weavers/move", &["must first list this one"]).await;

    // The new community continues the old one: an unknown name is refused, then the right one.
    browser.open(&app.url("/c/loomworks/move")).await;
    check("/c/loomworks/move", &[]).await;
    browser.fill("#alias", "nosuchguild").await;
    browser
        .click("main form[action='/c/loomworks/aliases'] button")
        .await;
    check(
        "/c/loomworks/aliases",
        &["Community `nosuchguild` not found"],
    )
    .await;
    browser.fill("#alias", "weavers").await;
    browser
        .click("main form[action='/c/loomworks/aliases'] button")
        .await;
    check("/c/loomworks/move", &["now also goes by weavers"]).await;

    // The old one moves; its page points to the new one and takes no new threads.
    browser.open(&app.url("/c/weavers/move")).await;
    browser.fill("#target", "loomworks").await;
    browser
        .click("main form[action='/c/weavers/move'] button")
        .await;
    check("/c/weavers", &["has moved.", "This community has moved to"]).await;
    let page = browser.main_text().await;
    assert!(!page.contains("New thread"), "{page}");
    browser.click("main p.moved a").await;
    check("/c/loomworks", &[]).await;
    let (_, group) = app.get("/api/v1/communities/weavers", None).await;
    assert!(
        group["moved_to"]
            .as_str()
            .unwrap_or("")
            .ends_with("/c/loomworks"),
        "{group}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_owner_moves_a_community_and_every_page_passes_axe() {
    moving(Scripts::On).await;
}

#[tokio::test]
async fn an_owner_moves_a_community_with_scripts_off() {
    moving(Scripts::Off).await;
}
