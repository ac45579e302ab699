//! Votes: scores and `top` locally; a remote member's Like travelling through the community to
//! a third instance, and its Undo.

use crate::helpers::{assert_error, eventually, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn open_community(app: &TestApp) -> String {
    let owner = app.user("owner").await;
    let (status, body) = app.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    owner
}

async fn new_post(app: &TestApp, token: &str, community: &str, title: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn votes_sum_to_scores_and_order_top() {
    let app = TestApp::spawn().await;
    let owner = open_community(&app).await;
    let ann = app.user("ann").await;
    let low = new_post(&app, &owner, "chess", "Low").await;
    let high = new_post(&app, &owner, "chess", "High").await;
    new_post(&app, &owner, "chess", "Newest").await;
    let vote = |id: &Value, token: &str, score: i64| {
        let path = format!("/api/v1/posts/{id}/vote");
        let token = token.to_string();
        let app = &app;
        async move { app.post(&path, Some(&token), json!({"score": score})).await }
    };
    assert_eq!(vote(&high["id"], &owner, 1).await.1["score"], 1);
    assert_eq!(vote(&high["id"], &ann, 1).await.1["score"], 2);
    assert_eq!(vote(&low["id"], &ann, -1).await.1["score"], -1);
    assert_eq!(
        vote(&high["id"], &ann, 1).await.1["score"],
        2,
        "voting twice counts once"
    );
    assert_eq!(
        vote(&high["id"], &ann, 0).await.1["score"],
        1,
        "0 withdraws"
    );

    let (_, top) = app
        .get("/api/v1/communities/chess/posts?sort=top&limit=2", None)
        .await;
    let titles: Vec<_> = top["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, [json!("High"), json!("Newest")]);
    let cursor = top["next_cursor"].as_str().expect("cursor");
    let (_, rest) = app
        .get(
            &format!("/api/v1/communities/chess/posts?sort=top&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(rest["items"][0]["title"], "Low");
    assert_eq!(rest["items"][0]["score"], -1);

    let (_, c) = app
        .post(
            &format!("/api/v1/posts/{}/comments", low["id"]),
            Some(&ann),
            json!({"body": "meh"}),
        )
        .await;
    let (status, body) = app
        .post(
            &format!("/api/v1/comments/{}/vote", c["id"]),
            Some(&owner),
            json!({"score": 1}),
        )
        .await;
    assert_eq!((status, body["score"].clone()), (StatusCode::OK, json!(1)));

    let bad = app
        .post(
            &format!("/api/v1/posts/{}/vote", low["id"]),
            Some(&ann),
            json!({"score": 2}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("score"),
    );
    let missing = app
        .post("/api/v1/posts/424242/vote", Some(&ann), json!({"score": 1}))
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let anon = app
        .post(
            &format!("/api/v1/posts/{}/vote", low["id"]),
            None,
            json!({"score": 1}),
        )
        .await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "unauthorized", None);
}

/// Home's `chess` with eve of `away` as a member, and a thread titled `title` its owner opened
/// there: `(home, owner's token, away, the post)`.
async fn with_remote_member(title: &str) -> (TestApp, String, TestApp, Value) {
    let home = TestApp::spawn().await;
    let owner = open_community(&home).await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let post = new_post(&home, &owner, "chess", title).await;
    (home, owner, away, post)
}

/// The person id of the member of home's `chess` whose handle starts with `handle`.
async fn member_id(home: &TestApp, handle: &str) -> Value {
    let members = home.get("/api/v1/communities/chess/members", None).await.1;
    members["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with(handle))
        .expect("member")["person_id"]
        .clone()
}

/// The post titled "Vote on me" as `app` stores it.
async fn mirrored(app: &TestApp, remote: &str) -> Option<Value> {
    let (_, page) = app
        .get(&format!("/api/v1/communities/{remote}/posts"), None)
        .await;
    page["items"]
        .as_array()?
        .iter()
        .find(|p| p["title"] == "Vote on me")
        .cloned()
}

async fn score_on(app: &TestApp, id: Value) -> Option<i64> {
    app.get(&format!("/api/v1/posts/{id}"), None).await.1["score"].as_i64()
}

#[tokio::test]
async fn a_remote_vote_travels_through_the_community() {
    let home = TestApp::spawn().await;
    let owner = open_community(&home).await;
    let away = TestApp::spawn().await;
    let third = TestApp::spawn().await;
    let remote = format!("chess@{}", home.hostname);
    let eve = away.user("eve").await;
    let gus = third.user("gus").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    third.join_remote(&gus, "gus", &home, "chess").await;
    let post = new_post(&home, &owner, "chess", "Vote on me").await;
    let local_id = |app| mirrored(app, &remote);
    let on_away = eventually("the post reaches eve's instance", || local_id(&away)).await;
    eventually("the post reaches gus's instance", || local_id(&third)).await;

    let (status, body) = away
        .post(
            &format!("/api/v1/posts/{}/vote", on_away["id"]),
            Some(&eve),
            json!({"score": 1}),
        )
        .await;
    assert_eq!((status, body["score"].clone()), (StatusCode::OK, json!(1)));
    eventually("the community counts eve's Like", || async {
        (score_on(&home, post["id"].clone()).await == Some(1)).then_some(())
    })
    .await;
    eventually("the community announces it to gus's instance", || async {
        let p = local_id(&third).await?;
        (p["score"] == 1).then_some(())
    })
    .await;

    away.post(
        &format!("/api/v1/posts/{}/vote", on_away["id"]),
        Some(&eve),
        json!({"score": 0}),
    )
    .await;
    eventually("the Undo reaches the community", || async {
        (score_on(&home, post["id"].clone()).await == Some(0)).then_some(())
    })
    .await;
    eventually("and gus's instance", || async {
        let p = local_id(&third).await?;
        (p["score"] == 0).then_some(())
    })
    .await;
}

/// A refused activity is not remembered as received: when the sender retries it (same id)
/// after the reason is gone, it is applied.
#[tokio::test]
async fn a_refused_activity_is_applied_when_retried_later() {
    let (home, owner, away, post) = with_remote_member("Vote on me").await;
    let eve_id = member_id(&home, "eve@").await;

    // Eve's Like, signed with her key as her instance would send it (and resend it).
    let (eve_actor, key) = crate::signing::person_key(&away, "eve").await;
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/like/fixed", away.hostname),
        "type": "Like",
        "actor": eve_actor,
        "object": post["actor_id"],
        "audience": format!("http://{}/c/chess", home.hostname),
    });
    let signed = crate::signing::SignedPost::new(&like, &key);

    home.post(
        "/api/v1/communities/chess/bans",
        Some(&owner),
        json!({"person_id": eve_id}),
    )
    .await;
    let (status, _) = signed.send(&home).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        score_on(&home, post["id"].clone()).await,
        Some(0),
        "refused while banned"
    );

    home.call(
        reqwest::Method::DELETE,
        &format!("/api/v1/communities/chess/bans/{eve_id}"),
        Some(&owner),
        None,
    )
    .await;
    let (status, body) = signed.send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(
        score_on(&home, post["id"].clone()).await,
        Some(1),
        "the retry is applied"
    );
    let (status, body) = signed.send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(
        score_on(&home, post["id"].clone()).await,
        Some(1),
        "a replay changes nothing"
    );
}

/// One person voting on one post many times at once (a double click, two `Like`s with different
/// ids racing in): every vote succeeds, and the post's score is the one vote that was kept.
#[tokio::test]
async fn concurrent_votes_by_one_person_keep_one_vote() {
    let app = TestApp::spawn().await;
    let owner = open_community(&app).await;
    let ann = app.user("ann").await;
    let post = new_post(&app, &owner, "chess", "Raced").await;
    let path = format!("/api/v1/posts/{}/vote", post["id"]);
    let votes = (0..16).map(|i| {
        let (app, path, ann) = (&app, &path, &ann);
        async move {
            let score = if i % 2 == 0 { 1 } else { -1 };
            app.post(path, Some(ann), json!({"score": score})).await
        }
    });
    for (status, body) in futures::future::join_all(votes).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, read) = app
        .get(&format!("/api/v1/posts/{}", post["id"]), None)
        .await;
    let score = read["score"].as_i64().expect("score");
    assert!(score == 1 || score == -1, "one vote counted: {read}");
}

/// A remote member's `Like` and `Dislike` of a comment count on the comment (the write finds the
/// comment's thread and community by the comment's id), not on its post; banned, the voter is
/// refused there as on a post.
#[tokio::test]
async fn a_remote_vote_on_a_comment_counts_on_the_comment() {
    let (home, owner, away, post) = with_remote_member("Discuss").await;
    let (status, comment) = home
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&owner),
            json!({"body": "Castle early"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let (eve_actor, key) = crate::signing::person_key(&away, "eve").await;
    let vote = |kind: &str| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{eve_actor}/activities/{}", uuid::Uuid::new_v4()),
            "type": kind,
            "actor": eve_actor,
            "object": comment["actor_id"],
            "audience": format!("http://{}/c/chess", home.hostname),
        })
    };
    let comment_score = || async {
        let (_, listed) = home
            .get(&format!("/api/v1/posts/{}/comments", post["id"]), None)
            .await;
        listed["items"][0]["score"].as_i64()
    };

    let (status, body) = crate::signing::SignedPost::new(&vote("Like"), &key)
        .send(&home)
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(comment_score().await, Some(1));
    assert_eq!(score_on(&home, post["id"].clone()).await, Some(0));
    let (status, body) = crate::signing::SignedPost::new(&vote("Dislike"), &key)
        .send(&home)
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(
        comment_score().await,
        Some(-1),
        "the Dislike replaces the Like"
    );

    let eve_id = member_id(&home, "eve@").await;
    home.post(
        "/api/v1/communities/chess/bans",
        Some(&owner),
        json!({"person_id": eve_id}),
    )
    .await;
    let (status, _) = crate::signing::SignedPost::new(&vote("Like"), &key)
        .send(&home)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(comment_score().await, Some(-1), "refused while banned");
}
