//! Rebuilds the crate when a migration changes: `diesel_migrations::embed_migrations!` reads
//! `migrations/` at compile time, and cargo does not see those files otherwise.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
