//! The read side shared by `api/`, `web/` and feeds: what a page shows, built once.

pub mod posts;
pub mod threads;
