//! Events from the pages, over HTTP with the cookie-keeping client: scheduling through the form
//! (a refusal shown next to its field, nothing stored), the event page and the community's
//! events list, answering through the RSVP buttons (waitlist included), an organizer's
//! cancellation, and an outsider refused the organizers' controls.

use crate::{
    helpers::TestApp,
    web_threads::{location, scene, submit},
};
use reqwest::StatusCode;

fn form<'a>(title: &'a str, capacity: &'a str, starts: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("body", "We read *one paper* together."),
        ("starts_at", starts),
        ("ends_at", "2031-06-05T20:00"),
        ("timezone", "Europe/Lisbon"),
        ("place_name", "Library"),
        ("online_url", "https://meet.example/reading"),
        ("capacity", capacity),
        ("join_mode", "free"),
    ]
}

#[tokio::test]
async fn an_event_is_scheduled_answered_and_cancelled_from_the_pages() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let new = "/c/garden/events/new";

    // A refusal: the form again, 422, the message by its field, nothing stored.
    let refused = submit(
        &olga,
        new,
        new,
        &form("Reading group", "1", "2031-06-05T21:00"),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"ends_at-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Reading group\""),
        "what was typed is kept"
    );
    let list = olga.get("/c/garden/events").await;
    assert!(list.body.contains("Nothing scheduled yet"), "{}", list.body);

    let done = submit(
        &olga,
        new,
        new,
        &form("Reading group", "1", "2031-06-05T19:00"),
    )
    .await;
    let to = location(&done);
    let id: i64 = to
        .strip_prefix("/events/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("an event's address: {to}"));
    let page = olga.get(&to).await;
    page.assert_html(StatusCode::OK);
    // 19:00 in Lisbon (WEST in June), as typed.
    assert!(
        page.body.contains("Thu 5 Jun 2031, 19:00 WEST"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Library"));
    let list = ann.get("/c/garden/events").await;
    assert!(
        list.body.contains(&format!("href=\"/events/{id}\"")),
        "{}",
        list.body
    );
    assert!(list.body.contains("/c/garden/events.ics"));

    // Ann takes the only place; the link is then hers to see.
    let before = ann.get(&to).await;
    assert!(
        !before.body.contains("meet.example/reading"),
        "the link is for people going"
    );
    let going = submit(
        &ann,
        &to,
        &format!("/events/{id}/rsvp"),
        &[("state", "going")],
    )
    .await;
    assert_eq!(location(&going), to);
    let after = ann.get(&to).await;
    assert!(
        after.body.contains("You answered: <strong>going</strong>"),
        "{}",
        after.body
    );
    assert!(after.body.contains("meet.example/reading"));
    // The organizer answers too, and waits.
    submit(
        &olga,
        &to,
        &format!("/events/{id}/rsvp"),
        &[("state", "going")],
    )
    .await;
    let page = olga.get(&to).await;
    assert!(page.body.contains("on the waiting list"), "{}", page.body);

    // Ann may not change the status; Olga cancels.
    let refused = submit(
        &ann,
        &to,
        &format!("/events/{id}/status"),
        &[("status", "cancelled")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let edit = ann.get(&format!("/events/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    let done = submit(
        &olga,
        &to,
        &format!("/events/{id}/status"),
        &[("status", "cancelled")],
    )
    .await;
    assert_eq!(location(&done), to);
    let page = ann.get(&to).await;
    assert!(
        page.body.contains("<strong>Cancelled.</strong>"),
        "{}",
        page.body
    );
    let refused = submit(
        &ann,
        &to,
        &format!("/events/{id}/rsvp"),
        &[("state", "maybe")],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("This event is cancelled"),
        "{}",
        refused.body
    );

    // The organizer's edit form comes filled with the local times.
    let edit = olga.get(&format!("/events/{id}/edit")).await;
    edit.assert_html(StatusCode::OK);
    assert!(
        edit.body.contains("value=\"2031-06-05T19:00\""),
        "{}",
        edit.body
    );
    assert!(edit.body.contains("value=\"Europe/Lisbon\""));
}

#[tokio::test]
async fn the_organizer_records_notes_and_attendance_from_the_event_page() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let at = |hours: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let (start, end) = (at(-1), at(1));
    let new = "/c/garden/events/new";
    let fields = [
        ("title", "Work day"),
        ("starts_at", start.as_str()),
        ("ends_at", end.as_str()),
        ("timezone", "UTC"),
    ];
    let to = location(&submit(&olga, new, new, &fields).await);
    let id = to.trim_start_matches("/events/").to_string();
    submit(
        &ann,
        &to,
        &format!("/events/{id}/rsvp"),
        &[("state", "going")],
    )
    .await;
    let page = olga.get(&to).await;
    assert!(page.body.contains("name=\"came:ann\""), "{}", page.body);
    let done = submit(
        &olga,
        &to,
        &format!("/events/{id}/record"),
        &[("notes", "Planted *twelve* trees."), ("came:ann", "on")],
    )
    .await;
    assert_eq!(location(&done), to);
    let page = ann.get(&to).await;
    assert!(
        page.body.contains("Planted <em>twelve</em> trees."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<dt>Came</dt><dd>1</dd>"),
        "{}",
        page.body
    );
    // Ann is no organizer: no form for her, and her post is refused.
    assert!(!page.body.contains("/record\""));
    let refused = submit(
        &ann,
        &to,
        &format!("/events/{id}/record"),
        &[("notes", "x")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

#[tokio::test]
async fn a_series_is_started_from_the_event_form_shown_edited_and_given_an_agenda() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let new = "/c/garden/events/new";
    let form_page = olga.get(new).await;
    form_page.assert_html(StatusCode::OK);
    assert!(
        form_page.body.contains("name=\"repeats\""),
        "the form offers repeats"
    );
    // The second Thursday of a month a few weeks ahead.
    let today = chrono::Utc::now().date_naive();
    let mut first = today + chrono::Duration::days(14);
    while chrono::Datelike::weekday(&first) != chrono::Weekday::Thu
        || !(8..=14).contains(&chrono::Datelike::day(&first))
    {
        first += chrono::Duration::days(1);
    }
    let (starts, ends) = (format!("{first}T19:00"), format!("{first}T20:00"));
    let mut fields = vec![
        ("title", "Garden council"),
        ("body", "Monthly."),
        ("starts_at", starts.as_str()),
        ("ends_at", ends.as_str()),
        ("timezone", "Europe/Lisbon"),
        ("join_mode", "free"),
        ("repeats", "custom"),
        ("rrule", "FREQ=MINUTELY"),
    ];
    // A refused rule: the form again with the message by its field.
    let refused = submit(&olga, new, new, &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"rrule-error\""),
        "{}",
        refused.body
    );
    fields.retain(|(k, _)| *k != "rrule" && *k != "repeats");
    fields.push(("repeats", "monthly"));
    let done = submit(&olga, new, new, &fields).await;
    let to = location(&done);
    assert!(to.starts_with("/series/"), "{to}");
    let page = ann.get(&to).await;
    page.assert_html(StatusCode::OK);
    assert!(
        page.body.contains("every second Thursday of the month"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Edit the series"),
        "not for a member who did not start it"
    );
    let meeting = page
        .body
        .split("href=\"/events/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|id| id.parse::<i64>().ok())
        .expect("a meeting's link");
    let list = ann.get("/c/garden/events").await;
    assert!(list.body.contains("Meeting series"), "{}", list.body);
    let event = ann.get(&format!("/events/{meeting}")).await;
    assert!(
        event.body.contains(&format!("href=\"{to}\"")),
        "the meeting links its series"
    );

    // The organizer edits the series from its form (the time moves to 18:30).
    let edit = format!("{to}/edit");
    let edit_page = olga.get(&edit).await;
    edit_page.assert_html(StatusCode::OK);
    assert!(
        edit_page.body.contains("FREQ=MONTHLY;BYDAY=2TH"),
        "{}",
        edit_page.body
    );
    let starts = format!("{first}T18:30");
    let changed: Vec<(&str, &str)> = vec![
        ("title", "Garden council"),
        ("body", "Monthly."),
        ("starts_at", starts.as_str()),
        ("ends_at", ends.as_str()),
        ("timezone", "Europe/Lisbon"),
        ("join_mode", "free"),
        ("repeats", "custom"),
        ("rrule", "FREQ=MONTHLY;BYDAY=2TH"),
    ];
    let saved = submit(&olga, &edit, &edit, &changed).await;
    assert_eq!(location(&saved), to);
    let event = ann.get(&format!("/events/{meeting}")).await;
    assert!(event.body.contains(", 18:30 "), "{}", event.body);
    // A member may not.
    let refused = submit(&ann, &format!("/events/{meeting}"), &edit, &changed).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The agenda, from the event page.
    let at = format!("/events/{meeting}");
    let done = submit(
        &olga,
        &at,
        &format!("{at}/agenda"),
        &[("agenda", "1. *Compost*")],
    )
    .await;
    assert_eq!(location(&done), at);
    let event = ann.get(&at).await;
    assert!(event.body.contains("<em>Compost</em>"), "{}", event.body);
    assert!(
        !event.body.contains(&format!("action=\"{at}/agenda\"")),
        "not for members"
    );
}
