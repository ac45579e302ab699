//! Use cases shared by `api/`, `web/`, the CLI and `federation/`: each validates through
//! `domain/`, writes through `db/` in one transaction, and returns what was stored. Handlers stay
//! thin by calling these.

pub mod accounts;
pub mod communities;
pub mod editing;
pub mod membership;
pub mod moderation;
pub mod posts;
pub mod votes;
