//! Reads: the newest 20 posts of a community of `n` posts (`GET
//! /api/v1/communities/bench/posts`, sorts `new` and `top`), a thread of `--comments` comments
//! (`GET /api/v1/posts/{id}/comments`), and the same two as web pages (`/c/bench`,
//! `/post/{id}`), each for `--secs` seconds at every concurrency of `--levels`: anonymous, or
//! with `--signed-in 1` as a member of the community (its session as the API's bearer token and
//! the pages' cookie; never served from the read cache). `--read-cache MIB` sets the target's
//! read cache (`0`: off, every request rendered).
//!
//! The posts (by 100 remote authors, every fourth with two comments, scores spread) and
//! `--votes` votes on them (from 1,000 remote voters, ten a post at most per voter round) are
//! stored through `copse::db` before the clock starts: seeding is not what is measured. A load
//! generator on a thread of its own sends the requests; the target's CPU is the process's CPU
//! minus that thread's.

use crate::{cpu_time, ms, peak_rss_mib, percentile, store_remote_person, Api, Args, Instance};
use copse::db::{self, DbConn};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const AUTHORS: usize = 100;
const VOTERS: usize = 1000;

/// One measured read at one level, as printed: what `compare` keeps.
pub struct Row {
    pub read: &'static str,
    pub concurrency: usize,
    pub rate: f64,
    pub p99_ms: f64,
    pub peak_rss_mib: f64,
}

