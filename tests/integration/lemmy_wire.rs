//! What a Lemmy 0.19 server sees from copse and sends to it (issue 20): a community's edits as
//! the editor's `Update(Group)` announced by the community, a moderator's removal always with
//! `summary`, the charter inside the Group's `summary`/`source`; inbound, Lemmy's moderator
//! `Update(Group)` (announced, or sent directly by a known moderator), and a remote community
//! answered from what is stored while its server is down. Shapes are compared with the captures
//! from a real Lemmy when `COPSE_FIXTURES` points at them.

use crate::{
    helpers::{eventually, TestApp},
    hostile_signatures::follow,
    origin::{Actor, Origin},
    signing::SignedPost,
    trust_scene::{Scene, PUBLIC},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Home with an open community `chess` (a charter) owned by `owner`, `ann` a local member, and
/// `lem`, a person on another server, a member whose inbox the test reads.
struct Wire {
    home: TestApp,
    owner: String,
    ann: String,
    origin: Origin,
}

impl Wire {
    async fn new() -> Wire {
        Wire::running(None).await
    }

    /// The scene with the origin saying in its NodeInfo that it runs `software`.
    async fn running(software: Option<&str>) -> Wire {
        let home = TestApp::spawn().await;
        let owner = home.user("owner").await;
        let charter = json!({"charter": {"purpose": "Learn *openings* together",
            "meeting_cadence": "Thursdays"}});
        let (status, body) = home.community(&owner, "chess", charter).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let ann = home.user("ann").await;
        let (status, body) = home
            .post("/api/v1/communities/chess/join", Some(&ann), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let origin = Origin::start().await;
        if let Some(name) = software {
            let href = origin.url("/nodeinfo/2.1");
            origin.put(
                "/.well-known/nodeinfo",
                json!({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": href}]}),
            );
            origin.put(
                "/nodeinfo/2.1",
                json!({"version": "2.1", "software": {"name": name, "version": "0.19.20"}}),
            );
        }
        let lem = origin.person("lem");
        let (status, body) = SignedPost::new(&follow(&lem.id, &home), &lem.key)
            .send(&home)
            .await;
        assert!(status.is_success(), "{status} {body}");
        let wire = Wire {
            home,
            owner,
            ann,
            origin,
        };
        wire.announced("Accept", |a| a["type"] == "Accept").await;
        wire
    }

    /// The first activity delivered to the origin that `matches`.
    async fn announced(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        eventually(what, || async {
            self.origin.received().into_iter().find(|a| matches(a))
        })
        .await
    }

    fn chess(&self) -> String {
        format!("http://{}/c/chess", self.home.hostname)
    }

    async fn post(&self, token: &str, title: &str) -> i64 {
        let (status, body) = self
            .home
            .post(
                "/api/v1/communities/chess/posts",
                Some(token),
                json!({"title": title, "body": "text"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("post id")
    }
}

/// Waits until nothing is left to deliver.
async fn delivered(home: &TestApp) {
    let ctx = home.context();
    eventually("every delivery is made", || async {
        let report = copse::actions::delivery::queue_report(&ctx).await.ok()?;
        report
            .hosts
            .iter()
            .all(|h| h.pending == 0 && h.retrying == 0)
            .then_some(())
    })
    .await
}

/// What announces of `post` reached the origin: `Announce/Create`, `Announce/Page`.
async fn announces_of(wire: &Wire, post: i64) -> Vec<String> {
    let url = format!("http://{}/post/{post}", wire.home.hostname);
    wire.announced("the Announce(Create)", |a| {
        a["type"] == "Announce"
            && a["object"]["type"] == "Create"
            && a["object"]["object"]["id"] == url.as_str()
    })
    .await;
    delivered(&wire.home).await;
    let mut kinds: Vec<String> = wire
        .origin
        .received()
        .iter()
        .filter(|a| a["type"] == "Announce")
        .filter(|a| {
            a["object"]["id"] == url.as_str() || a["object"]["object"]["id"] == url.as_str()
        })
        .map(|a| format!("Announce/{}", a["object"]["type"].as_str().unwrap_or("?")))
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn a_post_is_announced_bare_only_to_software_that_shows_that_form() {
    for (software, expected) in [
        (Some("lemmy"), vec!["Announce/Create"]),
        (Some("mastodon"), vec!["Announce/Create", "Announce/Page"]),
        (None, vec!["Announce/Create", "Announce/Page"]),
    ] {
        let wire = Wire::running(software).await;
        copse::federation::software::learn(&wire.home.context())
            .await
            .expect("learn");
        let post = wire.post(&wire.ann, "Openings").await;
        assert_eq!(
            announces_of(&wire, post).await,
            expected,
            "to an instance running {software:?}"
        );
    }
}

/// The keys of a captured Lemmy activity (`COPSE_FIXTURES`), without `@context`.
fn lemmy_keys(path: &str) -> Option<BTreeSet<String>> {
    let dir = std::env::var("COPSE_FIXTURES").ok()?;
    let text = std::fs::read_to_string(format!("{dir}/lemmy/activities/{path}")).ok()?;
    let value: Value = serde_json::from_str(&text).expect("fixture");
    Some(keys(&value))
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().filter(|k| *k != "@context").cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_community_edit_is_the_editors_update_announced_by_the_group() {
    let wire = Wire::new().await;
    let (status, body) = wire
        .home
        .call(
            Method::PATCH,
            "/api/v1/communities/chess",
            Some(&wire.owner),
            Some(json!({"title": "Chess club"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let chess = wire.chess();
    let announce = wire
        .announced("Announce(Update(Group))", |a| {
            a["type"] == "Announce" && a["object"]["type"] == "Update"
        })
        .await;
    assert_eq!(announce["actor"], chess.as_str());
    let update = &announce["object"];
    let owner = format!("http://{}/u/owner", wire.home.hostname);
    assert_eq!(update["actor"], owner.as_str(), "a person, as Lemmy wants");
    assert_eq!(update["object"]["type"], "Group");
    assert_eq!(update["object"]["id"], chess.as_str());
    assert_eq!(update["object"]["name"], "Chess club");
    assert_eq!(update["to"], json!([PUBLIC]));
    assert_eq!(update["cc"], json!([chess]));
    assert_eq!(update["audience"], chess.as_str());
    if let Some(lemmy) = lemmy_keys("community/update_community.json") {
        assert_eq!(
            keys(update),
            lemmy,
            "the keys Lemmy's own Update(Group) has"
        );
    }
    // The charter is in what Lemmy shows: summary (HTML) and source (markdown).
    let group = &update["object"];
    let summary = group["summary"].as_str().expect("summary");
    assert!(
        summary.contains("<strong>Purpose:</strong> Learn *openings* together"),
        "{summary}"
    );
    assert!(
        summary.contains("<strong>Meetings:</strong> Thursdays"),
        "{summary}"
    );
    let source = group["source"]["content"].as_str().expect("source");
    assert!(
        source.contains("**Purpose:** Learn \\*openings\\* together"),
        "{source}"
    );
    assert_eq!(group["source"]["mediaType"], "text/markdown");
}

#[tokio::test]
async fn a_removal_always_carries_summary_and_a_deletion_never_does() {
    let wire = Wire::new().await;
    let removed = wire.post(&wire.ann, "Off topic").await;
    let deleted = wire.post(&wire.ann, "Mine to delete").await;
    let path = |id: i64| format!("/api/v1/posts/{id}");
    for (id, token) in [(removed, &wire.owner), (deleted, &wire.ann)] {
        let (status, body) = wire
            .home
            .call(Method::DELETE, &path(id), Some(token), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let post_url = |id: i64| format!("http://{}/post/{id}", wire.home.hostname);
    let delete_of = |id: i64| {
        let url = post_url(id);
        move |a: &Value| {
            a["type"] == "Announce" && a["object"]["type"] == "Delete" && {
                a["object"]["object"] == url.as_str()
            }
        }
    };
    let removal = wire.announced("the removal", delete_of(removed)).await;
    let removal = &removal["object"];
    assert_eq!(removal["summary"], "", "empty, not missing: {removal}");
    assert_eq!(
        removal["actor"],
        format!("http://{}/u/owner", wire.home.hostname)
    );
    if let Some(lemmy) = lemmy_keys("deletion/remove_note.json") {
        assert_eq!(keys(removal), lemmy, "the keys of Lemmy's own removal");
    }
    let deletion = wire.announced("the deletion", delete_of(deleted)).await;
    assert!(
        deletion["object"].get("summary").is_none(),
        "{}",
        deletion["object"]
    );
    // The modlog keeps no empty reason.
    let (status, log) = wire
        .home
        .get("/api/v1/communities/chess/modlog", Some(&wire.owner))
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert!(!log.to_string().contains("\"reason\":\"\""), "{log}");
}

/// An `Update(Group)` of `group` by `actor`, Lemmy's shape, with the Group as `doc` says.
fn update_group(actor: &str, group: &Actor, doc: Value) -> Value {
    json!({
        "id": format!("{actor}/activities/update/{}", uuid::Uuid::new_v4()),
        "type": "Update", "actor": actor, "to": [PUBLIC], "object": doc,
        "cc": [group.id], "audience": group.id,
    })
}

fn announce(group: &Actor, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/announce/{}", group.id, uuid::Uuid::new_v4()),
        "type": "Announce", "actor": group.id, "to": [PUBLIC], "object": object,
        "cc": [format!("{}/followers", group.id)],
    })
}

async fn stored_title(scene: &Scene, group: &Actor) -> String {
    let id = group.id.clone();
    scene
        .home
        .context()
        .db(move |conn| copse::db::communities::by_ap_id(conn, &id))
        .await
        .expect("db")
        .expect("stored")
        .title
}

/// The origin's Group document with another `name`.
fn renamed(scene: &Scene, group: &Actor, name: &str) -> Value {
    let path = url::Url::parse(&group.id).expect("id").path().to_string();
    let mut doc = scene.origin.doc(&path).expect("served");
    doc["name"] = json!(name);
    doc
}

#[tokio::test]
async fn lemmys_moderator_update_of_a_community_is_applied() {
    let scene = Scene::new().await;
    let (evil, mal) = (scene.evil.clone(), scene.mal.clone());
    // Announced by the community itself, a moderator as the Update's actor (Lemmy's form).
    let update = update_group(
        &mal.id,
        &evil,
        renamed(&scene, &evil, "Renamed by a moderator"),
    );
    let (status, body) = scene.send(&announce(&evil, update), &evil.key).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(stored_title(&scene, &evil).await, "Renamed by a moderator");

    // Sent directly by someone the community never named a moderator: refused, unchanged.
    let lie = update_group(&mal.id, &evil, renamed(&scene, &evil, "Lies"));
    let (status, body) = scene.send(&lie, &mal.key).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(stored_title(&scene, &evil).await, "Renamed by a moderator");

    // The community appoints mal (Lemmy's Add to `moderators`); mal's own Update is then taken,
    // the profile read from the community's server rather than from the message.
    let add = json!({
        "id": format!("{}/activities/add/{}", evil.id, uuid::Uuid::new_v4()),
        "type": "Add", "actor": mal.id, "object": mal.id,
        "target": format!("{}/moderators", evil.id), "to": [PUBLIC], "cc": [evil.id],
    });
    let (status, body) = scene.send(&announce(&evil, add), &evil.key).await;
    assert!(status.is_success(), "{status} {body}");
    let path = url::Url::parse(&evil.id).expect("id").path().to_string();
    scene
        .origin
        .put(&path, renamed(&scene, &evil, "As the origin serves it"));
    let claim = update_group(&mal.id, &evil, renamed(&scene, &evil, "Lies again"));
    let (status, body) = scene.send(&claim, &mal.key).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(stored_title(&scene, &evil).await, "As the origin serves it");
}

#[tokio::test]
async fn lemmy_captures_parse_as_what_they_are() {
    let Ok(dir) = std::env::var("COPSE_FIXTURES") else {
        eprintln!("COPSE_FIXTURES is not set: the Lemmy captures are not read");
        return;
    };
    use copse::federation::activities::InboxActivity;
    let read = |path: &str| -> InboxActivity {
        let text = std::fs::read_to_string(format!("{dir}/lemmy/activities/{path}")).expect(path);
        serde_json::from_str(&text).expect(path)
    };
    match read("community/update_community.json") {
        InboxActivity::UpdateGroup(update) => {
            assert_eq!(update.actor.as_str(), "http://ds9.lemmy.ml/u/lemmy_alpha")
        }
        other => panic!("update_community.json read as {other:?}"),
    }
    match read("deletion/remove_note.json") {
        InboxActivity::Delete(delete) => assert_eq!(delete.summary.as_deref(), Some("bad comment")),
        other => panic!("remove_note.json read as {other:?}"),
    }
}

#[tokio::test]
async fn a_stored_remote_community_is_answered_while_its_server_is_down() {
    let mut home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "chess").await;
    let handle = format!("chess@{}", home.hostname);
    home.server.take().expect("running").stop().await;
    let (status, body) = away
        .get(&format!("/api/v1/communities/{handle}"), Some(&eve))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["handle"], handle.as_str(), "named by its own host");
    let (status, body) = away
        .get(&format!("/api/v1/communities/{handle}/posts"), Some(&eve))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An unknown name on the stopped server is still a lookup, and fails as one.
    let (status, _) = away
        .get(
            &format!("/api/v1/communities/nobody@{}", home.hostname),
            Some(&eve),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
