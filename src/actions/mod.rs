//! Use cases shared by `api/`, `web/`, the CLI and `federation/`: each validates through
//! `domain/`, writes through `db/` in one transaction, and returns what was stored. Handlers stay
//! thin by calling these.

pub mod account_mail;
pub mod accounts;
pub mod admin;
pub mod agenda;
pub mod archive;
pub mod communities;
pub mod delivery;
pub mod digests;
pub mod editing;
pub mod event_sources;
pub mod events;
pub mod instances;
pub mod invitations;
pub mod keys;
pub mod library;
pub mod library_remote;
pub mod library_thread;
pub mod links;
pub mod login;
pub mod mail_preferences;
pub mod membership;
pub mod moderation;
pub mod moderators;
pub mod moving;
pub mod notifications;
pub mod polls;
pub mod posts;
pub mod remote_rsvp;
pub mod reports;
pub mod resources;
pub mod series;
pub mod sharing;
pub mod surveys;
pub mod votes;
