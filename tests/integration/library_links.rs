//! The library and the threads (issue 18, parts 2 and 3): a thread made into a page (the post
//! and the chosen replies quoted with their authors, dates and links back; the thread then
//! names the page), through the API and the forms; what pages cite (threads, events, other
//! pages) kept in step with every save and restore, and shown as "Linked from these pages"
//! only where the reader may read the citing page.

use crate::{
    helpers::{assert_error, TestApp},
    web_client::Browser,
    web_threads::{location, submit},
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn community(app: &TestApp, owner: &str, name: &str, extra: Value) {
    let (status, body) = app.community(owner, name, extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn join(app: &TestApp, token: &str, name: &str) {
    let (status, body) = app
        .post(
            &format!("/api/v1/communities/{name}/join"),
            Some(token),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
}

/// A thread of `name` with two replies by `replier`; (post id, first reply id, second's).
async fn thread(app: &TestApp, owner: &str, replier: &str, name: &str) -> (i64, i64, i64) {
    let (status, post) = app
        .post(
            &format!("/api/v1/communities/{name}/posts"),
            Some(owner),
            json!({"title": "Which mulch?", "body": "Straw or bark?\nAsking for raised beds."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().expect("post id");
    let mut replies = Vec::new();
    for body in [
        "Straw, it rots down fast.",
        "Bark lasts longer but robs nitrogen.",
    ] {
        let (status, c) = app
            .post(
                &format!("/api/v1/posts/{id}/comments"),
                Some(replier),
                json!({"body": body}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        replies.push(c["id"].as_i64().expect("comment id"));
    }
    (id, replies[0], replies[1])
}

async fn page(app: &TestApp, token: Option<&str>, name: &str, slug: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/communities/{name}/pages/{slug}"), token)
        .await
}

/// The page at `path` as a signed-out reader gets it.
async fn html(app: &TestApp, path: &str) -> String {
    Browser::new(app).get(path).await.body
}

/// The titles of the library pages `/api/v1/search?q=` finds for `token`.
async fn found(app: &TestApp, token: Option<&str>, q: &str) -> Vec<String> {
    let (status, v) = app.get(&format!("/api/v1/search?q={q}"), token).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    titles(&v["pages"]).iter().map(|s| s.to_string()).collect()
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|a| a.iter().filter_map(|p| p["title"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_thread_becomes_a_page_quoting_the_chosen_replies_with_attribution() {
    let app = TestApp::spawn().await;
    let olga = app.user("olga").await;
    let ann = app.user("ann").await;
    let outsider = app.user("otto").await;
    community(&app, &olga, "garden", json!({})).await;
    join(&app, &ann, "garden").await;
    let (post, first, second) = thread(&app, &olga, &ann, "garden").await;

    let make = format!("/api/v1/posts/{post}/page");
    let (status, made) = app
        .post(
            &make,
            Some(&ann),
            json!({"title": "Mulch", "replies": [second]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["slug"], "mulch");
    let body = made["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("> Straw or bark?\n> Asking for raised beds.\n>\n> — olga, ["),
        "{body}"
    );
    assert!(body.contains(&format!("](/post/{post})\n")), "{body}");
    assert!(
        body.contains("> Bark lasts longer but robs nitrogen.\n>\n> — ann, ["),
        "{body}"
    );
    assert!(
        body.contains(&format!("](/post/{post}#comment-{second})")),
        "{body}"
    );
    assert!(
        !body.contains("Straw, it rots"),
        "only the chosen reply: {body}"
    );
    assert_eq!(made["from_thread"], app.url(&format!("/post/{post}")));

    // The thread names the page it became (API and page), and the page cites it.
    let (status, links) = app
        .get(&format!("/api/v1/posts/{post}/library"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{links}");
    assert_eq!(titles(&links["became"]), ["Mulch"]);
    assert!(
        titles(&links["linked_from"]).is_empty(),
        "the page it became is not listed twice: {links}"
    );
    assert_eq!(
        links["became"][0]["url"],
        app.url("/c/garden/library/mulch")
    );
    let shown = html(&app, &format!("/post/{post}")).await;
    assert!(
        shown.contains("This thread became the page <a href=\"/c/garden/library/mulch\">Mulch</a>"),
        "{shown}"
    );

    // Refusals leave nothing: a reply of another thread, someone outside the library's rights,
    // a taken address, a thread that does not exist.
    let (other, other_reply, _) = thread(&app, &olga, &ann, "garden").await;
    let (status, body) = app
        .post(
            &make,
            Some(&ann),
            json!({"title": "Mulch two", "replies": [first, other_reply]}),
        )
        .await;
    assert_error(
        &(status, body),
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("replies"),
    );
    assert_eq!(
        page(&app, Some(&ann), "garden", "mulch-two").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = app
        .post(&make, Some(&outsider), json!({"title": "Mine"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.post(&make, Some(&ann), json!({"title": "Mulch"})).await;
    assert_error(
        &(status, body),
        StatusCode::CONFLICT,
        "slug_taken",
        Some("slug"),
    );
    let (status, _) = app
        .post(
            "/api/v1/posts/999999/page",
            Some(&ann),
            json!({"title": "Ghost"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, links) = app
        .get(&format!("/api/v1/posts/{other}/library"), None)
        .await;
    assert_eq!(
        (status, titles(&links["became"]).len()),
        (StatusCode::OK, 0)
    );
}

#[tokio::test]
async fn a_private_communitys_thread_and_its_page_stay_with_its_members() {
    let app = TestApp::spawn().await;
    let olga = app.user("olga").await;
    let outsider = app.user("otto").await;
    community(&app, &olga, "secret", json!({"visibility": "private"})).await;
    community(&app, &olga, "open", json!({})).await;
    let (post, first, _) = thread(&app, &olga, &olga, "secret").await;
    let (public_post, _, _) = thread(&app, &olga, &olga, "open").await;

    // A page of the private community made from its thread, citing a public thread too.
    let (status, made) = app
        .post(
            &format!("/api/v1/posts/{post}/page"),
            Some(&olga),
            json!({"title": "Hidden notes", "replies": [first]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (status, saved) = app
        .call(
            Method::PUT,
            "/api/v1/communities/secret/pages/hidden-notes",
            Some(&olga),
            Some(json!({"title": "Hidden notes", "body": format!("See [the open one](/post/{public_post})"), "base_revision": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    for token in [None, Some(outsider.as_str())] {
        let (status, _) = app
            .get(&format!("/api/v1/posts/{post}/library"), token)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .post(
                &format!("/api/v1/posts/{post}/page"),
                token,
                json!({"title": "Leak"}),
            )
            .await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::UNAUTHORIZED,
            "{status}"
        );
        // The public thread is cited by the private page: not shown to outsiders.
        let (status, links) = app
            .get(&format!("/api/v1/posts/{public_post}/library"), token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(titles(&links["linked_from"]).is_empty(), "{links}");
    }
    let shown = html(&app, &format!("/post/{public_post}")).await;
    assert!(!shown.contains("Hidden notes"), "{shown}");
    let outsider_web = Browser::new(&app);
    outsider_web.log_in("otto").await;
    let form = outsider_web.get(&format!("/post/{post}/page")).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    assert!(!form.body.contains("Which mulch"));
    let anonymous = Browser::new(&app);
    let form = anonymous.get(&format!("/post/{post}/page")).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);

    // Its member sees the citation.
    let (_, links) = app
        .get(&format!("/api/v1/posts/{public_post}/library"), Some(&olga))
        .await;
    assert_eq!(titles(&links["linked_from"]), ["Hidden notes"]);
}

#[tokio::test]
async fn citations_follow_every_save_and_restore_of_the_citing_page() {
    let app = TestApp::spawn().await;
    let olga = app.user("olga").await;
    community(&app, &olga, "garden", json!({})).await;
    let (post, _, _) = thread(&app, &olga, &olga, "garden").await;
    let (status, event) = app
        .post(
            "/api/v1/communities/garden/events",
            Some(&olga),
            json!({"title": "Seed swap", "body": "Bring seeds", "starts_at": "2031-03-13T19:00",
                   "ends_at": "2031-03-13T20:30", "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event = event["id"].as_i64().expect("event id");
    let pages = "/api/v1/communities/garden/pages";
    let (status, soil) = app
        .post(
            pages,
            Some(&olga),
            json!({"title": "Soil", "body": "About soil."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{soil}");
    let cites = format!(
        "From [the thread](/post/{post}), the [swap]({}) and [soil]({}); not [elsewhere](https://example.org/post/{post}).",
        app.url(&format!("/events/{event}")),
        app.url("/c/garden/library/soil"),
    );
    let (status, notes) = app
        .post(pages, Some(&olga), json!({"title": "Notes", "body": cites}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{notes}");

    let linked = |path: String| {
        let app = &app;
        async move {
            let (status, v) = app.get(&path, None).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            v
        }
    };
    let soil_links = |v: &Value| {
        titles(&v["linked_from"])
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        soil_links(&linked(format!("{pages}/soil")).await),
        ["Notes"]
    );
    assert_eq!(
        titles(&linked(format!("/api/v1/posts/{post}/library")).await["linked_from"]),
        ["Notes"]
    );
    assert_eq!(
        titles(&linked(format!("/api/v1/posts/{event}/library")).await["linked_from"]),
        ["Notes"]
    );
    let shown = html(&app, &format!("/events/{event}")).await;
    assert!(
        shown.contains("Linked from these pages") && shown.contains("/c/garden/library/notes"),
        "{shown}"
    );
    let shown = html(&app, "/c/garden/library/soil").await;
    assert!(
        shown.contains("Linked from these pages") && shown.contains("/c/garden/library/notes"),
        "{shown}"
    );
    // The cached page of a signed-out reader changes with the citation.
    let before = html(&app, &format!("/post/{post}")).await;
    assert!(before.contains("/c/garden/library/notes"), "{before}");

    // A new revision without the thread: gone; restoring revision 1 brings it back.
    let (status, saved) = app
        .call(Method::PUT, &format!("{pages}/notes"), Some(&olga),
            Some(json!({"title": "Notes", "body": format!("Only [the swap](/events/{event})."), "base_revision": 1})))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(
        titles(&linked(format!("/api/v1/posts/{post}/library")).await["linked_from"]).is_empty()
    );
    assert!(soil_links(&linked(format!("{pages}/soil")).await).is_empty());
    assert_eq!(
        titles(&linked(format!("/api/v1/posts/{event}/library")).await["linked_from"]),
        ["Notes"]
    );
    let after = html(&app, &format!("/post/{post}")).await;
    assert!(
        !after.contains("/c/garden/library/notes"),
        "the cached thread page was refreshed"
    );
    let (status, body) = app
        .post(
            &format!("{pages}/notes/restore"),
            Some(&olga),
            json!({"revision": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        titles(&linked(format!("/api/v1/posts/{post}/library")).await["linked_from"]),
        ["Notes"]
    );
    assert_eq!(
        soil_links(&linked(format!("{pages}/soil")).await),
        ["Notes"]
    );

    // A page named before it exists is cited once it is made.
    let (status, body) = app
        .post(
            pages,
            Some(&olga),
            json!({"title": "Plans", "body": "Next: [later](/c/garden/library/later)."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, later) = app
        .post(pages, Some(&olga), json!({"title": "Later"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    assert_eq!(titles(&later["linked_from"]), ["Plans"]);
}

#[tokio::test]
async fn a_thread_becomes_a_page_through_the_form() {
    let app = TestApp::spawn().await;
    let olga_token = app.user("olga").await;
    let ann_token = app.user("ann").await;
    community(
        &app,
        &olga_token,
        "garden",
        json!({"title": "Urban Gardeners"}),
    )
    .await;
    join(&app, &ann_token, "garden").await;
    let (post, first, second) = thread(&app, &olga_token, &ann_token, "garden").await;
    let (olga, stranger) = (Browser::new(&app), Browser::new(&app));
    olga.log_in("olga").await;
    app.user("sam").await;
    stranger.log_in("sam").await;

    let thread_page = olga.get(&format!("/post/{post}")).await;
    assert!(
        thread_page
            .body
            .contains(&format!("href=\"/post/{post}/page\"")),
        "{}",
        thread_page.body
    );
    let not_member = stranger.get(&format!("/post/{post}")).await;
    assert!(!not_member.body.contains("Make this a page"));
    assert_eq!(
        stranger.get(&format!("/post/{post}/page")).await.status,
        StatusCode::FORBIDDEN
    );

    let form = format!("/post/{post}/page");
    let page = olga.get(&form).await;
    page.assert_html(StatusCode::OK);
    assert!(
        page.body.contains("value=\"Which mulch?\""),
        "the title starts as the thread's"
    );
    assert!(
        page.body.contains(&format!("id=\"reply-{first}\""))
            && page.body.contains(&format!("id=\"reply-{second}\""))
    );
    let refused = submit(
        &olga,
        &form,
        &form,
        &[("title", ""), ("reply", &second.to_string())],
    )
    .await;
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
    assert!(
        refused
            .body
            .contains(&format!("value=\"{second}\" checked")),
        "the choice is kept"
    );
    let (first_s, second_s) = (first.to_string(), second.to_string());
    let done = submit(
        &olga,
        &form,
        &form,
        &[
            ("title", "Mulch guide"),
            ("slug", "mulch"),
            ("parent", ""),
            ("reply", &first_s),
            ("reply", &second_s),
        ],
    )
    .await;
    assert_eq!(location(&done), "/c/garden/library/mulch");
    let shown = olga.get("/c/garden/library/mulch").await;
    assert!(
        shown.body.contains("The thread became a page."),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("Straw, it rots down fast.")
            && shown.body.contains("Bark lasts longer")
    );
    assert!(
        shown
            .body
            .contains(&format!("href=\"/post/{post}#comment-{first}\"")),
        "{}",
        shown.body
    );
    let thread_page = olga.get(&format!("/post/{post}")).await;
    assert!(
        thread_page.body.contains("This thread became the page"),
        "{}",
        thread_page.body
    );
}

#[tokio::test]
async fn pages_are_found_by_search_only_where_the_reader_may_read_them() {
    let app = TestApp::spawn().await;
    let olga = app.user("olga").await;
    let outsider = app.user("otto").await;
    community(&app, &olga, "open", json!({})).await;
    community(&app, &olga, "secret", json!({"visibility": "private"})).await;
    for (name, title) in [("open", "Compost tea"), ("secret", "Hidden compost")] {
        let (status, body) = app
            .post(
                &format!("/api/v1/communities/{name}/pages"),
                Some(&olga),
                json!({"title": title, "body": "Steep the composting heap in water."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_eq!(
        found(&app, None, "steeping").await,
        ["Compost tea"],
        "stemmed"
    );
    assert_eq!(
        found(&app, Some(&outsider), "compost").await,
        ["Compost tea"]
    );
    let mut member = found(&app, Some(&olga), "compost").await;
    member.sort();
    assert_eq!(member, ["Compost tea", "Hidden compost"]);
    let shown = html(&app, "/search?q=compost").await;
    assert!(
        shown.contains("href=\"/c/open/library/compost-tea\"") && !shown.contains("Hidden compost"),
        "{shown}"
    );

    // A new revision replaces what is found.
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/communities/open/pages/compost-tea",
            Some(&olga),
            Some(
                json!({"title": "Worm tea", "body": "Worm castings in water.", "base_revision": 1}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(found(&app, None, "castings").await, ["Worm tea"]);
    assert!(found(&app, None, "steep").await.is_empty());
}
