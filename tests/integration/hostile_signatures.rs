//! Hostile inbox requests (issue 5, rows 1–9): every signature rule, each case a test asserting
//! the status, the error body, and that nothing was stored (not even the claimed actor).

use crate::{
    helpers::{assert_error, TestApp},
    signing::{community_key, http_date, person_key, sha256_digest, Key, SignedPost},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A home instance with an open community `chess`, and another instance with alice and mallory.
pub async fn scene() -> (TestApp, TestApp) {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let remote = TestApp::spawn().await;
    remote.user("alice").await;
    remote.user("mallory").await;
    (home, remote)
}

/// A Follow of `home`'s chess by `actor`, with a fresh id on the actor's host.
pub fn follow(actor: &str, home: &TestApp) -> Value {
    let host = url::Url::parse(actor).expect("actor");
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}://{}/activities/follow/{}", host.scheme(), host.authority(), uuid::Uuid::new_v4()),
        "type": "Follow",
        "actor": actor,
        "object": format!("http://{}/c/chess", home.hostname),
    })
}

/// Nothing of `activity` reached `home`: no new member, no receipt, its actor never fetched.
pub async fn assert_nothing_stored(home: &TestApp, activity: &Value) {
    assert_not_applied(home, activity, false).await;
}

/// No new member and no receipt of `activity`; unless `fetched_ok`, its actor was not fetched
/// either (only a request that passed every check without the key gets that far).
pub async fn assert_not_applied(home: &TestApp, activity: &Value, fetched_ok: bool) {
    assert_eq!(
        home.member_handles("chess", None).await.len(),
        1,
        "no member added"
    );
    let (id, actor) = (
        activity["id"].as_str().unwrap_or_default().to_string(),
        activity["actor"].as_str().unwrap_or_default().to_string(),
    );
    let (received, fetched) = home
        .context()
        .db(move |conn| {
            Ok((
                copse::db::members::was_received(conn, &id)?,
                copse::db::accounts::person_by_ap_id(conn, &actor)?.is_some(),
            ))
        })
        .await
        .expect("query");
    assert!(!received, "activity recorded");
    assert!(fetched_ok || !fetched, "actor fetched and stored");
}

#[tokio::test]
async fn an_unsigned_post_to_an_inbox_is_401() {
    let (home, remote) = scene().await;
    let (alice, _) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    for path in ["/inbox", "/c/chess/inbox"] {
        let got = home
            .post_raw(
                path,
                "application/activity+json",
                activity.to_string().into_bytes(),
            )
            .await;
        assert_error(&got, StatusCode::UNAUTHORIZED, "unsigned", None);
    }
    assert_nothing_stored(&home, &activity).await;
}

#[tokio::test]
async fn a_correct_signature_is_accepted_and_an_exact_replay_has_no_second_effect() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let signed = SignedPost::new(&follow(&alice, &home), &key);
    let (status, body) = signed.send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(home.member_handles("chess", None).await.len(), 2);

    let chess = format!("http://{}/c/chess", home.hostname);
    let post_id = format!("http://{}/post/{}", remote.hostname, uuid::Uuid::new_v4());
    let page = json!({
        "id": post_id, "type": "Page", "attributedTo": alice, "name": "Opening",
        "content": "<p>e4</p>", "to": [chess], "audience": chess,
    });
    create_twice(&home, &key, &alice, page).await;
    let (status, again) = signed.send(&home).await;
    assert!(status.is_success(), "{again}");
    let (_, page) = home.get("/api/v1/communities/chess/posts", None).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(home.member_handles("chess", None).await.len(), 2);
    // A reply, sent twice, too.
    let reply_id = format!(
        "http://{}/comment/{}",
        remote.hostname,
        uuid::Uuid::new_v4()
    );
    let note = json!({
        "id": reply_id, "type": "Note", "attributedTo": alice, "content": "<p>e5</p>",
        "inReplyTo": post_id, "to": [chess],
    });
    create_twice(&home, &key, &alice, note).await;
    // Each Create was recorded (with its object and event, in one write), and its replay
    // emitted no second event: one Announce each, not two.
    for create_id in [format!("{post_id}/create"), format!("{reply_id}/create")] {
        let lookup = create_id.clone();
        let (received, events) = home
            .context()
            .db(move |conn| {
                use copse::db::schema::outbox_events;
                use diesel::prelude::*;
                let events: i64 = outbox_events::table
                    .filter(outbox_events::event.like(format!("%{lookup}%")))
                    .count()
                    .get_result(conn)?;
                Ok((copse::db::members::was_received(conn, &lookup)?, events))
            })
            .await
            .expect("query");
        assert!(received, "{create_id} is recorded as received");
        assert_eq!(events, 1, "one event for {create_id}");
    }
}

