//! Applications from another instance: the joining questions travel on the Group, the answers
//! come back in the Follow and in later Notes, and the community's moderators read them.

use crate::{
    helpers::{eventually, TestApp},
    signing,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn application(home: &TestApp, owner: &str, handle: &str) -> Option<Value> {
    let (_, apps) = home
        .get("/api/v1/communities/chess/applications", Some(owner))
        .await;
    apps["items"]
        .as_array()?
        .iter()
        .find(|a| a["handle"] == handle)
        .cloned()
}

#[tokio::test]
async fn remote_applicant_reads_the_questions_and_answers_each() {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let questions = ["Your rating?", "Why join?"];
    let (status, body) = home
        .community(
            &owner,
            "chess",
            json!({"membership_policy": "approval", "questions": questions}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The Group carries them, as a property and readably in its summary.
    let group = home.activity_json("/c/chess").await;
    assert_eq!(group["joiningQuestions"], json!(questions), "{group}");
    let summary = group["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("<li>Why join?</li>"), "{summary}");

    // Another instance reads them from the Group (and not twice in the summary).
    let away = TestApp::spawn().await;
    let fay = away.user("fay").await;
    let remote = format!("chess@{}", home.hostname);
    let (status, seen) = away
        .get(&format!("/api/v1/resolve?q={remote}"), Some(&fay))
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["questions"], json!(questions), "{seen}");

    let (status, body) = away
        .post(
            &format!("/api/v1/communities/{remote}/join"),
            Some(&fay),
            json!({"answers": ["About 1800", "To learn endgames"]}),
        )
        .await;
    assert_eq!(
        (status, body["state"].clone()),
        (StatusCode::OK, json!("pending"))
    );

    let handle = format!("fay@{}", away.hostname);
    let arrived = eventually("the application arrives", || async {
        application(&home, &owner, &handle).await
    })
    .await;
    let answers = arrived["answers"].as_str().unwrap_or_default();
    assert_eq!(
        answers,
        "Your rating?\nAbout 1800\n\nWhy join?\nTo learn endgames"
    );

    // A Note addressed to the community while the application waits adds to it.
    let (actor, key) = signing::person_key(&away, "fay").await;
    let group_id = format!("http://{}/c/chess", home.hostname);
    let note_id = format!("{actor}/notes/1");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/activities/1"),
        "type": "Create",
        "actor": actor,
        "to": [group_id],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor,
            "to": [group_id],
            "content": "<p>1. About 1850 now<br>2. To play more</p>",
        },
    });
    let (status, body) = signing::SignedPost::new(&create, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let updated = application(&home, &owner, &handle)
        .await
        .expect("application");
    assert_eq!(
        updated["answers"].as_str().unwrap_or_default(),
        format!("{answers}\n\nYour rating?\nAbout 1850 now\n\nWhy join?\nTo play more")
    );
    let (_, posts) = home
        .get("/api/v1/communities/chess/posts", Some(&owner))
        .await;
    assert_eq!(posts["items"], json!([]), "the Note is not a post");
}
