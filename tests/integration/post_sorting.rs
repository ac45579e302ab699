//! `sort=active` on a community's posts: the thread with the latest comment first (a post without
//! comments counts from its publication), whether the comment is written here or arrives from
//! another instance, with cursors that walk every post exactly once.

use crate::helpers::{assert_error, eventually, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post(app: &TestApp, token: &str, community: &str, title: &str) -> i64 {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

async fn comment(app: &TestApp, token: &str, post_id: i64) {
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(token),
            json!({"body": "Still going"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn listed(app: &TestApp, community: &str, query: &str) -> Vec<String> {
    let path = format!("/api/v1/communities/{community}/posts?{query}");
    let (status, page) = app.get(&path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    titles(&page)
}

#[tokio::test]
async fn active_sort_puts_the_latest_discussion_first_and_pages_through_every_post_once() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "chess", json!({})).await;
    let oldest = post(&app, &owner, "chess", "oldest").await;
    post(&app, &owner, "chess", "middle").await;
    post(&app, &owner, "chess", "newest").await;
    assert_eq!(
        listed(&app, "chess", "sort=active").await,
        ["newest", "middle", "oldest"],
        "without comments, publication decides"
    );

    comment(&app, &owner, oldest).await;
    let expected = ["oldest", "newest", "middle"];
    assert_eq!(listed(&app, "chess", "sort=active").await, expected);
    assert_eq!(
        listed(&app, "chess", "sort=new").await,
        ["newest", "middle", "oldest"],
        "new is unchanged by comments"
    );

    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/communities/chess/posts?sort=active&limit=1".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = app.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        walked.extend(titles(&page));
        assert!(walked.len() <= expected.len(), "{walked:?}");
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(walked, expected);

    let bad = app
        .get("/api/v1/communities/chess/posts?sort=hot", None)
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_field", Some("sort"));
    let bad = app
        .get(
            "/api/v1/communities/chess/posts?sort=active&cursor=soon_1",
            None,
        )
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("cursor"),
    );
}

#[tokio::test]
async fn a_comment_from_another_instance_makes_a_thread_active() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    post(&home, &owner, "chess", "older").await;
    post(&home, &owner, "chess", "newer").await;
    assert_eq!(
        listed(&home, "chess", "sort=active").await,
        ["newer", "older"]
    );

    // eve replies on her instance to its copy of the older thread.
    let remote = format!("chess@{}", home.hostname);
    let older_there = eventually("the older post reaches eve's instance", || async {
        let (_, page) = away
            .get(&format!("/api/v1/communities/{remote}/posts"), None)
            .await;
        page["items"]
            .as_array()?
            .iter()
            .find(|p| p["title"] == "older")
            .and_then(|p| p["id"].as_i64())
    })
    .await;
    comment(&away, &eve, older_there).await;
    eventually("the remote comment bumps the thread", || async {
        (listed(&home, "chess", "sort=active").await == ["older", "newer"]).then_some(())
    })
    .await;
}
