//! Builds a running instance: opens the database (running migrations), loads or creates the
//! instance actor's keys and the instance policy, configures federation, and serves HTTP on a
//! bound listener (port 0 in tests, so several instances run in one process).

use crate::{
    actions, api,
    config::Settings,
    context::AppContext,
    db,
    domain::keys,
    error::{Error, ErrorKind},
    federation, web,
};
use activitypub_federation::config::FederationMiddleware;
use actix_web::{dev::ServerHandle, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use tokio::task::JoinHandle;

/// A running instance.
pub struct Server {
    /// The port it listens on.
    pub port: u16,
    pub context: AppContext,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting requests, lets running ones finish, and waits.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }

    /// A handle that can stop the server from elsewhere (signal handlers).
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Runs until the server stops.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await??;
        Ok(())
    }
}

/// Opens the database and returns the instance's context.
pub async fn context(settings: Settings) -> anyhow::Result<AppContext> {
    let prepared = settings.clone();
    let (pool, instance_keys, policy) = tokio::task::spawn_blocking(move || {
        let pool = db::open(&prepared)?;
        let mut conn = pool.get()?;
        let keys = db::instance::get_or_create(&mut conn, keys::generate)
            .map_err(|e| anyhow::anyhow!("instance actor keys: {e}"))?;
        let entries = db::instance::policy_entries(&mut conn)
            .map_err(|e| anyhow::anyhow!("instance policy: {e}"))?;
        let policy = actions::instances::compile(&prepared, &entries);
        Ok::<_, anyhow::Error>((pool, keys, policy))
    })
    .await??;
    Ok(AppContext::new(settings, pool, instance_keys, policy))
}

/// Starts serving. Without a listener, binds `settings.bind`.
pub async fn start(settings: Settings, listener: Option<TcpListener>) -> anyhow::Result<Server> {
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
    let ctx = context(settings).await?;
    let federation = federation::config(ctx.clone())
        .await
        .map_err(|e| anyhow::anyhow!("federation setup: {e}"))?;
    let app_ctx = ctx.clone();
    let federation_worker = federation.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(FederationMiddleware::new(federation.clone()))
            .app_data(actix_web::web::Data::new(app_ctx.clone()))
            .route("/metrics", actix_web::web::get().to(crate::metrics::get))
            .configure(api::routes)
            .configure(federation::routes::routes)
            .configure(web::routes)
            .default_service(actix_web::web::to(not_found))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    if ctx.settings().delivery_in_serve {
        // Named by its listen address: after a crash, the restarted server takes back at once
        // the deliveries it had claimed.
        let me = format!("serve@{}", ctx.settings().bind);
        spawn_delivery(federation_worker, me);
    }
    tracing::info!("copse listening on port {port} as {}", ctx.url("/"));
    Ok(Server {
        port,
        context: ctx,
        handle,
        task,
    })
}

async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::new(ErrorKind::NotFound, "not_found", "no such page"))
}

/// Starts the planner and the delivery worker (in `copse serve`, or alone in `copse worker`).
pub fn spawn_delivery(
    config: activitypub_federation::config::FederationConfig<AppContext>,
    worker: String,
) {
    tokio::spawn(federation::outbound::queue::run(config.clone()));
    tokio::spawn(federation::outbound::worker::run(config, worker));
}

/// `copse worker`: plans and delivers, without serving HTTP, until interrupted.
pub async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    let ctx = context(settings).await?;
    let config = federation::config(ctx)
        .await
        .map_err(|e| anyhow::anyhow!("federation setup: {e}"))?;
    // Several workers may share a PostgreSQL database: each has a name of its own, and claims
    // of one that died run out with their lease.
    let me = format!("worker/{:016x}", rand::random::<u64>());
    spawn_delivery(config, me);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
