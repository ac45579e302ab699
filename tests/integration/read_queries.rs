//! Reads cost a fixed number of statements whatever their length: a page of a community's posts
//! comes with its authors, communities and comment counts from two joined queries, one for its
//! own threads and one for those shared into it (not three queries per post), a thread's comments come with their authors from one (issue 19), and a
//! thread page's reader's votes from one.
//! Counted on a connection of the test's own to the instance's database, with diesel's
//! instrumentation hook.

use crate::helpers::TestApp;
use copse::{
    db::{self, posts::PostOrder, DbConn},
    views,
};
use diesel::connection::{Connection, InstrumentationEvent};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

/// A connection to `app`'s database that counts the statements it runs.
fn counting_connection(app: &TestApp) -> (DbConn, Arc<AtomicUsize>) {
    let manager = db::ConnectionManager::new(app.context().settings());
    let mut conn = manager.connect_once().expect("connect");
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    (conn, count)
}

/// How many statements `read` ran, and what it returned.
fn counted<T>(count: &AtomicUsize, read: impl FnOnce() -> T) -> (usize, T) {
    let before = count.load(Ordering::Relaxed);
    let value = read();
    (count.load(Ordering::Relaxed) - before, value)
}

async fn post(app: &TestApp, token: &str, title: &str) -> i64 {
    post_in(app, token, "chess", title).await
}

