//! The reading pages over HTTP: a community page lists its threads (newest, active or top; 20
//! a page with a link to the next) to those the read gate lets read them.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path)).header("accept", "text/html");
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("page");
    (res.status(), res.text().await.expect("body"))
}

#[tokio::test]
async fn a_community_page_lists_its_threads_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let owner = app.user("keeper").await;
    app.community(&owner, "growers", json!({})).await;
    for n in 1..=23 {
        let (status, body) = app
            .post(
                "/api/v1/communities/growers/posts",
                Some(&owner),
                json!({"title": format!("Thread number {n:02}"), "body": "b"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, first) = page(&app, "/c/growers", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("Thread number 23") && first.contains("Thread number 04"));
    assert!(!first.contains("Thread number 03"), "20 a page");
    let next = first
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.contains("cursor=")))
        .expect("a link to the next page")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (status, second) = page(&app, &next, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("Thread number 03") && second.contains("Thread number 01"));
    assert!(!second.contains("Thread number 04") && !second.contains("cursor="));

    let (status, body) = page(&app, "/c/growers?sort=sideways", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<html"), "an HTML error page: {body}");
}

#[tokio::test]
async fn a_private_communitys_threads_are_listed_to_members_only() {
    let app = TestApp::spawn().await;
    let owner = app.user("keeper").await;
    let outsider = app.user("passerby").await;
    app.community(&owner, "hushed", json!({"visibility": "private"}))
        .await;
    let (status, _) = app
        .post(
            "/api/v1/communities/hushed/posts",
            Some(&owner),
            json!({"title": "Quiet plans", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for token in [None, Some(outsider.as_str())] {
        let (status, body) = page(&app, "/c/hushed", token).await;
        assert_eq!(status, StatusCode::OK, "the charter is public");
        assert!(!body.contains("Quiet plans"), "{body}");
    }
    let (_, body) = page(&app, "/c/hushed", Some(&owner)).await;
    assert!(body.contains("Quiet plans"), "{body}");
}
