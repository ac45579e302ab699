//! Strict HTTP-signature rules (Mastodon's), checked before the library verifies the signature
//! with the actor's key: which headers must be signed, which algorithms, how old a `Date` may be,
//! that `Digest` is SHA-256 and matches the body, that the request was meant for this host, and
//! that the key belongs to the activity's actor. The library alone only requires `digest` to be
//! signed and ignores `keyId`.

use crate::error::{Error, ErrorKind, Result};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use url::Url;

/// How far `Date` or `(created)` may be from our clock, either way (seconds).
pub const MAX_CLOCK_SKEW_SECS: i64 = 60 * 60;
/// Signature algorithms we accept (`hs2019` is what newer senders name RSA-SHA256).
pub const ALGORITHMS: &[&str] = &["rsa-sha256", "hs2019"];
/// Longest `Signature` header we parse.
pub const MAX_SIGNATURE_HEADER: usize = 8 * 1024;

/// The parameters of a draft-cavage `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    pub key_id: String,
    pub algorithm: Option<String>,
    /// Lowercase names of the signed headers, in order (`(request-target)` and friends included).
    pub headers: Vec<String>,
    pub signature: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

/// Parses `keyId="…",algorithm="…",headers="…",signature="…"` (order free, `created` and
/// `expires` unquoted integers). Errors say what is wrong.
pub fn parse_signature(header: &str) -> Result<SignatureParams, String> {
    if header.len() > MAX_SIGNATURE_HEADER {
        return Err("the Signature header is too long".into());
    }
    let mut params: Vec<(String, String)> = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("`{}` is not name=value", truncate(rest)))?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("`{}` is not a parameter name", truncate(&name)));
        }
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| format!("the value of `{name}` is not closed"))?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => match after.find(',') {
                Some(end) => (after[..end].trim(), &after[end..]),
                None => (after.trim(), ""),
            },
        };
        if params.iter().any(|(n, _)| *n == name) {
            return Err(format!("`{name}` is given twice"));
        }
        params.push((name, value.to_string()));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if after.is_empty() => "",
            None => return Err("parameters must be separated by commas".into()),
        };
    }
    let take = |key: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let integer = |key: &str| -> Result<Option<i64>, String> {
        take(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| format!("`{key}` is not a number"))
            })
            .transpose()
    };
    let key_id = take("keyid").ok_or("keyId is missing")?;
    let signature = take("signature").ok_or("signature is missing")?;
    if key_id.is_empty() || signature.is_empty() {
        return Err("keyId and signature must not be empty".into());
    }
    let headers = take("headers")
        .unwrap_or_else(|| "date".into())
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    Ok(SignatureParams {
        key_id,
        algorithm: take("algorithm"),
        headers,
        signature,
        created: integer("created")?,
        expires: integer("expires")?,
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parses a `Digest` header (`SHA-256=base64,…`) into lowercase algorithm and value pairs.
/// Parts are separated by commas (with optional spaces); within a part, RFC 3230 allows no
/// whitespace around the `=`.
pub fn parse_digest(header: &str) -> Result<Vec<(String, String)>, String> {
    let token = |s: &str| !s.is_empty() && !s.chars().any(char::is_whitespace);
    let parts = header
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split_once('=')
                .filter(|(alg, value)| token(alg) && token(value))
                .map(|(alg, value)| (alg.to_ascii_lowercase(), value.to_string()))
                .ok_or_else(|| format!("`{}` is not algorithm=value", truncate(p)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if parts.is_empty() {
        return Err("the Digest header is empty".into());
    }
    Ok(parts)
}

fn refused(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unauthorized, code, message)
}

/// Checks the `Digest` header against the body: present, SHA-256, equal.
pub fn check_digest(header: Option<&str>, body: &[u8]) -> Result<()> {
    let header = header
        .ok_or_else(|| refused("digest_missing", "a signed POST must carry a Digest header"))?;
    let parts = parse_digest(header).map_err(|e| refused("digest_malformed", e))?;
    let sha256 = parts
        .iter()
        .find(|(alg, _)| alg == "sha-256")
        .ok_or_else(|| refused("digest_unsupported", "the Digest must be SHA-256"))?;
    if sha256.1 != BASE64.encode(Sha256::digest(body)) {
        return Err(refused(
            "digest_mismatch",
            "the Digest does not match the body",
        ));
    }
    Ok(())
}

/// What a request looks like to the checks: our host name and a header lookup.
pub struct SignedRequest<'a> {
    /// Our canonical `host[:port]`.
    pub our_host: &'a str,
    pub header: &'a dyn Fn(&str) -> Option<String>,
}

/// Checks a signed request against the rules: every request signs `(request-target)`, `host`
/// and `date` or `(created)`; a POST also signs `digest` (which must match `body`). Algorithms `rsa-sha256`/`hs2019`; `Date`/`(created)` within an hour of `now`; the
/// `Host` is ours. Answers the parsed parameters; every refusal is 401 naming what is wrong.
pub fn check_request(
    request: &SignedRequest<'_>,
    body: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<SignatureParams> {
    let header = (request.header)("signature")
        .ok_or_else(|| refused("unsigned", "inbox requests must carry an HTTP signature"))?;
    let params = parse_signature(&header)
        .map_err(|e| refused("signature_malformed", format!("Signature header: {e}")))?;
    if let Some(alg) = &params.algorithm {
        if !ALGORITHMS.iter().any(|a| a.eq_ignore_ascii_case(alg)) {
            return Err(refused(
                "signature_algorithm",
                format!(
                    "algorithm `{}` is not accepted (rsa-sha256, hs2019)",
                    truncate(alg)
                ),
            ));
        }
    }
    let signed = |name: &str| params.headers.iter().any(|h| h == name);
    let mut missing: Vec<&str> = ["(request-target)", "host"]
        .into_iter()
        .filter(|h| !signed(h))
        .collect();
    // Without a signed time a signature could be replayed forever: GETs too.
    if !signed("date") && !signed("(created)") {
        missing.push("date");
    }
    if body.is_some() && !signed("digest") {
        missing.push("digest");
    }
    if !missing.is_empty() {
        return Err(refused(
            "signature_headers_missing",
            format!("the signature must cover: {}", missing.join(", ")),
        ));
    }
    for name in params.headers.iter().filter(|h| !h.starts_with('(')) {
        if (request.header)(name).is_none() {
            return Err(refused(
                "signature_header_absent",
                format!("signed header `{}` is not in the request", truncate(name)),
            ));
        }
    }
    let host = (request.header)("host").unwrap_or_default();
    let ours = crate::domain::names::parse_hostname(&host)
        .is_ok_and(|h| h.eq_ignore_ascii_case(request.our_host));
    if !ours {
        return Err(refused(
            "signature_host_mismatch",
            format!(
                "the request was signed for `{}`, not this host",
                truncate(&host)
            ),
        ));
    }
    check_times(request, &params, now)?;
    if let Some(body) = body {
        check_digest((request.header)("digest").as_deref(), body)?;
    }
    Ok(params)
}

fn check_times(
    request: &SignedRequest<'_>,
    params: &SignatureParams,
    now: DateTime<Utc>,
) -> Result<()> {
    let in_window = |t: i64| (now.timestamp() - t).abs() <= MAX_CLOCK_SKEW_SECS;
    if params.headers.iter().any(|h| h == "date") {
        let raw = (request.header)("date").unwrap_or_default();
        let date = DateTime::parse_from_rfc2822(raw.trim()).map_err(|_| {
            refused(
                "date_invalid",
                format!("Date `{}` is not an HTTP date", truncate(&raw)),
            )
        })?;
        if !in_window(date.timestamp()) {
            return Err(refused(
                "date_out_of_window",
                "Date must be within an hour of now",
            ));
        }
    }
    if params.headers.iter().any(|h| h == "(created)") {
        let created = params
            .created
            .ok_or_else(|| refused("date_invalid", "(created) is signed but not given"))?;
        if !in_window(created) {
            return Err(refused(
                "date_out_of_window",
                "(created) must be within an hour of now",
            ));
        }
    }
    if params
        .expires
        .is_some_and(|e| e < now.timestamp() - MAX_CLOCK_SKEW_SECS)
    {
        return Err(refused("signature_expired", "the signature has expired"));
    }
    Ok(())
}

/// The key must belong to the actor: `keyId` is the actor's id with a fragment (`#main-key`) or
/// a path below it (`/main-key`, GoToSocial's form).
pub fn check_key_owner(key_id: &str, actor: &Url) -> Result<()> {
    let owned = Url::parse(key_id).is_ok_and(|mut key| {
        key.set_fragment(None);
        let actor_path = actor.as_str().trim_end_matches('/');
        key.as_str() == actor.as_str()
            || key
                .as_str()
                .strip_prefix(actor_path)
                .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'))
    });
    if owned {
        Ok(())
    } else {
        Err(refused(
            "key_owner_mismatch",
            "the signing key does not belong to the activity's actor",
        ))
    }
}

/// The origin of a URL: scheme and canonical `host[:port]`.
pub fn origin(url: &Url) -> Option<(String, String)> {
    Some((
        url.scheme().to_string(),
        crate::domain::names::instance_of(url)?,
    ))
}

/// Refuses a URL that is not on the actor's origin (host and port).
pub fn check_same_origin(field: &str, url: &Url, actor: &Url) -> Result<()> {
    if origin(url).is_some() && origin(url) == origin(actor) {
        return Ok(());
    }
    let mut e = Error::new(
        ErrorKind::BadRequest,
        "origin_mismatch",
        format!("{field} is not on the actor's host"),
    );
    e.field = Some(field.to_string());
    Err(e)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_mastodon_signature_header_parses() {
        let p = parse_signature(
            r#"keyId="https://m.example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="c2ln""#,
        )
        .expect("parses");
        assert_eq!(p.key_id, "https://m.example/users/a#main-key");
        assert_eq!(p.headers[0], "(request-target)");
        assert_eq!(p.signature, "c2ln");
        let p =
            parse_signature(r#"keyId="k", signature="s", created=1700000000, headers="(created)""#)
                .expect("parses");
        assert_eq!(p.created, Some(1_700_000_000));
        for bad in [
            "",
            "keyId",
            r#"keyId="k"#,
            r#"keyId="k",keyId="j",signature="s""#,
            r#"signature="s""#,
            r#"keyId="k" signature="s""#,
            r#"keyId="k",signature="s",created=x"#,
        ] {
            assert!(parse_signature(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digests_must_be_sha256_and_match() {
        let body = b"{}";
        let good = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
        assert!(check_digest(Some(&good), body).is_ok());
        assert!(check_digest(Some(&good), b"{ }").is_err());
        assert!(check_digest(Some("SHA-512=abc"), body).is_err());
        assert!(check_digest(None, body).is_err());
        assert!(check_digest(Some("garbage"), body).is_err());
        // Found by fuzzing: whitespace around `=` was trimmed away and accepted.
        let spaced = format!("SHA-256 = {}", BASE64.encode(Sha256::digest(body)));
        assert!(check_digest(Some(&spaced), body).is_err());
        let listed = format!("SHA-512=abc, {good}");
        assert!(check_digest(Some(&listed), body).is_ok());
    }

    #[test]
    fn a_get_must_sign_a_fresh_time() {
        let now = Utc::now();
        let check = |signed: &str, date: String, created: Option<i64>| {
            let created = created.map(|c| format!(",created={c}")).unwrap_or_default();
            let signature = format!(r#"keyId="k",headers="{signed}",signature="c2ln"{created}"#);
            let header = move |name: &str| match name {
                "signature" => Some(signature.clone()),
                "host" => Some("b.example".to_string()),
                "date" => Some(date.clone()),
                _ => None,
            };
            let request = SignedRequest {
                our_host: "b.example",
                header: &header,
            };
            check_request(&request, None, now).map_err(|e| e.code)
        };
        let fresh = httpdate::fmt_http_date(now.into());
        let old = httpdate::fmt_http_date((now - chrono::Duration::days(2)).into());
        assert!(check("(request-target) host date", fresh.clone(), None).is_ok());
        let created = Some(now.timestamp());
        assert!(check("(request-target) host (created)", fresh.clone(), created).is_ok());
        for date in [fresh, old.clone()] {
            let got = check("(request-target) host", date, None);
            assert_eq!(got.err(), Some("signature_headers_missing"));
        }
        let got = check("(request-target) host date", old.clone(), None);
        assert_eq!(got.err(), Some("date_out_of_window"));
        let stale = Some(now.timestamp() - 2 * 86_400);
        let got = check("(request-target) host (created)", old, stale);
        assert_eq!(got.err(), Some("date_out_of_window"));
    }

    #[test]
    fn keys_belong_to_their_actor() {
        let actor = Url::parse("https://a.example/u/alice").expect("url");
        assert!(check_key_owner("https://a.example/u/alice#main-key", &actor).is_ok());
        assert!(check_key_owner("https://a.example/u/alice/main-key", &actor).is_ok());
        assert!(check_key_owner("https://a.example/u/alicex#main-key", &actor).is_err());
        assert!(check_key_owner("https://a.example/u/bob#main-key", &actor).is_err());
        assert!(check_key_owner("https://a.example:8443/u/alice#k", &actor).is_err());
        assert!(check_key_owner("https://a.example/u/alice/x/y", &actor).is_err());
    }
}
