//! Received attachments in a real browser: a thread whose post and reply came with links and
//! an image from another server shows them as named links, and axe finds
//! nothing on the page signed out or signed in.

use super::{Browser, Scripts};
use crate::attachments::Scene;
use serde_json::json;

#[tokio::test]
async fn a_thread_s_received_attachments_are_accessible_links() {
    let (browser, s) = tokio::join!(Browser::start(Scripts::On), Scene::new());
    let Some(browser) = browser else {
        return;
    };
    let (post, ap_id) = s
        .post(
            "Openings",
            json!([
                {"type": "Link", "href": "https://lichess.example/study/1", "name": "The study"},
                {"type": "Document", "url": "https://files.example/board.png",
                    "mediaType": "image/png"}
            ]),
        )
        .await;
    let reply = json!({"id": s.origin_url("/note/1"), "type": "Note", "inReplyTo": ap_id,
        "content": "<p>this one</p>",
        "attachment": {"type": "Image", "url": "https://files.example/rook.jpg",
            "name": "A rook endgame"}});
    let (status, body) = s.send("Create", reply).await;
    assert!(status.is_success(), "{status} {body}");
    s.home.user("reader").await;
    for signed_in in [false, true] {
        if signed_in {
            browser.log_in(&s.home, "reader").await;
        }
        browser.open(&s.home.url(&format!("/post/{post}"))).await;
        browser
            .assert_shows(&[
                "The study",
                "files.example",
                "(image/png)",
                "A rook endgame",
            ])
            .await;
        browser.assert_accessible().await;
    }
    browser.close().await;
}
