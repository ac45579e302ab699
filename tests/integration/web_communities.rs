//! The communities' pages over HTTP: creating and editing a community through its form (refused
//! forms shown again with the message, nothing written; a non-moderator's edit is a 403 page; a
//! form without its token is refused), joining, applying with answers and leaving, and the
//! directory's search and paging.

use crate::helpers::TestApp;
use crate::web_client::{Browser, Page};
use reqwest::StatusCode;
use serde_json::json;

/// A browser logged in as a new user `name`, with the form token of its session.
async fn member(app: &TestApp, name: &str) -> (Browser, String) {
    app.user(name).await;
    let browser = Browser::new(app);
    browser.log_in(name).await;
    let token = browser.get("/settings").await.csrf_token();
    (browser, token)
}

/// The moderator whose session is `token` invites `person` to `community` (through the API).
async fn invite(app: &TestApp, token: &str, community: &str, person: &str) {
    let path = format!("/api/v1/communities/{community}/invitations");
    let (status, body) = app
        .post(&path, Some(token), json!({"person": person}))
        .await;
    assert!(status.is_success(), "{status} {body}");
}

fn location(page: &Page) -> String {
    page.header("location")
}

/// The fields of a whole community form, with `changes` in place of the defaults.
fn community_form<'a>(token: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf_token", token),
        ("name", "weavers"),
        ("title", "Weavers"),
        ("summary", "We *weave*."),
        ("charter.purpose", "Keep looms running"),
        ("charter.domain", "Textiles"),
        ("charter.practice", "Monthly pattern swaps"),
        ("charter.meeting_cadence", "monthly, online"),
        ("charter.code_of_conduct", "Be kind."),
        ("membership_policy", "approval"),
        ("visibility", "public"),
        ("questions", "Which loom do you use?"),
        ("questions", "Why join?"),
        ("questions", ""),
    ];
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => form.push((key, value)),
        }
    }
    form
}

async fn api_community(app: &TestApp, name: &str) -> (StatusCode, serde_json::Value) {
    app.get(&format!("/api/v1/communities/{name}"), None).await
}

#[tokio::test]
async fn a_community_is_created_through_its_form_and_a_refused_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (browser, token) = member(&app, "founder").await;
    browser
        .get("/communities/new")
        .await
        .assert_html(StatusCode::OK);

    let refused = browser
        .post(
            "/communities/new",
            &community_form(&token, &[("title", "")]),
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"title-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Keep looms running") && refused.body.contains("Why join?"));
    assert_eq!(
        api_community(&app, "weavers").await.0,
        StatusCode::NOT_FOUND
    );

    let bad_question = "x".repeat(400);
    let refused = browser
        .post(
            "/communities/new",
            &community_form(&token, &[("questions", &bad_question)]),
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"questions-error\""),
        "{}",
        refused.body
    );

    let no_token = community_form("", &[]);
    let refused = browser.post("/communities/new", &no_token[1..]).await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert_eq!(
        api_community(&app, "weavers").await.0,
        StatusCode::NOT_FOUND
    );

    let done = browser
        .post("/communities/new", &community_form(&token, &[]))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(location(&done), "/c/weavers");
    let (status, c) = api_community(&app, "weavers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["charter"]["practice"], "Monthly pattern swaps");
    assert_eq!(c["membership_policy"], "approval");
    assert_eq!(
        c["questions"],
        json!(["Which loom do you use?", "Why join?"])
    );
    let page = browser.get("/c/weavers").await;
    page.assert_html(StatusCode::OK);
    assert!(
        page.body.contains("Weavers was created."),
        "the flash message"
    );
    assert!(
        page.body.contains("href=\"/c/weavers/edit\""),
        "the owner's Edit link"
    );
    assert!(page.body.contains("You own this community"));
}

