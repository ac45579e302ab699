//! Authorized fetch: a private community's posts, comments and pinned posts are served only to
//! signed GETs from instances where it has active members (signed by their instance actor or by
//! a person); unsigned GETs and other instances get 404, as if nothing were there.

use crate::helpers::{assert_error, eventually, TestApp};
use activitypub_federation::config::{Data, FederationConfig};
use copse::context::AppContext;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A GET of `url` signed as `data`'s signed-fetch actor; status and JSON body.
pub(crate) async fn signed_get(data: &Data<AppContext>, url: &str) -> (StatusCode, Value) {
    signed_get_with(&crate::helpers::test_client(), data, url).await
}

/// `signed_get` through `client` (a client is costly to build: reuse one for many GETs).
pub(crate) async fn signed_get_with(
    client: &reqwest::Client,
    data: &Data<AppContext>,
    url: &str,
) -> (StatusCode, Value) {
    let builder = reqwest_middleware::ClientWithMiddleware::from(client.clone())
        .get(url)
        .header("accept", "application/activity+json");
    let request = data
        .sign_request(builder, Vec::new().into())
        .await
        .expect("sign");
    let response = client.execute(request).await.expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

/// Request data of `app` whose fetches its instance actor signs, as all of copse's do.
pub(crate) async fn instance_signed(app: &TestApp) -> Data<AppContext> {
    copse::federation::config(app.context())
        .await
        .expect("config")
        .to_request_data()
}

/// Request data of `app` whose fetches the local person `name` signs.
pub async fn person_signed(app: &TestApp, name: &str) -> Data<AppContext> {
    let lookup = name.to_string();
    let person = app
        .context()
        .db(move |conn| copse::db::accounts::local_person_by_name(conn, &lookup))
        .await
        .expect("query")
        .expect("person");
    let person = copse::actions::keys::person(&app.context(), person)
        .await
        .expect("key pair");
    FederationConfig::builder()
        .domain(app.hostname.clone())
        .app_data(app.context())
        .debug(true)
        .allow_http_urls(true)
        .http_signature_compat(true)
        .signed_fetch_actor(&person)
        .build()
        .await
        .expect("config")
        .to_request_data()
}

/// A private community `circle` on `home` with a post (pinned) and a comment written before
/// `bob` of `member_side` joined, so that no other instance was sent them.
struct Circle {
    home: TestApp,
    member_side: TestApp,
    owner: String,
    bob: String,
    post_url: String,
    comment_url: String,
}

async fn private_circle_with_a_remote_member() -> Circle {
    let home = TestApp::spawn().await;
    let member_side = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home
        .community(&owner, "circle", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = home
        .post(
            "/api/v1/communities/circle/posts",
            Some(&owner),
            json!({"title": "Members only", "body": "Hush"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_i64().expect("id");
    let (status, comment) = home
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&owner),
            json!({"body": "Quietly"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let pin = json!({"pinned": true});
    let pinned = home
        .post(&format!("/api/v1/posts/{post_id}/pin"), Some(&owner), pin)
        .await;
    assert_eq!(pinned.0, StatusCode::NO_CONTENT, "{}", pinned.1);
    let post_url = post["actor_id"].as_str().expect("url").to_string();

    let before = signed_get(&instance_signed(&member_side).await, &post_url).await;
    assert_error(&before, StatusCode::NOT_FOUND, "not_found", None);
    let bob = member_side.user("bob").await;
    member_side.join_remote(&bob, "bob", &home, "circle").await;
    Circle {
        home,
        member_side,
        owner,
        bob,
        post_url,
        comment_url: comment["actor_id"].as_str().expect("url").to_string(),
    }
}

/// Signed GETs follow the strict rules (issue 5): Mastodon's form (`(request-target) host date`,
/// no Digest) is recognised; a signature that leaves out `host` or `(request-target)`, uses
/// another algorithm, is stale, or is made with another key does not authorise anything.
#[tokio::test]
async fn signed_gets_must_sign_target_and_host() {
    let Circle {
        home,
        member_side,
        post_url,
        ..
    } = private_circle_with_a_remote_member().await;
    let path = post_url.trim_start_matches(&home.base).to_string();
    let (_, key) = crate::signing::person_key(&member_side, "bob").await;
    let get = crate::signing::SignedPost::get(&path, &key);
    let (status, page) = get.fetch(&home).await;
    assert_eq!((status, &page["id"]), (StatusCode::OK, &json!(post_url)));

    let (_, stranger_key) = crate::signing::person_key(&home, "owner").await;
    let forged = crate::signing::Key {
        id: key.id.clone(),
        pem: stranger_key.pem,
    };
    let mut stale = get.clone();
    stale.date = Some(crate::signing::http_date(-2 * 3600));
    let mut other_algorithm = get.clone();
    other_algorithm.algorithm = Some("rsa-sha512".into());
    let refused = [
        (
            "host unsigned",
            get.clone().signing(&["(request-target)", "date"]),
        ),
        ("target unsigned", get.clone().signing(&["host", "date"])),
        ("stale date", stale),
        ("another algorithm", other_algorithm),
        (
            "another key",
            crate::signing::SignedPost::get(&path, &forged),
        ),
    ];
    for (what, request) in refused {
        let got = request.fetch(&home).await;
        assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
        assert!(got.1.get("name").is_none(), "{what}: {}", got.1);
    }
}

#[tokio::test]
async fn private_content_is_served_only_to_members_instances() {
    let Circle {
        home,
        member_side,
        owner,
        bob,
        post_url,
        comment_url,
    } = private_circle_with_a_remote_member().await;
    let featured = home.url("/c/circle/featured");

    // The member's instance, signing as itself or as bob, gets everything.
    let member_data = instance_signed(&member_side).await;
    let (status, page) = signed_get(&member_data, &post_url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (&page["id"], &page["name"]),
        (&json!(post_url), &json!("Members only"))
    );
    let (status, note) = signed_get(&member_data, &comment_url).await;
    assert_eq!(status, StatusCode::OK, "{note}");
    assert_eq!(note["inReplyTo"], post_url);
    let (status, pins) = signed_get(&member_data, &featured).await;
    assert_eq!((status, &pins["totalItems"]), (StatusCode::OK, &json!(1)));
    assert_eq!(pins["orderedItems"][0]["id"], post_url);
    let by_bob = person_signed(&member_side, "bob").await;
    let (status, page) = signed_get(&by_bob, &post_url).await;
    assert_eq!((status, &page["id"]), (StatusCode::OK, &json!(post_url)));

    // An instance without members (same host, another port), and unsigned GETs: nothing there.
    let stranger = TestApp::spawn().await;
    let stranger_data = instance_signed(&stranger).await;
    for url in [&post_url, &comment_url] {
        let got = signed_get(&stranger_data, url).await;
        assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
        let path = url.trim_start_matches(&home.base);
        let (status, _, _) = home.fetch(path, "application/activity+json").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "unsigned GET of {path}");
    }
    let (status, pins) = signed_get(&stranger_data, &featured).await;
    assert_eq!((status, &pins["totalItems"]), (StatusCode::OK, &json!(0)));
    let unsigned = home.activity_json("/c/circle/featured").await;
    assert_eq!(unsigned["totalItems"], 0);
    assert_eq!(
        home.activity_json("/c/circle/outbox").await["totalItems"],
        0
    );

    // When bob leaves, his instance has no member left and is refused too.
    let leave = format!("/api/v1/communities/circle@{}/join", home.hostname);
    let (status, body) = member_side
        .call(Method::DELETE, &leave, Some(&bob), None)
        .await;
    assert!(status.is_success(), "{body}");
    eventually("the community sees bob leave", || async {
        let members = home.member_handles("circle", Some(&owner)).await;
        (members.len() == 1).then_some(())
    })
    .await;
    let got = signed_get(&member_data, &post_url).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn private_content_stays_with_members_on_their_instance_and_in_search() {
    let Circle {
        home,
        member_side,
        owner,
        bob,
        post_url,
        ..
    } = private_circle_with_a_remote_member().await;
    // bob finds the post through his own instance, which fetches it (signed).
    let search = format!("/api/v1/resolve?q={post_url}");
    let (status, found) = member_side.get(&search, Some(&bob)).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        (&found["kind"], &found["title"]),
        (&json!("post"), &json!("Members only"))
    );
    // There the community is private too: its content is for its members only.
    let remote_posts = format!("/api/v1/communities/circle@{}/posts", home.hostname);
    let anonymous = member_side.get(&remote_posts, None).await;
    assert_error(&anonymous, StatusCode::FORBIDDEN, "members_only", None);
    let (status, page) = member_side.get(&remote_posts, Some(&bob)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["title"], "Members only");
    // Search finds it for members only, there and at home.
    let carol = member_side.user("carol").await;
    let got = member_side.get(&search, Some(&carol)).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let got = home.get(&search, None).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(home.get(&search, Some(&owner)).await.0, StatusCode::OK);
}
