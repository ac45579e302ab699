//! The trust boundary (issue 10, findings 1–5): each attack as it was reproduced, asserting the
//! answer and that nothing at home changed. The scene is `trust_scene`.

use crate::{
    origin::Actor,
    trust_scene::{create, Scene, PUBLIC},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn id_on(actor: &str, what: &str) -> String {
    format!("{actor}/{what}/{}", uuid::Uuid::new_v4())
}

/// Forged activities of home users (alice, the author and owner; bob, a member) about alice's
/// post in `lab` and about `lab` itself, each with an id on home's host.
async fn forgeries(scene: &Scene, post: &str) -> Vec<(&'static str, Value)> {
    let home = scene.home.url("");
    let alice = scene.home.url("/u/alice");
    let bob = scene.home.url("/u/bob");
    let lab = scene.home.url("/c/lab");
    let page = json!({
        "id": post, "type": "Page", "attributedTo": alice, "name": "forged title",
        "content": "<p>forged body</p>", "to": [lab, PUBLIC], "audience": lab,
        "updated": chrono::Utc::now().to_rfc3339(),
    });
    assert_eq!(bob, scene.bob_actor.id);
    vec![
        (
            "Update",
            json!({"id": id_on(&home, "u"), "type": "Update", "actor": alice, "object": page}),
        ),
        (
            "Delete",
            json!({"id": id_on(&home, "d"), "type": "Delete", "actor": alice, "object": post}),
        ),
        (
            "Like",
            json!({"id": id_on(&home, "l"), "type": "Like", "actor": bob, "object": post}),
        ),
        (
            "Lock",
            json!({"id": id_on(&home, "k"), "type": "Lock", "actor": alice, "object": post}),
        ),
        (
            "Add featured",
            json!({"id": id_on(&home, "a"), "type": "Add", "actor": alice,
            "object": post, "target": format!("{lab}/featured")}),
        ),
        (
            "Block",
            json!({"id": id_on(&home, "b"), "type": "Block", "actor": alice,
            "object": bob, "target": lab}),
        ),
        (
            "Add moderators",
            json!({"id": id_on(&home, "m"), "type": "Add", "actor": alice,
            "object": scene.mal.id, "target": format!("{lab}/moderators")}),
        ),
    ]
}

async fn outbox_events(scene: &Scene) -> i64 {
    use copse::db::schema::outbox_events;
    use diesel::prelude::*;
    scene
        .home
        .context()
        .db(|conn| Ok(outbox_events::table.count().get_result(conn)?))
        .await
        .expect("count")
}

/// Finding 1: a remote Group, followed or merely stored, announcing activities that name a home
/// user as actor. Nothing is applied, and nothing is announced onwards.
#[tokio::test]
async fn a_remote_group_cannot_act_as_a_local_user() {
    let scene = Scene::new().await;
    let post = scene.alice_post("lab", "Alice's post").await;
    let before = scene.fingerprint().await;
    let events = outbox_events(&scene).await;
    for (group, expected) in [
        (&scene.evil, StatusCode::ACCEPTED),
        (&scene.shadow, StatusCode::FORBIDDEN),
    ] {
        for (what, activity) in forgeries(&scene, &post).await {
            let (status, body) = scene.announce(group, activity).await;
            assert_eq!(status, expected, "{what} announced by {}: {body}", group.id);
            assert_eq!(
                scene.fingerprint().await,
                before,
                "{what} changed something"
            );
        }
    }
    assert_eq!(
        outbox_events(&scene).await,
        events,
        "something was announced onwards"
    );
}

/// Finding 2: the same path naming a third-party person (tom, on an unrelated server) as
/// actor, about his posts in his own community and about a post at home.
#[tokio::test]
async fn a_remote_group_cannot_act_as_a_third_party() {
    let scene = Scene::new().await;
    let (tom, town) = (scene.tom.id.clone(), scene.town.id.clone());
    let edited = scene.tom_post("Tom's first").await;
    let deleted = scene.tom_post("Tom's second").await;
    let alice_post = scene.alice_post("lab", "Alice's post").await;
    let before = scene.fingerprint().await;
    let page = json!({
        "id": edited, "type": "Page", "attributedTo": tom, "name": "forged",
        "content": "<p>forged</p>", "to": [town, PUBLIC], "audience": town,
        "updated": chrono::Utc::now().to_rfc3339(),
    });
    for (what, activity) in [
        (
            "Update",
            json!({"id": id_on(&tom, "u"), "type": "Update", "actor": tom, "object": page}),
        ),
        (
            "Delete",
            json!({"id": id_on(&tom, "d"), "type": "Delete", "actor": tom, "object": deleted}),
        ),
        (
            "Like",
            json!({"id": id_on(&tom, "l"), "type": "Like", "actor": tom, "object": alice_post}),
        ),
        (
            "Like",
            json!({"id": id_on(&tom, "l"), "type": "Like", "actor": tom, "object": edited}),
        ),
    ] {
        let (status, body) = scene.announce(&scene.evil, activity).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{what}: {body}");
        assert_eq!(
            body["ignored"].as_str().map(str::is_empty),
            Some(false),
            "{body}"
        );
        assert_eq!(
            scene.fingerprint().await,
            before,
            "{what} changed something"
        );
    }
}

/// mal joins `lab` (a signed Follow) and alice bans him; answers his local id.
async fn mal_banned_from_lab(scene: &Scene) {
    let follow = json!({
        "id": id_on(&scene.mal.id, "f"), "type": "Follow", "actor": scene.mal.id,
        "object": scene.home.url("/c/lab"),
    });
    let (status, body) = scene.send(&follow, &scene.mal.key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, person) = scene.resolve(&scene.mal.id).await;
    assert_eq!(status, StatusCode::OK, "{person}");
    let (status, body) = scene
        .home
        .post(
            "/api/v1/communities/lab/bans",
            Some(&scene.alice),
            json!({"person_id": person["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

fn update(actor: &Actor, object: &Value) -> Value {
    json!({"id": id_on(&actor.id, "u"), "type": "Update", "actor": actor.id, "object": object})
}

fn like(actor: &Actor, object: &str) -> Value {
    json!({"id": id_on(&actor.id, "l"), "type": "Like", "actor": actor.id, "object": object})
}

/// Finding 3: every path that fetches an object stores it only when its author may post there.
#[tokio::test]
async fn fetching_an_object_is_not_permission_to_store_it() {
    let scene = Scene::new().await;
    let ned = scene.origin.person("ned");
    let lab = scene.home.url("/c/lab");
    let secret = scene.home.url("/c/secret");
    mal_banned_from_lab(&scene).await;
    let locked = scene.alice_post("lab", "Locked thread").await;
    let (status, body) = scene
        .home
        .post(
            &format!("/api/v1/posts/{}/lock", scene.post_id(&locked).await),
            Some(&scene.alice),
            json!({"locked": true}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let before = scene.fingerprint().await;

    // A banned author's Update of a post never seen, a Like of one, and an anonymous resolve.
    let banned = scene.mal_page(&lab, "banned author");
    let (status, body) = scene
        .send(&update(&scene.mal, &banned), &scene.mal.key)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Update by a banned author: {body}"
    );
    let banned_id = scene.mal_page(&lab, "banned author, liked")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, body) = scene
        .send(&like(&scene.mal, &banned_id), &scene.mal.key)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Like of a banned author's post: {body}"
    );
    let (status, body) = scene.resolve(&banned_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "resolve: {body}");

    // An unseen parent by a banned author, under ned's reply.
    let parent = scene.mal_page(&lab, "banned parent");
    let reply_path = format!("/n/{}", uuid::Uuid::new_v4());
    let reply = json!({
        "id": scene.origin.url(&reply_path), "type": "Note", "attributedTo": ned.id,
        "content": "<p>reply</p>", "inReplyTo": parent["id"], "to": [PUBLIC], "cc": [lab],
    });
    scene.origin.put(&reply_path, reply.clone());
    let (status, body) = scene.send(&create(&ned.id, reply), &ned.key).await;
    assert!(
        status.is_client_error(),
        "reply under a banned author's post: {status} {body}"
    );

    // A non-member's Update and Like of posts addressed to the private community.
    let private = ned_page(&scene, &ned, &secret);
    let (status, body) = scene.send(&update(&ned, &private), &ned.key).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Update into a private community: {body}"
    );
    let private = ned_page(&scene, &ned, &secret);
    let (status, body) = scene
        .send(&like(&ned, private["id"].as_str().expect("id")), &ned.key)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Like into a private community: {body}"
    );

    // An Update of an unseen comment under a locked thread.
    let path = format!("/n/{}", uuid::Uuid::new_v4());
    let comment = json!({
        "id": scene.origin.url(&path), "type": "Note", "attributedTo": ned.id,
        "content": "<p>late</p>", "inReplyTo": locked, "to": [PUBLIC], "cc": [lab],
        "updated": chrono::Utc::now().to_rfc3339(),
    });
    scene.origin.put(&path, comment.clone());
    let (status, body) = scene.send(&update(&ned, &comment), &ned.key).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Update of a comment in a locked thread: {body}"
    );

    // Groups announcing their own posts addressed to the private community.
    for (group, expected) in [
        (&scene.shadow, StatusCode::FORBIDDEN),
        (&scene.evil, StatusCode::ACCEPTED),
    ] {
        let path = format!(
            "/c/{}/p/{}",
            group.id.rsplit('/').next().unwrap_or_default(),
            uuid::Uuid::new_v4()
        );
        let page = json!({
            "id": scene.origin.url(&path), "type": "Page", "attributedTo": scene.mal.id,
            "name": "into secret", "content": "<p>x</p>", "to": [secret, PUBLIC], "audience": secret,
        });
        scene.origin.put(&path, page.clone());
        let (status, body) = scene.announce(group, page).await;
        assert_eq!(
            status, expected,
            "{} announcing into secret: {body}",
            group.id
        );
    }
    assert_eq!(scene.fingerprint().await, before, "something was stored");
}

fn ned_page(scene: &Scene, ned: &Actor, community: &str) -> Value {
    let path = format!("/p/{}", uuid::Uuid::new_v4());
    let page = json!({
        "id": scene.origin.url(&path), "type": "Page", "attributedTo": ned.id,
        "name": "ned's", "content": "<p>ned</p>", "to": [community, PUBLIC],
        "audience": community, "updated": chrono::Utc::now().to_rfc3339(),
    });
    scene.origin.put(&path, page.clone());
    page
}

/// Finding 4: an Undo cannot pre-empt an id on another origin; the genuine activity with that
/// id is applied when it comes.
#[tokio::test]
async fn an_undo_cannot_poison_another_servers_activity_ids() {
    let scene = Scene::new().await;
    let post = scene.tom_post("Tom's post").await;
    let future = format!(
        "{}/activities/like/{}",
        scene.third.url(""),
        uuid::Uuid::new_v4()
    );
    let undo = json!({
        "id": id_on(&scene.mal.id, "undo"), "type": "Undo", "actor": scene.mal.id,
        "object": {"id": future, "type": "Like", "actor": scene.mal.id, "object": post},
    });
    let (status, body) = scene.send(&undo, &scene.mal.key).await;
    assert!(status.is_success(), "{body}");
    let lookup = future.clone();
    let poisoned = scene
        .home
        .context()
        .db(move |conn| copse::db::members::was_received(conn, &lookup))
        .await
        .expect("query");
    assert!(!poisoned, "another origin's id was recorded as received");
    let before = scene.fingerprint().await;
    let genuine = json!({"id": future, "type": "Like", "actor": scene.tom.id, "object": post});
    let (status, body) = scene.send(&genuine, &scene.tom.key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(
        scene.fingerprint().await,
        before,
        "the genuine Like was dropped"
    );
}

/// Finding 5: no announce from a Group that no member here follows, and no direct Create into
/// a remote community that the community never announced.
#[tokio::test]
async fn unvetted_content_is_not_stored() {
    let scene = Scene::new().await;
    let before = scene.fingerprint().await;
    let path = format!("/c/shadow/p/{}", uuid::Uuid::new_v4());
    let page = json!({
        "id": scene.origin.url(&path), "type": "Page", "attributedTo": scene.mal.id,
        "name": "shadow's own", "content": "<p>x</p>", "to": [scene.shadow.id, PUBLIC],
        "audience": scene.shadow.id,
    });
    scene.origin.put(&path, page.clone());
    let (status, body) = scene
        .announce(&scene.shadow, create(&scene.mal.id, page))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "not_followed");

    let page = scene.mal_page(&scene.town.id, "never announced by town");
    let (status, body) = scene
        .send(&create(&scene.mal.id, page), &scene.mal.key)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "not_announced");
    assert_eq!(scene.fingerprint().await, before, "something was stored");
}

/// A report is a way in too: someone who may not read a private community's post cannot flag
/// it (to them it is as unknown as a missing one), while a public post can be flagged.
#[tokio::test]
async fn outsiders_cannot_report_private_content() {
    let scene = Scene::new().await;
    let ned = scene.origin.person("ned");
    let private = scene.alice_post("secret", "Members only").await;
    let public = scene.alice_post("lab", "Open to all").await;
    let flag = |object: &str| {
        json!({"id": id_on(&ned.id, "flag"), "type": "Flag", "actor": ned.id,
            "object": object, "summary": "spam"})
    };
    let before = scene.fingerprint().await;
    let (status, body) = scene.send(&flag(&private), &ned.key).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        scene.fingerprint().await,
        before,
        "a report of private content was stored"
    );
    let (status, body) = scene.send(&flag(&public), &ned.key).await;
    assert!(status.is_success(), "{body}");
    assert_ne!(
        scene.fingerprint().await,
        before,
        "the public post's report was not stored"
    );
}
