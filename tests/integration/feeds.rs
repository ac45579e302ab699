//! The RSS feeds over real HTTP (`/feeds/c/{name}.xml`, `/feeds/u/{name}.xml`,
//! `/feeds/{token}/front.xml`): what they hold (newest threads first, links to the thread pages,
//! authors, dates, ActivityPub ids as guids, sanitized bodies), that private communities and
//! removed or deleted posts never reach a public feed, that a member's private feed follows their
//! memberships and dies with its address, `ETag`/304, the links in page heads, and that a
//! third-party parser (Python `feedparser`, from the venv of `openapi::venv_tool`) reads every
//! feed without complaint.

use crate::{
    helpers::{eventually, find_post, TestApp},
    instance_policy::admin,
    openapi::{run, venv_tool},
    web_client::{Browser, Page},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A feed as a reader fetches it, with `If-None-Match` when given.
async fn fetch(app: &TestApp, path: &str, if_none_match: Option<&str>) -> Page {
    let mut req = app.client.get(app.url(path));
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    Browser::page(req.send().await.expect("request")).await
}

/// A feed that must answer 200, read as RSS.
async fn channel(app: &TestApp, path: &str) -> rss::Channel {
    let page = fetch(app, path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    assert_eq!(
        page.header("content-type"),
        "application/rss+xml; charset=utf-8"
    );
    rss::Channel::read_from(page.body.as_bytes())
        .unwrap_or_else(|e| panic!("{path} is not RSS: {e}\n{}", page.body))
}

fn titles(channel: &rss::Channel) -> Vec<String> {
    channel
        .items
        .iter()
        .map(|i| i.title.clone().unwrap_or_default())
        .collect()
}

/// Posts a thread through the API; returns the post as the API shows it.
async fn thread(app: &TestApp, token: &str, community: &str, title: &str, body: &str) -> Value {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post
}

async fn community(app: &TestApp, token: &str, name: &str, visibility: &str) {
    let (status, body) = app
        .community(token, name, json!({"visibility": visibility}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn join(app: &TestApp, token: &str, community: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{community}/join"),
            Some(token),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "join {community}: {status} {body}");
}

/// Signs `name` in through the log-in form and presses the settings page's feed button; returns
/// the browser and the private feed's path as the settings page then shows it.
async fn new_feed_address(
    app: &TestApp,
    browser: Option<Browser>,
    name: &str,
) -> (Browser, String) {
    let browser = match browser {
        Some(b) => b,
        None => {
            let b = Browser::new(app);
            b.log_in(name).await;
            b
        }
    };
    let settings = browser.get("/settings").await;
    settings.assert_html(StatusCode::OK);
    let token = settings.csrf_token();
    let done = browser
        .post("/settings/feed", &[("csrf_token", &token)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/settings");
    let path = feed_address(&browser.get("/settings").await, app).expect("an address shown");
    (browser, path)
}

/// The private feed's path in a settings page, if one is shown.
fn feed_address(settings: &Page, app: &TestApp) -> Option<String> {
    let marker = "id=\"feed-address\"";
    let at = settings.body.find(marker)?;
    let tag_start = settings.body[..at].rfind("<a ")?;
    let tag = &settings.body[tag_start..];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    let path = href.strip_prefix(&app.base)?.to_string();
    assert!(
        path.starts_with("/feeds/") && path.ends_with("/front.xml"),
        "{path}"
    );
    Some(path)
}

#[tokio::test]
async fn a_community_feed_lists_its_newest_threads_with_links_authors_dates_and_ids() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    community(&app, &alice, "garden", "public").await;
    let mut posts = Vec::new();
    for n in 1..=31 {
        let body = format!("Thread {n}: some **bold** words <script>alert({n})</script>");
        posts.push(thread(&app, &alice, "garden", &format!("Seedlings {n}"), &body).await);
    }

    let feed = channel(&app, "/feeds/c/garden.xml").await;
    assert_eq!(feed.title, "The garden community");
    assert_eq!(feed.link, app.url("/c/garden"));
    // Newest first, 30 of the 31.
    let expected: Vec<String> = (2..=31).rev().map(|n| format!("Seedlings {n}")).collect();
    assert_eq!(titles(&feed), expected);
    let newest = &posts[30];
    let item = &feed.items[0];
    let id = newest["id"].as_i64().expect("id");
    assert_eq!(
        item.link.as_deref(),
        Some(app.url(&format!("/post/{id}")).as_str())
    );
    let guid = item.guid.as_ref().expect("guid");
    assert_eq!(guid.value, newest["actor_id"].as_str().expect("ap id"));
    assert!(!guid.permalink);
    let published = chrono::DateTime::parse_from_rfc2822(item.pub_date.as_deref().expect("date"))
        .expect("an RFC 2822 date");
    let api_published: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(newest["published"].clone()).expect("published");
    assert_eq!(published.timestamp(), api_published.timestamp());
    let creators = &item.dublin_core_ext.as_ref().expect("dc").creators;
    assert_eq!(creators, &[format!("alice@{}", app.hostname)]);
    assert_eq!(item.categories[0].name, format!("garden@{}", app.hostname));
    let description = item.description.as_deref().expect("description");
    assert!(
        description.contains("<strong>bold</strong>"),
        "{description}"
    );
    assert!(!description.contains("<script"), "{description}");
    // The channel is dated by its newest thread.
    assert_eq!(feed.last_build_date, item.pub_date);
}

#[tokio::test]
async fn removed_and_deleted_threads_never_appear_in_any_feed() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    community(&app, &alice, "garden", "public").await;
    join(&app, &bob, "garden").await;
    thread(&app, &bob, "garden", "Kept", "stays").await;
    let deleted = thread(&app, &bob, "garden", "Deleted by bob", "gone").await;
    let removed = thread(&app, &bob, "garden", "Removed by alice", "spam").await;
    let (_, front) = new_feed_address(&app, None, "bob").await;
    for path in ["/feeds/c/garden.xml", "/feeds/u/bob.xml", front.as_str()] {
        assert_eq!(
            titles(&channel(&app, path).await),
            ["Removed by alice", "Deleted by bob", "Kept"],
            "{path}"
        );
    }

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{}", deleted["id"]),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{}", removed["id"]),
            Some(&alice),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for path in ["/feeds/c/garden.xml", "/feeds/u/bob.xml", front.as_str()] {
        assert_eq!(titles(&channel(&app, path).await), ["Kept"], "{path}");
    }
}

#[tokio::test]
async fn private_communities_never_appear_in_public_feeds() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    community(&app, &alice, "garden", "public").await;
    community(&app, &alice, "circle", "private").await;
    thread(&app, &alice, "garden", "Open thread", "for all").await;
    thread(&app, &alice, "circle", "SECRET thread", "members only").await;

    // 404 to everyone, its owner too (a feed is read by nobody in particular), worded as for a
    // community that does not exist.
    let hidden = fetch(&app, "/feeds/c/circle.xml", None).await;
    hidden.assert_html(StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("SECRET"));
    let missing = fetch(&app, "/feeds/c/nowhere.xml", None).await;
    missing.assert_html(StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.body.replace("circle", "X"),
        missing.body.replace("nowhere", "X")
    );
    let res = app
        .client
        .get(app.url("/feeds/c/circle.xml"))
        .bearer_auth(&alice)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A person's feed holds their public posts only.
    assert_eq!(
        titles(&channel(&app, "/feeds/u/alice.xml").await),
        ["Open thread"]
    );
    assert_eq!(
        fetch(&app, "/feeds/u/nobody.xml", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Page heads point at the feeds there are, and only those.
    let rss_link =
        |path: &str| format!("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{path}");
    let garden = fetch(&app, "/c/garden", None).await;
    assert!(garden.body.contains(&rss_link("The garden community")));
    assert!(garden.body.contains("href=\"/feeds/c/garden.xml\""));
    let circle = fetch(&app, "/c/circle", None).await;
    circle.assert_html(StatusCode::OK);
    assert!(
        !circle.body.contains("application/rss+xml"),
        "{}",
        circle.body
    );
    let person = fetch(&app, "/u/alice", None).await;
    assert!(person.body.contains(&rss_link("Posts by alice")));
    assert!(person.body.contains("href=\"/feeds/u/alice.xml\""));
}

#[tokio::test]
async fn a_private_feed_follows_the_members_communities_and_stops_at_leaving_or_a_ban() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    community(&app, &alice, "garden", "public").await;
    community(&app, &alice, "circle", "private").await;
    community(&app, &alice, "elsewhere", "public").await;
    join(&app, &bob, "garden").await;
    join(&app, &bob, "circle").await;
    thread(&app, &alice, "garden", "Garden news", "g").await;
    thread(&app, &alice, "circle", "Circle secret", "c").await;
    thread(&app, &alice, "elsewhere", "Not bob's", "e").await;
    let (_, front) = new_feed_address(&app, None, "bob").await;

    let page = fetch(&app, &front, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), "private, max-age=300");
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    let feed = channel(&app, &front).await;
    assert_eq!(titles(&feed), ["Circle secret", "Garden news"]);

    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/communities/garden/join",
            Some(&bob),
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    assert_eq!(titles(&channel(&app, &front).await), ["Circle secret"]);

    let bob_id = app
        .get("/api/v1/communities/circle/members", Some(&alice))
        .await
        .1["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("bob@"))
        .expect("bob")["person_id"]
        .clone();
    let (status, body) = app
        .post(
            "/api/v1/communities/circle/bans",
            Some(&alice),
            json!({"person_id": bob_id, "reason": "leaks"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let feed = channel(&app, &front).await;
    assert!(feed.items.is_empty(), "{:?}", titles(&feed));
}

#[tokio::test]
async fn a_new_feed_address_revokes_the_old_one_and_no_shared_page_shows_it() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "chief").await;
    let bob = app.user("bob").await;
    community(&app, &bob, "garden", "public").await;
    thread(&app, &bob, "garden", "Garden news", "g").await;

    let browser = Browser::new(&app);
    browser.log_in("bob").await;
    let settings = browser.get("/settings").await;
    assert_eq!(feed_address(&settings, &app), None);
    assert!(
        settings.body.contains("Make a feed address"),
        "{}",
        settings.body
    );

    let (browser, first) = new_feed_address(&app, Some(browser), "bob").await;
    assert_eq!(titles(&channel(&app, &first).await), ["Garden news"]);
    let settings = browser.get("/settings").await;
    assert!(settings.body.contains("New feed address"));
    let token = first.split('/').nth(2).expect("token");
    for page in ["/", "/c/garden", "/u/bob", "/communities"] {
        let shown = browser.get(page).await;
        shown.assert_html(StatusCode::OK);
        assert!(!shown.body.contains(token), "{page} shows the feed token");
    }

    let (_, second) = new_feed_address(&app, Some(browser), "bob").await;
    assert_ne!(first, second);
    let old = fetch(&app, &first, None).await;
    old.assert_html(StatusCode::NOT_FOUND);
    assert_eq!(titles(&channel(&app, &second).await), ["Garden news"]);
    assert_eq!(
        fetch(&app, "/feeds/not-a-token/front.xml", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A suspended account's feed ends with its sessions.
    let (status, body) = app
        .post(
            "/api/v1/admin/users/bob/suspend",
            Some(&root),
            json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        fetch(&app, &second, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_remote_community_stored_here_has_a_feed_of_its_stored_threads_and_an_unknown_one_is_not_fetched(
) {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let alice = home.user("alice").await;
    community(&home, &alice, "garden", "public").await;
    community(&home, &alice, "circle", "private").await;
    let eve = away.user("eve").await;
    away.join_remote(&eve, "eve", &home, "garden").await;
    let original = thread(&home, &alice, "garden", "Compost day", "**bring** a fork").await;
    let remote = format!("garden@{}", home.hostname);
    let copy = eventually("the post reaches eve's instance", || async {
        find_post(&away, &remote, "Compost day").await
    })
    .await;

    let feed = channel(&away, &format!("/feeds/c/{remote}.xml")).await;
    assert_eq!(feed.link, away.url(&format!("/c/{remote}")));
    assert_eq!(titles(&feed), ["Compost day"]);
    let item = &feed.items[0];
    // Linked to the thread page here, identified by its id on its own server.
    assert_eq!(
        item.link.as_deref(),
        Some(away.url(&format!("/post/{}", copy["id"])).as_str())
    );
    assert_eq!(
        item.guid.as_ref().map(|g| g.value.as_str()),
        original["actor_id"].as_str()
    );
    assert_eq!(
        item.dublin_core_ext.as_ref().expect("dc").creators,
        [format!("alice@{}", home.hostname)]
    );
    assert!(item
        .description
        .as_deref()
        .is_some_and(|d| d.contains("<strong>bring</strong>")));

    // A community the instance does not store is not looked up for a feed: 404, and still not
    // stored afterwards; a private one of another server has no public feed either.
    for name in ["circle", "nowhere"] {
        let path = format!("/feeds/c/{name}@{}.xml", home.hostname);
        assert_eq!(
            fetch(&away, &path, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let host = home.hostname.clone();
    let stored = away
        .context()
        .db(move |conn| copse::db::communities::remote_by_handle(conn, "circle", &host))
        .await
        .expect("lookup");
    assert!(stored.is_none(), "a feed request fetched the community");
}

#[tokio::test]
async fn the_api_shows_and_renews_the_private_feed_address() {
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    community(&app, &bob, "garden", "private").await;
    thread(&app, &bob, "garden", "Members only", "m").await;
    let (status, none) = app.get("/api/v1/me/feed", Some(&bob)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none, json!({"url": null, "calendar_url": null}));
    assert_eq!(
        app.post("/api/v1/me/feed", None, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (status, made) = app.post("/api/v1/me/feed", Some(&bob), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let first = made["url"].as_str().expect("url").to_string();
    assert_eq!(app.get("/api/v1/me/feed", Some(&bob)).await.1, made);
    let path = first.strip_prefix(&app.base).expect("ours").to_string();
    assert_eq!(titles(&channel(&app, &path).await), ["Members only"]);

    let (_, renewed) = app.post("/api/v1/me/feed", Some(&bob), json!({})).await;
    let second = renewed["url"].as_str().expect("url");
    assert_ne!(second, first);
    assert_eq!(fetch(&app, &path, None).await.status, StatusCode::NOT_FOUND);
    let path = second.strip_prefix(&app.base).expect("ours");
    assert_eq!(titles(&channel(&app, path).await), ["Members only"]);
}

#[tokio::test]
async fn feeds_answer_304_to_their_etag_until_they_change() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    community(&app, &alice, "garden", "public").await;
    thread(&app, &alice, "garden", "First", "one").await;
    for path in ["/feeds/c/garden.xml", "/feeds/u/alice.xml"] {
        let first = fetch(&app, path, None).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.header("cache-control"), "public, max-age=300");
        let etag = first.header("etag");
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        assert_eq!(fetch(&app, path, None).await.header("etag"), etag);

        let again = fetch(&app, path, Some(&etag)).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), etag);
        let listed = format!("\"other\", W/{etag}");
        let weak = fetch(&app, path, Some(&listed)).await;
        assert_eq!(weak.status, StatusCode::NOT_MODIFIED, "{path}");
        let other = fetch(&app, path, Some("\"other\"")).await;
        assert_eq!(other.status, StatusCode::OK);
    }
    let before = fetch(&app, "/feeds/c/garden.xml", None)
        .await
        .header("etag");
    thread(&app, &alice, "garden", "Second", "two").await;
    let after = fetch(&app, "/feeds/c/garden.xml", Some(&before)).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), before);
}

/// What feedparser makes of a feed: its JSON summary (see the script).
async fn feedparser(python: &std::path::Path, xml: &str) -> Value {
    const SCRIPT: &str = r#"
import calendar, json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
    "bozo": bool(d.bozo),
    "problem": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "link": d.feed.get("link"),
    "entries": [{
        "title": e.get("title"),
        "link": e.get("link"),
        "id": e.get("id"),
        "author": e.get("author"),
        "published": calendar.timegm(e.published_parsed) if e.get("published_parsed") else None,
        "summary": e.get("summary"),
        "tags": [t.term for t in e.get("tags", [])],
    } for e in d.entries],
}))
"#;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("feed.xml");
    std::fs::write(&file, xml).expect("write");
    let (ok, output) = run(tokio::process::Command::new(python)
        .args(["-c", SCRIPT])
        .arg(&file))
    .await;
    assert!(ok, "feedparser failed:\n{output}");
    serde_json::from_str(&output).unwrap_or_else(|e| panic!("{e}: {output}"))
}

#[tokio::test]
async fn feedparser_reads_every_feed_without_complaint() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    community(&app, &alice, "garden", "public").await;
    community(&app, &alice, "circle", "private").await;
    let mut posts = [
        thread(
            &app,
            &alice,
            "garden",
            "Tomatoes & <peppers>",
            "**Red** ones",
        )
        .await,
        thread(&app, &alice, "circle", "Members' seeds", "_shh_").await,
        thread(
            &app,
            &alice,
            "garden",
            "Ünïcödé ☃ thread",
            "line ]]> \n\nanother",
        )
        .await,
    ];
    posts.reverse();
    let (_, front) = new_feed_address(&app, None, "alice").await;
    let host = &app.hostname;

    for (path, shown) in [
        ("/feeds/c/garden.xml", vec![0, 2]),
        ("/feeds/u/alice.xml", vec![0, 2]),
        (front.as_str(), vec![0, 1, 2]),
    ] {
        let xml = fetch(&app, path, None).await.body;
        let parsed = feedparser(&python, &xml).await;
        assert_eq!(parsed["bozo"], false, "{path}: {parsed}\n{xml}");
        assert_eq!(parsed["version"], "rss20", "{path}");
        let entries = parsed["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), shown.len(), "{path}: {parsed}");
        for (entry, &i) in entries.iter().zip(&shown) {
            let post = &posts[i];
            let published: chrono::DateTime<chrono::Utc> =
                serde_json::from_value(post["published"].clone()).expect("published");
            assert_eq!(entry["title"], post["title"], "{path}");
            assert_eq!(entry["link"], app.url(&format!("/post/{}", post["id"])));
            assert_eq!(entry["id"], post["actor_id"]);
            assert_eq!(entry["author"], format!("alice@{host}"));
            assert_eq!(entry["published"], published.timestamp(), "{path}");
            assert_eq!(entry["tags"][0], post["community"], "{path}");
        }
    }
    let garden = feedparser(
        &python,
        &fetch(&app, "/feeds/c/garden.xml", None).await.body,
    )
    .await;
    assert_eq!(garden["title"], "The garden community");
    assert_eq!(garden["link"], app.url("/c/garden"));
    let red = garden["entries"][1]["summary"].as_str().expect("summary");
    assert!(red.contains("<strong>Red</strong>"), "{red}");
}
