//! Digests: due at each member's local hour in their time zone, composed only of what the member
//! may read, an empty period recorded and not sent, never queued twice (even by two runs at
//! once), and turned off by the unsubscribe action. The job is run with a chosen clock
//! (`jobs::digests::run_at`); the mail goes through the real queue. Both engines.

use crate::helpers::TestApp;
use crate::mail::queue;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use copse::jobs::digests::{run_at, Report};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PUBLIC_TITLE: &str = "Pruning the old pear tree";
const ACTIVE_TITLE: &str = "Which compost for clay soil";
const SECRET_TITLE: &str = "Secret seed swap list";

/// The Monday 08:00 in `tz` whose weekly period (the week before it) contains now.
pub(crate) fn monday_eight(tz: Tz) -> DateTime<Utc> {
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    let mut at = tz
        .from_local_datetime(&monday.and_hms_opt(8, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    if at - Duration::days(7) > now {
        at -= Duration::days(7);
    }
    at
}

pub(crate) async fn choose(app: &TestApp, token: &str, body: Value) {
    let (status, got) = app
        .call(Method::PUT, "/api/v1/me/digests", Some(token), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
}

async fn join(app: &TestApp, token: &str, community: &str) -> StatusCode {
    app.post(
        &format!("/api/v1/communities/{community}/join"),
        Some(token),
        json!({}),
    )
    .await
    .0
}

async fn thread(app: &TestApp, token: &str, community: &str, title: &str) -> i64 {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": "details"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_i64().unwrap()
}

async fn digests(app: &TestApp) -> Vec<copse::db::mail::QueuedMail> {
    queue(app)
        .await
        .into_iter()
        .map(|(m, _)| m)
        .filter(|m| m.kind == "digest")
        .collect()
}

async fn local_user_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_string();
    app.context()
        .db(move |conn| copse::db::accounts::account_by_name(conn, &name))
        .await
        .unwrap()
        .unwrap()
        .user
        .id
}

#[tokio::test]
async fn a_weekly_digest_comes_at_the_local_hour_once_with_only_what_the_member_may_read() {
    let app = TestApp::spawn().await;
    let ctx = app.context();
    let owner = crate::notifications::confirmed_user(&app, "olga").await;
    app.community(&owner, "garden", json!({"membership_policy": "open"}))
        .await;
    app.community(
        &owner,
        "inner",
        json!({"visibility": "private", "membership_policy": "approval"}),
    )
    .await;
    let ann = crate::notifications::confirmed_user(&app, "ann").await;
    assert_eq!(join(&app, &ann, "garden").await, StatusCode::OK);
    // Ann applied to the private community: pending, not a member, so none of its content.
    join(&app, &ann, "inner").await;
    let cy = crate::notifications::confirmed_user(&app, "cy").await;
    assert_eq!(join(&app, &cy, "garden").await, StatusCode::OK);
    choose(
        &app,
        &ann,
        json!({"frequency": "weekly", "hour": 8, "timezone": "Europe/Paris"}),
    )
    .await;
    choose(
        &app,
        &owner,
        json!({"frequency": "weekly", "hour": 8, "timezone": "Asia/Tokyo"}),
    )
    .await;
    choose(
        &app,
        &cy,
        json!({"frequency": "weekly", "hour": 8, "timezone": "America/New_York"}),
    )
    .await;

    thread(&app, &owner, "garden", PUBLIC_TITLE).await;
    let busy = thread(&app, &owner, "garden", ACTIVE_TITLE).await;
    for body in ["peat-free", "leaf mould"] {
        app.post(
            &format!("/api/v1/posts/{busy}/comments"),
            Some(&cy),
            json!({ "body": body }),
        )
        .await;
    }
    thread(&app, &owner, "inner", SECRET_TITLE).await;

    let paris = monday_eight(chrono_tz::Europe::Paris);
    // A minute before Ann's hour: nothing is due for anyone.
    let early = run_at(&ctx, paris - Duration::minutes(1)).await.unwrap();
    assert_eq!((early.queued, early.empty), (0, 0), "{early:?}");
    // At 08:00 in Paris: Ann's digest; Cy's hour (08:00 in New York) has not come.
    let report = run_at(&ctx, paris + Duration::minutes(1)).await.unwrap();
    assert_eq!(report.queued, 1, "{report:?}");
    let mails = digests(&app).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.recipient, "ann@example.org");
    assert_eq!(mail.subject, "Your weekly digest: The garden community");
    for body in [&mail.text_body, &mail.html_body] {
        assert!(body.contains(PUBLIC_TITLE), "{body}");
        assert!(body.contains(ACTIVE_TITLE), "{body}");
        assert!(
            !body.contains(SECRET_TITLE),
            "a non-member got private content: {body}"
        );
        assert!(!body.contains("inner community"), "{body}");
    }
    assert!(
        mail.text_body.contains("(2 new comments)"),
        "{}",
        mail.text_body
    );
    assert!(mail.text_body.contains("Still without a reply:"));
    assert!(mail.text_body.contains("/settings/digests"));

    // Again, and twice at once: never queued twice.
    let again = run_at(&ctx, paris + Duration::minutes(6)).await.unwrap();
    assert_eq!(again.queued, 0, "{again:?}");
    let ny = monday_eight(chrono_tz::America::New_York);
    let (one, two) = tokio::join!(
        run_at(&ctx, ny + Duration::minutes(1)),
        run_at(&ctx, ny + Duration::minutes(1))
    );
    let (one, two): (Report, Report) = (one.unwrap(), two.unwrap());
    assert_eq!(one.queued + two.queued, 1, "{one:?} {two:?}");
    let mails = digests(&app).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].recipient, "cy@example.org");
    // The owner, at 08:00 in Tokyo, gets both communities.
    let tokyo = monday_eight(chrono_tz::Asia::Tokyo);
    let report = run_at(&ctx, tokyo + Duration::minutes(1)).await.unwrap();
    assert_eq!(report.queued, 1, "{report:?}");
    let mails = digests(&app).await;
    let olga = mails
        .iter()
        .find(|m| m.recipient == "olga@example.org")
        .unwrap();
    assert!(
        olga.text_body.contains(SECRET_TITLE),
        "a member reads her private community"
    );
    assert_eq!(olga.subject, "Your weekly digest of 2 communities");
}

