//! The communities' pages in a real browser: an owner creates a community with a charter and
//! two joining questions (a refused form first) and edits it; a second person applies with
//! answers (a missing answer refused first), joins an open community and leaves it; with scripts
//! on (axe checks every page, signed in and out) and off (plain forms). And across two
//! instances: a person finds a community on another server by its handle and joins it.

use super::{Browser, Scripts};
use crate::helpers::{eventually, TestApp, PASSWORD};
use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits (up to 10 s) until the browser shows `path` with each of `expected` in its `<main>`:
/// a click returns before the page it sends for has loaded, and a form may answer on its own
/// address.
pub(super) async fn arrive(browser: &Browser, path: &str, expected: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    while Instant::now() < deadline {
        let at = browser.client().current_url().await.ok();
        let main = match browser.client().find(Locator::Css("main")).await {
            Ok(main) => main.text().await.ok(),
            Err(_) => None,
        };
        if let (Some(at), Some(text)) = (at, main) {
            if at.path() == path && expected.iter().all(|w| text.contains(w)) {
                return;
            }
            seen = format!("{at}:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {path} showing {expected:?}; the browser shows {seen}");
}

pub(super) async fn log_in(browser: &Browser, app: &TestApp, name: &str) {
    browser.open(&app.url("/login")).await;
    browser.fill("#username", name).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    arrive(browser, "/", &[]).await;
}

async fn log_out(browser: &Browser) {
    browser.click("header form[action='/logout'] button").await;
    arrive(browser, "/", &["Communities of practice"]).await;
}

async fn founding_and_applying(scripts: Scripts) {
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
    app.user("ann").await;
    let (status, body) = app.community(&olga, "knitters", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Signed out: the directory, and a community page that asks to log in to join.
    browser.open(&app.url("/")).await;
    check("/", &["The knitters community"]).await;
    browser.open(&app.url("/communities?q=knit")).await;
    check("/communities", &[]).await;
    browser.click("main a[href='/c/knitters']").await;
    check("/c/knitters", &["Log in to join"]).await;

    // The owner creates a community: a refused form keeps what was typed.
    log_in(&browser, &app, "olga").await;
    check("/", &[]).await;
    browser.open(&app.url("/communities")).await;
    check("/communities", &["Join a community on another server"]).await;
    browser.click("main a[href='/communities/new']").await;
    check("/communities/new", &[]).await;
    browser.fill("#name", "weavers").await;
    browser
        .fill("[id='charter.purpose']", "Keep the looms running")
        .await;
    browser.fill("[id='charter.domain']", "Hand weaving").await;
    browser
        .click("#membership_policy option[value='approval']")
        .await;
    browser.fill("#question-1", "Which loom do you use?").await;
    browser
        .fill("#question-2", "What would you like to weave?")
        .await;
    browser.click("main form button[type=submit]").await;
    check("/communities/new", &["Must not be empty"]).await;
    browser.fill("#title", "Weavers").await;
    browser.click("main form button[type=submit]").await;
    check(
        "/c/weavers",
        &[
            "Weavers",
            "Keep the looms running",
            "Hand weaving",
            "You own",
        ],
    )
    .await;
    browser.click("main a[href='/c/weavers/edit']").await;
    check("/c/weavers/edit", &[]).await;
    browser.fill("#title", "Hand Weavers").await;
    browser.click("main form button[type=submit]").await;
    check("/c/weavers", &["Hand Weavers", "was saved"]).await;
    log_out(&browser).await;

    // A second person applies with answers; a missing one is asked for first.
    log_in(&browser, &app, "ann").await;
    browser.open(&app.url("/c/weavers")).await;
    check("/c/weavers", &[]).await;
    browser.fill("#answer-1", "A rigid heddle loom").await;
    browser.click("form[action='/c/weavers/join'] button").await;
    check("/c/weavers/join", &["Answer all 2"]).await;
    browser.fill("#answer-1", "A rigid heddle loom").await;
    browser.fill("#answer-2", "Scarves").await;
    browser.click("form[action='/c/weavers/join'] button").await;
    check("/c/weavers", &["pending"]).await;
    browser.open(&app.url("/")).await;
    check("/", &["Hand Weavers", "application pending"]).await;

    // She joins an open community and leaves it.
    browser.open(&app.url("/c/knitters")).await;
    browser
        .click("form[action='/c/knitters/join'] button")
        .await;
    check("/c/knitters", &["You joined", "You are a member"]).await;
    browser
        .click("form[action='/c/knitters/leave'] button")
        .await;
    check("/c/knitters", &["You left"]).await;
    log_out(&browser).await;
    browser.close().await;
}

#[tokio::test]
async fn a_community_is_founded_and_applied_to_and_every_page_passes_axe() {
    founding_and_applying(Scripts::On).await;
}

#[tokio::test]
async fn a_community_is_founded_and_applied_to_with_scripts_off() {
    founding_and_applying(Scripts::Off).await;
}

/// A browser and two instances: `olga`'s open community `name` titled `title` on `home`, and
/// `ann` of `here` logged in in the browser; None when there is no browser. Returns olga's token.
pub(super) async fn two_instances(
    name: &str,
    title: &str,
) -> Option<(Browser, TestApp, TestApp, String)> {
    let (browser, home, here) = tokio::join!(
        Browser::start(Scripts::Off),
        TestApp::spawn(),
        TestApp::spawn()
    );
    let browser = browser?;
    let olga = home.user("olga").await;
    let (status, body) = home.community(&olga, name, json!({"title": title})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    here.user("ann").await;
    log_in(&browser, &here, "ann").await;
    Some((browser, home, here, olga))
}

/// `ann`, logged in on `here`, finds the community `name` of `home` (titled `title`) by its
/// handle with the directory's find form and joins it; waits until `home` accepts her. Returns
/// the community's path on `here`.
pub(super) async fn join_by_handle(
    browser: &Browser,
    here: &TestApp,
    home: &TestApp,
    name: &str,
    title: &str,
) -> String {
    browser.open(&here.url("/communities")).await;
    browser
        .fill("#find-q", &format!("!{name}@{}", home.hostname))
        .await;
    browser
        .click("form[action='/communities/find'] button")
        .await;
    let remote = format!("/c/{name}@{}", home.hostname);
    arrive(browser, &remote, &[title, "on another server"]).await;
    browser
        .click(&format!("form[action='{remote}/join'] button"))
        .await;
    arrive(browser, &remote, &["You asked to join"]).await;
    let group = format!("{}/c/{name}", home.base);
    eventually("the membership is accepted", || async {
        (here.membership_state("ann", &group).await.as_deref() == Some("active")).then_some(())
    })
    .await;
    remote
}

#[tokio::test]
async fn a_community_on_another_instance_is_found_by_handle_and_joined_from_the_ui() {
    let Some((browser, home, here, olga)) = two_instances("lofts", "Loft Weavers").await else {
        return;
    };
    let remote = join_by_handle(&browser, &here, &home, "lofts", "Loft Weavers").await;
    browser.open(&here.url(&remote)).await;
    arrive(&browser, &remote, &["You are a member"]).await;

    // Its threads arrive here and are listed on its page.
    let (status, body) = home
        .post(
            "/api/v1/communities/lofts/posts",
            Some(&olga),
            json!({"title": "Warp and weft", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    eventually("the thread arrives", || async {
        let page = here.client.get(here.url(&remote)).send().await.ok()?;
        page.text()
            .await
            .ok()?
            .contains("Warp and weft")
            .then_some(())
    })
    .await;
    browser.open(&here.url("/communities")).await;
    browser
        .assert_shows(&[&format!("!lofts@{}", home.hostname)])
        .await;
    browser.close().await;
}
