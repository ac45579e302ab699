//! A private community probed through every read path by outsiders: a logged-in non-member, an
//! anonymous visitor, an unsigned ActivityPub fetch, and a signed fetch from an instance with no
//! member in it. Nothing of its content leaks: not the post, not the comment, not who moderates.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

const SECRET_TITLE: &str = "Secret plans for the allotment";
const SECRET_REPLY: &str = "Only members should read this reply";

#[tokio::test]
async fn nothing_of_a_private_community_reaches_outsiders_by_any_read_path() {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home
        .community(&owner, "inner", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, before) = home.get("/nodeinfo/2.1", None).await;
    let (_, post) = home
        .post(
            "/api/v1/communities/inner/posts",
            Some(&owner),
            json!({"title": SECRET_TITLE, "body": "soil"}),
        )
        .await;
    let id = post["id"].as_i64().expect("post id");
    let post_url = post["actor_id"].as_str().expect("actor id").to_string();
    let (_, comment) = home
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": SECRET_REPLY}),
        )
        .await;
    let cid = comment["id"].as_i64().expect("comment id");
    home.post(
        &format!("/api/v1/posts/{id}/pin"),
        Some(&owner),
        json!({"pinned": true}),
    )
    .await;
    let outsider = home.user("outsider").await;

    let leaks = |body: &str| body.contains(SECRET_TITLE) || body.contains(SECRET_REPLY);
    // The client API, as a non-member and anonymously.
    for token in [Some(outsider.as_str()), None] {
        for path in [
            format!("/api/v1/posts/{id}"),
            format!("/api/v1/posts/{id}/comments"),
            "/api/v1/communities/inner/posts".to_string(),
            "/api/v1/communities/inner/members".to_string(),
            "/api/v1/communities/inner/modlog".to_string(),
            "/api/v1/communities".to_string(),
            format!("/api/v1/resolve?q={post_url}"),
        ] {
            let (status, body) = home.get(&path, token).await;
            assert!(!leaks(&body.to_string()), "{path}: {body}");
            if path.contains("/posts/") || path.contains("resolve") || path.contains("modlog") {
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            }
        }
    }
    // Pages and ActivityPub documents, fetched without a signature.
    for (path, accept) in [
        ("/c/inner".to_string(), "text/html"),
        (format!("/post/{id}"), "text/html"),
        (format!("/comment/{cid}"), "text/html"),
        (format!("/post/{id}"), "application/activity+json"),
        (format!("/comment/{cid}"), "application/activity+json"),
        ("/c/inner/outbox".to_string(), "application/activity+json"),
        ("/c/inner/featured".to_string(), "application/activity+json"),
        (
            "/c/inner/followers".to_string(),
            "application/activity+json",
        ),
        (
            "/c/inner/moderators".to_string(),
            "application/activity+json",
        ),
    ] {
        let (status, _, body) = home.fetch(&path, accept).await;
        assert!(!leaks(&body), "{path} ({accept}): {body}");
        assert!(
            !body.contains("/u/owner\""),
            "{path} names the owner: {body}"
        );
        if path.starts_with("/post/") || path.starts_with("/comment/") {
            assert!(
                status == StatusCode::NOT_FOUND || status.is_redirection(),
                "{path} ({accept}): {status}"
            );
        }
    }
    // NodeInfo does not count it.
    let (_, after) = home.get("/nodeinfo/2.1", None).await;
    assert_eq!(
        after["usage"]["localPosts"], before["usage"]["localPosts"],
        "{after}"
    );
    // A signed fetch from an instance where nobody is a member finds nothing.
    let stranger = TestApp::spawn().await;
    let someone = stranger.user("someone").await;
    let (status, body) = stranger
        .get(&format!("/api/v1/resolve?q={post_url}"), Some(&someone))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!leaks(&body.to_string()));
    let stored = stranger
        .context()
        .db(move |conn| copse::db::posts::post_by_ap_id(conn, &post_url))
        .await
        .expect("query");
    assert!(
        stored.is_none(),
        "nothing stored on the stranger's instance"
    );
}
