//! Builds a running instance: opens the database (running migrations), loads or creates the
//! instance actor's keys and the instance policy, configures federation, serves HTTP on a
//! bound listener (port 0 in tests, so several instances run in one process) and starts its
//! background jobs; stops it all gracefully within `shutdown_grace_secs`.

use crate::{
    actions, api,
    config::Settings,
    context::AppContext,
    db,
    domain::keys::KeySource,
    error::{Error, ErrorKind},
    federation, jobs, web,
};
use activitypub_federation::config::FederationMiddleware;
use actix_web::{dev::ServerHandle, App, HttpResponse, HttpServer};
use std::{net::TcpListener, time::Duration};
use tokio::task::JoinHandle;

/// A running instance.
pub struct Server {
    /// The port it listens on.
    pub port: u16,
    pub context: AppContext,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
    jobs: jobs::Jobs,
}

impl Server {
    /// Stops accepting requests, lets running requests and deliveries finish (for up to
    /// `shutdown_grace_secs`), and waits.
    pub async fn stop(self) {
        let grace = grace(&self.context);
        let http = async {
            // Requests still running after the grace period are cut off (`shutdown_timeout`).
            self.handle.stop(true).await;
            let _ = self.task.await;
        };
        tokio::join!(http, self.jobs.shutdown(grace));
    }

    /// Serves until SIGTERM or Ctrl-C, then stops gracefully (see [`Server::stop`]).
    pub async fn run_until_signalled(mut self) -> anyhow::Result<()> {
        tokio::select! {
            served = &mut self.task => {
                // The HTTP server ended on its own (an error): the jobs stop too.
                self.jobs.shutdown(grace(&self.context)).await;
                served??;
                return Ok(());
            }
            signal = jobs::shutdown_requested() => signal?,
        }
        self.stop().await;
        Ok(())
    }

    /// A handle that can stop the server from elsewhere (signal handlers).
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }
}

fn grace(ctx: &AppContext) -> Duration {
    Duration::from_secs(ctx.settings().shutdown_grace_secs)
}

/// Opens the database and returns the instance's context.
pub async fn context(settings: Settings) -> anyhow::Result<AppContext> {
    context_with(settings, KeySource::default()).await
}

/// [`context`], with new key pairs from `key_source`.
pub async fn context_with(settings: Settings, key_source: KeySource) -> anyhow::Result<AppContext> {
    let prepared = settings.clone();
    let source = key_source.clone();
    let (pool, instance_keys, policy) = tokio::task::spawn_blocking(move || {
        let pool = db::open(&prepared)?;
        let mut conn = pool.get()?;
        let keys = db::instance::get_or_create(&mut conn, || source.make())
            .map_err(|e| anyhow::anyhow!("instance actor keys: {e}"))?;
        let entries = db::instance::policy_entries(&mut conn)
            .map_err(|e| anyhow::anyhow!("instance policy: {e}"))?;
        let policy = actions::instances::compile(&prepared, &entries);
        Ok::<_, anyhow::Error>((pool, keys, policy))
    })
    .await??;
    Ok(AppContext::new(
        settings,
        pool,
        instance_keys,
        key_source,
        policy,
    ))
}

/// Starts serving. Without a listener, binds `settings.bind`.
pub async fn start(settings: Settings, listener: Option<TcpListener>) -> anyhow::Result<Server> {
    start_with(settings, listener, KeySource::default()).await
}

/// [`start`], with new key pairs from `key_source`.
pub async fn start_with(
    settings: Settings,
    listener: Option<TcpListener>,
    key_source: KeySource,
) -> anyhow::Result<Server> {
    let listener = match listener {
        Some(l) => l,
        None => TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("binding {}: {e}", settings.bind))?,
    };
    let port = listener.local_addr()?.port();
    if settings.insecure_federation {
        tracing::warn!(
            "INSECURE FEDERATION IS ON: plain http, explicit ports and private addresses are \
             allowed for federation. Use this only for development and tests."
        );
    }
    let workers = match settings.http_workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let ctx = context_with(settings, key_source).await?;
    let federation = federation::config(ctx.clone())
        .await
        .map_err(|e| anyhow::anyhow!("federation setup: {e}"))?;
    let app_ctx = ctx.clone();
    let federation_worker = federation.clone();
    let server = HttpServer::new(move || {
        App::new()
            // Innermost: tags the uncompressed body (and answers 304), then compression when
            // the client asks for it (`Accept-Encoding`: gzip, br, zstd).
            .wrap(actix_web::middleware::from_fn(crate::conditional::etags))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(FederationMiddleware::new(federation.clone()))
            // Outermost: every answer, error pages included, is counted under its route.
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let answer = actix_web::dev::Service::call(srv, req);
                async move {
                    let res = answer.await?;
                    if let Some(ctx) = res.request().app_data::<actix_web::web::Data<AppContext>>()
                    {
                        ctx.metrics()
                            .observe_http(res.request(), res.status(), started.elapsed());
                    }
                    Ok(res)
                }
            })
            .app_data(actix_web::web::Data::new(app_ctx.clone()))
            .route("/metrics", actix_web::web::get().to(crate::metrics::get))
            .configure(crate::health::routes)
            .configure(api::routes)
            .configure(federation::routes::routes)
            .configure(web::routes)
            .default_service(actix_web::web::to(not_found))
    })
    .workers(workers)
    // Signals are ours (`jobs::shutdown_requested`): one shutdown for HTTP and the jobs.
    .disable_signals()
    .shutdown_timeout(ctx.settings().shutdown_grace_secs)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    let jobs = jobs::Jobs::new(ctx.clone());
    jobs::start_common(&jobs);
    if ctx.settings().delivery_in_serve {
        // Named by its listen address: after a crash, the restarted server takes back at once
        // the deliveries it had claimed.
        let me = format!("serve@{}", ctx.settings().bind);
        jobs::start_outbound(&jobs, federation_worker, me);
    }
    tracing::info!("copse listening on port {port} as {}", ctx.url("/"));
    Ok(Server {
        port,
        context: ctx,
        handle,
        task,
        jobs,
    })
}

async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::new(ErrorKind::NotFound, "not_found", "no such page"))
}

/// A running `copse worker`: the outbound jobs and the sync of shared state, no HTTP.
pub struct Worker {
    pub context: AppContext,
    jobs: jobs::Jobs,
}

impl Worker {
    /// Stops claiming, finishes the deliveries in flight (for up to `shutdown_grace_secs`) and
    /// lets go of the rest.
    pub async fn stop(self) {
        let grace = grace(&self.context);
        self.jobs.shutdown(grace).await;
    }
}

/// Starts a worker: plans and delivers, without serving HTTP. Several workers (and servers)
/// may share one database: each names itself in its claims, and claims of one that died run
/// out with their lease.
pub async fn start_worker(settings: Settings) -> anyhow::Result<Worker> {
    let ctx = context(settings).await?;
    let config = federation::config(ctx.clone())
        .await
        .map_err(|e| anyhow::anyhow!("federation setup: {e}"))?;
    let me = format!("worker/{:016x}", rand::random::<u64>());
    let jobs = jobs::Jobs::new(ctx.clone());
    jobs::start_common(&jobs);
    jobs::start_outbound(&jobs, config, me);
    Ok(Worker { context: ctx, jobs })
}

/// `copse worker`: [`start_worker`], until SIGTERM or Ctrl-C; then stops gracefully.
pub async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    let worker = start_worker(settings).await?;
    jobs::shutdown_requested().await?;
    worker.stop().await;
    Ok(())
}
