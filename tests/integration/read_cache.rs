//! The read cache of signed-out readers' pages (`views::cache`): a write is visible on the next
//! signed-out read (a comment, a vote, a removal, a community edit, a new thread, a renamed
//! author), of the pages and of the JSON thread and listing; a private community's content is
//! never stored for nor served to outsiders, even when a public one turns private; a signed-in
//! reader gets their own page (their votes, their edit links, their form token) after a
//! signed-out one was cached. Statements per request, counted at the instance
//! (`copse_db_statements`), are the same for 1, 20 and 100 items on the JSON and HTML listing
//! and thread. Conditional GETs (`ETag`, 304) and compression (`Accept-Encoding`).

use crate::helpers::TestApp;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

/// A GET as a signed-out reader (or with `token`), with `extra` headers: status, headers, body.
async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
) -> (StatusCode, header::HeaderMap, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    for (name, value) in extra {
        req = req.header(*name, *value);
    }
    let res = req.send().await.expect("request");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.expect("body"))
}

async fn anonymous(app: &TestApp, path: &str) -> (StatusCode, String) {
    let (status, _, body) = get(app, path, None, &[]).await;
    (status, body)
}

fn created(reply: (StatusCode, Value)) -> i64 {
    assert!(reply.0.is_success(), "{}", reply.1);
    reply.1["id"].as_i64().expect("id")
}

async fn new_post(app: &TestApp, token: &str, community: &str, title: &str) -> i64 {
    let path = format!("/api/v1/communities/{community}/posts");
    created(app.post(&path, Some(token), json!({"title": title})).await)
}

async fn new_comment(app: &TestApp, token: &str, post: i64, body: &str) -> i64 {
    let path = format!("/api/v1/posts/{post}/comments");
    created(app.post(&path, Some(token), json!({"body": body})).await)
}

async fn score(app: &TestApp, post: i64) -> i64 {
    let (_, post) = app.get(&format!("/api/v1/posts/{post}"), None).await;
    post["score"].as_i64().expect("score")
}

