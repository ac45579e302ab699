//! The session cookie of the pages: the same opaque token as the API's bearer token (a row of
//! `sessions`, stored hashed), carried as `__Host-copse_session` (`Secure; HttpOnly;
//! SameSite=Lax; Path=/`).
//!
//! `__Host-` cookies must be `Secure`. Browsers keep Secure cookies from `https://` and from
//! `http://localhost` / `127.0.0.1` / `[::1]`, but drop them from plain http elsewhere, so an
//! instance whose URLs are `http://` on another host (a development setup with
//! `insecure_federation`) uses `copse_session` without `Secure` instead: a cookie that can be
//! read on the wire, which is what plain http means anyway.

use crate::config::Settings;
use actix_web::{
    cookie::{time::Duration, Cookie, SameSite},
    HttpRequest,
};

const SECURE_NAME: &str = "__Host-copse_session";
const PLAIN_NAME: &str = "copse_session";

/// Whether this instance's cookies can be `Secure` (and so `__Host-`): https, or a loopback host
/// (where browsers treat http as secure).
pub fn secure_cookies(settings: &Settings) -> bool {
    if settings.scheme() == "https" {
        return true;
    }
    let host = match settings.hostname.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => settings.hostname.as_str(),
    };
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The session cookie's name on this instance.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if secure_cookies(settings) {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

/// The session token the request's cookie carries, if any.
pub fn cookie_token(req: &HttpRequest, settings: &Settings) -> Option<String> {
    req.cookie(cookie_name(settings))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// A cookie with this instance's attributes (`HttpOnly; SameSite=Lax; Path=/`, `Secure` when
/// possible), living `max_age`.
pub fn cookie(
    settings: &Settings,
    name: &'static str,
    value: String,
    max_age: Duration,
) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish();
    if secure_cookies(settings) {
        cookie.set_secure(true);
    }
    cookie
}

/// Sets the session cookie to `token`, for as long as the session lives.
pub fn set(settings: &Settings, token: String) -> Cookie<'static> {
    let ttl = Duration::days(i64::from(settings.session_ttl_days));
    cookie(settings, cookie_name(settings), token, ttl)
}

/// Removes the session cookie.
pub fn removal(settings: &Settings) -> Cookie<'static> {
    cookie(
        settings,
        cookie_name(settings),
        String::new(),
        Duration::ZERO,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hostname: &str, insecure: bool) -> Settings {
        Settings {
            hostname: hostname.into(),
            insecure_federation: insecure,
            ..Settings::default()
        }
    }

    #[test]
    fn the_cookie_is_secure_on_https_and_loopback_and_plain_elsewhere() {
        assert_eq!(cookie_name(&settings("copse.example", false)), SECURE_NAME);
        assert_eq!(cookie_name(&settings("localhost:8080", true)), SECURE_NAME);
        assert_eq!(cookie_name(&settings("dev.localhost", true)), SECURE_NAME);
        assert_eq!(cookie_name(&settings("127.0.0.1:3000", true)), SECURE_NAME);
        assert_eq!(cookie_name(&settings("copse.lan:8080", true)), PLAIN_NAME);
        let plain = set(&settings("copse.lan", true), "t".into());
        assert_eq!(plain.secure(), None);
        let secure = set(&settings("copse.example", false), "t".into());
        assert_eq!(secure.secure(), Some(true));
        assert_eq!(secure.http_only(), Some(true));
        assert_eq!(secure.same_site(), Some(SameSite::Lax));
        assert_eq!(secure.path(), Some("/"));
    }
}
