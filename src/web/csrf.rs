//! Cross-site request forgery: a write authenticated by the session cookie must come from our
//! own pages. Two checks, both required:
//!
//! 1. **Where it came from**: `Sec-Fetch-Site: same-origin` or `none` (typed or bookmarked); when
//!    the browser sends no `Sec-Fetch-Site`, an `Origin` equal to our public origin
//!    (`scheme://hostname` of the settings). A request with neither is refused: every browser
//!    that copse's pages support sends one of them on a POST.
//! 2. **The form token**: a hidden `csrf_token` field (for the JSON API with a cookie, an
//!    `X-CSRF-Token` header) equal to HMAC-SHA256 of the session token under a key of this
//!    instance. It changes with every log-in and cannot be computed from the stored session hash.
//!
//! Requests with `Authorization: Bearer` are not subject to either (browsers never attach a
//! bearer token by themselves). The log-in and sign-up forms have no session yet: they get the
//! first check only (a login CSRF needs a cross-site post, which it refuses).
//!
//! **The key** is derived from the instance actor's private key (`crate::signing`, purpose
//! `web/csrf`), not stored apart. Were the private key replaced, form tokens would change with it
//! (open pages need a reload).

use crate::{
    context::AppContext,
    error::{Error, ErrorKind, Result},
};
use actix_web::{web, HttpRequest};
use base64::Engine;

/// The name of the form field (and, with `X-`, of the API header).
pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";

/// HMAC-SHA256 of `data` under this instance's key for the pages' `purpose` (`csrf`, `flash`).
pub(super) fn sign(ctx: &AppContext, purpose: &str, data: &[u8]) -> Vec<u8> {
    crate::signing::sign(ctx, &format!("web/{purpose}"), data)
}

/// Whether `tag` is the HMAC of `data` for the pages' `purpose` (in constant time).
pub(super) fn verify(ctx: &AppContext, purpose: &str, data: &[u8], tag: &[u8]) -> bool {
    crate::signing::verify(ctx, &format!("web/{purpose}"), data, tag)
}

/// The form token of a session.
pub fn token(ctx: &AppContext, session_token: &str) -> String {
    let tag = sign(ctx, "csrf", session_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
}

/// Whether `presented` is the form token of the session.
pub fn token_matches(ctx: &AppContext, session_token: &str, presented: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(presented.trim())
        .is_ok_and(|tag| verify(ctx, "csrf", session_token.as_bytes(), &tag))
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Forbidden, "csrf", message)
}

/// Check 1: the request comes from one of our pages (or was typed in).
pub fn check_origin(req: &HttpRequest, ctx: &AppContext) -> Result<()> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("").trim().to_ascii_lowercase())
    };
    if let Some(site) = header("sec-fetch-site") {
        return match site.as_str() {
            "same-origin" | "none" => Ok(()),
            other => Err(refused(format!(
                "This form was sent from another site (Sec-Fetch-Site: {other}), so it was \
                 refused. If you meant to send it, go back to the page on this site and send it \
                 from there."
            ))),
        };
    }
    let ours = ctx.url("").to_ascii_lowercase();
    match header("origin") {
        Some(origin) if origin == ours => Ok(()),
        Some(origin) => Err(refused(format!(
            "This form was sent from another site ({origin}), so it was refused. If you meant to \
             send it, go back to the page on this site and send it from there."
        ))),
        None => Err(refused(
            "Your browser did not say which site this form came from (no Origin or \
             Sec-Fetch-Site header), so it was refused to protect your account.",
        )),
    }
}

/// Check 2 for a page's form.
pub fn check_form_token(
    ctx: &AppContext,
    session_token: &str,
    presented: Option<&str>,
) -> Result<()> {
    match presented {
        Some(p) if token_matches(ctx, session_token, p) => Ok(()),
        Some(_) => Err(refused(
            "This form is out of date (you logged in or out since it was shown). Reload the page \
             and send it again.",
        )),
        None => Err(refused(
            "This form has no security token, so it was refused. Send it from the page on this \
             site.",
        )),
    }
}

/// Both checks for a cookie-authenticated write to the JSON API (the token in `X-CSRF-Token`).
pub fn check_api_request(req: &HttpRequest, session_token: &str) -> Result<()> {
    let ctx = req
        .app_data::<web::Data<AppContext>>()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("AppContext missing")))?;
    check_origin(req, ctx)?;
    let presented = req.headers().get(HEADER).and_then(|v| v.to_str().ok());
    check_form_token(ctx, session_token, presented)
}
