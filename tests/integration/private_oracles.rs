//! Existence oracles around a private community (issue "Trust boundary", part 7): to an outsider
//! (anonymous, or signed in but not a member) its posts and comments answer exactly what missing
//! ones do, byte for byte, on every route that takes their id; its member count is not shown;
//! and a signed GET whose time is not signed, or is stale, is served as an anonymous one.
//! Members still get the real answers.

use crate::helpers::{assert_error, TestApp};
use crate::signing::{http_date, person_key, SignedPost};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// An id no post or comment has.
const MISSING: i64 = 987_654_321;

/// Status and raw body text of an API call.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// A private community `hidden` on `home`: the owner's post (with a comment), a post by `mia`
/// (a member, not a moderator) that the owner removed, and `otto`, who is not a member.
struct Hidden {
    home: TestApp,
    owner: String,
    mia: String,
    otto: String,
    post: i64,
    comment: i64,
    removed: i64,
}

async fn hidden_community() -> Hidden {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    let (status, body) = home
        .community(&owner, "hidden", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mia = home.user("mia").await;
    let (status, body) = home
        .post("/api/v1/communities/hidden/join", Some(&mia), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_post = |title: &str| json!({"title": title, "body": "soil"});
    let (status, post) = home
        .post(
            "/api/v1/communities/hidden/posts",
            Some(&owner),
            new_post("Members only"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post = post["id"].as_i64().expect("post id");
    let (status, comment) = home
        .post(
            &format!("/api/v1/posts/{post}/comments"),
            Some(&owner),
            json!({"body": "Quietly"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let (status, removed) = home
        .post(
            "/api/v1/communities/hidden/posts",
            Some(&mia),
            new_post("Off topic"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{removed}");
    let removed = removed["id"].as_i64().expect("post id");
    let (status, body) = home
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{removed}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let otto = home.user("otto").await;
    Hidden {
        home,
        owner,
        mia,
        otto,
        post,
        comment: comment["id"].as_i64().expect("comment id"),
        removed,
    }
}

/// Every route that takes a post's or comment's id: method, path with `{p}` (the post),
/// `{c}` (the comment) or `{r}` (the removed post), and body.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    let edit = Some(json!({"body": "changed"}));
    let report = Some(json!({"reason": "spam"}));
    let vote = Some(json!({"score": 1}));
    vec![
        (Method::GET, "/api/v1/posts/{p}", None),
        (Method::GET, "/api/v1/posts/{p}/comments", None),
        (
            Method::POST,
            "/api/v1/posts/{p}/comments",
            Some(json!({"body": "hello"})),
        ),
        (Method::PATCH, "/api/v1/posts/{p}", edit.clone()),
        (Method::DELETE, "/api/v1/posts/{p}", None),
        (Method::PATCH, "/api/v1/comments/{c}", edit),
        (Method::DELETE, "/api/v1/comments/{c}", None),
        (
            Method::POST,
            "/api/v1/posts/{p}/lock",
            Some(json!({"locked": true})),
        ),
        (
            Method::POST,
            "/api/v1/posts/{p}/pin",
            Some(json!({"pinned": true})),
        ),
        (Method::POST, "/api/v1/posts/{p}/vote", vote.clone()),
        (Method::POST, "/api/v1/comments/{c}/vote", vote),
        (Method::POST, "/api/v1/posts/{p}/report", report.clone()),
        (Method::POST, "/api/v1/comments/{c}/report", report),
        (Method::POST, "/api/v1/posts/{r}/restore", Some(json!({}))),
    ]
}

fn path_of(template: &str, post: i64, comment: i64, removed: i64) -> String {
    template
        .replace("{p}", &post.to_string())
        .replace("{c}", &comment.to_string())
        .replace("{r}", &removed.to_string())
}

#[tokio::test]
async fn outsiders_get_the_404_of_missing_content_and_members_the_real_answers() {
    let h = hidden_community().await;
    for token in [Some(h.otto.as_str()), None] {
        for (method, template, body) in routes() {
            let private = path_of(template, h.post, h.comment, h.removed);
            let missing = path_of(template, MISSING, MISSING, MISSING);
            let got = raw(&h.home, method.clone(), &private, token, body.as_ref()).await;
            let want = raw(&h.home, method.clone(), &missing, token, body.as_ref()).await;
            assert_eq!(
                got,
                want,
                "{method} {template} (signed in: {})",
                token.is_some()
            );
            if token.is_some() {
                assert_eq!(
                    got.0,
                    StatusCode::NOT_FOUND,
                    "{method} {template}: {}",
                    got.1
                );
            }
        }
    }
    // Search by URL: the same answer as a URL of nothing at all.
    let post_url = h.home.url(&format!("/post/{}", h.post));
    let comment_url = h.home.url(&format!("/comment/{}", h.comment));
    let nothing = h.home.url(&format!("/post/{MISSING}"));
    for token in [Some(h.otto.as_str()), None] {
        let resolve = |url: &str| format!("/api/v1/resolve?q={url}");
        let want = raw(&h.home, Method::GET, &resolve(&nothing), token, None).await;
        assert_eq!(want.0, StatusCode::NOT_FOUND, "{}", want.1);
        for url in [&post_url, &comment_url] {
            let got = raw(&h.home, Method::GET, &resolve(url), token, None).await;
            assert_eq!(got, want, "resolve {url}");
        }
    }

    // Nothing was changed by all this; the owner still sees the thread as it was.
    let (status, post) = h
        .home
        .get(&format!("/api/v1/posts/{}", h.post), Some(&h.owner))
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(
        (&post["locked"], &post["pinned"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        (&post["score"], &post["comment_count"]),
        (&json!(0), &json!(1))
    );

    // Members still get the real answers.
    let (home, mia) = (&h.home, Some(h.mia.as_str()));
    let at = |template: &str| path_of(template, h.post, h.comment, h.removed);
    let lock = json!({"locked": true});
    let got = home
        .post(&at("/api/v1/posts/{p}/lock"), mia, lock.clone())
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let pin = json!({"pinned": true});
    let got = home.post(&at("/api/v1/posts/{p}/pin"), mia, pin).await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let got = home
        .post(&at("/api/v1/posts/{r}/restore"), mia, json!({}))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let edit = Some(json!({"body": "changed"}));
    for template in ["/api/v1/posts/{p}", "/api/v1/comments/{c}"] {
        let got = home
            .call(Method::PATCH, &at(template), mia, edit.clone())
            .await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_the_author", None);
        let got = home.call(Method::DELETE, &at(template), mia, None).await;
        assert_error(&got, StatusCode::FORBIDDEN, "not_allowed", None);
    }
    let (status, body) = home.get(&at("/api/v1/posts/{p}"), mia).await;
    assert_eq!(
        (status, &body["title"]),
        (StatusCode::OK, &json!("Members only"))
    );
    let (status, body) = home
        .post(&at("/api/v1/comments/{c}/vote"), mia, json!({"score": 1}))
        .await;
    assert_eq!((status, &body["score"]), (StatusCode::OK, &json!(1)));
    let report = json!({"reason": "spam"});
    let (status, body) = home
        .post(&at("/api/v1/posts/{p}/report"), mia, report)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Still a 404 for what really is missing, member or not.
    let missing = path_of("/api/v1/posts/{p}/lock", MISSING, 0, 0);
    let got = home.post(&missing, Some(&h.owner), lock.clone()).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    // The owner moderates.
    let got = home
        .post(&at("/api/v1/posts/{p}/lock"), Some(&h.owner), lock)
        .await;
    assert_eq!(got.0, StatusCode::NO_CONTENT, "{}", got.1);
}

#[tokio::test]
async fn member_count_of_a_private_community_is_for_members_and_admins() {
    let h = hidden_community().await;
    let home = &h.home;
    let ada = home.user("ada").await;
    home.context()
        .write(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query(
                    "UPDATE local_users SET is_admin = TRUE \
                     WHERE person_id = (SELECT id FROM persons WHERE name = 'ada')",
                ),
                conn,
            )?;
            Ok(())
        })
        .await
        .expect("make ada an admin");
    let resolve = format!("/api/v1/resolve?q=hidden@{}", home.hostname);
    for path in ["/api/v1/communities/hidden", resolve.as_str()] {
        for token in [Some(h.otto.as_str()), None] {
            let (status, body) = home.get(path, token).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body["name"], "hidden", "{path}: {body}");
            assert!(body.get("member_count").is_none(), "{path}: {body}");
        }
        for token in [&h.mia, &h.owner, &ada] {
            let (status, body) = home.get(path, Some(token)).await;
            assert_eq!(
                (status, &body["member_count"]),
                (StatusCode::OK, &json!(2)),
                "{path}"
            );
        }
    }
    // A public community's count is for everyone.
    home.community(&h.owner, "open_air", json!({})).await;
    let (_, body) = home.get("/api/v1/communities/open_air", None).await;
    assert_eq!(body["member_count"], 1, "{body}");
}

#[tokio::test]
async fn the_page_of_a_private_comment_is_the_page_of_a_missing_one() {
    let h = hidden_community().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = |id: i64| {
        let request = no_redirects
            .get(h.home.url(&format!("/comment/{id}")))
            .header("accept", "text/html");
        async move {
            let response = request.send().await.expect("send");
            let status = response.status();
            let location = response.headers().get("location").cloned();
            (status, location, response.text().await.expect("body"))
        }
    };
    let (status, location, body) = page(h.comment).await;
    let (missing_status, _, missing_body) = page(MISSING).await;
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    assert_eq!((status, location), (StatusCode::NOT_FOUND, None), "{body}");
    // The same page, naming the comment asked for.
    let expected = missing_body.replace(
        &format!("The comment {MISSING}"),
        &format!("The comment {}", h.comment),
    );
    assert_eq!(body, expected);
    assert!(!body.contains(&format!("/post/{}", h.post)), "{body}");
}

/// A signed GET must sign its time (`date` or `(created)`) and that time must be fresh;
/// otherwise it could be replayed forever. Such a GET is served as anonymous: 404.
#[tokio::test]
async fn a_signed_get_without_a_fresh_signed_time_is_anonymous() {
    let h = hidden_community().await;
    let member_side = TestApp::spawn().await;
    let bob = member_side.user("bob").await;
    member_side
        .join_remote(&bob, "bob", &h.home, "hidden")
        .await;
    let path = format!("/post/{}", h.post);
    let (_, key) = person_key(&member_side, "bob").await;
    let get = SignedPost::get(&path, &key);
    let (status, page) = get.fetch(&h.home).await;
    assert_eq!(
        (status, &page["name"]),
        (StatusCode::OK, &json!("Members only"))
    );
    let mut created = get
        .clone()
        .signing(&["(request-target)", "host", "(created)"]);
    created.created = Some(chrono::Utc::now().timestamp());
    let (status, page) = created.fetch(&h.home).await;
    assert_eq!(
        (status, &page["name"]),
        (StatusCode::OK, &json!("Members only"))
    );

    let two_days_ago = http_date(-2 * 86_400);
    let undated = get.clone().signing(&["(request-target)", "host"]);
    let mut replayed = undated.clone();
    replayed.date = Some(two_days_ago.clone());
    let mut stale = get.clone();
    stale.date = Some(two_days_ago);
    let mut stale_created = created.clone();
    stale_created.created = Some(chrono::Utc::now().timestamp() - 2 * 86_400);
    for (what, request) in [
        ("date not signed", undated),
        ("date not signed, two days old", replayed),
        ("signed date two days old", stale),
        ("signed (created) two days old", stale_created),
    ] {
        let got = request.fetch(&h.home).await;
        assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
        assert!(got.1.get("name").is_none(), "{what}: {}", got.1);
    }
}
