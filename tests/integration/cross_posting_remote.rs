//! Cross-posting across servers, where a Group may speak for its own community only: a foreign
//! Group's announced `Remove` of one of our threads whose `target` is another community (ours,
//! its home or one it is shared into) changes nothing.

use crate::trust_scene::{Scene, PUBLIC};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn also_in(scene: &Scene, post: i64) -> Value {
    let (status, body) = scene.home.get(&format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["also_in"].clone()
}

async fn listed(scene: &Scene, community: &str, post: i64) -> bool {
    let path = format!("/api/v1/communities/{community}/posts");
    let (status, page) = scene.home.get(&path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|p| p["id"] == post)
}

#[tokio::test]
async fn a_foreign_groups_removal_targeting_another_community_is_ignored() {
    let scene = Scene::new().await;
    let (status, body) = scene.home.community(&scene.alice, "annex", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ap_id = scene.alice_post("lab", "Shared at home").await;
    let post = scene.post_id(&ap_id).await;
    let share = format!("/api/v1/posts/{post}/communities");
    let (status, body) = scene
        .home
        .post(&share, Some(&scene.alice), json!({"community": "annex"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let before = also_in(&scene, post).await;
    assert_eq!(before, json!([format!("annex@{}", scene.home.hostname)]));

    // `evil` (followed here) announces mal's Remove of the thread from annex, then from lab.
    for target in [scene.home.url("/c/annex"), scene.home.url("/c/lab")] {
        let remove = json!({
            "id": format!("{}/remove/{}", scene.mal.id, uuid::Uuid::new_v4()),
            "type": "Remove", "actor": scene.mal.id, "object": ap_id, "target": target,
            "to": [PUBLIC], "cc": [target], "audience": target,
        });
        let (status, body) = scene.announce(&scene.evil, remove).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{target}: {body}");
        let reason = body["ignored"].as_str().unwrap_or_default();
        assert!(reason.contains("vouches only"), "{target}: {body}");
    }
    assert_eq!(also_in(&scene, post).await, before);
    assert!(listed(&scene, "annex", post).await);
    assert!(listed(&scene, "lab", post).await);
}
