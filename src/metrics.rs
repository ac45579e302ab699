//! Prometheus metrics at `/metrics`: counters kept in the context (HTTP requests by route
//! template, inbox activities by type and outcome, deliveries, outbound fetches by outcome,
//! background job runs by job and outcome, mail), and figures read when scraped (the delivery and
//! mail queues, the planner's backlog, the database pool). Counters are per process: with
//! several processes, sum them in Prometheus; the figures read from the database are the same in
//! every process. Label values come from fixed sets (route templates, not paths; known activity
//! types; error codes), so no request can grow the series.

use crate::{context::AppContext, db, error::Result};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};
use std::{sync::atomic::AtomicU64, time::Duration};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route template (`/c/{name}`), or `unmatched`.
    pub route: String,
    pub method: &'static str,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InboxLabels {
    /// The activity's type if it is one copse knows, else `other` (`unparsed` before parsing).
    pub kind: &'static str,
    /// `accepted` (200), `ignored` (202), or the refusal's error code (`signature_invalid`, …).
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// One of a fixed set, documented where it is counted.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    /// The job's name (`jobs::Jobs::schedule`, the planner).
    pub job: &'static str,
    /// `ok` or `error`.
    pub outcome: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Counters of one instance (cheap clones share the value).
pub struct Metrics {
    /// HTTP requests answered.
    pub http_requests: Family<HttpLabels, Counter>,
    /// Time to answer, per route template.
    pub http_seconds: LatencyFamily,
    /// Activities POSTed to the inboxes.
    pub inbox: Family<InboxLabels, Counter>,
    /// Deliveries answered 2xx.
    pub delivered: Counter,
    /// Deliveries refused for good (a 4xx other than 408/429, or our policy).
    pub refused: Counter,
    /// Failed tries that will be retried.
    pub retried: Counter,
    /// Deliveries given up after retrying for too long.
    pub dead: Counter,
    /// Mails the server took (or written to `mail_dir`).
    pub mail_sent: Counter,
    /// Mails given up: refused for good, or failing too long.
    pub mail_failed: Counter,
    /// Failed tries of a mail that will be retried.
    pub mail_retried: Counter,
    /// Objects fetched from other servers (`federation::FetchMetrics`), by outcome.
    pub fetches: Family<OutcomeLabels, Counter>,
    /// Runs of background jobs, by job and outcome.
    pub jobs: Family<JobLabels, Counter>,
    /// Statements run through `AppContext::db` (reads, and the jobs' bookkeeping).
    pub db_statements: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            http_requests: Family::default(),
            http_seconds: Family::new_with_constructor(latency_histogram),
            inbox: Family::default(),
            delivered: Counter::default(),
            refused: Counter::default(),
            retried: Counter::default(),
            dead: Counter::default(),
            mail_sent: Counter::default(),
            mail_failed: Counter::default(),
            mail_retried: Counter::default(),
            fetches: Family::default(),
            jobs: Family::default(),
            db_statements: Counter::default(),
        }
    }
}

impl Metrics {
    /// Records an answered request (the app's outermost middleware calls this).
    pub fn observe_http(&self, req: &HttpRequest, status: StatusCode, elapsed: Duration) {
        let route = req
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_string());
        let method = match req.method().as_str() {
            "GET" => "GET",
            "HEAD" => "HEAD",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "OPTIONS" => "OPTIONS",
            _ => "other",
        };
        self.http_requests
            .get_or_create(&HttpLabels {
                route: route.clone(),
                method,
                status: status.as_u16().to_string(),
            })
            .inc();
        self.http_seconds
            .get_or_create(&RouteLabels { route })
            .observe(elapsed.as_secs_f64());
    }

    /// Records what became of an outbound fetch: `ok` (2xx), `http_3xx`, `http_4xx`,
    /// `http_5xx`, `timeout`, `connect`, `error` (another failure of the request), or refused
    /// before any request: `refused_policy` (the instance policy), `refused_address` (a private
    /// or loopback address, at connect time).
    pub fn observe_fetch(&self, outcome: &'static str) {
        self.fetches.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Records one run of a background job: `ok` or `error`.
    pub fn observe_job(&self, job: &'static str, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        self.jobs.get_or_create(&JobLabels { job, outcome }).inc();
    }

    /// Records what became of an inbox POST.
    pub fn observe_inbox(&self, kind: &'static str, outcome: &'static str) {
        self.inbox
            .get_or_create(&InboxLabels { kind, outcome })
            .inc();
    }
}

/// The text exposition of every metric.
pub async fn render(ctx: &AppContext) -> Result<String> {
    let (depth, oldest) = ctx.db(db::outbox::depth).await?;
    let set_aside = ctx.db(db::outbox::set_aside_count).await?;
    let mail_depth = ctx.db(db::mail::depth).await?;
    let unplanned = ctx.db(db::outbox::unplanned_count).await?;
    let m = ctx.metrics();
    let mut registry = Registry::with_prefix("copse");
    registry.register(
        "http_requests",
        "HTTP requests answered, by route template, method and status",
        m.http_requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by route template",
        m.http_seconds.clone(),
    );
    registry.register(
        "inbox_activities",
        "Activities POSTed to an inbox, by type and outcome (accepted, ignored, or the refusal's code)",
        m.inbox.clone(),
    );
    registry.register(
        "db_statements",
        "Statements run on pooled connections (AppContext::db: reads and the jobs' bookkeeping)",
        m.db_statements.clone(),
    );
    let pool = ctx.pool().state();
    let gauges = [
        (
            "db_pool_connections",
            "Database connections open in the pool",
            i64::from(pool.connections),
        ),
        (
            "db_pool_idle_connections",
            "Database connections open and idle in the pool",
            i64::from(pool.idle_connections),
        ),
        (
            "db_pool_max_connections",
            "The pool's cap (database_pool_size)",
            i64::from(ctx.settings().database_pool_size),
        ),
        (
            "delivery_queue_depth",
            "Deliveries waiting to be sent",
            depth,
        ),
        (
            "outbox_changes_unplanned",
            "Stored changes waiting for the planner",
            unplanned,
        ),
        (
            "outbox_changes_set_aside",
            "Stored changes set aside, never planned: unreadable or failing to plan (kept)",
            set_aside,
        ),
        ("mail_queue_depth", "Mails waiting to be sent", mail_depth),
    ];
    for (name, help, value) in gauges {
        let gauge: Gauge = Gauge::default();
        gauge.set(value);
        registry.register(name, help, gauge);
    }
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
    for (name, help, counter) in [
        (
            "mail_sent",
            "Mails the SMTP server took (or written to mail_dir)",
            &m.mail_sent,
        ),
        (
            "mail_failed",
            "Mails given up: refused for good or failing too long",
            &m.mail_failed,
        ),
        (
            "mail_retried",
            "Failed mail tries that will be retried",
            &m.mail_retried,
        ),
    ] {
        registry.register(name, help, counter.clone());
    }
    let age: Gauge<f64, AtomicU64> = Gauge::default();
    if let Some(oldest) = oldest {
        age.set((db::now() - oldest).num_milliseconds().max(0) as f64 / 1000.0);
    }
    registry.register(
        "delivery_oldest_age_seconds",
        "Age of the oldest waiting delivery",
        age,
    );
    registry.register(
        "fetches",
        "Objects fetched from other servers, by outcome (ok, http_4xx, timeout, refused_policy, …)",
        m.fetches.clone(),
    );
    registry.register(
        "job_runs",
        "Runs of background jobs, by job and outcome (ok, error)",
        m.jobs.clone(),
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
