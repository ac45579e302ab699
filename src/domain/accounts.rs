//! Accounts: sign-up input, password hashing (argon2id) and login tokens (random, stored hashed).

use crate::{
    domain::{content, names},
    error::{Error, Result},
};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A validated sign-up.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl NewAccount {
    pub fn parse(username: &str, email: &str, password: &str) -> Result<Self> {
        names::validate_name("username", username)?;
        Ok(NewAccount {
            username: username.to_string(),
            email: parse_email(email)?,
            password: check_password(password)?,
        })
    }
}

/// A deliberately plain check (something@domain.tld, no spaces); the address is stored lowercase
/// so that uniqueness ignores case.
pub fn parse_email(email: &str) -> Result<String> {
    let email = content::plain_line("email", email, 3, 254)?;
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if !valid {
        return Err(Error::invalid_field("email", "not an email address"));
    }
    Ok(email.to_lowercase())
}

pub fn check_password(password: &str) -> Result<String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(Error::invalid_field(
            "password",
            format_args!("at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if len > MAX_PASSWORD_LEN || password.contains('\0') {
        return Err(Error::invalid_field(
            "password",
            format_args!("at most {MAX_PASSWORD_LEN} characters, no NUL"),
        ));
    }
    Ok(password.to_string())
}

/// Instance administration (the instance lists, …) is for administrators only.
pub fn may_administer(is_admin: bool) -> Result<()> {
    if is_admin {
        Ok(())
    } else {
        Err(Error::new(
            crate::error::ErrorKind::Forbidden,
            "not_an_admin",
            "only the instance's administrators may do this",
        ))
    }
}

/// argon2id with the crate's recommended parameters, in PHC string form.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(anyhow::anyhow!("hashing password: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new opaque bearer token (256 random bits, URL-safe base64) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// Tokens are stored as SHA-256 so a database leak does not leak sessions.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }

    #[test]
    fn emails_are_checked() {
        assert_eq!(
            parse_email("A@Example.org").ok().as_deref(),
            Some("a@example.org")
        );
        assert!(parse_email("nope").is_err());
        assert!(parse_email("a@b").is_err());
        assert!(parse_email("a b@c.org").is_err());
    }
}
