//! Creating, listing, reading and editing communities, and bad input on those endpoints.

use crate::helpers::{assert_error, TestApp};
use copse::config::CommunityCreation;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn charter() -> serde_json::Value {
    json!({
        "summary": "Growing food in the city. **Bring seeds.**",
        "charter": {
            "purpose": "Learn to grow more food in small spaces",
            "domain": "Urban gardening",
            "practice": "Seed swaps, plot visits, a shared planting calendar",
            "meeting_cadence": "Monthly, first Saturday",
            "code_of_conduct": "Be kind. *No* selling."
        },
        "membership_policy": "approval",
        "questions": ["What do you grow?", "Where is your garden?"]
    })
}

#[tokio::test]
async fn creator_owns_a_new_community_with_its_charter() {
    let app = TestApp::spawn().await;
    let token = app.user("olga").await;
    let (status, c) = app.community(&token, "gardeners", charter()).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    assert_eq!(c["name"], "gardeners");
    assert_eq!(c["your_role"], "owner");
    assert_eq!(c["member_count"], 1);
    assert_eq!(c["membership_policy"], "approval");
    assert_eq!(c["visibility"], "public");
    assert_eq!(c["charter"]["domain"], "Urban gardening");
    assert_eq!(c["questions"][1], "Where is your garden?");
    assert!(c["summary_html"]
        .as_str()
        .unwrap_or("")
        .contains("<strong>Bring seeds.</strong>"));
    assert!(c["code_of_conduct_html"]
        .as_str()
        .unwrap_or("")
        .contains("<em>No</em>"));

    let (status, got) = app.get("/api/v1/communities/gardeners", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["title"], "The gardeners community");
    assert_eq!(got["your_role"], serde_json::Value::Null);
}

#[tokio::test]
async fn markdown_html_and_script_are_sanitised() {
    let app = TestApp::spawn().await;
    let token = app.user("pia").await;
    let (status, c) = app
        .community(&token, "xss", json!({
            "summary": "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[a](javascript:alert(3)) <b>ok</b> \u{202E}",
            "charter": {"code_of_conduct": "<iframe src='https://evil.example'></iframe>fine"}
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let html = c["summary_html"].as_str().unwrap_or_default();
    for bad in ["<script", "onerror", "href=\"javascript", "alert(1)"] {
        assert!(!html.contains(bad), "{bad} survived in {html}");
    }
    assert!(html.contains("<b>ok</b>"), "{html}");
    assert!(
        html.contains("<a"),
        "the link itself stays, without its target: {html}"
    );
    let coc = c["code_of_conduct_html"].as_str().unwrap_or_default();
    assert!(!coc.contains("iframe") && coc.contains("fine"), "{coc}");
    // The markdown source is kept as written for editing.
    assert!(c["summary"]
        .as_str()
        .unwrap_or_default()
        .contains("<script>"));
}

#[tokio::test]
async fn names_are_unique_across_users_and_communities() {
    let app = TestApp::spawn().await;
    let token = app.user("quinn").await;
    assert_eq!(
        app.community(&token, "weavers", json!({})).await.0,
        StatusCode::CREATED
    );
    let dup = app.community(&token, "weavers", json!({})).await;
    assert_error(&dup, StatusCode::CONFLICT, "name_taken", Some("name"));
    let user_name = app.community(&token, "quinn", json!({})).await;
    assert_error(&user_name, StatusCode::CONFLICT, "name_taken", Some("name"));
    let as_user = app.register("weavers").await;
    assert_error(&as_user, StatusCode::CONFLICT, "name_taken", Some("name"));
}

#[tokio::test]
async fn bad_community_input_names_the_field() {
    let app = TestApp::spawn().await;
    let token = app.user("rosa").await;
    let cases = [
        (
            json!({"name": "Bad-Name", "title": "t"}),
            "name",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": ""}),
            "title",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t".repeat(101)}),
            "title",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "a\u{0}b"}),
            "title",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t", "questions": vec!["q"; 6]}),
            "questions",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t", "questions": ["x".repeat(301)]}),
            "questions[0]",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t", "membership_policy": "whenever"}),
            "membership_policy",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t", "charter": {"purpose": 7}}),
            "charter.purpose",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "ok_name", "title": "t", "summary": "s".repeat(10_001)}),
            "summary",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"name": "inbox", "title": "t"}),
            "name",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, field, status) in cases {
        let got = app
            .post("/api/v1/communities", Some(&token), body.clone())
            .await;
        assert_eq!(got.0, status, "{body} -> {}", got.1);
        assert_eq!(got.1["field"], field, "{body} -> {}", got.1);
    }
    let (_, page) = app.get("/api/v1/communities", None).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(0),
        "nothing stored: {page}"
    );
}

