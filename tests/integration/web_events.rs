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
