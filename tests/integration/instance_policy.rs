//! Block-lists and allow-lists of instances, by host and port: two instances on `localhost`
//! with different ports are different peers.

use crate::helpers::{eventually, TestApp};
use activitypub_federation::fetch::object_id::ObjectId;
use copse::{db::accounts::Person, error::ErrorKind};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// POSTs a Follow by `user@from` of `chess@to` to `to`'s inbox, signed by `from`'s instance
/// actor: enough to reach the instance policy, which is checked first.
async fn post_follow(from: &TestApp, user: &str, to: &TestApp) -> (StatusCode, Value) {
    let config = copse::federation::config(from.context())
        .await
        .expect("config");
    let data = config.to_request_data();
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/follow/1", from.hostname),
        "type": "Follow",
        "actor": format!("http://{}/u/{user}", from.hostname),
        "object": format!("http://{}/c/chess", to.hostname),
    });
    let body = follow.to_string();
    let builder = reqwest_middleware::ClientWithMiddleware::from(reqwest::Client::new())
        .post(to.url("/inbox"))
        .header("content-type", "application/activity+json");
    let request = data
        .sign_request(builder, body.into_bytes().into())
        .await
        .expect("sign");
    let response = reqwest::Client::new().execute(request).await.expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

async fn home_with(adjust: impl FnOnce(&mut copse::config::Settings)) -> TestApp {
    let home = TestApp::spawn_with(adjust).await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    home
}

#[tokio::test]
async fn a_blocked_instance_is_refused_both_ways_and_its_neighbour_is_not() {
    let blocked = TestApp::spawn().await;
    let neighbour = TestApp::spawn().await;
    blocked.user("mallory").await;
    let blocked_host = blocked.hostname.clone();
    // Spelled differently from how URLs show it: canonical comparison still matches.
    let home = home_with(|s| s.blocked_instances = vec![blocked_host.to_uppercase()]).await;

    let (status, body) = post_follow(&blocked, "mallory", &home).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "instance_blocked");
    assert_eq!(
        home.member_handles("chess", None).await.len(),
        1,
        "nothing stored"
    );

    let config = copse::federation::config(home.context())
        .await
        .expect("config");
    let fetched = ObjectId::<Person>::parse(&format!("http://{blocked_host}/u/mallory"))
        .expect("id")
        .dereference(&config.to_request_data())
        .await;
    assert_eq!(
        fetched.err().map(|e| e.kind),
        Some(ErrorKind::Forbidden),
        "no fetch from it"
    );

    // Same host, another port: another instance, welcome.
    let nina = neighbour.user("nina").await;
    let group = format!("http://{}/c/chess", home.hostname);
    neighbour
        .post(
            &format!("/api/v1/communities/chess@{}/join", home.hostname),
            Some(&nina),
            json!({}),
        )
        .await;
    eventually("the neighbour's member is accepted", || async {
        (neighbour.membership_state("nina", &group).await.as_deref() == Some("active"))
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_allow_list_admits_only_its_instances() {
    let friend = TestApp::spawn().await;
    let stranger = TestApp::spawn().await;
    friend.user("fred").await;
    stranger.user("sid").await;
    let friend_host = friend.hostname.clone();
    let home = home_with(|s| s.allowed_instances = vec![friend_host]).await;
    let (status, body) = post_follow(&stranger, "sid", &home).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::FORBIDDEN, json!("instance_blocked"))
    );
    let (status, body) = post_follow(&friend, "fred", &home).await;
    assert_ne!(status, StatusCode::FORBIDDEN, "{body}");
}
