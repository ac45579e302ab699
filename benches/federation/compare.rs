//! The same load against copse on both engines in one go (issue 19): signed inbox ingest at
//! concurrency 16, the community listing, the community page, a 200-comment thread and its page
//! at concurrency 16, the idle memory of `copse serve`, and the peak memory under each load.
//! Prints one table, SQLite beside PostgreSQL, each figure with its ratio to the previous run
//! (kept as JSON in `--history`, default `target/bench-compare.json`), so a regression shows at
//! a glance.
//!
//! ```sh
//! cargo bench --bench federation -- compare [--n POSTS] [--secs S] [--ingest N] [--history PATH]
//! ```

use crate::{crash, ingest, listing, Api, Args, BenchDb};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// One figure of one engine, under a key that stays the same from run to run.
struct Figure {
    key: String,
    label: String,
    value: f64,
    unit: &'static str,
}

pub async fn run(args: &Args) {
    let posts = args.n.unwrap_or(2500);
    let secs = args.number("secs", 5);
    let ingest_n = args.number("ingest", 4000);
    let history = args
        .extra
        .iter()
        .find(|(k, _)| k == "history")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(default_history);
    let previous: Value = std::fs::read_to_string(&history)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);

    let mut engines = Vec::new();
    for postgres in [false, true] {
        let engine = if postgres { "PostgreSQL" } else { "SQLite" };
        eprintln!("== {engine}");
        let mut figures = Vec::new();
        figures.push(Figure {
            key: "idle_rss".into(),
            label: "`copse serve` idle RSS".into(),
            value: idle_rss_mib(postgres).await,
            unit: "MiB",
        });

        reset_peak();
        let rows = ingest::run(&Args {
            mode: "ingest".into(),
            postgres,
            n: Some(ingest_n),
            extra: vec![("levels".into(), "16".into())],
        })
        .await;
        let peak = own_peak_mib();
        for row in rows {
            figures.push(Figure {
                key: "ingest_rate".into(),
                label: format!("inbox ingest, concurrency {}", row.concurrency),
                value: row.rate,
                unit: "/s",
            });
            figures.push(Figure {
                key: "ingest_p99".into(),
                label: "inbox ingest p99".into(),
                value: row.p99_ms,
                unit: "ms",
            });
            figures.push(Figure {
                key: "ingest_cpu".into(),
                label: "ingest CPU per 1,000 activities".into(),
                value: row.cpu_ms_per_1000,
                unit: "ms",
            });
        }
        figures.push(Figure {
            key: "ingest_peak_rss".into(),
            label: "peak RSS during ingest (5 instances, load generator)".into(),
            value: peak,
            unit: "MiB",
        });

        reset_peak();
        let rows = listing::run(&Args {
            mode: "listing".into(),
            postgres,
            n: Some(posts),
            extra: vec![
                ("levels".into(), "16".into()),
                ("secs".into(), secs.to_string()),
            ],
        })
        .await;
        let peak = own_peak_mib();
        for row in rows {
            let key = row.read.replace([' ', ',', '(', ')'], "_");
            figures.push(Figure {
                key: format!("read_rate_{key}"),
                label: format!("{}, concurrency {}", row.read, row.concurrency),
                value: row.rate,
                unit: "req/s",
            });
            figures.push(Figure {
                key: format!("read_p99_{key}"),
                label: format!("{} p99", row.read),
                value: row.p99_ms,
                unit: "ms",
            });
        }
        figures.push(Figure {
            key: "read_peak_rss".into(),
            label: "peak RSS during the reads".into(),
            value: peak,
            unit: "MiB",
        });
        engines.push((engine, figures));
    }

    print_table(&engines, &previous, posts, secs);
    let mut saved = Map::new();
    saved.insert("machine".into(), json!(crate::machine_line()));
    for (engine, figures) in &engines {
        let values: Map<String, Value> = figures
            .iter()
            .map(|f| (f.key.clone(), json!(f.value)))
            .collect();
        saved.insert((*engine).into(), Value::Object(values));
    }
    if let Some(dir) = std::path::Path::new(&history).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(&history, Value::Object(saved).to_string()) {
        Ok(()) => println!("\nSaved as the previous run for next time: {history}"),
        Err(e) => println!("\nCould not save {history}: {e}"),
    }
}

fn default_history() -> String {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    format!("{target}/bench-compare.json")
}

fn print_table(engines: &[(&str, Vec<Figure>)], previous: &Value, posts: usize, secs: usize) {
    println!(
        "\n## Both engines ({}; {posts} posts, reads {secs} s a row)\n",
        crate::machine_line()
    );
    println!(
        "Ratios are this run ÷ the previous run's (`×1.00` = the same; for rates more is \
         better, for ms and MiB less is).\n"
    );
    let header: Vec<String> = engines
        .iter()
        .map(|(e, _)| format!("{e} | ratio"))
        .collect();
    println!("| figure | {} |", header.join(" | "));
    println!("| --- |{}", " --- | --- |".repeat(engines.len()));
    let Some((_, first)) = engines.first() else {
        return;
    };
    for (i, figure) in first.iter().enumerate() {
        let mut cells = Vec::new();
        for (engine, figures) in engines {
            let Some(f) = figures.get(i) else { continue };
            let before = previous[*engine][&f.key].as_f64();
            let ratio = match before {
                Some(b) if b > 0.0 => format!("×{:.2}", f.value / b),
                _ => "–".into(),
            };
            cells.push(format!("{} {} | {ratio}", number(f.value), f.unit));
        }
        println!("| {} | {} |", figure.label, cells.join(" | "));
    }
}

fn number(v: f64) -> String {
    if v >= 100.0 {
        let whole = format!("{:.0}", v);
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        format!("{v:.1}")
    }
}

/// `copse serve` (the release binary) started on a fresh database, asked for its front page,
/// a community page, a thread and the API once each (so that its pools, caches and templates
/// are warm), then left alone for 3 s: its resident memory then.
async fn idle_rss_mib(postgres: bool) -> f64 {
    let db = BenchDb::new(postgres);
    let port = crash::free_port();
    let child = crash::start(&db.url(), port).await;
    let api = Api {
        base: format!("http://localhost:{port}"),
        client: reqwest::Client::new(),
    };
    let owner = api.user("owner").await;
    api.community(&owner, "bench").await;
    let post = api.new_post(&owner, "bench", "Idle").await;
    let id = post["id"].as_i64().unwrap_or(1);
    for path in [
        "/".to_string(),
        "/c/bench".into(),
        format!("/post/{id}"),
        "/api/v1/communities/bench/posts".into(),
        "/c/bench/outbox".into(),
    ] {
        let _ = api.client.get(format!("{}{path}", api.base)).send().await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = child.id().unwrap_or(0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0;
    drop(child);
    rss
}

/// Resets this process's peak resident set (Linux: `VmHWM` through `/proc/self/clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident set since the last reset, in MiB.
fn own_peak_mib() -> f64 {
    crate::child_peak_rss_mib(std::process::id()).unwrap_or(0.0)
}
