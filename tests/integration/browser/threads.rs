//! Writing in a thread in a real browser with scripts off (every form a plain POST and 303):
//! log in, open a thread after a preview, reply, reply to the reply, vote, edit, delete and
//! report; and axe on the new-thread form, a thread signed in and out, and the edit page.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

/// `olga`'s public community `garden` with her thread; `ann` may log in. Returns the thread.
async fn scene(app: &TestApp) -> i64 {
    let olga = app.user("olga").await;
    app.user("ann").await;
    let (status, body) = app
        .community(&olga, "garden", json!({"title": "Urban Gardeners"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(&olga),
            json!({"title": "Welcome", "body": "Say *hello*"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_i64().expect("id")
}

/// The newest comment of a thread (through the API).
async fn newest_comment(app: &TestApp, post: i64) -> i64 {
    let (_, tree) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    let mut ids = Vec::new();
    let mut stack: Vec<serde_json::Value> = tree["items"].as_array().cloned().unwrap_or_default();
    while let Some(c) = stack.pop() {
        ids.push(c["id"].as_i64().expect("id"));
        stack.extend(c["replies"].as_array().cloned().unwrap_or_default());
    }
    ids.into_iter().max().expect("a comment")
}

#[tokio::test]
async fn a_thread_is_written_in_without_javascript() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let welcome = scene(&app).await;
    browser.log_in(&app, "ann").await;

    // A new thread, previewed first.
    browser.open(&app.url("/c/garden/submit")).await;
    browser.fill("#title", "Balcony tomatoes").await;
    browser.fill("#body", "Which *variety* stays small?").await;
    browser.click("main form button[name=preview]").await;
    browser.assert_shows(&["Preview", "Not saved yet."]).await;
    browser.click("main form button:not([name])").await;
    let path = browser.path().await;
    assert!(path.starts_with("/post/"), "{path}");
    browser
        .assert_shows(&["Your thread was posted.", "Which variety stays small?"])
        .await;
    let mine: i64 = path["/post/".len()..].parse().expect("id");

    // A reply to olga's thread, and a reply to that reply.
    let thread = app.url(&format!("/post/{welcome}"));
    browser.open(&thread).await;
    browser.fill("#reply-post", "Hello from ann").await;
    browser
        .click("#reply-heading + form button:not([name])")
        .await;
    browser
        .assert_shows(&["Your reply was posted.", "Hello from ann"])
        .await;
    let first = newest_comment(&app, welcome).await;
    browser
        .click(&format!("#comment-{first} details summary"))
        .await;
    browser
        .fill(&format!("#reply-{first}"), "And a second word")
        .await;
    browser
        .click(&format!("#comment-{first} details form button:not([name])"))
        .await;
    browser.assert_shows(&["And a second word"]).await;
    let second = newest_comment(&app, welcome).await;
    assert_ne!(first, second);

    // A vote on olga's post.
    browser
        .click(&format!(
            "form[action='/post/{welcome}/vote'] button[value='1']"
        ))
        .await;
    browser
        .assert_shows(&["Your vote was counted.", "1 point"])
        .await;

    // An edit of the reply, then its deletion.
    browser
        .click(&format!("a[href='/comment/{second}/edit']"))
        .await;
    browser.fill("#body", "A better second word").await;
    browser.click("main form button:not([name])").await;
    browser
        .assert_shows(&["Your changes were saved.", "A better second word"])
        .await;
    let delete = format!("form[action='/comment/{second}/delete']");
    browser
        .click(&format!("#comment-{second} details:has({delete}) summary"))
        .await;
    browser.click(&format!("{delete} button")).await;
    browser.assert_shows(&["Your comment was deleted."]).await;
    assert!(!browser.main_text().await.contains("A better second word"));

    // A report of olga's post.
    let report = format!("form[action='/post/{welcome}/report']");
    browser
        .click(&format!("details:has({report}) summary"))
        .await;
    browser.fill("#report-post", "Off topic").await;
    browser.click(&format!("{report} button")).await;
    browser
        .assert_shows(&["your report was sent to the moderators"])
        .await;
    let olga = app.login("olga").await;
    let (_, reports) = app
        .get("/api/v1/communities/garden/reports", Some(&olga))
        .await;
    assert_eq!(reports["items"][0]["reason"], "Off topic");

    // ann's own thread offers her its edit.
    browser.open(&app.url(&format!("/post/{mine}"))).await;
    browser.click(&format!("a[href='/post/{mine}/edit']")).await;
    assert_eq!(browser.path().await, format!("/post/{mine}/edit"));
    browser.close().await;
}

#[tokio::test]
async fn the_thread_pages_pass_axe() {
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let welcome = scene(&app).await;
    let olga = app.login("olga").await;
    let (status, c) = app
        .post(
            &format!("/api/v1/posts/{welcome}/comments"),
            Some(&olga),
            json!({"body": "A first comment"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    browser.open(&app.url(&format!("/post/{welcome}"))).await;
    browser.assert_shows(&["Welcome", "A first comment"]).await;
    browser.assert_accessible().await;

    browser.log_in(&app, "olga").await;
    for path in [
        format!("/post/{welcome}"),
        "/c/garden/submit".to_string(),
        format!("/post/{welcome}/edit"),
        format!("/comment/{}/edit", c["id"]),
    ] {
        browser.open(&app.url(&path)).await;
        assert_eq!(browser.path().await, path);
        browser.assert_accessible().await;
    }
    browser.close().await;
}
