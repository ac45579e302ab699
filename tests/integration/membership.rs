//! Joining and leaving: locally under each policy, and across instances with signed
//! Follow / Accept / Reject / Undo exchanged over real HTTP.

use crate::helpers::{assert_error, eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn host_with(policy: &str, questions: serde_json::Value) -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let (status, body) = app
        .community(
            &owner,
            "chess",
            json!({"membership_policy": policy, "questions": questions}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (app, owner)
}

fn chess_id(home: &TestApp) -> String {
    format!("http://{}/c/chess", home.hostname)
}

#[tokio::test]
async fn local_join_follows_each_policy() {
    let (app, _) = host_with("open", json!([])).await;
    let ann = app.user("ann").await;
    let (status, body) = app
        .post("/api/v1/communities/chess/join", Some(&ann), json!({}))
        .await;
    assert_eq!(
        (status, body["state"].clone()),
        (StatusCode::OK, json!("active"))
    );
    assert!(app
        .member_handles("chess", None)
        .await
        .contains(&format!("ann@{}", app.hostname)));
    // Joining again is harmless.
    let again = app
        .call(
            Method::POST,
            "/api/v1/communities/chess/join",
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(again.1["state"], "active");

    let owner = app.login("owner").await;
    app.community(
        &owner,
        "closed_club",
        json!({"membership_policy": "invite"}),
    )
    .await;
    let refused = app
        .post(
            "/api/v1/communities/closed_club/join",
            Some(&ann),
            json!({}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "invite_only", None);
    let missing = app
        .post("/api/v1/communities/nowhere/join", Some(&ann), json!({}))
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let anon = app
        .post("/api/v1/communities/chess/join", None, json!({}))
        .await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let bad = app
        .post(
            "/api/v1/communities/chess/join",
            Some(&ann),
            json!({"answers": "yes"}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("answers"),
    );
}

#[tokio::test]
async fn local_application_waits_for_a_moderator() {
    let (app, owner) = host_with("approval", json!(["Your rating?", "Why join?"])).await;
    let ben = app.user("ben").await;
    let unanswered = app
        .post("/api/v1/communities/chess/join", Some(&ben), json!({}))
        .await;
    assert_error(
        &unanswered,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("answers"),
    );
    let (_, body) = app
        .post(
            "/api/v1/communities/chess/join",
            Some(&ben),
            json!({"answers": ["1500", "To learn openings"]}),
        )
        .await;
    assert_eq!(body["state"], "pending");
    assert!(!app
        .member_handles("chess", None)
        .await
        .iter()
        .any(|h| h.starts_with("ben@")));

    let not_mod = app
        .get("/api/v1/communities/chess/applications", Some(&ben))
        .await;
    assert_error(&not_mod, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, apps) = app
        .get("/api/v1/communities/chess/applications", Some(&owner))
        .await;
    assert_eq!(status, StatusCode::OK, "{apps}");
    let application = &apps["items"][0];
    assert_eq!(application["handle"], format!("ben@{}", app.hostname));
    let answers = application["answers"].as_str().unwrap_or_default();
    assert!(
        answers.contains("Why join?") && answers.contains("To learn openings"),
        "{answers}"
    );

    let id = application["person_id"].as_i64().expect("id");
    let by_member = app
        .call(
            Method::POST,
            &format!("/api/v1/communities/chess/applications/{id}/approve"),
            Some(&ben),
            None,
        )
        .await;
    assert_eq!(by_member.0, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/communities/chess/applications/{id}/approve"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(app
        .member_handles("chess", None)
        .await
        .contains(&format!("ben@{}", app.hostname)));
    let twice = app
        .call(
            Method::POST,
            &format!("/api/v1/communities/chess/applications/{id}/approve"),
            Some(&owner),
            None,
        )
        .await;
    assert_error(&twice, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn members_leave_but_the_owner_cannot() {
    let (app, owner) = host_with("open", json!([])).await;
    let cat = app.user("cat").await;
    app.post("/api/v1/communities/chess/join", Some(&cat), json!({}))
        .await;
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/communities/chess/join",
            Some(&cat),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!app
        .member_handles("chess", None)
        .await
        .iter()
        .any(|h| h.starts_with("cat@")));
    let owner_leaves = app
        .call(
            Method::DELETE,
            "/api/v1/communities/chess/join",
            Some(&owner),
            None,
        )
        .await;
    assert_error(
        &owner_leaves,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owner_cannot_leave",
        None,
    );
    let not_member = app
        .call(
            Method::DELETE,
            "/api/v1/communities/chess/join",
            Some(&cat),
            None,
        )
        .await;
    assert_error(&not_member, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn private_member_lists_are_for_members() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "quiet", json!({"visibility": "private"}))
        .await;
    let outsider = app.user("dan").await;
    let got = app
        .get("/api/v1/communities/quiet/members", Some(&outsider))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "members_only", None);
    let got = app.get("/api/v1/communities/quiet/members", None).await;
    assert_error(&got, StatusCode::FORBIDDEN, "members_only", None);
    assert_eq!(app.member_handles("quiet", Some(&owner)).await.len(), 1);
}

#[tokio::test]
async fn remote_member_joins_an_open_community_and_leaves() {
    let (home, _) = host_with("open", json!([])).await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    let remote_ref = format!("chess@{}", home.hostname);
    let (status, body) = away
        .post(
            &format!("/api/v1/communities/{remote_ref}/join"),
            Some(&eve),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = chess_id(&home);
    eventually("the Accept reaches eve's instance", || async {
        (away.membership_state("eve", &id).await.as_deref() == Some("active")).then_some(())
    })
    .await;
    let eve_handle = format!("eve@{}", away.hostname);
    assert!(home
        .member_handles("chess", None)
        .await
        .contains(&eve_handle));
    let followers = home.activity_json("/c/chess/followers").await;
    assert_eq!(followers["totalItems"], 2);

    let (status, _) = away
        .call(
            Method::DELETE,
            &format!("/api/v1/communities/{remote_ref}/join"),
            Some(&eve),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(away.membership_state("eve", &id).await, None);
    eventually("the Undo(Follow) reaches the community", || async {
        (!home
            .member_handles("chess", None)
            .await
            .contains(&eve_handle))
        .then_some(())
    })
    .await;
}

#[tokio::test]
async fn remote_follow_of_approval_community_waits_for_moderator() {
    let (home, owner) = host_with("approval", json!(["Your rating?"])).await;
    let away = TestApp::spawn().await;
    let third = TestApp::spawn().await;
    let fay = away.user("fay").await;
    let gus = third.user("gus").await;
    let remote_ref = format!("chess@{}", home.hostname);
    for (app, token) in [(&away, &fay), (&third, &gus)] {
        let (status, body) = app
            .post(
                &format!("/api/v1/communities/{remote_ref}/join"),
                Some(token),
                json!({"answers": ["About 1800"]}),
            )
            .await;
        assert_eq!(
            (status, body["state"].clone()),
            (StatusCode::OK, json!("pending")),
            "{body}"
        );
    }
    let apps = eventually("both applications arrive", || async {
        let (_, apps) = home
            .get("/api/v1/communities/chess/applications", Some(&owner))
            .await;
        (apps["items"].as_array().map_or(0, Vec::len) == 2).then_some(apps)
    })
    .await;
    let find = |handle: String| {
        apps["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|a| a["handle"] == handle)
            .cloned()
            .expect("application")
    };
    let fay_app = find(format!("fay@{}", away.hostname));
    assert!(
        fay_app["answers"]
            .as_str()
            .unwrap_or("")
            .contains("About 1800"),
        "{fay_app}"
    );
    let gus_app = find(format!("gus@{}", third.hostname));

    let id = chess_id(&home);
    assert_eq!(
        away.membership_state("fay", &id).await.as_deref(),
        Some("pending")
    );
    let decide = |app: &serde_json::Value, verb: &str| {
        format!(
            "/api/v1/communities/chess/applications/{}/{verb}",
            app["person_id"]
        )
    };
    let (status, _) = home
        .call(
            Method::POST,
            &decide(&fay_app, "approve"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = home
        .call(
            Method::POST,
            &decide(&gus_app, "reject"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    eventually("the Accept makes fay a member", || async {
        (away.membership_state("fay", &id).await.as_deref() == Some("active")).then_some(())
    })
    .await;
    eventually("the Reject removes gus's application", || async {
        third
            .membership_state("gus", &id)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    let members = home.member_handles("chess", None).await;
    assert!(members.contains(&format!("fay@{}", away.hostname)));
    assert!(!members.iter().any(|h| h.starts_with("gus@")));
}

#[tokio::test]
async fn remote_follow_of_invite_only_community_is_rejected() {
    let (home, _) = host_with("invite", json!([])).await;
    let away = TestApp::spawn().await;
    let hal = away.user("hal").await;
    let (status, body) = away
        .post(
            &format!("/api/v1/communities/chess@{}/join", home.hostname),
            Some(&hal),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["state"].clone()),
        (StatusCode::OK, json!("pending"))
    );
    let id = chess_id(&home);
    eventually("the Reject arrives", || async {
        away.membership_state("hal", &id)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    assert_eq!(home.member_handles("chess", None).await.len(), 1);
}

#[tokio::test]
async fn unsigned_or_misaddressed_inbox_posts_are_refused() {
    let (home, _) = host_with("open", json!([])).await;
    let follow = json!({
        "id": "http://elsewhere.example/follow/1", "type": "Follow",
        "actor": "http://elsewhere.example/u/x", "object": chess_id(&home)
    });
    let res = home
        .client
        .post(home.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(follow.to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let unknown = home
        .post(
            &format!("/api/v1/communities/nobody@{}/join", home.hostname),
            Some(&home.login("owner").await),
            json!({}),
        )
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    let away = TestApp::spawn().await;
    let ivy = away.user("ivy").await;
    let remote_unknown = away
        .post(
            &format!("/api/v1/communities/nobody@{}/join", home.hostname),
            Some(&ivy),
            json!({}),
        )
        .await;
    assert_error(&remote_unknown, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn charter_changes_reach_members_instances() {
    let (home, owner) = host_with("open", json!([])).await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let (status, _) = home
        .call(
            Method::PATCH,
            "/api/v1/communities/chess",
            Some(&owner),
            Some(json!({"title": "Chess club", "summary": "Chess **now**",
                "charter": {"meeting_cadence": "Thursdays"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = chess_id(&home);
    let stored = eventually("the Update(Group) arrives", || async {
        let id = id.clone();
        let c = away
            .context()
            .db(move |conn| copse::db::communities::by_ap_id(conn, &id))
            .await
            .ok()??;
        (c.title == "Chess club").then_some(c)
    })
    .await;
    assert_eq!(stored.meeting_cadence, "Thursdays");
    // The charter section the Group's summary carries for Lemmy is cut off again here.
    assert_eq!(stored.summary_md, "Chess **now**");
    assert!(
        !stored.summary_html.contains("Charter"),
        "{}",
        stored.summary_html
    );
}
