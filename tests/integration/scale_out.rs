//! Scale-out (issue 15): two `copse serve` and two `copse worker` processes on ONE database
//! behave as one instance. In-process, as the rest of the suite: each serve and each worker has
//! its own `AppContext` (pool, SQLite writer, policy, jobs), sharing only the database, exactly
//! what separate processes share. Serve B answers for the same public hostname as serve A (as
//! behind a load balancer): requests to it carry A's `Host`.
//!
//! Checked: posts made through either serve reach a remote inbox exactly once while a second
//! worker starts up mid-delivery; log-in failures count across both serves; an inbound activity
//! delivered to both serves at once is applied once; a block made on serve A is enforced by
//! serve B's inbox within a few seconds.

use crate::{
    delivery::{new_post, remote_member},
    helpers::{eventually, eventually_for, test_settings, TestApp, TestDb, PASSWORD},
    instance_policy::admin,
    signing::{person_key, SignedPost},
    sink::Sink,
};
use copse::server::{start_worker, Worker};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::{net::TcpListener, time::Duration};

/// One instance run as serve A (owning the database), serve B and the workers.
struct Cluster {
    a: TestApp,
    b: TestApp,
    workers: Vec<Worker>,
}

fn adjust(s: &mut copse::config::Settings) {
    // Workers deliver; the serves only serve (the usual scale-out deployment).
    s.delivery_in_serve = false;
    s.login_failures_per_account = 4;
}

impl Cluster {
    async fn start() -> Cluster {
        let a = TestApp::spawn_with(adjust).await;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut settings = test_settings(&a.db, a.port());
        adjust(&mut settings);
        settings.bind = format!("127.0.0.1:{port}");
        let server =
            copse::server::start_with(settings, Some(listener), crate::key_stock::source())
                .await
                .expect("serve B");
        let b = TestApp {
            server: Some(server),
            base: format!("http://127.0.0.1:{port}"),
            // The public hostname is A's: one instance.
            hostname: a.hostname.clone(),
            client: public_host_client(&a.hostname),
            // B does not own the database (A does): an unused folder stands in.
            db: TestDb::sqlite(),
        };
        let mut cluster = Cluster {
            a,
            b,
            workers: Vec::new(),
        };
        cluster.start_worker().await;
        cluster
    }

    fn settings(&self) -> copse::config::Settings {
        let mut settings = test_settings(&self.a.db, self.a.port());
        adjust(&mut settings);
        settings
    }

    async fn start_worker(&mut self) {
        let worker = start_worker(self.settings()).await.expect("worker");
        self.workers.push(worker);
    }

    async fn stop(self) {
        for worker in self.workers {
            worker.stop().await;
        }
    }
}

/// A client that sends A's public `Host` whatever address it connects to.
fn public_host_client(host: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::HOST, host.parse().expect("host"));
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

impl TestApp {
    fn port(&self) -> u16 {
        self.server.as_ref().expect("running").port
    }
}

