//! The read side shared by `api/`, `web/` and feeds: what a page shows, built once.

pub mod archive;
pub mod cache;
pub mod digests;
pub mod events;
pub mod feeds;
pub mod gate;
pub mod health;
pub mod library;
pub mod moderation;
pub mod polls;
pub mod posts;
pub mod resources;
pub mod search;
pub mod series;
pub mod surveys;
pub mod threads;
