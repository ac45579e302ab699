//! Inbox ingest: signed `Create(Page)` and `Like` activities from simulated remote instances
//! (in-process copse instances whose users sign with their own keys, and which serve those
//! users' actors) into one community on the target, at concurrency 1 and 16.
//!
//! Every request is built and signed before the clock starts (RSA signing is the remote
//! instances' cost, not ours), then a load generator on a thread of its own sends them. The
//! target's CPU is the process's CPU minus that thread's. A warm-up round lets the target fetch
//! and store every actor first, and stores the posts that the `Like`s are about.

use crate::{cpu_time, ms, peak_rss_mib, percentile, Api, Args, Instance};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use openssl::{hash::MessageDigest, pkey::PKey, sign::Signer};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// A remote person who signs: actor id and private key PEM.
#[derive(Clone)]
struct Actor {
    id: String,
    pem: String,
}

/// One pre-signed POST to the target's shared inbox.
struct Prepared {
    request: reqwest::Request,
    like: bool,
}

/// One measured level, as printed: what `compare` keeps.
pub struct Row {
    pub concurrency: usize,
    pub rate: f64,
    pub p99_ms: f64,
    pub cpu_ms_per_1000: f64,
    pub peak_rss_mib: f64,
}

pub async fn run(args: &Args) -> Vec<Row> {
    let n = args.n.unwrap_or(4000);
    let instances = args.number("senders", 4);
    let per_instance = args.number("actors", 4);
    let workers = args.number("workers", 2);
    // `--levels 16` runs one level only (for profiling).
    let concurrencies: Vec<usize> = match args.extra.iter().find(|(k, _)| k == "levels") {
        Some((_, v)) => v.split(',').filter_map(|c| c.parse().ok()).collect(),
        None => vec![1, 16],
    };
    println!(
        "## Inbox ingest, {} ({})",
        args.engine(),
        crate::machine_line()
    );
    println!(
        "N = {n} per run (half Create(Page), half Like), {instances} sending instances × \
         {per_instance} actors, target http_workers = {workers}\n"
    );
    let target = Instance::spawn(args.postgres, |s| s.http_workers = workers).await;
    let api = Api::of(&target);
    let owner = api.user("owner").await;
    api.community(&owner, "bench").await;
    let group = format!("http://{}/c/bench", target.hostname);

    let mut senders = Vec::new();
    let mut actors = Vec::new();
    for i in 0..instances {
        let sender = Instance::spawn(args.postgres, |_| {}).await;
        for a in 0..per_instance {
            let name = format!("s{i}a{a}");
            Api::of(&sender).user(&name).await;
            actors.push(actor_of(&sender, &name).await);
        }
        senders.push(sender);
    }
    let client = reqwest::Client::new();
    let inbox = format!("{}/inbox", target.base);

    // Warm-up: every actor's first activity makes the target fetch its key; these posts are
    // what the measured Likes are about (a distinct actor and post for every Like).
    let likes_needed = concurrencies.len() * n.div_ceil(2);
    let targets = likes_needed.div_ceil(actors.len()).max(1);
    let mut liked = Vec::new();
    for i in 0..targets.max(actors.len()) {
        let actor = &actors[i % actors.len()];
        let (post_id, create) = create(actor, &group, &format!("w{i}"));
        let request = signed(&client, &inbox, &target.hostname, actor, &create);
        let response = client.execute(request).await.expect("warm-up");
        assert!(
            response.status().is_success(),
            "warm-up: {}",
            response.text().await.unwrap_or_default()
        );
        liked.push(post_id);
    }

    println!("| concurrency | accepted | activities/s | p50 ms | p99 ms | p50 Create / Like ms | target CPU ms per 1,000 | process peak RSS MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut like_index = 0;
    let mut rows = Vec::new();
    for (run, &concurrency) in concurrencies.iter().enumerate() {
        let mut prepared = Vec::with_capacity(n);
        for i in 0..n {
            let actor = &actors[i % actors.len()];
            let like = i % 2 == 1;
            let activity = if like {
                let j = like_index;
                like_index += 1;
                let actor = &actors[j % actors.len()];
                let post = &liked[(j / actors.len()) % liked.len()];
                let id = format!("{}/activities/like-{run}-{i}", actor.id);
                (
                    actor.clone(),
                    json!({
                        "@context": "https://www.w3.org/ns/activitystreams",
                        "id": id, "type": "Like", "actor": actor.id, "object": post, "audience": group,
                    }),
                )
            } else {
                (
                    actor.clone(),
                    create(actor, &group, &format!("r{run}-{i}")).1,
                )
            };
            prepared.push((activity, like));
        }
        let prepared = sign_all(&client, &inbox, &target.hostname, prepared);
        let before = count_rows(&target).await;
        let statements = target.context().metrics().db_statements.clone();
        let statements_before = statements.get();
        eprintln!(
            "measuring concurrency {concurrency} (pid {})",
            std::process::id()
        );
        let result = std::thread::spawn(move || load(prepared, concurrency))
            .join()
            .expect("load generator");
        let statements_during = statements.get() - statements_before;
        let after = count_rows(&target).await;
        let mut all: Vec<Duration> = result.samples.iter().map(|s| s.0).collect();
        all.sort();
        let p50_of = |like: bool| {
            let mut v: Vec<Duration> = result
                .samples
                .iter()
                .filter(|s| s.1 == like)
                .map(|s| s.0)
                .collect();
            v.sort();
            percentile(&v, 50.0)
        };
        let target_cpu = result.process_cpu.saturating_sub(result.loader_cpu);
        let row = Row {
            concurrency,
            rate: result.accepted as f64 / result.wall.as_secs_f64(),
            p99_ms: percentile(&all, 99.0).as_secs_f64() * 1000.0,
            cpu_ms_per_1000: target_cpu.as_secs_f64() * 1000.0 * 1000.0 / n as f64,
            peak_rss_mib: peak_rss_mib(),
        };
        println!(
            "| {concurrency} | {}/{n} | {:.0} | {} | {} | {} / {} | {:.0} | {:.0} |",
            result.accepted,
            row.rate,
            ms(percentile(&all, 50.0)),
            ms(percentile(&all, 99.0)),
            ms(p50_of(false)),
            ms(p50_of(true)),
            row.cpu_ms_per_1000,
            row.peak_rss_mib,
        );
        rows.push(row);
        if let Some(error) = &result.first_error {
            println!("\nfirst refusal: {error}\n");
        }
        eprintln!(
            "run {run}: posts +{}, votes +{}, {:.1} statements per activity, wall {:.2}s, \
             load-generator CPU {:.2}s, process CPU {:.2}s",
            after.0 - before.0,
            after.1 - before.1,
            statements_during as f64 / n as f64,
            result.wall.as_secs_f64(),
            result.loader_cpu.as_secs_f64(),
            result.process_cpu.as_secs_f64()
        );
    }
    println!(
        "\nPeak RSS is the whole benchmark process: the target, {instances} sending instances \
         (idle while measured), the load generator and every pre-signed request."
    );
    for sender in senders {
        sender.stop().await;
    }
    target.stop().await;
    rows
}

async fn actor_of(instance: &Instance, name: &str) -> Actor {
    let lookup = name.to_string();
    let person = instance
        .context()
        .db(move |conn| copse::db::accounts::local_person_by_name(conn, &lookup))
        .await
        .expect("query")
        .expect("person");
    // People's key pairs are made on first need (`actions::keys`).
    let person = copse::actions::keys::person(&instance.context(), person)
        .await
        .expect("key pair");
    Actor {
        id: person.ap_id.to_string(),
        pem: person.private_key.expect("local key"),
    }
}

/// A `Create(Page)` by `actor` in `group`, and the page's id.
fn create(actor: &Actor, group: &str, tag: &str) -> (String, Value) {
    let origin = actor.id.split("/u/").next().unwrap_or_default();
    let post_id = format!("{origin}/post/bench-{tag}");
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/create-{tag}", actor.id),
        "type": "Create",
        "actor": actor.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [group],
        "audience": group,
        "object": {
            "id": post_id, "type": "Page", "attributedTo": actor.id,
            "name": format!("Benchmark post {tag}"),
            "content": "<p>A paragraph of <em>benchmark</em> text, as a small post has.</p>",
            "mediaType": "text/html",
            "to": [group, "https://www.w3.org/ns/activitystreams#Public"],
            "audience": group,
            "published": chrono::Utc::now().to_rfc3339(),
        },
    });
    (post_id, activity)
}

