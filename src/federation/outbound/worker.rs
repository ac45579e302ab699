//! The delivery worker: claims due deliveries, signs each as the activity's actor (OpenSSL,
//! `http_signing`) and sends it, with bounded concurrency overall and per instance; records the
//! outcome (delivered, refused for good, or retried later with exponential backoff and jitter,
//! honouring `Retry-After`). Started and stopped as a job (`jobs::start_outbound`): at shutdown it
//! claims nothing more, lets the sends in flight finish and records them, and lets go of the
//! rest.

use super::FedData;
use crate::federation::http_signing::SigningKey;
use crate::{
    actions,
    context::AppContext,
    db::{
        self,
        outbox::{Claimed, Outcome},
    },
    error::{Error, Result},
    federation::objects::instance::InstanceActor,
};
use activitypub_federation::{config::FederationConfig, traits::Actor};
use chrono::{Duration as Span, NaiveDateTime};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, PoisonError},
    time::Duration,
};
use tokio::sync::{mpsc, Notify, Semaphore};
use url::Url;

/// How long a claim lasts: longer than one try takes (signing plus the request timeout), so a
/// claim held by a worker that died is taken over soon after.
const LEASE: Duration = Duration::from_secs(20);
/// The longest `Retry-After` we honour, in seconds.
const MAX_RETRY_AFTER_SECS: f64 = 24.0 * 3600.0;
/// Most deliveries claimed in one query.
const BATCH: usize = 256;

/// Reads the signing key of a local actor (person, community or the instance actor) once.
async fn signer(data: &FedData, url: &str) -> Result<SigningKey> {
    let actor = Url::parse(url).map_err(|_| Error::not_found(format_args!("signer {url}")))?;
    if url == data.url("/actor") {
        let pem = InstanceActor::local(data)?.private_key_pem();
        return key_of(&actor, pem);
    }
    let lookup = url.to_string();
    let (person, community) = data
        .db(move |conn| {
            if let Some(p) = db::accounts::person_by_ap_id(conn, &lookup)? {
                return Ok((Some(p), None));
            }
            Ok((None, db::communities::by_ap_id(conn, &lookup)?))
        })
        .await?;
    // A local actor signs with the pair made on its first delivery if it has none yet.
    let pem = match (person, community) {
        (Some(p), _) => actions::keys::person(data, p).await?.private_key,
        (None, Some(c)) => actions::keys::community(data, c).await?.private_key,
        (None, None) => return Err(Error::not_found(format_args!("signing actor {url}"))),
    };
    key_of(&actor, pem)
}

fn key_of(actor: &Url, pem: Option<String>) -> Result<SigningKey> {
    let pem = pem.ok_or_else(|| Error::not_found(format_args!("the private key of {actor}")))?;
    SigningKey::from_pem(actor, &pem)
}

