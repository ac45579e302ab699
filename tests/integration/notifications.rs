//! Notifications (issue 14, part 3) over real HTTP and a real SMTP server (`mail_server`): each
//! kind is produced by the change that causes it (replies and mentions also across two copse
//! instances), never about one's own doing nor about a private community's content to a
//! non-member; the mail carries one-click unsubscribe headers, the link's GET changes nothing,
//! its POST without cookie or origin stops further mail, and a forged or altered link is the 400
//! page. Both engines.

use crate::helpers::{eventually, TestApp, PASSWORD};
use crate::mail::app_with_smtp;
use crate::mail_server::SmtpServer;
use copse::config::Confirmation;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// An account made by the operator: its address counts as confirmed, so it gets mail.
pub(crate) async fn confirmed_user(app: &TestApp, name: &str) -> String {
    let input =
        copse::domain::accounts::NewAccount::parse(name, &format!("{name}@example.org"), PASSWORD)
            .unwrap();
    copse::actions::accounts::create(
        &app.context(),
        input,
        copse::actions::accounts::Origin::Operator { admin: false },
    )
    .await
    .unwrap();
    app.login(name).await
}

/// The account's notifications (unread first) as the API lists them.
pub(crate) async fn notifications(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["notifications"].as_array().expect("a list").clone()
}