#[tokio::test]
async fn only_the_owner_and_moderators_edit_a_community() {
    let app = TestApp::spawn().await;
    let (owner, token) = member(&app, "founder").await;
    let made = owner
        .post("/communities/new", &community_form(&token, &[]))
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);

    let (stranger, stranger_token) = member(&app, "stranger").await;
    assert!(!stranger
        .get("/c/weavers")
        .await
        .body
        .contains("/c/weavers/edit"));
    stranger
        .get("/c/weavers/edit")
        .await
        .assert_html(StatusCode::FORBIDDEN);
    let refused = stranger
        .post(
            "/c/weavers/edit",
            &community_form(&stranger_token, &[("title", "Taken")]),
        )
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert_eq!(api_community(&app, "weavers").await.1["title"], "Weavers");

    let form = owner.get("/c/weavers/edit").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("Which loom do you use?") && !form.body.contains("id=\"name\""));
    let refused = owner
        .post(
            "/c/weavers/edit",
            &community_form(&token, &[("title", " ")]),
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"title-error\""));
    assert_eq!(api_community(&app, "weavers").await.1["title"], "Weavers");

    let changes = [("title", "Hand weavers"), ("membership_policy", "open")];
    let saved = owner
        .post("/c/weavers/edit", &community_form(&token, &changes))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, c) = api_community(&app, "weavers").await;
    assert_eq!(
        (c["title"].as_str(), c["membership_policy"].as_str()),
        (Some("Hand weavers"), Some("open"))
    );
}

#[tokio::test]
async fn people_join_apply_with_answers_and_leave_from_the_community_page() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    app.community(&owner, "open_loom", json!({})).await;
    app.community(
        &owner,
        "careful_loom",
        json!({"membership_policy": "approval", "questions": ["Which loom?", "Why?"]}),
    )
    .await;
    app.community(
        &owner,
        "closed_loom",
        json!({"membership_policy": "invite"}),
    )
    .await;

    let visitor = Browser::new(&app).get("/c/open_loom").await;
    assert!(visitor.body.contains("Log in to join"), "{}", visitor.body);

    let (browser, token) = member(&app, "weaver").await;
    let page = browser.get("/c/open_loom").await;
    assert!(page.body.contains(">Join</button>"), "{}", page.body);
    let joined = browser
        .post("/c/open_loom/join", &[("csrf_token", &token)])
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert!(browser
        .get("/c/open_loom")
        .await
        .body
        .contains("You are a member"));
    let refused = browser.post("/c/open_loom/leave", &[]).await;
    refused.assert_html(StatusCode::FORBIDDEN);
    let left = browser
        .post("/c/open_loom/leave", &[("csrf_token", &token)])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.body);
    assert!(browser
        .get("/c/open_loom")
        .await
        .body
        .contains(">Join</button>"));

    let page = browser.get("/c/careful_loom").await;
    assert!(page.body.contains("name=\"answers\"") && page.body.contains("Which loom?"));
    let form = [
        ("csrf_token", token.as_str()),
        ("answers", "A floor loom"),
        ("answers", " "),
    ];
    let refused = browser.post("/c/careful_loom/join", &form).await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"answers-error\"") && refused.body.contains("A floor loom"));
    let group = format!("{}/c/careful_loom", app.base);
    assert_eq!(
        app.membership_state("weaver", &group).await,
        None,
        "nothing written"
    );
    let form = [
        ("csrf_token", token.as_str()),
        ("answers", "A floor loom"),
        ("answers", "To learn"),
    ];
    let applied = browser.post("/c/careful_loom/join", &form).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(
        app.membership_state("weaver", &group).await.as_deref(),
        Some("pending")
    );
    assert!(browser
        .get("/c/careful_loom")
        .await
        .body
        .contains("<strong>pending</strong>"));
    let home = browser.get("/").await;
    assert!(home.body.contains("Your communities") && home.body.contains("application pending"));

    let page = browser.get("/c/closed_loom").await;
    assert!(
        page.body.contains("a moderator must invite you"),
        "{}",
        page.body
    );
    let refused = browser
        .post("/c/closed_loom/join", &[("csrf_token", &token)])
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(refused.body.contains("invitation only"));
    invite(&app, &owner, "closed_loom", "weaver").await;
    let page = browser.get("/c/closed_loom").await;
    assert!(page.body.contains("Accept the invitation"), "{}", page.body);
    let accepted = browser
        .post("/c/closed_loom/join", &[("csrf_token", &token)])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let group = format!("{}/c/closed_loom", app.base);
    assert_eq!(
        app.membership_state("weaver", &group).await.as_deref(),
        Some("active")
    );

    let owner_browser = Browser::new(&app);
    owner_browser.log_in("founder").await;
    let token = owner_browser.get("/c/open_loom").await.csrf_token();
    let refused = owner_browser
        .post("/c/open_loom/leave", &[("csrf_token", &token)])
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("owner cannot leave"),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn the_directory_finds_by_charter_text_and_pages_past_twenty() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    for n in 0..22 {
        app.community(&owner, &format!("circle_{n:02}"), json!({}))
            .await;
    }
    let charter = |purpose: &str| json!({"purpose": purpose});
    let (status, body) = app
        .community(
            &owner,
            "herders",
            json!({"charter": charter("Zebra husbandry")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.community(
        &owner,
        "hidden_herd",
        json!({"visibility": "private", "charter": charter("Secret zebra lore")}),
    )
    .await;

    let stranger = Browser::new(&app);
    let found = stranger.get("/communities?q=ZEBRA").await;
    found.assert_html(StatusCode::OK);
    assert!(found.body.contains("/c/herders") && !found.body.contains("hidden_herd"));
    assert!(!found.body.contains("circle_00"));
    let none = stranger.get("/communities?q=50%25_off").await;
    assert!(
        none.body.contains("No community here matches"),
        "{}",
        none.body
    );

    let owner_browser = Browser::new(&app);
    owner_browser.log_in("founder").await;
    let found = owner_browser.get("/communities?q=zebra").await;
    assert!(found.body.contains("/c/herders") && found.body.contains("/c/hidden_herd"));

    let first = stranger.get("/communities").await;
    assert!(first.body.contains("/c/circle_00") && first.body.contains("/c/circle_19"));
    assert!(!first.body.contains("/c/circle_20\""));
    let next = first
        .body
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.contains("cursor=")))
        .expect("a link to the next page")
        .replace("&amp;", "&");
    let second = stranger.get(&next).await;
    second.assert_html(StatusCode::OK);
    assert!(second.body.contains("/c/circle_20\"") && second.body.contains("/c/herders\""));
    assert!(!second.body.contains("/c/circle_19\"") && !second.body.contains("hidden_herd"));
}