pub async fn run(args: &Args) -> Vec<Row> {
    let n = args.n.unwrap_or(2500);
    let workers = args.number("workers", 2);
    let secs = args.number("secs", 10) as u64;
    let comments = args.number("comments", 200);
    let votes = args.number("votes", 0);
    // The read cache's size (`read_cache_mib`; 0 turns it off), to compare with and without.
    let cache = args.number("read-cache", 32) as u64;
    let signed_in = args.number("signed-in", 0) > 0;
    let levels: Vec<usize> = match args.extra.iter().find(|(k, _)| k == "levels") {
        Some((_, v)) => v.split(',').filter_map(|c| c.parse().ok()).collect(),
        None => vec![16],
    };
    println!("## Reads, {} ({})", args.engine(), crate::machine_line());
    println!(
        "{n} posts in the community (by {AUTHORS} authors), {votes} votes on them, a thread of \
         {comments} comments, {secs} s per row, target http_workers = {workers}, \
         read_cache_mib = {cache}, readers {}\n",
        if signed_in {
            "signed in (a member)"
        } else {
            "anonymous"
        }
    );
    let target = Instance::spawn(args.postgres, |s| {
        s.http_workers = workers;
        s.read_cache_mib = cache;
    })
    .await;
    let api = Api::of(&target);
    let owner = api.user("owner").await;
    api.community(&owner, "bench").await;
    let reader = match signed_in {
        true => {
            let reader = api.user("reader").await;
            let (status, body) = api
                .post(
                    "/api/v1/communities/bench/join",
                    Some(&reader),
                    serde_json::json!({}),
                )
                .await;
            assert!(status < 300, "join: {status} {body}");
            Some(reader)
        }
        false => None,
    };
    let seeded = Instant::now();
    let thread = seed(&target, n, comments).await;
    seed_votes(&target, n, votes).await;
    eprintln!("seeded in {:.1}s", seeded.elapsed().as_secs_f64());
    settle(&target).await;

    let paths = [
        (
            "community, 20 newest",
            "/api/v1/communities/bench/posts".to_string(),
        ),
        (
            "community, 20 top",
            "/api/v1/communities/bench/posts?sort=top".to_string(),
        ),
        ("thread", format!("/api/v1/posts/{thread}/comments")),
        ("community page (HTML)", "/c/bench".to_string()),
        ("thread page (HTML)", format!("/post/{thread}")),
    ];
    println!("| read | concurrency | requests | req/s | p50 ms | p99 ms | target CPU ms per request | process peak RSS MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut rows = Vec::new();
    for (label, path) in &paths {
        let url = format!("{}{path}", target.base);
        let probe = as_reader(reqwest::Client::new().get(&url), reader.as_deref())
            .send()
            .await
            .expect("probe");
        assert!(probe.status().is_success(), "{url}: {}", probe.status());
        for &concurrency in &levels {
            let (url, reader) = (url.clone(), reader.clone());
            let result =
                std::thread::spawn(move || load(&url, reader.as_deref(), concurrency, secs))
                    .join()
                    .expect("load generator");
            let mut samples = result.samples;
            samples.sort();
            let cpu = result.process_cpu.saturating_sub(result.loader_cpu);
            let row = Row {
                read: label,
                concurrency,
                rate: samples.len() as f64 / result.wall.as_secs_f64(),
                p99_ms: percentile(&samples, 99.0).as_secs_f64() * 1000.0,
                peak_rss_mib: peak_rss_mib(),
            };
            println!(
                "| {label} | {concurrency} | {} | {:.0} | {} | {} | {:.2} | {:.0} |",
                samples.len(),
                row.rate,
                ms(percentile(&samples, 50.0)),
                ms(percentile(&samples, 99.0)),
                cpu.as_secs_f64() * 1000.0 / samples.len().max(1) as f64,
                row.peak_rss_mib,
            );
            rows.push(row);
            if result.failed > 0 {
                println!("\n{} requests failed\n", result.failed);
            }
        }
    }
    target.stop().await;
    rows
}

/// Stores `n` posts in `bench` and a thread of `comments` comments; returns the thread's id.
async fn seed(target: &Instance, n: usize, comments: usize) -> i64 {
    let ctx = target.context();
    let authors: Vec<i64> = ctx
        .write(|conn| {
            (0..AUTHORS)
                .map(|i| {
                    let ap_id = format!("https://r{}.example/u/p{i}", i % 10);
                    Ok(store_remote_person(conn, &ap_id, &format!("{ap_id}/inbox"))?.id)
                })
                .collect()
        })
        .await
        .expect("authors");
    let community = ctx
        .db(|conn| db::communities::local_by_name(conn, "bench"))
        .await
        .expect("community")
        .expect("bench")
        .id;
    let authors = Arc::new(authors);
    for start in (0..n).step_by(500) {
        let authors = authors.clone();
        ctx.write(move |conn| {
            for i in start..(start + 500).min(n) {
                let author = authors[i % AUTHORS];
                let post = store_post(conn, community, author, i)?;
                if i % 4 == 0 {
                    for c in 0..2 {
                        store_comment(conn, post, None, authors[(i + c + 1) % AUTHORS], i, c)?;
                    }
                }
            }
            Ok(())
        })
        .await
        .expect("posts");
    }
    ctx.write(move |conn| {
        let thread = store_post(conn, community, authors[0], n)?;
        let mut previous = None;
        for c in 0..comments {
            // A third of the comments answer the one before them, the rest answer the post.
            let parent = if c % 3 == 2 { previous } else { None };
            let author = authors[c % AUTHORS];
            previous = Some(store_comment(conn, thread, parent, author, n, c)?);
        }
        Ok(thread)
    })
    .await
    .expect("thread")
}

/// Leaves PostgreSQL as a running instance's would be after a bulk load: statistics gathered
/// and dirty pages written (`VACUUM ANALYZE`, `CHECKPOINT`), which autovacuum and the
/// checkpointer would otherwise do during the measured rows.
async fn settle(target: &Instance) {
    let started = Instant::now();
    let settled = target
        .context()
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            if let DbConn::Pg(pg) = conn {
                // One at a time: several statements in one call are one transaction block,
                // where VACUUM may not run.
                pg.batch_execute("VACUUM ANALYZE")?;
                pg.batch_execute("CHECKPOINT")?;
            }
            Ok(())
        })
        .await;
    settled.expect("vacuum");
    eprintln!("settled in {:.1}s", started.elapsed().as_secs_f64());
}

