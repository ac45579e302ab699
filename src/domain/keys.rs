//! Actor key pairs: RSA-2048, private key as PKCS#8 PEM and public key as SPKI PEM (the forms
//! the federation library and Mastodon accept).

use crate::error::Result;
use openssl::{pkey::PKey, rsa::Rsa};

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