#[tokio::test]
async fn a_members_home_shows_their_communities_and_their_newest_threads() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    app.community(&owner, "mine", json!({})).await;
    app.community(&owner, "theirs", json!({})).await;
    for (community, title) in [("mine", "Shuttle tips"), ("theirs", "Elsewhere talk")] {
        let (status, body) = app
            .post(
                &format!("/api/v1/communities/{community}/posts"),
                Some(&owner),
                json!({"title": title, "body": "b"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (browser, token) = member(&app, "weaver").await;
    let joined = browser
        .post("/c/mine/join", &[("csrf_token", &token)])
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let home = browser.get("/").await;
    home.assert_html(StatusCode::OK);
    assert!(home.body.contains("Shuttle tips") && !home.body.contains("Elsewhere talk"));
    assert!(home.body.contains("href=\"/communities\""));
    let visitor = Browser::new(&app).get("/").await;
    assert!(visitor.body.contains("/c/theirs") && !visitor.body.contains("Shuttle tips"));
}

#[tokio::test]
async fn the_find_form_refuses_a_bad_handle_and_an_unknown_server() {
    let app = TestApp::spawn().await;
    let (browser, token) = member(&app, "weaver").await;
    let refused = browser
        .post(
            "/communities/find",
            &[("csrf_token", &token), ("q", "not a handle")],
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"find-q-error\"") && refused.body.contains("not a handle"));
    let refused = browser
        .post(
            "/communities/find",
            &[("csrf_token", &token), ("q", "!ghosts@127.0.0.1:9")],
        )
        .await;
    refused.assert_html(StatusCode::NOT_FOUND);
    assert!(
        refused.body.contains("could not be found"),
        "{}",
        refused.body
    );
    let local = browser
        .post(
            "/communities/find",
            &[("csrf_token", &token), ("q", "!nowhere")],
        )
        .await;
    local.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    app.community(&app.login("weaver").await, "looms", json!({}))
        .await;
    let q = format!("!looms@{}", app.hostname);
    let found = browser
        .post("/communities/find", &[("csrf_token", &token), ("q", &q)])
        .await;
    assert_eq!(
        (found.status, location(&found)),
        (StatusCode::SEE_OTHER, "/c/looms".into())
    );
}

#[tokio::test]
async fn pinned_threads_come_first_and_are_not_repeated_below() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    app.community(&owner, "looms", json!({})).await;
    let mut ids = Vec::new();
    for title in ["Old announcement", "Newer chat", "Newest chat"] {
        let (status, post) = app
            .post(
                "/api/v1/communities/looms/posts",
                Some(&owner),
                json!({"title": title, "body": "b"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        ids.push(post["id"].as_i64().expect("id"));
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{}/pin", ids[0]),
            Some(&owner),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let page = Browser::new(&app).get("/c/looms").await;
    page.assert_html(StatusCode::OK);
    let at = |text: &str| {
        page.body
            .find(text)
            .unwrap_or_else(|| panic!("{text} shown"))
    };
    assert!(at("Old announcement") < at("Newest chat") && at("Newest chat") < at("Newer chat"));
    assert_eq!(
        page.body.matches("Old announcement").count(),
        1,
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_banned_person_is_told_so_and_cannot_join_again() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    app.community(&owner, "looms", json!({})).await;
    let (browser, token) = member(&app, "weaver").await;
    let person_id = app
        .context()
        .db(|conn| copse::db::accounts::local_person_by_name(conn, "weaver"))
        .await
        .expect("query")
        .expect("weaver")
        .id;
    let (status, body) = app
        .post(
            "/api/v1/communities/looms/bans",
            Some(&owner),
            json!({"person_id": person_id, "reason": "spam"}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let page = browser.get("/c/looms").await;
    assert!(page.body.contains("You are banned"), "{}", page.body);
    let refused = browser
        .post("/c/looms/join", &[("csrf_token", &token)])
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    let group = format!("{}/c/looms", app.base);
    assert_eq!(app.membership_state("weaver", &group).await, None);
}

/// Where a signed-in reader stands, read in one statement with their role, shows on the page:
/// a member, a banned person (the ban in force), the same person once the ban has run out, then
/// invited, and the owner. (An application pending: `people_join_apply_with_answers…`.)
#[tokio::test]
async fn the_community_page_shows_where_the_reader_stands() {
    let app = TestApp::spawn().await;
    let owner = app.user("founder").await;
    let (status, body) = app.community(&owner, "quiet_loom", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (browser, token) = member(&app, "weaver").await;
    let joined = browser
        .post("/c/quiet_loom/join", &[("csrf_token", &token)])
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let page = browser.get("/c/quiet_loom").await;
    assert!(page.body.contains(">Leave</button>"), "{}", page.body);

    let ctx = app.context();
    let ban = |expires_at: Option<chrono::NaiveDateTime>| {
        ctx.write(move |conn| {
            let c = copse::db::communities::local_by_name(conn, "quiet_loom")?.expect("community");
            let p = copse::db::accounts::local_person_by_name(conn, "weaver")?.expect("weaver");
            copse::db::bans::ban(conn, c.id, p.id, Some("noise"), expires_at)
        })
    };
    ban(None).await.expect("banned");
    let page = browser.get("/c/quiet_loom").await;
    assert!(
        page.body.contains("You are banned from this community."),
        "{}",
        page.body
    );
    assert!(!page.body.contains(">Join</button>"), "{}", page.body);
    // A ban that has run out is no ban: the page offers to join again.
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
    ban(Some(past)).await.expect("ban in the past");
    let page = browser.get("/c/quiet_loom").await;
    assert!(!page.body.contains("You are banned"), "{}", page.body);
    assert!(page.body.contains(">Join</button>"), "{}", page.body);
    invite(&app, &owner, "quiet_loom", "weaver").await;
    let page = browser.get("/c/quiet_loom").await;
    assert!(
        page.body.contains("You are invited to join."),
        "{}",
        page.body
    );

    // The owner: the owner's links (Links, Move) beside the moderators' (Edit).
    let owner_browser = Browser::new(&app);
    owner_browser.log_in("founder").await;
    let page = owner_browser.get("/c/quiet_loom").await;
    assert!(page.body.contains("/c/quiet_loom/edit"), "{}", page.body);
    assert!(page.body.contains("/c/quiet_loom/move"), "{}", page.body);
    assert!(!page.body.contains(">Join</button>"), "{}", page.body);
}
