//! Attachments (issue 18): what other servers attach to posts and replies is kept (bounded,
//! http(s) only), shown on the thread page as links and in the API, replaced by an Update and
//! gone with a Delete; captures from Mobilizon and Lemmy when `COPSE_FIXTURES` is set.

use crate::{
    helpers::{find_post, TestApp},
    hostile_signatures::follow,
    origin::{Actor, Origin},
    signing::SignedPost,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Home with a local community `chess`, and `lem` on another server a member of it.
pub(crate) struct Scene {
    pub home: TestApp,
    origin: Origin,
    lem: Actor,
}

impl Scene {
    pub async fn new() -> Scene {
        let home = TestApp::spawn().await;
        let owner = home.user("owner").await;
        let (status, body) = home.community(&owner, "chess", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let origin = Origin::start().await;
        let lem = origin.person("lem");
        let (status, body) = SignedPost::new(&follow(&lem.id, &home), &lem.key)
            .send(&home)
            .await;
        assert!(status.is_success(), "{status} {body}");
        Scene { home, origin, lem }
    }

    pub fn origin_url(&self, path: &str) -> String {
        self.origin.url(path)
    }

    fn chess(&self) -> String {
        format!("http://{}/c/chess", self.home.hostname)
    }

    /// `object` with our id, author and addressing, from lem, as `verb` (`Create`, `Update`).
    pub async fn send(&self, verb: &str, mut object: Value) -> (StatusCode, Value) {
        let chess = self.chess();
        for (key, value) in [
            ("attributedTo", json!(self.lem.id)),
            (
                "to",
                json!([chess, "https://www.w3.org/ns/activitystreams#Public"]),
            ),
            ("cc", json!([])),
            ("audience", json!(chess)),
        ] {
            object[key] = value;
        }
        if object.get("inReplyTo").is_some_and(Value::is_null) {
            object.as_object_mut().map(|o| o.remove("inReplyTo"));
        }
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.origin.url(&format!("/activities/{}", uuid::Uuid::new_v4())),
            "type": verb, "actor": self.lem.id, "to": [chess], "object": object,
        });
        SignedPost::new(&activity, &self.lem.key)
            .send(&self.home)
            .await
    }

    /// Creates a post titled `title` carrying `attachment`; its local id.
    pub async fn post(&self, title: &str, attachment: Value) -> (i64, String) {
        let id = self.origin.url(&format!("/post/{}", uuid::Uuid::new_v4()));
        let page = json!({"id": id, "type": "Page", "name": title,
            "content": "<p>see attached</p>", "attachment": attachment});
        let (status, body) = self.send("Create", page).await;
        assert!(status.is_success(), "{status} {body}");
        let post = find_post(&self.home, "chess", title).await.expect("stored");
        (post["id"].as_i64().expect("id"), id)
    }

    async fn api_attachments(&self, post: i64) -> Vec<Value> {
        let (status, body) = self.home.get(&format!("/api/v1/posts/{post}"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["attachments"]
            .as_array()
            .cloned()
            .expect("attachments")
    }

    async fn page(&self, post: i64) -> String {
        let (status, _, html) = self.home.fetch(&format!("/post/{post}"), "text/html").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        html
    }
}

fn urls(list: &[Value]) -> Vec<&str> {
    list.iter().filter_map(|a| a["url"].as_str()).collect()
}

/// The fixture at `path` under COPSE_FIXTURES, if set.
fn fixture(path: &str) -> Option<Value> {
    let dir = std::env::var("COPSE_FIXTURES")
        .ok()
        .filter(|d| !d.is_empty());
    let Some(dir) = dir else {
        eprintln!("COPSE_FIXTURES is not set: skipping");
        return None;
    };
    let text = std::fs::read_to_string(std::path::Path::new(&dir).join(path)).expect("fixture");
    Some(serde_json::from_str(&text).expect("JSON"))
}

#[tokio::test]
async fn a_post_s_links_show_on_its_page_and_in_the_api_and_follow_its_updates() {
    let s = Scene::new().await;
    let (post, ap_id) = s
        .post(
            "Openings",
            json!([
                {"type": "Link", "href": "https://lichess.example/study/1", "name": "The study",
                    "mediaType": "text/html"},
                {"type": "Document", "url": "https://files.example/board.png",
                    "mediaType": "image/png", "name": null}
            ]),
        )
        .await;
    let list = s.api_attachments(post).await;
    assert_eq!(
        list,
        [
            json!({"url": "https://lichess.example/study/1", "name": "The study",
                "media_type": "text/html"}),
            json!({"url": "https://files.example/board.png", "name": "", "media_type": "image/png"})
        ]
    );
    let html = s.page(post).await;
    assert!(
        html.contains(r#"<ul class="attachments" aria-label="Attachments">"#),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<a href="https://lichess.example/study/1" rel="nofollow noopener ugc">The study</a>"#
        ),
        "{html}"
    );
    // Without a name, the host names the link; a remote image is a link, never an <img>.
    assert!(
        html.contains(
            r#"rel="nofollow noopener ugc">files.example</a> <small>(image/png)</small>"#
        ),
        "{html}"
    );
    assert!(!html.contains("<img"), "{html}");

    // An Update replaces them.
    let page = json!({"id": ap_id, "type": "Page", "name": "Openings",
        "content": "<p>see attached</p>", "updated": "2030-01-01T00:00:00Z",
        "attachment": {"type": "Link", "href": "https://lichess.example/study/2"}});
    let (status, body) = s.send("Update", page).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(
        urls(&s.api_attachments(post).await),
        ["https://lichess.example/study/2"]
    );
    assert!(!s.page(post).await.contains("study/1"));

    // The author's Delete takes them with the post.
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": s.origin.url("/activities/delete-1"), "type": "Delete",
        "actor": s.lem.id, "to": [s.chess()], "object": ap_id,
    });
    let (status, body) = SignedPost::new(&delete, &s.lem.key).send(&s.home).await;
    assert!(status.is_success(), "{status} {body}");
    let ctx = s.home.context();
    let left = ctx
        .db(move |conn| copse::db::attachments::of_post(conn, post))
        .await
        .expect("read");
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn a_reply_s_attachments_show_under_it() {
    let s = Scene::new().await;
    let (post, ap_id) = s.post("Endgames", json!([])).await;
    let reply = json!({"id": s.origin.url("/note/1"), "type": "Note", "inReplyTo": ap_id,
        "content": "<p>this one</p>",
        "attachment": [{"type": "Image", "url": "https://files.example/rook.jpg",
            "name": "A rook endgame"}]});
    let (status, body) = s.send("Create", reply).await;
    assert!(status.is_success(), "{status} {body}");
    let (status, tree) = s
        .home
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{tree}");
    assert_eq!(
        tree["items"][0]["attachments"],
        json!([{"url": "https://files.example/rook.jpg", "name": "A rook endgame",
            "media_type": ""}])
    );
    assert_eq!(s.api_attachments(post).await, Vec::<Value>::new());
    let html = s.page(post).await;
    assert!(
        html.contains(r#"aria-label="Attachments of this reply""#)
            && html.contains(">A rook endgame</a>"),
        "{html}"
    );
}

#[tokio::test]
async fn hostile_attachments_are_bounded_or_dropped_and_the_post_kept() {
    let s = Scene::new().await;
    let mut list = vec![
        json!({"type": "Link", "href": "javascript:alert(document.cookie)", "name": "click"}),
        json!({"type": "Link", "href": "data:text/html,<script>alert(1)</script>"}),
        json!({"type": "Document", "url": {"nested": ["deep"]}}),
        json!({"type": "PropertyValue", "name": "x", "value": "https://pv.example/"}),
        json!({"type": 7, "href": "https://wrong-type.example/"}),
        json!("https://bare-string.example/"),
        json!({"type": "Link", "href": "https://big.example/", "name": "N".repeat(1_900),
            "mediaType": "<b>not/a type</b>"}),
    ];
    list.extend((0..30).map(|i| json!({"type": "Link", "href": format!("https://x.example/{i}")})));
    let (post, _) = s.post("Tricks", json!(list)).await;
    let kept = s.api_attachments(post).await;
    assert_eq!(kept.len(), 20, "{kept:?}");
    assert_eq!(kept[0]["url"], "https://big.example/");
    assert_eq!(kept[0]["name"].as_str().map(str::len), Some(300));
    assert_eq!(kept[0]["media_type"], "");
    assert_eq!(kept[19]["url"], "https://x.example/18");
    let html = s.page(post).await;
    assert!(
        !html.contains("javascript:") && !html.contains("data:text"),
        "{html}"
    );
    assert!(html.contains("see attached"), "{html}");
}

#[tokio::test]
async fn a_mobilizon_capture_s_links_and_document_show() {
    let Some(capture) = fixture("mobilizon-tests/mobilizon-post-activity-media.json") else {
        return;
    };
    let s = Scene::new().await;
    let mut object = capture["object"].clone();
    object["id"] = json!(s.origin.url("/events/mobilizon-1"));
    object["type"] = json!("Page");
    let (status, body) = s.send("Create", object).await;
    assert!(status.is_success(), "{status} {body}");
    let post = find_post(&s.home, "chess", "My first event")
        .await
        .expect("stored");
    let post = post["id"].as_i64().expect("id");
    let list = s.api_attachments(post).await;
    assert_eq!(
        urls(&list),
        [
            "https://something.org/",
            "https://google.com/",
            "https://mobilizon.fr/some-image"
        ]
    );
    assert_eq!(list[1]["name"], "Website");
    assert_eq!(list[2]["media_type"], "image/png");
    let html = s.page(post).await;
    assert!(
        html.contains(r#"<a href="https://google.com/" rel="nofollow noopener ugc">Website</a>"#),
        "{html}"
    );
    assert!(
        html.contains(">mobilizon.fr</a> <small>(image/png)</small>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_lemmy_capture_s_image_and_link_show() {
    let Some(mut page) = fixture("lemmy/objects/page_image_and_link.json") else {
        return;
    };
    let s = Scene::new().await;
    page["id"] = json!(s.origin.url("/post/55999"));
    let (status, body) = s.send("Create", page).await;
    assert!(status.is_success(), "{status} {body}");
    let post = find_post(&s.home, "chess", "Post with image and link")
        .await
        .expect("stored");
    let post = post["id"].as_i64().expect("id");
    let list = s.api_attachments(post).await;
    assert_eq!(
        urls(&list),
        [
            "https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png",
            "https://example.com/some-article"
        ]
    );
    let html = s.page(post).await;
    assert!(html.contains(r#"<a href="https://example.com/some-article" rel="nofollow noopener ugc">example.com</a>"#), "{html}");
}

/// Two instances: a library page's resources go out as `Link`s on its `Article` (a file by its
/// download address), and the follower instance shows them under the page, read-only.
#[tokio::test]
async fn a_page_s_resources_federate_with_it_and_the_follower_shows_the_links() {
    use crate::library_resources::PNG;
    let (home, away) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    let olga = home.user("olga").await;
    let (status, body) = home
        .community(&olga, "garden", json!({"membership_policy": "open"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bea = away.user("bea").await;
    away.join_remote(&bea, "bea", &home, "garden").await;
    let pages = "/api/v1/communities/garden/pages";
    let (status, body) = home
        .post(
            pages,
            Some(&olga),
            json!({"title": "Sowing", "body": "Sow in April."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let link = json!({"url": "https://seeds.example/calendar", "title": "Seed calendar",
        "description": "When to sow what", "page": "sowing"});
    let (status, body) = home
        .post("/api/v1/communities/garden/resources", Some(&olga), link)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let form = reqwest::multipart::Form::new()
        .text("description", "The plot plan")
        .text("page", "sowing")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("plot.png"),
        );
    let res = home
        .client
        .post(home.url("/api/v1/communities/garden/files"))
        .bearer_auth(&olga)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.expect("JSON");
    let edit = json!({"title": "Sowing", "body": "Sow in April or May.", "base_revision": 1});
    let (status, body) = home
        .call(
            reqwest::Method::PUT,
            &format!("{pages}/sowing"),
            Some(&olga),
            Some(edit),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let article = home.activity_json("/c/garden/library/sowing").await;
    assert_eq!(
        article["attachment"][0],
        json!({"type": "Link", "href": "https://seeds.example/calendar",
            "name": "When to sow what"})
    );
    let file_href = format!(
        "http://{}/c/garden/library/files/{}/plot.png",
        home.hostname, file["id"]
    );
    assert_eq!(
        article["attachment"][1],
        json!({"type": "Link", "href": file_href, "name": "The plot plan",
            "mediaType": "image/png"})
    );

    let remote = format!("garden@{}", home.hostname);
    // Each resource added is an `Update` of the page: wait for the one that brings both.
    let html = crate::helpers::eventually("the page's links reach the follower", || async {
        let path = format!("/c/{remote}/library/sowing");
        let (status, _, html) = away.fetch(&path, "text/html").await;
        let both = html.contains("seeds.example") && html.contains(&file_href);
        (status == StatusCode::OK && both).then_some(html)
    })
    .await;
    assert!(
        html.contains(r#"<ul class="attachments" aria-label="Resources on its home">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="https://seeds.example/calendar" rel="nofollow noopener ugc">When to sow what</a>"#),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            r#"<a href="{file_href}" rel="nofollow noopener ugc">The plot plan</a> <small>(image/png)</small>"#
        )),
        "{html}"
    );
}
