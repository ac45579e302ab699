//! Accounts: sign-up input, the password rule, password hashing (argon2id) and login tokens
//! (random, stored hashed).
//!
//! The password rule, applied wherever a password is set (sign-up, `copse admin create-user`):
//! 10 to 1024 characters, no NUL; not the username and not containing it (ignoring case, for
//! usernames of 3 characters or more); not one character or a pattern of up to 4 characters
//! repeated (`aaaaaaaaaa`, `abcabcabcabc`); and not among the commonest passwords or an easy
//! variation of one (`password123`, `qwertyuiop`, `P@ssw0rd1`): zxcvbn, with its lists of
//! common passwords, words and names and the username, must estimate at least 10^6 guesses
//! (its score 2). Ordinary passphrases (`a long password`) pass.

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
            password: check_password(password, username)?,
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

/// Usernames at least this long may not appear inside a password (shorter ones are parts of
/// ordinary words).
const MIN_CONTAINED_USERNAME: usize = 3;
/// Longest pattern whose repetition makes a whole password refused.
const MAX_REPEATED_PATTERN: usize = 4;

/// The password rule (see the module doc); every refusal is a 400 naming `password`.
pub fn check_password(password: &str, username: &str) -> Result<String> {
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
    let lower = password.to_lowercase();
    let name = username.to_lowercase();
    if lower == name
        || (name.chars().count() >= MIN_CONTAINED_USERNAME && lower.contains(name.as_str()))
    {
        return Err(Error::invalid_field(
            "password",
            "must not be or contain the username",
        ));
    }
    if is_repetition(&lower) {
        return Err(Error::invalid_field(
            "password",
            "must not be one character or a short pattern repeated",
        ));
    }
    if zxcvbn::zxcvbn(password, &[username]).score() < zxcvbn::Score::Two {
        return Err(Error::invalid_field(
            "password",
            "is one of the commonest passwords or too close to one; try a few unrelated words",
        ));
    }
    Ok(password.to_string())
}

/// True when the text is a pattern of at most [`MAX_REPEATED_PATTERN`] characters repeated
/// (the last repetition may be cut short), at least twice.
fn is_repetition(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (1..=MAX_REPEATED_PATTERN)
        .filter(|&unit| chars.len() >= 2 * unit)
        .any(|unit| (unit..chars.len()).all(|i| chars[i] == chars[i % unit]))
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

/// A hash of a random password with the same parameters as [`hash_password`]: log-ins of
/// unknown usernames are verified against it (see [`verify_login`]).
pub fn dummy_hash() -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hash_password(&hex::encode(bytes))
}

/// Checks a log-in: the password against the account's hash or, when there is no such account,
/// against `dummy` (from [`dummy_hash`]), so that an unknown username costs the same one argon2
/// verification as a known one. Never true without an account.
pub fn verify_login(stored: Option<&str>, dummy: &str, password: &str) -> bool {
    verify_login_with(stored, dummy, password, verify_password)
}

fn verify_login_with(
    stored: Option<&str>,
    dummy: &str,
    password: &str,
    verify: impl FnOnce(&str, &str) -> bool,
) -> bool {
    let matched = verify(password, stored.unwrap_or(dummy));
    matched && stored.is_some()
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
    fn unknown_usernames_are_verified_against_the_dummy_hash() {
        let mut verified = Vec::new();
        let ok = verify_login_with(None, "DUMMY", "guess", |password, hash| {
            verified.push((password.to_string(), hash.to_string()));
            true
        });
        assert!(!ok, "the dummy hash never lets anyone in");
        assert_eq!(verified, [("guess".to_string(), "DUMMY".to_string())]);

        let mut verified = Vec::new();
        let ok = verify_login_with(Some("STORED"), "DUMMY", "guess", |_, hash| {
            verified.push(hash.to_string());
            true
        });
        assert!(ok);
        assert_eq!(verified, ["STORED"], "a known account: its own hash, once");
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = dummy_hash().unwrap_or_default();
        let real = hash_password("correct horse battery").unwrap_or_default();
        let (dummy, real) = (PasswordHash::new(&dummy), PasswordHash::new(&real));
        let (Ok(dummy), Ok(real)) = (dummy, real) else {
            panic!("unparsable hashes")
        };
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert!(!verify_login(None, &dummy.to_string(), ""));
    }

    #[test]
    fn the_password_rule_refuses_weak_passwords_with_a_reason() {
        let refused = |password: &str| {
            check_password(password, "alice")
                .err()
                .map(|e| (e.field, e.message))
                .unwrap_or_default()
        };
        for (password, reason) in [
            ("short", "at least 10"),
            ("alicealice", "username"),
            ("ALICE-in-the-garden", "username"),
            ("aaaaaaaaaa", "repeated"),
            ("abcabcabcabc", "repeated"),
            ("1212121212", "repeated"),
            ("password123", "commonest"),
            ("qwertyuiop", "commonest"),
            ("1234567890", "commonest"),
            ("P@ssw0rd123", "commonest"),
            ("iloveyou123", "commonest"),
        ] {
            let (field, message) = refused(password);
            assert_eq!(field.as_deref(), Some("password"), "{password}");
            assert!(message.contains(reason), "{password}: {message}");
        }
        assert!(check_password("bobbobbobbob", "bob").is_err());
        assert!(
            check_password("bob", "bobbobbobbob").is_err(),
            "too short anyway"
        );
    }

    #[test]
    fn ordinary_passphrases_pass_the_password_rule() {
        for password in [
            "a long password",
            "a long enough password",
            "correct horse battery",
            "xk3p9qv2ma",
            "ilovemycat",
        ] {
            assert!(
                check_password(password, "alice").is_ok(),
                "{password} is refused"
            );
        }
        // A two-letter name inside an ordinary word does not count.
        assert!(check_password("a long password", "on").is_ok());
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