/// Sends `actor`'s `Create` of `object` (id: the object's id + `/create`) to home's chess
/// twice, an exact replay; both are answered 2xx.
async fn create_twice(home: &TestApp, key: &Key, actor: &str, object: Value) {
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/create", object["id"].as_str().unwrap_or_default()),
        "type": "Create",
        "actor": actor,
        "to": [format!("http://{}/c/chess", home.hostname)],
        "object": object,
    });
    let signed = SignedPost::new(&create, key);
    for attempt in 0..2 {
        let (status, body) = signed.send(home).await;
        assert!(status.is_success(), "attempt {attempt}: {status} {body}");
    }
}

#[tokio::test]
async fn a_signature_by_one_actor_on_another_actors_activity_is_401() {
    let (home, remote) = scene().await;
    let (alice, _) = person_key(&remote, "alice").await;
    let (_, mallory_key) = person_key(&remote, "mallory").await;
    let activity = follow(&alice, &home);
    let got = SignedPost::new(&activity, &mallory_key).send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "key_owner_mismatch", None);
    assert_nothing_stored(&home, &activity).await;
}

/// The signature is checked with the actor's own key: a key that cannot be had (the actor does
/// not exist, its instance does not answer) or a signature that does not verify with it is 401.
#[tokio::test]
async fn a_key_that_cannot_be_had_or_does_not_verify_is_401() {
    let (home, remote) = scene().await;
    let (alice, alice_key) = person_key(&remote, "alice").await;
    let (_, mallory_key) = person_key(&remote, "mallory").await;

    let activity = follow(&alice, &home);
    let forged = Key {
        id: alice_key.id.clone(),
        pem: mallory_key.pem.clone(),
    };
    let got = SignedPost::new(&activity, &forged).send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "signature_invalid", None);
    assert_not_applied(&home, &activity, true).await;

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    for actor in [
        format!("http://localhost:{port}/u/ghost"),
        remote.url("/u/nobody"),
    ] {
        let activity = follow(&actor, &home);
        let key = Key {
            id: format!("{actor}#main-key"),
            pem: mallory_key.pem.clone(),
        };
        let got = SignedPost::new(&activity, &key).send(&home).await;
        assert_error(&got, StatusCode::UNAUTHORIZED, "key_unavailable", None);
        assert_nothing_stored(&home, &activity).await;
    }
}

#[tokio::test]
async fn a_key_id_naming_someone_else_is_401_even_when_the_actors_key_signed() {
    let (home, remote) = scene().await;
    let (alice, alice_key) = person_key(&remote, "alice").await;
    let (mallory, _) = person_key(&remote, "mallory").await;
    let activity = follow(&alice, &home);
    // Alice's own key signs, but the keyId claims mallory's key: the library alone would accept.
    let key = Key {
        id: format!("{mallory}#main-key"),
        pem: alice_key.pem,
    };
    let got = SignedPost::new(&activity, &key).send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "key_owner_mismatch", None);
    assert_nothing_stored(&home, &activity).await;
}

