//! The library's resources in a real browser: with scripts off, a member uploads a file and
//! adds a link through the forms, sees both on the page they go with and downloads the file;
//! a refused type is shown next to the file field (415). With scripts on, axe finds nothing on
//! the resources page (signed out, signed in with its forms, and with a refused upload).

use super::{Browser, Scripts};
use crate::{helpers::TestApp, library_resources::PNG};
use reqwest::StatusCode;
use serde_json::json;

async fn scene(app: &TestApp) {
    let olga = app.user("olga").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/communities/garden/pages",
            Some(&olga),
            json!({"title": "Beds", "body": "Raised beds."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// `bytes` written as `name` in a fresh folder (the browser reads it from disk).
fn on_disk(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

#[tokio::test]
async fn a_file_and_a_link_are_added_through_the_forms_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    let (_png_dir, png) = on_disk("bed plan.png", PNG);
    let (_html_dir, html) = on_disk("plan.html", b"<html><script>alert(1)</script></html>");
    browser.log_in(&app, "olga").await;
    browser.open(&app.url("/c/garden/library/beds")).await;
    browser
        .click("a[href='/c/garden/library/resources?page=beds']")
        .await;
    browser.attach("#file-file", &png).await;
    browser
        .fill("#file-description", "Where each bed goes")
        .await;
    browser.click("form[enctype] button[type=submit]").await;
    assert_eq!(browser.path().await, "/c/garden/library/beds");
    browser
        .assert_shows(&[
            "“bed plan.png” uploaded.",
            "bed plan.png",
            "Where each bed goes",
        ])
        .await;

    browser.open(&app.url("/c/garden/library/resources")).await;
    browser
        .fill("#link-url", "https://example.org/raised-beds")
        .await;
    browser.fill("#link-title", "Raised bed guide").await;
    browser
        .click("form[action$='/link'] button[type=submit]")
        .await;
    browser
        .assert_shows(&[
            "Link added.",
            "Raised bed guide",
            "example.org",
            "bed plan.png",
        ])
        .await;

    // A refused type: the page again, the reason next to the file field.
    browser.attach("#file-file", &html).await;
    browser.click("form[enctype] button[type=submit]").await;
    browser
        .assert_shows(&["Files of this type (text/html) are not taken"])
        .await;

    let (_, list) = app.get("/api/v1/communities/garden/resources", None).await;
    let url = list["resources"][1]["url"].as_str().expect("file url");
    let got = app.client.get(url).send().await.expect("download");
    assert_eq!(got.bytes().await.expect("bytes").as_ref(), PNG);
    browser.close().await;
}

#[tokio::test]
async fn the_resources_page_passes_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    scene(&app).await;
    let olga = app.login("olga").await;
    let (status, body) = app
        .post(
            "/api/v1/communities/garden/resources",
            Some(&olga),
            json!({"url": "https://example.org/a", "title": "A guide", "page": "beds"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) =
        crate::library_resources::upload_to(&app, "garden", &olga, "plan.png", PNG).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for path in ["/c/garden/library/resources", "/c/garden/library/beds"] {
        browser.open(&app.url(path)).await;
        browser.assert_accessible().await;
    }
    browser.log_in(&app, "olga").await;
    for path in ["/c/garden/library/resources", "/c/garden/library/beds"] {
        browser.open(&app.url(path)).await;
        browser.assert_accessible().await;
    }
    browser.open(&app.url("/c/garden/library/resources")).await;
    browser.fill("#link-url", "javascript:alert(1)").await;
    browser.fill("#link-title", "Bad").await;
    browser
        .click("form[action$='/link'] button[type=submit]")
        .await;
    browser
        .assert_shows(&["Expected an http or https address"])
        .await;
    browser.assert_accessible().await;
    browser.close().await;
}
