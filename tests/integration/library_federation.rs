//! Library pages over federation (issue 18): a page is an `Article` its Group announces on
//! creation and on each saved revision; an instance whose member follows the community keeps it
//! and shows it read-only with a link to edit it on its home; a remote member's `Update` is
//! applied by the home Group under the same rights as a local editor (members mode accepted;
//! moderators mode, a stale base, a non-member, an edit attributed to someone else refused, and
//! a page announced by another Group refused); a private community's page is never served to
//! outsiders.

use crate::{
    authorized_fetch::{instance_signed, person_signed, signed_get},
    helpers::{eventually, TestApp},
};
use activitypub_federation::config::{Data, FederationConfig};
use copse::context::AppContext;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Request data of `app` whose requests the local community `name`'s Group signs.
async fn group_signed(app: &TestApp, name: &str) -> Data<AppContext> {
    let lookup = name.to_string();
    let ctx = app.context();
    let community = ctx
        .db(move |conn| copse::db::communities::local_by_name(conn, &lookup))
        .await
        .expect("query")
        .expect("community");
    let community = copse::actions::keys::community(&ctx, community)
        .await
        .expect("key pair");
    FederationConfig::builder()
        .domain(app.hostname.clone())
        .app_data(ctx)
        .debug(true)
        .allow_http_urls(true)
        .http_signature_compat(true)
        .signed_fetch_actor(&community)
        .build()
        .await
        .expect("config")
        .to_request_data()
}

/// POSTs `activity` to `to`'s shared inbox, signed as `data`'s signing actor: the status and
/// the answer's text.
pub(crate) async fn deliver(
    data: &Data<AppContext>,
    to: &TestApp,
    activity: Value,
) -> (StatusCode, String) {
    let builder = reqwest_middleware::ClientWithMiddleware::from(reqwest::Client::new())
        .post(to.url("/inbox"))
        .header("content-type", "application/activity+json")
        .header("host", &to.hostname);
    let request = data
        .sign_request(builder, activity.to_string().into_bytes().into())
        .await
        .expect("sign");
    let response = reqwest::Client::new().execute(request).await.expect("send");
    (response.status(), response.text().await.unwrap_or_default())
}

/// The page `slug` of `community` (a local name or `name@host`) as `app`'s API shows it.
async fn page(app: &TestApp, community: &str, slug: &str) -> (StatusCode, Value) {
    app.get(
        &format!("/api/v1/communities/{community}/pages/{slug}"),
        None,
    )
    .await
}

/// A member's edit of the page at `page_url`, as `person_url`, written from revision `base`.
fn edit(person_url: &str, page_url: &str, group: &str, base: i64, body: &str) -> Value {
    let host = url::Url::parse(person_url).unwrap();
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams",
            {"copse": "https://w3id.org/copse#", "libraryRevision": "copse:libraryRevision"}],
        "type": "Update",
        "id": format!("http://{}/activities/update/{}", host.authority(), uuid::Uuid::new_v4()),
        "actor": person_url,
        "to": [group],
        "object": {
            "type": "Article",
            "id": page_url,
            "attributedTo": person_url,
            "name": "Sowing",
            "content": format!("<p>{body}</p>"),
            "source": {"content": body, "mediaType": "text/markdown"},
            "context": group,
            "libraryRevision": base,
            "revisionSummary": "from away",
        }
    })
}