/// Runs the delivery loop until the shutdown signal, then finishes the sends in flight. `me`
/// names this worker in its claims: the same name after a restart lets it take its own claims
/// back at once.
pub async fn run(config: FederationConfig<AppContext>, me: String) {
    let data = config.to_request_data();
    let settings = data.settings().clone();
    release_claims(&data, &me).await;
    refresh_unreachable(&data).await;
    let client = match crate::federation::http_client(&data) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!("the delivery worker cannot build its HTTP client: {e:?}");
            return;
        }
    };
    let concurrency = settings.delivery_concurrency;
    let permits = Arc::new(Semaphore::new(concurrency));
    // Claimed and not yet started, with when they were claimed.
    let mut backlog: VecDeque<(std::time::Instant, Claimed)> = VecDeque::new();
    let (tx, rx) = mpsc::unbounded_channel::<(Claimed, Outcome)>();
    // A send finished (a slot is free) or outcomes were recorded (an instance's next activity
    // about the same object may be due now).
    let progress = Arc::new(Notify::new());
    let recording = tokio::spawn(recorder(data.reset_request_count(), rx, progress.clone()));
    let mut signers: HashMap<String, SigningKey> = HashMap::new();
    let wake = data.delivery_wakeup();
    let shutdown = data.shutdown().clone();
    let worker = me.clone();
    while !shutdown.is_cancelled() {
        // Claimed deliveries held longer than half their lease are let go: once it runs out,
        // another worker (or this one, later) may take them again.
        backlog.retain(|(claimed_at, _)| claimed_at.elapsed() < LEASE / 2);
        // Claims run ahead of the free slots by up to one more round of `delivery_concurrency`,
        // so a claim (a write transaction scanning the due deliveries) is made for a batch of
        // sends, not for each slot that frees up.
        let in_flight = concurrency - permits.available_permits();
        let room = (2 * concurrency)
            .saturating_sub(in_flight + backlog.len())
            .min(BATCH);
        let claim_at = (concurrency / 4).max(1);
        let quiet = in_flight == 0 && backlog.is_empty();
        let claimed = if room == 0 || (!quiet && room < claim_at) {
            Vec::new()
        } else {
            let per_host = settings.delivery_per_instance as i64;
            let worker = worker.clone();
            data.write(move |conn| {
                let lease = Span::seconds(LEASE.as_secs() as i64);
                db::outbox::claim_due(conn, &worker, room as i64, per_host, lease)
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("claiming deliveries: {e:?}");
                Vec::new()
            })
        };
        let idle = claimed.is_empty();
        let now = std::time::Instant::now();
        backlog.extend(claimed.into_iter().map(|d| (now, d)));
        // Start as many as there are free slots.
        while !backlog.is_empty() {
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                break;
            };
            let Some((_, delivery)) = backlog.pop_front() else {
                break;
            };
            if signers.len() > 10_000 {
                signers.clear();
            }
            let known = signers.get(&delivery.signer).cloned();
            let signer = match known {
                Some(s) => Ok(s),
                None => signer(&data, &delivery.signer).await.inspect(|s| {
                    signers.insert(delivery.signer.clone(), s.clone());
                }),
            };
            let (data, tx, client) = (data.reset_request_count(), tx.clone(), client.clone());
            let progress = progress.clone();
            tokio::spawn(async move {
                let outcome = match signer {
                    Ok(signer) => send(&data, &client, &delivery, signer).await,
                    Err(e) => Outcome::Refused(format!("{e}")),
                };
                let _ = tx.send((delivery, outcome));
                drop(permit);
                progress.notify_one();
            });
        }
        // Nothing new to claim, or every slot busy: wait for a send to finish or be recorded,
        // new work, or a second (due retries).
        if idle || permits.available_permits() == 0 {
            tokio::select! {
                _ = progress.notified() => {}
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.cancelled() => {}
            }
        }
    }
    // Stopping: wait for every send in flight (each gives its slot back once its outcome is
    // handed to the recorder), let the recorder write the last outcomes, then let go of the
    // claims not started, so that the next worker takes them at once.
    let _ = permits.acquire_many(concurrency as u32).await;
    drop(tx);
    let _ = recording.await;
    release_claims(&data, &me).await;
}

/// Lets go of this worker's claims (on SQLite, of every claim: it runs one worker).
async fn release_claims(data: &FedData, me: &str) {
    let me = me.to_string();
    if let Err(e) = data
        .write(move |conn| db::outbox::release_claims(conn, &me))
        .await
    {
        tracing::warn!("releasing claims: {e:?}");
    }
}

/// Records outcomes as sends finish, beside the claiming loop: whatever finished while the
/// previous batch was being written goes in the next transaction (a group commit), and the loop
/// never waits for it. Ends when every sender is gone (the worker stopped, its sends finished).
async fn recorder(
    data: FedData,
    mut results: mpsc::UnboundedReceiver<(Claimed, Outcome)>,
    progress: Arc<Notify>,
) {
    while let Some(first) = results.recv().await {
        let mut finished = vec![first];
        while let Ok(more) = results.try_recv() {
            finished.push(more);
        }
        record(&data, finished).await;
        progress.notify_one();
    }
}

/// Writes a batch of outcomes in one transaction and counts them.
async fn record(data: &FedData, results: Vec<(Claimed, Outcome)>) {
    let settings = data.settings();
    let give_up = Span::seconds(settings.delivery_give_up_after_secs as i64);
    let unreachable = Span::seconds(settings.instance_unreachable_after_secs as i64);
    let metrics = data.metrics();
    for (_, outcome) in &results {
        match outcome {
            Outcome::Delivered => metrics.delivered.inc(),
            Outcome::Refused(_) => metrics.refused.inc(),
            Outcome::Retry { .. } => metrics.retried.inc(),
        };
    }
    let failed = results
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Retry { .. }));
    match data
        .write(move |conn| db::outbox::record(conn, &results, give_up, unreachable))
        .await
    {
        Ok(died) => {
            metrics.dead.inc_by(died as u64);
        }
        Err(e) => tracing::warn!("recording deliveries: {e:?}"),
    }
    if failed {
        refresh_unreachable(data).await;
    }
}