fn kinds(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|n| n["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn post(app: &TestApp, token: &str, community: &str, title: &str, body: &str) -> i64 {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_i64().unwrap()
}

async fn comment(app: &TestApp, token: &str, post: i64, body: &str, parent: Option<i64>) -> i64 {
    let (status, c) = app
        .post(
            &format!("/api/v1/posts/{post}/comments"),
            Some(token),
            json!({"body": body, "parent_id": parent}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c["id"].as_i64().unwrap()
}

async fn join(app: &TestApp, token: &str, community: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/join"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn replies_and_mentions_notify_and_mail_with_a_working_one_click_unsubscribe() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let ana = confirmed_user(&app, "ana").await;
    let bob = confirmed_user(&app, "bob").await;
    let cy = confirmed_user(&app, "cy").await;
    let (status, body) = app.community(&ana, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    join(&app, &bob, "garden").await;
    let post_id = post(&app, &ana, "garden", "Tomatoes", "What do you grow?").await;

    // Her own reply notifies nobody; bob's notifies ana, and his mention of @cy notifies cy.
    comment(&app, &ana, post_id, "Me first: cherry tomatoes", None).await;
    let reply = comment(&app, &bob, post_id, "Beefsteak, ask @cy too", None).await;
    let list = notifications(&app, &ana).await;
    assert_eq!(kinds(&list), ["reply"], "{list:?}");
    assert_eq!(list[0]["link"], format!("/comment/{reply}"));
    assert_eq!(list[0]["read"], false);
    assert!(
        list[0]["text"].as_str().unwrap().contains("Tomatoes"),
        "{list:?}"
    );
    assert_eq!(kinds(&notifications(&app, &cy).await), ["mention"]);
    assert!(notifications(&app, &bob).await.is_empty());

    // The mail: to ana, text and HTML, one-click unsubscribe headers.
    smtp.wait_for(2).await;
    let to_ana = smtp.to("ana@example.org");
    assert_eq!(to_ana.len(), 1);
    let mail = &to_ana[0];
    assert_eq!(mail.parsed().ctype.mimetype, "multipart/alternative");
    let header = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = header.trim_matches(['<', '>']).to_string();
    assert!(link.starts_with(&app.url("/mail/unsubscribe/")), "{link}");
    assert!(mail.part("text/plain").contains("Beefsteak"));
    assert!(mail.part("text/html").contains(&link.replace('&', "&amp;")));
    let path = link.trim_start_matches(&app.base).to_string();

    // A GET (a mail scanner) shows the button and changes nothing.
    let client = reqwest::Client::new();
    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let text = page.text().await.unwrap();
    assert!(
        text.contains("ana") && text.contains("Unsubscribe"),
        "{text}"
    );
    comment(&app, &bob, post_id, "Second thought", None).await;
    smtp.wait_for(3).await;
    assert_eq!(smtp.to("ana@example.org").len(), 2);

    // A forged token and an altered one are refused with the 400 page.
    for bad in [
        "/mail/unsubscribe/1.a.AAAA".to_string(),
        path.replace(".n.", ".a."),
        format!("{path}x"),
    ] {
        let res = client.post(app.url(&bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("not one this instance made"));
    }

    // The provider's one-click POST: no cookie, no Origin, the RFC 8058 body.
    let res = client
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    comment(&app, &bob, post_id, "Third thought", None).await;
    assert_eq!(notifications(&app, &ana).await.len(), 3, "still listed");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.to("ana@example.org").len(), 2, "but no longer mailed");

    // Marking read: one, then all.
    let list = notifications(&app, &ana).await;
    let first = list[0]["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/notifications/{first}/read"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            &format!("/api/v1/notifications/{first}/read"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not bob's");
    let (_, body) = app.get("/api/v1/notifications", Some(&ana)).await;
    assert_eq!(body["unread"], 2);
    let (status, body) = app
        .post("/api/v1/notifications/read", Some(&ana), json!({}))
        .await;
    assert_eq!((status, body["marked"].as_i64()), (StatusCode::OK, Some(2)));
    let (_, body) = app
        .get("/api/v1/notifications?unread=true", Some(&ana))
        .await;
    assert_eq!(body["unread"], 0);
    assert!(body["notifications"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unconfirmed_addresses_get_no_mail_and_the_settings_choose_categories() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let ana = confirmed_user(&app, "ana").await;
    let una = app.user("una").await; // signed up herself: address not confirmed
    app.community(&ana, "garden", json!({})).await;
    join(&app, &una, "garden").await;
    let mine = post(&app, &una, "garden", "Mine", "body").await;
    let hers = post(&app, &ana, "garden", "Hers", "body").await;
    comment(&app, &ana, mine, "A reply to una", None).await;
    assert_eq!(kinds(&notifications(&app, &una).await), ["reply"]);

    // Ana turns off reply mail only: a reply is listed, not mailed; a mention still is.
    let ctx = app.context();
    let ana_id = ctx
        .db(|conn| copse::db::accounts::account_by_name(conn, "ana"))
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    copse::actions::mail_preferences::choose(&ctx, ana_id, vec!["notify:replies".into()], vec![])
        .await
        .unwrap();
    comment(&app, &una, hers, "A reply to ana", None).await;
    comment(&app, &una, mine, "Hello @ana", None).await;
    let got = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got_all = smtp.received();
    assert_eq!(got_all.len(), 1, "only the mention is mailed: {got:?}");
    assert!(got_all[0].header("Subject").unwrap().contains("mentioned"));
    assert!(smtp.to("una@example.org").is_empty(), "unconfirmed");
}

#[tokio::test]
async fn a_private_communitys_content_is_never_notified_to_a_non_member() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let ina = app.user("ina").await;
    let out = app.user("out").await;
    let (status, body) = app
        .community(
            &ana,
            "circle",
            json!({"visibility": "private", "membership_policy": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    join(&app, &ina, "circle").await;
    let list = notifications(&app, &ana).await;
    assert_eq!(kinds(&list), ["new_application"]);
    assert_eq!(list[0]["link"], "/c/circle/moderation");
    let (_, apps) = app
        .get("/api/v1/communities/circle/applications", Some(&ana))
        .await;
    let ina_id = apps["items"][0]["person_id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/circle/applications/{ina_id}/approve"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        kinds(&notifications(&app, &ina).await),
        ["application_accepted"]
    );

    post(&app, &ana, "circle", "Secret plans", "Hi @ina and @out").await;
    assert_eq!(
        kinds(&notifications(&app, &ina).await),
        ["mention", "application_accepted"]
    );
    assert!(
        notifications(&app, &out).await.is_empty(),
        "a non-member hears nothing of a private community's content"
    );

    // Having left, ina no longer reads the titles of what she was told as a member.
    let (status, body) = app
        .call(
            reqwest::Method::DELETE,
            "/api/v1/communities/circle/join",
            Some(&ina),
            None,
        )
        .await;
    assert!(status.is_success(), "{body}");
    let after = notifications(&app, &ina).await;
    assert!(
        !Value::from(after.clone())
            .to_string()
            .contains("Secret plans"),
        "{after:?}"
    );
    let page = app
        .client
        .get(app.url("/notifications"))
        .bearer_auth(&ina)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Secret plans"), "{page}");
}

#[tokio::test]
async fn reports_and_moderators_actions_notify_the_right_people() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cy = app.user("cy").await;
    app.community(&ana, "garden", json!({})).await;
    join(&app, &bob, "garden").await;
    join(&app, &cy, "garden").await;
    let id = post(&app, &bob, "garden", "Spam?", "Buy seeds").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{id}/report"),
            Some(&cy),
            json!({"reason": "advertising"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(kinds(&notifications(&app, &ana).await), ["new_report"]);

    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{id}/lock"),
            Some(&ana),
            json!({"locked": true}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            Some(&ana),
            Some(json!({"reason": "ads"})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{id}/restore"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        kinds(&notifications(&app, &bob).await),
        ["restored", "removed", "locked"]
    );
    assert!(notifications(&app, &cy).await.is_empty());
}

#[tokio::test]
async fn meetings_remind_promote_and_cancel() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cy = app.user("cy").await;
    app.community(&ana, "garden", json!({})).await;
    join(&app, &bob, "garden").await;
    join(&app, &cy, "garden").await;
    let soon = chrono::Utc::now() + chrono::Duration::hours(12);
    let later = soon + chrono::Duration::hours(2);
    let (status, event) = app
        .post(
            "/api/v1/communities/garden/events",
            Some(&ana),
            json!({
                "title": "Seed swap",
                "body": "Bring seeds",
                "starts_at": soon.format("%Y-%m-%dT%H:%M").to_string(),
                "ends_at": later.format("%Y-%m-%dT%H:%M").to_string(),
                "timezone": "UTC",
                "place_name": "Hall",
                "capacity": 1,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let id = event["id"].as_i64().unwrap();
    let rsvp = |token: String, state: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app
                .post(
                    &format!("/api/v1/events/{id}/rsvp"),
                    Some(&token),
                    json!({ "state": state }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    rsvp(bob.clone(), "going").await;
    let waiting = rsvp(cy.clone(), "going").await;
    assert_eq!(waiting["state"], "waitlisted", "{waiting}");

    // The reminder: once, to the people going.
    let ctx = app.context();
    assert_eq!(
        copse::actions::notifications::remind(&ctx).await.unwrap(),
        1
    );
    assert_eq!(
        copse::actions::notifications::remind(&ctx).await.unwrap(),
        0
    );
    assert_eq!(kinds(&notifications(&app, &bob).await), ["event_reminder"]);

    // Bob leaves: cy moves up and hears of it.
    rsvp(bob.clone(), "not_going").await;
    assert_eq!(
        kinds(&notifications(&app, &cy).await),
        ["waitlist_promoted"]
    );

    // Cancelled: cy (going) hears; bob (not going) does not; ana (who cancelled) does not.
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{id}/status"),
            Some(&ana),
            json!({"status": "cancelled"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        kinds(&notifications(&app, &cy).await),
        ["event_cancelled", "waitlist_promoted"]
    );
    assert_eq!(kinds(&notifications(&app, &bob).await), ["event_reminder"]);
    assert!(notifications(&app, &ana).await.is_empty());
}

#[tokio::test]
async fn replies_and_mentions_from_another_instance_notify_local_people() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let ana = home.user("ana").await;
    let cy = home.user("cy").await;
    let zed = away.user("zed").await;
    home.community(&ana, "garden", json!({})).await;
    away.join_remote(&zed, "zed", &home, "garden").await;
    let post_id = post(&home, &ana, "garden", "Compost", "Hot or cold?").await;
    let remote = format!("garden@{}", home.hostname);
    let away_post = eventually("the post reaches the other instance", || async {
        crate::helpers::find_post(&away, &remote, "Compost").await
    })
    .await;
    let away_post_id = away_post["id"].as_i64().unwrap();
    let text = format!("Cold, ask @cy@{}", home.hostname);
    let zed_comment = comment(&away, &zed, away_post_id, &text, None).await;

    // At home: ana hears of the reply, cy of the mention.
    let list = eventually("ana is notified of the remote reply", || async {
        let list = notifications(&home, &ana).await;
        (!list.is_empty()).then_some(list)
    })
    .await;
    assert_eq!(kinds(&list), ["reply"]);
    assert_eq!(
        list[0]["actor"].as_str(),
        Some(format!("zed@{}", away.hostname).as_str())
    );
    assert_eq!(kinds(&notifications(&home, &cy).await), ["mention"]);

    // Ana answers zed's comment: zed, at the other instance, hears of it.
    let (_, comments) = home
        .get(&format!("/api/v1/posts/{post_id}/comments"), None)
        .await;
    let zed_at_home = comments["items"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["body"].as_str() == Some(text.as_str())))
        .map(|c| c["id"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("zed's comment at home: {comments}"));
    comment(&home, &ana, post_id, "Thanks zed", Some(zed_at_home)).await;
    let list = eventually("zed is notified at his instance", || async {
        let list = notifications(&away, &zed).await;
        (!list.is_empty()).then_some(list)
    })
    .await;
    assert_eq!(kinds(&list), ["reply"]);
    let _ = zed_comment;
}
