//! Durable delivery: retries with backoff, final refusals, per-object order, dead deliveries,
//! instances skipped while unreachable, `Retry-After`, the admin view and `/metrics`. The remote
//! side is a sink on loopback that answers as each test says.

use crate::{
    helpers::{eventually, eventually_for, TestApp},
    sink::{Received, Sink},
};
use copse::db;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A remote member of `community` whose inbox is `inbox` (stored as if its Follow was accepted).
pub async fn remote_member(app: &TestApp, community: &str, name: &str, inbox: String) {
    let (community, name) = (community.to_string(), name.to_string());
    app.context()
        .write(move |conn| {
            let person = db::accounts::upsert_remote_person(
                conn,
                &db::accounts::RemotePerson {
                    ap_id: format!(
                        "{}/actor/{name}",
                        inbox.trim_end_matches(&format!("/inbox/{name}"))
                    ),
                    name: name.clone(),
                    display_name: None,
                    summary_html: None,
                    inbox_url: inbox.clone(),
                    shared_inbox_url: None,
                    public_key: "unused".into(),
                    published: None,
                },
            )?;
            let c = db::communities::local_by_name(conn, &community)?.expect("community");
            db::members::put(conn, c.id, person.id, db::members::ACTIVE, None, None)?;
            Ok(())
        })
        .await
        .expect("member stored");
}

async fn fast_retries() -> TestApp {
    TestApp::spawn_with(|s| {
        s.delivery_retry_base_secs = 1;
        s.delivery_retry_max_secs = 2;
    })
    .await
}

async fn setup(app: &TestApp) -> String {
    let owner = app.user("owner").await;
    let (status, body) = app.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    owner
}

