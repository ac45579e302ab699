//! Graceful shutdown with a real process: `copse serve` runs as a child, a delivery is held in
//! flight by a peer that answers only when the test lets it, and SIGTERM (or Ctrl-C) arrives
//! meanwhile. The process stops accepting connections, finishes the delivery, records it and
//! exits 0; started again, it does not send it twice.

use crate::crash::{free_port, handle, Process};
use crate::helpers::{eventually, eventually_for, test_settings, TestApp};
use actix_web::{web, App, HttpResponse, HttpServer};
use copse::db;
use serde_json::{json, Value};
use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::watch;

/// A remote inbox that records each activity and answers 202 only once the gate is open.
struct Gate {
    port: u16,
    log: Arc<Mutex<Vec<Value>>>,
    open: watch::Sender<bool>,
    handle: actix_web::dev::ServerHandle,
}

type GateState = (Arc<Mutex<Vec<Value>>>, watch::Receiver<bool>);

async fn held(body: web::Bytes, state: web::Data<GateState>) -> HttpResponse {
    let activity: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.0.lock().unwrap().push(activity);
    let mut open = state.1.clone();
    let _ = open.wait_for(|open| *open).await;
    HttpResponse::Accepted().finish()
}

impl Gate {
    async fn start() -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (open, opened) = watch::channel(false);
        let state = web::Data::new((log.clone(), opened));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/inbox/{name}", web::post().to(held))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Gate {
            port,
            log,
            open,
            handle,
        }
    }

    fn received(&self) -> Vec<Value> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn post(home: &TestApp, token: &str, title: &str) -> String {
    let (status, body) = home
        .post(
            "/api/v1/communities/garden/posts",
            Some(token),
            json!({"title": title}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    body["actor_id"].as_str().expect("actor_id").to_string()
}

#[tokio::test]
async fn sigterm_finishes_the_delivery_in_flight_then_exits_0_and_a_restart_does_not_resend_it() {
    stops_gracefully_on(libc::SIGTERM).await;
}

#[tokio::test]
async fn ctrl_c_stops_as_gracefully_as_sigterm() {
    stops_gracefully_on(libc::SIGINT).await;
}

async fn stops_gracefully_on(signal: libc::c_int) {
    let gate = Gate::start().await;
    let db = crate::helpers::TestDb::new();
    let port = free_port();
    let mut process = Process::start(&db.url(), port).await;
    let home = handle(db, port);
    let owner = home.user("owner").await;
    home.community(&owner, "garden", json!({})).await;
    // A member on the gate's instance, stored straight into the child's database.
    let ctx =
        copse::server::context_with(test_settings(&home.db, port), crate::key_stock::source())
            .await
            .expect("context on the child's database");
    let base = format!("http://localhost:{}", gate.port);
    ctx.write(move |conn| {
        let person = db::accounts::upsert_remote_person(
            conn,
            &db::accounts::RemotePerson {
                ap_id: format!("{base}/actor/ann"),
                name: "ann".into(),
                display_name: None,
                summary_html: None,
                inbox_url: format!("{base}/inbox/ann"),
                shared_inbox_url: None,
                public_key: "unused".into(),
                published: None,
            },
        )?;
        let c = db::communities::local_by_name(conn, "garden")?.expect("community");
        db::members::put(conn, c.id, person.id, db::members::ACTIVE, None, None)?;
        Ok(())
    })
    .await
    .expect("member stored");

    // The post's delivery reaches the gate and is held there, in flight.
    let first = post(&home, &owner, "In flight").await;
    eventually("the delivery is in flight", || async {
        (!gate.received().is_empty()).then_some(())
    })
    .await;

    let pid = process.child.id().expect("running") as i32;
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    // It stops accepting connections (a fresh connection each try)...
    let probe = format!("http://localhost:{port}/.well-known/nodeinfo");
    eventually("the process stops accepting connections", || async {
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(1))
            .build()
            .expect("client");
        fresh.get(&probe).send().await.is_err().then_some(())
    })
    .await;
    // ... and, once the peer answers, records the delivery and exits 0.
    gate.open.send_replace(true);
    let status = tokio::time::timeout(Duration::from_secs(60), process.child.wait())
        .await
        .expect("exits within the grace period")
        .expect("reaped");
    assert!(
        status.success(),
        "exit status after signal {signal}: {status:?}"
    );
    // What was in flight is recorded as delivered; what was still waiting (activities queued
    // behind it about the same post) is pending and let go, for the next start.
    let in_flight = gate.received().len();
    let (done, waiting, claimed) = ctx
        .db(|conn| {
            use copse::db::schema::deliveries::dsl as d;
            use diesel::prelude::*;
            let mut count = |state: &str| {
                d::deliveries
                    .filter(d::state.eq(state.to_string()))
                    .count()
                    .get_result::<i64>(conn)
            };
            let done = count("done")?;
            let waiting = count("pending")?;
            let claimed = d::deliveries
                .filter(d::claimed_until.is_not_null())
                .count()
                .get_result::<i64>(conn)?;
            Ok((done, waiting, claimed))
        })
        .await
        .unwrap();
    assert_eq!(
        done, in_flight as i64,
        "in flight, then recorded as delivered"
    );
    assert_eq!(claimed, 0, "nothing left claimed ({waiting} waiting)");

    // Started again, it sends what was waiting and the next post (in either order: they are
    // about different objects), and not what was in flight again.
    process.restart().await;
    let second = post(&home, &owner, "After the restart").await;
    let expected = in_flight + waiting as usize;
    let about_first = |log: &[Value]| {
        log.iter()
            .filter(|a| a.to_string().contains(&first))
            .count()
    };
    eventually_for(
        "the next post and what was waiting are delivered",
        Duration::from_secs(30),
        || async {
            let log = gate.received();
            (log.iter().any(|a| a.to_string().contains(&second)) && about_first(&log) >= expected)
                .then_some(())
        },
    )
    .await;
    // A moment for a second copy of anything to arrive, were one sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = gate.received();
    assert_eq!(
        about_first(&log),
        expected,
        "the first post's activities are each sent once"
    );
    let mut ids: Vec<&str> = log.iter().filter_map(|a| a["id"].as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), log.len(), "no activity sent twice");
    process.kill().await;
}