/// Sends a signed activity to `app`'s shared inbox, with the public `Host` it was signed for.
async fn send_to(app: &TestApp, signed: &SignedPost) -> (StatusCode, Value) {
    let client = public_host_client(&app.hostname);
    let response = crate::helpers::send_again_on_408(|| {
        client
            .post(app.url("/inbox"))
            .header("content-type", "application/activity+json")
            .header("signature", signed.signature_header(&app.hostname))
            .header("date", signed.date.clone().unwrap_or_default())
            .header("digest", signed.digest.clone().unwrap_or_default())
            .body(signed.body.clone())
    })
    .await;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn log_in(app: &TestApp, password: &str) -> StatusCode {
    app.post(
        "/api/v1/sessions",
        None,
        json!({"username": "carol", "password": password}),
    )
    .await
    .0
}

#[tokio::test]
async fn two_serves_and_two_workers_on_one_database_behave_as_one_instance() {
    let mut cluster = Cluster::start().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let owner = a.user("owner").await;
    let (status, body) = a.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let sink = Sink::start().await;
    remote_member(a, "chess", "ann", sink.inbox("ann")).await;
    let away = TestApp::spawn().await;
    let bob = away.user("bob").await;
    away.join_remote(&bob, "bob", a, "chess").await;

    // Posts through both serves, while the inbox answers slowly: the deliveries are in flight
    // when a second worker starts, and must not be sent again by it.
    sink.answer_after(Duration::from_millis(1500));
    let mut posts = Vec::new();
    for n in 0..3 {
        posts.push(new_post(a, &owner, &format!("Through A {n}")).await);
        posts.push(new_post(b, &owner, &format!("Through B {n}")).await);
    }
    eventually("the first deliveries are in flight", || async {
        (!sink.received().is_empty()).then_some(())
    })
    .await;
    cluster.start_worker().await;
    let (a, b) = (&cluster.a, &cluster.b);
    let ids: Vec<String> = posts
        .iter()
        .map(|p| p["actor_id"].as_str().expect("id").to_string())
        .collect();
    eventually_for(
        "every post reaches the remote inbox",
        Duration::from_secs(40),
        || async {
            let log = sink.received();
            ids.iter()
                .all(|id| {
                    log.iter()
                        .any(|r| &r.object_id() == id && r.kinds() == "Announce/Page")
                })
                .then_some(())
        },
    )
    .await;
    // Anything sent twice would have arrived by now (a second send starts within a second).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = sink.received();
    for id in &ids {
        let mut kinds: Vec<String> = log
            .iter()
            .filter(|r| &r.object_id() == id)
            .map(|r| r.kinds())
            .collect();
        kinds.sort();
        assert_eq!(
            kinds,
            ["Announce/Create", "Announce/Page"],
            "{id} delivered exactly once"
        );
    }
    sink.answer_after(Duration::ZERO);

    // Log-in failures count across both serves: 2 + 2 wrong passwords use the budget of 4.
    let (status, body) = a.register("carol").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for app in [a, b, a, b] {
        assert_eq!(
            log_in(app, "not the password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    for app in [a, b] {
        assert_eq!(
            log_in(app, PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS,
            "locked out on every serve"
        );
    }

    // Likes each delivered to both serves at once are each applied once: the community
    // forwards each to its members' instances once. One on each post, all at a time, so that
    // copies race.
    let (bob_actor, key) = person_key(&away, "bob").await;
    let like = |n: usize| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("http://{}/activities/like/{}", away.hostname, uuid::Uuid::new_v4()),
            "type": if n.is_multiple_of(2) { "Like" } else { "Dislike" },
            "actor": bob_actor,
            "object": posts[n]["actor_id"],
            "audience": format!("http://{}/c/chess", a.hostname),
        })
    };
    let likes: Vec<Value> = (0..posts.len()).map(like).collect();
    let answers = futures::future::join_all(likes.iter().map(|like| async {
        let signed = SignedPost::new(like, &key);
        tokio::join!(send_to(a, &signed), send_to(b, &signed))
    }))
    .await;
    for (to_a, to_b) in &answers {
        assert!(
            to_a.0.is_success() && to_b.0.is_success(),
            "{to_a:?} {to_b:?}"
        );
    }
    let forwarded = |id: &str| {
        sink.received()
            .iter()
            .filter(|r| r.body.to_string().contains(id))
            .count()
    };
    let ids: Vec<String> = likes
        .iter()
        .map(|l| l["id"].as_str().expect("id").to_string())
        .collect();
    eventually("the votes are forwarded to the remote member", || async {
        ids.iter().all(|id| forwarded(id) > 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in &ids {
        assert_eq!(forwarded(id), 1, "{id} applied once");
    }

    // A block made on serve A is enforced by serve B's inbox within a bound (a second, here
    // given five).
    let root = admin(a, "chief").await;
    let (status, entry) = a
        .post(
            "/api/v1/admin/instances",
            Some(&root),
            json!({"host": away.hostname, "policy": "block"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    eventually_for(
        "serve B refuses the blocked instance",
        Duration::from_secs(5),
        || async {
            let (status, body) = send_to(b, &SignedPost::new(&like(0), &key)).await;
            (status == StatusCode::FORBIDDEN && body["error"] == "instance_blocked").then_some(())
        },
    )
    .await;
    cluster.stop().await;
}
