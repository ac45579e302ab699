//! Events and meetings (issue 13, first part): scheduling with times in a zone, answers with a
//! capacity and a waitlist, approval mode, cancellation, the refusals, the `Event` on the wire
//! and at another copse instance, and the iCalendar files (read back by the icalendar crate and
//! by Python's `icalendar`).

use crate::helpers::{assert_error, eventually, find_post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn event(title: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": title,
        "body": "Monthly call: *bring a question*",
        "starts_at": "2031-03-13T19:00",
        "ends_at": "2031-03-13T20:30",
        "timezone": "Europe/Berlin",
        "place_name": "Room 4",
        "online_url": "https://meet.example/room",
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

async fn schedule(app: &TestApp, token: &str, community: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/communities/{community}/events"),
        Some(token),
        body,
    )
    .await
}

pub(crate) async fn answer(
    app: &TestApp,
    token: &str,
    id: i64,
    state: &str,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/events/{id}/rsvp"),
        Some(token),
        json!({ "state": state }),
    )
    .await
}

pub(crate) async fn open_community(app: &TestApp, owner: &str, name: &str) {
    let (status, body) = app.community(owner, name, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// An organizer `org` and the event "Call" with `places` places they scheduled in their new
/// community `stewards`, as created.
pub(crate) async fn call_with_places(app: &TestApp, places: i64) -> (String, Value) {
    let owner = app.user("org").await;
    open_community(app, &owner, "stewards").await;
    let (status, created) = schedule(
        app,
        &owner,
        "stewards",
        event("Call", json!({ "capacity": places })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (owner, created)
}

#[tokio::test]
async fn answers_fill_the_places_then_the_waitlist_which_moves_up_when_one_leaves() {
    let app = TestApp::spawn().await;
    let (owner, created) = call_with_places(&app, 2).await;
    let id = created["id"].as_i64().expect("id");
    // 19:00 in Berlin in March (CET) is 18:00 UTC.
    assert_eq!(created["starts_at"], "2031-03-13T18:00:00Z");
    assert_eq!(created["timezone"], "Europe/Berlin");

    let (ann, bob, cy) = (
        app.user("ann").await,
        app.user("bob").await,
        app.user("cy").await,
    );
    for token in [&ann, &bob] {
        let (status, body) = answer(&app, token, id, "going").await;
        assert_eq!(
            (status, body["state"].as_str()),
            (StatusCode::OK, Some("going"))
        );
    }
    let (_, body) = answer(&app, &cy, id, "going").await;
    assert_eq!(body["state"], "waitlisted", "the third of two places waits");
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(&cy)).await;
    assert_eq!(
        (view["going"].as_i64(), view["waitlisted"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(view["my_answer"], "waitlisted");
    // Someone on the waitlist does not see a link shown only to people going.
    assert!(view["online_url"].is_null(), "{view}");

    // Bob can't come after all: Cy moves up.
    let (_, body) = answer(&app, &bob, id, "not_going").await;
    assert_eq!(body["state"], "not_going");
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(&cy)).await;
    assert_eq!(view["my_answer"], "going", "{view}");
    assert_eq!(view["online_url"], "https://meet.example/room");
    assert_eq!(
        (view["going"].as_i64(), view["waitlisted"].as_i64()),
        (Some(2), Some(0))
    );
    // Answering going again when already going keeps the place; maybe frees it.
    let (_, body) = answer(&app, &ann, id, "going").await;
    assert_eq!(body["state"], "going");
    let (_, body) = answer(&app, &bob, id, "going").await;
    assert_eq!(body["state"], "waitlisted");
    let (_, body) = answer(&app, &ann, id, "maybe").await;
    assert_eq!(body["state"], "maybe");
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), Some(&owner)).await;
    let answers: Vec<(String, String)> = view["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| {
            (
                a["person"].as_str().unwrap_or("").into(),
                a["state"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        answers.contains(&("bob".into(), "going".into())),
        "{answers:?}"
    );
    assert!(
        answers.contains(&("ann".into(), "maybe".into())),
        "{answers:?}"
    );
    // Not a member of this open community: counts only, no names.
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(view["answers"], json!([]));
    assert_eq!(view["going"], 2);

    // Cancelled: nobody may answer going any more; not going still records.
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{id}/status"),
            Some(&owner),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{body}"
    );
    let got = answer(&app, &ann, id, "going").await;
    assert_error(&got, StatusCode::CONFLICT, "event_closed", None);
    // Only organizers change the status.
    let got = app
        .post(
            &format!("/api/v1/events/{id}/status"),
            Some(&ann),
            json!({"status": "scheduled"}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_an_organizer", None);
}

#[tokio::test]
async fn approval_mode_waits_for_the_organizers() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "circle").await;
    let (_, created) = schedule(
        &app,
        &owner,
        "circle",
        event("Workshop", json!({"join_mode": "approval", "capacity": 1})),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    let (_, body) = answer(&app, &ann, id, "going").await;
    assert_eq!(body["state"], "pending");
    let (_, body) = answer(&app, &bob, id, "going").await;
    assert_eq!(body["state"], "pending");
    let decide = |person: &'static str, accept: bool| {
        let (app, owner) = (&app, owner.clone());
        async move {
            app.post(
                &format!("/api/v1/events/{id}/decisions"),
                Some(&owner),
                json!({"person": person, "accept": accept}),
            )
            .await
        }
    };
    let (status, body) = decide("ann", true).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("going")),
        "{body}"
    );
    let (_, body) = decide("bob", true).await;
    assert_eq!(
        body["state"], "waitlisted",
        "accepted, but the one place is taken"
    );
    let (_, body) = decide("bob", false).await;
    assert_eq!(body["state"], "refused");
    let got = answer(&app, &bob, id, "going").await;
    assert_error(&got, StatusCode::FORBIDDEN, "refused", None);
    // A member can't decide for the organizers.
    let got = app
        .post(
            &format!("/api/v1/events/{id}/decisions"),
            Some(&ann),
            json!({"person": "bob", "accept": true}),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_an_organizer", None);
}

#[tokio::test]
async fn bad_events_and_answers_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "guild").await;
    for (extra, field) in [
        (json!({"ends_at": "2031-03-13T18:00"}), "ends_at"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"capacity": -3}), "capacity"),
        (json!({"starts_at": "13/03/2031 7pm"}), "starts_at"),
        (json!({"join_mode": "external"}), "external_url"),
        (json!({"online_url": "javascript:alert(1)"}), "online_url"),
        // Spring forward in Berlin: 02:30 on 30 March 2031 does not exist.
        (
            json!({"starts_at": "2031-03-30T02:30", "ends_at": "2031-03-30T04:00"}),
            "starts_at",
        ),
    ] {
        let got = schedule(&app, &owner, "guild", event("Bad", extra)).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some(field));
    }
    let (_, list) = app.get("/api/v1/communities/guild/events", None).await;
    assert_eq!(list["items"], json!([]), "nothing half-written");
    let (_, posts) = app.get("/api/v1/communities/guild/posts", None).await;
    assert_eq!(posts["items"], json!([]), "no thread without its event");

    // An event that is over takes no answers.
    let (_, past) = schedule(
        &app,
        &owner,
        "guild",
        event(
            "Last year",
            json!({"starts_at": "2020-01-09T19:00", "ends_at": "2020-01-09T20:00"}),
        ),
    )
    .await;
    let ann = app.user("ann").await;
    let got = answer(&app, &ann, past["id"].as_i64().expect("id"), "going").await;
    assert_error(&got, StatusCode::CONFLICT, "event_closed", None);
    let got = answer(&app, &ann, past["id"].as_i64().expect("id"), "sure").await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("state"),
    );
    let (_, past_list) = app
        .get("/api/v1/communities/guild/events?when=past", None)
        .await;
    assert_eq!(past_list["items"][0]["title"], "Last year");

    // A private community's event: a non-member can't see it, answer it, or get its calendar.
    let (status, _) = app
        .community(
            &owner,
            "closed",
            json!({"visibility": "private", "membership_policy": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, hidden) = schedule(&app, &owner, "closed", event("Inner circle", json!({}))).await;
    let hidden = hidden["id"].as_i64().expect("id");
    let got = answer(&app, &ann, hidden, "going").await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let (status, _) = app
        .get(&format!("/api/v1/events/{hidden}"), Some(&ann))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = app
        .fetch(&format!("/events/{hidden}.ics"), "text/calendar")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Inner circle"));
    let (status, _, body) = app.fetch("/c/closed/events.ics", "text/calendar").await;
    assert!(!body.contains("Inner circle"), "{status} {body}");
    // Members only schedule when the community says so; non-members never.
    let got = schedule(&app, &ann, "closed", event("Mine", json!({}))).await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
}

#[tokio::test]
async fn the_event_federates_as_an_event_with_a_readable_date_and_its_cancellation_follows() {
    let home = TestApp::spawn().await;
    let owner = home.user("org").await;
    open_community(&home, &owner, "bees").await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "bees").await;

    let (_, created) = schedule(
        &home,
        &owner,
        "bees",
        event(
            "Hive visit",
            json!({"capacity": 12, "online_url_public": true}),
        ),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    // On the wire: an Event with FEP-8a8e's fields and a summary Mastodon can show.
    let object = home.activity_json(&format!("/post/{id}")).await;
    assert_eq!(object["type"], "Event", "{object}");
    assert_eq!(object["name"], "Hive visit");
    assert_eq!(object["startTime"], "2031-03-13T19:00:00+01:00");
    assert_eq!(object["endTime"], "2031-03-13T20:30:00+01:00");
    assert_eq!(object["timezone"], "Europe/Berlin");
    assert_eq!(object["maximumAttendeeCapacity"], 12);
    assert_eq!(object["remainingAttendeeCapacity"], 12);
    assert_eq!(object["eventStatus"], "EventScheduled");
    assert_eq!(object["joinMode"], "free");
    assert_eq!(object["category"], "MEETING");
    assert_eq!(
        object["summary"],
        "Thu 13 Mar 2031, 19:00 CET (Europe/Berlin), Room 4, online"
    );
    assert_eq!(object["url"], home.url(&format!("/events/{id}")));
    let location = object["location"].as_array().expect("place and link");
    assert_eq!(location[0]["type"], "Place");
    assert_eq!(location[1]["url"], "https://meet.example/room");

    // The member's instance stores it as an event in the community.
    let remote = format!("bees@{}", home.hostname);
    let post = eventually("the event arrives", || async {
        find_post(&away, &remote, "Hive visit").await
    })
    .await;
    let remote_id = post["id"].as_i64().expect("id");
    let (status, view) = away
        .get(&format!("/api/v1/events/{remote_id}"), Some(&eve))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["starts_at"], "2031-03-13T18:00:00Z");
    assert_eq!(view["timezone"], "Europe/Berlin");
    assert_eq!(view["place_name"], "Room 4");
    assert_eq!(view["capacity"], 12);

    // Cancelled at home: the copy follows.
    let (status, _) = home
        .post(
            &format!("/api/v1/events/{id}/status"),
            Some(&owner),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("the cancellation arrives", || async {
        let (_, view) = away
            .get(&format!("/api/v1/events/{remote_id}"), Some(&eve))
            .await;
        (view["status"] == "cancelled").then_some(())
    })
    .await;
}

#[tokio::test]
async fn calendars_are_valid_icalendar_with_stable_uids() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "makers").await;
    let (_, one) = schedule(&app, &owner, "makers", event("First", json!({}))).await;
    let (_, two) = schedule(
        &app,
        &owner,
        "makers",
        event(
            "Second",
            json!({"starts_at": "2031-04-10T19:00", "ends_at": "2031-04-10T21:00"}),
        ),
    )
    .await;
    let (one, two) = (
        one["id"].as_i64().expect("id"),
        two["id"].as_i64().expect("id"),
    );
    app.post(
        &format!("/api/v1/events/{two}/status"),
        Some(&owner),
        json!({"status": "cancelled"}),
    )
    .await;

    let (status, kind, body) = app.fetch("/c/makers/events.ics", "text/calendar").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let calendar: icalendar::Calendar = body.parse().expect("the crate's parser reads it");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 2, "{body}");
    use icalendar::Component;
    let host = app.hostname.clone();
    assert_eq!(
        events[0].get_uid(),
        Some(format!("event-{one}@{host}").as_str())
    );
    assert_eq!(events[0].get_summary(), Some("First"));
    // Berlin is on summer time by 10 April: 19:00 there is 17:00 UTC.
    assert!(body.contains("DTSTART:20310410T170000Z"), "{body}");
    assert!(body.contains("DTSTART:20310313T180000Z"), "{body}");
    assert_eq!(
        events[1].get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );
    // The link is for people going: not in a public calendar.
    assert!(!body.contains("meet.example"), "{body}");

    let (status, _, single) = app
        .fetch(&format!("/events/{one}.ics"), "text/calendar")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        single.contains(&format!("UID:event-{one}@{host}")),
        "{single}"
    );
    python_reads_icalendar(&body, 2).await;
}

