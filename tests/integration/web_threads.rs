//! Writing in threads from the pages, over HTTP with the cookie-keeping client: a new thread
//! (with a preview that saves nothing), replies at two levels, votes (pressing one's vote again
//! withdraws it), edits and deletions by the author, reports, and the refusals (an empty title,
//! a members-only community, a missing form token) shown as HTML with the right status.

use crate::{
    helpers::TestApp,
    web_client::{Browser, Page},
};
use reqwest::StatusCode;
use serde_json::json;

/// `olga` owns the public community `garden`; `ann` is signed in too. Returns their browsers.
pub(crate) async fn scene(app: &TestApp) -> (Browser, Browser) {
    let olga = app.user("olga").await;
    app.user("ann").await;
    let (status, body) = app.community(&olga, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (olga, ann) = (Browser::new(app), Browser::new(app));
    olga.log_in("olga").await;
    ann.log_in("ann").await;
    (olga, ann)
}

/// Posts a form of a page the browser opens first (for its form token).
pub(crate) async fn submit(b: &Browser, page: &str, action: &str, form: &[(&str, &str)]) -> Page {
    let token = b.get(page).await.csrf_token();
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend_from_slice(form);
    b.post(action, &fields).await
}

pub(crate) fn location(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.header("location")
}

/// Opens a thread through the form; returns its id.
pub(crate) async fn new_thread(b: &Browser, community: &str, title: &str, body: &str) -> i64 {
    let page = format!("/c/{community}/submit");
    let done = submit(b, &page, &page, &[("title", title), ("body", body)]).await;
    let to = location(&done);
    to.strip_prefix("/post/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a thread's address: {to}"))
}

/// Replies through the thread's form; returns the comment's id.
pub(crate) async fn reply(b: &Browser, post: i64, parent: Option<i64>, body: &str) -> i64 {
    let parent = parent.map(|p| p.to_string());
    let mut form = vec![("body", body)];
    if let Some(parent) = &parent {
        form.push(("parent_id", parent.as_str()));
    }
    let thread = format!("/post/{post}");
    let done = submit(b, &thread, &format!("{thread}/comments"), &form).await;
    let to = location(&done);
    to.split("#comment-")
        .nth(1)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a comment's place: {to}"))
}

async fn post_count(app: &TestApp, community: &str) -> usize {
    let (status, list) = app
        .get(&format!("/api/v1/communities/{community}/posts"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn a_thread_is_previewed_without_saving_then_posted_and_answered_at_two_levels() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;

    let form = olga.get("/c/garden/submit").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("name=\"title\"") && form.body.contains("name=\"preview\""));
    let fields = [
        ("title", "Seed swap"),
        ("body", "Bring *tomato* seeds <script>alert(1)</script>"),
        ("preview", "1"),
    ];
    let preview = submit(&olga, "/c/garden/submit", "/c/garden/submit", &fields).await;
    preview.assert_html(StatusCode::OK);
    assert!(preview.body.contains("<em>tomato</em>"), "{}", preview.body);
    assert!(!preview.body.contains("<script>alert"), "sanitised");
    assert!(
        preview.body.contains("value=\"Seed swap\""),
        "the title kept"
    );
    assert_eq!(
        post_count(&app, "garden").await,
        0,
        "a preview saves nothing"
    );

    let empty = submit(
        &olga,
        "/c/garden/submit",
        "/c/garden/submit",
        &[("title", " ")],
    )
    .await;
    empty.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("aria-invalid=\"true\""),
        "{}",
        empty.body
    );
    assert_eq!(post_count(&app, "garden").await, 0);

    let post = new_thread(&olga, "garden", "Seed swap", "Bring *tomato* seeds").await;
    let thread = olga.get(&format!("/post/{post}")).await;
    thread.assert_html(StatusCode::OK);
    assert!(thread.body.contains("Your thread was posted."));
    assert!(thread.body.contains("<em>tomato</em>"));
    assert_eq!(post_count(&app, "garden").await, 1);

    let first = reply(&ann, post, None, "I have *three* kinds").await;
    let second = reply(&olga, post, Some(first), "Bring them all").await;
    let thread = ann.get(&format!("/post/{post}")).await;
    assert!(thread.body.contains("Your reply was posted."));
    assert!(thread.body.contains("2 comments"), "{}", thread.body);
    let at = |id: i64| {
        thread
            .body
            .find(&format!("id=\"comment-{id}\""))
            .expect("shown")
    };
    assert!(at(first) < at(second), "the reply under its parent");
    assert!(thread.body.contains(&format!(
        "class=\"comment depth-1\" id=\"comment-{second}\""
    )));
    // Every comment has its reply form; the thread has its own.
    for id in [first, second] {
        assert!(thread.body.contains(&format!("id=\"reply-{id}\"")));
    }
    assert!(thread.body.contains("id=\"reply-post\""));

    let (_, tree) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(tree["items"][0]["replies"][0]["body"], "Bring them all");

    // A refused reply is shown again with the message, nothing saved.
    let refused = submit(
        &ann,
        &format!("/post/{post}"),
        &format!("/post/{post}/comments"),
        &[("body", "   ")],
    )
    .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("body-error"), "{}", refused.body);
}

