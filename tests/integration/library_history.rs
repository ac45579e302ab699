//! A long page history comes in pages (issue 18's 1,000 revisions): the API lists `limit`
//! revisions (100 by default, at most 500) below `before`, the history page 100 at a time with
//! links to older and newest ones, and the diff of any two still works across pages.

use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PAGE: &str = "/api/v1/communities/guild/pages/notes";

fn numbers(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["number"].as_i64())
        .collect()
}

#[tokio::test]
async fn a_long_history_is_listed_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let (status, body) = app.community(&owner, "guild", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/communities/guild/pages",
            Some(&owner),
            json!({"title": "Notes", "body": "line 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for n in 2..=105 {
        let body = json!({"title": "Notes", "body": format!("line {n}"), "base_revision": n - 1, "summary": format!("save {n}")});
        let (status, page) = app.call(Method::PUT, PAGE, Some(&owner), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }

    let (status, list) = app.get(&format!("{PAGE}/revisions"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(numbers(&list), (6..=105).rev().collect::<Vec<_>>());
    let (_, list) = app.get(&format!("{PAGE}/revisions?limit=3"), None).await;
    assert_eq!(numbers(&list), [105, 104, 103]);
    let (_, list) = app
        .get(&format!("{PAGE}/revisions?before=103&limit=2"), None)
        .await;
    assert_eq!(numbers(&list), [102, 101]);
    let (_, list) = app.get(&format!("{PAGE}/revisions?before=3"), None).await;
    assert_eq!(numbers(&list), [2, 1]);
    let (_, list) = app.get(&format!("{PAGE}/revisions?limit=0"), None).await;
    assert_eq!(numbers(&list), [105], "at least one");
    let (_, list) = app
        .get(&format!("{PAGE}/revisions?limit=100000"), None)
        .await;
    assert_eq!(numbers(&list).len(), 105, "at most 500");
    let bad = app.get(&format!("{PAGE}/revisions?before=x"), None).await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);

    let history = "/c/guild/library/notes/history";
    let (status, _, newest) = app.fetch(history, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        newest.contains("save 105") && newest.contains("save 6") && !newest.contains("save 5<")
    );
    assert!(
        newest.contains(&format!("{history}?before=6")),
        "a link to older ones"
    );
    assert!(!newest.contains(">Newest revisions<"));
    let (status, _, older) = app.fetch(&format!("{history}?before=6"), "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(older.contains("save 5") && older.contains(">Newest revisions<"));
    assert!(!older.contains(">Older revisions<"), "revision 1 is on it");
    let (status, _, diff) = app
        .fetch("/c/guild/library/notes/diff?from=1&to=105", "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(diff.contains("line 105"));
}