#[tokio::test]
async fn a_changed_body_or_a_missing_unsigned_or_foreign_digest_is_refused() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    let base = SignedPost::new(&activity, &key);
    let mut forged = activity.clone();
    forged["object"] = json!(format!("http://{}/c/other", home.hostname));
    let forged = forged.to_string().into_bytes();

    let mut changed = base.clone();
    changed.sent_body = Some(forged.clone());
    let got = changed.send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "digest_mismatch", None);

    let mut missing = base.clone().signing(&["(request-target)", "host", "date"]);
    missing.digest = None;
    let got = missing.send(&home).await;
    assert_error(
        &got,
        StatusCode::UNAUTHORIZED,
        "signature_headers_missing",
        None,
    );
    assert!(got.1["message"].as_str().unwrap_or("").contains("digest"));

    let unsigned = base.clone().signing(&["(request-target)", "host", "date"]);
    let got = unsigned.send(&home).await;
    assert_error(
        &got,
        StatusCode::UNAUTHORIZED,
        "signature_headers_missing",
        None,
    );

    let mut sha512 = base.clone();
    sha512.digest = Some("SHA-512=z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==".into());
    let got = sha512.send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "digest_unsupported", None);
    assert_nothing_stored(&home, &activity).await;

    // The Digest recomputed for the new body, the signature left as it was.
    let mut redigested = base.clone();
    redigested.digest = Some(sha256_digest(&forged));
    let signature_over_old = base.signature_header(&home.hostname);
    let response = home
        .client
        .post(home.url("/inbox"))
        .header("content-type", "application/activity+json")
        .header("signature", signature_over_old)
        .header("date", redigested.date.clone().unwrap_or_default())
        .header("digest", sha256_digest(&forged))
        .body(forged)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Only a signature check can catch this one, and that needs the actor's key.
    assert_not_applied(&home, &activity, true).await;
}

#[tokio::test]
async fn a_signature_leaving_out_a_required_header_is_401_naming_it() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    for left_out in ["(request-target)", "host", "date"] {
        let names: Vec<&str> = ["(request-target)", "host", "date", "digest"]
            .into_iter()
            .filter(|n| *n != left_out)
            .collect();
        let got = SignedPost::new(&activity, &key)
            .signing(&names)
            .send(&home)
            .await;
        assert_error(
            &got,
            StatusCode::UNAUTHORIZED,
            "signature_headers_missing",
            None,
        );
        let message = got.1["message"].as_str().unwrap_or("");
        assert!(message.contains(left_out), "{left_out}: {message}");
    }
    let mut rsa_md5 = SignedPost::new(&activity, &key);
    rsa_md5.algorithm = Some("rsa-md5".into());
    let got = rsa_md5.send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "signature_algorithm", None);
    assert_nothing_stored(&home, &activity).await;
}

#[tokio::test]
async fn a_date_two_hours_off_or_unparseable_is_401() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    for (date, code) in [
        (http_date(-2 * 3600), "date_out_of_window"),
        (http_date(2 * 3600), "date_out_of_window"),
        ("yesterday at noon".to_string(), "date_invalid"),
    ] {
        let mut signed = SignedPost::new(&activity, &key);
        signed.date = Some(date.clone());
        let got = signed.send(&home).await;
        assert_error(&got, StatusCode::UNAUTHORIZED, code, None);
    }
    // `(created)` instead of Date: the same window.
    let now = chrono::Utc::now().timestamp();
    for created in [now - 2 * 3600, now + 2 * 3600] {
        let mut signed = SignedPost::new(&activity, &key).signing(&[
            "(request-target)",
            "host",
            "(created)",
            "digest",
        ]);
        signed.algorithm = Some("hs2019".into());
        signed.created = Some(created);
        let got = signed.send(&home).await;
        assert_error(&got, StatusCode::UNAUTHORIZED, "date_out_of_window", None);
    }
    assert_nothing_stored(&home, &activity).await;
}

#[tokio::test]
async fn ids_on_another_host_than_the_actor_are_refused() {
    let (home, remote) = scene().await;
    let third = TestApp::spawn().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let mut activity = follow(&alice, &home);
    // Same host name, another port: another instance.
    activity["id"] = json!(format!(
        "http://{}/activities/follow/{}",
        third.hostname,
        uuid::Uuid::new_v4()
    ));
    let got = SignedPost::new(&activity, &key).send(&home).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "origin_mismatch", Some("id"));
    assert_nothing_stored(&home, &activity).await;

    let chess = format!("http://{}/c/chess", home.hostname);
    let create = json!({
        "id": format!("http://{}/activities/create/{}", remote.hostname, uuid::Uuid::new_v4()),
        "type": "Create",
        "actor": alice,
        "to": [chess],
        "object": {
            "id": format!("http://{}/post/1", third.hostname), "type": "Page",
            "attributedTo": alice, "name": "Forged", "content": "<p>forged</p>", "to": [chess],
        },
    });
    let got = SignedPost::new(&create, &key).send(&home).await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "origin_mismatch",
        Some("object.id"),
    );
    assert_nothing_stored(&home, &create).await;
}

