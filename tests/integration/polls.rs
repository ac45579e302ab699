//! Polls (issue 16): a poll voted from another copse instance (its vote a `Create(Note)` to the
//! author, never a comment; the results back as a batched `Update(Question)`), and from a signed
//! Mastodon-shaped `Create(Note)`; double votes and votes after closing refused (locally with a
//! clear error, from elsewhere acknowledged and ignored with the reason); a remote `Question`
//! stored as a poll; captured `Question` documents parse (when COPSE_FIXTURES is set).

use crate::{
    helpers::{eventually, find_post, TestApp},
    hostile_signatures::follow,
    origin::Origin,
    signing::SignedPost,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn quick() -> TestApp {
    TestApp::spawn_with(|s| s.poll_results_secs = 1).await
}

/// Home with a public community `chess` owned by `owner`; answers the owner's token.
async fn chess(home: &TestApp) -> String {
    let owner = home.user("owner").await;
    let (status, body) = home.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    owner
}

async fn open_poll(home: &TestApp, token: &str, title: &str, extra: Value) -> (i64, Value) {
    let mut body = json!({"title": title, "body": "Pick one", "options": ["Tea", "Coffee"]});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    let (status, created) = home
        .post("/api/v1/communities/chess/polls", Some(token), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (created["post"]["id"].as_i64().expect("id"), created)
}

async fn poll(app: &TestApp, token: Option<&str>, id: i64) -> Value {
    let (status, poll) = app.get(&format!("/api/v1/posts/{id}/poll"), token).await;
    assert_eq!(status, StatusCode::OK, "{poll}");
    poll
}

fn option<'a>(poll: &'a Value, name: &str) -> &'a Value {
    poll["options"]
        .as_array()
        .expect("options")
        .iter()
        .find(|o| o["name"] == name)
        .expect("the option")
}

fn votes(poll: &Value, name: &str) -> i64 {
    option(poll, name)["votes"].as_i64().unwrap_or(-1)
}

