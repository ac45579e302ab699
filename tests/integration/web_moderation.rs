//! The moderation page over HTTP (`/c/{name}/moderation`): applications with their answers,
//! invitations, reports, bans and moderators, each acted on through a plain form that ends in a
//! redirect back; refused forms shown again with their message (nothing written); everyone but
//! the community's moderators refused.

use crate::{
    helpers::TestApp,
    web_client::{Browser, Page},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PAGE: &str = "/c/growers/moderation";

/// `owner`'s community `growers` (with `extra` fields) and a browser logged in as the owner.
async fn desk(app: &TestApp, extra: Value) -> (String, Browser) {
    let owner = app.user("keeper").await;
    let (status, body) = app.community(&owner, "growers", extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let browser = Browser::new(app);
    browser.log_in("keeper").await;
    (owner, browser)
}

/// Posts a form of the moderation page (with the page's form token).
async fn act(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let page = browser.get(PAGE).await;
    page.assert_html(StatusCode::OK);
    let token = page.csrf_token();
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    browser.post(&format!("{PAGE}{path}"), &form).await
}

/// Asserts a redirect back to the page, and returns the page it leads to (with its message).
async fn back(browser: &Browser, page: Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.header("location"), PAGE);
    let shown = browser.get(PAGE).await;
    shown.assert_html(StatusCode::OK);
    shown.body
}

/// The person id of `name` (from the applications or members list).
async fn person_id(app: &TestApp, path: &str, token: &str, name: &str) -> i64 {
    let (status, page) = app.get(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().is_some_and(|h| h.starts_with(name)))
        .and_then(|m| m["person_id"].as_i64())
        .unwrap_or_else(|| panic!("{name} not in {page}"))
}

async fn apply(app: &TestApp, name: &str, answer: &str) -> String {
    let token = app.user(name).await;
    let (status, body) = app
        .post(
            "/api/v1/communities/growers/join",
            Some(&token),
            json!({"answers": [answer]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "pending");
    token
}

#[tokio::test]
async fn the_owner_reads_the_answers_and_approves_or_rejects_applications() {
    let app = TestApp::spawn().await;
    let questions = json!({"membership_policy": "approval", "questions": ["What do you grow?"]});
    let (owner, browser) = desk(&app, questions).await;
    apply(&app, "sprout", "Tomatoes on a balcony").await;
    apply(&app, "weed", "Nothing, I sell pills").await;

    let page = browser.get(PAGE).await;
    page.assert_html(StatusCode::OK);
    for shown in [
        "Applications (2)",
        "sprout@",
        "Tomatoes on a balcony",
        "What do you grow?",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let apps = "/api/v1/communities/growers/applications";
    let sprout = person_id(&app, apps, &owner, "sprout@").await;
    let weed = person_id(&app, apps, &owner, "weed@").await;

    let done = act(&browser, &format!("/applications/{sprout}/approve"), &[]).await;
    let body = back(&browser, done).await;
    assert!(body.contains("approved"), "flash: {body}");
    assert!(!body.contains("Tomatoes on a balcony"), "decided: {body}");
    let members = app.member_handles("growers", Some(&owner)).await;
    assert!(
        members.iter().any(|h| h.starts_with("sprout@")),
        "{members:?}"
    );

    let done = act(&browser, &format!("/applications/{weed}/reject"), &[]).await;
    let body = back(&browser, done).await;
    assert!(
        body.contains("rejected") && body.contains("Applications (0)"),
        "{body}"
    );
    let members = app.member_handles("growers", Some(&owner)).await;
    assert!(
        !members.iter().any(|h| h.starts_with("weed@")),
        "{members:?}"
    );
    let (_, pending) = app.get(apps, Some(&owner)).await;
    assert_eq!(pending["items"], json!([]), "{pending}");
}

#[tokio::test]
async fn a_moderator_invites_by_handle_and_withdraws_and_a_bad_handle_is_refused() {
    let app = TestApp::spawn().await;
    let (owner, browser) = desk(&app, json!({"membership_policy": "invite"})).await;
    app.user("guest").await;

    let refused = act(&browser, "/invitations", &[("person", "nobody_here")]).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("nobody_here"), "{}", refused.body);
    assert!(
        refused.body.contains("id=\"invite-person-error\""),
        "the message is next to the invite form's field: {}",
        refused.body
    );
    assert!(refused.body.contains("value=\"nobody_here\""), "kept");
    let invitations = "/api/v1/communities/growers/invitations";
    let (_, open) = app.get(invitations, Some(&owner)).await;
    assert_eq!(open, json!([]), "nothing written");

    let done = act(&browser, "/invitations", &[("person", "guest")]).await;
    let body = back(&browser, done).await;
    assert!(
        body.contains("guest is invited") && body.contains("Invitations (1)"),
        "{body}"
    );
    let (_, open) = app.get(invitations, Some(&owner)).await;
    let guest = open[0]["person_id"].as_i64().expect("invited");

    let done = act(&browser, &format!("/invitations/{guest}/withdraw"), &[]).await;
    let body = back(&browser, done).await;
    assert!(
        body.contains("withdrawn") && body.contains("Invitations (0)"),
        "{body}"
    );
    let (_, open) = app.get(invitations, Some(&owner)).await;
    assert_eq!(open, json!([]));
}

#[tokio::test]
async fn a_report_filed_through_the_api_is_shown_with_a_link_and_resolved() {
    let app = TestApp::spawn().await;
    let (owner, browser) = desk(&app, json!({})).await;
    let reader = app.user("reader").await;
    let (status, post) = app
        .post(
            "/api/v1/communities/growers/posts",
            Some(&owner),
            json!({"title": "Cheap seeds", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_i64().expect("id");
    let (status, report) = app
        .post(
            &format!("/api/v1/posts/{post_id}/report"),
            Some(&reader),
            json!({"reason": "Looks like spam to me"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report_id = report["id"].as_i64().expect("id");

    let page = browser.get(PAGE).await;
    for shown in [
        "Reports (1)",
        "Looks like spam to me",
        "reader@",
        &format!("href=\"/post/{post_id}\""),
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let done = act(&browser, &format!("/reports/{report_id}/resolve"), &[]).await;
    let body = back(&browser, done).await;
    assert!(
        body.contains("resolved") && body.contains("Reports (0)"),
        "{body}"
    );
    let (_, open) = app
        .get("/api/v1/communities/growers/reports", Some(&owner))
        .await;
    assert_eq!(open["items"], json!([]), "{open}");
}

#[tokio::test]
async fn a_ban_with_a_reason_stops_posting_until_it_is_lifted() {
    let app = TestApp::spawn().await;
    let (owner, browser) = desk(&app, json!({})).await;
    let troll = app.user("troll").await;
    let (status, _) = app
        .post("/api/v1/communities/growers/join", Some(&troll), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let members = "/api/v1/communities/growers/members";
    let troll_id = person_id(&app, members, &owner, "troll@").await;

    // Refusals: a bad date, the owner; nothing written.
    let fields = [("person", "troll"), ("reason", "r"), ("expires_at", "soon")];
    let refused = act(&browser, "/bans", &fields).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"ban-expires_at-error\""),
        "{}",
        refused.body
    );
    let refused = act(&browser, "/bans", &[("person", "keeper")]).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("owner cannot be banned"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Bans (0)"), "{}", refused.body);

    let fields = [
        ("person", "troll"),
        ("reason", "Insults in every thread"),
        ("expires_at", "2099-01-01T12:00"),
    ];
    let body = back(&browser, act(&browser, "/bans", &fields).await).await;
    for shown in [
        "troll is banned",
        "Bans (1)",
        "Insults in every thread",
        "2099-01-01 12:00",
    ] {
        assert!(body.contains(shown), "{shown}: {body}");
    }
    let new_post = json!({"title": "Again", "body": "b"});
    let posts = "/api/v1/communities/growers/posts";
    let (status, body) = app.post(posts, Some(&troll), new_post.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let body = back(
        &browser,
        act(&browser, &format!("/bans/{troll_id}/lift"), &[]).await,
    )
    .await;
    assert!(
        body.contains("lifted") && body.contains("Bans (0)"),
        "{body}"
    );
    let (status, _) = app
        .post("/api/v1/communities/growers/join", Some(&troll), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "may join again");
    let (status, body) = app.post(posts, Some(&troll), new_post).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn an_appointed_moderator_opens_the_page_until_removed() {
    let app = TestApp::spawn().await;
    let (owner, browser) = desk(&app, json!({})).await;
    let helper = app.user("helper").await;
    app.user("outsider").await;
    let (status, _) = app
        .post("/api/v1/communities/growers/join", Some(&helper), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let helper_browser = Browser::new(&app);
    helper_browser.log_in("helper").await;
    assert_eq!(helper_browser.get(PAGE).await.status, StatusCode::FORBIDDEN);

    let refused = act(&browser, "/moderators", &[("person", "outsider")]).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Only active members can be moderators"),
        "{}",
        refused.body
    );

    let body = back(
        &browser,
        act(&browser, "/moderators", &[("person", "helper")]).await,
    )
    .await;
    assert!(body.contains("helper is a moderator now") && body.contains("Moderators (2)"));
    helper_browser.get(PAGE).await.assert_html(StatusCode::OK);

    let members = "/api/v1/communities/growers/members";
    let helper_id = person_id(&app, members, &owner, "helper@").await;
    let keeper_id = person_id(&app, members, &owner, "keeper@").await;
    let refused = act(&browser, &format!("/moderators/{keeper_id}/remove"), &[]).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("owner"), "{}", refused.body);
    let done = act(&browser, &format!("/moderators/{helper_id}/remove"), &[]).await;
    let body = back(&browser, done).await;
    assert!(body.contains("Moderators (1)"), "{body}");
    let page = helper_browser.get(PAGE).await;
    page.assert_html(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn everyone_but_moderators_and_admins_is_refused_and_so_is_a_form_without_its_token() {
    let app = TestApp::spawn().await;
    let (owner, browser) = desk(&app, json!({"visibility": "private"})).await;
    let member = app.user("member").await;
    app.user("stranger").await;
    let (status, _) = app
        .post("/api/v1/communities/growers/join", Some(&member), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, post) = app
        .post(
            "/api/v1/communities/growers/posts",
            Some(&owner),
            json!({"title": "Private plans", "body": "b"}),
        )
        .await;
    let post_id = post["id"].as_i64().expect("id");
    let (status, _) = app
        .post(
            &format!("/api/v1/posts/{post_id}/lock"),
            Some(&owner),
            json!({"locked": true, "reason": "SECRETREASON"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let page = browser.get(PAGE).await;
    assert!(
        page.body.contains("SECRETREASON"),
        "the modlog: {}",
        page.body
    );

    for name in [Some("member"), Some("stranger"), None] {
        let visitor = Browser::new(&app);
        if let Some(name) = name {
            visitor.log_in(name).await;
        }
        let page = visitor.get(PAGE).await;
        page.assert_html(StatusCode::FORBIDDEN);
        assert!(
            !page.body.contains("SECRETREASON"),
            "{name:?}: {}",
            page.body
        );
    }
    // A member's form (with a good token, from the layout's log-out form) is refused too.
    let visitor = Browser::new(&app);
    visitor.log_in("member").await;
    let token = visitor.get(PAGE).await.csrf_token();
    let form = [("csrf_token", token.as_str()), ("person", "stranger")];
    let refused = visitor.post(&format!("{PAGE}/bans"), &form).await;
    refused.assert_html(StatusCode::FORBIDDEN);

    // The instance's admins moderate its communities.
    app.user("ada").await;
    app.context()
        .write(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query(
                    "UPDATE local_users SET is_admin = TRUE \
                     WHERE person_id = (SELECT id FROM persons WHERE name = 'ada')",
                ),
                conn,
            )?;
            Ok(())
        })
        .await
        .expect("make ada an admin");
    let admin = Browser::new(&app);
    admin.log_in("ada").await;
    let page = admin.get(PAGE).await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("SECRETREASON"), "{}", page.body);

    let missing = browser.get("/c/nowhere/moderation").await;
    missing.assert_html(StatusCode::NOT_FOUND);

    let no_token = browser
        .post(&format!("{PAGE}/bans"), &[("person", "member")])
        .await;
    no_token.assert_html(StatusCode::FORBIDDEN);
    let page = browser.get(PAGE).await;
    assert!(
        page.body.contains("Bans (0)"),
        "nothing written: {}",
        page.body
    );
}
