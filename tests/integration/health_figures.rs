//! Health figures (issue 16): a community seeded through the API with its timestamps then set to
//! known moments, snapshotted as of 2026-06-01 by the real job, and every figure compared with
//! counts worked out by hand (newcomer retention at exactly 30 days and on a month's last
//! second; the median time to first reply over an even count, unanswered threads left out);
//! who may read the page, its CSV and the API; the job storing one snapshot per community and
//! day however often (and however many at once) it runs. Both engines.

use crate::helpers::TestApp;
use chrono::{NaiveDate, NaiveDateTime};
use copse::db::{
    health::{self, Scope},
    schema::{
        comments, digest_runs, digest_settings, event_attendance, event_rsvps, events,
        membership_events, posts, votes,
    },
};
use copse::{actions::admin::By, domain::health::Figures};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const DAY: &str = "2026-06-01";

fn day() -> NaiveDate {
    NaiveDate::parse_from_str(DAY, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

async fn person_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_string();
    app.context()
        .db(move |conn| copse::db::accounts::account_by_name(conn, &name))
        .await
        .unwrap()
        .unwrap()
        .person
        .id
}

async fn thread(app: &TestApp, token: &str, title: &str) -> i64 {
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(token),
            json!({"title": title, "body": "details"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_i64().unwrap()
}

async fn reply(app: &TestApp, token: &str, post: i64, parent: Option<i64>) -> i64 {
    let (status, c) = app
        .post(
            &format!("/api/v1/posts/{post}/comments"),
            Some(token),
            json!({"body": "a reply", "parent_id": parent}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c["id"].as_i64().unwrap()
}

/// Runs `f` on a pooled connection of the instance (setting the seeded rows' moments).
async fn sql(
    app: &TestApp,
    f: impl FnOnce(&mut copse::db::DbConn) -> QueryResult<()> + Send + 'static,
) {
    app.context().db(move |conn| Ok(f(conn)?)).await.unwrap();
}

async fn set_post(app: &TestApp, id: i64, at: &str) {
    let at = t(at);
    sql(app, move |c| {
        diesel::update(posts::table.find(id))
            .set(posts::published.eq(at))
            .execute(c)
            .map(drop)
    })
    .await;
}

async fn set_comment(app: &TestApp, id: i64, at: &str) {
    let at = t(at);
    sql(app, move |c| {
        diesel::update(comments::table.find(id))
            .set(comments::published.eq(at))
            .execute(c)
            .map(drop)
    })
    .await;
}

/// Sets when `person` joined (and, with `left`, left) the community.
async fn set_membership(app: &TestApp, person: i64, joined: &str, left: Option<&str>) {
    let (joined, left) = (t(joined), left.map(t));
    sql(app, move |c| {
        let mine = membership_events::table.filter(membership_events::person_id.eq(person));
        diesel::update(mine.filter(membership_events::kind.eq("joined")))
            .set(membership_events::at.eq(joined))
            .execute(c)?;
        if let Some(left) = left {
            diesel::update(mine.filter(membership_events::kind.eq("left")))
                .set(membership_events::at.eq(left))
                .execute(c)?;
        }
        Ok(())
    })
    .await;
}

struct Scene {
    owner: String,
    member: String,
    community_id: i64,
}

/// `garden`, owned by olive, with ann, ben, cat (members) and dan (joined and left in May).
async fn scene(app: &TestApp) -> Scene {
    let olive = app.user("olive").await;
    let (status, body) = app.community(&olive, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut tokens = Vec::new();
    for name in ["ann", "ben", "cat", "dan"] {
        let token = app.user(name).await;
        let (status, body) = app
            .post("/api/v1/communities/garden/join", Some(&token), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(token);
    }
    let [ann, ben, cat, dan] = [0, 1, 2, 3].map(|i| tokens[i].clone());
    let (status, _) = app
        .call(
            Method::DELETE,
            "/api/v1/communities/garden/join",
            Some(&dan),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let id = |n: &'static str| person_id(app, n);
    let (p_olive, p_ann, p_ben, p_cat, p_dan) = (
        id("olive").await,
        id("ann").await,
        id("ben").await,
        id("cat").await,
        id("dan").await,
    );
    set_membership(app, p_olive, "2025-12-01 10:00:00", None).await;
    set_membership(app, p_ben, "2026-01-10 00:00:00", None).await;
    // The last second of January: a January newcomer.
    set_membership(app, p_ann, "2026-01-31 23:59:59", None).await;
    set_membership(app, p_cat, "2026-02-01 00:00:00", None).await;
    set_membership(
        app,
        p_dan,
        "2026-05-20 12:00:00",
        Some("2026-05-25 12:00:00"),
    )
    .await;

    // ben's first contribution 30 days and one second after joining: within 90 days only.
    let t0 = thread(app, &ben, "Seed catalogues").await;
    set_post(app, t0, "2026-02-09 00:00:01").await;
    // ann's first, exactly 30 days after joining: within 30 days.
    let t1 = thread(app, &ann, "Which compost").await;
    set_post(app, t1, "2026-03-02 23:59:59").await;
    let c = reply(app, &ben, t1, None).await;
    set_comment(app, c, "2026-03-03 00:59:59").await;
    let c = reply(app, &olive, t1, None).await;
    set_comment(app, c, "2026-03-03 04:59:59").await;
    // May: first replies after 2 h and 4 h (median 3 h), one thread answered only by its author.
    let t2 = thread(app, &olive, "Pruning").await;
    set_post(app, t2, "2026-05-04 10:00:00").await;
    let ann_c = reply(app, &ann, t2, None).await;
    set_comment(app, ann_c, "2026-05-04 12:00:00").await;
    let t3 = thread(app, &olive, "Mulch").await;
    set_post(app, t3, "2026-05-11 10:00:00").await;
    let c = reply(app, &olive, t3, None).await;
    set_comment(app, c, "2026-05-11 11:00:00").await;
    let t4 = thread(app, &ben, "Pests").await;
    set_post(app, t4, "2026-05-12 10:00:00").await;
    let c = reply(app, &olive, t4, None).await;
    set_comment(app, c, "2026-05-12 14:00:00").await;
    let c = reply(app, &ann, t4, None).await;
    set_comment(app, c, "2026-05-12 16:00:00").await;

    // cat votes on Pruning on 5 May.
    let (status, body) = app
        .post(
            &format!("/api/v1/posts/{t2}/vote"),
            Some(&cat),
            json!({"score": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sql(app, move |c| {
        diesel::update(votes::table.filter(votes::person_id.eq(p_cat)))
            .set(votes::created_at.eq(t("2026-05-05 09:00:00")))
            .execute(c)
            .map(drop)
    })
    .await;

    // ben's meeting on 15 May: capacity 10, ann and cat going, ann came.
    let (status, ev) = app
        .post(
            "/api/v1/communities/garden/events",
            Some(&ben),
            json!({"title": "Seed swap", "body": "bring seeds", "starts_at": "2031-03-13T19:00",
                   "ends_at": "2031-03-13T20:30", "timezone": "UTC", "place_name": "Shed",
                   "capacity": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ev}");
    let e = ev["id"].as_i64().unwrap();
    for token in [&ann, &cat] {
        let (status, body) = app
            .post(
                &format!("/api/v1/events/{e}/rsvp"),
                Some(token),
                json!({"state": "going"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    set_post(app, e, "2026-05-11 09:00:00").await;
    sql(app, move |c| {
        diesel::update(events::table.find(e))
            .set((
                events::starts_at.eq(t("2026-05-15 18:00:00")),
                events::ends_at.eq(t("2026-05-15 20:00:00")),
            ))
            .execute(c)?;
        diesel::update(event_rsvps::table.filter(event_rsvps::post_id.eq(e)))
            .set(event_rsvps::created_at.eq(t("2026-05-12 08:00:00")))
            .execute(c)?;
        diesel::insert_into(event_attendance::table)
            .values((
                event_attendance::post_id.eq(e),
                event_attendance::person_id.eq(p_ann),
            ))
            .execute(c)
            .map(drop)
    })
    .await;

    // A digest mailed to ann on 6 May; cat turned digests off on 7 May.
    let (u_ann, u_cat) = (local_user(app, "ann").await, local_user(app, "cat").await);
    sql(app, move |c| {
        diesel::insert_into(digest_runs::table)
            .values((
                digest_runs::local_user_id.eq(u_ann),
                digest_runs::frequency.eq("weekly"),
                digest_runs::period.eq("2026-05-04"),
                digest_runs::mailed.eq(true),
                digest_runs::created_at.eq(t("2026-05-06 08:00:00")),
            ))
            .execute(c)?;
        diesel::insert_into(digest_settings::table)
            .values((
                digest_settings::local_user_id.eq(u_cat),
                digest_settings::frequency.eq("off"),
                digest_settings::hour.eq(8),
                digest_settings::updated_at.eq(t("2026-05-07 08:00:00")),
            ))
            .execute(c)
            .map(drop)
    })
    .await;
    let community_id = app
        .context()
        .db(|conn| copse::db::communities::local_by_name(conn, "garden"))
        .await
        .unwrap()
        .unwrap()
        .id;
    Scene {
        owner: olive,
        member: ann,
        community_id,
    }
}

async fn local_user(app: &TestApp, name: &str) -> i64 {
    let name = name.to_string();
    app.context()
        .db(move |conn| copse::db::accounts::account_by_name(conn, &name))
        .await
        .unwrap()
        .unwrap()
        .user
        .id
}

async fn snapshot(app: &TestApp, scope: Scope) -> Figures {
    copse::jobs::health::snapshot(&app.context(), day())
        .await
        .unwrap();
    app.context()
        .db(move |conn| health::latest(conn, scope))
        .await
        .unwrap()
        .expect("a snapshot")
        .1
}

fn month<'a>(f: &'a Figures, label: &str) -> &'a copse::domain::health::Period {
    f.monthly.iter().find(|p| p.label == label).expect(label)
}

#[tokio::test]
async fn figures_of_a_seeded_community_match_hand_counts() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let f = snapshot(&app, Scope::Community(s.community_id)).await;

    // Members: olive (Dec), ben and ann (Jan, ann on its last second), cat (Feb), dan in and out
    // in May.
    let totals: Vec<(i64, i64, i64)> = ["2025-12", "2026-01", "2026-02", "2026-04", "2026-05"]
        .iter()
        .map(|m| (month(&f, m).joined, month(&f, m).left, month(&f, m).total))
        .collect();
    assert_eq!(
        totals,
        [(1, 0, 1), (2, 0, 3), (1, 0, 4), (0, 0, 4), (1, 1, 4)]
    );
    assert_eq!(f.by_instance.len(), 1);
    assert_eq!(
        (f.by_instance[0].host.as_str(), f.by_instance[0].members),
        ("local", 4)
    );

    // Active per week (weeks start on the Mondays before 1 June): 4–11 May olive, ann (reply)
    // and cat (vote); 11–18 May olive, ann, ben, cat (answered the meeting).
    let week = |label: &str| {
        f.weekly
            .iter()
            .find(|p| p.label == label)
            .expect(label)
            .active
    };
    assert_eq!(
        (week("2026-05-04"), week("2026-05-11"), week("2026-05-18")),
        (3, 4, 0)
    );
    assert_eq!(
        f.returning, 3,
        "olive, ann and cat were active in two of the last four weeks"
    );

    // Modes over the 12 weeks from 9 March: olive champion, ben co-create (the meeting), ann
    // collaborate (replied to olive and ben), cat consume.
    let m = &f.modes;
    assert_eq!(
        (
            m.consume,
            m.contribute,
            m.collaborate,
            m.co_create,
            m.champion
        ),
        (1, 0, 1, 1, 1)
    );

    // Retention: January's ann (exactly 30 days) and ben (30 days and a second).
    let cohort = |label: &str| {
        f.retention
            .iter()
            .find(|c| c.month == label)
            .unwrap()
            .clone()
    };
    let jan = cohort("2026-01");
    assert_eq!((jan.joined, jan.within_30, jan.within_90), (2, 1, 2));
    assert!(jan.complete_90);
    let dec = cohort("2025-12");
    assert_eq!(
        (dec.joined, dec.within_30, dec.within_90),
        (1, 0, 0),
        "olive's first reply came after 92 days"
    );
    let may = cohort("2026-05");
    assert_eq!((may.joined, may.within_30, may.complete_30), (1, 0, false));

    // Conversation in May: Pruning (2 h), Mulch (its author only: unanswered), Pests (4 h) and
    // the meeting's thread (unanswered); median of 2 h and 4 h = 3 h.
    let may = month(&f, "2026-05");
    assert_eq!((may.threads, may.replies, may.unanswered), (4, 4, 2));
    assert_eq!(may.median_first_reply_secs, Some(3 * 3600));
    let march = month(&f, "2026-03");
    assert_eq!(
        (march.threads, march.replies, march.median_first_reply_secs),
        (1, 2, Some(3600))
    );
    let feb = month(&f, "2026-02");
    assert_eq!(
        (feb.threads, feb.unanswered, feb.median_first_reply_secs),
        (1, 1, None)
    );

    // Meetings and digests.
    assert_eq!(f.meetings.len(), 1);
    let meeting = &f.meetings[0];
    assert_eq!(
        (meeting.going, meeting.capacity, meeting.attended),
        (2, Some(10), 1)
    );
    assert_eq!(
        (may.meetings, may.going, may.capacity, may.attended),
        (1, 2, 10, 1)
    );
    assert_eq!((may.digests_sent, may.unsubscribes), (1, 1));

    // The instance's figures hold the same community.
    let i = snapshot(&app, Scope::Instance).await;
    assert_eq!(month(&i, "2026-05").threads, 4);
    assert_eq!(i.returning, 3);

    // The CSV of a figure is its table.
    let (status, csv) = get_text(
        &app,
        "/c/garden/health.csv?figure=retention&period=months",
        Some(&s.owner),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert!(
        csv.starts_with("Month joined,joined,within 30 days,within 90 days,final\r\n"),
        "{csv}"
    );
    assert!(csv.contains("\r\n2026-01,2,1,2,yes\r\n"), "{csv}");
    let (_, csv) = get_text(
        &app,
        "/c/garden/health.csv?figure=conversation&period=months",
        Some(&s.owner),
    )
    .await;
    assert!(csv.contains("\r\n2026-05,4,4,2\r\n"), "{csv}");
    let (_, csv) = get_text(
        &app,
        "/c/garden/health.csv?figure=first-reply&period=months",
        Some(&s.owner),
    )
    .await;
    assert!(csv.contains("\r\n2026-05,3\r\n"), "{csv}");
    let (status, _) = get_text(&app, "/c/garden/health.csv?figure=nope", Some(&s.owner)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The page draws each figure with its title, description and table.
    let (status, page) = get_text(&app, "/c/garden/health?period=months", Some(&s.owner)).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "<svg",
        "<title id=\"retention-title\">",
        "<desc id=\"conversation-desc\">",
        "<caption>Newcomer retention",
        "<th scope=\"row\">2026-01</th>",
    ] {
        assert!(page.contains(needle), "{needle} missing");
    }
    for name in ["ann", "ben", "cat", "dan"] {
        assert!(
            !page.contains(&format!(">{name}<")),
            "the page names {name}"
        );
    }

    // The API gives the same snapshot.
    let (status, body) = app
        .get("/api/v1/communities/garden/health", Some(&s.owner))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["day"], DAY);
    assert_eq!(body["figures"]["returning"], 3);
    let _ = s.member;
}

async fn get_text(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String) {
    // Redirects are not followed: signed out, the pages answer 303 to the log-in page.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.get(app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn only_moderators_and_admins_read_the_figures_and_signed_out_goes_to_log_in() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    let (status, _) = app.community(&owner, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let member = app.user("ann").await;
    let (status, _) = app
        .post("/api/v1/communities/garden/join", Some(&member), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let stranger = app.user("zed").await;
    copse::jobs::health::snapshot(&app.context(), day())
        .await
        .unwrap();

    for path in [
        "/c/garden/health",
        "/c/garden/health.csv?figure=members",
        "/admin/health",
    ] {
        let (status, _) = get_text(&app, path, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path} signed out");
        for (who, token) in [("a member", &member), ("a stranger", &stranger)] {
            let (status, _) = get_text(&app, path, Some(token)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} for {who}");
        }
    }
    let (status, page) = get_text(&app, "/c/garden/health", Some(&owner)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Snapshot of 2026-06-01"), "{page}");
    for (path, status_member) in [
        ("/api/v1/communities/garden/health", StatusCode::FORBIDDEN),
        ("/api/v1/admin/health", StatusCode::FORBIDDEN),
    ] {
        let (status, body): (StatusCode, Value) = app.get(path, Some(&member)).await;
        assert_eq!(status, status_member, "{path}: {body}");
        let (status, _) = app.get(path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let (status, _) = app
        .get("/api/v1/communities/garden/health", Some(&owner))
        .await;
    assert_eq!(status, StatusCode::OK);

    // An administrator sees the instance's figures and the community's.
    copse::actions::admin::set_admin(&app.context(), By::Operator, "zed", true)
        .await
        .unwrap();
    let (status, page) = get_text(&app, "/admin/health", Some(&stranger)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Snapshot of 2026-06-01"), "{page}");
    let (status, _) = get_text(&app, "/c/garden/health", Some(&stranger)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_snapshot_job_stores_one_snapshot_per_community_and_day() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    let (status, _) = app.community(&owner, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let ctx = app.context();
    let first = copse::jobs::health::snapshot(&ctx, day()).await.unwrap();
    assert_eq!(
        (first.stored, first.already),
        (2, 0),
        "the community and the instance"
    );
    let again = copse::jobs::health::snapshot(&ctx, day()).await.unwrap();
    assert_eq!((again.stored, again.already), (0, 2));
    // Two runs of the next day at once (two processes): still one row each.
    let next = day().succ_opt().unwrap();
    let (a, b) = tokio::join!(
        copse::jobs::health::snapshot(&ctx, next),
        copse::jobs::health::snapshot(&ctx, next)
    );
    assert_eq!(a.unwrap().stored + b.unwrap().stored, 2);
    let counts = ctx
        .db(|conn| {
            let community = copse::db::communities::local_by_name(conn, "garden")?
                .unwrap()
                .id;
            Ok((
                health::count(conn, Scope::Community(community))?,
                health::count(conn, Scope::Instance)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(counts, (2, 2));
}

/// The benchmark of docs/PERFORMANCE.md: a community of 10,000 members with 100,000 threads over
/// a year (each with a reply an hour later), the daily snapshot job timed, then the health page
/// rendered from the snapshot `COPSE_HEALTH_BENCH_RUNS` times (p50, max). Run with
/// `cargo test --test integration health_figures_at_scale -- --ignored --nocapture` (add
/// `COPSE_TEST_POSTGRES_URL` for PostgreSQL).
#[tokio::test]
#[ignore]
async fn health_figures_at_scale() {
    let members: i64 = 10_000;
    let threads: i64 = 100_000;
    let runs: usize = std::env::var("COPSE_HEALTH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.community(&owner, "bench", json!({})).await;
    let sqlite = app.db.is_sqlite();
    let base = app.base.clone();
    let series = |n: i64| {
        if sqlite {
            format!("(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n)")
        } else {
            format!("(SELECT i FROM generate_series(1, {n}) AS g(i))")
        }
    };
    let days_before = |days: &str| {
        if sqlite {
            format!("datetime('2026-06-01', '-' || ({days}) || ' days', '-' || (n.i % 1440) || ' minutes')")
        } else {
            format!("TIMESTAMP '2026-06-01' - ({days}) * INTERVAL '1 day' - (n.i % 1440) * INTERVAL '1 minute'")
        }
    };
    let hour_later = if sqlite {
        "datetime(p.published, '+1 hour')"
    } else {
        "p.published + INTERVAL '1 hour'"
    };
    let community = "(SELECT id FROM communities WHERE name = 'bench')";
    let seed = [
        format!(
            "INSERT INTO persons (ap_id, name, inbox_url, public_key, local, published, last_refreshed_at) \
             SELECT 'https://remote' || (n.i % 7) || '.example/u/m' || n.i, 'm' || n.i, \
               'https://remote' || (n.i % 7) || '.example/inbox', '', (n.i % 2 = 0), {at}, {at} \
             FROM {s} n",
            at = days_before("n.i % 365"),
            s = series(members)
        ),
        format!(
            "INSERT INTO community_members (community_id, person_id, role, state, created_at) \
             SELECT {community}, pe.id, 'member', 'active', pe.published FROM persons pe \
             WHERE pe.name LIKE 'm%'"
        ),
        format!(
            "INSERT INTO membership_events (community_id, person_id, kind, at) \
             SELECT {community}, pe.id, 'joined', pe.published FROM persons pe \
             WHERE pe.name LIKE 'm%'"
        ),
        format!(
            "INSERT INTO posts (ap_id, community_id, author_id, title, body_md, body_html, local, \
               published, locked, deleted, score, pinned, removed, last_activity_at) \
             SELECT '{base}/post/b' || n.i, {community}, \
               (SELECT MIN(id) FROM persons WHERE name LIKE 'm%') + (n.i % {members}), \
               'Thread ' || n.i, 'body', '', TRUE, {at}, FALSE, FALSE, 0, FALSE, FALSE, {at} \
             FROM {s} n",
            at = days_before("n.i % 365"),
            s = series(threads)
        ),
        format!(
            "INSERT INTO comments (ap_id, post_id, author_id, body_md, body_html, local, \
               published, deleted, score, removed) \
             SELECT p.ap_id || '/c', p.id, \
               (SELECT MIN(id) FROM persons WHERE name LIKE 'm%') + ((p.id * 7) % {members}), \
               'reply', '', TRUE, {hour_later}, FALSE, 0, FALSE \
             FROM posts p WHERE p.community_id = {community}"
        ),
    ];
    let started = std::time::Instant::now();
    for statement in seed {
        app.context()
            .write(move |conn| {
                use diesel::connection::SimpleConnection;
                Ok(conn.batch_execute(&statement)?)
            })
            .await
            .expect("seeded");
    }
    if !sqlite {
        app.context()
            .write(|conn| {
                use diesel::connection::SimpleConnection;
                Ok(conn.batch_execute("ANALYZE")?)
            })
            .await
            .expect("analyzed");
    }
    println!(
        "seeded {members} members, {threads} threads and replies in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = std::time::Instant::now();
    let report = copse::jobs::health::snapshot(&app.context(), day())
        .await
        .unwrap();
    println!(
        "snapshot job ({} snapshots): {:.2} s",
        report.stored,
        started.elapsed().as_secs_f64()
    );

    for period in ["weeks", "months"] {
        let path = format!("/c/bench/health?period={period}");
        let mut times = Vec::new();
        for _ in 0..runs {
            let started = std::time::Instant::now();
            let (status, page) = get_text(&app, &path, Some(&owner)).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("<svg"));
        }
        times.sort_by(f64::total_cmp);
        println!(
            "health page ({period}): p50 {:.1} ms, max {:.1} ms over {runs} runs",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}

#[tokio::test]
async fn writing_a_library_page_counts_as_co_creating() {
    use copse::db::schema::library_revisions;
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let cat = app.login("cat").await;
    let (status, body) = app
        .post(
            "/api/v1/communities/garden/pages",
            Some(&cat),
            json!({"title": "Seed saving", "body": "Dry them first."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    sql(&app, |c| {
        diesel::update(library_revisions::table)
            .set(library_revisions::created_at.eq(t("2026-05-12 10:00:00")))
            .execute(c)
            .map(drop)
    })
    .await;
    let m = snapshot(&app, Scope::Community(s.community_id)).await.modes;
    assert_eq!(
        (
            m.consume,
            m.contribute,
            m.collaborate,
            m.co_create,
            m.champion
        ),
        (0, 0, 1, 2, 1),
        "cat, who only voted, wrote a page: co-create with ben"
    );
}