async fn patch_community(app: &TestApp, token: &str, name: &str, fields: Value) {
    let path = format!("/api/v1/communities/{name}");
    let (status, body) = app
        .call(Method::PATCH, &path, Some(token), Some(fields))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// `olga` owns the public community `garden`, `ann` is a member; one thread by olga.
async fn garden(app: &TestApp) -> (String, String, i64) {
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let (status, body) = app.community(&olga, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post("/api/v1/communities/garden/join", Some(&ann), json!({}))
        .await;
    assert!(status.is_success(), "{body}");
    let post = new_post(app, &olga, "garden", "Mulching in winter").await;
    new_comment(app, &olga, post, "First reply").await;
    (olga, ann, post)
}

#[tokio::test]
async fn every_write_shows_on_the_next_signed_out_read_of_a_thread_and_a_community() {
    let app = TestApp::spawn().await;
    let (olga, ann, post) = garden(&app).await;
    let thread = format!("/post/{post}");

    let (status, first) = anonymous(&app, &thread).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("First reply"), "{first}");
    assert_eq!(anonymous(&app, &thread).await.1, first, "served again");
    let (_, listing) = anonymous(&app, "/c/garden").await;
    assert!(listing.contains("Mulching in winter") && listing.contains("2 members"));

    // A comment: the thread, and the community's comment count.
    let comment = new_comment(&app, &ann, post, "Second reply").await;
    let (_, page) = anonymous(&app, &thread).await;
    assert!(page.contains("Second reply"), "{page}");
    let (_, listing_after) = anonymous(&app, "/c/garden").await;
    assert_ne!(listing_after, listing, "the comment count moved");

    // A vote on the post.
    let before = score(&app, post).await;
    let path = format!("/api/v1/posts/{post}/vote");
    let (status, body) = app.post(&path, Some(&ann), json!({"score": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = score(&app, post).await;
    assert_eq!(after, before + 1);
    let (_, page) = anonymous(&app, &thread).await;
    let shown = format!(
        "<p class=\"handle\">{after} point{}</p>",
        if after == 1 { "" } else { "s" }
    );
    assert!(page.contains(&shown), "{page}");

    // A moderator's removal.
    let path = format!("/api/v1/comments/{comment}");
    let (status, body) = app.call(Method::DELETE, &path, Some(&olga), None).await;
    assert!(status.is_success(), "{body}");
    let (_, page) = anonymous(&app, &thread).await;
    assert!(
        !page.contains("Second reply"),
        "{}",
        &page[page.find("Second reply").unwrap_or(0).saturating_sub(600)..]
    );

    // The community's title, shown on the thread page.
    patch_community(&app, &olga, "garden", json!({"title": "Winter Gardeners"})).await;
    let (_, page) = anonymous(&app, &thread).await;
    assert!(page.contains("Winter Gardeners"), "{page}");

    // A new thread and a member leaving, on the community page.
    new_post(&app, &ann, "garden", "Frost cloth").await;
    let (_, listing) = anonymous(&app, "/c/garden").await;
    assert!(listing.contains("Frost cloth"), "{listing}");
    let (status, body) = app
        .call(
            Method::DELETE,
            "/api/v1/communities/garden/join",
            Some(&ann),
            None,
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (_, listing) = anonymous(&app, "/c/garden").await;
    assert!(listing.contains("1 member"), "{listing}");

    // The JSON thread and the JSON listing as well.
    let path = format!("/api/v1/posts/{post}/comments");
    let listing = "/api/v1/communities/garden/posts?sort=new";
    let (_, tree) = app.get(&path, None).await;
    let (_, posts) = app.get(listing, None).await;
    assert_eq!(app.get(listing, None).await.1, posts, "served again");
    new_comment(&app, &olga, post, "Third reply").await;
    let (_, newer) = app.get(&path, None).await;
    assert_ne!(tree, newer);
    assert!(newer.to_string().contains("Third reply"), "{newer}");
    let (_, newer_posts) = app.get(listing, None).await;
    assert_ne!(newer_posts, posts, "the comment count moved: {newer_posts}");
    new_post(&app, &olga, "garden", "Seed swap").await;
    let (_, newest) = app.get(listing, None).await;
    assert_eq!(newest["items"][0]["title"], "Seed swap", "{newest}");
}

#[tokio::test]
async fn a_private_communitys_content_is_never_served_to_outsiders_even_once_cached_public() {
    let app = TestApp::spawn().await;
    let (olga, _ann, post) = garden(&app).await;
    let (status, body) = app
        .community(&olga, "inner", json!({"visibility": "private"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = new_post(&app, &olga, "inner", "Secret plans").await;
    for _ in 0..2 {
        assert_eq!(
            anonymous(&app, &format!("/post/{secret}")).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, page) = anonymous(&app, "/c/inner").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("Secret plans"), "{page}");
        let (status, _) = app
            .get(&format!("/api/v1/posts/{secret}/comments"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, posts) = app.get("/api/v1/communities/inner/posts", None).await;
        assert!(!posts.to_string().contains("Secret plans"), "{posts}");
    }

    // garden's pages are cached for signed-out readers; then garden turns private.
    let thread = format!("/post/{post}");
    for _ in 0..2 {
        assert_eq!(anonymous(&app, &thread).await.0, StatusCode::OK);
        assert!(anonymous(&app, "/c/garden")
            .await
            .1
            .contains("Mulching in winter"));
        let (status, _) = app
            .get(&format!("/api/v1/posts/{post}/comments"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, posts) = app.get("/api/v1/communities/garden/posts", None).await;
        assert!(posts.to_string().contains("Mulching in winter"), "{posts}");
    }
    patch_community(&app, &olga, "garden", json!({"visibility": "private"})).await;
    assert_eq!(anonymous(&app, &thread).await.0, StatusCode::NOT_FOUND);
    let (_, page) = anonymous(&app, "/c/garden").await;
    assert!(!page.contains("Mulching in winter"), "{page}");
    let (status, _) = app
        .get(&format!("/api/v1/posts/{post}/comments"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.get("/api/v1/communities/garden/posts", None).await;
    assert!(!body.to_string().contains("Mulching"), "{status} {body}");
    // Its members still read it.
    let (status, _, page) = get(&app, &thread, Some(&olga), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Mulching in winter"));
}

#[tokio::test]
async fn a_signed_in_reader_sees_their_own_votes_links_and_form_token_after_a_cached_page() {
    let app = TestApp::spawn().await;
    let (_olga, ann, post) = garden(&app).await;
    let mine = new_comment(&app, &ann, post, "Ann's reply").await;
    let path = format!("/api/v1/posts/{post}/vote");
    let (status, body) = app.post(&path, Some(&ann), json!({"score": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let thread = format!("/post/{post}");
    let (_, shared) = anonymous(&app, &thread).await;
    assert_eq!(anonymous(&app, &thread).await.1, shared);
    assert!(!shared.contains("aria-pressed") && !shared.contains("csrf_token"));

    let (status, _, own) = get(&app, &thread, Some(&ann), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("aria-pressed=\"true\""), "her upvote: {own}");
    assert!(
        own.contains(&format!("href=\"/comment/{mine}/edit\"")),
        "{own}"
    );
    assert!(own.contains("name=\"csrf_token\""), "{own}");
    // And the signed-out page stays signed out.
    assert_eq!(anonymous(&app, &thread).await.1, shared);
}

#[tokio::test]
async fn pages_and_collections_answer_304_to_their_etag_and_compress_when_asked() {
    let app = TestApp::spawn().await;
    let (olga, _ann, post) = garden(&app).await;
    let thread = format!("/post/{post}");
    for (path, token) in [
        (thread.as_str(), None),
        (thread.as_str(), Some(olga.as_str())),
        ("/c/garden", None),
        ("/api/v1/communities/garden/posts", None),
        ("/api/v1/communities/garden/posts", Some(olga.as_str())),
    ] {
        let (status, headers, body) = get(&app, path, token, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let etag = headers[header::ETAG].to_str().expect("etag").to_string();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        let (status, headers, empty) =
            get(&app, path, token, &[("if-none-match", etag.as_str())]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(empty.is_empty(), "{path}: {empty}");
        assert_eq!(headers[header::ETAG], etag.as_str());
        let (status, _, again) = get(&app, path, token, &[("if-none-match", "W/\"other\"")]).await;
        assert_eq!((status, again), (StatusCode::OK, body), "{path}");
    }
    // A change makes the old tag stale.
    let (_, headers, _) = get(&app, &thread, None, &[]).await;
    let etag = headers[header::ETAG].to_str().expect("etag").to_string();
    new_comment(&app, &olga, post, "News").await;
    let (status, headers, page) = get(&app, &thread, None, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("News"));
    assert_ne!(headers[header::ETAG], etag.as_str());

    // Compression only when asked, on pages, the API, ActivityPub JSON and the metrics.
    let (_, ap_id) = app.get(&format!("/api/v1/posts/{post}"), None).await;
    let ap_path = url::Url::parse(ap_id["actor_id"].as_str().expect("actor_id"))
        .expect("url")
        .path()
        .to_string();
    for (path, accept) in [
        (thread.as_str(), "text/html"),
        ("/api/v1/communities/garden/posts", "application/json"),
        (ap_path.as_str(), "application/activity+json"),
        ("/metrics", "text/plain"),
    ] {
        let plain = get(&app, path, None, &[("accept", accept)]).await;
        assert_eq!(plain.0, StatusCode::OK, "{path}");
        assert!(plain.1.get(header::CONTENT_ENCODING).is_none(), "{path}");
        let asked = [("accept", accept), ("accept-encoding", "gzip")];
        let (status, headers, _) = get(&app, path, None, &asked).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{path}");
    }
}

/// Statements one GET costs at the instance: the least of three tries, each once the
/// background jobs (planning what the seeding wrote) have been quiet for 100 ms (a job's
/// statement running at the same moment can only add).
async fn statements(app: &TestApp, path: &str, token: Option<&str>) -> u64 {
    let counter = app.context().metrics().db_statements.clone();
    let mut least = u64::MAX;
    for _ in 0..3 {
        for _ in 0..50 {
            let seen = counter.get();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if counter.get() == seen {
                break;
            }
        }
        let before = counter.get();
        let (status, _, body) = get(app, path, token, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        least = least.min(counter.get() - before);
    }
    least
}

#[tokio::test]
async fn listing_and_thread_cost_the_same_statements_for_1_20_or_100_items() {
    // Without the cache (every request renders), then with it (every request after the first
    // is served from it).
    for cache in [0, 32] {
        let app = TestApp::spawn_with(|s| s.read_cache_mib = cache).await;
        let owner = app.user("owner").await;
        let mut threads = Vec::new();
        for (name, posts) in [("one", 1), ("twenty", 20), ("hundred", 100)] {
            let (status, body) = app.community(&owner, name, json!({})).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let mut last = 0;
            for i in 0..posts {
                last = new_post(&app, &owner, name, &format!("Thread {i}")).await;
            }
            for _ in 0..posts {
                new_comment(&app, &owner, last, "A reply").await;
            }
            threads.push((name, posts, last));
        }
        let mut costs = std::collections::BTreeMap::<String, Vec<u64>>::new();
        for (name, posts, post) in &threads {
            let reads = [
                ("HTML listing", format!("/c/{name}")),
                ("HTML thread", format!("/post/{post}")),
                (
                    "JSON listing",
                    format!("/api/v1/communities/{name}/posts?limit={posts}"),
                ),
                ("JSON thread", format!("/api/v1/posts/{post}/comments")),
            ];
            for (what, path) in reads {
                for (who, token) in [("signed out", None), ("signed in", Some(owner.as_str()))] {
                    let n = statements(&app, &path, token).await;
                    costs.entry(format!("{what}, {who}")).or_default().push(n);
                }
            }
        }
        eprintln!("cache {cache} MiB, statements for 1, 20 and 100 items: {costs:?}");
        for (read, counts) in &costs {
            assert!(
                counts.iter().all(|n| *n == counts[0]),
                "cache {cache} MiB, {read}: statements for 1, 20 and 100 items: {counts:?}"
            );
            // A page of posts is two statements (its own threads, then those shared into it); a
            // signed-in reader's standing is one (membership, ban, invitation together).
            assert!(counts[0] <= 14, "{read}: {counts:?}");
        }
        if cache > 0 {
            assert_eq!(costs["HTML thread, signed out"][0], 1, "{costs:?}");
            assert_eq!(costs["JSON thread, signed out"][0], 1, "{costs:?}");
            assert_eq!(costs["HTML listing, signed out"][0], 2, "{costs:?}");
        }
        eprintln!("cache {cache} MiB: {costs:?}");
    }
}

/// A renamed person (a remote actor whose handle changed, written by whichever process saw it):
/// the next signed-out read of a thread and of a community page shows the new name.
#[tokio::test]
async fn a_renamed_author_shows_on_the_next_signed_out_read() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let (_, ann, post) = garden(&app).await;
    new_comment(&app, &ann, post, "A reply by ann").await;
    let thread = format!("/post/{post}");
    let (_, before) = anonymous(&app, &thread).await;
    let (_, listing_before) = anonymous(&app, "/c/garden").await;
    assert!(
        before.contains("ann") && !before.contains("annika"),
        "{before}"
    );
    assert!(listing_before.contains("olga") && !listing_before.contains("olgaline"));

    app.context()
        .db(|conn| {
            use copse::db::schema::persons;
            for (old, new) in [("ann", "annika"), ("olga", "olgaline")] {
                diesel::update(persons::table.filter(persons::name.eq(old)))
                    .set(persons::name.eq(new))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .expect("rename");

    let (_, after) = anonymous(&app, &thread).await;
    assert!(
        after.contains("annika"),
        "the thread shows the new name: {after}"
    );
    let (_, listing) = anonymous(&app, "/c/garden").await;
    assert!(listing.contains("olgaline"), "the listing too: {listing}");
}

/// "Also in" on listings: a share into one community and a removal from it show on the next
/// signed-out read of the listings of the thread's home and of every other community it is in.
#[tokio::test]
async fn a_share_or_its_removal_shows_in_every_listing_of_the_thread() {
    let app = TestApp::spawn().await;
    let (olga, _ann, post) = garden(&app).await;
    for name in ["orchard", "meadow"] {
        let (status, body) = app.community(&olga, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let share = format!("/api/v1/posts/{post}/communities");
    let (status, body) = app
        .post(&share, Some(&olga), json!({"community": "orchard"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let also_in = |listing: Value| listing["items"][0]["also_in"].clone();
    let (garden, orchard) = (
        "/api/v1/communities/garden/posts",
        "/api/v1/communities/orchard/posts",
    );
    let (host, one) = (&app.hostname, app.get(garden, None).await.1);
    assert_eq!(also_in(one), json!([format!("orchard@{host}")]));
    let (_, page) = anonymous(&app, "/c/garden").await;
    assert!(page.contains("also in <a href=\"/c/orchard\">"), "{page}");
    let (_, page) = anonymous(&app, "/c/orchard").await;
    assert!(page.contains("also in <a href=\"/c/garden\">"), "{page}");

    // Shared into meadow: the listings of garden and orchard, read and cached before, move.
    let (status, body) = app
        .post(&share, Some(&olga), json!({"community": "meadow"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let both = json!([format!("orchard@{host}"), format!("meadow@{host}")]);
    assert_eq!(also_in(app.get(garden, None).await.1), both);
    assert_eq!(also_in(app.get(orchard, None).await.1), both);
    let (_, page) = anonymous(&app, "/c/orchard").await;
    assert!(page.contains("<a href=\"/c/meadow\">!meadow"), "{page}");

    // Taken out of meadow: gone from the other listings again.
    let path = format!("/api/v1/posts/{post}/communities/meadow");
    let (status, body) = app.call(Method::DELETE, &path, Some(&olga), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let just_orchard = json!([format!("orchard@{host}")]);
    assert_eq!(also_in(app.get(garden, None).await.1), just_orchard);
    assert_eq!(also_in(app.get(orchard, None).await.1), just_orchard);
    let (_, page) = anonymous(&app, "/c/garden").await;
    assert!(!page.contains("/c/meadow"), "{page}");
}
