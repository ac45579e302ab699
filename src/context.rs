//! `AppContext`: what every request, job and command needs (settings, database pool, the
//! instance policy in force), passed explicitly so that several instances run side by side in
//! one process.

use crate::domain::names::InstancePolicy;
use crate::{
    config::Settings,
    db::{self, instance::InstanceKeys, DbConn, DbPool},
    error::Result,
};
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppContext(Arc<Inner>);

struct Inner {
    settings: Settings,
    pool: DbPool,
    instance_keys: InstanceKeys,
    /// Where new key pairs of local people and communities come from.
    key_source: crate::domain::keys::KeySource,
    /// Wakes the planner when events were stored, and the delivery worker when deliveries were.
    outbox_wakeup: Arc<Notify>,
    delivery_wakeup: Arc<Notify>,
    /// Wakes the mail job when mail was queued.
    mail_wakeup: Arc<Notify>,
    metrics: Arc<crate::metrics::Metrics>,
    /// Ids of inbound activities being applied now, each with a lock its copies wait on.
    inbound: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Instances skipped as unreachable (kept by the delivery worker): hearing from one of
    /// them ends the skipping.
    unreachable: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The one shutdown signal: fired when the instance stops, every background job
    /// (`jobs::Jobs`) winds down.
    shutdown: tokio_util::sync::CancellationToken,
    /// Built from the settings and the administrators' entries; replaced when they change, in
    /// this process at once, in the others when `jobs::sync` sees its version move.
    instance_policy: Arc<RwLock<InstancePolicy>>,
    /// The `state_versions` version the policy in force was built from (-1: not known yet).
    policy_version: std::sync::atomic::AtomicI64,
    /// SQLite's single writer (None on PostgreSQL, or when its connection could not be opened:
    /// writes then take a pooled connection).
    writer: Option<db::writer::Writer>,
    /// Remote actors' public keys, parsed (see `federation::http_signing::PublicKeys`).
    public_keys: crate::federation::http_signing::PublicKeys,
    /// Remote people's rows as last read or stored (see `federation::senders`).
    senders: crate::federation::senders::Senders,
    /// Failed log-in throttles, the bound on password hashes, the dummy hash
    /// (`actions::login`).
    login: crate::actions::login::LoginGuards,
    /// The one read gate (`views::gate`), with its counters.
    gate: crate::views::gate::Gate,
    /// Signed-out readers' pages, each with the version it was made at (`views::cache`).
    read_cache: crate::views::cache::ReadCache,
}

/// Per-request context of the federation library: our `AppContext` plus a budget of outgoing
/// fetches. Handlers that may fetch remote objects take this instead of `web::Data<AppContext>`.
pub type RequestData = activitypub_federation::config::Data<AppContext>;

impl AppContext {
    pub fn new(
        settings: Settings,
        pool: DbPool,
        instance_keys: InstanceKeys,
        key_source: crate::domain::keys::KeySource,
        instance_policy: InstancePolicy,
    ) -> Self {
        let writer = db::writer::Writer::for_settings(&settings);
        let login = crate::actions::login::LoginGuards::new(&settings);
        let read_cache = crate::views::cache::ReadCache::new(settings.read_cache_mib);
        AppContext(Arc::new(Inner {
            writer,
            login,
            settings,
            pool,
            instance_keys,
            key_source,
            outbox_wakeup: Arc::new(Notify::new()),
            delivery_wakeup: Arc::new(Notify::new()),
            mail_wakeup: Arc::new(Notify::new()),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            shutdown: Default::default(),
            inbound: Default::default(),
            unreachable: Default::default(),
            instance_policy: Arc::new(RwLock::new(instance_policy)),
            policy_version: std::sync::atomic::AtomicI64::new(-1),
            public_keys: Default::default(),
            senders: Default::default(),
            gate: Default::default(),
            read_cache,
        }))
    }

    /// The one read gate: who may see what of a community (`views::gate`).
    pub fn gate(&self) -> &crate::views::gate::Gate {
        &self.0.gate
    }

    /// The cache of signed-out readers' pages (`views::cache`).
    pub fn read_cache(&self) -> &crate::views::cache::ReadCache {
        &self.0.read_cache
    }

    /// Log-in throttles and the bound on password hashes.
    pub fn login(&self) -> &crate::actions::login::LoginGuards {
        &self.0.login
    }

    /// Parsed public keys of remote actors, for verifying signatures.
    pub fn public_keys(&self) -> &crate::federation::http_signing::PublicKeys {
        &self.0.public_keys
    }

    /// Remote people's rows as last read or stored, for the inbox's senders.
    pub fn senders(&self) -> &crate::federation::senders::Senders {
        &self.0.senders
    }

    /// Notified when events were stored (the planner waits on it).
    pub fn outbox_wakeup(&self) -> Arc<Notify> {
        self.0.outbox_wakeup.clone()
    }

    /// Notified when deliveries were planned (the delivery worker waits on it).
    pub fn delivery_wakeup(&self) -> Arc<Notify> {
        self.0.delivery_wakeup.clone()
    }

