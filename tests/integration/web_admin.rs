//! The administrators' pages over real HTTP (`/admin`, `/admin/users`, `/admin/instances`,
//! `/admin/queue`): signed out they lead to the log-in page, anyone but an administrator gets
//! the 403 page on every one of them and on every form (and nothing changes); an administrator
//! approves, suspends, refuses what must be refused with the message on the page, and blocks an
//! instance; a form without its token is refused.

use crate::helpers::TestApp;
use crate::{instance_policy::admin, web_client::*};
use copse::config::RegistrationMode;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Every `/admin` page of the route table.
fn admin_pages() -> Vec<&'static str> {
    let pages: Vec<&str> = copse::web::PATHS
        .iter()
        .copied()
        .filter(|p| p.starts_with("/admin"))
        .collect();
    assert!(pages.len() >= 4, "{pages:?}");
    pages
}

/// Every form of the admin pages, with fields that would change something.
const FORMS: [(&str, &[(&str, &str)]); 7] = [
    ("/admin/users/chief/suspend", &[("reason", "x")]),
    ("/admin/users/chief/unsuspend", &[]),
    ("/admin/users/ann/admin", &[("is_admin", "true")]),
    ("/admin/users/pat/approve", &[]),
    ("/admin/users/pat/reject", &[]),
    (
        "/admin/instances",
        &[("host", "spam.example"), ("policy", "block")],
    ),
    ("/admin/instances/remove", &[("host", "listed.example")]),
];

async fn account(app: &TestApp, root: &str, name: &str) -> Value {
    let (_, list) = app
        .get(&format!("/api/v1/admin/users?q={name}"), Some(root))
        .await;
    list["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["username"] == name).cloned())
        .unwrap_or(Value::Null)
}

async fn blocked_hosts(app: &TestApp, root: &str) -> Vec<String> {
    let (status, lists) = app.get("/api/v1/admin/instances", Some(root)).await;
    assert_eq!(status, StatusCode::OK, "{lists}");
    lists["blocked"]
        .as_array()
        .expect("blocked")
        .iter()
        .filter_map(|e| e["host"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn only_administrators_see_and_use_the_admin_pages() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval).await;
    let root = admin(&app, "chief").await;
    admin(&app, "ann").await;
    let (status, _) = app
        .post(
            "/api/v1/admin/users/ann/admin",
            Some(&root),
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.register("pat").await;
    let (status, _) = app
        .post(
            "/api/v1/admin/instances",
            Some(&root),
            json!({"host": "listed.example", "policy": "block"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let visitor = Browser::new(&app);
    for path in admin_pages() {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.header("location"), "/login", "{path}");
    }
    let member = Browser::new(&app);
    member.log_in("ann").await;
    let home = member.get("/").await;
    assert!(
        !home.body.contains("href=\"/admin\""),
        "no Admin link for members"
    );
    let token = member.get("/settings").await.csrf_token();
    for path in admin_pages() {
        member.get(path).await.assert_html(StatusCode::FORBIDDEN);
    }
    for (path, fields) in FORMS {
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        let page = member.post(path, &form).await;
        page.assert_html(StatusCode::FORBIDDEN);
    }
    let chief = account(&app, &root, "chief").await;
    assert_eq!(
        (&chief["suspended_at"], &chief["is_admin"]),
        (&Value::Null, &json!(true))
    );
    assert_eq!(account(&app, &root, "ann").await["is_admin"], false);
    assert_eq!(account(&app, &root, "pat").await["approved"], false);
    assert_eq!(blocked_hosts(&app, &root).await, ["listed.example"]);
}

#[tokio::test]
async fn an_administrator_approves_suspends_and_blocks_through_the_pages() {
    let app = TestApp::spawn_with(|s| s.registration_mode = RegistrationMode::Approval).await;
    let root = admin(&app, "chief").await;
    admin(&app, "ann").await;
    let (status, _) = app
        .post(
            "/api/v1/admin/users/ann/admin",
            Some(&root),
            json!({"is_admin": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.register("pat").await;
    let ann = app.login("ann").await;

    let browser = Browser::new(&app);
    browser.log_in("chief").await;
    let page = browser.get("/admin").await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("href=\"/admin\""), "the Admin link");
    assert!(page.body.contains("pat@example.org"), "{}", page.body);
    assert!(page.body.contains("registration_mode"), "the settings");
    assert!(
        page.body.contains("database_url"),
        "the settings, redacted like `config show`"
    );
    let token = page.csrf_token();

    let done = browser
        .post("/admin/users/pat/approve", &[("csrf_token", &token)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.header("location"), "/admin");
    assert_eq!(account(&app, &root, "pat").await["approved"], true);
    let page = browser.get("/admin").await;
    assert!(
        page.body.contains("pat was approved"),
        "flash: {}",
        page.body
    );
    assert!(!page.body.contains("pat@example.org"), "no longer pending");

    // A form without its token changes nothing.
    let refused = browser
        .post("/admin/users/ann/suspend", &[("reason", "x")])
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert_eq!(
        account(&app, &root, "ann").await["suspended_at"],
        Value::Null
    );

    let users = browser.get("/admin/users?q=an").await;
    users.assert_html(StatusCode::OK);
    assert!(users.body.contains("ann@example.org"), "{}", users.body);
    assert!(!users.body.contains("pat@example.org"), "filtered by name");
    let done = browser
        .post(
            "/admin/users/ann/suspend",
            &[("csrf_token", &token), ("reason", "spam")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/admin/users");
    let (status, _) = app.get("/api/v1/me", Some(&ann)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "ann's sessions ended");
    let users = browser.get("/admin/users").await;
    assert!(users.body.contains("Suspended since"), "{}", users.body);
    assert!(users.body.contains("spam"));

    // Refusals are shown on the page, with their status, and change nothing.
    let own = browser
        .post(
            "/admin/users/chief/admin",
            &[("csrf_token", &token), ("is_admin", "false")],
        )
        .await;
    own.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        own.body.contains("own administrator rights"),
        "{}",
        own.body
    );
    assert!(own.body.contains("<h1>Users</h1>"), "the users page again");
    assert_eq!(account(&app, &root, "chief").await["is_admin"], true);

    // An instance blocked through the page is on the list and in force.
    let done = browser
        .post(
            "/admin/instances",
            &[
                ("csrf_token", &token),
                ("host", "Spam.Example"),
                ("policy", "block"),
                ("reason", "spam waves"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/admin/instances");
    let page = browser.get("/admin/instances").await;
    assert!(page.body.contains("spam.example") && page.body.contains("spam waves"));
    assert_eq!(blocked_hosts(&app, &root).await, ["spam.example"]);
    let policy = app.context().instance_policy();
    let spam = url::Url::parse("https://spam.example/u/x").expect("url");
    assert!(
        !policy.read().expect("policy").permits(&spam),
        "the block is in force"
    );
    let bad = browser
        .post(
            "/admin/instances",
            &[
                ("csrf_token", &token),
                ("host", "not a host"),
                ("policy", "block"),
            ],
        )
        .await;
    bad.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"not a host\""),
        "what was typed stays"
    );
    let done = browser
        .post(
            "/admin/instances/remove",
            &[("csrf_token", &token), ("host", "spam.example")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(blocked_hosts(&app, &root).await.is_empty());

    let queue = browser.get("/admin/queue").await;
    queue.assert_html(StatusCode::OK);
    assert!(queue.body.contains("Delivery queue"));
}
