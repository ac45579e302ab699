//! `/resolve`: handles and URLs, local and on another instance.

use crate::helpers::{assert_error, TestApp};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn handles_and_urls_resolve_across_instances() {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({"charter": {"domain": "Chess"}}))
        .await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Hello"}),
        )
        .await;
    let (_, comment) = home
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&owner),
            json!({"body": "First"}),
        )
        .await;
    let away = TestApp::spawn().await;
    let host = home.hostname.clone();
    let q = |s: String| {
        format!(
            "/api/v1/resolve?q={}",
            s.replace('@', "%40").replace('!', "%21")
        )
    };

    for handle in [format!("chess@{host}"), format!("!chess@{host}")] {
        let (status, found) = away.get(&q(handle), None).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["kind"], "community");
        assert_eq!(found["actor_id"], format!("http://{host}/c/chess"));
        assert_eq!(
            found["charter"]["domain"], "Chess",
            "the charter travels as profile fields"
        );
    }
    let (_, person) = away.get(&q(format!("@owner@{host}")), None).await;
    assert_eq!(person["kind"], "person");
    assert_eq!(person["handle"], format!("owner@{host}"));
    let (_, plain) = away.get(&q(format!("owner@{host}")), None).await;
    assert_eq!(
        plain["kind"], "person",
        "a name that is not a community is a person"
    );

    let (_, found_post) = away
        .get(
            &q(post["actor_id"].as_str().unwrap_or("").to_string()),
            None,
        )
        .await;
    assert_eq!(found_post["kind"], "post");
    assert_eq!(found_post["title"], "Hello");
    let local_id = found_post["id"].as_i64().expect("a local id");
    let (status, _) = away.get(&format!("/api/v1/posts/{local_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, found_comment) = away
        .get(
            &q(comment["actor_id"].as_str().unwrap_or("").to_string()),
            None,
        )
        .await;
    assert_eq!(found_comment["kind"], "comment");
    assert_eq!(found_comment["post_id"], local_id);

    let (_, local) = home.get(&q(format!("chess@{host}")), None).await;
    assert_eq!(local["kind"], "community");
    assert_eq!(local["your_role"], serde_json::Value::Null);

    let missing = away.get(&q(format!("nobody@{host}")), None).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let bad = away.get("/api/v1/resolve?q=just%20words", None).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_field", Some("q"));
    let gone = away
        .get(&q(format!("http://{host}/post/99999")), None)
        .await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found", None);
}
