//! `/metrics` beyond deliveries (those are in `delivery`): HTTP requests by route template,
//! method and status with a latency histogram, inbox activities by type and outcome, outbound
//! fetches by outcome, background job runs, the planner's backlog and the database pool; label
//! values stay in fixed sets whatever the requests say.

use crate::{
    helpers::TestApp,
    hostile_signatures::{follow, scene},
    instance_policy::fetch_actor,
    signing::{person_key, SignedPost},
};
use reqwest::StatusCode;

async fn metrics(app: &TestApp) -> String {
    let (status, _, body) = app.fetch("/metrics", "text/plain").await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[track_caller]
fn assert_line(metrics: &str, line: &str) {
    assert!(
        metrics.lines().any(|l| l == line),
        "no line `{line}` in:\n{metrics}"
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_template_not_by_path() {
    let (home, _remote) = scene().await;
    for path in [
        "/c/chess",
        "/c/chess",
        "/c/nobody",
        "/api/v1/communities/chess",
    ] {
        home.client.get(home.url(path)).send().await.expect("GET");
    }
    // Paths nothing serves, and a method nobody uses, share one series each.
    for path in ["/no/such/page", "/no/other/page"] {
        home.client.get(home.url(path)).send().await.expect("GET");
    }
    home.client
        .request(
            reqwest::Method::from_bytes(b"BREW").expect("method"),
            home.url("/c/chess"),
        )
        .send()
        .await
        .expect("BREW");

    let m = metrics(&home).await;
    assert_line(
        &m,
        r#"copse_http_requests_total{route="/c/{name}",method="GET",status="200"} 2"#,
    );
    assert_line(
        &m,
        r#"copse_http_requests_total{route="/c/{name}",method="GET",status="404"} 1"#,
    );
    assert_line(
        &m,
        r#"copse_http_requests_total{route="unmatched",method="GET",status="404"} 2"#,
    );
    assert!(m.contains(r#"method="other""#), "{m}");
    assert!(!m.contains("/no/such/page") && !m.contains("nobody") && !m.contains("BREW"));
    assert_line(
        &m,
        r#"copse_http_request_duration_seconds_count{route="/api/v1/communities/{name}"} 1"#,
    );
    assert!(m.contains("copse_db_pool_connections "), "{m}");
    assert!(m.contains("copse_db_pool_max_connections 8"), "{m}");
}

#[tokio::test]
async fn inbox_activities_are_counted_by_type_and_outcome() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;

    let unsigned = home
        .post_raw(
            "/inbox",
            "application/activity+json",
            follow(&alice, &home).to_string().into_bytes(),
        )
        .await;
    assert_eq!(unsigned.0, StatusCode::UNAUTHORIZED);

    let joined = SignedPost::new(&follow(&alice, &home), &key)
        .send(&home)
        .await;
    assert!(joined.0.is_success(), "{:?}", joined);

    // Signed by alice's key but claiming mallory: refused, and counted under its code.
    let mallory = alice.replace("/alice", "/mallory");
    let forged = SignedPost::new(&follow(&mallory, &home), &key)
        .send(&home)
        .await;
    assert_eq!(forged.0, StatusCode::UNAUTHORIZED, "{:?}", forged);

    let mut odd = follow(&alice, &home);
    odd["type"] = "Frobnicate".into();
    SignedPost::new(&odd, &key).send(&home).await;

    let m = metrics(&home).await;
    assert_line(
        &m,
        r#"copse_inbox_activities_total{kind="unparsed",outcome="unsigned"} 1"#,
    );
    assert_line(
        &m,
        r#"copse_inbox_activities_total{kind="Follow",outcome="accepted"} 1"#,
    );
    assert_line(
        &m,
        r#"copse_inbox_activities_total{kind="Follow",outcome="key_owner_mismatch"} 1"#,
    );
    assert!(
        m.contains(r#"kind="other""#) && !m.contains("Frobnicate"),
        "{m}"
    );
}

#[tokio::test]
async fn fetches_and_job_runs_are_counted_by_outcome() {
    let home = TestApp::spawn_with(|s| s.blocked_instances = vec!["blocked.example".into()]).await;
    let remote = TestApp::spawn().await;
    remote.user("alice").await;
    let alice = format!("http://{}/u/alice", remote.hostname);
    assert!(fetch_actor(&home, &alice).await.is_ok());
    let nobody = format!("http://{}/u/nobody", remote.hostname);
    assert!(fetch_actor(&home, &nobody).await.is_err());
    assert!(fetch_actor(&home, "http://blocked.example/u/x")
        .await
        .is_err());
    // Nothing listens on port 1.
    assert!(fetch_actor(&home, "http://localhost:1/u/x").await.is_err());

    // A change to plan (a post is planned even with nobody to tell yet).
    let owner = home.user("owner").await;
    home.community(&owner, "chess", serde_json::json!({})).await;
    let (status, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            serde_json::json!({"title": "Opening"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let planned = |m: &str| {
        m.contains(r#"copse_job_runs_total{job="sync",outcome="ok"}"#)
            && m.contains(r#"copse_job_runs_total{job="planner",outcome="ok"}"#)
    };
    let mut m = String::new();
    for _ in 0..100 {
        m = metrics(&home).await;
        if planned(&m) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(planned(&m), "{m}");
    // At least the actor fetched above (signed fetches of our own may add more).
    let ok: u64 = m
        .lines()
        .find_map(|l| l.strip_prefix(r#"copse_fetches_total{outcome="ok"} "#))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(ok >= 1, "{m}");
    assert_line(&m, r#"copse_fetches_total{outcome="http_4xx"} 1"#);
    assert_line(&m, r#"copse_fetches_total{outcome="refused_policy"} 1"#);
    assert_line(&m, r#"copse_fetches_total{outcome="connect"} 1"#);
    assert!(m.contains("copse_outbox_changes_unplanned "), "{m}");
    assert!(m.contains("copse_delivery_queue_depth "), "{m}");
    // Mail is counted by its own counters (tests/integration/mail_queue.rs checks their values).
    assert!(m.contains("copse_mail_sent_total "), "{m}");
    assert!(m.contains("copse_mail_queue_depth "), "{m}");
}