#[tokio::test]
async fn a_blocked_instance_is_403_however_it_is_spelled() {
    let remote = TestApp::spawn().await;
    remote.user("alice").await;
    let (alice, key) = person_key(&remote, "alice").await;
    let port = remote.hostname.rsplit(':').next().unwrap_or_default();
    let home = TestApp::spawn_with(|s| {
        s.blocked_instances = vec![
            "EXAMPLE.com.".into(),
            "other.example:8443".into(),
            "bücher.example".into(),
            format!("LOCALHOST.:{port}"),
        ]
    })
    .await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let actors = [
        alice.clone(),
        "https://example.com/u/x".into(),
        "https://Example.COM./u/x".into(),
        "https://other.example:8443/u/x".into(),
        "https://xn--bcher-kva.example/u/x".into(),
        "https://BÜCHER.example/u/x".into(),
    ];
    for actor in actors {
        let activity = follow(&actor, &home);
        let own = Key {
            id: format!("{actor}#main-key"),
            pem: key.pem.clone(),
        };
        let got = SignedPost::new(&activity, &own).send(&home).await;
        assert_error(&got, StatusCode::FORBIDDEN, "instance_blocked", None);
        assert_nothing_stored(&home, &activity).await;
    }
}

#[tokio::test]
async fn a_community_key_cannot_sign_for_a_member() {
    let (home, remote) = scene().await;
    let owner = remote.login("alice").await;
    remote.community(&owner, "club", json!({})).await;
    let (_, club_key) = community_key(&remote, "club").await;
    let (alice, _) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    let got = SignedPost::new(&activity, &club_key).send(&home).await;
    assert_error(&got, StatusCode::UNAUTHORIZED, "key_owner_mismatch", None);
    assert_nothing_stored(&home, &activity).await;
}

/// Sets the public key (and, where given, the private key) of `actor`'s row on `app`.
async fn store_key(app: &TestApp, actor: &str, public: &str, private: Option<&str>) {
    use copse::db::schema::persons;
    use diesel::prelude::*;
    let (actor, public, private) = (
        actor.to_string(),
        public.to_string(),
        private.map(str::to_string),
    );
    app.context()
        .db(move |conn| {
            let row = persons::table.filter(persons::ap_id.eq(&actor));
            diesel::update(row)
                .set(persons::public_key.eq(&public))
                .execute(conn)?;
            if let Some(private) = private {
                diesel::update(row)
                    .set(persons::private_key.eq(private))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .expect("update");
}

/// The inbox keeps its senders' rows (`federation::senders`). When another process on the same
/// database has stored an actor's new key, a signature by that key verifies against the
/// database's row; one by the old key, or by a key that never was the actor's, is still 401.
#[tokio::test]
async fn a_kept_sender_gives_way_to_the_key_its_database_has_now() {
    let (home, remote) = scene().await;
    let (alice, old_key) = person_key(&remote, "alice").await;
    let (_, mallory_key) = person_key(&remote, "mallory").await;
    let first = follow(&alice, &home);
    let (status, body) = SignedPost::new(&first, &old_key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");

    // Alice's new key pair: her instance serves it, and home's database has it, as another
    // process of home would have stored it after fetching her again.
    let (public, private) = copse::domain::keys::generate().expect("a key pair");
    store_key(&remote, &alice, &public, Some(&private)).await;
    store_key(&home, &alice, &public, None).await;
    let new_key = Key {
        id: old_key.id.clone(),
        pem: private,
    };
    let again = follow(&alice, &home);
    let (status, body) = SignedPost::new(&again, &new_key).send(&home).await;
    assert!(status.is_success(), "the new key: {status} {body}");
    let id = again["id"].as_str().expect("id").to_string();
    let received = home
        .context()
        .db(move |conn| copse::db::members::was_received(conn, &id))
        .await
        .expect("query");
    assert!(received, "the activity signed with the new key was applied");

    for key in [&old_key, &mallory_key] {
        let key = Key {
            id: old_key.id.clone(),
            pem: key.pem.clone(),
        };
        let activity = follow(&alice, &home);
        let got = SignedPost::new(&activity, &key).send(&home).await;
        assert_error(&got, StatusCode::UNAUTHORIZED, "signature_invalid", None);
    }
}
