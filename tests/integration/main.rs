//! The integration suite: real instances over real HTTP on loopback, a real SQLite file or a real
//! PostgreSQL database (set COPSE_TEST_POSTGRES_URL). One binary; modules by feature.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod accounts;
mod authorized_fetch;
mod cli;
mod communities;
mod config;
mod crash;
mod delivery;
mod editing;
mod federation_read;
mod fedify;
mod fixtures;
mod fuzz_smoke;
mod helpers;
mod hostile_fetch;
mod hostile_limits;
mod hostile_signatures;
mod instance_policy;
mod membership;
mod moderation;
mod openapi;
mod out_of_order;
mod post_sorting;
mod posts;
mod private_reads;
mod schema;
mod search;
mod signing;
mod sink;
mod votes;
