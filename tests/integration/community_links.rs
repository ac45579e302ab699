//! Typed links between communities: set by owners through the API, confirmed only when the other
//! community links back (across two instances, through the Groups' `copse:communityLinks`),
//! one-sided otherwise; refused links (itself, twice, an unknown relation, a parent/child cycle,
//! someone not an owner); the Group's JSON-LD term and its readable profile fields.

use crate::helpers::{assert_error, eventually, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn link(
    app: &TestApp,
    token: &str,
    from: &str,
    relation: &str,
    target: &str,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/communities/{from}/links"),
        Some(token),
        json!({"relation": relation, "target": target}),
    )
    .await
}

/// The standing of `from`'s link to the community with actor id `target`, as `app` says.
async fn standing(app: &TestApp, from: &str, target: &str) -> Option<String> {
    let (_, c) = app.get(&format!("/api/v1/communities/{from}"), None).await;
    c["links"]
        .as_array()?
        .iter()
        .find(|l| l["actor_id"] == target)
        .and_then(|l| l["standing"].as_str().map(str::to_string))
}

#[tokio::test]
async fn links_across_instances_are_confirmed_only_when_the_other_group_links_back() {
    let (a, b) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    let (ann, bob) = tokio::join!(a.user("ann"), b.user("bob"));
    assert_eq!(
        a.community(&ann, "chapter", json!({})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        b.community(&bob, "network", json!({})).await.0,
        StatusCode::CREATED
    );
    let chapter_id = format!("http://{}/c/chapter", a.hostname);
    let network_id = format!("http://{}/c/network", b.hostname);

    // The chapter names the network its parent: one-sided until the network answers.
    let (status, links) = link(
        &a,
        &ann,
        "chapter",
        "parent",
        &format!("network@{}", b.hostname),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{links}");
    assert_eq!(links[0]["standing"], "one-sided", "{links}");
    assert_eq!(links[0]["remote"], true);
    assert_eq!(links[0]["relation"], "parent");

    // The Group carries the link as copse's term and as a readable profile field.
    let group = a.activity_json("/c/chapter").await;
    assert_eq!(
        group["communityLinks"],
        json!([{"relation": "parent", "target": network_id}])
    );
    let field = group["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Part of")
        .cloned()
        .expect("a profile field for the link");
    assert_eq!(field["type"], "PropertyValue");
    assert!(field["value"]
        .as_str()
        .unwrap()
        .contains(&format!("href=\"{network_id}\"")));

    // The network names the chapter its child (by URL): it fetched the chapter afresh, so its
    // side is confirmed at once; the chapter hears of it through the network's Update(Group).
    let (status, links) = link(&b, &bob, "network", "child", &chapter_id).await;
    assert_eq!(status, StatusCode::CREATED, "{links}");
    assert_eq!(links[0]["standing"], "confirmed", "{links}");
    eventually("the chapter's link is confirmed", || async {
        (standing(&a, "chapter", &network_id).await.as_deref() == Some("confirmed")).then_some(())
    })
    .await;
    let page = a.fetch("/c/chapter", "text/html").await.2;
    assert!(
        page.contains("Related communities") && page.contains("Part of"),
        "{page}"
    );
    assert!(!page.contains("one-sided"), "{page}");

    // A cycle through the remote network is refused: the hub's parent is the chapter, so the
    // network (the chapter's parent) cannot be the hub's child.
    assert_eq!(
        a.community(&ann, "hub", json!({})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        link(&a, &ann, "hub", "parent", "chapter").await.0,
        StatusCode::CREATED
    );
    let refused = link(&a, &ann, "hub", "child", &format!("network@{}", b.hostname)).await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "link_cycle",
        None,
    );

    // The network drops its link: the chapter's goes back to one-sided.
    let (status, left) = b
        .call(
            Method::DELETE,
            &format!(
                "/api/v1/communities/network/links?target=chapter@{}",
                a.hostname
            ),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left, json!([]));
    eventually("the chapter's link is one-sided again", || async {
        (standing(&a, "chapter", &network_id).await.as_deref() == Some("one-sided")).then_some(())
    })
    .await;
}

#[tokio::test]
async fn local_links_are_checked_and_set_by_owners_only() {
    let app = TestApp::spawn().await;
    let (ann, eve) = (app.user("ann").await, app.user("eve").await);
    for name in ["stewards", "curators", "archivists", "keepers"] {
        assert_eq!(
            app.community(&ann, name, json!({})).await.0,
            StatusCode::CREATED
        );
    }
    let (status, links) = link(&app, &ann, "stewards", "sibling", "curators").await;
    assert_eq!(status, StatusCode::CREATED, "{links}");
    assert_eq!(links[0]["standing"], "one-sided");
    assert_eq!(links[0]["remote"], false);
    link(&app, &ann, "curators", "sibling", "stewards").await;
    let curators_id = format!("http://{}/c/curators", app.hostname);
    assert_eq!(
        standing(&app, "stewards", &curators_id).await.as_deref(),
        Some("confirmed")
    );

    // Superseded-by needs no link back.
    let (_, links) = link(&app, &ann, "archivists", "superseded-by", "stewards").await;
    assert_eq!(links[0]["standing"], "declared", "{links}");

    // Refused: itself, a second link to the same community, an unknown relation, a cycle, and
    // anyone but an owner (a member too).
    let self_link = link(&app, &ann, "stewards", "partner", "stewards").await;
    assert_error(
        &self_link,
        StatusCode::UNPROCESSABLE_ENTITY,
        "link_to_itself",
        None,
    );
    let twice = link(&app, &ann, "stewards", "partner", "curators").await;
    assert_error(&twice, StatusCode::CONFLICT, "already_linked", None);
    let unknown = link(&app, &ann, "stewards", "cousin", "archivists").await;
    assert_error(
        &unknown,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("relation"),
    );
    assert_eq!(
        link(&app, &ann, "stewards", "child", "archivists").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        link(&app, &ann, "archivists", "child", "keepers").await.0,
        StatusCode::CREATED
    );
    let cycle = link(&app, &ann, "keepers", "child", "stewards").await;
    assert_error(&cycle, StatusCode::UNPROCESSABLE_ENTITY, "link_cycle", None);
    app.post("/api/v1/communities/curators/join", Some(&eve), json!({}))
        .await;
    let stranger = link(&app, &eve, "curators", "partner", "archivists").await;
    assert_error(&stranger, StatusCode::FORBIDDEN, "not_an_owner", None);
    let missing = link(&app, &ann, "stewards", "partner", "nowhere").await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND, "{}", missing.1);

    // Removing: only an existing link, only by an owner.
    let path = "/api/v1/communities/stewards/links?target=curators";
    let by_eve = app.call(Method::DELETE, path, Some(&eve), None).await;
    assert_error(&by_eve, StatusCode::FORBIDDEN, "not_an_owner", None);
    let (status, left) = app.call(Method::DELETE, path, Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(
        app.call(Method::DELETE, path, Some(&ann), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        standing(
            &app,
            "curators",
            &format!("http://{}/c/stewards", app.hostname)
        )
        .await
        .as_deref(),
        Some("one-sided")
    );
}
