//! Prometheus metrics at `/metrics`: delivery counters kept in the context, queue figures read
//! from the database when scraped.

use crate::{context::AppContext, db, error::Result};
use actix_web::{web, HttpResponse};
use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, gauge::Gauge},
    registry::Registry,
};
use std::sync::atomic::AtomicU64;

/// Counters of one instance (cheap clones share the value).
#[derive(Default)]
pub struct Metrics {
    /// Deliveries answered 2xx.
    pub delivered: Counter,
    /// Deliveries refused for good (a 4xx other than 408/429, or our policy).
    pub refused: Counter,
    /// Failed tries that will be retried.
    pub retried: Counter,
    /// Deliveries given up after retrying for too long.
    pub dead: Counter,
}

/// The text exposition of every metric.
pub async fn render(ctx: &AppContext) -> Result<String> {
    let (depth, oldest) = ctx.db(db::outbox::depth).await?;
    let set_aside = ctx.db(db::outbox::set_aside_count).await?;
    let m = ctx.metrics();
    let mut registry = Registry::with_prefix("copse");
    registry.register(
        "deliveries_sent",
        "Deliveries answered 2xx",
        m.delivered.clone(),
    );
    registry.register(
        "deliveries_failed",
        "Deliveries refused for good (4xx other than 408/429, or blocked)",
        m.refused.clone(),
    );
    registry.register(
        "deliveries_retried",
        "Failed delivery tries that will be retried",
        m.retried.clone(),
    );
    registry.register(
        "deliveries_dead",
        "Deliveries given up after retrying too long",
        m.dead.clone(),
    );
    let queued: Gauge = Gauge::default();
    queued.set(depth);
    registry.register(
        "delivery_queue_depth",
        "Deliveries waiting to be sent",
        queued,
    );
    let age: Gauge<f64, AtomicU64> = Gauge::default();
    if let Some(oldest) = oldest {
        age.set((db::now() - oldest).num_milliseconds().max(0) as f64 / 1000.0);
    }
    registry.register(
        "delivery_oldest_age_seconds",
        "Age of the oldest waiting delivery",
        age,
    );
    let aside: Gauge = Gauge::default();
    aside.set(set_aside);
    registry.register(
        "outbox_changes_set_aside",
        "Stored changes set aside, never planned: unreadable or failing to plan (kept)",
        aside,
    );
    let (allowed, refused) = ctx.gate().counters();
    registry.register(
        "read_checks_allowed",
        "Reads the read gate let through (a community's content shown)",
        allowed,
    );
    registry.register(
        "read_checks_refused",
        "Reads the read gate refused (content hidden: 403, 404 or an empty collection)",
        refused,
    );
    let mut out = String::new();
    encode(&mut out, &registry).map_err(anyhow::Error::from)?;
    Ok(out)
}

/// `GET /metrics`.
pub async fn get(ctx: web::Data<AppContext>) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(render(&ctx).await?))
}