/// Signs and sends one delivery, as stored.
async fn send(data: &FedData, client: &reqwest::Client, d: &Claimed, key: SigningKey) -> Outcome {
    let Ok(inbox) = Url::parse(&d.inbox) else {
        return Outcome::Refused("stored delivery cannot be read".into());
    };
    if !deliverable(data, &inbox) {
        return Outcome::Refused("the inbox is local or blocked by policy".into());
    }
    let body = d.body.clone().into_bytes();
    let signing = inbox.clone();
    // Signing is CPU work (about 0.7 ms): off the async threads.
    let signed = tokio::task::spawn_blocking(move || {
        key.sign_post(&signing, &body, std::time::SystemTime::now())
            .map(|headers| (headers, body))
    })
    .await;
    let (headers, body) = match signed {
        Ok(Ok(signed)) => signed,
        Ok(Err(e)) => return Outcome::Refused(format!("cannot sign: {e:?}")),
        Err(e) => return Outcome::Refused(format!("cannot sign: {e}")),
    };
    let mut request = client
        .post(inbox.as_str())
        .timeout(crate::federation::REQUEST_TIMEOUT)
        .body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                Outcome::Delivered
            } else if status.is_client_error()
                && status != reqwest::StatusCode::REQUEST_TIMEOUT
                && status != reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                Outcome::Refused(format!("HTTP {}", status.as_u16()))
            } else {
                Outcome::Retry {
                    error: format!("HTTP {}", status.as_u16()),
                    at: next_try(data, d.attempts, retry_after(response.headers())),
                }
            }
        }
        Err(e) => Outcome::Retry {
            error: e.to_string(),
            at: next_try(data, d.attempts, None),
        },
    }
}

/// Whether we send to this inbox at all: not our own, allowed by the instance policy, and https
/// unless `insecure_federation` (what the library checks before it sends).
fn deliverable(data: &FedData, inbox: &Url) -> bool {
    let ours = crate::domain::names::instance_of(inbox).is_some_and(|host| {
        crate::domain::names::parse_hostname(&data.settings().hostname)
            .is_ok_and(|mine| mine.eq_ignore_ascii_case(&host))
    });
    let scheme_ok = inbox.scheme() == "https"
        || (inbox.scheme() == "http" && data.settings().insecure_federation);
    let permitted = data
        .instance_policy()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .permits(inbox);
    !ours && scheme_ok && permitted
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    at.duration_since(std::time::SystemTime::now()).ok()
}

/// When to try again after `attempts` failed tries: the base delay doubled each time, at most the
/// maximum, spread by ±20% so that a recovering instance is not hit by everything at once; never
/// before the peer's `Retry-After` (up to a day).
fn next_try(data: &FedData, attempts: i32, retry_after: Option<Duration>) -> NaiveDateTime {
    let settings = data.settings();
    let base = settings.delivery_retry_base_secs as f64;
    let max = settings.delivery_retry_max_secs as f64;
    let backoff = (base * 2f64.powi(attempts.clamp(0, 30))).min(max);
    let jitter = 0.8 + rand::random::<f64>() * 0.4;
    let mut wait = backoff * jitter;
    if let Some(after) = retry_after {
        // A peer's own word wins over our schedule, up to a day.
        wait = wait.max(after.as_secs_f64().min(MAX_RETRY_AFTER_SECS));
    }
    db::now() + Span::milliseconds((wait * 1000.0) as i64)
}

/// An instance contacted us: if deliveries to it were skipped as unreachable, they resume now.
pub async fn heard_from(data: &FedData, host: &str) {
    if !data.unreachable_hosts().contains(host) {
        return;
    }
    let lookup = host.to_string();
    match data
        .write(move |conn| db::outbox::mark_healthy(conn, &lookup))
        .await
    {
        Ok(()) => {
            data.unreachable_hosts().remove(host);
            data.delivery_wakeup().notify_one();
        }
        Err(e) => tracing::warn!("marking {host} reachable: {e:?}"),
    }
}

/// Refreshes the context's set of skipped instances from the database (after failures here,
/// and every second in every process, `jobs::sync`: an inbox in any process then knows whom
/// hearing from ends the skipping).
pub async fn refresh_unreachable(data: &AppContext) {
    if let Ok(hosts) = data.db(db::outbox::unreachable).await {
        let mut set = data.unreachable_hosts();
        set.clear();
        set.extend(hosts.into_iter().map(|(h, _)| h));
    }
}
