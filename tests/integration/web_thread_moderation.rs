//! A community's moderators at work on the thread page, over HTTP: lock (the reply forms go, a
//! reply is refused with an HTML page), pin, remove and restore with a reason; the same forms
//! from someone who does not moderate are refused (403 page) and change nothing.

use crate::{
    helpers::TestApp,
    web_threads::{location, new_thread, reply, scene, submit},
};
use reqwest::StatusCode;

#[tokio::test]
async fn a_locked_thread_shows_no_reply_form_and_refuses_replies() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let post = new_thread(&ann, "garden", "Heated", "Argue here").await;
    let comment = reply(&ann, post, None, "First!").await;
    let thread = format!("/post/{post}");

    // ann does not moderate: her lock is refused, nothing changes.
    let refused = submit(
        &ann,
        &thread,
        &format!("{thread}/lock"),
        &[("locked", "true")],
    )
    .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(!ann
        .get(&thread)
        .await
        .body
        .contains("This thread is locked"));

    let page = olga.get(&thread).await;
    assert!(page.body.contains("Lock thread") && page.body.contains("Pin thread"));
    let done = submit(
        &olga,
        &thread,
        &format!("{thread}/lock"),
        &[("locked", "true")],
    )
    .await;
    assert_eq!(location(&done), thread);
    let page = ann.get(&thread).await;
    assert!(page.body.contains("This thread is locked"), "{}", page.body);
    assert!(!page.body.contains(&format!("action=\"{thread}/comments\"")));
    let token = page.csrf_token();
    let parent = comment.to_string();
    let refused = ann
        .post(
            &format!("{thread}/comments"),
            &[
                ("csrf_token", &token),
                ("body", "Still here"),
                ("parent_id", &parent),
            ],
        )
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(refused.body.contains("locked"), "{}", refused.body);
    let (_, tree) = app.get(&format!("{}/comments", api(post)), None).await;
    assert_eq!(
        tree["items"][0]["replies"]
            .as_array()
            .expect("replies")
            .len(),
        0
    );

    location(
        &submit(
            &olga,
            &thread,
            &format!("{thread}/lock"),
            &[("locked", "false")],
        )
        .await,
    );
    assert!(ann.get(&thread).await.body.contains("id=\"reply-post\""));

    let refused = submit(
        &ann,
        &thread,
        &format!("{thread}/pin"),
        &[("pinned", "true")],
    )
    .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    location(
        &submit(
            &olga,
            &thread,
            &format!("{thread}/pin"),
            &[("pinned", "true")],
        )
        .await,
    );
    let (_, shown) = app.get(&api(post), None).await;
    assert_eq!(shown["pinned"], true);
    assert!(olga.get(&thread).await.body.contains("Unpin thread"));
}

fn api(post: i64) -> String {
    format!("/api/v1/posts/{post}")
}

#[tokio::test]
async fn moderators_remove_and_restore_with_a_reason_and_others_may_not() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let mine = new_thread(&olga, "garden", "Rules", "Be kind").await;
    let rude = reply(&ann, mine, None, "Rude words").await;
    reply(&olga, mine, Some(rude), "Please rephrase").await;
    let thread = format!("/post/{mine}");

    // ann may not remove olga's reply nor restore anything.
    let olgas_reply = reply(&olga, mine, None, "Welcome all").await;
    let refused = submit(
        &ann,
        &thread,
        &format!("/comment/{olgas_reply}/delete"),
        &[("reason", "I dislike it")],
    )
    .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(ann.get(&thread).await.body.contains("Welcome all"));

    let remove = format!("/comment/{rude}/delete");
    let done = submit(&olga, &thread, &remove, &[("reason", "rudeness")]).await;
    assert_eq!(location(&done), format!("{thread}#comment-{rude}"));
    let page = ann.get(&thread).await;
    assert!(page.body.contains("[removed]") && !page.body.contains("Rude words"));
    let restore = format!("/comment/{rude}/restore");
    let refused = submit(&ann, &thread, &restore, &[]).await;
    refused.assert_html(StatusCode::FORBIDDEN);
    let page = olga.get(&thread).await;
    assert!(page.body.contains("Restore comment"));
    location(&submit(&olga, &thread, &restore, &[("reason", "apologised")]).await);
    assert!(ann.get(&thread).await.body.contains("Rude words"));

    // A removed post: gone for its author and readers, shown to moderators with a restore.
    let spam = new_thread(&ann, "garden", "Buy now", "spam").await;
    let spam_thread = format!("/post/{spam}");
    location(
        &submit(
            &olga,
            &spam_thread,
            &format!("{spam_thread}/delete"),
            &[("reason", "spam")],
        )
        .await,
    );
    ann.get(&spam_thread)
        .await
        .assert_html(StatusCode::NOT_FOUND);
    let page = olga.get(&spam_thread).await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("[removed]") && page.body.contains("Restore post"));
    location(&submit(&olga, &spam_thread, &format!("{spam_thread}/restore"), &[]).await);
    ann.get(&spam_thread).await.assert_html(StatusCode::OK);
    let (_, log) = app.get("/api/v1/communities/garden/modlog", None).await;
    assert!(log.to_string().contains("rudeness"), "{log}");
}