/// Python's `icalendar` (PyPI, in the CI venv) reads the calendar: `count` events, each with a
/// UID and a start in UTC.
async fn python_reads_icalendar(text: &str, count: usize) {
    let Some(python) = crate::openapi::venv_tool("python") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("events.ics");
    std::fs::write(&file, text).expect("write");
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        events = list(cal.walk('VEVENT'))\n\
        assert len(events) == int(sys.argv[2]), len(events)\n\
        for e in events:\n    \
            start = e.decoded('DTSTART')\n    \
            assert e.get('UID') and start.utcoffset().total_seconds() == 0, e\n    \
            print(e.get('SUMMARY'), start.isoformat(), e.get('STATUS'))\n";
    let (ok, output) = crate::openapi::run(
        tokio::process::Command::new(&python)
            .arg("-c")
            .arg(script)
            .arg(&file)
            .arg(count.to_string()),
    )
    .await;
    assert!(
        ok,
        "Python's icalendar refused the calendar:\n{output}\n{text}"
    );
}

/// What `home` queued to send that names `object` with this `kind` (Accept, Reject), if any.
async fn sent(home: &TestApp, kind: &'static str, object: &str) -> Option<Value> {
    use copse::db::schema::outbox_activities;
    use diesel::prelude::*;
    let bodies: Vec<String> = home
        .context()
        .db(|conn| {
            Ok(outbox_activities::table
                .select(outbox_activities::body)
                .load(conn)?)
        })
        .await
        .expect("outbox");
    bodies
        .iter()
        .filter_map(|b| serde_json::from_str::<Value>(b).ok())
        .find(|v| v["type"] == kind && v["object"] == object)
}