async fn comment_count(app: &TestApp, id: i64) -> usize {
    let (_, comments) = app.get(&format!("/api/v1/posts/{id}/comments"), None).await;
    comments["items"]
        .as_array()
        .or(comments.as_array())
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn a_poll_is_voted_from_another_copse_and_the_results_reach_it() {
    let (home, away) = tokio::join!(quick(), quick());
    let owner = chess(&home).await;
    let ann = home.user("ann").await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let (id, created) = open_poll(&home, &owner, "Drink?", json!({})).await;
    assert_eq!(created["poll"]["options"].as_array().map(Vec::len), Some(2));

    let remote = format!("chess@{}", home.hostname);
    let copy = eventually("the poll arrives", || async {
        find_post(&away, &remote, "Drink?").await
    })
    .await;
    let copy = copy["id"].as_i64().expect("id");
    // The thread page shows the options once: the list the content carries for other servers
    // is not kept beside the poll's own.
    let (status, _, page) = away.fetch(&format!("/post/{copy}"), "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.matches("Coffee").count(), 1, "{page}");
    let there = poll(&away, Some(&eve), copy).await;
    assert_eq!(there["results_shown"], false, "{there}");
    assert_eq!(there["may_vote"], true, "{there}");
    let tea = option(&there, "Tea")["id"].as_i64().expect("id");

    let (status, voted) = away
        .post(
            &format!("/api/v1/posts/{copy}/poll/votes"),
            Some(&eve),
            json!({"choices": [tea]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(voted["voted"], true);
    // The vote reaches the author's instance and counts there; it is not a reply.
    eventually("the vote counts at home", || async {
        (votes(&poll(&home, Some(&owner), id).await, "Tea") == 1).then_some(())
    })
    .await;
    assert_eq!(poll(&home, Some(&owner), id).await["voters_count"], 1);
    assert_eq!(comment_count(&home, id).await, 0);
    assert_eq!(comment_count(&away, copy).await, 0);

    // Twice: refused with a clear error.
    let (status, again) = away
        .post(
            &format!("/api/v1/posts/{copy}/poll/votes"),
            Some(&eve),
            json!({"choices": [tea]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"], "already_voted");

    // A vote at home: the batched Update(Question) brings the new count to the other instance.
    let coffee = option(&poll(&home, Some(&ann), id).await, "Coffee")["id"]
        .as_i64()
        .expect("id");
    let (status, body) = home
        .post(
            &format!("/api/v1/posts/{id}/poll/votes"),
            Some(&ann),
            json!({"choices": [coffee]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the Update(Question) arrives", || async {
        let there = poll(&away, Some(&eve), copy).await;
        (votes(&there, "Coffee") == 1 && there["voters_count"] == 2).then_some(())
    })
    .await;
}

/// The `Create(Note)` Mastodon sends for a vote.
fn vote_note(voter: &str, poll: &str, option: &str, owner: &str) -> Value {
    let base = voter.trim_end_matches(|c| c != '/');
    let n = uuid::Uuid::new_v4();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{base}{n}#votes/1/activity"),
        "type": "Create",
        "actor": voter,
        "to": owner,
        "object": {
            "id": format!("{base}{n}#votes/1"),
            "type": "Note",
            "name": option,
            "attributedTo": voter,
            "to": owner,
            "inReplyTo": poll,
        },
    })
}

#[tokio::test]
async fn a_mastodon_shaped_vote_counts_once_and_not_after_closing() {
    let home = quick().await;
    let owner = chess(&home).await;
    let (id, _) = open_poll(&home, &owner, "Openings?", json!({})).await;
    let closes = chrono::Utc::now() + chrono::Duration::seconds(3);
    let (late, _) = open_poll(&home, &owner, "Soon closed", json!({"closes_at": closes})).await;
    let origin = Origin::start().await;
    let masto = origin.person("masto");
    let owner_id = format!("http://{}/u/owner", home.hostname);
    let question = |id: i64| format!("http://{}/post/{id}", home.hostname);

    let first = vote_note(&masto.id, &question(id), "Tea", &owner_id);
    let (status, body) = SignedPost::new(&first, &masto.key).send(&home).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = poll(&home, Some(&owner), id).await;
    assert_eq!(
        (votes(&seen, "Tea"), seen["voters_count"].as_i64()),
        (1, Some(1))
    );
    assert_eq!(comment_count(&home, id).await, 0, "a vote is never a reply");

    // A second vote (another activity) in a single-choice poll: acknowledged, ignored.
    let second = vote_note(&masto.id, &question(id), "Coffee", &owner_id);
    let (status, body) = SignedPost::new(&second, &masto.key).send(&home).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["ignored"], "already_voted");
    let seen = poll(&home, Some(&owner), id).await;
    assert_eq!((votes(&seen, "Tea"), votes(&seen, "Coffee")), (1, 0));
    // Its receipt was recorded: sent again, it is a replay.
    let (status, body) = SignedPost::new(&second, &masto.key).send(&home).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The results go to the voter's server as the author's Update(Question).
    let update = eventually("the Update(Question) reaches the voter", || async {
        origin
            .received()
            .into_iter()
            .find(|a| a["type"] == "Update" && a["object"]["type"] == "Question")
    })
    .await;
    assert_eq!(update["object"]["oneOf"][0]["name"], "Tea", "{update}");
    assert_eq!(update["object"]["oneOf"][0]["replies"]["totalItems"], 1);
    assert_eq!(update["object"]["votersCount"], 1);

    // After closing: refused here (422), ignored from elsewhere.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let late_vote = vote_note(&masto.id, &question(late), "Tea", &owner_id);
    let (status, body) = SignedPost::new(&late_vote, &masto.key).send(&home).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["ignored"], "poll_closed");
    let ann = home.user("ann").await;
    let closed = poll(&home, Some(&ann), late).await;
    assert_eq!(closed["closed"], true);
    assert_eq!(
        closed["results_shown"], true,
        "closed polls show results to all"
    );
    let tea = option(&closed, "Tea")["id"].clone();
    let (status, body) = home
        .post(
            &format!("/api/v1/posts/{late}/poll/votes"),
            Some(&ann),
            json!({"choices": [tea]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "poll_closed");
    assert_eq!(votes(&poll(&home, Some(&ann), late).await, "Tea"), 0);
}

#[tokio::test]
async fn a_remote_question_is_stored_as_a_poll_and_bad_polls_are_refused() {
    let home = quick().await;
    let owner = chess(&home).await;
    let origin = Origin::start().await;
    let masto = origin.person("masto");
    let (status, body) = SignedPost::new(&follow(&masto.id, &home), &masto.key)
        .send(&home)
        .await;
    assert!(status.is_success(), "{status} {body}");
    let chess = format!("http://{}/c/chess", home.hostname);
    let qid = format!("{}/statuses/1", masto.id);
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{qid}/activity"), "type": "Create", "actor": masto.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [chess],
        "object": {
            "id": qid, "type": "Question", "attributedTo": masto.id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [chess],
            "audience": chess, "name": "Best opening?",
            "content": "<p>Best opening?</p>",
            "endTime": "2031-01-01T00:00:00Z", "votersCount": 3,
            "anyOf": [
                {"type": "Note", "name": "e4", "replies": {"type": "Collection", "totalItems": 2}},
                {"type": "Note", "name": "d4", "replies": {"type": "Collection", "totalItems": 1}},
            ],
        },
    });
    let (status, body) = SignedPost::new(&create, &masto.key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let stored = find_post(&home, "chess", "Best opening?")
        .await
        .expect("stored");
    let id = stored["id"].as_i64().expect("id");
    let seen = poll(&home, Some(&owner), id).await;
    assert_eq!(seen["multiple"], true, "{seen}");
    assert_eq!(seen["options"].as_array().map(Vec::len), Some(2));
    assert_eq!(seen["closes_at"], "2031-01-01T00:00:00Z");

    // Local refusals: too few options, a closing time in the past.
    for extra in [
        json!({"options": ["only"]}),
        json!({"closes_at": "2001-01-01T00:00:00Z"}),
    ] {
        let mut body = json!({"title": "Bad", "options": ["a", "b"]});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, refused) = home
            .post("/api/v1/communities/chess/polls", Some(&owner), body)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    }
    assert!(find_post(&home, "chess", "Bad").await.is_none());
}

/// Every captured `Question` (a document, or the object of an activity) reads as a post with a
/// poll. Runs when COPSE_FIXTURES points at the shared fixtures.
#[test]
fn every_captured_question_parses() {
    use copse::federation::objects::post::PostJson;
    let Ok(root) = std::env::var("COPSE_FIXTURES") else {
        eprintln!("COPSE_FIXTURES is not set: skipping the Question fixtures");
        return;
    };
    let mut found = 0;
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(doc) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            for question in [&doc, &doc["object"]] {
                if question["type"] != "Question" {
                    continue;
                }
                let json: PostJson = serde_json::from_value(question.clone())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(
                    json.received().poll.is_some(),
                    "{}: no poll read",
                    path.display()
                );
                found += 1;
            }
        }
    }
    eprintln!("{found} captured Question documents parsed");
}
