//! Cross-posting into a remote community (issue 17): the author of a thread opened here posts it
//! in a community of another instance too, with their own `Create` addressed to that community,
//! which takes it in and announces it; one object and one set of replies on three instances,
//! replies reaching the remote community's instance though it follows nobody at home, and a
//! removal by the remote community's moderators from their community only.

use crate::{
    cross_posting::{across, also_in, comment, comment_bodies, listed_ids, Across},
    helpers::{eventually, find_post},
    web_client::Browser,
    web_threads::{location, submit},
};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_thread_posted_also_in_a_remote_community_is_one_thread_on_three_instances() {
    let Across {
        a,
        b,
        c,
        alice,
        bob,
        carol,
        home,
        other,
    } = across().await;
    // alice is a member of `other` on b; carol follows both; b follows nothing on a.
    a.join_remote(&alice, "alice", &b, "other").await;
    c.join_remote(&carol, "carol", &a, "home").await;
    c.join_remote(&carol, "carol", &b, "other").await;

    // The new-thread form on a offers `other@b`, which alice joined.
    let web = Browser::new(&a);
    web.log_in("alice").await;
    let form = web.get("/c/home/submit").await;
    form.assert_html(StatusCode::OK);
    let checkbox = format!("name=\"also_in\" value=\"{other}\"");
    assert!(form.body.contains(&checkbox), "{}", form.body);

    let (status, body) = a
        .post(
            "/api/v1/communities/home/posts",
            Some(&alice),
            json!({"title": "Across servers", "body": "One object.", "also_in": [other]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let on_a = body["id"].as_i64().expect("id");

    // b takes it into `other` (its home stays `home` on a) and announces it; a hears of it.
    let on_b = eventually("b lists the thread in other", || async {
        find_post(&b, "other", "Across servers").await?["id"].as_i64()
    })
    .await;
    let (_, seen) = b.get(&format!("/api/v1/posts/{on_b}"), None).await;
    assert_eq!(seen["community"], home.as_str(), "{seen}");
    assert_eq!(seen["also_in"], json!([other.clone()]), "{seen}");
    eventually("a shows the thread also in other", || async {
        (also_in(&a, on_a).await == [other.clone()]).then_some(())
    })
    .await;

    // c follows both: one object, listed once in each community.
    let on_c = eventually("c lists it in home and in other", || async {
        let in_home = find_post(&c, &home, "Across servers").await?["id"].as_i64()?;
        let in_other = find_post(&c, &other, "Across servers").await?["id"].as_i64()?;
        (in_home == in_other).then_some(in_home)
    })
    .await;
    assert_eq!(listed_ids(&c, &home).await, [on_c]);
    assert_eq!(listed_ids(&c, &other).await, [on_c]);

    // A reply from each instance: one thread everywhere, each reply once. carol's goes to
    // `home` on a, whose community also tells `other` on b (b follows nothing on a).
    comment(&c, &carol, on_c, "from carol").await;
    comment(&a, &alice, on_a, "from alice").await;
    comment(&b, &bob, on_b, "from bob").await;
    let all = ["from alice", "from bob", "from carol"];
    for (app, post, name) in [(&a, on_a, "a"), (&b, on_b, "b"), (&c, on_c, "c")] {
        eventually(&format!("{name} has the three replies"), || async {
            (comment_bodies(app, post).await == all).then_some(())
        })
        .await;
    }

    // bob (moderator of `other`) takes it out of `other` only.
    let path = format!("/api/v1/posts/{on_b}/communities/other");
    let (status, body) = b.call(Method::DELETE, &path, Some(&bob), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(listed_ids(&b, "other").await.is_empty());
    eventually("c takes it out of other", || async {
        listed_ids(&c, &other).await.is_empty().then_some(())
    })
    .await;
    eventually("a no longer shows it in other", || async {
        also_in(&a, on_a).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(listed_ids(&c, &home).await, [on_c]);
    assert_eq!(listed_ids(&a, "home").await, [on_a]);
    for (app, post) in [(&a, on_a), (&b, on_b), (&c, on_c)] {
        assert_eq!(comment_bodies(app, post).await, all);
    }
}

#[tokio::test]
async fn the_author_sends_a_thread_to_a_remote_community_from_its_page_and_a_ban_refuses_it() {
    let Across {
        a,
        b,
        alice,
        bob,
        other,
        ..
    } = across().await;
    let ann = a.user("ann").await;
    a.join_remote(&alice, "alice", &b, "other").await;
    let open = |title: &'static str| {
        let (a, alice) = (&a, &alice);
        async move {
            let (status, body) = a
                .post(
                    "/api/v1/communities/home/posts",
                    Some(alice),
                    json!({"title": title, "body": "later"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().expect("id")
        }
    };
    let post = open("Sent later").await;

    // Only its author sends it to a remote community: 422 for anyone else.
    let share = format!("/api/v1/posts/{post}/communities");
    let (status, body) = a
        .post(&share, Some(&ann), json!({"community": other}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "remote_community", "{body}");

    // The thread page offers `other@b` to alice; its form sends it, in `other` once b
    // announces it.
    let web = Browser::new(&a);
    web.log_in("alice").await;
    let thread = format!("/post/{post}");
    let page = web.get(&thread).await;
    page.assert_html(StatusCode::OK);
    let option = format!("<option value=\"{other}\">");
    assert!(page.body.contains(&option), "{}", page.body);
    let done = submit(
        &web,
        &thread,
        &format!("{thread}/share"),
        &[("community", &other)],
    )
    .await;
    assert_eq!(location(&done), thread);
    eventually("b lists it in other", || async {
        find_post(&b, "other", "Sent later").await
    })
    .await;
    eventually("a shows it also in other", || async {
        (also_in(&a, post).await == [other.clone()]).then_some(())
    })
    .await;
    // Shown on a's page, and no longer offered.
    let page = web.get(&thread).await;
    assert!(page.body.contains("id=\"also-in\""), "{}", page.body);
    assert!(!page.body.contains(&option), "{}", page.body);

    // Its author's edit and deletion reach `other` on b, which follows nothing on a.
    let path = format!("/api/v1/posts/{post}");
    let edit = json!({"title": "Sent later, edited", "body": "later"});
    let (status, body) = a.call(Method::PATCH, &path, Some(&alice), Some(edit)).await;
    assert!(status.is_success(), "{body}");
    eventually("b has the new title", || async {
        find_post(&b, "other", "Sent later, edited").await
    })
    .await;
    let (status, body) = a.call(Method::DELETE, &path, Some(&alice), None).await;
    assert!(status.is_success(), "{body}");
    eventually("b no longer lists it", || async {
        listed_ids(&b, "other").await.is_empty().then_some(())
    })
    .await;

    // bob bans alice from `other`: her next thread is refused there. b refuses the `Create`
    // (a `Forbidden` delivery), and a refuses it itself once the ban reaches it.
    let (_, members) = b.get("/api/v1/communities/other/members", None).await;
    let alice_id = members["items"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["handle"].as_str().unwrap_or("").starts_with("alice"))
        .expect("alice")["person_id"]
        .clone();
    let bans = "/api/v1/communities/other/bans";
    let (status, body) = b
        .post(bans, Some(&bob), json!({"person_id": alice_id}))
        .await;
    assert!(status.is_success(), "{body}");
    let banned = open("After the ban").await;
    let share = format!("/api/v1/posts/{banned}/communities");
    eventually("a refuses the share once it knows of the ban", || async {
        let (status, body) = a
            .post(&share, Some(&alice), json!({"community": other}))
            .await;
        assert!(
            status == StatusCode::ACCEPTED || status == StatusCode::FORBIDDEN,
            "{status}: {body}"
        );
        (body["error"] == "banned").then_some(())
    })
    .await;
    assert!(find_post(&b, "other", "After the ban").await.is_none());
    assert!(also_in(&a, banned).await.is_empty());
    assert_eq!(listed_ids(&a, "home").await.len(), 1);
}
