//! Moderators across instances: appointing and removing them, restoring removed content,
//! reports, invitations and the public modlog.

use crate::helpers::{assert_error, eventually, find_post, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn person_id(app: &TestApp, community: &str, handle: &str) -> i64 {
    let (_, page) = app
        .get(
            &format!("/api/v1/communities/{community}/members?limit=100"),
            None,
        )
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"] == handle)
        .and_then(|m| m["person_id"].as_i64())
        .unwrap_or_else(|| panic!("{handle} is not a member: {page}"))
}

async fn role_on(app: &TestApp, community: &str, handle: &str) -> Option<String> {
    let (_, page) = app
        .get(
            &format!("/api/v1/communities/{community}/members?limit=100"),
            None,
        )
        .await;
    page["items"]
        .as_array()?
        .iter()
        .find(|m| m["handle"] == handle)
        .and_then(|m| m["role"].as_str().map(str::to_string))
}

async fn modlog_actions(app: &TestApp, community: &str) -> Vec<String> {
    let (status, page) = app
        .get(&format!("/api/v1/communities/{community}/modlog"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_moderator_on_another_instance_is_appointed_acts_and_is_removed() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let remote = format!("chess@{}", home.hostname);
    let bob = away.user("bob").await;
    away.join_remote(&bob, "bob", &home, "chess").await;
    let ann = home.user("ann").await;
    home.post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    let bob_handle = format!("bob@{}", away.hostname);
    let bob_id = person_id(&home, "chess", &bob_handle).await;

    // Members cannot appoint; strangers cannot be appointed.
    let by_member = home
        .post(
            "/api/v1/communities/chess/moderators",
            Some(&ann),
            json!({"person_id": bob_id}),
        )
        .await;
    assert_error(&by_member, StatusCode::FORBIDDEN, "not_allowed", None);
    home.user("zed").await;
    let zed_id = home
        .context()
        .db(|conn| copse::db::accounts::local_person_by_name(conn, "zed"))
        .await
        .unwrap()
        .unwrap()
        .id;
    let not_member = home
        .post(
            "/api/v1/communities/chess/moderators",
            Some(&owner),
            json!({"person_id": zed_id}),
        )
        .await;
    assert_error(
        &not_member,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_member",
        None,
    );

    let (status, body) = home
        .post(
            "/api/v1/communities/chess/moderators",
            Some(&owner),
            json!({"person_id": bob_id}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        role_on(&home, "chess", &bob_handle).await.as_deref(),
        Some("moderator")
    );
    let moderators = home.activity_json("/c/chess/moderators").await;
    assert!(
        moderators["orderedItems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap_or_default().contains(&away.hostname)),
        "{moderators}"
    );
    eventually("bob's instance learns he moderates", || async {
        (role_on(&away, &remote, &bob_handle).await.as_deref() == Some("moderator")).then_some(())
    })
    .await;

    // Bob locks a thread from his own instance; the community applies it.
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&ann),
            json!({"title": "Heated"}),
        )
        .await;
    let home_id = post["id"].as_i64().unwrap();
    let on_away = eventually("the post arrives", || find_post(&away, &remote, "Heated")).await;
    let (status, body) = away
        .post(
            &format!("/api/v1/posts/{}/lock", on_away["id"]),
            Some(&bob),
            json!({"locked": true, "reason": "cool down"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    eventually("the community applies bob's lock", || async {
        (home.get(&format!("/api/v1/posts/{home_id}"), None).await.1["locked"] == true)
            .then_some(())
    })
    .await;

    // Only the owner removes a moderator.
    let by_ann = home
        .call(
            Method::DELETE,
            &format!("/api/v1/communities/chess/moderators/{bob_id}"),
            Some(&ann),
            None,
        )
        .await;
    assert_error(&by_ann, StatusCode::FORBIDDEN, "not_allowed", None);
    let (status, _) = home
        .call(
            Method::DELETE,
            &format!("/api/v1/communities/chess/moderators/{bob_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("bob's instance learns he no longer moderates", || async {
        (role_on(&away, &remote, &bob_handle).await.as_deref() == Some("member")).then_some(())
    })
    .await;
    let refused = away
        .post(
            &format!("/api/v1/posts/{}/lock", on_away["id"]),
            Some(&bob),
            json!({"locked": false}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "not_a_moderator", None);

    let actions = modlog_actions(&home, "chess").await;
    assert_eq!(
        actions,
        ["remove_moderator", "lock_post", "add_moderator"],
        "newest first"
    );
    let (_, log) = home.get("/api/v1/communities/chess/modlog", None).await;
    assert_eq!(log["items"][1]["moderator"], json!(bob_handle));
    assert_eq!(log["items"][1]["reason"], "cool down");
    assert_eq!(log["items"][0]["person"], json!(bob_handle));
}

#[tokio::test]
async fn removed_content_is_restored_everywhere_and_author_deletions_stay_gone() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let remote = format!("chess@{}", home.hostname);
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let ann = home.user("ann").await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&ann),
            json!({"title": "Borderline", "body": "keep me"}),
        )
        .await;
    let id = post["id"].as_i64().unwrap();
    eventually("the post arrives", || {
        find_post(&away, &remote, "Borderline")
    })
    .await;

    let (status, _) = home
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            Some(&owner),
            Some(json!({"reason": "check"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("the removal arrives", || async {
        find_post(&away, &remote, "Borderline")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    let by_member = home
        .post(
            &format!("/api/v1/posts/{id}/restore"),
            Some(&ann),
            json!({}),
        )
        .await;
    assert_error(&by_member, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, body) = home
        .post(
            &format!("/api/v1/posts/{id}/restore"),
            Some(&owner),
            json!({"reason": "fine after all"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, restored) = home.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(restored["body"], "keep me", "content kept through removal");
    let on_away = eventually("the restore arrives", || {
        find_post(&away, &remote, "Borderline")
    })
    .await;
    assert_eq!(on_away["body"], "keep me");
    let again = home
        .post(
            &format!("/api/v1/posts/{id}/restore"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found", None);

    // What its author deleted cannot be restored.
    home.call(
        Method::DELETE,
        &format!("/api/v1/posts/{id}"),
        Some(&ann),
        None,
    )
    .await;
    let gone = home
        .post(
            &format!("/api/v1/posts/{id}/restore"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(
        modlog_actions(&home, "chess").await,
        ["restore_post", "remove_post"]
    );
}

#[tokio::test]
async fn reports_reach_the_communitys_moderators_who_resolve_them() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let remote = format!("chess@{}", home.hostname);
    let carol = away.user("carol").await;
    away.join_remote(&carol, "carol", &home, "chess").await;
    let ann = home.user("ann").await;
    home.post(
        "/api/v1/communities/chess/posts",
        Some(&ann),
        json!({"title": "Spammy"}),
    )
    .await;
    let on_away = eventually("the post arrives", || find_post(&away, &remote, "Spammy")).await;

    let empty = away
        .post(
            &format!("/api/v1/posts/{}/report", on_away["id"]),
            Some(&carol),
            json!({"reason": "  "}),
        )
        .await;
    assert_error(
        &empty,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("reason"),
    );
    let missing = away
        .post(
            "/api/v1/posts/999999/report",
            Some(&carol),
            json!({"reason": "x"}),
        )
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let (status, filed) = away
        .post(
            &format!("/api/v1/posts/{}/report", on_away["id"]),
            Some(&carol),
            json!({"reason": "advertising"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["resolved"], false);

    let carol_handle = format!("carol@{}", away.hostname);
    let report = eventually("the Flag reaches the community", || async {
        let (_, page) = home
            .get("/api/v1/communities/chess/reports", Some(&owner))
            .await;
        page["items"].as_array()?.first().cloned()
    })
    .await;
    assert_eq!(report["reporter"], json!(carol_handle));
    assert_eq!(report["reason"], "advertising");
    assert_eq!(report["object_id"], on_away["actor_id"]);

    let not_mod = home
        .get("/api/v1/communities/chess/reports", Some(&ann))
        .await;
    assert_error(&not_mod, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, resolved) = home
        .post(
            &format!("/api/v1/reports/{}/resolve", report["id"]),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["resolved"], true);
    let (_, open) = home
        .get("/api/v1/communities/chess/reports", Some(&owner))
        .await;
    assert_eq!(open["items"], json!([]));
    let (_, all) = home
        .get("/api/v1/communities/chess/reports?all=true", Some(&owner))
        .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn invite_only_communities_admit_invited_people_from_anywhere() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home
        .community(&owner, "circle", json!({"membership_policy": "invite"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ann = home.user("ann").await;
    let uninvited = home
        .post("/api/v1/communities/circle/join", Some(&ann), json!({}))
        .await;
    assert_error(&uninvited, StatusCode::FORBIDDEN, "invite_only", None);

    let by_member = home
        .post(
            "/api/v1/communities/circle/invitations",
            Some(&ann),
            json!({"person": "ann"}),
        )
        .await;
    assert_error(&by_member, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let nobody = home
        .post(
            "/api/v1/communities/circle/invitations",
            Some(&owner),
            json!({"person": "nobody"}),
        )
        .await;
    assert_error(
        &nobody,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("person"),
    );
    let (status, body) = home
        .post(
            "/api/v1/communities/circle/invitations",
            Some(&owner),
            json!({"person": "ann"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, joined) = home
        .post("/api/v1/communities/circle/join", Some(&ann), json!({}))
        .await;
    assert_eq!(
        (status, joined["state"].clone()),
        (StatusCode::OK, json!("active"))
    );

    // A remote person: refused until invited by handle, then the Follow is accepted.
    let dave = away.user("dave").await;
    let remote = format!("circle@{}", home.hostname);
    let group = format!("http://{}/c/circle", home.hostname);
    away.post(
        &format!("/api/v1/communities/{remote}/join"),
        Some(&dave),
        json!({}),
    )
    .await;
    eventually("the Follow is rejected", || async {
        away.membership_state("dave", &group)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    let dave_handle = format!("dave@{}", away.hostname);
    let (status, invited) = home
        .post(
            "/api/v1/communities/circle/invitations",
            Some(&owner),
            json!({"person": dave_handle}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invited}");
    let (_, open) = home
        .get("/api/v1/communities/circle/invitations", Some(&owner))
        .await;
    assert_eq!(open[0]["handle"], json!(dave_handle));
    away.join_remote(&dave, "dave", &home, "circle").await;
    let (_, open) = home
        .get("/api/v1/communities/circle/invitations", Some(&owner))
        .await;
    assert_eq!(open, json!([]), "an invitation is used once");
}

#[tokio::test]
async fn a_private_communitys_modlog_is_for_members() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "inner", json!({"visibility": "private"}))
        .await;
    let outsider = app.user("out").await;
    let hidden = app
        .get("/api/v1/communities/inner/modlog", Some(&outsider))
        .await;
    assert_error(&hidden, StatusCode::NOT_FOUND, "not_found", None);
    let (status, page) = app
        .get("/api/v1/communities/inner/modlog", Some(&owner))
        .await;
    assert_eq!((status, page["items"].clone()), (StatusCode::OK, json!([])));
    let bad = app
        .get("/api/v1/communities/inner/modlog?cursor=x", Some(&owner))
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("cursor"),
    );
}
