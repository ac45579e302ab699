//! The community's library (issue 18, pages with revisions): every save a numbered revision with
//! its author and summary, diffs between any two, restoring an old one as a new revision; a
//! save from an old revision merged when it touched other lines and answered with a conflict
//! when it touched the same ones (through the API and the forms); the edit rights of each mode;
//! a private community's pages served to its members only (API, pages, ActivityPub, search,
//! feeds).

use crate::{
    helpers::{assert_error, TestApp},
    web_client::Browser,
    web_threads::{location, submit},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PAGES: &str = "/api/v1/communities/guild/pages";

async fn guild(app: &TestApp, owner: &str, extra: Value) {
    let (status, body) = app.community(owner, "guild", extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn create(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post(PAGES, Some(token), body).await
}

async fn save(app: &TestApp, token: &str, slug: &str, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::PUT,
        &format!("{PAGES}/{slug}"),
        Some(token),
        Some(body),
    )
    .await
}

async fn join(app: &TestApp, token: &str) {
    let (status, body) = app
        .post("/api/v1/communities/guild/join", Some(token), json!({}))
        .await;
    assert!(status.is_success(), "{status} {body}");
}

#[tokio::test]
async fn every_save_is_a_revision_with_diffs_between_any_two_and_restoring_makes_a_new_one() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann = app.user("ann").await;
    guild(&app, &owner, json!({})).await;
    join(&app, &ann).await;

    let (status, page) = create(
        &app,
        &owner,
        json!({"title": "Getting started", "body": "Tools\nA saw\nA plane", "summary": "first draft"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert_eq!(page["slug"], "getting-started");
    assert_eq!(page["revision"], 1);
    let (status, page) = save(
        &app,
        &ann,
        "getting-started",
        json!({"title": "Getting started", "body": "Tools\nA saw\nA chisel", "summary": "chisels first", "base_revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (page["revision"].as_i64(), page["last_editor"].as_str()),
        (Some(2), Some("ann"))
    );
    let (status, page) = save(
        &app,
        &owner,
        "getting-started",
        json!({"title": "First steps", "body": "Tools\nA chisel", "base_revision": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["revision"], 3);

    let (status, history) = app
        .get(&format!("{PAGES}/getting-started/revisions"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let who: Vec<(i64, &str, &str)> = history
        .as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["number"].as_i64().unwrap_or(0),
                r["author"].as_str().unwrap_or(""),
                r["summary"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            (3, "olga", ""),
            (2, "ann", "chisels first"),
            (1, "olga", "first draft")
        ]
    );

    let (status, diff) = app
        .get(&format!("{PAGES}/getting-started/diff?from=1&to=3"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    assert_eq!(
        (diff["from_title"].as_str(), diff["to_title"].as_str()),
        (Some("Getting started"), Some("First steps"))
    );
    let changes: Vec<(&str, &str)> = diff["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["change"].as_str().unwrap_or(""),
                l["text"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            ("unchanged", "Tools"),
            ("removed", "A saw"),
            ("removed", "A plane"),
            ("added", "A chisel"),
        ]
    );
    // Without numbers: the latest change.
    let (_, latest) = app
        .get(&format!("{PAGES}/getting-started/diff"), None)
        .await;
    assert_eq!(
        (latest["from"].as_i64(), latest["to"].as_i64()),
        (Some(2), Some(3))
    );
    let (status, _) = app
        .get(&format!("{PAGES}/getting-started/diff?from=1&to=9"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, restored) = app
        .post(
            &format!("{PAGES}/getting-started/restore"),
            Some(&ann),
            json!({"revision": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["revision"], 4);
    assert_eq!(restored["title"], "Getting started");
    assert_eq!(restored["body"], "Tools\nA saw\nA plane");
    let (_, history) = app
        .get(&format!("{PAGES}/getting-started/revisions"), None)
        .await;
    assert_eq!(history[0]["restored_from"], 1);
    assert_eq!(history[0]["summary"], "Restored revision 1");
    assert_eq!(history.as_array().map(Vec::len), Some(4));

    // The pages show the same: history, the diff with ins/del and the change in words.
    let html = app
        .fetch("/c/guild/library/getting-started/history", "text/html")
        .await;
    assert_eq!(html.0, StatusCode::OK);
    assert!(
        html.2.contains("chisels first") && html.2.contains("restored revision 1"),
        "{}",
        html.2
    );
    let html = app
        .fetch(
            "/c/guild/library/getting-started/diff?from=1&to=3",
            "text/html",
        )
        .await;
    assert!(
        html.2.contains("<del>A saw</del>") && html.2.contains("<ins>A chisel</ins>"),
        "{}",
        html.2
    );
    assert!(
        html.2.contains("<td>removed</td>"),
        "the change is said in words too"
    );
    let html = app.fetch("/c/guild/library", "text/html").await;
    assert!(
        html.2.contains("/c/guild/library/getting-started"),
        "{}",
        html.2
    );
}

#[tokio::test]
async fn a_save_from_an_old_revision_is_merged_when_apart_and_refused_when_it_collides() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann = app.user("ann").await;
    guild(&app, &owner, json!({})).await;
    join(&app, &ann).await;
    let base = "one\ntwo\nthree\nfour\nfive";
    let (status, _) = create(&app, &owner, json!({"title": "Notes", "body": base})).await;
    assert_eq!(status, StatusCode::CREATED);

    // Both start from revision 1; Olga saves first, Ann's change is elsewhere: merged.
    let (status, _) = save(
        &app,
        &owner,
        "notes",
        json!({"title": "Notes", "body": "ONE\ntwo\nthree\nfour\nfive", "base_revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, merged) = save(
        &app,
        &ann,
        "notes",
        json!({"title": "Notes", "body": "one\ntwo\nthree\nfour\nFIVE", "base_revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["merged"], true);
    assert_eq!(merged["revision"], 3);
    assert_eq!(merged["body"], "ONE\ntwo\nthree\nfour\nFIVE");

    // Olga, still at revision 2, changes the line Ann changed: a conflict, nothing saved.
    let (status, conflict) = save(
        &app,
        &owner,
        "notes",
        json!({"title": "Notes", "body": "ONE\ntwo\nthree\nfour\n5", "base_revision": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["error"], "edit_conflict");
    assert_eq!(
        (
            conflict["base_revision"].as_i64(),
            conflict["latest_revision"].as_i64()
        ),
        (Some(2), Some(3))
    );
    let has = |side: &str, change: &str, text: &str| {
        conflict[side]
            .as_array()
            .expect("lines")
            .iter()
            .any(|l| l["change"] == change && l["text"] == text)
    };
    assert!(
        has("theirs", "added", "FIVE") && has("yours", "added", "5"),
        "{conflict}"
    );
    let (_, page) = app.get(&format!("{PAGES}/notes"), None).await;
    assert_eq!(
        (page["revision"].as_i64(), page["body"].as_str()),
        (Some(3), Some("ONE\ntwo\nthree\nfour\nFIVE"))
    );

    // Resubmitted over the latest revision, knowingly: saved.
    let (status, page) = save(
        &app,
        &owner,
        "notes",
        json!({"title": "Notes", "body": "ONE\ntwo\nthree\nfour\n5", "base_revision": 3}),
    )
    .await;
    assert_eq!(
        (status, page["revision"].as_i64()),
        (StatusCode::OK, Some(4))
    );
    // A base that never was.
    let refused = save(
        &app,
        &owner,
        "notes",
        json!({"title": "Notes", "body": "x", "base_revision": 9}),
    )
    .await;
    assert_error(
        &refused,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("base_revision"),
    );
}

#[tokio::test]
async fn edit_rights_follow_the_communitys_mode() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    let zed = app.user("zed").await;
    guild(&app, &owner, json!({})).await;
    join(&app, &ann).await;
    join(&app, &bob).await;
    let rights = |mode: &str, editors: Value| json!({"edit_by": mode, "editors": editors});
    let set = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(
                Method::PUT,
                "/api/v1/communities/guild/library",
                Some(&token),
                Some(body),
            )
            .await
        }
    };

    // Members (the default): any member writes, an outsider does not.
    let (status, _) = create(&app, &ann, json!({"title": "By ann"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let refused = create(&app, &zed, json!({"title": "By zed"})).await;
    assert_error(
        &refused,
        StatusCode::FORBIDDEN,
        "may_not_edit_library",
        None,
    );
    let (_, lib) = app.get(PAGES, Some(&zed)).await;
    assert_eq!(
        (lib["edit_by"].as_str(), lib["may_edit"].as_bool()),
        (Some("members"), Some(false))
    );

    // Only moderators set the mode.
    let refused = set(ann.clone(), rights("moderators", json!([]))).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "not_a_moderator", None);
    let (status, body) = set(owner.clone(), rights("moderators", json!([]))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let refused = save(
        &app,
        &ann,
        "by-ann",
        json!({"title": "By ann", "body": "more", "base_revision": 1}),
    )
    .await;
    assert_error(
        &refused,
        StatusCode::FORBIDDEN,
        "may_not_edit_library",
        None,
    );
    let (status, _) = save(
        &app,
        &owner,
        "by-ann",
        json!({"title": "By ann", "body": "more", "base_revision": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Named editors: ann is named, bob (a member too) is not; the moderators still may.
    let refused = set(owner.clone(), rights("editors", json!(["nobody-here"]))).await;
    assert_error(
        &refused,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("editors"),
    );
    let (status, _) = set(owner.clone(), rights("editors", json!(["ann"]))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, lib) = app.get(PAGES, Some(&ann)).await;
    assert_eq!(
        (lib["edit_by"].as_str(), lib["may_edit"].as_bool()),
        (Some("editors"), Some(true))
    );
    assert_eq!(lib["editors"], json!(["ann"]));
    let (status, _) = save(
        &app,
        &ann,
        "by-ann",
        json!({"title": "By ann", "body": "ann again", "base_revision": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let refused = create(&app, &bob, json!({"title": "By bob"})).await;
    assert_error(
        &refused,
        StatusCode::FORBIDDEN,
        "may_not_edit_library",
        None,
    );
    let refused = app
        .post(
            &format!("{PAGES}/by-ann/restore"),
            Some(&bob),
            json!({"revision": 1}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::FORBIDDEN,
        "may_not_edit_library",
        None,
    );
    let (status, _) = create(
        &app,
        &owner,
        json!({"title": "By olga", "parent": "by-ann"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, lib) = app.get(PAGES, None).await;
    let tree: Vec<(&str, i64)> = lib["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| {
            (
                p["slug"].as_str().unwrap_or(""),
                p["depth"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(tree, vec![("by-ann", 0), ("by-olga", 1)]);
    let taken = create(&app, &owner, json!({"title": "By olga"})).await;
    assert_error(&taken, StatusCode::CONFLICT, "slug_taken", Some("slug"));
}

#[tokio::test]
async fn a_private_communitys_pages_are_served_to_its_members_only() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let zed = app.user("zed").await;
    guild(&app, &owner, json!({"visibility": "private"})).await;
    let (status, _) = create(
        &app,
        &owner,
        json!({"title": "Secret recipes", "body": "The LIBRARYSECRET is salt."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = save(&app, &owner, "secret-recipes", json!({"title": "Secret recipes", "body": "The LIBRARYSECRET is pepper.", "base_revision": 1})).await;
    assert_eq!(status, StatusCode::OK);

    let api = [
        PAGES.to_string(),
        format!("{PAGES}/secret-recipes"),
        format!("{PAGES}/secret-recipes/revisions"),
        format!("{PAGES}/secret-recipes/diff?from=1&to=2"),
    ];
    for path in &api {
        let (status, body) = app.get(path, Some(&owner)).await;
        assert_eq!(status, StatusCode::OK, "{path}: the member reads it");
        for token in [None, Some(zed.as_str())] {
            let (status, body2) = app.get(path, token).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body2}");
            assert!(
                !body2.to_string().contains("LIBRARYSECRET")
                    && !body2.to_string().contains("Secret recipes")
            );
        }
        let _ = body;
    }
    let pages = [
        "/c/guild/library",
        "/c/guild/library/secret-recipes",
        "/c/guild/library/secret-recipes/history",
        "/c/guild/library/secret-recipes/diff?from=1&to=2",
        "/c/guild/library/secret-recipes/revisions/1",
        "/c/guild/library/secret-recipes/edit",
        "/c/guild/library/new",
    ];
    let owner_browser = Browser::new(&app);
    owner_browser.log_in("olga").await;
    let zed_browser = Browser::new(&app);
    zed_browser.log_in("zed").await;
    for path in pages {
        let seen = owner_browser.get(path).await;
        assert_eq!(seen.status, StatusCode::OK, "{path}: {}", seen.body);
        for body in [
            zed_browser.get(path).await,
            Browser::new(&app).get(path).await,
        ] {
            assert!(
                body.status == StatusCode::NOT_FOUND || body.status == StatusCode::SEE_OTHER,
                "{path}: {}",
                body.status
            );
            assert!(
                !body.body.contains("LIBRARYSECRET") && !body.body.contains("Secret recipes"),
                "{path}"
            );
        }
    }
    // Nor through ActivityPub (nobody, or another instance), search or feeds.
    let signed = crate::authorized_fetch::instance_signed(&other).await;
    let page_url = app.url("/c/guild/library/secret-recipes");
    let (_, body) = crate::authorized_fetch::signed_get_with(&app.client, &signed, &page_url).await;
    assert!(!body.to_string().contains("LIBRARYSECRET"));
    for (path, accept) in [
        (
            "/c/guild/library/secret-recipes",
            "application/activity+json",
        ),
        ("/search?q=pepper", "text/html"),
        ("/api/v1/search?q=pepper", "application/json"),
        ("/feeds/c/guild.xml", "application/rss+xml"),
    ] {
        let (_, _, body) = app.fetch(path, accept).await;
        assert!(
            !body.contains("LIBRARYSECRET") && !body.contains("Secret recipes"),
            "{path}: {body}"
        );
    }
    // Writing is refused as if the page did not exist.
    let refused = save(
        &app,
        &zed,
        "secret-recipes",
        json!({"title": "Mine", "body": "x", "base_revision": 2}),
    )
    .await;
    assert_error(&refused, StatusCode::NOT_FOUND, "not_found", None);
}

/// The edit form of the glossary, posted from revision 1.
async fn post_edit(b: &Browser, token: String, body: &str) -> crate::web_client::Page {
    b.post(
        "/c/guild/library/glossary/edit",
        &[
            ("csrf_token", token.as_str()),
            ("title", "Glossary"),
            ("body", body),
            ("base_revision", "1"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_page_is_written_and_a_collision_shows_the_conflict_page_from_the_forms() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann_token = app.user("ann").await;
    guild(&app, &owner, json!({})).await;
    join(&app, &ann_token).await;
    let (olga, ann) = (Browser::new(&app), Browser::new(&app));
    olga.log_in("olga").await;
    ann.log_in("ann").await;

    let new = "/c/guild/library/new";
    let refused = submit(&olga, new, new, &[("title", ""), ("body", "x")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"title-error\""),
        "{}",
        refused.body
    );
    let done = submit(
        &olga,
        new,
        new,
        &[
            ("title", "Glossary"),
            ("body", "alpha\nbeta\ngamma"),
            ("summary", "start"),
        ],
    )
    .await;
    assert_eq!(location(&done), "/c/guild/library/glossary");
    let page = olga.get("/c/guild/library/glossary").await;
    page.assert_html(StatusCode::OK);
    assert!(
        page.body.contains("Revision 1, last edited by olga"),
        "{}",
        page.body
    );

    // Both open the edit form at revision 1.
    let edit = "/c/guild/library/glossary/edit";
    let olga_form = olga.get(edit).await;
    let ann_form = ann.get(edit).await;
    assert!(
        olga_form
            .body
            .contains("name=\"base_revision\" value=\"1\""),
        "{}",
        olga_form.body
    );
    let first = post_edit(&olga, olga_form.csrf_token(), "ALPHA\nbeta\ngamma").await;
    assert_eq!(location(&first), "/c/guild/library/glossary");
    let second = post_edit(&ann, ann_form.csrf_token(), "Alpha!\nbeta\ngamma").await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert!(
        second
            .body
            .contains("Someone saved this page while you edited"),
        "{}",
        second.body
    );
    assert!(
        second.body.contains("<ins>ALPHA</ins>") && second.body.contains("<ins>Alpha!</ins>"),
        "{}",
        second.body
    );
    assert!(
        second.body.contains("name=\"base_revision\" value=\"2\""),
        "resubmits over the latest"
    );
    assert!(
        second.body.contains("Alpha!\nbeta"),
        "what Ann typed is kept"
    );
    let page = olga.get("/c/guild/library/glossary").await;
    assert!(
        page.body.contains("ALPHA") && !page.body.contains("Alpha!"),
        "nothing overwritten"
    );

    // Restore from the revision page.
    let rev = "/c/guild/library/glossary/revisions/1";
    let restored = submit(
        &ann,
        rev,
        "/c/guild/library/glossary/restore",
        &[("revision", "1")],
    )
    .await;
    assert_eq!(location(&restored), "/c/guild/library/glossary");
    let page = ann.get("/c/guild/library/glossary").await;
    assert!(
        page.body.contains("Revision 1 restored as revision 3."),
        "{}",
        page.body
    );
}