/// A POST of `activity` to `inbox`, signed as Mastodon signs: `(request-target) host date
/// digest`, RSA-SHA256 with the actor's key.
fn signed(
    client: &reqwest::Client,
    inbox: &str,
    host: &str,
    actor: &Actor,
    activity: &Value,
) -> reqwest::Request {
    let key = PKey::private_key_from_pem(actor.pem.as_bytes()).expect("key");
    signed_with(client, inbox, host, &actor.id, &key, activity)
}

fn signed_with(
    client: &reqwest::Client,
    inbox: &str,
    host: &str,
    actor_id: &str,
    key: &PKey<openssl::pkey::Private>,
    activity: &Value,
) -> reqwest::Request {
    let body = activity.to_string().into_bytes();
    let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(&body)));
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let path = url::Url::parse(inbox).expect("inbox").path().to_string();
    let text =
        format!("(request-target): post {path}\nhost: {host}\ndate: {date}\ndigest: {digest}");
    let mut signer = Signer::new(MessageDigest::sha256(), key).expect("signer");
    signer.update(text.as_bytes()).expect("sign");
    let signature = BASE64.encode(signer.sign_to_vec().expect("sign"));
    let header = format!(
        "keyId=\"{actor_id}#main-key\",algorithm=\"rsa-sha256\",\
         headers=\"(request-target) host date digest\",signature=\"{signature}\""
    );
    client
        .post(inbox)
        .header("content-type", "application/activity+json")
        .header("date", date)
        .header("digest", digest)
        .header("signature", header)
        .body(body)
        .build()
        .expect("request")
}

