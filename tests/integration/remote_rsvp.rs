//! A local member answers an event held on another copse instance (issue 13): going sends a
//! `Join` to the event's author and waits for the `Accept` (going) — or, when the event is full,
//! stays asked until a place frees up there and the promotion's `Accept` reaches this instance;
//! not going sends a `Leave`, which frees the place there. Three instances: answers both ways,
//! capacity and the waitlist across servers, approval, and a cancellation reaching everyone.

use crate::helpers::{eventually, find_post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(crate) async fn answers_at(app: &TestApp, token: &str, id: i64) -> Vec<(String, String)> {
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(token)).await;
    view["answers"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|a| {
                    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
                    (text(&a["person"]), text(&a["state"]))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn my_answer(app: &TestApp, token: &str, id: i64) -> String {
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(token)).await;
    view["my_answer"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn members_here_answer_an_event_held_there_and_the_waitlist_reaches_them() {
    let home = TestApp::spawn().await;
    let owner = home.user("org").await;
    let (status, body) = home.community(&owner, "bees", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    let fay = away.user("fay").await;
    away.join_remote(&eve, "eve", &home, "bees").await;
    let (status, created) = home
        .post(
            "/api/v1/communities/bees/events",
            Some(&owner),
            json!({
                "title": "Hive visit",
                "starts_at": "2031-05-08T10:00",
                "ends_at": "2031-05-08T12:00",
                "timezone": "Europe/Berlin",
                "capacity": 1,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    let remote = format!("bees@{}", home.hostname);
    let copy = eventually("the event arrives", || async {
        find_post(&away, &remote, "Hive visit").await
    })
    .await;
    let copy = copy["id"].as_i64().expect("id");

    // Eve says going here: asked, until the organizer's Accept comes back.
    let (status, state) = away
        .post(
            &format!("/api/v1/events/{copy}/rsvp"),
            Some(&eve),
            json!({"state": "going"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["state"], "pending");
    let eve_there = format!("eve@{}", away.hostname);
    let fay_there = format!("fay@{}", away.hostname);
    eventually("the Join holds a place there", || async {
        answers_at(&home, &owner, id)
            .await
            .contains(&(eve_there.clone(), "going".into()))
            .then_some(())
    })
    .await;
    eventually("the Accept reaches eve here", || async {
        (my_answer(&away, &eve, copy).await == "going").then_some(())
    })
    .await;

    // Fay too: the one place is taken, so she waits there and stays asked here.
    let (_, state) = away
        .post(
            &format!("/api/v1/events/{copy}/rsvp"),
            Some(&fay),
            json!({"state": "going"}),
        )
        .await;
    assert_eq!(state["state"], "pending");
    eventually("fay is on the waiting list there", || async {
        answers_at(&home, &owner, id)
            .await
            .contains(&(fay_there.clone(), "waitlisted".into()))
            .then_some(())
    })
    .await;
    assert_eq!(my_answer(&away, &fay, copy).await, "pending");

    // Eve cannot come after all: her Leave frees the place, fay is promoted there and the
    // promotion's Accept reaches her here.
    let (_, state) = away
        .post(
            &format!("/api/v1/events/{copy}/rsvp"),
            Some(&eve),
            json!({"state": "not_going"}),
        )
        .await;
    assert_eq!(state["state"], "not_going");
    eventually("eve's place goes to fay there", || async {
        let there = answers_at(&home, &owner, id).await;
        (there.contains(&(fay_there.clone(), "going".into()))
            && there.contains(&(eve_there.clone(), "not_going".into())))
        .then_some(())
    })
    .await;
    eventually("the promotion reaches fay here", || async {
        (my_answer(&away, &fay, copy).await == "going").then_some(())
    })
    .await;
    assert_eq!(my_answer(&away, &eve, copy).await, "not_going");
}

async fn rsvp(app: &TestApp, token: &str, id: i64, state: &str) -> String {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{id}/rsvp"),
            Some(token),
            json!({ "state": state }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["state"].as_str().unwrap_or("").to_string()
}

async fn schedule(app: &TestApp, token: &str, community: &str, title: &str, extra: Value) -> i64 {
    let mut body = json!({
        "title": title,
        "starts_at": "2031-06-12T18:00",
        "ends_at": "2031-06-12T20:00",
        "timezone": "Europe/Paris",
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let (status, created) = app
        .post(
            &format!("/api/v1/communities/{community}/events"),
            Some(token),
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().expect("id")
}

async fn copy_of(app: &TestApp, home: &TestApp, community: &str, title: &str) -> i64 {
    let remote = format!("{community}@{}", home.hostname);
    let post = eventually("the event arrives", || async {
        find_post(app, &remote, title).await
    })
    .await;
    post["id"].as_i64().expect("id")
}

async fn status_at(app: &TestApp, token: &str, id: i64) -> String {
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(token)).await;
    view["status"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn three_instances_answer_each_others_events_with_places_approval_and_cancellation() {
    let (a, b, c) = (
        TestApp::spawn().await,
        TestApp::spawn().await,
        TestApp::spawn().await,
    );
    // B holds the makers; A and C each have a member there. A holds the readers, with a member
    // on B.
    let org = b.user("org").await;
    let (status, body) = b.community(&org, "makers", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ann = a.user("ann").await;
    let cy = c.user("cy").await;
    a.join_remote(&ann, "ann", &b, "makers").await;
    c.join_remote(&cy, "cy", &b, "makers").await;
    let lib = a.user("lib").await;
    let (status, body) = a.community(&lib, "readers", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bo = b.user("bo").await;
    b.join_remote(&bo, "bo", &a, "readers").await;
    let (ann_h, cy_h, bo_h) = (
        format!("ann@{}", a.hostname),
        format!("cy@{}", c.hostname),
        format!("bo@{}", b.hostname),
    );

    // One place on B: A's member takes it, C's waits; A's leaving promotes C's, on all three.
    let small = schedule(&b, &org, "makers", "Soldering", json!({"capacity": 1})).await;
    let (small_a, small_c) = (
        copy_of(&a, &b, "makers", "Soldering").await,
        copy_of(&c, &b, "makers", "Soldering").await,
    );
    assert_eq!(rsvp(&a, &ann, small_a, "going").await, "pending");
    eventually("ann's place reaches A", || async {
        (my_answer(&a, &ann, small_a).await == "going").then_some(())
    })
    .await;
    assert_eq!(rsvp(&c, &cy, small_c, "going").await, "pending");
    eventually("cy waits on B", || async {
        answers_at(&b, &org, small)
            .await
            .contains(&(cy_h.clone(), "waitlisted".into()))
            .then_some(())
    })
    .await;
    assert_eq!(
        my_answer(&c, &cy, small_c).await,
        "pending",
        "no Accept while waiting"
    );
    assert_eq!(rsvp(&a, &ann, small_a, "not_going").await, "not_going");
    eventually("the promotion's Accept reaches C", || async {
        (my_answer(&c, &cy, small_c).await == "going").then_some(())
    })
    .await;
    let there = answers_at(&b, &org, small).await;
    assert!(
        there.contains(&(ann_h.clone(), "not_going".into())),
        "{there:?}"
    );
    assert!(there.contains(&(cy_h.clone(), "going".into())), "{there:?}");

    // Approval on B: A's member asks, the organizer accepts, the Accept reaches A.
    let vetted = schedule(
        &b,
        &org,
        "makers",
        "Open lab",
        json!({"join_mode": "approval"}),
    )
    .await;
    let vetted_a = copy_of(&a, &b, "makers", "Open lab").await;
    assert_eq!(rsvp(&a, &ann, vetted_a, "going").await, "pending");
    eventually("ann's request reaches B", || async {
        answers_at(&b, &org, vetted)
            .await
            .contains(&(ann_h.clone(), "pending".into()))
            .then_some(())
    })
    .await;
    assert_eq!(my_answer(&a, &ann, vetted_a).await, "pending");
    let (status, body) = b
        .post(
            &format!("/api/v1/events/{vetted}/decisions"),
            Some(&org),
            json!({"person": ann_h, "accept": true}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    eventually("the organizer's Accept reaches A", || async {
        (my_answer(&a, &ann, vetted_a).await == "going").then_some(())
    })
    .await;

    // The other way: B's member answers A's event.
    let reading = schedule(&a, &lib, "readers", "Reading night", json!({})).await;
    let reading_b = copy_of(&b, &a, "readers", "Reading night").await;
    assert_eq!(rsvp(&b, &bo, reading_b, "going").await, "pending");
    eventually("bo is going on A", || async {
        answers_at(&a, &lib, reading)
            .await
            .contains(&(bo_h.clone(), "going".into()))
            .then_some(())
    })
    .await;
    eventually("and on B", || async {
        (my_answer(&b, &bo, reading_b).await == "going").then_some(())
    })
    .await;

    // B cancels the small event: A and C see it cancelled; nobody may answer going any more.
    let (status, _) = b
        .post(
            &format!("/api/v1/events/{small}/status"),
            Some(&org),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (app, token, id) in [(&a, &ann, small_a), (&c, &cy, small_c)] {
        eventually("the cancellation arrives", || async {
            (status_at(app, token, id).await == "cancelled").then_some(())
        })
        .await;
    }
    let (status, body) = a
        .post(
            &format!("/api/v1/events/{small_a}/rsvp"),
            Some(&ann),
            json!({"state": "going"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "event_closed");
}
