//! copse: a federated ActivityPub server for communities of practice. Module map (details in
//! docs/ARCHITECTURE.md):
//! - `config`: settings; `error`: the one error type; `context`: `AppContext`, passed everywhere
//! - `server`: builds and runs an instance on a bound listener
//! - `domain`: rules without I/O; `db`: every query
//! - `actions`: write use cases; `views`: the read side (the one read gate, thread trees)
//! - `api`: JSON client API; `web`: HTML pages; `feeds`: RSS over `views`
//! - `federation`: ActivityPub actors, WebFinger, NodeInfo, signatures, durable delivery
//! - `jobs`: background work (planner, delivery, mail, housekeeping) under one shutdown and
//!   scheduler
//! - `mail`: the mail transport (SMTP or a folder) and the templates of each mail
//! - `metrics`: Prometheus counters and queue figures at `/metrics`; `health`: `/healthz`, `/readyz`
//! - `signing`: instance-keyed HMAC tags (form tokens, flash, unsubscribe links)
//! - `conditional`: `ETag` and `304 Not Modified` for every GET
//! - `files`: the library's files on disk (staged uploads, kept by content hash)

/// Declares GET routes as one table: `$paths` lists every path (so that tests can enumerate the
/// routes an instance serves: tests/integration/read_gate.rs) and `$register` mounts them, each
/// behind `$guard` (a `fn(&GuardContext) -> bool`; a request it refuses falls through to routes
/// mounted later, as an ActivityPub GET and a page share a URL).
macro_rules! get_routes {
    ($paths:ident, $register:ident, $guard:expr, { $($path:literal => $handler:expr),* $(,)? }) => {
        pub const $paths: &[&str] = &[$($path),*];

        fn $register(cfg: &mut actix_web::web::ServiceConfig) {
            $(cfg.service(
                actix_web::web::resource($path)
                    .guard(actix_web::guard::Get())
                    .guard(actix_web::guard::fn_guard($guard))
                    .to($handler),
            );)*
        }
    };
}

pub mod actions;
pub mod api;
pub mod conditional;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod error;
pub mod federation;
pub mod feeds;
pub mod files;
pub mod health;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod server;
pub mod signing;
pub mod views;
pub mod web;