/// Signs every activity, on every core, before anything is measured.
fn sign_all(
    client: &reqwest::Client,
    inbox: &str,
    host: &str,
    activities: Vec<((Actor, Value), bool)>,
) -> Vec<Prepared> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = activities.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = activities
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut keys = std::collections::HashMap::new();
                    part.iter()
                        .map(|((actor, activity), like)| {
                            let key = keys.entry(actor.id.clone()).or_insert_with(|| {
                                PKey::private_key_from_pem(actor.pem.as_bytes()).expect("key")
                            });
                            Prepared {
                                request: signed_with(client, inbox, host, &actor.id, key, activity),
                                like: *like,
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("signing thread"))
            .collect()
    })
}

struct LoadResult {
    accepted: usize,
    wall: Duration,
    /// (latency, is a Like)
    samples: Vec<(Duration, bool)>,
    loader_cpu: Duration,
    process_cpu: Duration,
    first_error: Option<String>,
}

/// Sends every request with `concurrency` in flight, from this thread only.
fn load(prepared: Vec<Prepared>, concurrency: usize) -> LoadResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("client");
        let queue = Arc::new(Mutex::new(prepared.into_iter()));
        let samples = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let first_error = Arc::new(Mutex::new(None));
        let (cpu0, process0, start) = (cpu_time(true), cpu_time(false), Instant::now());
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, queue, samples, accepted, first_error) = (
                    client.clone(),
                    queue.clone(),
                    samples.clone(),
                    accepted.clone(),
                    first_error.clone(),
                );
                tokio::spawn(async move {
                    loop {
                        let Some(next) = queue.lock().unwrap().next() else {
                            return;
                        };
                        let sent = Instant::now();
                        let response = client.execute(next.request).await;
                        let (ok, error) = match response {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                (true, None)
                            }
                            Ok(r) => {
                                let status = r.status();
                                (
                                    false,
                                    Some(format!(
                                        "{status} {}",
                                        r.text().await.unwrap_or_default()
                                    )),
                                )
                            }
                            Err(e) => (false, Some(e.to_string())),
                        };
                        samples.lock().unwrap().push((sent.elapsed(), next.like));
                        if ok {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        } else if let Some(e) = error {
                            first_error.lock().unwrap().get_or_insert(e);
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("sender task");
        }
        let wall = start.elapsed();
        let (loader_cpu, process_cpu) = (cpu_time(true) - cpu0, cpu_time(false) - process0);
        let samples = std::mem::take(&mut *samples.lock().unwrap());
        let first_error = first_error.lock().unwrap().take();
        LoadResult {
            accepted: accepted.load(Ordering::Relaxed),
            wall,
            samples,
            loader_cpu,
            process_cpu,
            first_error,
        }
    })
}

/// (posts, votes) stored on the target.
async fn count_rows(target: &Instance) -> (i64, i64) {
    use copse::db::schema::{posts, votes};
    use diesel::prelude::*;
    target
        .context()
        .db(|conn| {
            let p: i64 = posts::table.count().get_result(conn)?;
            let v: i64 = votes::table.count().get_result(conn)?;
            Ok((p, v))
        })
        .await
        .expect("count")
}
