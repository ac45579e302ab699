//! Crashes and outages with real processes: copse runs as a child process (`copse serve`), is
//! killed with SIGKILL in the middle of its work and started again on the same database; the
//! other instances run in this process. Nothing it accepted or created may be lost.

use crate::helpers::{eventually, eventually_for, TestApp, TestDb};

/// After a SIGKILL on PostgreSQL, deliveries the dead process had claimed wait for their lease
/// (20 s) to run out before another worker takes them.
const AFTER_CRASH: Duration = Duration::from_secs(60);
use serde_json::json;
use std::{process::Stdio, time::Duration};
use tokio::process::{Child, Command};

/// A copse instance running as a child process.
pub(crate) struct Process {
    pub(crate) child: Child,
    port: u16,
    db_url: String,
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Process {
    pub(crate) async fn start(db_url: &str, port: u16) -> Process {
        Process::start_with(db_url, port, &[]).await
    }

    async fn start_with(db_url: &str, port: u16, env: &[(&str, &str)]) -> Process {
        let child = Command::new(env!("CARGO_BIN_EXE_copse"))
            .arg("serve")
            .envs(env.iter().copied())
            .env("COPSE_HOSTNAME", format!("localhost:{port}"))
            .env("COPSE_BIND", format!("127.0.0.1:{port}"))
            .env("COPSE_DATABASE_URL", db_url)
            .env("COPSE_INSECURE_FEDERATION", "true")
            .env("COPSE_DELIVERY_RETRY_BASE_SECS", "1")
            .env("COPSE_DELIVERY_RETRY_MAX_SECS", "2")
            .env("COPSE_HTTP_WORKERS", "2")
            .env("COPSE_LOG", "warn")
            .env_remove("COPSE_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("copse binary starts");
        let client = crate::helpers::test_client();
        let url = format!("http://localhost:{port}/.well-known/nodeinfo");
        eventually("the child instance answers", || {
            let (client, url) = (client.clone(), url.clone());
            async move { client.get(&url).send().await.ok().map(|_| ()) }
        })
        .await;
        Process {
            child,
            port,
            db_url: db_url.to_string(),
        }
    }

    /// SIGKILL: no shutdown, no flushing, whatever was in flight is cut off.
    pub(crate) async fn kill(&mut self) {
        self.child.start_kill().expect("kill");
        self.child.wait().await.expect("reaped");
    }

    pub(crate) async fn restart(&mut self) {
        let again = Process::start(&self.db_url, self.port).await;
        *self = again;
    }
}

/// A `TestApp` handle on the child (HTTP only: it has no in-process context).
pub(crate) fn handle(db: TestDb, port: u16) -> TestApp {
    TestApp {
        server: None,
        base: format!("http://localhost:{port}"),
        hostname: format!("localhost:{port}"),
        client: crate::helpers::test_client(),
        db,
    }
}

/// Titles of the posts of `community` as `app` holds them.
async fn titles(app: &TestApp, community: &str) -> Vec<String> {
    let (_, page) = app
        .get(
            &format!("/api/v1/communities/{community}/posts?limit=100"),
            None,
        )
        .await;
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|p| p["title"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_killed_instance_delivers_everything_after_restart_and_a_returning_peer_gets_its_backlog()
{
    let db = TestDb::new();
    let port = free_port();
    let mut process = Process::start(&db.url(), port).await;
    let home = handle(db, port);
    let owner = home.user("owner").await;
    home.community(&owner, "garden", json!({})).await;
    let remote = format!("garden@{}", home.hostname);

    let mut peers = Vec::new();
    for name in ["ann", "bob", "cat"] {
        let peer = TestApp::spawn().await;
        let token = peer.user(name).await;
        peer.join_remote(&token, name, &home, "garden").await;
        peers.push(peer);
    }
    // The third peer goes away for a while (its port stays known, nothing answers there).
    let away = peers.pop().expect("cat");
    let away_port: u16 = away.hostname.rsplit(':').next().unwrap().parse().unwrap();
    let away_db = {
        let mut away = away;
        let server = away.server.take().expect("running");
        server.context.stop_background();
        server.handle().stop(true).await;
        std::mem::replace(&mut away.db, TestDb::new())
    };

    let expected: Vec<String> = (0..20).map(|i| format!("Post {i:02}")).collect();
    for title in &expected {
        let (status, body) = home
            .post(
                "/api/v1/communities/garden/posts",
                Some(&owner),
                json!({"title": title}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    // Killed while its deliveries are under way; started again on the same database.
    process.kill().await;
    process.restart().await;

    for peer in &peers {
        let got = eventually_for("every post reaches every peer", AFTER_CRASH, || async {
            let mut got = titles(peer, &remote).await;
            got.sort();
            (got.len() >= expected.len()).then_some(got)
        })
        .await;
        assert_eq!(got, expected, "none lost, none stored twice");
    }

    // The peer comes back on its port and database: it gets its backlog.
    let listener = std::net::TcpListener::bind(("127.0.0.1", away_port)).expect("port free");
    let back = {
        let settings_db = away_db;
        let mut settings = crate::helpers::test_settings(&settings_db, away_port);
        settings.delivery_retry_base_secs = 1;
        let server =
            copse::server::start_with(settings, Some(listener), crate::key_stock::source())
                .await
                .expect("start");
        TestApp {
            server: Some(server),
            base: format!("http://localhost:{away_port}"),
            hostname: format!("localhost:{away_port}"),
            client: crate::helpers::test_client(),
            db: settings_db,
        }
    };
    let got = eventually_for(
        "the returning peer gets its backlog",
        AFTER_CRASH,
        || async {
            let mut got = titles(&back, &remote).await;
            got.sort();
            (got.len() >= expected.len()).then_some(got)
        },
    )
    .await;
    assert_eq!(got, expected);
    process.kill().await;
    drop(home);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn activities_answered_2xx_before_a_crash_are_all_applied_after_it() {
    let db = TestDb::new();
    let port = free_port();
    let mut process = Process::start(&db.url(), port).await;
    let home = handle(db, port);
    let owner = home.user("owner").await;
    home.community(&owner, "garden", json!({})).await;
    let peer = TestApp::spawn_with(|s| {
        s.delivery_retry_base_secs = 1;
        s.delivery_retry_max_secs = 2;
    })
    .await;
    let token = peer.user("ann").await;
    peer.join_remote(&token, "ann", &home, "garden").await;
    let remote = format!("garden@{}", home.hostname);

    // The peer's member sends a burst of posts to the child; it is killed mid-stream.
    let expected: Vec<String> = (0..30).map(|i| format!("Remote {i:02}")).collect();
    for title in &expected {
        let (status, body) = peer
            .post(
                &format!("/api/v1/communities/{remote}/posts"),
                Some(&token),
                json!({"title": title}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    process.kill().await;
    // What the child answered 2xx for is stored: the peer recorded those deliveries as done.
    let done = peer
        .context()
        .db(|conn| {
            use copse::db::schema::deliveries::dsl as d;
            use diesel::prelude::*;
            Ok(d::deliveries
                .filter(d::state.eq("done"))
                .count()
                .get_result::<i64>(conn)?)
        })
        .await
        .unwrap();
    process.restart().await;
    let got = eventually(
        "every post is on the community after the restart",
        || async {
            let mut got = titles(&home, "garden").await;
            got.sort();
            (got.len() >= expected.len()).then_some(got)
        },
    )
    .await;
    assert_eq!(
        got, expected,
        "none lost, none twice ({done} answered before the kill)"
    );
    process.kill().await;
}

#[tokio::test]
async fn copse_worker_delivers_for_a_server_that_does_not() {
    let db = TestDb::new();
    let port = free_port();
    let mut process =
        Process::start_with(&db.url(), port, &[("COPSE_DELIVERY_IN_SERVE", "false")]).await;
    let home = handle(db, port);
    let owner = home.user("owner").await;
    home.community(&owner, "garden", json!({})).await;
    let peer = TestApp::spawn().await;
    let token = peer.user("ann").await;
    let remote = format!("garden@{}", home.hostname);
    let (status, body) = peer
        .post(
            &format!("/api/v1/communities/{remote}/join"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    home.post(
        "/api/v1/communities/garden/posts",
        Some(&owner),
        json!({"title": "Via the worker"}),
    )
    .await;
    // Nothing is sent while no worker runs: the Accept waits in the queue.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        peer.membership_state("ann", &format!("http://localhost:{port}/c/garden"))
            .await
            .as_deref(),
        Some("pending")
    );
    let mut worker = Command::new(env!("CARGO_BIN_EXE_copse"))
        .arg("worker")
        .env("COPSE_HOSTNAME", format!("localhost:{port}"))
        .env("COPSE_DATABASE_URL", &process.db_url)
        .env("COPSE_INSECURE_FEDERATION", "true")
        .env("COPSE_DELIVERY_IN_SERVE", "false")
        .env("COPSE_LOG", "warn")
        .env_remove("COPSE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("copse worker starts");
    let group = format!("http://localhost:{port}/c/garden");
    eventually("the worker delivers the Accept", || async {
        (peer.membership_state("ann", &group).await.as_deref() == Some("active")).then_some(())
    })
    .await;
    home.post(
        "/api/v1/communities/garden/posts",
        Some(&owner),
        json!({"title": "After joining"}),
    )
    .await;
    eventually("and the post made after joining", || async {
        titles(&peer, &remote)
            .await
            .contains(&"After joining".to_string())
            .then_some(())
    })
    .await;
    worker.start_kill().expect("kill worker");
    process.kill().await;
}
