//! Block-lists and allow-lists of instances, by host and port: two instances on `localhost`
//! with different ports are different peers. The settings' lists, and the administrators'
//! through `/api/v1/admin/instances`, in force at once and after a restart.

use crate::{
    authorized_fetch::person_signed,
    helpers::{assert_error, eventually, TestApp, TestDb, PASSWORD},
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use copse::{
    actions::accounts::Origin, context::AppContext, db::accounts::Person,
    domain::accounts::NewAccount, error::ErrorKind,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// POSTs a Follow by `user@from` of `chess@to` to `to`'s inbox, signed by `from`'s instance
/// actor: enough to reach the instance policy, which is checked first.
async fn post_follow(from: &TestApp, user: &str, to: &TestApp) -> (StatusCode, Value) {
    let config = copse::federation::config(from.context())
        .await
        .expect("config");
    send_follow(&config.to_request_data(), from, user, to).await
}

/// POSTs a Follow by `user@from` of `chess@to` (a new id each time), signed as `data`'s
/// signed-fetch actor.
async fn send_follow(
    data: &Data<AppContext>,
    from: &TestApp,
    user: &str,
    to: &TestApp,
) -> (StatusCode, Value) {
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/follow/{}", from.hostname, uuid::Uuid::new_v4()),
        "type": "Follow",
        "actor": format!("http://{}/u/{user}", from.hostname),
        "object": format!("http://{}/c/chess", to.hostname),
    });
    let body = follow.to_string();
    let builder = reqwest_middleware::ClientWithMiddleware::from(reqwest::Client::new())
        .post(to.url("/inbox"))
        .header("content-type", "application/activity+json")
        .header("host", &to.hostname);
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

/// An administrator of `app` (made as `copse admin create-user --admin` makes one) and a token.
pub async fn admin(app: &TestApp, name: &str) -> String {
    let input = NewAccount::parse(name, &format!("{name}@example.org"), PASSWORD).expect("input");
    copse::actions::accounts::create(&app.context(), input, Origin::Operator { admin: true })
        .await
        .expect("admin account");
    app.login(name).await
}

/// Whether `home` fetches `user`'s actor from `from` (over HTTP, whatever it has stored).
async fn fetch_person(home: &TestApp, from: &TestApp, user: &str) -> Result<(), ErrorKind> {
    fetch_actor(home, &format!("http://{}/u/{user}", from.hostname)).await
}

/// Fetches the person at `url` through `app`'s federation client, stored or not; the error
/// kind if that failed.
pub async fn fetch_actor(app: &TestApp, url: &str) -> Result<(), ErrorKind> {
    let config = copse::federation::config(app.context())
        .await
        .expect("config");
    ObjectId::<Person>::parse(url)
        .expect("id")
        .dereference_forced(&config.to_request_data())
        .await
        .map(|_| ())
        .map_err(|e| e.kind)
}

#[tokio::test]
async fn an_admin_blocks_an_instance_through_the_api_and_lifts_the_block() {
    let other = TestApp::spawn().await;
    other.user("mallory").await;
    let home = home_with(|_| {}).await;
    let root = admin(&home, "chief").await;
    let as_mallory = person_signed(&other, "mallory").await;
    assert_eq!(fetch_person(&home, &other, "mallory").await, Ok(()));

    // Spelled differently from how URLs show it: stored canonical, and in force at once.
    let (status, entry) = home
        .post(
            "/api/v1/admin/instances",
            Some(&root),
            json!({"host": other.hostname.to_uppercase().replace(":", ".:"), "policy": "block", "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["host"], other.hostname);
    assert_eq!(
        (&entry["policy"], &entry["reason"], &entry["from_settings"]),
        (&json!("block"), &json!("spam"), &json!(false))
    );
    let (status, body) = send_follow(&as_mallory, &other, "mallory", &home).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "instance_blocked");
    assert_eq!(home.member_handles("chess", None).await.len(), 1);
    assert_eq!(
        fetch_person(&home, &other, "mallory").await,
        Err(ErrorKind::Forbidden),
        "nothing is fetched from it"
    );
    let (status, lists) = home.get("/api/v1/admin/instances", Some(&root)).await;
    assert_eq!(status, StatusCode::OK, "{lists}");
    assert_eq!(lists["blocked"][0]["host"], other.hostname);
    assert_eq!(lists["allow_list_in_force"], false);

    let path = format!("/api/v1/admin/instances/{}", other.hostname);
    let (status, body) = home.call(Method::DELETE, &path, Some(&root), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = send_follow(&as_mallory, &other, "mallory", &home).await;
    assert!(status.is_success(), "federating again: {body}");
    let mallory = format!("mallory@{}", other.hostname);
    assert!(home.member_handles("chess", None).await.contains(&mallory));
    assert_eq!(fetch_person(&home, &other, "mallory").await, Ok(()));
    let again = home.call(Method::DELETE, &path, Some(&root), None).await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn instance_lists_are_for_admins_and_name_the_field_at_fault() {
    let app = TestApp::spawn_with(|s| s.blocked_instances = vec!["Settings.Example.".into()]).await;
    let root = admin(&app, "chief").await;
    let user = app.user("plain").await;
    let good = json!({"host": "spam.example", "policy": "block"});
    let path = "/api/v1/admin/instances";
    let one = "/api/v1/admin/instances/spam.example";
    for token in [None, Some(user.as_str())] {
        let (status, code) = match token {
            None => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Some(_) => (StatusCode::FORBIDDEN, "not_an_admin"),
        };
        assert_error(&app.get(path, token).await, status, code, None);
        assert_error(
            &app.post(path, token, good.clone()).await,
            status,
            code,
            None,
        );
        let delete = app.call(Method::DELETE, one, token, None).await;
        assert_error(&delete, status, code, None);
    }

    for (body, field) in [
        (json!({"host": "not a host", "policy": "block"}), "host"),
        (
            json!({"host": "https://x.example/", "policy": "block"}),
            "host",
        ),
        (
            json!({"host": "x.example:99999", "policy": "allow"}),
            "host",
        ),
        (json!({"host": "x.example", "policy": "ban"}), "policy"),
        (
            json!({"host": "x.example", "policy": "block", "reason": "a".repeat(501)}),
            "reason",
        ),
    ] {
        let got = app.post(path, Some(&root), body).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some(field));
    }
    let own = json!({"host": app.hostname, "policy": "block"});
    let got = app.post(path, Some(&root), own).await;
    assert_error(
        &got,
        StatusCode::UNPROCESSABLE_ENTITY,
        "own_instance",
        Some("host"),
    );
    let settings = json!({"host": "settings.example", "policy": "allow"});
    let got = app.post(path, Some(&root), settings).await;
    assert_error(&got, StatusCode::CONFLICT, "in_settings", None);
    let got = app
        .call(
            Method::DELETE,
            "/api/v1/admin/instances/settings.example",
            Some(&root),
            None,
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "in_settings", None);
    let got = app
        .call(
            Method::DELETE,
            "/api/v1/admin/instances/a%20b",
            Some(&root),
            None,
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some("host"));

    let (status, _) = app.post(path, Some(&root), good).await;
    assert_eq!(status, StatusCode::CREATED);
    // Listing it again moves it: now the allow-list is on.
    let (status, moved) = app
        .post(
            path,
            Some(&root),
            json!({"host": "SPAM.example", "policy": "allow"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["reason"], Value::Null);
    let (_, lists) = app.get(path, Some(&root)).await;
    assert_eq!(lists["allow_list_in_force"], true, "{lists}");
    let hosts = |key: &str| -> Vec<(String, bool)> {
        lists[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| {
                (
                    e["host"].as_str().unwrap_or("").to_string(),
                    e["from_settings"] == true,
                )
            })
            .collect()
    };
    assert_eq!(hosts("blocked"), [("settings.example".to_string(), true)]);
    assert_eq!(hosts("allowed"), [("spam.example".to_string(), false)]);
}

#[tokio::test]
async fn the_admins_instance_lists_survive_a_restart() {
    let other = TestApp::spawn().await;
    other.user("mallory").await;
    let mut home = home_with(|_| {}).await;
    let root = admin(&home, "chief").await;
    let body = json!({"host": other.hostname, "policy": "block", "reason": "spam"});
    let (status, _) = home
        .post("/api/v1/admin/instances", Some(&root), body)
        .await;
    assert_eq!(status, StatusCode::CREATED);

    home.server.take().expect("running").stop().await;
    let db = std::mem::replace(&mut home.db, TestDb::new());
    let restarted = TestApp::spawn_on(db, |_| {}).await;
    let root = restarted.login("chief").await;
    let (status, lists) = restarted.get("/api/v1/admin/instances", Some(&root)).await;
    assert_eq!(status, StatusCode::OK, "{lists}");
    assert_eq!(lists["blocked"][0]["host"], other.hostname, "{lists}");
    assert_eq!(lists["blocked"][0]["reason"], "spam");
    let (status, body) = post_follow(&other, "mallory", &restarted).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "in force from the start: {body}"
    );
}
