//! Fan-out: one post in a community followed from `n` distinct instances (the sink child, one
//! port per instance), once with every instance healthy and once with one of them hung (it
//! accepts connections and never answers). Measures the time from the post's API call until
//! the last healthy instance has both activities (`Announce(Create(Page))` and
//! `Announce(Page)`), and the signed deliveries per second over that time.

use crate::{cpu_time, ms, peak_rss_mib, sink::Sink, store_remote_member, Api, Args, Instance};
use std::time::{Duration, Instant};

pub async fn run(args: &Args) {
    let n = args.n.unwrap_or(1000);
    let workers = args.number("workers", 2);
    println!("## Fan-out, {} ({})", args.engine(), crate::machine_line());
    println!("{n} instances following the community, copse http_workers = {workers}\n");
    println!("| dead | deliveries | first delivery ms | all Announce(Create) ms | last healthy delivery ms | signatures/s | copse CPU ms | dead one when done | copse process peak RSS MiB | sink peak RSS MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for dead in [0, 1] {
        scenario(args, n, dead, workers).await;
    }
}

async fn scenario(args: &Args, n: usize, dead: usize, workers: usize) {
    let sink = Sink::start(n - dead, dead).await;
    let target = Instance::spawn(args.postgres, |s| s.http_workers = workers).await;
    let api = Api::of(&target);
    let owner = api.user("owner").await;
    api.community(&owner, "bench").await;
    let ports: Vec<u16> = sink.healthy.iter().chain(&sink.dead).copied().collect();
    target
        .context()
        .write(move |conn| {
            for (i, port) in ports.iter().enumerate() {
                let origin = format!("http://localhost:{port}");
                store_remote_member(
                    conn,
                    "bench",
                    &format!("{origin}/u/m{i}"),
                    &format!("{origin}/inbox/m{i}"),
                )?;
            }
            Ok(())
        })
        .await
        .expect("members stored");
    // Let the planner and the worker go idle.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let expected = 2 * (n - dead);
    let (cpu0, t0, start) = (cpu_time(false), crate::epoch_nanos(), Instant::now());
    api.new_post(&owner, "bench", "Fan-out").await;
    while sink.count() < expected && start.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let cpu = cpu_time(false) - cpu0;
    let receipts = sink.receipts();
    let since = |at: u128| Duration::from_nanos(at.saturating_sub(t0) as u64);
    let first = receipts.iter().map(|r| r.at_nanos).min().map(since);
    let last = receipts.iter().map(|r| r.at_nanos).max().map(since);
    let creates = receipts
        .iter()
        .filter(|r| r.kind == "Announce/Create")
        .map(|r| r.at_nanos)
        .max()
        .map(since);
    let dead_state = match sink.dead.first() {
        Some(port) => dead_state(&target, *port).await,
        None => "–".into(),
    };
    let last = last.unwrap_or_default();
    println!(
        "| {dead} | {}/{expected} | {} | {} | {} | {:.0} | {:.0} | {dead_state} | {:.0} | {:.0} |",
        receipts.len(),
        ms(first.unwrap_or_default()),
        ms(creates.unwrap_or_default()),
        ms(last),
        receipts.len() as f64 / last.as_secs_f64().max(1e-9),
        cpu.as_secs_f64() * 1000.0,
        peak_rss_mib(),
        sink.peak_rss_mib().unwrap_or(0.0),
    );
    target.stop().await;
}

/// The dead instance's deliveries at the time the healthy ones were done, e.g. `2 pending, 1
/// in flight`.
async fn dead_state(target: &Instance, port: u16) -> String {
    use copse::db::schema::deliveries::dsl as d;
    use diesel::prelude::*;
    let host = format!("localhost:{port}");
    let rows: Vec<(String, i32, Option<chrono::NaiveDateTime>)> = target
        .context()
        .db(move |conn| {
            Ok(d::deliveries
                .filter(d::host.eq(host))
                .select((d::state, d::attempts, d::claimed_until))
                .load(conn)?)
        })
        .await
        .expect("query");
    let in_flight = rows.iter().filter(|r| r.2.is_some()).count();
    let tried = rows.iter().filter(|r| r.1 > 0).count();
    format!(
        "{} queued, {in_flight} in flight, {tried} tried",
        rows.len()
    )
}
