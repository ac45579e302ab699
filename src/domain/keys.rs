//! Actor key pairs: RSA-2048, private key as PKCS#8 PEM and public key as SPKI PEM (the forms
//! the federation library and Mastodon accept).

use crate::error::Result;
use openssl::{pkey::PKey, rsa::Rsa};
use std::sync::Arc;

/// A maker of key pairs as `(public_pem, private_pem)`.
type Maker = dyn Fn() -> Result<(String, String)> + Send + Sync;

/// Where an instance's new key pairs come from: [`generate`] (the default), or a maker handed to
/// [`crate::server::start_with`] by whoever embeds copse. The test suite hands out real RSA-2048
/// pairs made once and kept on disk, so that its hundreds of short-lived instances do not each
/// spend key generation's 100–400 ms of CPU.
#[derive(Clone, Default)]
pub struct KeySource(Option<Arc<Maker>>);

impl KeySource {
    /// Pairs from `make`.
    pub fn from_fn(make: impl Fn() -> Result<(String, String)> + Send + Sync + 'static) -> Self {
        KeySource(Some(Arc::new(make)))
    }

    /// A new pair. Making one is CPU-heavy, so async callers run this on a blocking thread.
    pub fn make(&self) -> Result<(String, String)> {
        match &self.0 {
            Some(make) => make(),
            None => generate(),
        }
    }
}

/// A new key pair as `(public_pem, private_pem)`.
pub fn generate() -> Result<(String, String)> {
    let rsa = Rsa::generate(2048)?;
    let key = PKey::from_rsa(rsa)?;
    let public = String::from_utf8(key.public_key_to_pem()?).map_err(anyhow::Error::from)?;
    let private =
        String::from_utf8(key.private_key_to_pem_pkcs8()?).map_err(anyhow::Error::from)?;
    Ok((public, private))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_pkcs8_and_spki() {
        let (public, private) = super::generate().unwrap_or_default();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    }
}
