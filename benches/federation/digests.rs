//! A weekly digest run: `--n` members (default 10,000) over `--communities` communities (default
//! 100), each member in three of them; every community had `--posts` new threads this week
//! (default 20), every other one with three comments. Accounts, memberships and threads are
//! written straight into the database in batches (registering 10,000 accounts through the API
//! would time argon2); the communities and their owner through the API. Then one run of
//! `jobs::digests::run_at` at the Monday 08:00 UTC that ends the week: its time, the digests
//! queued, and the process's peak resident memory during the run (VmHWM, reset before it
//! through /proc/self/clear_refs). The instance's own jobs are off (`delivery_in_serve`), so
//! nothing else runs meanwhile; the queued mail is not sent.

use super::{Api, Args, Instance};
use chrono::{Datelike, Duration, TimeZone, Utc};
use copse::db::{
    self,
    schema::{community_members, local_users, persons},
    DbConn,
};
use diesel::prelude::*;
use std::time::Instant;

const BATCH: usize = 500;

pub async fn run(args: &Args) {
    let members = args.n.unwrap_or(10_000);
    let communities = args.number("communities", 100);
    let posts = args.number("posts", 20);
    let target = Instance::spawn(args.postgres, |s| s.delivery_in_serve = false).await;
    let api = Api::of(&target);
    let ctx = target.context();
    let seeding = Instant::now();
    let owner = api.user("owner").await;
    for c in 0..communities {
        api.community(&owner, &format!("c{c}")).await;
    }
    let ids: Vec<i64> = ctx
        .db(move |conn| {
            (0..communities)
                .map(|c| {
                    Ok(db::communities::local_by_name(conn, &format!("c{c}"))?
                        .expect("community")
                        .id)
                })
                .collect()
        })
        .await
        .expect("communities");
    let author = ctx
        .db(|conn| db::accounts::local_person_by_name(conn, "owner"))
        .await
        .expect("owner")
        .expect("owner")
        .id;
    for start in (0..members).step_by(BATCH) {
        let ids = ids.clone();
        ctx.write(move |conn| seed_members(conn, start, (start + BATCH).min(members), &ids))
            .await
            .expect("members");
    }
    for (n, &community) in ids.iter().enumerate() {
        ctx.write(move |conn| seed_threads(conn, community, author, n, posts))
            .await
            .expect("threads");
    }
    let seeded = seeding.elapsed();

    let today = Utc::now().date_naive();
    let monday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    let at = Utc.from_utc_datetime(&monday.and_hms_opt(8, 1, 0).expect("a time"));
    let before = rss_kib("VmRSS");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let report = copse::jobs::digests::run_at(&ctx, at)
        .await
        .expect("digest run");
    let took = started.elapsed();
    let peak = rss_kib("VmHWM");
    let again = Instant::now();
    let second = copse::jobs::digests::run_at(&ctx, at)
        .await
        .expect("second run");
    let idle = again.elapsed();
    let bytes: i64 = ctx
        .db(|conn| {
            use copse::db::schema::mail_queue;
            Ok(mail_queue::table
                .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                    "CAST(COALESCE(SUM(LENGTH(text_body) + LENGTH(html_body)), 0) AS BIGINT)",
                ))
                .first::<i64>(conn)?)
        })
        .await
        .unwrap_or(0);

    println!("### Weekly digest run ({})", args.engine());
    println!();
    println!("| members | communities | threads/community | seeding | run | digests queued | empty | peak RSS before → during run | second run (nothing due) | queued bytes |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {members} | {communities} | {posts} | {:.1} s | **{:.2} s** | {} | {} | {} MiB → {} MiB | {:.2} s ({} already) | {:.1} MB |",
        seeded.as_secs_f64(),
        took.as_secs_f64(),
        report.queued,
        report.empty,
        before / 1024,
        peak / 1024,
        idle.as_secs_f64(),
        second.already + second.queued,
        bytes as f64 / 1e6,
    );
    target.stop().await;
}

/// A line of /proc/self/status, in KiB.
fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Members `start..end`: a person, an account, and three memberships each.
fn seed_members(
    conn: &mut DbConn,
    start: usize,
    end: usize,
    communities: &[i64],
) -> copse::error::Result<()> {
    let at = db::now();
    let people: Vec<_> = (start..end)
        .map(|i| {
            let ap_id = format!("http://bench.local/u/m{i}");
            (
                persons::ap_id.eq(ap_id.clone()),
                persons::name.eq(format!("m{i}")),
                persons::inbox_url.eq(format!("{ap_id}/inbox")),
                persons::public_key.eq("bench"),
                persons::local.eq(true),
                persons::published.eq(at),
                persons::last_refreshed_at.eq(at),
            )
        })
        .collect();
    let insert = diesel::insert_into(persons::table).values(people);
    match conn {
        DbConn::Pg(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    let names: Vec<String> = (start..end).map(|i| format!("m{i}")).collect();
    let ids: Vec<(String, i64)> = persons::table
        .filter(persons::name.eq_any(&names))
        .filter(persons::local.eq(true))
        .select((persons::name, persons::id))
        .load(conn)?;
    let users: Vec<_> = ids
        .iter()
        .map(|(name, id)| {
            (
                local_users::person_id.eq(*id),
                local_users::email.eq(format!("{name}@example.org")),
                local_users::password_hash.eq("bench"),
                local_users::is_admin.eq(false),
                local_users::approved.eq(true),
                local_users::created_at.eq(at),
                local_users::email_confirmed_at.eq(Some(at)),
            )
        })
        .collect();
    let insert = diesel::insert_into(local_users::table).values(users);
    match conn {
        DbConn::Pg(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    let n = communities.len();
    let memberships: Vec<_> = ids
        .iter()
        .flat_map(|(name, id)| {
            let i: usize = name[1..].parse().unwrap_or(0);
            let mut picked = vec![i % n, (i * 7 + 3) % n, (i * 13 + 5) % n];
            picked.sort_unstable();
            picked.dedup();
            picked.into_iter().map(move |c| {
                (
                    community_members::community_id.eq(communities[c]),
                    community_members::person_id.eq(*id),
                    community_members::role.eq("member"),
                    community_members::state.eq("active"),
                    community_members::created_at.eq(at),
                )
            })
        })
        .collect();
    let insert = diesel::insert_into(community_members::table).values(memberships);
    match conn {
        DbConn::Pg(pg) => insert.execute(pg)?,
        DbConn::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(())
}

/// `posts` threads in a community, every other one with three comments.
fn seed_threads(
    conn: &mut DbConn,
    community: i64,
    author: i64,
    n: usize,
    posts: usize,
) -> copse::error::Result<()> {
    for p in 0..posts {
        let title = format!("Thread {p} of community {n}: a question about practice");
        let post = db::posts::insert_post(
            conn,
            &db::posts::NewPost {
                ap_id: None,
                community_id: community,
                author_id: author,
                title: &title,
                body_md: "A paragraph of *benchmark* text.",
                body_html: "<p>A paragraph of <em>benchmark</em> text.</p>",
                published: None,
            },
            "http://bench.local",
        )?;
        if p % 2 == 0 {
            for _ in 0..3 {
                db::posts::insert_comment(
                    conn,
                    &db::posts::NewComment {
                        ap_id: None,
                        post_id: post.id,
                        parent_id: None,
                        author_id: author,
                        body_md: "A reply.",
                        body_html: "<p>A reply.</p>",
                        published: None,
                    },
                    "http://bench.local",
                )?;
            }
        }
    }
    Ok(())
}
