//! Instance-keyed HMAC tags for the tokens this instance issues and later checks itself: form
//! tokens and flash cookies (`web::csrf`, `web::flash`), one-click unsubscribe links
//! (`mail::unsubscribe`). One key per purpose, derived from the instance actor's private key
//! (HMAC-SHA256 of `copse/` + the purpose under the PEM): every process sharing the database has
//! it without a migration, and a derived key never reveals the private key. Were the private key
//! replaced, every token made with it would stop working.

use crate::context::AppContext;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of `data` under this instance's key for `purpose` (`web/csrf`, `mail/unsubscribe`).
pub fn sign(ctx: &AppContext, purpose: &str, data: &[u8]) -> Vec<u8> {
    keyed(ctx, purpose)
        .chain_update(data)
        .finalize()
        .into_bytes()
        .to_vec()
}

/// Whether `tag` is the HMAC of `data` for `purpose` (compared in constant time).
pub fn verify(ctx: &AppContext, purpose: &str, data: &[u8], tag: &[u8]) -> bool {
    keyed(ctx, purpose)
        .chain_update(data)
        .verify_slice(tag)
        .is_ok()
}

fn keyed(ctx: &AppContext, purpose: &str) -> HmacSha256 {
    let key = hmac(ctx.instance_keys().private_key.as_bytes())
        .chain_update(b"copse/")
        .chain_update(purpose.as_bytes())
        .finalize()
        .into_bytes();
    hmac(&key)
}

fn hmac(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}
