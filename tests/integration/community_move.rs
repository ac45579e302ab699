//! Moving a community across instances: the new community lists the old one in `alsoKnownAs`,
//! the old one moves (its Group has `movedTo`, its page points to the new one, it takes no new
//! posts), a follower on a third instance receives the `Move` and re-follows the new community;
//! a `Move` signed by anyone but the old Group is refused.

use crate::{
    authorized_fetch::person_signed,
    helpers::{assert_error, eventually, TestApp},
};
use activitypub_federation::config::Data;
use copse::context::AppContext;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// POSTs `activity` to `to`'s shared inbox, signed as `data`'s signing actor.
async fn deliver(data: &Data<AppContext>, to: &TestApp, activity: Value) -> StatusCode {
    crate::library_federation::deliver(data, to, activity)
        .await
        .0
}

#[tokio::test]
async fn a_moved_community_takes_its_followers_to_the_new_one() {
    let (old_home, new_home, follower_home) =
        tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());
    let olga = old_home.user("olga").await;
    let nina = new_home.user("nina").await;
    let carl = follower_home.user("carl").await;
    let ann = old_home.user("ann").await;
    assert_eq!(
        old_home.community(&olga, "guild", json!({})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        new_home.community(&nina, "newguild", json!({})).await.0,
        StatusCode::CREATED
    );
    old_home
        .post("/api/v1/communities/guild/join", Some(&ann), json!({}))
        .await;
    follower_home
        .join_remote(&carl, "carl", &old_home, "guild")
        .await;
    let old_id = format!("http://{}/c/guild", old_home.hostname);
    let new_id = format!("http://{}/c/newguild", new_home.hostname);

    // Not before the new community lists the old one.
    let early = old_home
        .post(
            "/api/v1/communities/guild/move",
            Some(&olga),
            json!({"community": new_id}),
        )
        .await;
    assert_error(
        &early,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_an_alias",
        None,
    );
    let (status, new) = new_home
        .post(
            "/api/v1/communities/newguild/aliases",
            Some(&nina),
            json!({"community": format!("guild@{}", old_home.hostname)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{new}");
    assert_eq!(new["also_known_as"], json!([old_id]));
    assert_eq!(
        new_home.activity_json("/c/newguild").await["alsoKnownAs"],
        json!([old_id])
    );

    // Only the owner moves it; then it has moved.
    let by_ann = old_home
        .post(
            "/api/v1/communities/guild/move",
            Some(&ann),
            json!({"community": new_id}),
        )
        .await;
    assert_error(&by_ann, StatusCode::FORBIDDEN, "not_an_owner", None);
    let (status, moved) = old_home
        .post(
            "/api/v1/communities/guild/move",
            Some(&olga),
            json!({"community": new_id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["moved_to"], new_id);
    assert_eq!(old_home.activity_json("/c/guild").await["movedTo"], new_id);
    let page = old_home.fetch("/c/guild", "text/html").await.2;
    assert!(page.contains("This community has moved to"), "{page}");
    let refused = old_home
        .post(
            "/api/v1/communities/guild/posts",
            Some(&olga),
            json!({"title": "t", "body": "b"}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "community_moved",
        None,
    );

    // The local member follows the new community (a remote one) and is accepted there; the
    // follower on the third instance received the Move and re-followed.
    eventually("ann is a member of the new community", || async {
        (old_home.membership_state("ann", &new_id).await.as_deref() == Some("active")).then_some(())
    })
    .await;
    eventually("carl re-followed the new community", || async {
        (follower_home
            .membership_state("carl", &new_id)
            .await
            .as_deref()
            == Some("active"))
        .then_some(())
    })
    .await;
    let members = new_home.member_handles("newguild", None).await;
    assert!(
        members.contains(&format!("carl@{}", follower_home.hostname)),
        "{members:?}"
    );
    let (_, seen) = follower_home
        .get(
            &format!("/api/v1/communities/guild@{}", old_home.hostname),
            None,
        )
        .await;
    assert_eq!(seen["moved_to"], new_id, "{seen}");
}

#[tokio::test]
async fn a_move_signed_by_anyone_but_the_old_group_is_refused() {
    let (old_home, other, follower_home) =
        tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());
    let olga = old_home.user("olga").await;
    let carl = follower_home.user("carl").await;
    let mallory = other.user("mallory").await;
    old_home.community(&olga, "guild", json!({})).await;
    other.community(&mallory, "trap", json!({})).await;
    follower_home
        .join_remote(&carl, "carl", &old_home, "guild")
        .await;
    let old_id = format!("http://{}/c/guild", old_home.hostname);
    let trap_id = format!("http://{}/c/trap", other.hostname);
    // The trap even claims to continue the guild.
    other
        .post(
            "/api/v1/communities/trap/aliases",
            Some(&mallory),
            json!({"community": old_id}),
        )
        .await;

    // Mallory moves the guild in her own name: refused.
    let as_mallory = person_signed(&other, "mallory").await;
    let mallory_id = format!("http://{}/u/mallory", other.hostname);
    let forged = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/move/1", other.hostname),
        "type": "Move",
        "actor": mallory_id,
        "object": old_id,
        "target": trap_id,
    });
    let status = deliver(&as_mallory, &follower_home, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor can she send one in the guild's name: the signature is not the guild's.
    let in_its_name = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/move/2", old_home.hostname),
        "type": "Move",
        "actor": old_id,
        "object": old_id,
        "target": trap_id,
    });
    let status = deliver(&as_mallory, &follower_home, in_its_name).await;
    assert!(status.is_client_error(), "{status}");

    let (_, seen) = follower_home
        .get(
            &format!("/api/v1/communities/guild@{}", old_home.hostname),
            None,
        )
        .await;
    assert_eq!(seen["moved_to"], Value::Null, "{seen}");
    assert_eq!(follower_home.membership_state("carl", &trap_id).await, None);
    assert_eq!(
        follower_home
            .membership_state("carl", &old_id)
            .await
            .as_deref(),
        Some("active")
    );
}
