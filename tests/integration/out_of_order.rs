//! Activities arriving out of order: a Delete before its Create, an Undo before what it undoes,
//! an Update of something never seen. Sent signed, by hand, as a remote instance would.

use crate::{
    helpers::TestApp,
    signing::{person_key, SignedPost},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn scene() -> (TestApp, TestApp) {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    (home, away)
}

fn page(home: &TestApp, actor: &str, id: &str, title: &str) -> Value {
    let group = format!("http://{}/c/chess", home.hostname);
    json!({
        "id": id,
        "type": "Page",
        "attributedTo": actor,
        "name": title,
        "content": "<p>body</p>",
        "to": [group, "https://www.w3.org/ns/activitystreams#Public"],
        "audience": group,
    })
}

fn activity(kind: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{}", actor, uuid::Uuid::new_v4()),
        "type": kind,
        "actor": actor,
        "object": object,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    })
}

async fn stored_post(home: &TestApp, id: &str) -> Option<copse::db::posts::Post> {
    let id = id.to_string();
    home.context()
        .db(move |conn| copse::db::posts::post_by_ap_id(conn, &id))
        .await
        .expect("query")
}

/// The id of a post eve wrote on `away` in home's community, which home received and then
/// forgot (its row deleted), so that home no longer knows it; waiting for it first keeps its
/// `Create` from arriving after what the test sends next.
async fn forgotten_post(home: &TestApp, away: &TestApp, title: &str) -> String {
    let eve_token = away.login("eve").await;
    let (status, real) = away
        .post(
            &format!("/api/v1/communities/chess@{}/posts", home.hostname),
            Some(&eve_token),
            json!({ "title": title }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{real}");
    let post_id = real["actor_id"].as_str().unwrap().to_string();
    crate::helpers::eventually("home has the post", || async {
        stored_post(home, &post_id).await.map(|_| ())
    })
    .await;
    let id = post_id.clone();
    home.context()
        .write(move |conn| {
            use copse::db::schema::posts::dsl as p;
            use diesel::prelude::*;
            diesel::delete(p::posts.filter(p::ap_id.eq(id))).execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    post_id
}

#[tokio::test]
async fn a_create_arriving_after_its_delete_stays_deleted() {
    let (home, away) = scene().await;
    let (eve, key) = person_key(&away, "eve").await;
    let post_id = format!("http://{}/post/{}", away.hostname, uuid::Uuid::new_v4());
    let delete = activity("Delete", &eve, json!(post_id));
    let (status, body) = SignedPost::new(&delete, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let create = activity("Create", &eve, page(&home, &eve, &post_id, "Too late"));
    let (status, body) = SignedPost::new(&create, &key).send(&home).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(stored_post(&home, &post_id).await.is_none());

    // Someone else cannot tombstone eve's object ahead of time.
    let other = format!("http://{}/post/{}", away.hostname, uuid::Uuid::new_v4());
    let owner_on_home = home.user("mallory").await;
    let _ = owner_on_home;
    let (mallory, mallory_key) = person_key(&home, "mallory").await;
    let forged = activity("Delete", &mallory, json!(other));
    SignedPost::new(&forged, &mallory_key).send(&home).await;
    let create = activity("Create", &eve, page(&home, &eve, &other, "On time"));
    let (status, body) = SignedPost::new(&create, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    assert!(stored_post(&home, &other).await.is_some());
}

#[tokio::test]
async fn an_undo_arriving_before_its_like_wins() {
    let (home, away) = scene().await;
    let owner = home.login("owner").await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Vote on me"}),
        )
        .await;
    let (eve, key) = person_key(&away, "eve").await;
    let mut like = activity("Like", &eve, post["actor_id"].clone());
    like["audience"] = json!(format!("http://{}/c/chess", home.hostname));
    let undo = activity("Undo", &eve, like.clone());
    let (status, body) = SignedPost::new(&undo, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let (status, body) = SignedPost::new(&like, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let (_, after) = home
        .get(&format!("/api/v1/posts/{}", post["id"]), None)
        .await;
    assert_eq!(after["score"], 0, "the late Like has no effect");

    // A Like with no Undo before it counts (the check above can fail).
    let like = activity("Like", &eve, post["actor_id"].clone());
    let (status, _) = SignedPost::new(&like, &key).send(&home).await;
    assert!(status.is_success());
    let (_, after) = home
        .get(&format!("/api/v1/posts/{}", post["id"]), None)
        .await;
    assert_eq!(after["score"], 1);
}

#[tokio::test]
async fn an_update_of_an_unknown_post_fetches_it_from_its_origin() {
    let (home, away) = scene().await;
    let post_id = forgotten_post(&home, &away, "The real title").await;
    let (eve, key) = person_key(&away, "eve").await;
    let mut forged = page(&home, &eve, &post_id, "A title the author never wrote");
    forged["updated"] = json!(chrono::Utc::now().to_rfc3339());
    let update = activity("Update", &eve, forged);
    let (status, body) = SignedPost::new(&update, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let stored = stored_post(&home, &post_id).await.expect("fetched");
    assert_eq!(stored.title, "The real title");
}

/// A `Like` of a post this instance does not have: the post is fetched from its origin, stored
/// because it belongs to a community here, and the vote counts on it. A `Like` of something its
/// origin does not serve is refused, and nothing is stored.
#[tokio::test]
async fn a_like_of_an_unknown_post_fetches_it_from_its_origin() {
    let (home, away) = scene().await;
    let post_id = forgotten_post(&home, &away, "Fetched for a vote").await;
    let (eve, key) = person_key(&away, "eve").await;
    let like = activity("Like", &eve, json!(post_id));
    let (status, body) = SignedPost::new(&like, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let stored = stored_post(&home, &post_id).await.expect("fetched");
    assert_eq!(stored.title, "Fetched for a vote");
    assert_eq!(stored.score, 1, "the vote counts on the fetched post");

    let nowhere = format!("http://{}/post/{}", away.hostname, uuid::Uuid::new_v4());
    let like = activity("Like", &eve, json!(nowhere));
    let (status, body) = SignedPost::new(&like, &key).send(&home).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(stored_post(&home, &nowhere).await.is_none());
}

#[tokio::test]
async fn copies_arriving_together_have_one_effect_and_all_succeed() {
    let (home, away) = scene().await;
    let owner = home.login("owner").await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Reply here"}),
        )
        .await;
    let (eve, key) = person_key(&away, "eve").await;
    let note_id = format!("http://{}/comment/{}", away.hostname, uuid::Uuid::new_v4());
    let group = format!("http://{}/c/chess", home.hostname);
    let note = json!({
        "id": note_id, "type": "Note", "attributedTo": eve, "content": "<p>twice?</p>",
        "inReplyTo": post["actor_id"], "to": [group, "https://www.w3.org/ns/activitystreams#Public"],
        "audience": group,
    });
    let create = activity("Create", &eve, note);
    let signed = SignedPost::new(&create, &key);
    let copies = futures::future::join_all((0..8).map(|_| signed.send(&home))).await;
    for (status, body) in &copies {
        assert!(status.is_success(), "{status} {body}");
    }
    let (_, comments) = home
        .get(&format!("/api/v1/posts/{}/comments", post["id"]), None)
        .await;
    assert_eq!(
        comments["items"].as_array().map(Vec::len),
        Some(1),
        "{comments}"
    );
    let announced: i64 = home
        .context()
        .db(|conn| {
            use copse::db::schema::outbox_events::dsl as e;
            use diesel::prelude::*;
            Ok(e::outbox_events
                .filter(e::event.like("%CommentCreated%"))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(announced, 1, "the comment is announced once");
}

/// Received activity ids are kept for a while, then forgotten: only those received before the
/// cut-off go.
#[tokio::test]
async fn old_receipts_are_forgotten_and_recent_ones_kept() {
    use copse::db::{members, schema::received_activities};
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let old = chrono::Utc::now().naive_utc() - chrono::Duration::days(40);
    let (forgotten, kept) = app
        .context()
        .write(move |conn| {
            diesel::insert_into(received_activities::table)
                .values((
                    received_activities::ap_id.eq("https://old.example/a/1"),
                    received_activities::received_at.eq(old),
                ))
                .execute(conn)?;
            members::record_receipt(conn, "https://new.example/a/2")?;
            let cutoff = chrono::Utc::now().naive_utc() - chrono::Duration::days(30);
            let forgotten = members::forget_receipts(conn, cutoff)?;
            Ok((
                forgotten,
                (
                    members::was_received(conn, "https://old.example/a/1")?,
                    members::was_received(conn, "https://new.example/a/2")?,
                ),
            ))
        })
        .await
        .expect("receipts");
    assert_eq!(forgotten, 1);
    assert_eq!(kept, (false, true));
}
