//! Cross-posting across servers, where a Group may speak for its own community only: a foreign
//! Group's announced `Remove` of one of our threads whose `target` is another community (ours,
//! its home or one it is shared into) changes nothing. And a remote author's `Create` of their
//! thread addressed to a community here besides its home: taken in as a share where they may
//! post, refused whole (nothing stored) where they are banned, where the community is private,
//! or where the thread's own community has not vouched for it; and replies announced into such
//! a thread only by its home community.

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

/// mal's `Create` of a Page served on the origin whose home is `home`, addressed to `also` too.
fn create_also(scene: &Scene, home: &str, also: &str, title: &str) -> (String, Value) {
    let page = scene.mal_page(home, title);
    let id = page["id"].as_str().expect("id").to_string();
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/create/{}", scene.mal.id, uuid::Uuid::new_v4()),
        "type": "Create", "actor": scene.mal.id, "object": page,
        "to": [PUBLIC], "cc": [also, home], "audience": home,
    });
    (id, create)
}

#[tokio::test]
async fn a_remote_authors_create_addressed_to_a_community_here_shares_it_there_or_nothing() {
    let scene = Scene::new().await;
    let lab = scene.home.url("/c/lab");

    // Home `evil` (the thread's own server), also in lab: taken in, shared into lab.
    let (id, create) = create_also(&scene, &scene.evil.id, &lab, "Also in lab");
    let (status, body) = scene.send(&create, &scene.mal.key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let post = scene.post_id(&id).await;
    assert_eq!(
        also_in(&scene, post).await,
        json!([format!("lab@{}", scene.home.hostname)])
    );
    assert!(listed(&scene, "lab", post).await);

    // Refused whole, nothing stored: a private community; a home on another server than the
    // object's (its own community has not vouched for it).
    let secret = scene.home.url("/c/secret");
    let town = scene.town.id.clone();
    for (home, also, title, code) in [
        (scene.evil.id.clone(), secret.clone(), "Into secret", 403),
        (town, lab.clone(), "Town's, not vouched", 403),
    ] {
        let (id, create) = create_also(&scene, &home, &also, title);
        let before = scene.fingerprint().await;
        let (status, body) = scene.send(&create, &scene.mal.key).await;
        assert_eq!(status.as_u16(), code, "{title}: {body}");
        assert!(!scene.stored(&id).await, "{title}");
        assert_eq!(scene.fingerprint().await, before, "{title}");
    }

    // mal banned from lab: his next cross-post is refused whole.
    let mal_ap = scene.mal.id.clone();
    let mal_id = scene
        .home
        .context()
        .db(move |conn| copse::db::accounts::person_by_ap_id(conn, &mal_ap))
        .await
        .expect("query")
        .expect("mal")
        .id;
    let (status, body) = scene
        .home
        .post(
            "/api/v1/communities/lab/bans",
            Some(&scene.alice),
            json!({"person_id": mal_id}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (id, create) = create_also(&scene, &scene.evil.id, &lab, "After the ban");
    let (status, body) = scene.send(&create, &scene.mal.key).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "banned", "{body}");
    assert!(!scene.stored(&id).await);
}

#[tokio::test]
async fn only_the_home_community_announces_replies_into_a_thread_shared_here_unfollowed() {
    let scene = Scene::new().await;
    let lab = scene.home.url("/c/lab");
    // A thread of `shadow` (followed by nobody here) shared into lab by its author mal.
    let (id, create) = create_also(&scene, &scene.shadow.id, &lab, "Shadow's thread");
    let (status, body) = scene.send(&create, &scene.mal.key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(scene.stored(&id).await);

    let reply = |title: &str| {
        let path = format!("/n/{}", uuid::Uuid::new_v4());
        let note = json!({
            "id": scene.origin.url(&path), "type": "Note", "attributedTo": scene.mal.id,
            "content": format!("<p>{title}</p>"), "inReplyTo": id,
            "to": [PUBLIC], "published": chrono::Utc::now().to_rfc3339(),
        });
        scene.origin.put(&path, note.clone());
        note
    };
    // `evil` is followed here but the thread is not its own: not taken.
    let note = reply("from evil");
    let (status, body) = scene.announce(&scene.evil, note.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(!scene.stored(note["id"].as_str().expect("id")).await);
    // `shadow` is followed by nobody here, but the thread is its own and shared into lab.
    let note = reply("from shadow");
    let (status, body) = scene.announce(&scene.shadow, note.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(scene.stored(note["id"].as_str().expect("id")).await);
}
