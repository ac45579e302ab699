//! Today's pages in a real browser: the directory, a community's charter, a thread with nested
//! and deleted comments, a person, and a missing page. Each shows what it should, and axe finds
//! no WCAG 2.1 A/AA violation; with scripts off every page still reads the same.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A community with a charter, a thread with a reply under a reply and a deleted comment that
/// keeps its reply. Returns the thread's id.
pub(super) async fn scene(app: &TestApp) -> i64 {
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let (status, c) = app
        .community(
            &olga,
            "gardeners",
            json!({
                "title": "Urban Gardeners",
                "summary": "Growing food in the city. **Bring seeds.**",
                "charter": {
                    "purpose": "Learn to grow more food in small spaces",
                    "domain": "Urban gardening",
                    "practice": "Seed swaps and plot visits",
                    "meeting_cadence": "Monthly, first Saturday",
                    "code_of_conduct": "Be kind. *No* selling."
                }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let (status, _) = app
        .post("/api/v1/communities/gardeners/join", Some(&ann), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, post) = app
        .post(
            "/api/v1/communities/gardeners/posts",
            Some(&olga),
            json!({"title": "Tomatoes on a balcony", "body": "Which *variety* stays small?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post = post["id"].as_i64().expect("id");
    let comment = |token: String, parent: Option<i64>, body: &'static str| async move {
        let (status, c) = app
            .post(
                &format!("/api/v1/posts/{post}/comments"),
                Some(&token),
                json!({"body": body, "parent_id": parent}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        c["id"].as_i64().expect("id")
    };
    let first = comment(ann.clone(), None, "Try Tiny Tim").await;
    let second = comment(olga.clone(), Some(first), "Thanks, ordering seeds").await;
    comment(ann.clone(), Some(second), "Mine fruit in July").await;
    let regret = comment(ann.clone(), None, "a regrettable remark").await;
    comment(olga.clone(), Some(regret), "Answer kept after deletion").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{regret}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    post
}

/// Each page: its path, its title, and text it must show.
fn pages(post: i64) -> Vec<(String, &'static str, Vec<&'static str>)> {
    vec![
        (
            "/".into(),
            "Communities",
            vec!["Urban Gardeners", "Urban gardening"],
        ),
        (
            "/c/gardeners".into(),
            "Urban Gardeners",
            vec![
                "Bring seeds.",
                "Learn to grow more food in small spaces",
                "Monthly, first Saturday",
                "2 members",
                "olga",
            ],
        ),
        (
            format!("/post/{post}"),
            "Tomatoes on a balcony",
            vec![
                "Which variety stays small?",
                "Try Tiny Tim",
                "Thanks, ordering seeds",
                "Mine fruit in July",
                "[deleted]",
                "Answer kept after deletion",
                "4 comments",
            ],
        ),
        ("/u/ann".into(), "ann", vec!["@ann@"]),
        (
            "/c/nobody-here".into(),
            "Not found",
            vec!["The community nobody-here does not exist"],
        ),
    ]
}

#[tokio::test]
async fn todays_pages_read_right_and_pass_axe() {
    // The browser starts while the instance does.
    let (browser, app) = tokio::join!(Browser::start(Scripts::On), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    // The harness can fail: scripts run, and axe finds what is wrong with a bad page.
    assert!(browser.scripts_run().await, "scripts should be on");
    browser
        .open("data:text/html,<title>bad</title><main><img src=x></main>")
        .await;
    let found = browser.violations().await.join("\n");
    assert!(
        found.contains("image-alt") && found.contains("html-has-lang"),
        "{found}"
    );
    let post = scene(&app).await;
    for (path, title, expected) in pages(post) {
        browser.open(&app.url(&path)).await;
        assert!(browser.title().await.starts_with(title), "{path}");
        browser.assert_shows(&expected).await;
        let text = browser.main_text().await;
        assert!(
            !text.contains("regrettable"),
            "{path} shows a deleted comment: {text}"
        );
        browser.assert_accessible().await;
    }
    browser.close().await;
}

#[tokio::test]
async fn todays_pages_read_the_same_without_javascript() {
    // The browser starts while the instance does.
    let (browser, app) = tokio::join!(Browser::start(Scripts::Off), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    assert!(!browser.scripts_run().await, "scripts should be off");
    let post = scene(&app).await;
    for (path, title, expected) in pages(post) {
        browser.open(&app.url(&path)).await;
        assert!(browser.title().await.starts_with(title), "{path}");
        browser.assert_shows(&expected).await;
    }
    // Links work without scripts: from the directory to the community.
    browser.open(&app.url("/")).await;
    browser.click(".directory a").await;
    assert_eq!(browser.path().await, "/c/gardeners");
    browser.close().await;
}
