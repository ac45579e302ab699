//! Calendars a community follows (issue 13, inbound events from Gancio and Mobilizon accounts):
//! the community's Group follows an `Application` shaped like Gancio's relay actor on another
//! server (an `origin::Origin` with a real key), the actor's signed `Accept` names the Follow,
//! and its `Create(Event)`s, addressed to Public and its followers only, land in the community
//! as event threads. Answers from anyone else, events from actors nobody follows, and events
//! after the unfollow do not.

use crate::{
    helpers::{eventually, TestApp},
    origin::{Actor, Origin},
    signing::SignedPost,
    trust_scene::PUBLIC,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Home with a local community `makers` (owner `owner`, member `ann`) and a Gancio-shaped
/// calendar actor on another server.
struct Scene {
    home: TestApp,
    owner: String,
    ann: String,
    origin: Origin,
    elsewhere: Origin,
    relay: Actor,
}

impl Scene {
    async fn new() -> Scene {
        let home = TestApp::spawn().await;
        let owner = home.user("owner").await;
        let (status, body) = home.community(&owner, "makers", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let ann = home.user("ann").await;
        let (status, body) = home
            .post("/api/v1/communities/makers/join", Some(&ann), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let origin = Origin::start().await;
        let relay = origin.application("/federation/u/relay", "relay");
        // A member on a third server (the calendar's own is not sent back its own events),
        // whose inbox shows what the community announces.
        let elsewhere = Origin::start().await;
        let lem = elsewhere.person("lem");
        let mut follow = crate::hostile_signatures::follow(&lem.id, &home);
        follow["object"] = json!(format!("http://{}/c/makers", home.hostname));
        let (status, body) = SignedPost::new(&follow, &lem.key).send(&home).await;
        assert!(status.is_success(), "{status} {body}");
        Scene {
            home,
            owner,
            ann,
            origin,
            elsewhere,
            relay,
        }
    }

    async fn calendars(&self) -> Value {
        let (status, body) = self
            .home
            .get("/api/v1/communities/makers/calendars", Some(&self.owner))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The Follow the community sent the relay.
    async fn follow_sent(&self) -> Value {
        let relay = self.relay.id.clone();
        eventually("the Group's Follow reaches the calendar", || async {
            self.origin
                .received()
                .into_iter()
                .find(|a| a["type"] == "Follow" && a["object"] == relay.as_str())
        })
        .await
    }

    async fn send(&self, activity: &Value, by: &Actor) -> StatusCode {
        SignedPost::new(activity, &by.key).send(&self.home).await.0
    }

    /// The titles of the community's upcoming events, as a member reads them.
    async fn event_titles(&self) -> Vec<String> {
        let (status, body) = self
            .home
            .get("/api/v1/communities/makers/events", Some(&self.ann))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["title"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// A Gancio-shaped `Create(Event)`: to Public, cc the actor's followers, `location` a list of a
/// `VirtualLocation` and a `Place` with its address as text, times with an offset.
fn gancio_event(origin: &Origin, by: &Actor, n: u32, name: &str) -> Value {
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let end = start + chrono::Duration::hours(2);
    let object = origin.url(&format!("/federation/m/{n}"));
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": format!("{object}#Create-{n}"),
        "type": "Create",
        "actor": by.id,
        "to": [PUBLIC],
        "cc": [format!("{}/followers", by.id)],
        "object": {
            "id": object,
            "type": "Event",
            "name": name,
            "url": origin.url(&format!("/event/{n}")),
            "startTime": start.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
            "endTime": end.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
            "location": [
                {"type": "VirtualLocation", "url": "https://meet.example/room"},
                {"id": origin.url("/federation/p/1"), "type": "Place", "name": "Community Hall",
                    "address": "1 Main St, Springfield"}
            ],
            "attributedTo": by.id,
            "to": [PUBLIC],
            "cc": [format!("{}/followers", by.id)],
            "content": "<p>Bring snacks.</p>",
            "summary": "Community Hall, in three days",
            "published": chrono::Utc::now().to_rfc3339(),
        }
    })
}

fn accept(by: &Actor, follow: &Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/accept/{}", by.id, rand_suffix()),
        "type": "Accept",
        "actor": by.id,
        "object": follow,
    })
}

fn rand_suffix() -> String {
    format!("{:x}", rand::random::<u64>())
}

#[tokio::test]
async fn a_followed_gancio_calendar_brings_its_events_into_the_community() {
    let s = Scene::new().await;
    let (status, body) = s
        .home
        .post(
            "/api/v1/communities/makers/calendars",
            Some(&s.owner),
            json!({"calendar": s.relay.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "pending", "{body}");
    let follow = s.follow_sent().await;
    let (group, _) = crate::signing::community_key(&s.home, "makers").await;
    assert_eq!(
        follow["actor"],
        group.as_str(),
        "the Group follows: {follow}"
    );

    // Before the calendar accepts, its events do not land.
    let early = gancio_event(&s.origin, &s.relay, 1, "Too early");
    s.send(&early, &s.relay).await;
    // Someone else cannot accept for it.
    let stranger = s.origin.application("/federation/u/stranger", "stranger");
    let status = s.send(&accept(&stranger, &follow), &stranger).await;
    assert!(!status.is_success(), "an Accept by another actor: {status}");
    let status = s.send(&accept(&stranger, &follow["id"]), &stranger).await;
    assert!(
        !status.is_success(),
        "an Accept by another actor, by id: {status}"
    );
    assert_eq!(s.calendars().await[0]["state"], "pending");

    let status = s.send(&accept(&s.relay, &follow), &s.relay).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(s.calendars().await[0]["state"], "accepted");

    let event = gancio_event(&s.origin, &s.relay, 2, "Repair café");
    let status = s.send(&event, &s.relay).await;
    assert!(status.is_success(), "{status}");
    let titles = s.event_titles().await;
    assert_eq!(
        titles,
        vec!["Repair café".to_string()],
        "only the accepted one"
    );
    let (status, listed) = s
        .home
        .get("/api/v1/communities/makers/events", Some(&s.ann))
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = listed["items"][0]["id"].as_i64().expect("id");
    let (status, e) = s
        .home
        .get(&format!("/api/v1/events/{id}"), Some(&s.ann))
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["place_name"], "Community Hall", "{e}");
    assert_eq!(e["place_address"], "1 Main St, Springfield", "{e}");
    assert!(
        e["author"]
            .as_str()
            .unwrap_or_default()
            .starts_with("relay@"),
        "{e}"
    );
    assert!(
        e["body"]
            .as_str()
            .unwrap_or_default()
            .contains("Bring snacks"),
        "{e}"
    );

    // The community announces it to its members elsewhere, as any new thread.
    let announce = eventually("the Group announces the event", || async {
        s.elsewhere.received().into_iter().find(|a| {
            a["type"] == "Announce"
                && a["actor"] == group.as_str()
                && a.to_string().contains(&s.origin.url("/federation/m/2"))
        })
    })
    .await;
    assert!(announce.to_string().contains("Repair"), "{announce}");

    // A note from the calendar is not an event: not stored.
    let mut note = gancio_event(&s.origin, &s.relay, 3, "A note");
    note["object"]["type"] = json!("Note");
    note["object"]
        .as_object_mut()
        .expect("object")
        .remove("startTime");
    let status = s.send(&note, &s.relay).await;
    assert!(!status.is_success(), "a note from a calendar: {status}");
    // An event from an actor no community follows: not stored.
    let other = gancio_event(&s.origin, &stranger, 4, "Uninvited");
    let status = s.send(&other, &stranger).await;
    assert!(
        !status.is_success(),
        "an unfollowed actor's event: {status}"
    );
    assert_eq!(s.event_titles().await, vec!["Repair café".to_string()]);

    // An edit by the calendar replaces the details.
    let mut update = gancio_event(&s.origin, &s.relay, 2, "Repair café (moved)");
    update["type"] = json!("Update");
    update["id"] = json!(s.origin.url("/federation/m/2#Update-1"));
    let status = s.send(&update, &s.relay).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        s.event_titles().await,
        vec!["Repair café (moved)".to_string()]
    );

    // Unfollowing sends the Undo; later events no longer land; the received one stays.
    let cal_id = s.calendars().await[0]["id"].as_i64().expect("id");
    let (status, body) = s
        .home
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/communities/makers/calendars/{cal_id}"),
            Some(&s.owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    eventually("the Undo(Follow) reaches the calendar", || async {
        s.origin
            .received()
            .into_iter()
            .find(|a| a["type"] == "Undo" && a["object"]["id"] == follow["id"])
    })
    .await;
    let late = gancio_event(&s.origin, &s.relay, 5, "After the unfollow");
    let status = s.send(&late, &s.relay).await;
    assert!(!status.is_success(), "{status}");
    assert_eq!(
        s.event_titles().await,
        vec!["Repair café (moved)".to_string()]
    );
}

#[tokio::test]
async fn following_a_calendar_is_for_moderators_and_refuses_bad_input() {
    let s = Scene::new().await;
    let path = "/api/v1/communities/makers/calendars";
    let relay = json!({"calendar": s.relay.id});
    let (status, body) = s.home.post(path, Some(&s.ann), relay.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member is not a moderator: {body}"
    );
    let (status, _) = s.home.post(path, None, relay.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = s.home.get(path, Some(&s.ann)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for bad in ["", "nobody", "two words@host"] {
        let (status, body) = s
            .home
            .post(path, Some(&s.owner), json!({"calendar": bad}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "`{bad}`: {body}");
        assert_eq!(body["field"], "calendar", "{body}");
    }
    let local = s.home.url("/u/ann");
    let (status, body) = s
        .home
        .post(path, Some(&s.owner), json!({"calendar": local}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a local account: {body}");
    assert_eq!(body["field"], "calendar", "{body}");
    let missing = s.origin.url("/federation/u/missing");
    let (status, body) = s
        .home
        .post(path, Some(&s.owner), json!({"calendar": missing}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = s.home.post(path, Some(&s.owner), relay.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.home.post(path, Some(&s.owner), relay).await;
    assert_eq!(status, StatusCode::CONFLICT, "followed twice: {body}");
    assert_eq!(s.calendars().await.as_array().map(Vec::len), Some(1));
    let (status, _) = s
        .home
        .call(
            reqwest::Method::DELETE,
            "/api/v1/communities/makers/calendars/999",
            Some(&s.owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Every Gancio capture reads as a calendar's event: the `Application` as an actor, its
/// `Create(Event)` with a list of locations (runs when `COPSE_FIXTURES` is set).
#[test]
fn gancio_captures_read_as_an_actor_and_an_event() {
    let Some(dir) = std::env::var_os("COPSE_FIXTURES") else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    for actor in [
        "gancio/objects/application_actor.json",
        "mobilizon-tests/gancio-actor.json",
    ] {
        let text = std::fs::read_to_string(dir.join(actor)).expect(actor);
        let parsed: copse::federation::objects::person::PersonJson =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{actor}: {e}"));
        assert_eq!(
            parsed.kind,
            copse::federation::objects::person::PersonKind::Application
        );
    }
    let text = std::fs::read_to_string(dir.join("gancio/activities/create_event.json"))
        .expect("create_event");
    let capture: Value = serde_json::from_str(&text).expect("json");
    let create: copse::federation::activities::create::Create =
        serde_json::from_value(capture["body"].clone()).expect("Create(Event)");
    let received = create.object.received();
    let event = received.event.expect("an event");
    assert_eq!(event.details.place_name, "Community Hall");
}
