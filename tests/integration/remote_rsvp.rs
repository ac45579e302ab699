//! A local member answers an event held on another copse instance (issue 13): going sends a
//! `Join` to the event's author and waits for the `Accept` (going) — or, when the event is full,
//! stays asked until a place frees up there and the promotion's `Accept` reaches this instance;
//! not going sends a `Leave`, which frees the place there.

use crate::helpers::{eventually, find_post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn answers_at(app: &TestApp, token: &str, id: i64) -> Vec<(String, String)> {
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

async fn my_answer(app: &TestApp, token: &str, id: i64) -> String {
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
