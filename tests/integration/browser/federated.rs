//! Issue 12's federated flow in a real browser with scripts off: a person on one instance finds
//! a community of another by its handle with the directory's find form, joins it, opens a
//! thread of it that arrived when a member there posted, and replies from the thread's page;
//! the reply reaches the community's own instance and shows on its thread page.

use super::communities::{arrive, join_by_handle, two_instances};
use crate::helpers::{eventually, find_post};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_reply_from_another_instance_reaches_the_community_through_the_pages() {
    let title = "Drop Spindle Spinners";
    let Some((browser, home, here, olga)) = two_instances("spinners", title).await else {
        return;
    };

    // On her own instance ann finds the community by its handle and joins it.
    let remote = join_by_handle(&browser, &here, &home, "spinners", title).await;

    // A member there posts; the thread arrives here and is listed on the community's page.
    let (status, body) = home
        .post(
            "/api/v1/communities/spinners/posts",
            Some(&olga),
            json!({"title": "Plying on the fold", "body": "Who has tried it?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let on_home = body["id"].as_i64().expect("id");
    let community = &remote["/c/".len()..];
    let arrived = eventually("the thread arrives", || async {
        find_post(&here, community, "Plying on the fold").await
    })
    .await;
    let thread = format!("/post/{}", arrived["id"]);
    browser.open(&here.url(&remote)).await;
    arrive(
        &browser,
        &remote,
        &["You are a member", "Plying on the fold"],
    )
    .await;
    browser.click(&format!("main a[href='{thread}']")).await;
    arrive(
        &browser,
        &thread,
        &["Plying on the fold", "Who has tried it?"],
    )
    .await;

    // She replies from the thread's page here.
    browser
        .fill("#reply-post", "Yes: it makes a lovely chain ply")
        .await;
    browser
        .click("#reply-heading + form button:not([name])")
        .await;
    arrive(
        &browser,
        &thread,
        &["Your reply was posted.", "Yes: it makes a lovely chain ply"],
    )
    .await;

    // The reply reaches the community's instance, and its thread page shows it.
    let path = format!("/api/v1/posts/{on_home}/comments");
    let comment = eventually("the reply reaches the community's instance", || async {
        let (_, tree) = home.get(&path, None).await;
        tree["items"].as_array()?.first().cloned()
    })
    .await;
    assert_eq!(comment["body"], "Yes: it makes a lovely chain ply");
    let author = format!("ann@{}", here.hostname);
    assert_eq!(comment["author"], author.as_str(), "{comment}");
    let on_home_page = format!("/post/{on_home}");
    browser.open(&home.url(&on_home_page)).await;
    arrive(
        &browser,
        &on_home_page,
        &["Yes: it makes a lovely chain ply", &author],
    )
    .await;
    browser.close().await;
}
