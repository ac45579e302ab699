//! Real RSA-2048 key pairs for the suite's instances and fake remote actors, made once and kept
//! in `target/tmp/copse-test-keys`, one private key per file. Making a pair costs 100–400 ms of
//! CPU, and the suite's instances and actors need well over a thousand per pass: a quarter of the
//! suite's CPU before the stock. Within one run of the suite every pair is handed out once, so
//! no two actors share a key; a pair missing from the stock is made and added to it.

use copse::domain::keys::KeySource;
use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

/// The next pair not yet handed out in this run, as `(public_pem, private_pem)`: SPKI and
/// PKCS#8, as copse makes them.
pub fn pair() -> (String, String) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let index = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("copse-test-keys");
    let path = dir.join(format!("{index:05}.pem"));
    if let Some(pair) = std::fs::read_to_string(&path).ok().and_then(|t| read(&t)) {
        return pair;
    }
    let (public, private) = copse::domain::keys::generate().expect("a new key pair");
    // Written whole under another name, then renamed: a suite running beside this one reads
    // a complete key or none.
    let _ = std::fs::create_dir_all(&dir);
    let partial = dir.join(format!(
        "{index:05}.{}.partial",
        uuid::Uuid::new_v4().simple()
    ));
    if std::fs::write(&partial, &private).is_ok() {
        let _ = std::fs::rename(&partial, &path);
    }
    (public, private)
}

/// Hands out [`pair`]s to an instance (`copse::server::start_with`).
pub fn source() -> KeySource {
    KeySource::from_fn(|| Ok(pair()))
}

/// A stored private key (PKCS#8 PEM) with its public key; None when it does not parse, so that
/// a damaged file is made anew rather than failing a test far from here.
fn read(private: &str) -> Option<(String, String)> {
    let key = openssl::pkey::PKey::private_key_from_pem(private.as_bytes()).ok()?;
    let public = String::from_utf8(key.public_key_to_pem().ok()?).ok()?;
    Some((public, private.to_string()))
}

#[test]
fn each_pair_is_handed_out_once_and_matches() {
    let (first_public, first_private) = pair();
    let (second_public, _) = pair();
    assert_ne!(first_public, second_public, "two actors would share a key");
    let key = openssl::pkey::PKey::private_key_from_pem(first_private.as_bytes()).expect("key");
    let derived = String::from_utf8(key.public_key_to_pem().expect("public")).expect("pem");
    assert_eq!(derived, first_public, "the public key is the private key's");
}
