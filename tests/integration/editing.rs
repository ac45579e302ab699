//! Edits and deletions: authors edit and delete their own, moderators remove with a reason, and
//! all of it reaches the other instances.

use crate::helpers::{assert_error, eventually, find_post, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn setup(app: &TestApp) -> String {
    let owner = app.user("owner").await;
    let (status, body) = app.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    owner
}

#[tokio::test]
async fn authors_edit_and_delete_moderators_remove() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let (_, post) = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&ann),
            json!({"title": "Draft", "body": "v1"}),
        )
        .await;
    let id = post["id"].as_i64().expect("id");

    let (status, edited) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{id}"),
            Some(&ann),
            Some(json!({"title": "Final", "body": "v2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        (edited["title"].clone(), edited["body"].clone()),
        (json!("Final"), json!("v2"))
    );
    assert!(edited["updated"].is_string());
    let page = app.activity_json(&format!("/post/{id}")).await;
    assert_eq!(page["name"], "Final");
    assert!(page["updated"].is_string());

    let not_author = app
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{id}"),
            Some(&owner),
            Some(json!({"title": "Mine"})),
        )
        .await;
    assert_error(&not_author, StatusCode::FORBIDDEN, "not_the_author", None);
    let bad = app
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{id}"),
            Some(&ann),
            Some(json!({"title": ""})),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("title"),
    );

    let (_, comment) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&bob),
            json!({"body": "spam"}),
        )
        .await;
    let cid = comment["id"].as_i64().expect("id");
    let by_stranger = app
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{cid}"),
            Some(&ann),
            None,
        )
        .await;
    assert_error(&by_stranger, StatusCode::FORBIDDEN, "not_allowed", None);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{cid}"),
            Some(&owner),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "the moderator removes it");
    let (_, tree) = app.get(&format!("/api/v1/posts/{id}/comments"), None).await;
    assert_eq!(tree["items"].as_array().map(Vec::len), Some(0));
    let (status, _, body) = app
        .fetch(&format!("/comment/{cid}"), "application/activity+json")
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        body.contains("Tombstone") && !body.contains("spam"),
        "{body}"
    );

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found", None);
    let (status, _, _) = app
        .fetch(&format!("/post/{id}"), "application/activity+json")
        .await;
    assert_eq!(status, StatusCode::GONE);
    let again = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn edits_and_removals_reach_every_instance() {
    let home = TestApp::spawn().await;
    let owner = setup(&home).await;
    let away = TestApp::spawn().await;
    let third = TestApp::spawn().await;
    let remote = format!("chess@{}", home.hostname);
    let eve = away.user("eve").await;
    let gus = third.user("gus").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    third.join_remote(&gus, "gus", &home, "chess").await;
    let (_, mine) = away
        .post(
            &format!("/api/v1/communities/{remote}/posts"),
            Some(&eve),
            json!({"title": "Typo"}),
        )
        .await;
    eventually("the post reaches gus", || {
        find_post(&third, &remote, "Typo")
    })
    .await;

    let (status, _) = away
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{}", mine["id"]),
            Some(&eve),
            Some(json!({"title": "Fixed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("the edit reaches the community", || {
        find_post(&home, "chess", "Fixed")
    })
    .await;
    eventually("and gus's instance", || find_post(&third, &remote, "Fixed")).await;

    // The home moderator removes eve's post: gone on every instance.
    let on_home = find_post(&home, "chess", "Fixed").await.expect("post");
    let (status, _) = home
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{}", on_home["id"]),
            Some(&owner),
            Some(json!({"reason": "off topic"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for app in [&away, &third] {
        eventually("the removal arrives", || async {
            find_post(app, &remote, "Fixed")
                .await
                .is_none()
                .then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn moderators_lock_threads_everywhere() {
    let home = TestApp::spawn().await;
    let owner = setup(&home).await;
    let away = TestApp::spawn().await;
    let remote = format!("chess@{}", home.hostname);
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let ann = home.user("ann").await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Heated"}),
        )
        .await;
    let id = post["id"].as_i64().expect("id");
    let on_away = eventually("the post arrives", || find_post(&away, &remote, "Heated")).await;

    let by_member = home
        .post(
            &format!("/api/v1/posts/{id}/lock"),
            Some(&ann),
            json!({"locked": true}),
        )
        .await;
    assert_error(&by_member, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, _) = home
        .post(
            &format!("/api/v1/posts/{id}/lock"),
            Some(&owner),
            json!({"locked": true, "reason": "cooling off"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        home.get(&format!("/api/v1/posts/{id}"), None).await.1["locked"],
        true
    );
    let refused = home
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&ann),
            json!({"body": "but"}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "locked", None);
    let page = home.activity_json(&format!("/post/{id}")).await;
    assert_eq!(page["commentsEnabled"], false);

    let away_id = on_away["id"].clone();
    eventually("the lock reaches eve's instance", || async {
        (away.get(&format!("/api/v1/posts/{away_id}"), None).await.1["locked"] == true)
            .then_some(())
    })
    .await;
    let eve_refused = away
        .post(
            &format!("/api/v1/posts/{away_id}/comments"),
            Some(&eve),
            json!({"body": "hm"}),
        )
        .await;
    assert_error(&eve_refused, StatusCode::FORBIDDEN, "locked", None);

    home.post(
        &format!("/api/v1/posts/{id}/lock"),
        Some(&owner),
        json!({"locked": false}),
    )
    .await;
    eventually("the unlock reaches eve's instance", || async {
        (away.get(&format!("/api/v1/posts/{away_id}"), None).await.1["locked"] == false)
            .then_some(())
    })
    .await;
    let (status, _) = away
        .post(
            &format!("/api/v1/posts/{away_id}/comments"),
            Some(&eve),
            json!({"body": "ok"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn bans_keep_people_out_here_and_on_their_instance() {
    let home = TestApp::spawn().await;
    let owner = setup(&home).await;
    let ann = home.user("ann").await;
    home.post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    let ann_id = home.get("/api/v1/communities/chess/members", None).await.1["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("ann@"))
        .expect("ann")["person_id"]
        .clone();
    let by_member = home
        .post(
            "/api/v1/communities/chess/bans",
            Some(&ann),
            json!({"person_id": ann_id}),
        )
        .await;
    assert_error(&by_member, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, _) = home
        .post(
            "/api/v1/communities/chess/bans",
            Some(&owner),
            json!({"person_id": ann_id, "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!home
        .member_handles("chess", None)
        .await
        .iter()
        .any(|h| h.starts_with("ann@")));
    let post = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&ann),
            json!({"title": "back"}),
        )
        .await;
    assert_error(&post, StatusCode::FORBIDDEN, "banned", None);
    let join = home
        .post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    assert_error(&join, StatusCode::FORBIDDEN, "banned", None);
    let past = home
        .post(
            "/api/v1/communities/chess/bans",
            Some(&owner),
            json!({"person_id": ann_id, "expires_at": "2000-01-01T00:00:00Z"}),
        )
        .await;
    assert_error(
        &past,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("expires_at"),
    );
    let (status, _) = home
        .call(
            Method::DELETE,
            &format!("/api/v1/communities/chess/bans/{ann_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, joined) = home
        .post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    assert_eq!(joined["state"], "active");

    // A remote member: banned at home, their own instance hears of it and refuses for them.
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let eve_id = home.get("/api/v1/communities/chess/members", None).await.1["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("eve@"))
        .expect("eve")["person_id"]
        .clone();
    let (status, _) = home
        .post(
            "/api/v1/communities/chess/bans",
            Some(&owner),
            json!({"person_id": eve_id}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let group = format!("http://{}/c/chess", home.hostname);
    eventually("eve's instance learns of the ban", || async {
        away.membership_state("eve", &group)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    let remote = format!("chess@{}", home.hostname);
    let refused = away
        .post(
            &format!("/api/v1/communities/{remote}/posts"),
            Some(&eve),
            json!({"title": "hi"}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "banned", None);
}

#[tokio::test]
async fn moderators_pin_posts_into_the_featured_collection() {
    let home = TestApp::spawn().await;
    let owner = setup(&home).await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let remote = format!("chess@{}", home.hostname);
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Rules"}),
        )
        .await;
    let id = post["id"].as_i64().expect("id");
    eventually("the post arrives", || find_post(&away, &remote, "Rules")).await;

    let by_member = away
        .post(
            &format!("/api/v1/posts/{}/pin", post["id"]),
            Some(&eve),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(by_member.0, StatusCode::FORBIDDEN, "{}", by_member.1);
    let (status, _) = home
        .post(
            &format!("/api/v1/posts/{id}/pin"),
            Some(&owner),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let featured = home.activity_json("/c/chess/featured").await;
    assert_eq!(featured["totalItems"], 1);
    assert_eq!(featured["orderedItems"][0]["type"], "Page");
    assert_eq!(featured["orderedItems"][0]["id"], post["actor_id"]);
    eventually("the pin reaches eve's instance", || async {
        find_post(&away, &remote, "Rules")
            .await
            .filter(|p| p["pinned"] == true)
            .map(|_| ())
    })
    .await;
    home.post(
        &format!("/api/v1/posts/{id}/pin"),
        Some(&owner),
        json!({"pinned": false}),
    )
    .await;
    assert_eq!(
        home.activity_json("/c/chess/featured").await["totalItems"],
        0
    );
    eventually("the unpin reaches eve's instance", || async {
        find_post(&away, &remote, "Rules")
            .await
            .filter(|p| p["pinned"] == false)
            .map(|_| ())
    })
    .await;
}
