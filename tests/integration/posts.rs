//! Posts and comments: locally, as ActivityPub objects, and across three instances (a member's
//! Create goes to the community, which announces it to the other members' instances).

use crate::helpers::{assert_error, eventually, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn community(app: &TestApp, policy: &str, visibility: &str) -> String {
    let owner = app.user("owner").await;
    let (status, body) = app
        .community(
            &owner,
            "chess",
            json!({"membership_policy": policy, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    owner
}

async fn post(app: &TestApp, token: &str, community: &str, title: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": format!("About **{title}**")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn titles(app: &TestApp, community: &str) -> Vec<String> {
    let (status, page) = app
        .get(
            &format!("/api/v1/communities/{community}/posts?limit=100"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn members_post_and_reply_in_threads() {
    let app = TestApp::spawn().await;
    let owner = community(&app, "open", "public").await;
    let p = post(&app, &owner, "chess", "Openings").await;
    assert_eq!(p["author"], format!("owner@{}", app.hostname));
    assert_eq!(p["community"], format!("chess@{}", app.hostname));
    assert!(p["body_html"]
        .as_str()
        .unwrap_or("")
        .contains("<strong>Openings</strong>"));
    let id = p["id"].as_i64().expect("id");

    let ann = app.user("ann").await;
    let (status, top) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&ann),
            json!({"body": "Sicilian!"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{top}");
    let (status, reply) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": "Why?", "parent_id": top["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let (_, tree) = app.get(&format!("/api/v1/posts/{id}/comments"), None).await;
    assert_eq!(tree["items"][0]["body"], "Sicilian!");
    assert_eq!(tree["items"][0]["replies"][0]["body"], "Why?");
    assert_eq!(tree["items"][0]["replies"][0]["parent_id"], top["id"]);
    let (_, got) = app.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(got["comment_count"], 2);

    // Newest first, with a cursor.
    post(&app, &owner, "chess", "Endgames").await;
    post(&app, &owner, "chess", "Tactics").await;
    let (_, first) = app
        .get("/api/v1/communities/chess/posts?limit=2", None)
        .await;
    let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
    let (_, second) = app
        .get(
            &format!("/api/v1/communities/chess/posts?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    let names: Vec<_> = first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(second["items"].as_array().into_iter().flatten())
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("Tactics"), json!("Endgames"), json!("Openings")]
    );

    let info = app.get("/nodeinfo/2.1", None).await.1;
    assert_eq!(info["usage"]["localPosts"], 3);
    assert_eq!(info["usage"]["localComments"], 2);
}

#[tokio::test]
async fn posting_rules_and_bad_input() {
    let app = TestApp::spawn().await;
    let owner = community(&app, "approval", "public").await;
    let outsider = app.user("olaf").await;
    let refused = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&outsider),
            json!({"title": "Hi"}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "not_a_member", None);
    let empty = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": " "}),
        )
        .await;
    assert_error(
        &empty,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("title"),
    );
    let anon = app
        .post(
            "/api/v1/communities/chess/posts",
            None,
            json!({"title": "x"}),
        )
        .await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let p = post(&app, &owner, "chess", "Rules").await;
    let id = p["id"].as_i64().expect("id");
    let missing = app
        .post(
            "/api/v1/posts/999999/comments",
            Some(&owner),
            json!({"body": "x"}),
        )
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let bad_parent = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": "x", "parent_id": 424242}),
        )
        .await;
    assert_error(
        &bad_parent,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("parent_id"),
    );
    let blank = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": ""}),
        )
        .await;
    assert_error(
        &blank,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("body"),
    );
    let sort = app
        .get("/api/v1/communities/chess/posts?sort=hot", None)
        .await;
    assert_error(
        &sort,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("sort"),
    );
}

#[tokio::test]
async fn private_community_content_stays_with_members() {
    let app = TestApp::spawn().await;
    let owner = community(&app, "approval", "private").await;
    let p = post(&app, &owner, "chess", "Secret plans").await;
    let id = p["id"].as_i64().expect("id");
    let outsider = app.user("otto").await;
    let list = app
        .get("/api/v1/communities/chess/posts", Some(&outsider))
        .await;
    assert_error(&list, StatusCode::FORBIDDEN, "members_only", None);
    let one = app.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_error(&one, StatusCode::NOT_FOUND, "not_found", None);
    let comment = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&outsider),
            json!({"body": "hi"}),
        )
        .await;
    assert_error(&comment, StatusCode::NOT_FOUND, "not_found", None);
    let (status, _, _) = app
        .fetch(&format!("/post/{id}"), "application/activity+json")
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an anonymous fetch sees nothing"
    );
    assert_eq!(
        app.get("/nodeinfo/2.1", None).await.1["usage"]["localPosts"],
        0
    );
    assert_eq!(
        app.get(&format!("/api/v1/posts/{id}"), Some(&owner))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn posts_are_pages_and_comments_are_notes() {
    let app = TestApp::spawn().await;
    let owner = community(&app, "open", "public").await;
    let p = post(&app, &owner, "chess", "A long look at the Caro-Kann").await;
    let id = p["id"].as_i64().expect("id");
    let (_, c) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": "First!"}),
        )
        .await;
    let group = format!("http://{}/c/chess", app.hostname);

    let page = app.activity_json(&format!("/post/{id}")).await;
    assert_eq!(page["type"], "Page");
    assert_eq!(page["id"], p["actor_id"]);
    assert_eq!(page["name"], "A long look at the Caro-Kann");
    assert_eq!(
        page["attributedTo"],
        format!("http://{}/u/owner", app.hostname)
    );
    assert_eq!(
        page["to"],
        json!([group, "https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(page["audience"], group);
    assert_eq!(page["mediaType"], "text/html");
    assert_eq!(page["source"]["mediaType"], "text/markdown");
    assert_eq!(page["summary"], "About A long look at the Caro-Kann");
    assert_eq!(page["commentsEnabled"], true);
    assert_eq!(page["tag"][0]["type"], "Mention");
    assert_eq!(page["tag"][0]["href"], group);

    let note = app.activity_json(&format!("/comment/{}", c["id"])).await;
    assert_eq!(note["type"], "Note");
    assert_eq!(note["inReplyTo"], p["actor_id"]);
    assert_eq!(note["audience"], group);
    assert_eq!(note["cc"], json!([group]));
    let (status, _, _) = app.fetch("/post/99999", "application/activity+json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn threads_travel_between_three_instances() {
    let home = TestApp::spawn().await;
    let owner = community(&home, "open", "public").await;
    let away = TestApp::spawn().await;
    let third = TestApp::spawn().await;
    let eve = away.user("eve").await;
    let gus = third.user("gus").await;
    let remote = format!("chess@{}", home.hostname);
    away.join_remote(&eve, "eve", &home, "chess").await;
    third.join_remote(&gus, "gus", &home, "chess").await;

    // A post by the home instance's owner reaches both members' instances.
    post(&home, &owner, "chess", "Club night moved").await;
    for app in [&away, &third] {
        eventually("the announced post arrives", || async {
            titles(app, &remote)
                .await
                .contains(&"Club night moved".to_string())
                .then_some(())
        })
        .await;
    }

    // eve posts from her instance: sent to the community, which announces it to gus's.
    let eve_post = post(&away, &eve, &remote, "Study group on Sunday").await;
    eventually("the community stores eve's post", || async {
        titles(&home, "chess")
            .await
            .contains(&"Study group on Sunday".to_string())
            .then_some(())
    })
    .await;
    let on_third = eventually("gus's instance gets eve's post", || async {
        let (_, page) = third
            .get(&format!("/api/v1/communities/{remote}/posts"), None)
            .await;
        page["items"]
            .as_array()?
            .iter()
            .find(|p| p["title"] == "Study group on Sunday")
            .cloned()
    })
    .await;
    assert_eq!(on_third["author"], format!("eve@{}", away.hostname));
    assert_eq!(
        on_third["actor_id"], eve_post["actor_id"],
        "one object, one id everywhere"
    );

    // gus replies on his instance; eve answers him on hers: a nested thread everywhere.
    let third_post_id = on_third["id"].as_i64().expect("id");
    let (status, gus_comment) = third
        .post(
            &format!("/api/v1/posts/{third_post_id}/comments"),
            Some(&gus),
            json!({"body": "Count me in"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{gus_comment}");
    let away_post_id = eve_post["id"].as_i64().expect("id");
    let gus_on_away = eventually("gus's comment reaches eve's instance", || async {
        let (_, tree) = away
            .get(&format!("/api/v1/posts/{away_post_id}/comments"), None)
            .await;
        tree["items"]
            .as_array()?
            .iter()
            .find(|c| c["body"] == "Count me in")
            .cloned()
    })
    .await;
    let (status, _) = away
        .post(
            &format!("/api/v1/posts/{away_post_id}/comments"),
            Some(&eve),
            json!({"body": "Great, 10am", "parent_id": gus_on_away["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (app, post_id) in [(&third, third_post_id), (&home, 0)] {
        let post_id = if post_id == 0 {
            let (_, page) = home.get("/api/v1/communities/chess/posts", None).await;
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|p| p["title"] == "Study group on Sunday")
                .expect("post")["id"]
                .as_i64()
                .expect("id")
        } else {
            post_id
        };
        eventually("the nested reply arrives under gus's comment", || async {
            let (_, tree) = app
                .get(&format!("/api/v1/posts/{post_id}/comments"), None)
                .await;
            let top = tree["items"]
                .as_array()?
                .iter()
                .find(|c| c["body"] == "Count me in")?
                .clone();
            (top["replies"][0]["body"] == "Great, 10am").then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn browsers_get_readable_thread_pages() {
    let app = TestApp::spawn().await;
    let owner = community(&app, "open", "public").await;
    let p = post(&app, &owner, "chess", "Puzzle <of> the week").await;
    let id = p["id"].as_i64().expect("id");
    let (_, top) = app
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&owner),
            json!({"body": "Mate in **two**"}),
        )
        .await;
    app.post(
        &format!("/api/v1/posts/{id}/comments"),
        Some(&owner),
        json!({"body": "Nested reply", "parent_id": top["id"]}),
    )
    .await;

    let (status, ct, html) = app.fetch(&format!("/post/{id}"), "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"));
    assert!(
        html.contains("<h1>Puzzle &#60;of&#62; the week</h1>")
            || html.contains("<h1>Puzzle &lt;of&gt; the week</h1>"),
        "titles are escaped: {html}"
    );
    assert!(html.contains("Mate in <strong>two</strong>"));
    assert!(
        html.contains("class=\"comment depth-1\""),
        "replies are nested"
    );

    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url(&format!("/comment/{}", top["id"])))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(location, format!("/post/{id}#comment-{}", top["id"]));

    app.community(&owner, "hidden", json!({"visibility": "private"}))
        .await;
    let secret = post(&app, &owner, "hidden", "Secret").await;
    let (status, _, html) = app
        .fetch(&format!("/post/{}", secret["id"]), "text/html")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Secret"));
}
