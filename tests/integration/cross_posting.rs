//! Cross-posting as one object (issue 17 part 1): a thread in several communities, local and
//! on three instances, with one set of replies, "also in" on the API and the thread page, a
//! ban refused in one community only, and a removal from one community only.

use crate::{
    helpers::{eventually, find_post, TestApp},
    web_threads::{location, new_thread, reply, scene, submit},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post_thread(app: &TestApp, token: &str, community: &str, title: &str) -> i64 {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": "One thread, several communities."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

async fn share(app: &TestApp, token: &str, post: i64, community: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/posts/{post}/communities"),
        Some(token),
        json!({"community": community}),
    )
    .await
}

pub(crate) async fn also_in(app: &TestApp, post: i64) -> Vec<String> {
    let (status, body) = app.get(&format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["also_in"]
        .as_array()
        .expect("also_in")
        .iter()
        .map(|c| c.as_str().expect("handle").to_string())
        .collect()
}

/// The owner of `community` bans ann from it.
pub(crate) async fn ban_ann(app: &TestApp, owner: &str, community: &str) {
    let members = app
        .get(&format!("/api/v1/communities/{community}/members"), None)
        .await
        .1;
    let ann_id = members["items"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("ann"))
        .expect("ann")["person_id"]
        .clone();
    let path = format!("/api/v1/communities/{community}/bans");
    let (status, body) = app
        .post(&path, Some(owner), json!({"person_id": ann_id}))
        .await;
    assert!(status.is_success(), "{body}");
}

pub(crate) async fn listed_ids(app: &TestApp, community: &str) -> Vec<i64> {
    let (status, page) = app
        .get(&format!("/api/v1/communities/{community}/posts"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect()
}

pub(crate) async fn comment_bodies(app: &TestApp, post: i64) -> Vec<String> {
    let (status, tree) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    let mut bodies: Vec<String> = tree["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["body"].as_str().expect("body").to_string())
        .collect();
    bodies.sort();
    bodies
}

#[tokio::test]
async fn a_thread_shared_into_other_communities_is_one_object_listed_in_each() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let ann = app.user("ann").await;
    for name in ["home", "other", "third"] {
        let (status, body) = app.community(&owner, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for name in ["other", "third"] {
        let path = format!("/api/v1/communities/{name}/join");
        let (status, body) = app.post(&path, Some(&ann), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let post = post_thread(&app, &ann, "home", "Shared thread").await;

    // Its author puts it into another community where she may post: one object, in both.
    let (status, body) = share(&app, &ann, post, "other").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let here = format!("other@{}", app.hostname);
    assert_eq!(also_in(&app, post).await, vec![here.clone()]);
    assert_eq!(listed_ids(&app, "home").await, [post]);
    assert_eq!(listed_ids(&app, "other").await, [post]);
    // Again: no change, no duplicate.
    let (status, _) = share(&app, &ann, post, "other").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(listed_ids(&app, "other").await, [post]);
    // Its home is not a second place.
    let (status, body) = share(&app, &ann, post, "home").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Banned in `third`: refused there only, nothing written; `other` keeps it.
    ban_ann(&app, &owner, "third").await;
    let (status, body) = share(&app, &ann, post, "third").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(also_in(&app, post).await, [here]);
    assert!(listed_ids(&app, "third").await.is_empty());

    // Replies are one thread, whichever community it is read from.
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{post}/comments"),
            Some(&owner),
            json!({"body": "one reply"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(comment_bodies(&app, post).await, ["one reply"]);

    // Only `other`'s moderators take it out of `other`, and only of `other`.
    let path = format!("/api/v1/posts/{post}/communities/other");
    let (status, body) = app.call(Method::DELETE, &path, Some(&ann), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.call(Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(listed_ids(&app, "other").await.is_empty());
    assert_eq!(listed_ids(&app, "home").await, [post]);
    assert!(also_in(&app, post).await.is_empty());
    let (status, _) = app.call(Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_thread_page_shows_also_in_and_its_forms_share_and_remove() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let owner = app.login("olga").await;
    let (status, body) = app.community(&owner, "orchard", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post = new_thread(&olga, "garden", "Apples", "Which variety?").await;
    let thread = format!("/post/{post}");

    // ann neither wrote the thread nor moderates orchard: no form, and refused.
    let page = ann.get(&thread).await;
    assert!(!page.body.contains("Also post in"), "{}", page.body);
    assert!(!page.body.contains("id=\"also-in\""));
    let refused = submit(
        &ann,
        &thread,
        &format!("{thread}/share"),
        &[("community", "orchard")],
    )
    .await;
    refused.assert_html(StatusCode::FORBIDDEN);

    // olga moderates orchard: she shares it into her community.
    let page = olga.get(&thread).await;
    assert!(page.body.contains("Also post in"), "{}", page.body);
    let done = submit(
        &olga,
        &thread,
        &format!("{thread}/share"),
        &[("community", "orchard")],
    )
    .await;
    assert_eq!(location(&done), thread);
    let page = ann.get(&thread).await;
    assert!(page.body.contains("id=\"also-in\""), "{}", page.body);
    assert!(page.body.contains("href=\"/c/orchard\""), "{}", page.body);
    assert!(!page.body.contains("Remove from orchard only"));
    reply(&ann, post, None, "Cox").await;
    let orchard = app.get("/api/v1/communities/orchard/posts", None).await.1;
    assert_eq!(orchard["items"][0]["id"], post);
    assert_eq!(orchard["items"][0]["comment_count"], 1);

    let page = olga.get(&thread).await;
    assert!(
        page.body.contains("Remove from orchard only"),
        "{}",
        page.body
    );
    let done = submit(
        &olga,
        &thread,
        &format!("{thread}/unshare"),
        &[("community", "orchard")],
    )
    .await;
    assert_eq!(location(&done), thread);
    assert!(!ann.get(&thread).await.body.contains("id=\"also-in\""));
    assert!(find_post(&app, "garden", "Apples").await.is_some());
    assert!(find_post(&app, "orchard", "Apples").await.is_none());
}

/// Three instances: alice owns `home` on a, bob owns `other` on b, carol is on c; `home` and
/// `other` are also their handles as the other instances name them.
pub(crate) struct Across {
    pub a: TestApp,
    pub b: TestApp,
    pub c: TestApp,
    pub alice: String,
    pub bob: String,
    pub carol: String,
    pub home: String,
    pub other: String,
}

pub(crate) async fn across() -> Across {
    let (a, b, c) = (
        TestApp::spawn().await,
        TestApp::spawn().await,
        TestApp::spawn().await,
    );
    let alice = a.user("alice").await;
    let bob = b.user("bob").await;
    let carol = c.user("carol").await;
    let (status, body) = a.community(&alice, "home", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = b.community(&bob, "other", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (home, other) = (
        format!("home@{}", a.hostname),
        format!("other@{}", b.hostname),
    );
    Across {
        a,
        b,
        c,
        alice,
        bob,
        carol,
        home,
        other,
    }
}

/// `token` replies `body` to thread `post` on `app`.
pub(crate) async fn comment(app: &TestApp, token: &str, post: i64, body: &str) {
    let path = format!("/api/v1/posts/{post}/comments");
    let (status, created) = app.post(&path, Some(token), json!({"body": body})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}

#[tokio::test]
async fn a_cross_post_across_three_instances_is_one_thread_removed_in_one_community_only() {
    let Across {
        a,
        b,
        c,
        alice,
        bob,
        carol,
        home,
        other,
    } = across().await;
    b.join_remote(&bob, "bob", &a, "home").await;
    c.join_remote(&carol, "carol", &b, "other").await;

    let on_a = post_thread(&a, &alice, "home", "Across three").await;
    let on_b = eventually("b stores the thread", || async {
        find_post(&b, &home, "Across three").await?["id"].as_i64()
    })
    .await;
    // bob moderates `other` on b: he shares the thread of `home` into it.
    let (status, body) = share(&b, &bob, on_b, "other").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(also_in(&b, on_b).await, vec![other.clone()]);

    // c follows `other` only: it gets the thread through other's announce, one object whose
    // home stays `home`; a hears where else its thread is.
    let on_c = eventually("c lists the thread in other", || async {
        find_post(&c, &other, "Across three").await?["id"].as_i64()
    })
    .await;
    let (_, seen) = c.get(&format!("/api/v1/posts/{on_c}"), None).await;
    assert_eq!(seen["community"], home.as_str(), "{seen}");
    assert_eq!(seen["also_in"], json!([other.clone()]), "{seen}");
    eventually("a shows the thread also in other", || async {
        (also_in(&a, on_a).await == [other.clone()]).then_some(())
    })
    .await;

    // A reply from each instance: one thread on every instance, each reply once.
    comment(&c, &carol, on_c, "from carol").await;
    comment(&a, &alice, on_a, "from alice").await;
    comment(&b, &bob, on_b, "from bob").await;
    let all = ["from alice", "from bob", "from carol"];
    for (app, post, name) in [(&a, on_a, "a"), (&b, on_b, "b"), (&c, on_c, "c")] {
        eventually(&format!("{name} has the three replies"), || async {
            (comment_bodies(app, post).await == all).then_some(())
        })
        .await;
    }

    // bob removes it from `other` only: gone from other on b and c, kept in `home` everywhere.
    let path = format!("/api/v1/posts/{on_b}/communities/other");
    let (status, body) = b.call(Method::DELETE, &path, Some(&bob), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(listed_ids(&b, "other").await.is_empty());
    assert_eq!(listed_ids(&b, &home).await, [on_b]);
    eventually("c takes it out of other", || async {
        find_post(&c, &other, "Across three")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    eventually("a no longer shows it in other", || async {
        also_in(&a, on_a).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(listed_ids(&a, "home").await, [on_a]);
    let (status, _) = c.get(&format!("/api/v1/posts/{on_c}"), None).await;
    assert_eq!(status, StatusCode::OK);
    for (app, post) in [(&a, on_a), (&b, on_b), (&c, on_c)] {
        assert_eq!(comment_bodies(app, post).await, all);
    }
}

async fn post_also_in(app: &TestApp, token: &str, title: &str, also: Value) -> (StatusCode, Value) {
    app.post(
        "/api/v1/communities/home/posts",
        Some(token),
        json!({"title": title, "body": "Posted in several at once.", "also_in": also}),
    )
    .await
}

#[tokio::test]
async fn a_thread_is_posted_in_several_communities_at_once_or_not_at_all() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let ann = app.user("ann").await;
    for name in ["home", "other", "third"] {
        let (status, body) = app.community(&owner, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .community(&owner, "quiet", json!({"posting_restricted_to_mods": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for name in ["other", "third", "quiet"] {
        let path = format!("/api/v1/communities/{name}/join");
        let (status, body) = app.post(&path, Some(&ann), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    ban_ann(&app, &owner, "third").await;

    // Refused, and nothing written anywhere: too many, an unknown one, one where ann is banned,
    // one where only moderators post, the home itself.
    let many: Vec<String> = (0..11).map(|i| format!("c{i}")).collect();
    for (also, expected, code) in [
        (json!(many), StatusCode::BAD_REQUEST, "invalid_field"),
        (
            json!(["other", "nowhere"]),
            StatusCode::BAD_REQUEST,
            "invalid_field",
        ),
        (json!(["other", "third"]), StatusCode::FORBIDDEN, "banned"),
        (json!(["quiet"]), StatusCode::FORBIDDEN, "moderators_only"),
        (json!(["home"]), StatusCode::CONFLICT, "home_community"),
    ] {
        let (status, body) = post_also_in(&app, &ann, "Refused", also.clone()).await;
        assert_eq!(status, expected, "{also}: {body}");
        assert_eq!(body["error"], code, "{also}: {body}");
        assert_eq!(body["field"], "also_in", "{also}: {body}");
    }
    for name in ["home", "other", "third", "quiet"] {
        assert!(listed_ids(&app, name).await.is_empty(), "{name}");
    }

    // Allowed: one object in its home and in each named community, listed once in each.
    let (status, body) = post_also_in(&app, &ann, "Everywhere", json!(["other", "other"])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post = body["id"].as_i64().expect("id");
    assert_eq!(
        also_in(&app, post).await,
        [format!("other@{}", app.hostname)]
    );
    assert_eq!(listed_ids(&app, "home").await, [post]);
    assert_eq!(listed_ids(&app, "other").await, [post]);
    assert!(listed_ids(&app, "third").await.is_empty());
}

#[tokio::test]
async fn the_new_thread_form_offers_also_post_in_and_keeps_what_was_typed_when_refused() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let owner = app.login("olga").await;
    let ann_token = app.login("ann").await;
    for name in ["orchard", "meadow"] {
        let (status, body) = app.community(&owner, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let path = format!("/api/v1/communities/{name}/join");
        let (status, body) = app.post(&path, Some(&ann_token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // ann is a member of orchard and meadow: both offered, not garden (the home).
    let form = ann.get("/c/garden/submit").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("<legend>Also post in"), "{}", form.body);
    for name in ["orchard", "meadow"] {
        let checkbox = format!("name=\"also_in\" value=\"{name}\"");
        assert!(form.body.contains(&checkbox), "{}", form.body);
    }
    assert!(!form.body.contains("name=\"also_in\" value=\"garden\""));

    // Banned from meadow meanwhile: refused, the form shown again with what was typed.
    ban_ann(&app, &owner, "meadow").await;
    let fields = [
        ("title", "Pears and plums"),
        ("body", "Both?"),
        ("also_in", "orchard"),
        ("also_in", "meadow"),
    ];
    let refused = submit(&ann, "/c/garden/submit", "/c/garden/submit", &fields).await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("value=\"Pears and plums\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("also_in-error"), "{}", refused.body);
    assert!(find_post(&app, "garden", "Pears and plums").await.is_none());

    // Without meadow: posted in garden and orchard, one object.
    let fields = [
        ("title", "Pears and plums"),
        ("body", "Both?"),
        ("also_in", "orchard"),
    ];
    let done = submit(&ann, "/c/garden/submit", "/c/garden/submit", &fields).await;
    let thread = location(&done);
    let post: i64 = thread
        .strip_prefix("/post/")
        .and_then(|id| id.parse().ok())
        .expect("a thread's address");
    assert_eq!(listed_ids(&app, "orchard").await, [post]);
    assert_eq!(listed_ids(&app, "garden").await, [post]);
    let page = olga.get(&thread).await;
    assert!(page.body.contains("href=\"/c/orchard\""), "{}", page.body);
}

#[tokio::test]
async fn a_private_community_a_thread_is_shared_into_is_named_to_its_members_only() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let owner = app.login("olga").await;
    let extra = json!({"visibility": "private"});
    let (status, body) = app.community(&owner, "circle", extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post = new_thread(&olga, "garden", "Seen from elsewhere", "Public thread.").await;
    let (status, body) = share(&app, &owner, post, "circle").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Outsiders: the API, the listing and the thread page do not name it.
    assert!(also_in(&app, post).await.is_empty());
    let ann_token = app.login("ann").await;
    let (_, seen) = app
        .get(&format!("/api/v1/posts/{post}"), Some(&ann_token))
        .await;
    assert_eq!(seen["also_in"], json!([]), "{seen}");
    let (_, page) = app.get("/api/v1/communities/garden/posts", None).await;
    assert_eq!(page["items"][0]["also_in"], json!([]), "{page}");
    let thread = format!("/post/{post}");
    let page = ann.get(&thread).await;
    assert!(!page.body.contains("/c/circle"), "{}", page.body);
    let listing = ann.get("/c/garden").await;
    assert!(!listing.body.contains("circle"), "{}", listing.body);

    // Its member (and moderator) sees it on the thread page, and may take it out.
    let page = olga.get(&thread).await;
    assert!(page.body.contains("href=\"/c/circle\""), "{}", page.body);
    assert!(
        page.body.contains("Remove from circle only"),
        "{}",
        page.body
    );
}
