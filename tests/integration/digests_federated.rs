//! The federated digest: a public community whose owner turned it on publishes its weekly
//! round-up as `Create(Article)` from its Group; another copse instance whose member follows
//! it keeps it and shows it on the community's page there. A private community cannot turn it
//! on, an empty week is not published, and one week is published once.

use crate::helpers::{eventually, TestApp};
use chrono::{Datelike, Duration, TimeZone, Utc};
use copse::jobs::digests::publish_federated;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The Monday 00:00 UTC after now: the federated week it ends contains now.
fn next_monday() -> chrono::DateTime<Utc> {
    let today = Utc::now().date_naive();
    let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).unwrap())
}

#[tokio::test]
async fn a_weekly_digest_reaches_another_copse_instance_as_an_article_from_the_group() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("olga").await;
    home.community(&owner, "garden", json!({"membership_policy": "open"}))
        .await;
    home.community(&owner, "inner", json!({"visibility": "private"}))
        .await;
    let set = |community: &'static str, token: String, on: bool| {
        let home = &home;
        async move {
            home.call(
                Method::PUT,
                &format!("/api/v1/communities/{community}/federated-digest"),
                Some(&token),
                Some(json!({ "federate": on })),
            )
            .await
        }
    };
    let (status, body) = set("inner", owner.clone(), true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let ann_home = home.user("ann").await;
    home.post(
        "/api/v1/communities/garden/join",
        Some(&ann_home),
        json!({}),
    )
    .await;
    let (status, _) = set("garden", ann_home, true).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the owner");
    let (status, body) = set("garden", owner.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let bea = away.user("bea").await;
    away.join_remote(&bea, "bea", &home, "garden").await;

    // An empty week: marked done, nothing sent.
    let ctx = home.context();
    let monday = next_monday();
    assert_eq!(
        publish_federated(&ctx, monday - Duration::days(7))
            .await
            .unwrap(),
        0
    );

    home.post(
        "/api/v1/communities/garden/posts",
        Some(&owner),
        json!({"title": "Seed library opens", "body": "bring envelopes"}),
    )
    .await;
    assert_eq!(publish_federated(&ctx, monday).await.unwrap(), 1);
    assert_eq!(
        publish_federated(&ctx, monday + Duration::hours(1))
            .await
            .unwrap(),
        0,
        "once"
    );

    let remote = format!("/c/garden@{}", home.hostname);
    let page = eventually("the digest shows on the community's page away", || async {
        let res = away.client.get(away.url(&remote)).send().await.ok()?;
        let body = res.text().await.ok()?;
        body.contains("This week: The garden community")
            .then_some(body)
    })
    .await;
    assert!(page.contains("Seed library opens"), "{page}");
    assert!(page.contains(&format!("the week to {}", monday.format("%Y-%m-%d"))));
}
