//! The delivery worker: claims due deliveries, signs each with the library's
//! `SendActivityTask` as the activity's actor and sends it, with bounded concurrency overall and
//! per instance; records the outcome (delivered, refused for good, or retried later with
//! exponential backoff and jitter, honouring `Retry-After`).

use super::FedData;
use crate::{
    context::AppContext,
    db::{
        self,
        outbox::{Claimed, Outcome},
    },
    error::{Error, Result},
    federation::objects::instance::InstanceActor,
};
use activitypub_federation::{
    activity_sending::SendActivityTask, config::FederationConfig, traits::Activity,
};
use chrono::{Duration as Span, NaiveDateTime};
use serde::Serialize;
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::{mpsc, Semaphore};
use url::Url;

/// How long a claim lasts: longer than one try takes (signing plus the request timeout), so a
/// claim held by a worker that died is taken over soon after.
const LEASE: Duration = Duration::from_secs(20);
/// The longest `Retry-After` we honour, in seconds.
const MAX_RETRY_AFTER_SECS: f64 = 24.0 * 3600.0;
/// How often finished deliveries are forgotten, and how long they are kept (for admins).
const PURGE_EVERY: Duration = Duration::from_secs(600);
const KEEP_FINISHED_DAYS: i64 = 2;
/// Most deliveries claimed in one query.
const BATCH: usize = 256;

/// A stored activity, sent as stored.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct StoredActivity {
    body: serde_json::Value,
    #[serde(skip)]
    id: Url,
    #[serde(skip)]
    actor: Url,
}

#[async_trait::async_trait]
impl Activity for StoredActivity {
    type DataType = AppContext;
    type Error = Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &FedData) -> Result<()> {
        Ok(())
    }

    async fn receive(self, _data: &FedData) -> Result<()> {
        Ok(())
    }
}

/// Whose key signs an activity.
#[derive(Clone)]
enum Signer {
    Person(Box<db::accounts::Person>),
    Community(Box<db::communities::Community>),
    Instance(Box<InstanceActor>),
}

async fn signer(data: &FedData, url: &str) -> Result<Signer> {
    if url == data.url("/actor") {
        return Ok(Signer::Instance(Box::new(InstanceActor::local(data)?)));
    }
    let lookup = url.to_string();
    let found = data
        .db(move |conn| {
            if let Some(p) = db::accounts::person_by_ap_id(conn, &lookup)? {
                return Ok(Some(Signer::Person(Box::new(p))));
            }
            Ok(db::communities::by_ap_id(conn, &lookup)?.map(|c| Signer::Community(Box::new(c))))
        })
        .await?;
    found.ok_or_else(|| Error::not_found(format_args!("signing actor {url}")))
}

/// Runs the delivery loop until the instance stops. `me` names this worker in its claims: the
/// same name after a restart lets it take its own claims back at once.
pub async fn run(config: FederationConfig<AppContext>, me: String) {
    let data = config.to_request_data();
    let settings = data.settings().clone();
    let sqlite = settings.backend() == crate::config::Backend::Sqlite;
    let (releasing, worker) = (me.clone(), me.clone());
    if let Err(e) = data
        .write(move |conn| db::outbox::release_claims(conn, &releasing, sqlite))
        .await
    {
        tracing::warn!("releasing old claims: {e:?}");
    }
    refresh_unreachable(&data).await;
    let permits = Arc::new(Semaphore::new(settings.delivery_concurrency));
    let (tx, mut rx) = mpsc::unbounded_channel::<(Claimed, Outcome)>();
    let mut signers: HashMap<String, Signer> = HashMap::new();
    let wake = data.delivery_wakeup();
    let mut last_purge = std::time::Instant::now();
    loop {
        if data.is_stopping() {
            return;
        }
        if last_purge.elapsed() >= PURGE_EVERY {
            last_purge = std::time::Instant::now();
            if let Err(e) = data
                .write(|conn| db::outbox::purge_finished(conn, Span::days(KEEP_FINISHED_DAYS)))
                .await
            {
                tracing::warn!("purging finished deliveries: {e:?}");
            }
        }
        let mut finished = Vec::new();
        while let Ok(result) = rx.try_recv() {
            finished.push(result);
        }
        if !finished.is_empty() {
            record(&data, finished).await;
        }
        let free = permits.available_permits().min(BATCH);
        let claimed = if free == 0 {
            Vec::new()
        } else {
            let per_host = settings.delivery_per_instance as i64;
            let worker = worker.clone();
            data.write(move |conn| {
                let lease = Span::seconds(LEASE.as_secs() as i64);
                db::outbox::claim_due(conn, &worker, free as i64, per_host, lease)
            })
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("claiming deliveries: {e:?}");
                Vec::new()
            })
        };
        let idle = claimed.is_empty();
        for delivery in claimed {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
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
            let (data, tx) = (data.reset_request_count(), tx.clone());
            tokio::spawn(async move {
                let outcome = match signer {
                    Ok(signer) => send(&data, &delivery, signer).await,
                    Err(e) => Outcome::Refused(format!("{e}")),
                };
                let _ = tx.send((delivery, outcome));
                drop(permit);
            });
        }
        if idle {
            tokio::select! {
                Some(result) = rx.recv() => record(&data, vec![result]).await,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
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

/// Signs and sends one delivery.
async fn send(data: &FedData, d: &Claimed, signer: Signer) -> Outcome {
    let parsed = (
        Url::parse(&d.inbox),
        Url::parse(&d.activity_ap_id),
        Url::parse(&d.signer),
        serde_json::from_str::<serde_json::Value>(&d.body),
    );
    let (Ok(inbox), Ok(id), Ok(actor), Ok(body)) = parsed else {
        return Outcome::Refused("stored delivery cannot be read".into());
    };
    let activity = StoredActivity { body, id, actor };
    let inboxes = vec![inbox.clone()];
    let tasks = match &signer {
        Signer::Person(p) => SendActivityTask::prepare(&activity, p.as_ref(), inboxes, data).await,
        Signer::Community(c) => {
            SendActivityTask::prepare(&activity, c.as_ref(), inboxes, data).await
        }
        Signer::Instance(i) => {
            SendActivityTask::prepare(&activity, i.as_ref(), inboxes, data).await
        }
    };
    let task = match tasks.map(|mut t| t.pop()) {
        Ok(Some(task)) => task,
        Ok(None) => return Outcome::Refused("the inbox is local or blocked by policy".into()),
        Err(e) => return Outcome::Refused(format!("cannot sign: {e}")),
    };
    let digest = crate::federation::answers::digest_of(&activity);
    let sent = task.sign_and_send(data).await;
    let answer = data.delivery_answers().take(&inbox, &digest);
    match (sent, answer) {
        (Ok(()), Some(a)) if !(200..300).contains(&a.status) => {
            Outcome::Refused(format!("HTTP {}", a.status))
        }
        (Ok(()), _) => Outcome::Delivered,
        (Err(e), answer) => {
            let retry_after = answer.and_then(|a| a.retry_after);
            Outcome::Retry {
                error: e.to_string(),
                at: next_try(data, d.attempts, retry_after),
            }
        }
    }
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

/// Refreshes the context's set of skipped instances from the database.
async fn refresh_unreachable(data: &FedData) {
    if let Ok(hosts) = data.db(db::outbox::unreachable).await {
        let mut set = data.unreachable_hosts();
        set.clear();
        set.extend(hosts.into_iter().map(|(h, _)| h));
    }
}