#[tokio::test]
async fn pages_reach_followers_and_remote_members_edit_under_the_communitys_rights() {
    let (home, away) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    let olga = home.user("olga").await;
    home.community(&olga, "garden", json!({"membership_policy": "open"}))
        .await;
    let bea = away.user("bea").await;
    let _carl = away.user("carl").await;
    away.join_remote(&bea, "bea", &home, "garden").await;

    let (status, created) = home
        .post(
            "/api/v1/communities/garden/pages",
            Some(&olga),
            json!({"title": "Sowing", "body": "Sow in MARCHSPRING."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let page_url = format!("http://{}/c/garden/library/sowing", home.hostname);
    let group = format!("http://{}/c/garden", home.hostname);

    // The page is an Article at its id, told apart from a digest and a post.
    let article = home.activity_json("/c/garden/library/sowing").await;
    assert_eq!(article["type"], "Article");
    assert_eq!(article["id"], page_url);
    assert_eq!(article["context"], group);
    assert_eq!(article["libraryRevision"], 1);
    assert_eq!(article["source"]["mediaType"], "text/markdown");
    assert!(article.get("digestPeriod").is_none());

    // The follower instance keeps it and shows it read-only, with its home to edit it.
    let remote = format!("garden@{}", home.hostname);
    let kept = eventually("the page reaches the follower instance", || async {
        let (status, body) = page(&away, &remote, "sowing").await;
        (status == StatusCode::OK).then_some(body)
    })
    .await;
    assert_eq!(kept["revision"], 1);
    assert!(kept["body"].as_str().unwrap().contains("MARCHSPRING"));
    let html = away
        .fetch(&format!("/c/{remote}/library/sowing"), "text/html")
        .await
        .2;
    assert!(html.contains("MARCHSPRING"), "{html}");
    assert!(html.contains(&format!("href=\"{page_url}\"")), "{html}");
    assert!(html.contains("Edit on its home"), "{html}");

    // An edit at home is announced as an Update.
    let (status, body) = home
        .call(
            Method::PUT,
            "/api/v1/communities/garden/pages/sowing",
            Some(&olga),
            Some(json!({"title": "Sowing", "body": "Sow in APRILRAIN.", "base_revision": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the revision reaches the follower instance", || async {
        let (_, body) = page(&away, &remote, "sowing").await;
        (body["revision"] == 2 && body["body"].as_str()?.contains("APRILRAIN")).then_some(())
    })
    .await;

    // A remote member's edit, in members mode: applied as a revision by bea, announced back.
    let bea_url = format!("http://{}/u/bea", away.hostname);
    let as_bea = person_signed(&away, "bea").await;
    let stale = deliver(
        &as_bea,
        &home,
        edit(&bea_url, &page_url, &group, 1, "STALEEDIT"),
    )
    .await;
    assert_eq!(
        stale.0,
        StatusCode::CONFLICT,
        "a stale base is refused: {}",
        stale.1
    );
    let ok = deliver(
        &as_bea,
        &home,
        edit(&bea_url, &page_url, &group, 2, "Sow when BEAKNOWS."),
    )
    .await;
    assert!(ok.0.is_success(), "{ok:?}");
    let (_, at_home) = page(&home, "garden", "sowing").await;
    assert_eq!(at_home["revision"], 3, "{at_home}");
    assert!(at_home["body"].as_str().unwrap().contains("BEAKNOWS"));
    assert_eq!(at_home["last_editor"], format!("bea@{}", away.hostname));
    eventually("bea's revision is announced back", || async {
        let (_, body) = page(&away, &remote, "sowing").await;
        (body["revision"] == 3).then_some(())
    })
    .await;

    // Someone who is not a member, and an edit attributed to someone else: refused.
    let carl_url = format!("http://{}/u/carl", away.hostname);
    let as_carl = person_signed(&away, "carl").await;
    let status = deliver(
        &as_carl,
        &home,
        edit(&carl_url, &page_url, &group, 3, "CARLWAS"),
    )
    .await;
    assert_eq!(status.0, StatusCode::FORBIDDEN, "{status:?}");
    let mut forged = edit(&bea_url, &page_url, &group, 3, "FORGEDBY");
    forged["object"]["attributedTo"] = json!(carl_url);
    let status = deliver(&as_bea, &home, forged).await;
    assert_eq!(status.0, StatusCode::FORBIDDEN, "{status:?}");

    // Moderators mode: bea's edit is refused.
    let (status, body) = home
        .call(
            Method::PUT,
            "/api/v1/communities/garden/library",
            Some(&olga),
            Some(json!({"edit_by": "moderators", "editors": []})),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let status = deliver(
        &as_bea,
        &home,
        edit(&bea_url, &page_url, &group, 3, "MODSONLY"),
    )
    .await;
    assert_eq!(status.0, StatusCode::FORBIDDEN, "{status:?}");
    let (_, at_home) = page(&home, "garden", "sowing").await;
    assert_eq!(at_home["revision"], 3, "refused edits change nothing");
    for word in ["STALEEDIT", "CARLWAS", "FORGEDBY", "MODSONLY"] {
        assert!(!at_home["body"].as_str().unwrap().contains(word));
    }
}

#[tokio::test]
async fn a_page_announced_by_another_group_is_refused() {
    let (home, away, third) = tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());
    let olga = home.user("olga").await;
    let tom = third.user("tom").await;
    home.community(&olga, "garden", json!({})).await;
    third.community(&tom, "den", json!({})).await;
    let bea = away.user("bea").await;
    away.join_remote(&bea, "bea", &home, "garden").await;
    away.join_remote(&bea, "bea", &third, "den").await;
    home.post(
        "/api/v1/communities/garden/pages",
        Some(&olga),
        json!({"title": "Sowing", "body": "Sow in MARCHSPRING."}),
    )
    .await;
    let remote = format!("garden@{}", home.hostname);
    eventually("the page reaches the follower instance", || async {
        let (status, _) = page(&away, &remote, "sowing").await;
        (status == StatusCode::OK).then_some(())
    })
    .await;

    let page_url = format!("http://{}/c/garden/library/sowing", home.hostname);
    let den = format!("http://{}/c/den", third.hostname);
    let tom_url = format!("http://{}/u/tom", third.hostname);
    let as_den = group_signed(&third, "den").await;
    for context in [den.clone(), format!("http://{}/c/garden", home.hostname)] {
        let mut update = edit(&tom_url, &page_url, &context, 9, "DENSAYS");
        update["actor"] = json!(den);
        update["id"] = json!(format!("{den}/activities/{}", uuid::Uuid::new_v4()));
        let announce = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Announce",
            "id": format!("{den}/announce/{}", uuid::Uuid::new_v4()),
            "actor": den,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": update,
        });
        let status = deliver(&as_den, &away, announce).await;
        assert_eq!(
            status.0,
            StatusCode::FORBIDDEN,
            "context {context}: {status:?}"
        );
    }
    let (_, kept) = page(&away, &remote, "sowing").await;
    assert_eq!(kept["revision"], 1);
    assert!(!kept["body"].as_str().unwrap().contains("DENSAYS"));
}

#[tokio::test]
async fn a_private_communitys_page_reaches_members_instances_only() {
    let (home, member_side, stranger) =
        tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());
    let olga = home.user("olga").await;
    home.community(
        &olga,
        "circle",
        json!({"visibility": "private", "membership_policy": "open"}),
    )
    .await;
    let bob = member_side.user("bob").await;
    member_side.join_remote(&bob, "bob", &home, "circle").await;
    home.post(
        "/api/v1/communities/circle/pages",
        Some(&olga),
        json!({"title": "Keys", "body": "The PAGESECRET is under the mat."}),
    )
    .await;
    let url = home.url("/c/circle/library/keys");

    // Its members' instance is sent it and may fetch it; nobody else gets it.
    let remote = format!("circle@{}", home.hostname);
    eventually("the page reaches the member's instance", || async {
        let (status, body) = member_side
            .get(
                &format!("/api/v1/communities/{remote}/pages/keys"),
                Some(&bob),
            )
            .await;
        (status == StatusCode::OK && body.to_string().contains("PAGESECRET")).then_some(())
    })
    .await;
    let (status, body) = signed_get(&instance_signed(&member_side).await, &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.to_string().contains("PAGESECRET"));
    let (status, body) = signed_get(&instance_signed(&stranger).await, &url).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!body.to_string().contains("PAGESECRET"));
    let (status, _, body) = home
        .fetch("/c/circle/library/keys", "application/activity+json")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("PAGESECRET"));

    // Someone from elsewhere who is not a member: the page is missing to them, edit or not.
    let sam = stranger.user("sam").await;
    let _ = sam;
    let sam_url = format!("http://{}/u/sam", stranger.hostname);
    let page_url = format!("http://{}/c/circle/library/keys", home.hostname);
    let group = format!("http://{}/c/circle", home.hostname);
    let as_sam = person_signed(&stranger, "sam").await;
    let refused = deliver(
        &as_sam,
        &home,
        edit(&sam_url, &page_url, &group, 1, "SAMWAS"),
    )
    .await;
    assert_eq!(refused.0, StatusCode::NOT_FOUND, "{refused:?}");
    assert!(!refused.1.contains("PAGESECRET"));

    // On the member's instance, its copy is behind the gate too: not to other people there.
    let zed = member_side.user("zed").await;
    for (path, token) in [
        (
            format!("/api/v1/communities/{remote}/pages/keys"),
            Some(&zed),
        ),
        (format!("/api/v1/communities/{remote}/pages/keys"), None),
        ("/api/v1/search?q=mat".to_string(), Some(&zed)),
    ] {
        let (_, body) = member_side.get(&path, token.map(String::as_str)).await;
        assert!(!body.to_string().contains("PAGESECRET"), "{path}: {body}");
    }
    for path in [
        format!("/c/{remote}/library/keys"),
        "/search?q=mat".to_string(),
        format!("/feeds/c/{remote}.xml"),
    ] {
        let (_, _, body) = member_side.fetch(&path, "text/html").await;
        assert!(!body.contains("PAGESECRET"), "{path}: {body}");
    }
}

