//! Rules with no I/O: names, content limits and rendering, accounts, communities and who may do
//! what. `api/`, `web/` and `federation/` all decide through these functions.

pub mod accounts;
pub mod applications;
pub mod archive;
pub mod attachments;
pub mod changes;
pub mod citations;
pub mod communities;
pub mod content;
pub mod digests;
pub mod events;
pub mod health;
pub mod keys;
pub mod library;
pub mod links;
pub mod moderation;
pub mod names;
pub mod notifications;
pub mod polls;
pub mod posts;
pub mod resources;
pub mod search;
pub mod series;
pub mod surveys;
pub mod throttle;
