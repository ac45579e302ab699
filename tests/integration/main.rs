//! The integration suite: real instances over real HTTP on loopback, a real SQLite file or a real
//! PostgreSQL database (set COPSE_TEST_POSTGRES_URL). One binary; modules by feature.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod accounts;
mod cli;
mod communities;
mod config;
mod editing;
mod federation_read;
mod fixtures;
mod helpers;
mod instance_policy;
mod membership;
mod posts;
mod schema;
mod search;
mod votes;
