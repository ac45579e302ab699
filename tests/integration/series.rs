//! Meeting series (issue 13): occurrences materialized up to the horizon as events of their own
//! (each federated as an `Event` whose `url` is the series page), the job idempotent, one
//! occurrence moved or cancelled without touching the others, a series edit changing only the
//! future ones left alone, the local time kept across Berlin's DST change, a 10,000-occurrence
//! or endless rule bounded, bad series refused with nothing stored, and the agenda.

use crate::helpers::{assert_error, eventually, find_post, TestApp};
use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn open_community(app: &TestApp, owner: &str, name: &str) {
    let (status, body) = app.community(owner, name, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A weekly series starting in `days` days at 19:00 UTC.
fn weekly(title: &str, days: i64, rule: &str) -> Value {
    let first = (Utc::now() + Duration::days(days)).date_naive();
    json!({
        "title": title,
        "body": "Standing call.",
        "starts_at": format!("{first}T19:00"),
        "ends_at": format!("{first}T20:00"),
        "timezone": "UTC",
        "place_name": "Room 4",
        "rrule": rule,
    })
}

async fn start(app: &TestApp, token: &str, community: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/communities/{community}/series"),
        Some(token),
        body,
    )
    .await
}

fn ids(series: &Value) -> Vec<i64> {
    series["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_series_materializes_its_horizon_and_occurrences_change_alone_or_with_it() {
    let home = TestApp::spawn().await;
    let owner = home.user("org").await;
    open_community(&home, &owner, "guild").await;
    let away = TestApp::spawn().await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "guild").await;

    let (status, series) = start(&home, &owner, "guild", weekly("Standup", 2, "FREQ=WEEKLY")).await;
    assert_eq!(status, StatusCode::CREATED, "{series}");
    let sid = series["id"].as_i64().expect("id");
    // The default horizon: three occurrences (within 90 days), a week apart, at 19:00.
    let occ = ids(&series);
    assert_eq!(occ.len(), 3, "{series}");
    let starts: Vec<&str> = series["occurrences"]
        .as_array()
        .expect("list")
        .iter()
        .map(|o| o["starts_at"].as_str().unwrap_or(""))
        .collect();
    assert!(
        starts.iter().all(|s| s.ends_with("T19:00:00Z")),
        "{starts:?}"
    );
    assert_eq!(series["description"], "FREQ=WEEKLY");

    // Each occurrence is its own Event, with the series page as its `url` (no RRULE).
    for id in &occ {
        let object = home.activity_json(&format!("/post/{id}")).await;
        assert_eq!(object["type"], "Event", "{object}");
        assert_eq!(object["url"], home.url(&format!("/series/{sid}")));
        assert!(object.get("rrule").is_none());
    }
    // …and reaches the member's instance as an event.
    let remote = format!("guild@{}", home.hostname);
    eventually("an occurrence arrives", || async {
        find_post(&away, &remote, "Standup").await
    })
    .await;

    // The job finds nothing more to do: it is idempotent.
    let ctx = home.context();
    let made = copse::actions::series::materialize_all(&ctx)
        .await
        .expect("job");
    assert_eq!(made, 0);

    // One occurrence cancelled, another moved: the others stay as they were.
    let (status, _) = home
        .post(
            &format!("/api/v1/events/{}/status", occ[1]),
            Some(&owner),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, third) = home.get(&format!("/api/v1/events/{}", occ[2]), None).await;
    let moved_day = third["starts_at"].as_str().expect("start")[..10].to_string();
    let (status, moved) = home
        .call(
            Method::PUT,
            &format!("/api/v1/events/{}", occ[2]),
            Some(&owner),
            Some(json!({
                "title": "Standup (moved)",
                "starts_at": format!("{moved_day}T08:00"),
                "ends_at": format!("{moved_day}T09:00"),
                "timezone": "UTC",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let (_, first) = home.get(&format!("/api/v1/events/{}", occ[0]), None).await;
    assert_eq!(first["status"], "scheduled");
    assert_eq!(first["series_id"], sid);
    assert!(first["starts_at"]
        .as_str()
        .expect("start")
        .ends_with("T19:00:00Z"));
    let made = copse::actions::series::materialize_all(&ctx)
        .await
        .expect("job");
    assert_eq!(made, 0, "a moved or cancelled occurrence keeps its day");

    // The series is edited: the future occurrence left alone follows (new title, 20:00); the
    // cancelled and the moved ones stay; no day gets a second meeting.
    let mut edit = weekly("Standup v2", 2, "FREQ=WEEKLY");
    let first_day = (Utc::now() + Duration::days(2)).date_naive();
    edit["starts_at"] = json!(format!("{first_day}T20:00"));
    edit["ends_at"] = json!(format!("{first_day}T21:00"));
    let (status, edited) = home
        .call(
            Method::PUT,
            &format!("/api/v1/series/{sid}"),
            Some(&owner),
            Some(edit),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(ids(&edited), occ, "{edited}");
    let (_, first) = home.get(&format!("/api/v1/events/{}", occ[0]), None).await;
    assert_eq!(first["title"], "Standup v2");
    assert!(
        first["starts_at"]
            .as_str()
            .expect("start")
            .ends_with("T20:00:00Z"),
        "{first}"
    );
    let (_, second) = home.get(&format!("/api/v1/events/{}", occ[1]), None).await;
    assert_eq!(
        (second["title"].as_str(), second["status"].as_str()),
        (Some("Standup"), Some("cancelled"))
    );
    let (_, third) = home.get(&format!("/api/v1/events/{}", occ[2]), None).await;
    assert_eq!(third["title"], "Standup (moved)");
    assert!(third["starts_at"]
        .as_str()
        .expect("start")
        .ends_with("T08:00:00Z"));

    // An outsider may not edit it.
    let mallory = home.user("mallory").await;
    let got = home
        .call(
            Method::PUT,
            &format!("/api/v1/series/{sid}"),
            Some(&mallory),
            Some(weekly("Mine", 2, "FREQ=WEEKLY")),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_an_organizer", None);
}

#[tokio::test]
async fn the_local_time_holds_across_berlins_dst_change() {
    let app = TestApp::spawn_with(|s| {
        s.series_horizon_occurrences = 6;
        s.series_horizon_days = 730;
    })
    .await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "choir").await;
    let (status, series) = start(
        &app,
        &owner,
        "choir",
        json!({
            "title": "Rehearsal",
            "starts_at": "2027-03-18T19:00",
            "ends_at": "2027-03-18T21:00",
            "timezone": "Europe/Berlin",
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "exdates": ["2027-04-15"],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{series}");
    assert_eq!(series["description"], "every Thursday");
    let starts: Vec<&str> = series["occurrences"]
        .as_array()
        .expect("list")
        .iter()
        .map(|o| o["starts_at"].as_str().unwrap_or(""))
        .collect();
    // Berlin moves to summer time on 28 March 2027: 19:00 local is 18:00 UTC, then 17:00; the
    // 15 April rehearsal is left out.
    assert_eq!(
        starts,
        [
            "2027-03-18T18:00:00Z",
            "2027-03-25T18:00:00Z",
            "2027-04-01T17:00:00Z",
            "2027-04-08T17:00:00Z",
            "2027-04-22T17:00:00Z",
            "2027-04-29T17:00:00Z",
        ]
    );
    let after = series["occurrences"][2]["id"].as_i64().expect("id");
    let object = app.activity_json(&format!("/post/{after}")).await;
    assert_eq!(object["startTime"], "2027-04-01T19:00:00+02:00");
    assert_eq!(
        object["summary"],
        "Thu 1 Apr 2027, 19:00 CEST (Europe/Berlin)"
    );
    // The series page says it in words, with the time in its zone.
    let (status, _, page) = app
        .fetch(&format!("/series/{}", series["id"]), "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("every Thursday"), "{page}");
    assert!(page.contains("Thu 1 Apr 2027, 19:00 CEST"), "{page}");
}

#[tokio::test]
async fn huge_and_endless_rules_stay_within_the_horizon_and_bad_series_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "runners").await;
    for rule in [
        "FREQ=DAILY;COUNT=10000",
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
    ] {
        let took = std::time::Instant::now();
        let (status, series) = start(&app, &owner, "runners", weekly("Run", 1, rule)).await;
        let elapsed = took.elapsed();
        assert_eq!(status, StatusCode::CREATED, "{rule}: {series}");
        assert_eq!(ids(&series).len(), 3, "{rule}: {series}");
        assert!(
            elapsed < std::time::Duration::from_secs(2),
            "{rule}: {elapsed:?}"
        );
        eprintln!("series {rule}: created in {elapsed:?}");
    }
    // No 30 February ever: the expansion stops at its bound and the rule is refused.
    let took = std::time::Instant::now();
    let never = weekly("Run", 1, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30");
    let got = start(&app, &owner, "runners", never).await;
    let elapsed = took.elapsed();
    eprintln!("series never meeting: refused in {elapsed:?}");
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("rrule"),
    );
    assert!(elapsed < std::time::Duration::from_secs(10), "{elapsed:?}");
    let took = std::time::Instant::now();
    let made = copse::actions::series::materialize_all(&app.context())
        .await
        .expect("job");
    eprintln!("series job over the three: {:?}", took.elapsed());
    assert_eq!(made, 0);

    let count_before = {
        let (_, list) = app
            .get("/api/v1/communities/runners/events", Some(&owner))
            .await;
        list["items"].as_array().map_or(0, Vec::len)
    };
    let long = format!("FREQ=WEEKLY;BYDAY={}", vec!["MO"; 200].join(","));
    let bad: Vec<(Value, &str)> = vec![
        (weekly("Bad", 1, "FREQ=MINUTELY"), "rrule"),
        (weekly("Bad", 1, "FREQ=DAILY;BYHOUR=6,18"), "rrule"),
        (weekly("Bad", 1, &long), "rrule"),
        (weekly("Bad", 1, "NOT A RULE"), "rrule"),
        (weekly("Bad", -30, "FREQ=WEEKLY"), "starts_at"),
        (
            {
                let mut v = weekly("Bad", 1, "FREQ=WEEKLY");
                v["timezone"] = json!("Mars/Olympus");
                v
            },
            "timezone",
        ),
        (
            {
                let mut v = weekly("Bad", 1, "FREQ=WEEKLY");
                v["capacity"] = json!(0);
                v
            },
            "capacity",
        ),
        (
            {
                let mut v = weekly("Bad", 1, "FREQ=WEEKLY");
                v["exdates"] = json!(["next tuesday"]);
                v
            },
            "exdates",
        ),
    ];
    for (body, field) in bad {
        let (status, error) = start(&app, &owner, "runners", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {error}");
        assert_eq!(error["field"], field, "{error}");
    }
    // Not a member of a community whose members schedule: refused.
    let stranger = app.user("stranger").await;
    let got = start(&app, &stranger, "runners", weekly("Mine", 1, "FREQ=WEEKLY")).await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_allowed", None);
    let (_, list) = app
        .get("/api/v1/communities/runners/events", Some(&owner))
        .await;
    assert_eq!(
        list["items"].as_array().map_or(0, Vec::len),
        count_before,
        "nothing stored"
    );
}

#[tokio::test]
async fn organizers_set_the_agenda_before_the_meeting_and_it_goes_out_with_the_event() {
    let app = TestApp::spawn().await;
    let owner = app.user("org").await;
    open_community(&app, &owner, "circle").await;
    let (_, series) = start(&app, &owner, "circle", weekly("Circle", 3, "FREQ=WEEKLY")).await;
    let id = ids(&series)[0];
    let (status, view) = app
        .call(
            Method::PUT,
            &format!("/api/v1/events/{id}/agenda"),
            Some(&owner),
            Some(json!({"agenda": "1. Welcome\n2. *Budget*"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["agenda"], "1. Welcome\n2. *Budget*");
    assert!(view["agenda_html"]
        .as_str()
        .expect("html")
        .contains("<em>Budget</em>"));
    // The description stays as it was; the Event's content carries the agenda.
    assert_eq!(view["body"], "Standing call.");
    let object = app.activity_json(&format!("/post/{id}")).await;
    let content = object["content"].as_str().expect("content");
    assert!(content.contains("<h2>Agenda</h2>"), "{content}");
    assert!(content.contains("<em>Budget</em>"), "{content}");
    // Only organizers set it.
    let ann = app.user("ann").await;
    let got = app
        .call(
            Method::PUT,
            &format!("/api/v1/events/{id}/agenda"),
            Some(&ann),
            Some(json!({"agenda": "Mine"})),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_an_organizer", None);
}
