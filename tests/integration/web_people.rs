//! `/u/{name}`: a person's profile with their newest posts and comments, only those the reader
//! may read: the twin of a public and a private community (as in `read_gate`), probed by
//! nobody, a signed-in stranger and a member.

use crate::{helpers::TestApp, web_client::Browser};
use reqwest::StatusCode;
use serde_json::json;

async fn thread(app: &TestApp, token: &str, community: &str, marker: &str) {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": format!("Post {marker}"), "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let path = format!("/api/v1/posts/{}/comments", post["id"]);
    let (status, c) = app
        .post(
            &path,
            Some(token),
            json!({"body": format!("Comment {marker}")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
}

#[tokio::test]
async fn a_persons_page_lists_what_the_reader_may_read_and_no_private_content_to_strangers() {
    let app = TestApp::spawn().await;
    let keeper = app.user("keeper").await;
    app.user("passerby").await;
    app.community(&keeper, "open_circle", json!({})).await;
    app.community(&keeper, "closed_circle", json!({"visibility": "private"}))
        .await;
    thread(&app, &keeper, "open_circle", "PUBLICMARK").await;
    thread(&app, &keeper, "closed_circle", "SECRETMARK").await;

    let nobody = Browser::new(&app);
    let stranger = Browser::new(&app);
    stranger.log_in("passerby").await;
    let member = Browser::new(&app);
    member.log_in("keeper").await;
    for (who, b) in [("nobody", &nobody), ("a stranger", &stranger)] {
        let page = b.get("/u/keeper").await;
        page.assert_html(StatusCode::OK);
        for shown in ["Post PUBLICMARK", "Comment PUBLICMARK", "Recent posts"] {
            assert!(page.body.contains(shown), "{who}: {shown}: {}", page.body);
        }
        assert!(
            !page.body.contains("SECRETMARK"),
            "{who} saw: {}",
            page.body
        );
    }
    let page = member.get("/u/keeper").await;
    assert!(page.body.contains("Post SECRETMARK") && page.body.contains("Comment SECRETMARK"));
    assert!(
        page.body.contains("href=\"/post/"),
        "each links to its thread"
    );

    let handle = format!("/u/keeper@{}", app.hostname);
    let page = nobody.get(&handle).await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains(&format!("@keeper@{}", app.hostname)));
    nobody
        .get("/u/ghost")
        .await
        .assert_html(StatusCode::NOT_FOUND);
    nobody
        .get("/u/keeper@elsewhere.example")
        .await
        .assert_html(StatusCode::NOT_FOUND);
}