/// The vote buttons of an object on a thread page: (up pressed, down pressed, score shown).
fn votes_shown(page: &Page, action: &str) -> (bool, bool, String) {
    let start = page
        .body
        .find(&format!("action=\"{action}\""))
        .expect("a vote form");
    let form = &page.body[start..start + page.body[start..].find("</form>").expect("end")];
    let pressed = |label: &str| form.contains(&format!("aria-pressed=\"true\">{label}"));
    let score = form
        .split("class=\"score\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a score")
        .to_string();
    (pressed("Upvote"), pressed("Downvote"), score)
}

#[tokio::test]
async fn a_vote_counts_pressing_it_again_withdraws_it_and_a_downvote_replaces_it() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let post = new_thread(&olga, "garden", "Compost", "Hot or cold?").await;
    let comment = reply(&olga, post, None, "Cold, slowly").await;
    let thread = format!("/post/{post}");

    for (action, label) in [
        (format!("/post/{post}/vote"), "post"),
        (format!("/comment/{comment}/vote"), "comment"),
    ] {
        let page = ann.get(&thread).await;
        assert_eq!(
            votes_shown(&page, &action),
            (false, false, "0 points".into())
        );
        // The up button sends 1; pressed, it sends 0 (withdraw).
        let done = submit(&ann, &thread, &action, &[("score", "1")]).await;
        assert!(location(&done).starts_with(&thread), "{label}");
        let page = ann.get(&thread).await;
        assert_eq!(votes_shown(&page, &action), (true, false, "1 point".into()));
        assert!(page
            .body
            .contains("name=\"score\" value=\"0\" aria-pressed=\"true\">Upvote"));
        location(&submit(&ann, &thread, &action, &[("score", "0")]).await);
        let page = ann.get(&thread).await;
        assert!(page.body.contains("Your vote was withdrawn."));
        assert_eq!(
            votes_shown(&page, &action),
            (false, false, "0 points".into())
        );
        location(&submit(&ann, &thread, &action, &[("score", "-1")]).await);
        let page = ann.get(&thread).await;
        assert_eq!(
            votes_shown(&page, &action),
            (false, true, "-1 points".into())
        );
        // Someone else sees the score, not ann's vote.
        let page = olga.get(&thread).await;
        assert_eq!(
            votes_shown(&page, &action),
            (false, false, "-1 points".into())
        );
    }
    let (_, shown) = app.get(&format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(shown["score"], -1);
    let bad = submit(
        &ann,
        &thread,
        &format!("/post/{post}/vote"),
        &[("score", "7")],
    )
    .await;
    bad.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn authors_edit_and_delete_their_own_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let post = new_thread(&olga, "garden", "Mulch", "Use *straw*").await;
    let parent = reply(&ann, post, None, "Leaves work too").await;
    reply(&olga, post, Some(parent), "Good idea").await;

    let edit = olga.get(&format!("/post/{post}/edit")).await;
    edit.assert_html(StatusCode::OK);
    assert!(edit.body.contains("Use *straw*"), "the markdown source");
    let path = format!("/post/{post}/edit");
    let fields = [("title", "Mulch, again"), ("body", "Use **hay**")];
    assert_eq!(
        location(&submit(&olga, &path, &path, &fields).await),
        format!("/post/{post}")
    );
    let thread = ann.get(&format!("/post/{post}")).await;
    assert!(thread.body.contains("Mulch, again") && thread.body.contains("<strong>hay</strong>"));

    // Not hers: the edit page and the edit are refused, nothing changed.
    ann.get(&path).await.assert_html(StatusCode::FORBIDDEN);
    let token = ann.get(&format!("/post/{post}")).await.csrf_token();
    let refused = ann
        .post(
            &path,
            &[("csrf_token", &token), ("title", "Hijacked"), ("body", "x")],
        )
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    let delete = format!("/post/{post}/delete");
    ann.post(&delete, &[("csrf_token", &token)])
        .await
        .assert_html(StatusCode::FORBIDDEN);
    let (_, shown) = app.get(&format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(shown["title"], "Mulch, again");

    let comment_edit = format!("/comment/{parent}/edit");
    let done = submit(
        &ann,
        &comment_edit,
        &comment_edit,
        &[("body", "Oak leaves")],
    )
    .await;
    assert_eq!(location(&done), format!("/post/{post}#comment-{parent}"));
    let delete_comment = format!("/comment/{parent}/delete");
    location(&submit(&ann, &format!("/post/{post}"), &delete_comment, &[]).await);
    let thread = olga.get(&format!("/post/{post}")).await;
    assert!(thread.body.contains("[deleted]") && thread.body.contains("Good idea"));
    assert!(!thread.body.contains("Oak leaves"));

    let gone = submit(&olga, &format!("/post/{post}"), &delete, &[]).await;
    assert_eq!(location(&gone), "/c/garden");
    olga.get(&format!("/post/{post}"))
        .await
        .assert_html(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_report_reaches_the_moderators_and_needs_a_reason() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let post = new_thread(&ann, "garden", "Cheap seeds", "Buy from my shop").await;
    let thread = format!("/post/{post}");
    let page = olga.get(&thread).await;
    assert!(page.body.contains("Why are you reporting this post?"));
    let empty = submit(
        &olga,
        &thread,
        &format!("{thread}/report"),
        &[("reason", "")],
    )
    .await;
    empty.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    let done = submit(
        &olga,
        &thread,
        &format!("{thread}/report"),
        &[("reason", "advertising")],
    )
    .await;
    assert_eq!(location(&done), thread);
    let moderator = app.login("olga").await;
    let (status, reports) = app
        .get("/api/v1/communities/garden/reports", Some(&moderator))
        .await;
    assert_eq!(status, StatusCode::OK, "{reports}");
    assert_eq!(reports["items"].as_array().expect("items").len(), 1);
    assert_eq!(reports["items"][0]["reason"], "advertising");
}

#[tokio::test]
async fn posting_is_refused_where_one_may_not_and_without_a_form_token() {
    let app = TestApp::spawn().await;
    let (olga, ann) = scene(&app).await;
    let owner = app.login("olga").await;
    let (status, body) = app
        .community(&owner, "inner", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let refused = submit(
        &ann,
        "/c/inner/submit",
        "/c/inner/submit",
        &[("title", "Let me in"), ("body", "")],
    )
    .await;
    refused.assert_html(StatusCode::FORBIDDEN);
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    assert!(
        refused.body.contains("value=\"Let me in\""),
        "what was typed is kept"
    );
    let (_, list) = app
        .get("/api/v1/communities/inner/posts", Some(&owner))
        .await;
    assert_eq!(list["items"].as_array().expect("items").len(), 0);

    let post = new_thread(&olga, "garden", "Tokens", "b").await;
    let forged = ann
        .post(&format!("/post/{post}/comments"), &[("body", "no token")])
        .await;
    forged.assert_html(StatusCode::FORBIDDEN);
    let (_, tree) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(tree["items"].as_array().expect("items").len(), 0);

    let signed_out = Browser::new(&app);
    assert_eq!(
        location(&signed_out.get("/c/garden/submit").await),
        "/login"
    );
    let thread = signed_out.get(&format!("/post/{post}")).await;
    assert!(!thread.body.contains("id=\"reply-post\"") && thread.body.contains("to reply"));
}