    /// Notified when mail was queued (the mail job waits on it).
    pub fn mail_wakeup(&self) -> Arc<Notify> {
        self.0.mail_wakeup.clone()
    }

    /// Waits until no other copy of inbound activity `id` is being applied, and holds the turn
    /// until the returned guard is dropped.
    pub async fn inbound_turn(&self, id: &str) -> InboundTurn {
        let lock = {
            let mut map = self
                .0
                .inbound
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(id.to_string()).or_default().clone()
        };
        let guard = lock.clone().lock_owned().await;
        InboundTurn {
            ctx: self.clone(),
            id: id.to_string(),
            _guard: guard,
        }
    }

    /// The instances the delivery worker skips for now.
    pub fn unreachable_hosts(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.0
            .unreachable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The shutdown signal every background job watches (`jobs::Jobs::shutdown` fires it).
    pub fn shutdown(&self) -> &tokio_util::sync::CancellationToken {
        &self.0.shutdown
    }

    /// Fires the shutdown signal without waiting: the background jobs finish what they hold and
    /// end.
    pub fn stop_background(&self) {
        self.0.shutdown.cancel();
    }

    /// Counters exported at `/metrics`.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.0.metrics
    }

    /// A new, unique id for an activity of ours, e.g. `https://host/activities/follow/…`.
    pub fn new_activity_id(&self, kind: &str) -> String {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
        self.url(&format!("/activities/{kind}/{}", hex::encode(bytes)))
    }

    /// The key pair of the instance actor.
    pub fn instance_keys(&self) -> &InstanceKeys {
        &self.0.instance_keys
    }

    /// Where new key pairs come from (`actions::keys`).
    pub fn key_source(&self) -> &crate::domain::keys::KeySource {
        &self.0.key_source
    }

    /// The instance policy in force, shared with the federation library's URL checks.
    pub fn instance_policy(&self) -> Arc<RwLock<InstancePolicy>> {
        self.0.instance_policy.clone()
    }

    /// The version of the stored lists the policy in force was built from (-1 until known).
    pub fn policy_version(&self) -> i64 {
        self.0
            .policy_version
            .load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn set_policy_version(&self, version: i64) {
        self.0
            .policy_version
            .store(version, std::sync::atomic::Ordering::Release);
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn pool(&self) -> &DbPool {
        &self.0.pool
    }

    /// Runs synchronous database work: on PostgreSQL on a blocking thread (a query is a network
    /// round trip); on SQLite in place, since a read of the embedded file takes tens of
    /// microseconds, less than handing it to another thread and back (docs/PERFORMANCE.md). The
    /// connection is taken and returned inside the call, never held across an await.
    pub async fn db<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let statements = self.0.metrics.db_statements.clone();
        let counted = move |conn: &mut DbConn| {
            diesel::Connection::set_instrumentation(
                conn,
                move |event: diesel::connection::InstrumentationEvent<'_>| {
                    if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
                        statements.inc();
                    }
                },
            );
        };
        if self.0.writer.is_some() {
            let mut conn = self.0.pool.get()?;
            counted(&mut conn);
            return f(&mut conn);
        }
        let pool = self.0.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            counted(&mut conn);
            f(&mut conn)
        })
        .await?
    }

    /// Like [`AppContext::db`], inside one write transaction: all or nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let result = match &self.0.writer {
            Some(writer) => writer.write(f).await,
            None => self.db(move |conn| db::write_tx(conn, f)).await,
        };
        if result.is_ok() {
            // Committed: if it stored events, the planner takes them now.
            self.0.outbox_wakeup.notify_one();
        }
        result
    }

    /// A write whose statements are each whole on their own (an upsert, a conditional update,
    /// a read), so it needs no transaction around them: on PostgreSQL each statement commits by
    /// itself, two round trips (`BEGIN`, `COMMIT`) fewer than [`AppContext::write`]; on SQLite it
    /// goes through the one writer like any write.
    pub async fn write_each<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        match &self.0.writer {
            Some(_) => self.write(f).await,
            None => self.db(f).await,
        }
    }

    /// Absolute URL of a path on this instance.
    pub fn url(&self, path: &str) -> String {
        self.0.settings.url(path)
    }

    /// The id of a local person.
    pub fn person_url(&self, name: &str) -> String {
        self.url(&format!("/u/{name}"))
    }

    /// The id of a local community.
    pub fn community_url(&self, name: &str) -> String {
        self.url(&format!("/c/{name}"))
    }
}

/// A turn at applying one inbound activity (see [`AppContext::inbound_turn`]).
pub struct InboundTurn {
    ctx: AppContext,
    id: String,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for InboundTurn {
    fn drop(&mut self) {
        let mut map = self
            .ctx
            .0
            .inbound
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The last holder (no copy waiting) removes the entry.
        if map.get(&self.id).is_some_and(|l| Arc::strong_count(l) <= 2) {
            map.remove(&self.id);
        }
    }
}