/// Saves queued before the planner runs go out as one `Update` of the latest revision: the
/// planner is run by hand on an instance that runs none, after a page was created and saved
/// twice, and what it planned for the remote member's inbox is read back.
#[tokio::test]
async fn saves_queued_before_planning_go_out_as_one_update_of_the_latest_revision() {
    let home = TestApp::spawn_with(|s| s.delivery_in_serve = false).await;
    let sink = crate::sink::Sink::start().await;
    let olga = home.user("olga").await;
    home.community(&olga, "garden", json!({})).await;
    crate::delivery::remote_member(&home, "garden", "rita", sink.inbox("rita")).await;
    home.post(
        "/api/v1/communities/garden/pages",
        Some(&olga),
        json!({"title": "Sowing", "body": "one"}),
    )
    .await;
    for (base, body) in [(1, "two"), (2, "LATESTTEXT")] {
        let (status, saved) = home
            .call(
                Method::PUT,
                "/api/v1/communities/garden/pages/sowing",
                Some(&olga),
                Some(json!({"title": "Sowing", "body": body, "base_revision": base})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
    }
    let data = copse::federation::config(home.context())
        .await
        .expect("config")
        .to_request_data();
    let planned = copse::federation::outbound::queue::plan_pending(
        &data,
        &mut std::collections::HashMap::new(),
    )
    .await
    .expect("planned");
    assert_eq!(planned, 3, "three changes planned");
    let claimed = home
        .context()
        .write(|conn| {
            copse::db::outbox::claim_due(conn, "test", 100, 100, chrono::Duration::seconds(60))
        })
        .await
        .expect("claim");
    let pages: Vec<Value> = claimed
        .iter()
        .map(|c| serde_json::from_str::<Value>(&c.body).expect("json"))
        .filter(|a| a["object"]["object"]["libraryRevision"].is_number())
        .collect();
    assert_eq!(pages.len(), 1, "one activity for three saves: {pages:?}");
    let inner = &pages[0]["object"];
    assert_eq!(pages[0]["type"], "Announce");
    assert_eq!(inner["type"], "Update");
    assert_eq!(inner["object"]["libraryRevision"], 3);
    assert!(inner["object"]["source"]["content"]
        .as_str()
        .unwrap()
        .contains("LATESTTEXT"));
}
