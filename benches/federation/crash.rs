//! Crash-resume, as the crash test but with `n` instances: copse runs as a child process
//! (`copse serve`, release build), its community is followed from `n` instances (the sink
//! child), a burst of posts is made, copse is killed with SIGKILL once a quarter of the
//! deliveries have arrived, and started again on the same database. Counts every (activity,
//! instance) pair the sink received: lost (never arrived), duplicates (arrived more than once),
//! and how long the restarted instance took to deliver the rest.

use crate::{child_cpu_time, child_peak_rss_mib, ms, sink::Sink, Api, Args, BenchDb};
use std::{
    collections::HashMap,
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

pub async fn run(args: &Args) {
    let n = args.n.unwrap_or(100);
    let posts = args.number("posts", 20);
    let expected = posts * 2 * n;
    let kill_at = args.number("kill-at", expected / 4);
    println!(
        "## Crash-resume, {} ({})",
        args.engine(),
        crate::machine_line()
    );
    println!(
        "{n} instances, {posts} posts → {expected} (activity, instance) pairs; SIGKILL after \
         {kill_at} had arrived\n"
    );
    let sink = Sink::start(n, 0).await;
    let db = BenchDb::new(args.postgres);
    let port = free_port();
    let mut child = start(&db.url(), port).await;
    let api = Api {
        base: format!("http://localhost:{port}"),
        client: reqwest::Client::new(),
    };
    let owner = api.user("owner").await;
    api.community(&owner, "bench").await;
    let settings = crate::settings(&db, port);
    let ports = sink.healthy.clone();
    let pool = tokio::task::spawn_blocking(move || {
        let pool = copse::db::open(&settings).expect("pool");
        let mut conn = pool.get().expect("connection");
        copse::db::write_tx(&mut conn, |conn| {
            for (i, port) in ports.iter().enumerate() {
                let origin = format!("http://localhost:{port}");
                crate::store_remote_member(
                    conn,
                    "bench",
                    &format!("{origin}/u/m{i}"),
                    &format!("{origin}/inbox/m{i}"),
                )?;
            }
            Ok(())
        })
        .expect("members stored");
        pool
    })
    .await
    .expect("members");

    let start = Instant::now();
    for i in 0..posts {
        api.new_post(&owner, "bench", &format!("Post {i:02}")).await;
    }
    let posted = start.elapsed();
    while sink.count() < kill_at && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let pid = child.id().expect("pid");
    let (rss_before, cpu_before) = (child_peak_rss_mib(pid), child_cpu_time(pid));
    child.start_kill().expect("kill");
    child.wait().await.expect("reaped");
    let killed_after = start.elapsed();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let before = distinct(&sink.receipts()).len();

    let (restart, t_restart) = (Instant::now(), crate::epoch_nanos());
    let mut child = start_child_again(&db, port).await;
    let answering = restart.elapsed();
    while distinct(&sink.receipts()).len() < expected
        && restart.elapsed() < Duration::from_secs(180)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let firsts = distinct(&sink.receipts());
    let drained = firsts
        .values()
        .max()
        .map(|at| Duration::from_nanos(at.saturating_sub(t_restart) as u64))
        .unwrap_or_default();
    // Late duplicates: wait until nothing is pending any more, then count.
    let wait = Instant::now();
    while pending(&pool).await > 0 && wait.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let receipts = sink.receipts();
    let pid = child.id().expect("pid");
    let (rss_after, cpu_after) = (child_peak_rss_mib(pid), child_cpu_time(pid));
    let _ = child.start_kill();
    let _ = child.wait().await;
    let lost = expected.saturating_sub(firsts.len());
    println!("| instances | pairs | posts made in ms | killed at ms | arrived before kill | lost | duplicates | restart → answering ms | restart → drained ms | copse CPU before / after kill ms | copse peak RSS before / after kill MiB | sink peak RSS MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let cpu = |c: Option<Duration>| c.map_or(0.0, |c| c.as_secs_f64() * 1000.0);
    println!(
        "| {n} | {expected} | {} | {} | {before} | {lost} | {} | {} | {} | {:.0} / {:.0} | {:.0} / {:.0} | {:.0} |",
        ms(posted),
        ms(killed_after),
        receipts.len() - firsts.len(),
        ms(answering),
        ms(drained),
        cpu(cpu_before),
        cpu(cpu_after),
        rss_before.unwrap_or(0.0),
        rss_after.unwrap_or(0.0),
        sink.peak_rss_mib().unwrap_or(0.0),
    );
    drop(pool);
}

/// The first arrival of every (instance, activity) pair.
fn distinct(receipts: &[crate::sink::Receipt]) -> HashMap<(u16, String), u128> {
    let mut firsts = HashMap::new();
    for r in receipts {
        let at = firsts
            .entry((r.port, r.activity_id.clone()))
            .or_insert(r.at_nanos);
        *at = (*at).min(r.at_nanos);
    }
    firsts
}

async fn pending(pool: &copse::db::DbPool) -> i64 {
    use copse::db::schema::deliveries::dsl as d;
    use diesel::prelude::*;
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        d::deliveries
            .filter(d::state.eq("pending"))
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap_or(0)
    })
    .await
    .unwrap_or(0)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn start_child_again(db: &BenchDb, port: u16) -> Child {
    start(&db.url(), port).await
}

/// `copse serve` as a child, as the crash test starts it; returns once it answers HTTP.
pub async fn start(db_url: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_copse"))
        .arg("serve")
        .env("COPSE_HOSTNAME", format!("localhost:{port}"))
        .env("COPSE_BIND", format!("127.0.0.1:{port}"))
        .env("COPSE_DATABASE_URL", db_url)
        .env("COPSE_INSECURE_FEDERATION", "true")
        .env("COPSE_DELIVERY_RETRY_BASE_SECS", "1")
        .env("COPSE_DELIVERY_RETRY_MAX_SECS", "2")
        .env("COPSE_HTTP_WORKERS", "2")
        .env("COPSE_LOG", "warn")
        .env_remove("COPSE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("copse binary starts");
    let client = reqwest::Client::new();
    let url = format!("http://localhost:{port}/.well-known/nodeinfo");
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(&url).send().await.is_err() {
        assert!(Instant::now() < deadline, "copse did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child
}