async fn post_in(app: &TestApp, token: &str, community: &str, title: &str) -> i64 {
    let path = format!("/api/v1/communities/{community}/posts");
    let (status, body) = app.post(&path, Some(token), json!({"title": title})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

async fn comment(app: &TestApp, token: &str, post_id: i64, parent: Option<i64>) -> i64 {
    let path = format!("/api/v1/posts/{post_id}/comments");
    let body = json!({"body": "A reply", "parent_id": parent});
    let (status, body) = app.post(&path, Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_page_of_1_20_or_100_posts_is_two_statements_in_every_order() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "chess", json!({})).await;
    let mut ids = Vec::new();
    for i in 0..101 {
        ids.push(post(&app, &owner, &format!("post {i}")).await);
    }
    let newest = ids[100];
    let first = comment(&app, &owner, newest, None).await;
    comment(&app, &owner, newest, Some(first)).await;

    let (mut conn, count) = counting_connection(&app);
    let community = db::communities::local_by_name(&mut conn, "chess")
        .expect("query")
        .expect("chess")
        .id;
    for order in [PostOrder::New, PostOrder::Top, PostOrder::Active] {
        let mut statements = Vec::new();
        for limit in [1, 20, 100] {
            let (n, page) = counted(&count, || {
                views::posts::community_page(&mut conn, community, order, None, limit)
            });
            let page = page.expect("page");
            assert_eq!(page.posts.len(), limit as usize, "{order:?}");
            assert!(
                page.next_cursor.is_some(),
                "{order:?}: 101 posts, more follow"
            );
            let top = &page.posts[0];
            assert_eq!(
                (top.post.id, top.comment_count),
                (newest, 2),
                "{order:?}: the newest post, with its two comments counted"
            );
            assert_eq!(top.author.name, "owner");
            assert_eq!(top.community.name, "chess");
            statements.push(n);
        }
        assert_eq!(
            statements,
            [2, 2, 2],
            "{order:?}: statements for pages of 1, 20 and 100 posts"
        );
    }

    let (n, one) = counted(&count, || views::posts::post(&mut conn, newest));
    assert_eq!(one.expect("post").comment_count, 2);
    assert_eq!(n, 1, "one post as listed");
}

#[tokio::test]
async fn a_page_merges_the_communitys_own_threads_with_those_shared_into_it_in_every_order() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let ann = app.user("ann").await;
    for name in ["chess", "go"] {
        app.community(&owner, name, json!({})).await;
        let path = format!("/api/v1/communities/{name}/join");
        let (status, body) = app.post(&path, Some(&ann), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Threads of its own and threads shared in from `go`, alternating, with scores from -1 to 2
    // (ties broken by id) and replies that move some up the active order.
    let mut threads = Vec::new();
    for i in 0..14 {
        let home = if i % 2 == 0 { "chess" } else { "go" };
        let id = post_in(&app, &owner, home, &format!("thread {i}")).await;
        if home == "go" {
            let path = format!("/api/v1/posts/{id}/communities");
            let (status, body) = app
                .post(&path, Some(&owner), json!({"community": "chess"}))
                .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        for (voter, score, every) in [(&owner, -1, 3), (&ann, 1, 2)] {
            if i % every == 0 {
                let path = format!("/api/v1/posts/{id}/vote");
                let (status, body) = app.post(&path, Some(voter), json!({"score": score})).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
        }
        threads.push(id);
    }
    for i in [3, 8, 1, 12] {
        comment(&app, &ann, threads[i], None).await;
    }
    // Left out: a thread of its own deleted, and a shared one its moderators took out of it.
    let (status, body) = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/posts/{}", threads[4]),
            Some(&owner),
            None,
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let path = format!("/api/v1/posts/{}/communities/chess", threads[5]);
    let (status, body) = app
        .call(reqwest::Method::DELETE, &path, Some(&owner), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let gone = [threads[4], threads[5]];
    let listed: Vec<i64> = threads
        .into_iter()
        .filter(|id| !gone.contains(id))
        .collect();

    let (mut conn, count) = counting_connection(&app);
    let community = db::communities::local_by_name(&mut conn, "chess")
        .expect("query")
        .expect("chess")
        .id;
    let mut each = Vec::new();
    for id in &listed {
        each.push(views::posts::post(&mut conn, *id).expect("post").post);
    }
    let scores: std::collections::BTreeSet<i64> = each.iter().map(|p| p.score).collect();
    assert!(scores.len() >= 3, "scores vary, with ties: {scores:?}");
    for order in [PostOrder::New, PostOrder::Top, PostOrder::Active] {
        let mut expected = each.clone();
        expected.sort_by_key(|p| match order {
            PostOrder::New => std::cmp::Reverse((0, p.id)),
            _ => std::cmp::Reverse(order.cursor(p)),
        });
        let expected: Vec<i64> = expected.iter().map(|p| p.id).collect();
        for limit in [1, 3, 5, 20] {
            let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
            loop {
                let (n, page) = counted(&count, || {
                    views::posts::community_page(&mut conn, community, order, after, limit)
                });
                let page = page.expect("page");
                assert_eq!(n, 2, "{order:?}: statements for a page of {limit}");
                seen.extend(page.posts.iter().map(|l| l.post.id));
                pages += 1;
                match page.next_cursor {
                    Some(cursor) => {
                        after = Some(views::posts::parse_cursor(&cursor).expect("cursor"))
                    }
                    None => break,
                }
                assert!(pages <= listed.len(), "{order:?}: paging ends");
            }
            assert_eq!(seen, expected, "{order:?}, pages of {limit}");
        }
    }
}

#[tokio::test]
async fn a_thread_of_1_or_40_comments_is_one_statement() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "chess", json!({})).await;
    let short = post(&app, &owner, "short").await;
    comment(&app, &owner, short, None).await;
    let long = post(&app, &owner, "long").await;
    let mut parent = None;
    for i in 0..40 {
        let id = comment(&app, &owner, long, parent).await;
        parent = if i % 2 == 0 { Some(id) } else { None };
    }

    let (mut conn, count) = counting_connection(&app);
    let (one, rows) = counted(&count, || db::posts::post_comments(&mut conn, short));
    assert_eq!(rows.expect("comments").len(), 1);
    let (forty, rows) = counted(&count, || db::posts::post_comments(&mut conn, long));
    assert_eq!(rows.expect("comments").len(), 40);
    assert_eq!((one, forty), (1, 1), "statements for 1 and 40 comments");
}

#[tokio::test]
async fn a_thread_page_with_the_readers_votes_costs_the_same_for_1_or_40_comments() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "chess", json!({})).await;
    let mut threads = Vec::new();
    for (title, n) in [("short", 1), ("long", 40)] {
        let id = post(&app, &owner, title).await;
        let mut parent = None;
        for i in 0..n {
            let c = comment(&app, &owner, id, parent).await;
            let path = format!("/api/v1/comments/{c}/vote");
            let (status, body) = app.post(&path, Some(&owner), json!({"score": 1})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            parent = if i % 2 == 0 { Some(c) } else { None };
        }
        let path = format!("/api/v1/posts/{id}/vote");
        app.post(&path, Some(&owner), json!({"score": -1})).await;
        threads.push((id, n));
    }

    let (mut conn, count) = counting_connection(&app);
    let gate = app.context().gate().clone();
    let owner_id = db::accounts::local_person_by_name(&mut conn, "owner")
        .expect("query")
        .expect("owner")
        .id;
    let viewer = views::gate::Viewer::person(owner_id, false);
    let mut statements = Vec::new();
    for (id, n) in threads {
        let (used, read) = counted(&count, || {
            views::threads::read(&mut conn, &gate, &viewer, id)
        });
        let read = read.expect("read").expect("the thread");
        assert_eq!(read.comments.len(), n);
        assert_eq!(
            read.votes.len(),
            n + 1,
            "every vote of the reader on the page"
        );
        assert_eq!(read.votes.get(read.post.ap_id.as_str()), Some(&-1));
        statements.push(used);
    }
    assert_eq!(
        statements[0], statements[1],
        "statements for a thread of 1 and of 40 comments, with votes"
    );
}
