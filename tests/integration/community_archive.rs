//! Archiving a community: an export holds its threads and replies (not the deleted or removed
//! ones) and a static site whose every link resolves inside it; imported on a fresh instance it
//! renders the same threads, by the same people, and lists the old Group as an alias; imported
//! where the old community was followed, the stored threads are taken over, not copied; a bad or
//! clashing archive is refused and leaves nothing behind; the CLI does both.

use crate::{
    helpers::{eventually, find_post, TestApp},
    web_client::Browser,
};
use copse::{
    actions::archive, db::accounts::Account, domain::archive::Archive, feeds::archive_site,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;

/// On `app`: `guild`, owned by olga, with ann a member. Returns their tokens.
async fn founded(app: &TestApp) -> (String, String) {
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let (status, body) = app.community(&olga, "guild", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.post("/api/v1/communities/guild/join", Some(&ann), json!({}))
        .await;
    (olga, ann)
}

/// `guild` founded and filled.
async fn seeded(app: &TestApp) {
    let (olga, ann) = founded(app).await;
    fill(app, &olga, &ann).await;
}

/// Two threads by olga and ann, a reply tree under the first (one reply deleted, its answer
/// kept) and a removed third thread.
async fn fill(app: &TestApp, olga: &str, ann: &str) {
    let thread = |token: &str, title: &str, body: &str| {
        let (token, title, body) = (token.to_string(), title.to_string(), body.to_string());
        async move {
            let (status, post) = app
                .post(
                    "/api/v1/communities/guild/posts",
                    Some(&token),
                    json!({"title": title, "body": body}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{post}");
            post["id"].as_i64().expect("id")
        }
    };
    let reply = |token: &str, post: i64, parent: Option<i64>, body: &str| {
        let (token, body) = (token.to_string(), body.to_string());
        async move {
            let (status, c) = app
                .post(
                    &format!("/api/v1/posts/{post}/comments"),
                    Some(&token),
                    json!({"body": body, "parent_id": parent}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{c}");
            c["id"].as_i64().expect("id")
        }
    };
    let first = thread(olga, "Warp tension", "How *tight* do you wind?").await;
    let asked = reply(ann, first, None, "Firm, like a drum").await;
    let gone = reply(olga, first, Some(asked), "A regret").await;
    reply(ann, first, Some(gone), "Answering the regret").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{gone}"),
            Some(olga),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    thread(ann, "Heddle hooks", "Which do you use?").await;
    let spam = thread(ann, "Buy cheap yarn", "spam").await;
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{spam}"),
            Some(olga),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

async fn account(app: &TestApp, name: &str) -> Account {
    app.user(name).await;
    let name = name.to_string();
    app.context()
        .db(move |conn| copse::db::accounts::account_by_name(conn, &name))
        .await
        .expect("read")
        .expect("account")
}

/// Every `href` and `src` of the site's pages that is not an absolute URL names a file of it.
fn assert_self_contained(dir: &Path) {
    let mut pages = vec![dir.join("index.html")];
    for entry in std::fs::read_dir(dir.join("threads")).expect("threads") {
        pages.push(entry.expect("entry").path());
    }
    for page in pages {
        let html = std::fs::read_to_string(&page).expect("page");
        for attr in ["href=\"", "src=\""] {
            for link in html.split(attr).skip(1) {
                let link = &link[..link.find('"').expect("closed")];
                if link.starts_with("http://") || link.starts_with("https://") {
                    continue;
                }
                let target = page.parent().expect("folder").join(link);
                assert!(
                    target.is_file(),
                    "{} links to missing {link}",
                    page.display()
                );
            }
        }
        assert!(!html.contains("<script"), "{}", page.display());
    }
}

#[tokio::test]
async fn an_exported_community_is_imported_with_the_same_threads() {
    let (old, fresh, follower) = tokio::join!(TestApp::spawn(), TestApp::spawn(), TestApp::spawn());
    // carl on the follower instance follows the old community before anything is posted.
    let carl = follower.user("carl").await;
    let (olga, ann) = founded(&old).await;
    follower.join_remote(&carl, "carl", &old, "guild").await;
    fill(&old, &olga, &ann).await;

    let exported = copse::views::archive::export(&old.context(), "guild")
        .await
        .expect("export");
    let titles: Vec<&str> = exported.threads.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Warp tension", "Heddle hooks"],
        "no removed thread"
    );
    let replies: Vec<(&str, bool)> = exported.threads[0]
        .comments
        .iter()
        .map(|c| (c.body.as_str(), c.parent.is_some()))
        .collect();
    assert_eq!(
        replies,
        [("Firm, like a drum", false), ("Answering the regret", true)],
        "the deleted reply is left out and its answer answers the one above it"
    );
    assert_eq!(
        exported.threads[0].comments[1].parent.as_deref(),
        Some(exported.threads[0].comments[0].ap_id.as_str())
    );

    // The folder: the JSON reads back, the site links only to itself.
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().join("guild");
    let written = archive_site::write(&folder, &exported).expect("write");
    assert_eq!((written.threads, written.replies), (2, 2));
    assert_self_contained(&folder);
    let index = std::fs::read_to_string(folder.join("index.html")).expect("index");
    assert!(
        index.contains("Warp tension") && index.contains("Heddle hooks"),
        "{index}"
    );
    let page = std::fs::read_to_string(folder.join("threads/1.html")).expect("thread");
    let ann = format!("ann@{}", old.hostname);
    for seen in [
        "Warp tension",
        "<em>tight</em>",
        "Firm, like a drum",
        "Answering the regret",
        &ann,
    ] {
        assert!(page.contains(seen), "{seen} in {page}");
    }
    assert!(!page.contains("A regret"), "{page}");
    let again = archive_site::write(&folder, &exported);
    assert_eq!(again.err().map(|e| e.code), Some("not_empty"));
    let read = archive_site::read(&folder).expect("read");

    // A fresh instance: the same threads, by the same people, the old Group as an alias.
    let nina = account(&fresh, "nina").await;
    let done = archive::import(&fresh.context(), read.clone(), &nina, None)
        .await
        .expect("import");
    assert_eq!((done.threads, done.replies, done.adopted), (2, 2, 0));
    let (status, group) = fresh.get("/api/v1/communities/guild", None).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(
        group["also_known_as"],
        json!([format!("http://{}/c/guild", old.hostname)])
    );
    let imported = find_post(&fresh, "guild", "Warp tension")
        .await
        .expect("thread");
    assert_eq!(
        imported["author"],
        format!("olga@{}", old.hostname).as_str()
    );
    let (_, _, html) = fresh
        .fetch(&format!("/post/{}", imported["id"]), "text/html")
        .await;
    for seen in [
        "How <em>tight</em> do you wind?",
        "Firm, like a drum",
        "Answering the regret",
        &ann,
    ] {
        assert!(html.contains(seen), "{seen} on the imported thread page");
    }

    // Imported twice: refused, and nothing of the second try is stored.
    let twice = archive::import(&fresh.context(), read.clone(), &nina, Some("guild2".into())).await;
    assert_eq!(twice.err().map(|e| e.code), Some("stored_elsewhere"));
    let (status, _) = fresh.get("/api/v1/communities/guild2", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no half-written community");

    // Where the old community was followed, its stored threads are taken over, not copied.
    let wes = account(&follower, "wes").await;
    let remote = format!("guild@{}", old.hostname);
    // (Whether the answer to the deleted reply reached it depends on the order of delivery:
    // the import adds whichever replies it lacks.)
    let stored = eventually("the follower instance has the threads", || async {
        let warp = find_post(&follower, &remote, "Warp tension").await?;
        find_post(&follower, &remote, "Heddle hooks").await?;
        let path = format!("/api/v1/posts/{}/comments", warp["id"]);
        let (_, tree) = follower.get(&path, None).await;
        tree.to_string()
            .contains("Firm, like a drum")
            .then_some(warp)
    })
    .await;
    let done = archive::import(&follower.context(), read, &wes, Some("guild".into()))
        .await
        .expect("import where followed");
    assert_eq!(done.adopted, 2, "{done:?}");
    assert_eq!(done.threads, 0, "{done:?}");
    let here = find_post(&follower, "guild", "Warp tension")
        .await
        .expect("taken over");
    assert_eq!(here["id"], stored["id"], "the same row, not a copy");
    let (_, tree) = follower
        .get(&format!("/api/v1/posts/{}/comments", here["id"]), None)
        .await;
    assert!(tree.to_string().contains("Answering the regret"), "{tree}");
    assert!(find_post(&follower, &remote, "Warp tension")
        .await
        .is_none());
}

#[tokio::test]
async fn a_bad_archive_is_refused_and_leaves_nothing() {
    let (old, other) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    seeded(&old).await;
    let good = copse::views::archive::export(&old.context(), "guild")
        .await
        .expect("export");
    let nina = account(&other, "nina").await;
    let as_json = serde_json::to_value(&good).expect("json");
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut doc = as_json.clone();
        change(&mut doc);
        doc
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            broken(&|d| d["format"] = json!("copse-community-archive/9")),
            "format",
        ),
        (
            broken(&|d| d["threads"][0]["author"] = json!("https://elsewhere.example/u/x")),
            "threads[0].author",
        ),
        (
            broken(&|d| {
                d["threads"][0]["comments"][0]["parent"] =
                    d["threads"][0]["comments"][1]["ap_id"].clone()
            }),
            "threads[0].comments[0]",
        ),
        (
            broken(&|d| d["threads"][1]["title"] = json!("")),
            "threads[1]",
        ),
        (
            broken(&|d| d["threads"][1]["ap_id"] = json!("javascript:alert(1)")),
            "threads[1]",
        ),
        (
            broken(&|d| d["people"][0]["inbox_url"] = json!("https://evil.example/inbox")),
            "people[].inbox_url",
        ),
        (
            broken(&|d| d["community"]["name"] = json!("Not A Name")),
            "name",
        ),
    ];
    for (doc, field) in cases {
        let bytes = serde_json::to_vec(&doc).expect("bytes");
        let refused = match Archive::parse(&bytes) {
            Err(e) => e,
            Ok(a) => archive::import(&other.context(), a, &nina, None)
                .await
                .expect_err(field),
        };
        assert_eq!(refused.field.as_deref(), Some(field), "{}", refused.message);
    }
    let unknown = broken(&|d| d["surprise"] = json!(1));
    assert!(Archive::parse(&serde_json::to_vec(&unknown).expect("bytes")).is_err());
    let (status, _) = other.get("/api/v1/communities/guild", None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing of a refused archive is stored"
    );
    let name_free = archive::import(&other.context(), good, &nina, None).await;
    assert!(name_free.is_ok(), "the name is still free: {name_free:?}");
}

/// The binary on `app`'s database, with `app`'s host name (as its operator's settings say).
fn copse(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(args)
        .env("COPSE_DATABASE_URL", app.db.url())
        .env("COPSE_HOSTNAME", &app.hostname)
        .env("COPSE_LOG", "warn")
        .output()
        .expect("run copse");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn the_operator_exports_and_imports_with_the_cli() {
    let (old, fresh) = tokio::join!(TestApp::spawn(), TestApp::spawn());
    seeded(&old).await;
    fresh.user("nina").await;
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().join("guild-archive");
    let folder_arg = folder.to_str().expect("utf-8");
    let (ok, out, err) = copse(&old, &["admin", "export-community", "guild", folder_arg]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("2 thread(s), 2 reply(ies)"), "{out}");
    assert!(folder.join("index.html").is_file());
    let (ok, out, err) = copse(&old, &["admin", "export-community", "nosuch", "/tmp/x"]);
    assert!(!ok && err.contains("nosuch"), "{out}{err}");
    let (ok, out, err) = copse(
        &fresh,
        &["admin", "import-community", folder_arg, "--owner", "nina"],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("2 thread(s) and 2 reply(ies) stored"), "{out}");
    assert!(find_post(&fresh, "guild", "Heddle hooks").await.is_some());
    let (_, group) = fresh.get("/api/v1/communities/guild", None).await;
    let id = format!("http://{}/c/guild", fresh.hostname);
    assert_eq!(
        group["actor_id"],
        id.as_str(),
        "made with the instance's own host name"
    );
    let (ok, _, err) = copse(
        &fresh,
        &["admin", "import-community", folder_arg, "--owner", "nobody"],
    );
    assert!(!ok && err.contains("--owner"), "{err}");
}

#[tokio::test]
async fn owners_download_the_archive_from_the_api_and_the_move_page() {
    let app = TestApp::spawn().await;
    seeded(&app).await;
    let (olga, ann) = (app.login("olga").await, app.login("ann").await);
    let res = app
        .client
        .get(app.url("/api/v1/communities/guild/archive"))
        .bearer_auth(&olga)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii");
    assert_eq!(disposition, "attachment; filename=\"guild-archive.json\"");
    let archive = Archive::parse(&res.bytes().await.expect("body")).expect("an archive");
    assert_eq!(archive.threads.len(), 2);
    let (status, body) = app
        .get("/api/v1/communities/guild/archive", Some(&ann))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_an_owner"))
    );
    let (status, _) = app.get("/api/v1/communities/guild/archive", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get("/api/v1/communities/nosuch/archive", Some(&olga))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The move page links the download; the download is the owners' only.
    let owner = Browser::new(&app);
    owner.log_in("olga").await;
    let page = owner.get("/c/guild/move").await;
    assert!(
        page.body.contains("href=\"/c/guild/archive.json\""),
        "{}",
        page.body
    );
    let file = owner.get("/c/guild/archive.json").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(Archive::parse(file.body.as_bytes()).is_ok());
    let member = Browser::new(&app);
    member.log_in("ann").await;
    let refused = member.get("/c/guild/archive.json").await;
    refused.assert_html(StatusCode::FORBIDDEN);
    let anonymous = Browser::new(&app).get("/c/guild/archive.json").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}