pub async fn new_post(app: &TestApp, token: &str, title: &str) -> serde_json::Value {
    let (status, post) = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(token),
            json!({"title": title}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post
}

fn about<'a>(log: &'a [Received], object: &str) -> Vec<&'a Received> {
    log.iter().filter(|r| r.object_id() == object).collect()
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_the_inbox_recovers_in_order() {
    let app = fast_retries().await;
    let owner = setup(&app).await;
    let sink = Sink::start().await;
    remote_member(&app, "chess", "ann", sink.inbox("ann")).await;
    // Down for the first three requests, then up.
    let tries = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = tries.clone();
    sink.answer(move |_| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n < 3 {
            (503, None)
        } else {
            (202, None)
        }
    });
    let post = new_post(&app, &owner, "Opening").await;
    let id = post["actor_id"].as_str().unwrap().to_string();
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{}", post["id"]),
            Some(&owner),
            Some(json!({"title": "Opening, edited"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let log = eventually("the create and the update are delivered", || async {
        let log = sink.received();
        let delivered: Vec<String> = about(&log, &id)
            .iter()
            .filter(|r| r.status == 202)
            .map(|r| r.kinds())
            .collect();
        (delivered.len() == 3).then_some(log)
    })
    .await;
    let delivered: Vec<String> = about(&log, &id)
        .iter()
        .filter(|r| r.status == 202)
        .map(|r| r.kinds())
        .collect();
    assert_eq!(
        delivered,
        ["Announce/Create", "Announce/Page", "Announce/Update"],
        "per object, in the order they happened"
    );
    // Nothing about this post reached the inbox out of order, even while it was failing.
    let first_update = log.iter().position(|r| r.kinds() == "Announce/Update");
    let last_create = log.iter().rposition(|r| r.kinds() == "Announce/Create");
    assert!(first_update > last_create, "{:?}", kinds_of(&log));
    let (_, metrics) = app.fetch("/metrics", "text/plain").await.clone_pair();
    assert!(
        metrics.contains("copse_deliveries_retried_total 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("copse_deliveries_sent_total 3"),
        "{metrics}"
    );
}

fn kinds_of(log: &[Received]) -> Vec<String> {
    log.iter()
        .map(|r| format!("{} {}", r.kinds(), r.status))
        .collect()
}

trait Pair {
    fn clone_pair(self) -> (StatusCode, String);
}

impl Pair for (StatusCode, String, String) {
    fn clone_pair(self) -> (StatusCode, String) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn a_refusal_is_final_and_one_failing_activity_holds_up_nothing_else() {
    let app = TestApp::spawn_with(|s| {
        s.delivery_retry_base_secs = 1;
        s.delivery_retry_max_secs = 1;
        s.delivery_give_up_after_secs = 8;
    })
    .await;
    let owner = setup(&app).await;
    let sink = Sink::start().await;
    remote_member(&app, "chess", "ann", sink.inbox("ann")).await;
    // The first post is refused (400), the second fails for ever (500), the third is welcome.
    sink.answer(|d| {
        let body = d.body.to_string();
        if body.contains("\"Refused\"") {
            (400, None)
        } else if body.contains("\"Failing\"") {
            (500, None)
        } else {
            (202, None)
        }
    });
    let refused = new_post(&app, &owner, "Refused").await["actor_id"]
        .as_str()
        .unwrap()
        .to_string();
    let failing = new_post(&app, &owner, "Failing").await["actor_id"]
        .as_str()
        .unwrap()
        .to_string();
    let welcome = new_post(&app, &owner, "Welcome").await["actor_id"]
        .as_str()
        .unwrap()
        .to_string();

    eventually("the welcome post arrives", || async {
        (about(&sink.received(), &welcome)
            .iter()
            .filter(|r| r.status == 202)
            .count()
            == 2)
            .then_some(())
    })
    .await;
    // Given up 8 s after its first try, retried every second until then (a bound on waiting
    // that leaves a loaded machine time for at least one retry).
    let dead = std::time::Duration::from_secs(60);
    eventually_for("the failing post is given up (dead)", dead, || async {
        let report = copse::actions::delivery::queue_report(&app.context())
            .await
            .unwrap();
        let host = format!("localhost:{}", sink.port);
        report
            .hosts
            .iter()
            .find(|h| h.host == host && h.dead == 2 && h.pending == 0 && h.retrying == 0)
            .map(|_| ())
    })
    .await;
    let log = sink.received();
    assert_eq!(
        about(&log, &refused).len(),
        2,
        "a 400 is not retried: {:?}",
        kinds_of(&log)
    );
    assert!(
        about(&log, &failing).len() > 2,
        "a 500 is retried: {:?}",
        kinds_of(&log)
    );
    // The same through the admin API, and the CLI.
    let admin = app.user("alice").await;
    app.context()
        .write(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE local_users SET is_admin = TRUE"),
                conn,
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, queue) = app.get("/api/v1/admin/queue", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue["instances"][0]["dead"], 2, "{queue}");
    let (status, _) = app.get("/api/v1/admin/queue", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (ok, out, err) = crate::cli::copse(&app.db, &["admin", "queue"], "");
    assert!(ok, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("localhost:{}", sink.port)))
        .unwrap_or_else(|| panic!("{out}"));
    let counts: Vec<&str> = line.split_whitespace().skip(1).collect();
    assert_eq!(counts, ["0", "0", "2"], "pending, retrying, dead: {out}");
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_dead_instance_delays_no_one() {
    let app = fast_retries().await;
    let owner = setup(&app).await;
    let slow = Sink::start().await;
    let healthy = Sink::start().await;
    // A port nobody listens on: connections are refused.
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    remote_member(&app, "chess", "ann", slow.inbox("ann")).await;
    remote_member(&app, "chess", "bob", healthy.inbox("bob")).await;
    remote_member(
        &app,
        "chess",
        "cat",
        format!("http://localhost:{dead_port}/inbox/cat"),
    )
    .await;
    slow.answer(|_| (429, Some(3600)));
    let post = new_post(&app, &owner, "Hello").await["actor_id"]
        .as_str()
        .unwrap()
        .to_string();
    eventually("the healthy instance gets both announces", || async {
        (about(&healthy.received(), &post).len() == 2).then_some(())
    })
    .await;
    let slow_host = format!("localhost:{}", slow.port);
    let ctx = app.context();
    let next = eventually("the 429 is recorded", || {
        let (host, ctx) = (slow_host.clone(), ctx.clone());
        async move {
            let at: Vec<chrono::NaiveDateTime> = ctx
                .db(move |conn| {
                    use db::schema::deliveries::dsl as d;
                    use diesel::prelude::*;
                    Ok(d::deliveries
                        .filter(d::host.eq(host))
                        .filter(d::attempts.gt(0))
                        .select(d::next_attempt_at)
                        .load(conn)?)
                })
                .await
                .unwrap();
            (!at.is_empty()).then_some(at)
        }
    })
    .await;
    for at in next {
        let wait = at - db::now();
        assert!(
            wait > chrono::Duration::minutes(50),
            "Retry-After (an hour) outweighs the 1 s backoff: next try in {wait}"
        );
    }
}

#[tokio::test]
async fn an_instance_failing_for_long_is_skipped_until_it_contacts_us() {
    let app = TestApp::spawn_with(|s| {
        s.delivery_retry_base_secs = 3600;
        s.instance_unreachable_after_secs = 0;
    })
    .await;
    let owner = setup(&app).await;
    let sink = Sink::start().await;
    remote_member(&app, "chess", "ann", sink.inbox("ann")).await;
    sink.answer(|_| (500, None));
    new_post(&app, &owner, "One").await;
    let host = format!("localhost:{}", sink.port);
    eventually("the instance is marked unreachable", || async {
        let report = copse::actions::delivery::queue_report(&app.context())
            .await
            .unwrap();
        report
            .unreachable
            .iter()
            .any(|(h, _)| *h == host)
            .then_some(())
    })
    .await;
    let before = sink.received().len();
    sink.answer(|_| (202, None));
    new_post(&app, &owner, "Two").await;
    // A later post to that instance waits too (it is skipped as a whole), until it is heard from.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), before, "skipped while unreachable");
    // What the inbox does after applying an activity from that instance.
    let config = copse::federation::config(app.context()).await.unwrap();
    copse::federation::outbound::worker::heard_from(&config.to_request_data(), &host).await;
    eventually("the new post arrives once the instance is back", || async {
        (sink.received().iter().filter(|r| r.status == 202).count() >= 2).then_some(())
    })
    .await;
}

/// The claim query itself, on the real database of an instance that runs no delivery worker:
/// per instance, never an activity behind an earlier pending one about the same object, and
/// never more than `per_host` claimed at once, counting those claimed before.
#[tokio::test]
async fn claims_keep_per_object_order_and_the_per_instance_cap() {
    let app = TestApp::spawn_with(|s| s.delivery_in_serve = false).await;
    let plan = |ap_id: &str, key: &str, hosts: &[&str]| db::outbox::PlannedActivity {
        ap_id: format!("http://{}/activities/{ap_id}", app.hostname),
        signer: format!("http://{}/actor", app.hostname),
        object_key: key.to_string(),
        body: "{}".into(),
        inboxes: hosts
            .iter()
            .map(|h| url::Url::parse(&format!("https://{h}/inbox")).expect("inbox"))
            .collect(),
    };
    // In this order: two about k1 (the second must wait for the first), then k2 and k3.
    let planned = vec![
        plan("x1", "k1", &["a.example", "b.example"]),
        plan("x2", "k1", &["a.example"]),
        plan("y", "k2", &["a.example"]),
        plan("z", "k3", &["a.example"]),
    ];
    // Stored as the planner stores what one change became (the change made up: no planner runs
    // here).
    app.context()
        .write(move |conn| {
            let change = copse::domain::changes::Change::FollowWithdrawn {
                person_id: 0,
                community_id: 0,
                follow_id: "made up".into(),
            };
            db::outbox::emit(conn, &change)?;
            let (event, _) = db::outbox::unplanned_events(conn, 1)?
                .pop()
                .expect("the change");
            db::outbox::store_plan(conn, event, &planned)
        })
        .await
        .expect("stored");
    let claim = || async {
        app.context()
            .write(|conn| {
                db::outbox::claim_due(conn, "test", 100, 2, chrono::Duration::seconds(60))
            })
            .await
            .expect("claim")
    };
    // `activity@host`, sorted.
    let labels = |claimed: &[db::outbox::Claimed]| {
        let mut got: Vec<String> = claimed
            .iter()
            .map(|d| {
                let name = d.activity_ap_id.rsplit('/').next().unwrap_or_default();
                format!("{name}@{}", d.host)
            })
            .collect();
        got.sort();
        got
    };
    let first = claim().await;
    let names = labels(&first);
    // a.example: x1 and y (x2 waits for x1, z is over the cap of 2); b.example: x1.
    assert_eq!(names, ["x1@a.example", "x1@b.example", "y@a.example"]);
    // Everything claimed is still in flight: nothing more for either instance.
    assert_eq!(labels(&claim().await), Vec::<String>::new());
    // x1 reached a.example: x2 is next there (one slot; y still holds the other), not z.
    let x1_at_a = first
        .into_iter()
        .find(|d| d.host == "a.example" && d.activity_ap_id.ends_with("/x1"))
        .expect("x1 at a");
    app.context()
        .write(move |conn| {
            db::outbox::record(
                conn,
                &[(x1_at_a, db::outbox::Outcome::Delivered)],
                chrono::Duration::days(3),
                chrono::Duration::days(1),
            )
        })
        .await
        .expect("recorded");
    assert_eq!(labels(&claim().await), ["x2@a.example"]);
}
