//! The library in a real browser: with scripts off, a member writes a page through the form and
//! edits it; with scripts on, axe finds nothing on the library's pages (the tree with the
//! moderators' rights form, a page, its history, a diff, an old revision, the forms, and the
//! conflict page).

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn scene(app: &TestApp) -> String {
    let olga = app.user("olga").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    olga
}

#[tokio::test]
async fn a_page_is_written_and_edited_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    browser.log_in(&app, "olga").await;
    browser.open(&app.url("/c/garden")).await;
    browser.click("a[href='/c/garden/library']").await;
    browser.click("a[href='/c/garden/library/new']").await;
    browser.fill("#title", "Composting").await;
    browser.fill("#body", "Greens and browns.").await;
    browser.fill("#summary", "a first note").await;
    browser.click("main form button[type=submit]").await;
    assert_eq!(browser.path().await, "/c/garden/library/composting");
    browser
        .assert_shows(&["Page created.", "Composting", "Greens and browns."])
        .await;
    browser
        .click("a[href='/c/garden/library/composting/edit']")
        .await;
    browser.fill("#body", "Greens, browns and water.").await;
    browser.click("main form button[type=submit]").await;
    browser
        .assert_shows(&["Saved: revision 2.", "Greens, browns and water."])
        .await;
    browser
        .click("a[href='/c/garden/library/composting/history']")
        .await;
    browser.click("main form button[type=submit]").await;
    browser
        .assert_shows(&["Changes from revision 1 to revision 2", "removed", "added"])
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_library_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = scene(&app).await;
    let pages = "/api/v1/communities/garden/pages";
    for (title, parent) in [
        ("Soil", ""),
        ("Compost", "soil"),
        ("Worms", "compost"),
        ("Seeds", ""),
    ] {
        let (status, body) = app
            .post(
                pages,
                Some(&olga),
                json!({"title": title, "body": "one\ntwo\nthree", "parent": parent}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("{pages}/soil"),
            Some(&olga),
            Some(json!({"title": "Soil", "body": "one\n2\nthree", "summary": "numbers", "base_revision": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let paths = [
        "/c/garden/library",
        "/c/garden/library/soil",
        "/c/garden/library/soil/history",
        "/c/garden/library/soil/diff?from=1&to=2",
        "/c/garden/library/soil/revisions/1",
    ];
    for path in paths {
        browser.open(&app.url(path)).await;
        browser.assert_accessible().await;
    }
    browser.log_in(&app, "olga").await;
    for path in paths
        .iter()
        .copied()
        .chain(["/c/garden/library/new", "/c/garden/library/soil/edit"])
    {
        browser.open(&app.url(path)).await;
        browser.assert_accessible().await;
    }
    // The refused form and the conflict page.
    browser.open(&app.url("/c/garden/library/new")).await;
    browser.click("main form button[type=submit]").await;
    browser.assert_shows(&["Must not be empty"]).await;
    browser.assert_accessible().await;
    browser.open(&app.url("/c/garden/library/soil/edit")).await;
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            &format!("{pages}/soil"),
            Some(&olga),
            Some(json!({"title": "Soil", "body": "one\nTWO\nthree", "base_revision": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    browser.fill("#body", "one\nzwei\nthree").await;
    browser.click("main form button[type=submit]").await;
    browser
        .assert_shows(&["Someone saved this page while you edited", "Their changes"])
        .await;
    browser.assert_accessible().await;
    browser.close().await;
}

/// A thread in `garden` by olga with a reply by ann; the post's id and the reply's.
async fn thread_with_reply(app: &TestApp, olga: &str) -> (i64, i64) {
    let ann = app.user("ann").await;
    let (status, body) = app
        .post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;
    assert!(status.is_success(), "{body}");
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(olga),
            json!({"title": "Which mulch?", "body": "Straw or bark?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().expect("id");
    let (status, reply) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&ann),
            json!({"body": "Straw rots down fast."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    (id, reply["id"].as_i64().expect("id"))
}

#[tokio::test]
async fn a_thread_becomes_a_page_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = scene(&app).await;
    let (post, reply) = thread_with_reply(&app, &olga).await;
    browser.log_in(&app, "olga").await;
    browser.open(&app.url(&format!("/post/{post}"))).await;
    browser.click(&format!("a[href='/post/{post}/page']")).await;
    browser.fill("#title", "Mulch").await;
    browser.click(&format!("#reply-{reply}")).await;
    browser.click("main form button[type=submit]").await;
    assert_eq!(browser.path().await, "/c/garden/library/mulch");
    browser
        .assert_shows(&[
            "The thread became a page.",
            "Straw or bark?",
            "Straw rots down fast.",
            "ann",
        ])
        .await;
    browser.open(&app.url(&format!("/post/{post}"))).await;
    browser
        .assert_shows(&["This thread became the page Mulch"])
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_thread_to_page_form_links_and_search_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let olga = scene(&app).await;
    let (post, _) = thread_with_reply(&app, &olga).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{post}/page"),
            Some(&olga),
            json!({"title": "Mulch"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/communities/garden/pages",
            Some(&olga),
            json!({"title": "Beds", "body": format!("See [mulch](/c/garden/library/mulch) and [the thread](/post/{post}).")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let paths = [
        format!("/post/{post}"),
        "/c/garden/library/mulch".to_string(),
        "/search?q=mulch".to_string(),
    ];
    for path in &paths {
        browser.open(&app.url(path)).await;
        browser.assert_accessible().await;
    }
    browser.log_in(&app, "olga").await;
    for path in paths.iter().cloned().chain([format!("/post/{post}/page")]) {
        browser.open(&app.url(&path)).await;
        browser.assert_accessible().await;
    }
    // The refused form.
    browser.open(&app.url(&format!("/post/{post}/page"))).await;
    browser.fill("#title", "").await;
    browser.click("main form button[type=submit]").await;
    browser.assert_shows(&["Must not be empty"]).await;
    browser.assert_accessible().await;
    browser.close().await;
}
