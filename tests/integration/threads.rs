//! Thread trees: a deleted or removed comment keeps its replies, under a placeholder, in the
//! API's tree and on the HTML thread page.

use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn comment(app: &TestApp, token: &str, post: i64, parent: Option<i64>, body: &str) -> i64 {
    let (status, c) = app
        .post(
            &format!("/api/v1/posts/{post}/comments"),
            Some(token),
            json!({"body": body, "parent_id": parent}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c["id"].as_i64().expect("id")
}

#[tokio::test]
async fn deleted_and_removed_comments_keep_their_replies_under_placeholders() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let ann = app.user("ann").await;
    app.community(&owner, "chess", json!({})).await;
    let (status, _) = app
        .post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, post) = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Openings", "body": "Which?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post = post["id"].as_i64().expect("id");

    let deleted = comment(&app, &ann, post, None, "secret regret").await;
    let reply_to_deleted = comment(&app, &owner, post, Some(deleted), "reply one").await;
    let removed = comment(&app, &ann, post, None, "secret insult").await;
    let reply_to_removed = comment(&app, &owner, post, Some(removed), "reply two").await;
    let lone = comment(&app, &ann, post, None, "secret alone").await;

    for (id, token) in [(deleted, &ann), (lone, &ann)] {
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/v1/comments/{id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{removed}"),
            Some(&owner),
            Some(json!({"reason": "rude"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, tree) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    assert!(!tree.to_string().contains("secret"), "{tree}");
    let items = tree["items"].as_array().expect("items");
    let ids: Vec<i64> = items.iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(
        ids,
        [deleted, removed],
        "a withdrawn comment without replies is left out"
    );
    let expect = |c: &Value, removed_flag: bool, reply: i64, reply_body: &str| {
        assert_eq!(c["deleted"], json!(true), "{c}");
        assert_eq!(c["removed"], json!(removed_flag), "{c}");
        assert_eq!(
            (c["body"].as_str(), c["body_html"].as_str()),
            (Some(""), Some(""))
        );
        let replies = c["replies"].as_array().expect("replies");
        assert_eq!(replies.len(), 1, "{c}");
        assert_eq!(replies[0]["id"], json!(reply));
        assert_eq!(replies[0]["deleted"], json!(false));
        assert_eq!(replies[0]["body"], json!(reply_body));
    };
    expect(&items[0], false, reply_to_deleted, "reply one");
    expect(&items[1], true, reply_to_removed, "reply two");

    let (status, _, page) = app.fetch(&format!("/post/{post}"), "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("secret"), "{page}");
    for shown in [
        "[deleted]",
        "[removed]",
        "reply one",
        "reply two",
        "2 comments",
    ] {
        assert!(page.contains(shown), "{shown} missing: {page}");
    }
    let at = |needle: &str| page.find(needle).expect(needle);
    assert!(at("[deleted]") < at("reply one") && at("reply one") < at("[removed]"));
    assert!(at("[removed]") < at("reply two"));
}