#[tokio::test]
async fn an_empty_week_is_recorded_and_not_sent_and_meetings_show_my_answer() {
    let app = TestApp::spawn().await;
    let ctx = app.context();
    let owner = crate::notifications::confirmed_user(&app, "omar").await;
    app.community(&owner, "quiet", json!({"membership_policy": "open"}))
        .await;
    let utc = monday_eight(Tz::UTC);
    let report = run_at(&ctx, utc).await.unwrap();
    assert_eq!((report.queued, report.empty), (0, 1), "{report:?}");
    assert!(digests(&app).await.is_empty());
    let id = local_user_id(&app, "omar").await;
    let runs = ctx
        .db(move |conn| copse::db::digests::runs_of(conn, id))
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert!(!runs[0].2, "recorded as not mailed");

    // Daily now: a meeting in the coming day makes tomorrow's digest, with my answer.
    choose(
        &app,
        &owner,
        json!({"frequency": "daily", "hour": 8, "timezone": ""}),
    )
    .await;
    let today = Utc::now().date_naive();
    let mut at = Utc.from_utc_datetime(&today.and_hms_opt(8, 0, 0).unwrap());
    if at < Utc::now() {
        at += Duration::days(1);
    }
    let starts = at + Duration::hours(12);
    let local = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
    let (status, event) = app
        .post(
            "/api/v1/communities/quiet/events",
            Some(&owner),
            json!({"title": "Seed swap", "body": "bring seeds",
                "starts_at": local(starts), "ends_at": local(starts + Duration::hours(2)),
                "timezone": "UTC", "place_name": "The shed"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event = event["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/events/{event}/rsvp"),
        Some(&owner),
        json!({"state": "going"}),
    )
    .await;
    let report = run_at(&ctx, at).await.unwrap();
    assert_eq!(report.queued, 1, "{report:?}");
    let mail = digests(&app).await.remove(0);
    assert!(mail.text_body.contains("Seed swap"), "{}", mail.text_body);
    assert!(mail.text_body.contains("You: going."), "{}", mail.text_body);
    assert!(
        mail.text_body.contains(&format!("/events/{event}.ics")),
        "{}",
        mail.text_body
    );
    assert!(mail.html_body.contains("<strong>going</strong>"));
    assert!(mail.text_body.contains("The shed"));
}

#[tokio::test]
async fn the_unsubscribe_action_turns_off_one_community_then_all() {
    let app = TestApp::spawn().await;
    let ctx = app.context();
    let owner = crate::notifications::confirmed_user(&app, "una").await;
    for name in ["roses", "tulips"] {
        app.community(&owner, name, json!({"membership_policy": "open"}))
            .await;
        thread(&app, &owner, name, &format!("News about {name}")).await;
    }
    let user = local_user_id(&app, "una").await;
    let roses = ctx
        .db(|conn| copse::db::communities::local_by_name(conn, "roses"))
        .await
        .unwrap()
        .unwrap()
        .id;
    ctx.write(move |conn| copse::actions::digests::unsubscribe(conn, user, Some(roses)))
        .await
        .unwrap();
    let (_, got) = app.get("/api/v1/me/digests", Some(&owner)).await;
    assert_eq!(got["frequency"], "weekly");
    let roses_choice = got["communities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"] == "roses")
        .unwrap()
        .clone();
    assert_eq!(roses_choice["frequency"], "off", "{got}");
    let utc = monday_eight(Tz::UTC);
    run_at(&ctx, utc).await.unwrap();
    let mail = digests(&app).await.remove(0);
    assert!(mail.text_body.contains("News about tulips"));
    assert!(
        !mail.text_body.contains("News about roses"),
        "{}",
        mail.text_body
    );

    // Everything off: the next week brings nothing.
    ctx.write(move |conn| copse::actions::digests::unsubscribe(conn, user, None))
        .await
        .unwrap();
    let (_, got) = app.get("/api/v1/me/digests", Some(&owner)).await;
    assert_eq!(got["frequency"], "off");
    assert!(got["communities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["frequency"].is_null()));
    let next = run_at(&ctx, utc + Duration::days(7)).await.unwrap();
    assert_eq!((next.queued, next.empty), (0, 0), "{next:?}");

    // A per-community choice needs a membership; a bad frequency is a 400.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/communities/roses/digest",
            Some(&owner),
            Some(json!({"frequency": "hourly"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stranger = crate::notifications::confirmed_user(&app, "stranger").await;
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/communities/roses/digest",
            Some(&stranger),
            Some(json!({"frequency": "daily"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// The links of a real digest mail, clicked as a mail provider does (a POST with the RFC 8058
/// body, no cookie, no `Origin`): a community's link takes it out of the digests, the
/// `List-Unsubscribe` link turns every digest off; opening a link (a GET) changes nothing; the
/// "every mail" link of notifications stops digests too.
#[tokio::test]
async fn a_digests_one_click_links_turn_off_its_community_then_every_digest() {
    let app = TestApp::spawn().await;
    let ctx = app.context();
    let owner = crate::notifications::confirmed_user(&app, "una").await;
    for name in ["roses", "tulips"] {
        app.community(&owner, name, json!({"membership_policy": "open"}))
            .await;
        thread(&app, &owner, name, &format!("News about {name}")).await;
    }
    run_at(&ctx, monday_eight(Tz::UTC)).await.unwrap();
    let mail = digests(&app).await.remove(0);
    let every = mail.unsubscribe_url.clone().expect("List-Unsubscribe");
    let roses = mail
        .text_body
        .lines()
        .find_map(|l| l.strip_prefix("No more digests of The roses community: "))
        .unwrap_or_else(|| panic!("the community's link: {}", mail.text_body))
        .to_string();
    assert_ne!(roses, every);
    let frequency_of = |got: &Value, name: &str| {
        got["communities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["community"] == name)
            .map(|c| c["frequency"].clone())
    };
    let client = reqwest::Client::new();
    let click = |link: String| {
        let client = client.clone();
        async move {
            client
                .post(&link)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click")
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    let opened = client.get(&roses).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(opened.text().await.unwrap().contains("this community"));
    let (_, got) = app.get("/api/v1/me/digests", Some(&owner)).await;
    assert_eq!(
        frequency_of(&got, "roses"),
        Some(Value::Null),
        "a GET changes nothing"
    );

    assert_eq!(click(roses).await, StatusCode::OK);
    let (_, got) = app.get("/api/v1/me/digests", Some(&owner)).await;
    assert_eq!(frequency_of(&got, "roses"), Some(json!("off")), "{got}");
    assert_eq!(frequency_of(&got, "tulips"), Some(Value::Null), "{got}");
    assert_eq!(got["frequency"], "weekly");

    assert_eq!(click(every.clone()).await, StatusCode::OK);
    let (_, got) = app.get("/api/v1/me/digests", Some(&owner)).await;
    assert_eq!(got["frequency"], "off", "{got}");
    assert_eq!(click(every).await, StatusCode::OK, "twice is harmless");

    // Digests back on, then every mail off through the notifications' "all" link.
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/me/digests",
            Some(&owner),
            Some(json!({"frequency": "daily", "hour": 8})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let user = local_user_id(&app, "una").await;
    let all = copse::mail::unsubscribe::link(&ctx, user, copse::mail::unsubscribe::Scope::All);
    assert_eq!(click(all).await, StatusCode::OK);
    let next = run_at(&ctx, monday_eight(Tz::UTC) + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(next.queued, 0, "{next:?}");
}

#[tokio::test]
async fn new_and_updated_library_pages_make_the_digest_of_those_who_may_read_them() {
    let app = TestApp::spawn().await;
    let ctx = app.context();
    let owner = crate::notifications::confirmed_user(&app, "olga").await;
    app.community(&owner, "garden", json!({"membership_policy": "open"}))
        .await;
    app.community(&owner, "inner", json!({"visibility": "private"}))
        .await;
    let ann = crate::notifications::confirmed_user(&app, "ann").await;
    assert_eq!(join(&app, &ann, "garden").await, StatusCode::OK);
    for token in [&ann, &owner] {
        choose(
            &app,
            token,
            json!({"frequency": "weekly", "hour": 8, "timezone": "UTC"}),
        )
        .await;
    }
    for (community, title) in [
        ("garden", "Tool shed rota"),
        ("garden", "Compost rules"),
        ("inner", "Key holders"),
    ] {
        let (status, page) = app
            .post(
                &format!("/api/v1/communities/{community}/pages"),
                Some(&owner),
                json!({"title": title, "body": "first"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{page}");
    }
    let report = run_at(&ctx, monday_eight(Tz::UTC)).await.unwrap();
    assert_eq!(report.queued, 2, "{report:?}");
    let mails = digests(&app).await;
    let to_ann = mails
        .iter()
        .find(|m| m.text_body.contains("Hello ann"))
        .unwrap();
    let text = &to_ann.text_body;
    assert!(text.contains("New and updated pages:"), "{text}");
    assert!(text.contains("- Tool shed rota (new)"), "{text}");
    assert!(text.contains("/c/garden/library/tool-shed-rota"), "{text}");
    assert!(text.contains("Compost rules"), "{text}");
    assert!(
        !text.contains("Key holders"),
        "a private community's page: {text}"
    );
    assert!(to_ann
        .html_body
        .contains("<h3 style=\"font-size: 1em;\">New and updated pages</h3>"));
    let to_olga = mails
        .iter()
        .find(|m| m.text_body.contains("Hello olga"))
        .unwrap();
    assert!(
        to_olga.text_body.contains("Key holders"),
        "{}",
        to_olga.text_body
    );
}
