//! `AppContext`: what every request, job and command needs (settings, database pool), passed
//! explicitly so that several instances run side by side in one process.

use crate::domain::events::Event;
use crate::{
    config::Settings,
    db::{self, instance::InstanceKeys, DbConn, DbPool},
    error::Result,
};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

#[derive(Clone)]
pub struct AppContext(Arc<Inner>);

struct Inner {
    settings: Settings,
    pool: DbPool,
    instance_keys: InstanceKeys,
    events: UnboundedSender<Event>,
}

/// Per-request context of the federation library: our `AppContext` plus a budget of outgoing
/// fetches. Handlers that may fetch remote objects take this instead of `web::Data<AppContext>`.
pub type RequestData = activitypub_federation::config::Data<AppContext>;

impl AppContext {
    /// A context and the receiving end of its domain events (see `federation::outbound`).
    pub fn new(
        settings: Settings,
        pool: DbPool,
        instance_keys: InstanceKeys,
    ) -> (Self, UnboundedReceiver<Event>) {
        let (events, receiver) = unbounded_channel();
        let ctx = AppContext(Arc::new(Inner {
            settings,
            pool,
            instance_keys,
            events,
        }));
        (ctx, receiver)
    }

    /// Hands a domain event to federation.
    pub fn emit(&self, event: Event) {
        if self.0.events.send(event).is_err() {
            tracing::warn!("no federation worker is running: an event was not delivered");
        }
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

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn pool(&self) -> &DbPool {
        &self.0.pool
    }

    /// Runs synchronous database work on a blocking thread.
    pub async fn db<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let pool = self.0.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
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
        self.db(move |conn| db::write_tx(conn, f)).await
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
