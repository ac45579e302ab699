//! Changes that survive upgrades: stored outbox rows of every variant, in the format written
//! before `Change` (whole rows) and in today's (ids), are still planned into activities; a row
//! that cannot be read is set aside, kept, and counted in `copse admin queue`, the admin API and
//! `/metrics`.

use crate::{
    helpers::{eventually, TestApp},
    sink::Sink,
};
use copse::db::{self, schema::outbox_events};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The rows the samples are pointed at.
struct Scene {
    owner: i64,
    alice: i64,
    /// A remote member of `chess` (the sink's inbox).
    ann: i64,
    chess: i64,
    /// A remote community (the sink's inbox).
    remote: i64,
    post: i64,
    post_ap_id: String,
    comment: i64,
    report: i64,
}

async fn scene(app: &TestApp, sink: &Sink) -> Scene {
    let owner_token = app.user("owner").await;
    let alice_token = app.user("alice").await;
    let (status, body) = app.community(&owner_token, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/communities/chess/join",
            Some(&alice_token),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, post) = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&alice_token),
            json!({"title": "Openings"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_i64().expect("post id");
    let (status, comment) = app
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&alice_token),
            json!({"body": "e4"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let comment_id = comment["id"].as_i64().expect("comment id");
    let (ann_inbox, group_inbox) = (sink.inbox("ann"), sink.inbox("go"));
    app.context()
        .write(move |conn| {
            let base = ann_inbox.trim_end_matches("/inbox/ann").to_string();
            let ann = db::accounts::upsert_remote_person(
                conn,
                &db::accounts::RemotePerson {
                    ap_id: format!("{base}/actor/ann"),
                    name: "ann".into(),
                    display_name: None,
                    summary_html: None,
                    inbox_url: ann_inbox.clone(),
                    shared_inbox_url: None,
                    public_key: "unused".into(),
                    published: None,
                },
            )?;
            let chess = db::communities::local_by_name(conn, "chess")?.expect("chess");
            db::members::put(conn, chess.id, ann.id, db::members::ACTIVE, None, None)?;
            let remote = db::communities::upsert_remote(
                conn,
                &db::communities::RemoteCommunity {
                    charter: Default::default(),
                    ap_id: format!("{base}/c/go"),
                    name: "go".into(),
                    title: "Go".into(),
                    summary_md: String::new(),
                    summary_html: String::new(),
                    membership_policy: copse::domain::communities::MembershipPolicy::Open,
                    visibility: copse::domain::communities::Visibility::Public,
                    posting_restricted_to_mods: false,
                    inbox_url: group_inbox,
                    shared_inbox_url: None,
                    followers_url: None,
                    public_key: "unused".into(),
                    questions: Vec::new(),
                    also_known_as: Vec::new(),
                    moved_to: None,
                    published: None,
                },
            )?;
            let owner = db::accounts::local_person_by_name(conn, "owner")?.expect("owner");
            let alice = db::accounts::local_person_by_name(conn, "alice")?.expect("alice");
            let post = db::posts::post(conn, post_id)?.expect("post");
            let (report, _) = db::moderation::insert_report(
                conn,
                &format!("{base}/reports/1"),
                remote.id,
                alice.id,
                &format!("{base}/post/9"),
                "spam",
            )?;
            Ok(Scene {
                owner: owner.id,
                alice: alice.id,
                ann: ann.id,
                chess: chess.id,
                remote: remote.id,
                post: post.id,
                post_ap_id: post.ap_id.to_string(),
                comment: comment_id,
                report: report.id,
            })
        })
        .await
        .expect("scene stored")
}

/// The row id a sample's field (`person`, or `person_id` in today's format) should name here.
fn row_for(scene: &Scene, variant: &str, field: &str) -> Option<i64> {
    let toward_remote = matches!(
        variant,
        "FollowRequested" | "FollowWithdrawn" | "ReportFiled"
    );
    Some(match field {
        "community" if toward_remote => scene.remote,
        "community" => scene.chess,
        "person"
            if matches!(
                variant,
                "FollowAccepted" | "FollowRejected" | "PersonBanned"
            ) =>
        {
            scene.ann
        }
        "person" | "author" | "voter" | "reporter" => scene.alice,
        "actor" | "moderator" => scene.owner,
        "post" => scene.post,
        "comment" => scene.comment,
        "report" => scene.report,
        _ => return None,
    })
}

/// Points a stored sample (either format) at the scene's rows, with fresh activity ids.
fn aim(sample: &Value, scene: &Scene, n: usize) -> (String, Value) {
    let mut sample = sample.clone();
    let (variant, fields) = match sample.get("change").and_then(Value::as_str) {
        Some(v) => (v.to_string(), &mut sample),
        None => {
            let map = sample.as_object_mut().expect("an object");
            let (name, inner) = map.iter_mut().next().expect("one variant");
            (name.clone(), inner)
        }
    };
    let fields = fields.as_object_mut().expect("fields");
    for (key, value) in fields.iter_mut() {
        let base = key.strip_suffix("_id").unwrap_or(key);
        if let Some(id) = row_for(scene, &variant, base) {
            match value {
                Value::Object(row) => {
                    row.insert("id".into(), json!(id));
                }
                Value::Number(_) => *value = json!(id),
                _ => {}
            }
        }
        match key.as_str() {
            "object_ap_id" | "post_ap_id" => *value = json!(scene.post_ap_id),
            "follow_id" | "activity_id" | "vote_activity_id" if value.is_string() => {
                *value = json!(format!("http://elsewhere.example/activities/{key}/{n}"))
            }
            _ => {}
        }
    }
    (variant, sample)
}

async fn insert(app: &TestApp, text: String) -> i64 {
    app.context()
        .write(move |conn| {
            diesel::insert_into(outbox_events::table)
                .values((
                    outbox_events::event.eq(text),
                    outbox_events::created_at.eq(db::now()),
                ))
                .execute(conn)?;
            Ok(outbox_events::table
                .select(diesel::dsl::max(outbox_events::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or_default())
        })
        .await
        .expect("inserted")
}

/// Waits until the planner has dealt with stored change `id`: (planned, set aside).
async fn settled(app: &TestApp, id: i64) -> (bool, bool) {
    eventually("the change is planned or set aside", || async {
        app.context().outbox_wakeup().notify_one();
        let state = app
            .context()
            .db(move |conn| {
                Ok(outbox_events::table
                    .find(id)
                    .select((
                        outbox_events::planned_at.is_not_null(),
                        outbox_events::set_aside_at.is_not_null(),
                    ))
                    .first::<(bool, bool)>(conn)?)
            })
            .await
            .expect("read");
        (state.0 || state.1).then_some(state)
    })
    .await
}

async fn activities(app: &TestApp) -> i64 {
    app.context()
        .db(|conn| {
            use copse::db::schema::outbox_activities;
            Ok(outbox_activities::table.count().get_result(conn)?)
        })
        .await
        .expect("count")
}

const VARIANTS: usize = 17;

async fn planned_from(file: &str) {
    let app = TestApp::spawn().await;
    let sink = Sink::start().await;
    let scene = scene(&app, &sink).await;
    let samples: Vec<Value> = serde_json::from_str(file).expect("samples");
    let mut seen = std::collections::BTreeSet::new();
    for (n, sample) in samples.iter().enumerate() {
        let (variant, aimed) = aim(sample, &scene, n);
        let before = activities(&app).await;
        let id = insert(&app, aimed.to_string()).await;
        let (planned, set_aside) = settled(&app, id).await;
        assert!(planned && !set_aside, "{variant} is planned: {aimed}");
        assert!(
            activities(&app).await > before,
            "{variant} became at least one activity: {aimed}"
        );
        seen.insert(variant);
    }
    assert_eq!(seen.len(), VARIANTS, "every variant has a sample: {seen:?}");
}

#[tokio::test]
async fn changes_stored_by_the_previous_format_are_still_planned() {
    planned_from(include_str!("../data/outbox_events_v1.json")).await;
}

#[tokio::test]
async fn changes_stored_in_todays_format_are_planned() {
    planned_from(include_str!("../data/outbox_events_v2.json")).await;
}

#[tokio::test]
async fn an_unreadable_change_is_kept_counted_and_does_not_hold_up_the_queue() {
    let app = TestApp::spawn().await;
    let sink = Sink::start().await;
    let scene = scene(&app, &sink).await;
    // A change of a later version (or a corrupted row), then a good one.
    let unreadable = insert(
        &app,
        json!({"MeetingScheduled": {"meeting_id": 3}}).to_string(),
    )
    .await;
    let (planned, set_aside) = settled(&app, unreadable).await;
    assert!(set_aside && !planned, "set aside, not planned");
    let good = json!({"change": "CommunityUpdated", "community_id": scene.chess}).to_string();
    let good = insert(&app, good).await;
    assert_eq!(
        settled(&app, good).await,
        (true, false),
        "later changes go on"
    );
    // Kept, with why.
    let reason = app
        .context()
        .db(move |conn| {
            Ok(outbox_events::table
                .find(unreadable)
                .select(outbox_events::set_aside_reason)
                .first::<Option<String>>(conn)?)
        })
        .await
        .expect("still stored");
    assert!(
        reason
            .as_deref()
            .unwrap_or_default()
            .contains("MeetingScheduled"),
        "{reason:?}"
    );
    // Counted: the admin API, the CLI and /metrics.
    let admin = app.login("owner").await;
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
    assert_eq!(queue["set_aside_changes"], 1, "{queue}");
    let (ok, out, err) = crate::cli::copse(&app.db, &["admin", "queue"], "");
    assert!(ok, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("changes set aside") && l.ends_with(" 1")),
        "{out}"
    );
    let (_, _, metrics) = app.fetch("/metrics", "text/plain").await;
    assert!(
        metrics.contains("copse_outbox_changes_set_aside 1"),
        "{metrics}"
    );
}
