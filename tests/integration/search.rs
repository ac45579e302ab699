//! `/resolve`: handles and URLs, local and on another instance. Full-text search
//! (`/search`, `/api/v1/search`, the directory's `?q=`): ranking, remote communities marked,
//! private content hidden from outsiders, edits and deletions followed, hostile input, and
//! `copse admin reindex`.

use crate::{
    cli::copse,
    helpers::{assert_error, TestApp},
    web_client::Browser,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn handles_and_urls_resolve_across_instances() {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({"charter": {"domain": "Chess"}}))
        .await;
    let (_, post) = home
        .post(
            "/api/v1/communities/chess/posts",
            Some(&owner),
            json!({"title": "Hello"}),
        )
        .await;
    let (_, comment) = home
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&owner),
            json!({"body": "First"}),
        )
        .await;
    let away = TestApp::spawn().await;
    let host = home.hostname.clone();
    let q = |s: String| {
        format!(
            "/api/v1/resolve?q={}",
            s.replace('@', "%40").replace('!', "%21")
        )
    };

    for handle in [format!("chess@{host}"), format!("!chess@{host}")] {
        let (status, found) = away.get(&q(handle), None).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["kind"], "community");
        assert_eq!(found["actor_id"], format!("http://{host}/c/chess"));
        assert_eq!(
            found["charter"]["domain"], "Chess",
            "the charter travels as profile fields"
        );
    }
    let (_, person) = away.get(&q(format!("@owner@{host}")), None).await;
    assert_eq!(person["kind"], "person");
    assert_eq!(person["handle"], format!("owner@{host}"));
    let (_, plain) = away.get(&q(format!("owner@{host}")), None).await;
    assert_eq!(
        plain["kind"], "person",
        "a name that is not a community is a person"
    );

    let (_, found_post) = away
        .get(
            &q(post["actor_id"].as_str().unwrap_or("").to_string()),
            None,
        )
        .await;
    assert_eq!(found_post["kind"], "post");
    assert_eq!(found_post["title"], "Hello");
    let local_id = found_post["id"].as_i64().expect("a local id");
    let (status, _) = away.get(&format!("/api/v1/posts/{local_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, found_comment) = away
        .get(
            &q(comment["actor_id"].as_str().unwrap_or("").to_string()),
            None,
        )
        .await;
    assert_eq!(found_comment["kind"], "comment");
    assert_eq!(found_comment["post_id"], local_id);

    let (_, local) = home.get(&q(format!("chess@{host}")), None).await;
    assert_eq!(local["kind"], "community");
    assert_eq!(local["your_role"], serde_json::Value::Null);

    let missing = away.get(&q(format!("nobody@{host}")), None).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let bad = away.get("/api/v1/resolve?q=just%20words", None).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_field", Some("q"));
    let gone = away
        .get(&q(format!("http://{host}/post/99999")), None)
        .await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found", None);
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `/api/v1/search?q=` as `token` (or nobody): the titles of the threads and the handles of
/// the communities found, best first, and the whole answer.
async fn search(app: &TestApp, q: &str, token: Option<&str>) -> (Vec<String>, Vec<String>, Value) {
    let (status, found) = app
        .get(&format!("/api/v1/search?q={}", encoded(q)), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{q:?}: {found}");
    let list = |key: &str, field: fn(&Value) -> &Value| -> Vec<String> {
        found[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} in {found}"))
            .iter()
            .map(|v| field(v).as_str().unwrap_or_default().to_string())
            .collect()
    };
    let threads = list("threads", |t| &t["title"]);
    let communities = list("communities", |c| &c["community"]["handle"]);
    (threads, communities, found)
}

async fn post(app: &TestApp, token: &str, community: &str, title: &str, body: &str) -> i64 {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{community}/posts"),
            Some(token),
            json!({"title": title, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_i64().expect("post id")
}

#[tokio::test]
async fn search_ranks_title_matches_first_and_marks_remote_communities() {
    let home = TestApp::spawn().await;
    let away = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(
        &owner,
        "wildlife",
        json!({"title": "Wildlife counters", "charter": {"purpose": "Counting quokka colonies"}}),
    )
    .await;
    post(
        &home,
        &owner,
        "wildlife",
        "Weekly notes",
        "We saw a quokka near the lake.",
    )
    .await;
    post(
        &home,
        &owner,
        "wildlife",
        "Quokka census",
        "Counting animals on the island.",
    )
    .await;
    post(
        &home,
        &owner,
        "wildlife",
        "Unrelated",
        "Nothing to see here.",
    )
    .await;
    let remote_owner = away.user("ranger").await;
    away.community(
        &remote_owner,
        "marsupials",
        json!({"charter": {"domain": "Quokka and wallaby care"}}),
    )
    .await;
    let (status, _) = home
        .get(
            &format!("/api/v1/resolve?q=marsupials%40{}", away.hostname),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the remote community becomes known here"
    );

    let (threads, communities, found) = search(&home, "QUOKKA", None).await;
    assert_eq!(
        threads,
        ["Quokka census", "Weekly notes"],
        "a title match ranks first"
    );
    let local = format!("wildlife@{}", home.hostname);
    let remote = format!("marsupials@{}", away.hostname);
    assert_eq!(communities.len(), 2, "{found}");
    assert!(
        communities.contains(&local) && communities.contains(&remote),
        "{found}"
    );
    for hit in found["communities"].as_array().expect("communities") {
        let is_remote = hit["community"]["handle"] == remote.as_str();
        assert_eq!(hit["remote"], is_remote, "{hit}");
    }
    assert_eq!(found["page"], 1);
    assert_eq!(found["next_page"], Value::Null);

    let (threads, _, _) = search(&home, "quokka lake", None).await;
    assert_eq!(threads, ["Weekly notes"], "every word must match");
    let (threads, _, _) = search(&home, "quokkas", None).await;
    assert_eq!(threads.len(), 2, "a plural finds the singular");
    let (threads, _, _) = search(&home, "cens", None).await;
    assert!(threads.is_empty(), "a part of a word is not a word");
    let (threads, communities, _) = search(&home, "", None).await;
    assert!(threads.is_empty() && communities.is_empty());

    let page = Browser::new(&home).get("/search?q=quokka").await;
    page.assert_html(StatusCode::OK);
    let census = page.body.find("Quokka census").expect("the census thread");
    let notes = page.body.find("Weekly notes").expect("the notes thread");
    assert!(census < notes, "the page keeps the ranking");
    assert!(page.body.contains(&format!("/c/{remote}")), "{}", page.body);
    assert!(
        page.body.contains("on another server"),
        "the remote community is marked"
    );
    assert!(!page.body.contains("Unrelated"));
    let directory = Browser::new(&home).get("/communities?q=wallaby").await;
    assert!(
        directory.body.contains(&format!("/c/{remote}")),
        "{}",
        directory.body
    );
    assert!(!directory.body.contains("/c/wildlife\""));
}

#[tokio::test]
async fn results_page_twenty_at_a_time() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "lists", json!({})).await;
    for n in 0..23 {
        post(&app, &owner, "lists", &format!("Pangolin note {n}"), "").await;
    }
    let (first, _, found) = search(&app, "pangolin", None).await;
    assert_eq!(first.len(), 20);
    assert_eq!(found["next_page"], 2);
    let (status, second) = app.get("/api/v1/search?q=pangolin&page=2", None).await;
    assert_eq!(status, StatusCode::OK);
    let second: Vec<&str> = second["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(second.len(), 3);
    assert!(
        second.iter().all(|t| !first.iter().any(|f| f == t)),
        "no repeats"
    );
    let page = Browser::new(&app).get("/search?q=pangolin").await;
    assert!(
        page.body
            .contains("/search?q=pangolin&#38;page=2\" rel=\"next\""),
        "{}",
        page.body
    );
    for bad in ["0", "51", "x"] {
        let (status, body) = app
            .get(&format!("/api/v1/search?q=pangolin&page={bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "page={bad}: {body}");
    }
    let page = Browser::new(&app).get("/search?q=pangolin&page=x").await;
    page.assert_html(StatusCode::OK);
}

#[tokio::test]
async fn private_content_is_found_only_by_its_members() {
    let app = TestApp::spawn().await;
    let owner = app.user("keeper").await;
    let outsider = app.user("passerby").await;
    app.community(
        &owner,
        "vault",
        json!({"visibility": "private", "charter": {"purpose": "Zanzibar archive"}}),
    )
    .await;
    app.community(&owner, "square", json!({})).await;
    post(
        &app,
        &owner,
        "vault",
        "Zanzibar secrets",
        "Only for members",
    )
    .await;
    post(&app, &owner, "square", "Zanzibar postcards", "For everyone").await;

    for token in [None, Some(outsider.as_str())] {
        let (threads, communities, found) = search(&app, "zanzibar", token).await;
        assert_eq!(threads, ["Zanzibar postcards"], "{token:?}: {found}");
        assert!(communities.is_empty(), "{token:?}: {found}");
        let (threads, _, _) = search(&app, "secrets", token).await;
        assert!(threads.is_empty());
    }
    let (threads, communities, _) = search(&app, "zanzibar", Some(&owner)).await;
    assert_eq!(threads.len(), 2);
    assert_eq!(communities, [format!("vault@{}", app.hostname)]);

    let signed_out = Browser::new(&app).get("/search?q=zanzibar").await;
    signed_out.assert_html(StatusCode::OK);
    let passerby = Browser::new(&app);
    passerby.log_in("passerby").await;
    let outsider_page = passerby.get("/search?q=zanzibar").await;
    for page in [&signed_out, &outsider_page] {
        assert!(page.body.contains("Zanzibar postcards"), "{}", page.body);
        assert!(!page.body.contains("Zanzibar secrets") && !page.body.contains("/c/vault"));
    }
    let keeper = Browser::new(&app);
    keeper.log_in("keeper").await;
    let member_page = keeper.get("/search?q=zanzibar").await;
    assert!(member_page.body.contains("Zanzibar secrets") && member_page.body.contains("/c/vault"));
}

#[tokio::test]
async fn edits_deletions_and_removals_leave_the_results() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let ann = app.user("ann").await;
    app.community(
        &owner,
        "birds",
        json!({"charter": {"purpose": "Watching pelicans"}}),
    )
    .await;
    app.post("/api/v1/communities/birds/join", Some(&ann), json!({}))
        .await;
    let edited = post(&app, &ann, "birds", "Pelican plans", "Where to go").await;
    let deleted = post(&app, &ann, "birds", "Pelican sighting", "At dawn").await;
    let removed = post(&app, &ann, "birds", "Pelican spam", "Buy now").await;
    let (threads, _, _) = search(&app, "pelican", None).await;
    assert_eq!(threads.len(), 3);

    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{edited}"),
            Some(&ann),
            Some(json!({"title": "Heron plans"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{deleted}"),
            Some(&ann),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{removed}"),
            Some(&owner),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (threads, _, _) = search(&app, "pelican", None).await;
    assert!(threads.is_empty(), "{threads:?}");
    let (threads, _, _) = search(&app, "heron", None).await;
    assert_eq!(threads, ["Heron plans"]);
    let page = Browser::new(&app).get("/search?q=pelican").await;
    assert!(!page.body.contains("Pelican"), "{}", page.body);

    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{removed}/restore"),
            Some(&owner),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let (threads, _, _) = search(&app, "pelican", None).await;
    assert_eq!(
        threads,
        ["Pelican spam"],
        "a restored thread is found again"
    );

    let (_, communities, _) = search(&app, "pelicans", None).await;
    assert_eq!(communities.len(), 1);
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/communities/birds",
            Some(&owner),
            Some(json!({"charter": {"purpose": "Watching storks"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, communities, _) = search(&app, "pelicans", None).await;
    assert!(
        communities.is_empty(),
        "an edited charter is searched as it is now"
    );
    let (_, communities, _) = search(&app, "storks", None).await;
    assert_eq!(communities.len(), 1);
}

#[tokio::test]
async fn hostile_search_text_never_fails() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "quotes", json!({})).await;
    post(&app, &owner, "quotes", "Ocelot habits", "Nocturnal").await;
    let long = "a\"b(".repeat(3_000);
    let hostile = [
        "\"",
        "\"ocelot",
        "ocelot\"",
        "ocelot OR",
        "NEAR(ocelot",
        "ocelot*",
        "*",
        "-ocelot",
        "ocelot:*",
        "!ocelot & | (",
        "'",
        "\\",
        "%",
        "_",
        "title:ocelot",
        "^ocelot",
        "ocelot AND NOT",
        "the",
        long.as_str(),
    ];
    for q in hostile {
        let (status, found) = app
            .get(&format!("/api/v1/search?q={}", encoded(q)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{q:?}: {found}");
        for path in ["/search", "/communities", "/"] {
            let page = Browser::new(&app)
                .get(&format!("{path}?q={}", encoded(q)))
                .await;
            page.assert_html(StatusCode::OK);
        }
        let (status, _) = app
            .get(&format!("/api/v1/communities?q={}", encoded(q)), None)
            .await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{q:?}");
    }
    // A NUL is refused before any search (PostgreSQL cannot hold one): never a server error.
    for path in ["/search", "/api/v1/search"] {
        let res = app
            .client
            .get(app.url(&format!("{path}?q=%00ocelot")))
            .send()
            .await;
        let status = res.expect("request").status();
        assert!(
            status.is_success() || status.is_client_error(),
            "{path}: {status}"
        );
    }
    for q in [
        "\"ocelot", "ocelot\"", "(ocelot)", "-ocelot", "ocelot*", "^ocelot", "ocelot:*",
    ] {
        let (threads, _, _) = search(&app, q, None).await;
        assert_eq!(threads, ["Ocelot habits"], "{q:?}: the words still count");
    }
}

#[tokio::test]
async fn admin_reindex_rebuilds_a_lost_index() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(
        &owner,
        "rebuilt",
        json!({"charter": {"purpose": "Axolotl keeping"}}),
    )
    .await;
    post(&app, &owner, "rebuilt", "Axolotl tanks", "Cold water").await;
    let gone = post(&app, &owner, "rebuilt", "Axolotl food", "Worms").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{gone}"),
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let lose = if app.db.is_sqlite() {
        "INSERT INTO post_search (post_search) VALUES ('delete-all'); \
         INSERT INTO community_search (community_search) VALUES ('delete-all');"
    } else {
        "DELETE FROM post_search; DELETE FROM community_search;"
    };
    let ctx = app.context();
    ctx.db(move |conn| {
        use diesel::connection::SimpleConnection;
        Ok(conn.batch_execute(lose)?)
    })
    .await
    .expect("the index emptied");
    let (threads, communities, _) = search(&app, "axolotl", None).await;
    assert!(threads.is_empty() && communities.is_empty());

    let (ok, out, err) = copse(&app.db, &["admin", "reindex"], "");
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("threads: 1 indexed"), "{out}");
    assert!(out.contains("communities: 1 indexed"), "{out}");
    let (threads, communities, _) = search(&app, "axolotl", None).await;
    assert_eq!(threads, ["Axolotl tanks"], "the deleted thread stays out");
    assert_eq!(communities.len(), 1);
    let (ok, out, err) = copse(&app.db, &["admin", "reindex"], "");
    assert!(
        ok && out.contains("threads: 1 indexed"),
        "twice is the same: {out}\n{err}"
    );
}

/// The search latency at scale (issue 17: p99 under 50 ms over 1,000,000 threads): seeds
/// `COPSE_SEARCH_BENCH_N` threads (default 100,000) straight into the database (indexed by the
/// triggers on SQLite, by a reindex on PostgreSQL), then times searches through `/api/v1/search` one at a time and prints p50 and
/// p99 per kind of query. Not run by default: `cargo test --release --test integration
/// search_latency -- --ignored --nocapture` (with `COPSE_TEST_POSTGRES_URL` for PostgreSQL).
#[tokio::test]
#[ignore]
async fn search_latency_at_scale() {
    let n: i64 = std::env::var("COPSE_SEARCH_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "bench", json!({})).await;
    let base = app.base.clone();
    // Titles: a word of 1,000 (`topicK`, 1 in 1,000 threads) and of 10 (`areaK`, 1 in 10); the
    // body a word of 100,000 (`itemK`, about one thread) and words every thread has.
    let columns = "ap_id, community_id, author_id, title, body_md, body_html, local, published, \
                   locked, deleted, score, pinned, removed, last_activity_at";
    let values = |i: &str| {
        format!(
            "'{base}/post/b' || {i}, (SELECT id FROM communities WHERE name = 'bench'), \
             (SELECT id FROM persons WHERE name = 'owner'), \
             'Notes on topic' || ({i} % 1000) || ' in area' || ({i} % 10), \
             'Common practice notes about item' || ({i} % 100000) || ' and shared methods', \
             '', TRUE, '2026-12-01 00:00:00', FALSE, FALSE, 0, FALSE, FALSE, '2026-12-01 00:00:00'"
        )
    };
    let seed = if app.db.is_sqlite() {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO posts ({columns}) SELECT {} FROM n",
            values("i")
        )
    } else {
        // A million rows through three row triggers each (read versions, search) take longer
        // than the benchmark is worth: the rows go in with the triggers off (a superuser's
        // `session_replication_role`), and the search index is then built as `copse admin
        // reindex` builds it.
        format!(
            "SET session_replication_role = replica; \
             INSERT INTO posts ({columns}) SELECT {} FROM generate_series(1, {n}) AS n(i); \
             SET session_replication_role = DEFAULT;",
            values("i")
        )
    };
    let started = std::time::Instant::now();
    app.context()
        .write(move |conn| {
            use diesel::connection::SimpleConnection;
            Ok(conn.batch_execute(&seed)?)
        })
        .await
        .expect("seeded");
    if !app.db.is_sqlite() {
        app.context()
            .write(|conn| copse::db::search::reindex(conn, &mut |_| {}))
            .await
            .expect("indexed");
    }
    println!(
        "seeded {n} threads in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The statistics autovacuum gathers soon after such a load in production, which the
    // planner needs to choose between the GIN index (rare words) and the key (common ones).
    if !app.db.is_sqlite() {
        app.context()
            .write(|conn| {
                use diesel::connection::SimpleConnection;
                Ok(conn.batch_execute("ANALYZE posts; ANALYZE post_search; ANALYZE communities")?)
            })
            .await
            .expect("analyzed");
    }

    for (kind, queries) in [
        (
            "rare word (about 1 match)",
            (0..100)
                .map(|k| format!("item{}", k * 997 % 100_000))
                .collect::<Vec<_>>(),
        ),
        (
            "1 in 1,000 threads",
            (0..100).map(|k| format!("topic{}", k * 7 % 1000)).collect(),
        ),
        (
            "two words, 1 in 10,000",
            (0..100)
                .map(|k| format!("topic{} area{}", k, k % 10))
                .collect(),
        ),
        (
            "1 in 10 threads",
            (0..30).map(|k| format!("area{}", k % 10)).collect(),
        ),
        (
            "every thread",
            (0..10).map(|_| "practice".to_string()).collect(),
        ),
    ] {
        let mut times = Vec::new();
        for q in &queries {
            let t = std::time::Instant::now();
            let (_, _, found) = search(&app, q, None).await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(
                found["threads"].as_array().is_some_and(|t| !t.is_empty()),
                "{q}"
            );
        }
        times.sort_by(f64::total_cmp);
        let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{kind:<28} {} queries: p50 {:.1} ms, p99 {:.1} ms",
            times.len(),
            at(0.5),
            at(0.99)
        );
    }
}