/// Stores `votes` votes on the first `n` posts: voter `v` votes on every post in round `v`, so
/// no (voter, post) pair repeats while `votes <= n * VOTERS`. Batches of 5,000 rows (20,000
/// parameters: under SQLite's 32,766).
async fn seed_votes(target: &Instance, n: usize, votes: usize) {
    if votes == 0 {
        return;
    }
    assert!(
        votes <= n * VOTERS,
        "at most {} votes on {n} posts",
        n * VOTERS
    );
    let ctx = target.context();
    let started = Instant::now();
    let voters: Vec<i64> = ctx
        .write(|conn| {
            (0..VOTERS)
                .map(|i| {
                    let ap_id = format!("https://v{}.example/u/voter{i}", i % 10);
                    Ok(store_remote_person(conn, &ap_id, &format!("{ap_id}/inbox"))?.id)
                })
                .collect()
        })
        .await
        .expect("voters");
    let voters = Arc::new(voters);
    for start in (0..votes).step_by(5_000) {
        let voters = voters.clone();
        ctx.write(move |conn| {
            use copse::db::schema::votes;
            use diesel::prelude::*;
            let at = db::now();
            let rows: Vec<_> = (start..(start + 5_000).min(votes))
                .map(|v| {
                    let post = v % n;
                    (
                        votes::person_id.eq(voters[v / n]),
                        votes::object_ap_id
                            .eq(format!("https://r{}.example/post/{post}", post % 10)),
                        votes::score.eq(if v % 5 == 0 { -1 } else { 1 }),
                        votes::created_at.eq(at),
                    )
                })
                .collect();
            let insert = diesel::insert_into(votes::table).values(rows);
            match conn {
                DbConn::Pg(pg) => insert.execute(pg)?,
                DbConn::Sqlite(lite) => insert.execute(lite)?,
            };
            Ok(())
        })
        .await
        .expect("votes");
    }
    eprintln!(
        "{votes} votes seeded in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

fn store_post(
    conn: &mut DbConn,
    community: i64,
    author: i64,
    i: usize,
) -> copse::error::Result<i64> {
    use copse::db::schema::posts;
    use diesel::prelude::*;
    let ap_id = format!("https://r{}.example/post/{i}", i % 10);
    let post = db::posts::insert_post(
        conn,
        &db::posts::NewPost {
            ap_id: Some(&ap_id),
            community_id: community,
            author_id: author,
            title: &format!("Benchmark post {i}"),
            body_md: "A paragraph of *benchmark* text, as a small post has.",
            body_html: "<p>A paragraph of <em>benchmark</em> text, as a small post has.</p>",
            published: None,
        },
        "",
    )?;
    // Scores spread so that `top` has something to sort.
    diesel::update(posts::table.find(post.id))
        .set(posts::score.eq((i * 7919 % 97) as i64))
        .execute(conn)?;
    Ok(post.id)
}

fn store_comment(
    conn: &mut DbConn,
    post: i64,
    parent: Option<i64>,
    author: i64,
    i: usize,
    c: usize,
) -> copse::error::Result<i64> {
    let ap_id = format!("https://r{}.example/comment/{i}-{c}", i % 10);
    let comment = db::posts::insert_comment(
        conn,
        &db::posts::NewComment {
            ap_id: Some(&ap_id),
            post_id: post,
            parent_id: parent,
            author_id: author,
            body_md: "A reply.",
            body_html: "<p>A reply.</p>",
            published: None,
        },
        "",
    )?;
    Ok(comment.id)
}

struct LoadResult {
    wall: Duration,
    samples: Vec<Duration>,
    failed: usize,
    loader_cpu: Duration,
    process_cpu: Duration,
}

/// A request as the reader whose session is `token` (both the API's bearer token and the pages'
/// cookie, under either of its names), or as nobody.
fn as_reader(request: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(token) => request.bearer_auth(token).header(
            reqwest::header::COOKIE,
            format!("__Host-copse_session={token}; copse_session={token}"),
        ),
        None => request,
    }
}

/// GETs `url` with `concurrency` requests in flight for `secs` seconds, from this thread only,
/// as the reader whose session is `token` if any.
fn load(url: &str, token: Option<&str>, concurrency: usize, secs: u64) -> LoadResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("client");
        let samples = Arc::new(Mutex::new(Vec::new()));
        let failed = Arc::new(Mutex::new(0));
        let (cpu0, process0, start) = (cpu_time(true), cpu_time(false), Instant::now());
        let deadline = start + Duration::from_secs(secs);
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, samples, failed, url, token) = (
                    client.clone(),
                    samples.clone(),
                    failed.clone(),
                    url.to_string(),
                    token.map(str::to_string),
                );
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        let request = as_reader(client.get(&url), token.as_deref());
                        let ok = match request.send().await {
                            Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                            _ => false,
                        };
                        if ok {
                            samples.lock().unwrap().push(sent.elapsed());
                        } else {
                            *failed.lock().unwrap() += 1;
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("reader task");
        }
        let wall = start.elapsed();
        let (loader_cpu, process_cpu) = (cpu_time(true) - cpu0, cpu_time(false) - process0);
        let samples = std::mem::take(&mut *samples.lock().unwrap());
        let failed = *failed.lock().unwrap();
        LoadResult {
            wall,
            samples,
            failed,
            loader_cpu,
            process_cpu,
        }
    })
}
