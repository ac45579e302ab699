//! `AppContext`: what every request, job and command needs (settings, database pool), passed
//! explicitly so that several instances run side by side in one process.

use crate::{
    config::Settings,
    db::{self, instance::InstanceKeys, DbConn, DbPool},
    error::Result,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppContext(Arc<Inner>);

struct Inner {
    settings: Settings,
    pool: DbPool,
    instance_keys: InstanceKeys,
}

impl AppContext {
    pub fn new(settings: Settings, pool: DbPool, instance_keys: InstanceKeys) -> Self {
        AppContext(Arc::new(Inner {
            settings,
            pool,
            instance_keys,
        }))
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
