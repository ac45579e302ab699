//! A library page with `--n` revisions (default 1,000): its history page, and diffs between
//! revisions far apart and next to each other, each read `--reps` times (default 20) over HTTP
//! by a signed-out reader (the pages and the JSON API); the median and the slowest are printed.
//! The page has 200 lines; each revision rewrites one of them, so the first and last revisions
//! differ in every line.

use super::{Api, Args, Instance};
use serde_json::json;
use std::time::{Duration, Instant};

const LINES: usize = 200;

fn text(revision: usize) -> String {
    (0..LINES)
        .map(|l| {
            // Line `l` was last rewritten by the latest revision r ≤ `revision` with r % LINES == l.
            let last = (0..=revision).rev().find(|r| r % LINES == l).unwrap_or(0);
            format!("Line {l}: written by revision {last}, with some words to compare.")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn run(args: &Args) {
    let revisions = args.n.unwrap_or(1_000);
    let reps = args.number("reps", 20);
    let target = Instance::spawn(args.postgres, |s| s.delivery_in_serve = false).await;
    let api = Api::of(&target);
    let owner = api.user("owner").await;
    api.community(&owner, "lib").await;
    let pages = "/api/v1/communities/lib/pages";
    let (status, body) = api
        .post(
            pages,
            Some(&owner),
            json!({"title": "Handbook", "body": text(1)}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let seeding = Instant::now();
    for r in 2..=revisions {
        let body = json!({"title": "Handbook", "body": text(r), "summary": format!("revision {r}"), "base_revision": r - 1});
        let res = api
            .client
            .put(format!("{}{pages}/handbook", api.base))
            .bearer_auth(&owner)
            .json(&body)
            .send()
            .await
            .expect("save");
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }
    let seeded = seeding.elapsed();
    let last = revisions;
    let reads = [
        (
            "history page",
            "/c/lib/library/handbook/history".to_string(),
        ),
        ("history (API)", format!("{pages}/handbook/revisions")),
        (
            "diff 1 → last (page)",
            format!("/c/lib/library/handbook/diff?from=1&to={last}"),
        ),
        (
            "diff last−1 → last (page)",
            format!("/c/lib/library/handbook/diff?from={}&to={last}", last - 1),
        ),
        (
            "diff 1 → 2 (page)",
            "/c/lib/library/handbook/diff?from=1&to=2".to_string(),
        ),
        (
            "diff 1 → last (API)",
            format!("{pages}/handbook/diff?from=1&to={last}"),
        ),
        ("page", "/c/lib/library/handbook".to_string()),
    ];
    let engine = if args.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\n{revisions} revisions of a {LINES}-line page ({engine}; seeded through the API in {seeded:.1?}), {reps} reads each:\n");
    println!("| read | median | slowest | bytes |");
    println!("| --- | --- | --- | --- |");
    for (what, path) in reads {
        let mut times: Vec<Duration> = Vec::with_capacity(reps);
        let mut bytes = 0;
        for _ in 0..reps {
            let started = Instant::now();
            let res = api
                .client
                .get(format!("{}{path}", api.base))
                .send()
                .await
                .expect("read");
            assert_eq!(res.status(), 200, "{path}");
            bytes = res.bytes().await.expect("body").len();
            times.push(started.elapsed());
        }
        times.sort();
        let median = times[times.len() / 2];
        let slowest = times[times.len() - 1];
        println!("| {what} | {median:.1?} | {slowest:.1?} | {bytes} |");
    }
}
