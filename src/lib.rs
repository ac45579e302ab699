//! copse: a federated ActivityPub server for communities of practice. Module map (details in
//! docs/ARCHITECTURE.md):
//! - `config`: settings; `error`: the one error type; `context`: `AppContext`, passed everywhere
//! - `server`: builds and runs an instance on a bound listener
//! - `domain`: rules without I/O; `db`: every query
//! - `actions`: write use cases; `views`: the read side shared by `api` and `web` (thread trees)
//! - `api`: JSON client API; `web`: HTML pages
//! - `federation`: ActivityPub actors, WebFinger, NodeInfo, signatures, durable delivery
//! - `jobs`: background work (planner, delivery, housekeeping) under one shutdown and scheduler
//! - `metrics`: Prometheus counters and queue figures at `/metrics`

pub mod actions;
pub mod api;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod error;
pub mod federation;
pub mod jobs;
pub mod metrics;
pub mod server;
pub mod views;
pub mod web;