#[tokio::test]
async fn creating_needs_a_login_and_may_be_limited_to_admins() {
    let app = TestApp::spawn_with(|s| s.community_creation = CommunityCreation::Admins).await;
    let anon = app
        .post(
            "/api/v1/communities",
            None,
            json!({"name": "potters", "title": "Potters"}),
        )
        .await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let token = app.user("sam").await;
    let got = app.community(&token, "potters", json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
}

#[tokio::test]
async fn owner_edits_others_may_not() {
    let app = TestApp::spawn().await;
    let owner = app.user("tara").await;
    let other = app.user("uma").await;
    app.community(&owner, "makers", charter()).await;

    let patch = json!({"title": "Makers of things", "charter": {"meeting_cadence": "Weekly"}, "visibility": "private"});
    let (status, c) = app
        .call(
            Method::PATCH,
            "/api/v1/communities/makers",
            Some(&owner),
            Some(patch.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["title"], "Makers of things");
    assert_eq!(c["charter"]["meeting_cadence"], "Weekly");
    assert_eq!(
        c["charter"]["domain"], "Urban gardening",
        "untouched fields stay"
    );
    assert_eq!(c["visibility"], "private");
    assert!(c["updated"].is_string());

    let forbidden = app
        .call(
            Method::PATCH,
            "/api/v1/communities/makers",
            Some(&other),
            Some(json!({"title": "Mine now"})),
        )
        .await;
    assert_error(&forbidden, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let anon = app
        .call(
            Method::PATCH,
            "/api/v1/communities/makers",
            None,
            Some(json!({"title": "x"})),
        )
        .await;
    assert_error(&anon, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let missing = app
        .call(
            Method::PATCH,
            "/api/v1/communities/nowhere",
            Some(&owner),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let bad = app
        .call(
            Method::PATCH,
            "/api/v1/communities/makers",
            Some(&owner),
            Some(json!({"title": ""})),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("title"),
    );
    let (_, still) = app.get("/api/v1/communities/makers", Some(&owner)).await;
    assert_eq!(
        still["title"], "Makers of things",
        "failed edits change nothing"
    );
}

#[tokio::test]
async fn unknown_community_is_404() {
    let app = TestApp::spawn().await;
    let got = app.get("/api/v1/communities/nowhere", None).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn directory_pages_with_a_cursor_and_hides_private_communities() {
    let app = TestApp::spawn().await;
    let token = app.user("vera").await;
    for name in ["alpha", "bravo", "charlie", "delta", "echo"] {
        assert_eq!(
            app.community(&token, name, json!({})).await.0,
            StatusCode::CREATED
        );
    }
    app.community(&token, "secret", json!({"visibility": "private"}))
        .await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/communities?limit=2".to_string();
    loop {
        let (status, page) = app.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().expect("items") {
            seen.push(item["name"].as_str().unwrap_or_default().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/communities?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["alpha", "bravo", "charlie", "delta", "echo"]);

    let (_, mine) = app.get("/api/v1/communities?limit=100", Some(&token)).await;
    let names: Vec<_> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert!(
        names.contains(&json!("secret")),
        "members see their private community"
    );

    let bad_limit = app.get("/api/v1/communities?limit=0", None).await;
    assert_error(
        &bad_limit,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("limit"),
    );
    let bad_cursor = app.get("/api/v1/communities?cursor=%%%", None).await;
    assert_eq!(bad_cursor.0, StatusCode::BAD_REQUEST);
    let bad_type = app.get("/api/v1/communities?limit=many", None).await;
    assert_error(&bad_type, StatusCode::BAD_REQUEST, "invalid_query", None);
}
