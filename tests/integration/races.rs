//! Writes that arrive together on one thing and read what they change: every vote counts in the
//! score, and an event never has more people going than places. SQLite's one writer runs them
//! one at a time; on PostgreSQL they run side by side and hold the thing first (`db::hold`).

use crate::{
    events::{answer, call_with_places, open_community},
    helpers::TestApp,
};
use reqwest::StatusCode;
use serde_json::json;

/// Many people voting on one post at once: the score counts every vote. On PostgreSQL a score
/// summed by a statement that waited for another vote's lock on the post was summed before that
/// vote committed, and lost it (seen: 12 votes, score 5).
#[tokio::test]
async fn concurrent_votes_by_many_people_all_count() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    open_community(&app, &owner, "chess").await;
    let mut voters = vec![owner.clone()];
    for i in 0..11 {
        voters.push(app.user(&format!("voter{i}")).await);
    }
    let (status, post) = app
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Popular"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let path = format!("/api/v1/posts/{}/vote", post["id"]);
    let votes = voters.iter().map(|token| {
        let (app, path) = (&app, &path);
        async move { app.post(path, Some(token), json!({"score": 1})).await }
    });
    for (status, body) in futures::future::join_all(votes).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, read) = app
        .get(&format!("/api/v1/posts/{}", post["id"]), None)
        .await;
    assert_eq!(read["score"].as_i64(), Some(voters.len() as i64));
}

/// Many people answering going at once to an event with few places: no more are going than
/// there are places, the others wait. (On PostgreSQL, answers counting the places in
/// transactions that ran side by side each saw a free place.)
#[tokio::test]
async fn answers_arriving_together_do_not_overbook() {
    let app = TestApp::spawn().await;
    let (owner, created) = call_with_places(&app, 3).await;
    let id = created["id"].as_i64().expect("id");
    let mut people = Vec::new();
    for i in 0..10 {
        people.push(app.user(&format!("p{i}")).await);
    }
    let answers = people.iter().map(|token| answer(&app, token, id, "going"));
    let states: Vec<String> = futures::future::join_all(answers)
        .await
        .into_iter()
        .map(|(status, body)| {
            assert_eq!(status, StatusCode::OK, "{body}");
            body["state"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let going = states.iter().filter(|s| *s == "going").count();
    assert_eq!(going, 3, "{states:?}");
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(&owner)).await;
    assert_eq!(
        (view["going"].as_i64(), view["waitlisted"].as_i64()),
        (Some(3), Some(7))
    );
}