/// Sends a `Join` of `event` by `person` (an actor on `away`), signed with the person's key:
/// the inbox's status and the Join's id.
async fn send_join(
    home: &TestApp,
    away: &TestApp,
    person: &str,
    event: &str,
    n: u32,
) -> (StatusCode, String) {
    let (actor, key) = crate::signing::person_key(away, person).await;
    let id = format!("{actor}/join/{n}");
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Join", "id": id, "actor": actor, "object": event,
    });
    let (status, _) = crate::signing::SignedPost::new(&activity, &key)
        .send(home)
        .await;
    (status, id)
}

/// A `Join` the inbox takes; its id.
async fn join(home: &TestApp, away: &TestApp, person: &str, event: &str, n: u32) -> String {
    let (status, id) = send_join(home, away, person, event, n).await;
    assert!(status.is_success(), "{status}");
    id
}

#[tokio::test]
async fn rsvps_from_other_servers_are_accepted_waitlisted_promoted_and_refused() {
    let home = TestApp::spawn().await;
    let owner = home.user("org").await;
    open_community(&home, &owner, "bees").await;
    let (_, created) = schedule(
        &home,
        &owner,
        "bees",
        event("Hive visit", json!({"capacity": 1})),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let event_url = created["actor_id"].as_str().expect("ap id").to_string();
    let away = TestApp::spawn().await;
    away.user("eve").await;
    away.user("fay").await;

    // Eve's Join takes the one place: Accepted by the event's author.
    let eve_join = join(&home, &away, "eve", &event_url, 1).await;
    let accept = eventually("eve's Accept", || sent(&home, "Accept", &eve_join)).await;
    assert_eq!(accept["actor"], home.url("/u/org"), "{accept}");
    let eve = away.url("/u/eve");
    assert_eq!(accept["to"], json!([eve]));
    // Fay's waits, unanswered; the local view counts both.
    let fay_join = join(&home, &away, "fay", &event_url, 2).await;
    let (_, view) = home
        .get(&format!("/api/v1/events/{id}"), Some(&owner))
        .await;
    assert_eq!(
        (view["going"].as_i64(), view["waitlisted"].as_i64()),
        (Some(1), Some(1)),
        "{view}"
    );
    assert!(sent(&home, "Accept", &fay_join).await.is_none());
    let host = away.hostname.clone();
    assert!(view["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .any(|a| a["person"] == format!("fay@{host}")));

    // Eve leaves (Undo of her Join): Fay is promoted and gets her Accept now.
    let (actor, key) = crate::signing::person_key(&away, "eve").await;
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Undo", "id": format!("{actor}/undo/1"), "actor": actor,
        "object": {"type": "Join", "id": eve_join, "actor": actor, "object": event_url},
    });
    let (status, _) = crate::signing::SignedPost::new(&undo, &key)
        .send(&home)
        .await;
    assert!(status.is_success());
    eventually("fay's Accept", || sent(&home, "Accept", &fay_join)).await;
    let (_, view) = home
        .get(&format!("/api/v1/events/{id}"), Some(&owner))
        .await;
    assert_eq!(
        (view["going"].as_i64(), view["waitlisted"].as_i64()),
        (Some(1), Some(0)),
        "{view}"
    );

    // Cancelled: a new Join is refused with a Reject, and nothing of it is stored.
    home.post(
        &format!("/api/v1/events/{id}/status"),
        Some(&owner),
        json!({"status": "cancelled"}),
    )
    .await;
    away.user("gus").await;
    let gus_join = join(&home, &away, "gus", &event_url, 3).await;
    eventually("gus's Reject", || sent(&home, "Reject", &gus_join)).await;
    let (_, view) = home
        .get(&format!("/api/v1/events/{id}"), Some(&owner))
        .await;
    let gus = format!("gus@{host}");
    assert!(!view["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .any(|a| a["person"] == gus));
}

#[tokio::test]
async fn a_join_of_a_private_communitys_event_by_a_non_member_is_refused_and_not_stored() {
    let home = TestApp::spawn().await;
    let owner = home.user("org").await;
    let (status, _) = home
        .community(
            &owner,
            "inner",
            json!({"visibility": "private", "membership_policy": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, created) = schedule(&home, &owner, "inner", event("Closed meeting", json!({}))).await;
    let id = created["id"].as_i64().expect("id");
    let event_url = created["actor_id"].as_str().expect("ap id").to_string();
    let away = TestApp::spawn().await;
    away.user("mal").await;
    let mal_join = join(&home, &away, "mal", &event_url, 1).await;
    eventually("mal's Reject", || sent(&home, "Reject", &mal_join)).await;
    let (_, view) = home
        .get(&format!("/api/v1/events/{id}"), Some(&owner))
        .await;
    assert_eq!(view["answers"], json!([]), "{view}");
    assert_eq!(view["going"], 0);
    // A Join of something that is not an event here is refused as unknown, and not answered.
    let (status, stray) = send_join(&home, &away, "mal", &home.url("/post/999999"), 2).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(sent(&home, "Reject", &stray).await.is_none());
}

#[tokio::test]
async fn organizers_record_notes_and_who_came_once_the_event_has_begun() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "makers").await;
    let at = |hours: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let now = json!({"starts_at": at(-1), "ends_at": at(2), "timezone": "UTC"});
    let (status, running) = schedule(&app, &owner, "makers", event("Sprint", now)).await;
    assert_eq!(status, StatusCode::CREATED, "{running}");
    let id = running["id"].as_i64().expect("id");
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    answer(&app, &ann, id, "going").await;
    answer(&app, &bob, id, "maybe").await;
    let record = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::PUT,
                &format!("/api/v1/events/{id}/record"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (status, view) = record(
        owner.clone(),
        json!({"notes": "We fixed **three** bikes.", "attended": ["ann"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["attended"], 1);
    assert!(view["notes_html"]
        .as_str()
        .is_some_and(|h| h.contains("<strong>three</strong>")));
    let came: Vec<&Value> = view["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter(|a| a["attended"] == true)
        .collect();
    assert_eq!(came.len(), 1);
    assert_eq!(came[0]["person"], "ann");
    // Only people who answered; only organizers; only once it has begun.
    let got = record(owner.clone(), json!({"attended": ["nobody"]})).await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("attended"),
    );
    let got = record(ann.clone(), json!({"notes": "mine"})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_an_organizer", None);
    let (_, later) = schedule(&app, &owner, "makers", event("Later", json!({}))).await;
    let later = later["id"].as_i64().expect("id");
    let got = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/events/{later}/record"),
            Some(&owner),
            Some(json!({"notes": "early"})),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "not_started", None);
    // The notes stay as recorded.
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(view["notes"], "We fixed **three** bikes.");
}

#[tokio::test]
async fn a_members_private_calendar_holds_their_communities_and_answers_until_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    let ann = app.user("ann").await;
    open_community(&app, &owner, "mine").await;
    let (status, body) = app
        .community(&owner, "hidden", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    open_community(&app, &owner, "elsewhere").await;
    let (status, _) = app
        .post("/api/v1/communities/mine/join", Some(&ann), json!({}))
        .await;
    assert!(status.is_success(), "{status}");
    let (_, own) = schedule(&app, &owner, "mine", event("Ours", json!({}))).await;
    let (_, secret) = schedule(&app, &owner, "hidden", event("Secret", json!({}))).await;
    let (_, other) = schedule(&app, &owner, "elsewhere", event("Answered", json!({}))).await;
    schedule(&app, &owner, "elsewhere", event("Unrelated", json!({}))).await;
    let other = other["id"].as_i64().expect("id");
    let (_, state) = answer(&app, &ann, other, "going").await;
    assert_eq!(state["state"], "going");

    let (status, feed) = app.post("/api/v1/me/feed", Some(&ann), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{feed}");
    let address = feed["calendar_url"].as_str().expect("calendar").to_string();
    let path = address.strip_prefix(&app.base).expect("ours").to_string();
    assert!(path.ends_with("/events.ics"), "{path}");
    let (status, kind, body) = app.fetch(&path, "text/calendar").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let calendar: icalendar::Calendar = body.parse().expect("the crate's parser reads it");
    use icalendar::Component;
    let titles: Vec<&str> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .filter_map(|e| e.get_summary())
        .collect();
    assert_eq!(titles, ["Ours", "Answered"], "{body}");
    assert!(!body.contains("Secret") && !body.contains("Unrelated"));
    // Going: the link shown to people going is in their own calendar (lines unfolded).
    let unfolded = body.replace("\r\n ", "");
    assert!(
        unfolded.contains("Online: https://meet.example/room"),
        "{body}"
    );
    let own = own["id"].as_i64().expect("id");
    assert!(body.contains(&format!("UID:event-{own}@{}", app.hostname)));
    python_reads_icalendar(&body, 2).await;
    let _ = secret;

    // A new address revokes the old one: the calendar with it.
    let (status, _) = app.post("/api/v1/me/feed", Some(&ann), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = app.fetch(&path, "text/calendar").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
