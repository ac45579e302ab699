//! Flash messages for post/redirect/get: a write answers `303 See Other` with a short-lived
//! cookie holding one message; the next page shows it (in the layout's `role="status"` area)
//! and the page middleware (`web::errors::pages`) clears it. The cookie is `HttpOnly`, lives a
//! minute, and is signed with the instance's key (`web::csrf::sign`), so no other site or
//! sibling subdomain can put words on our pages.

use super::{csrf, session};
use crate::context::AppContext;
use actix_web::{
    cookie::{time::Duration, Cookie},
    http::header,
    HttpRequest, HttpResponse,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};

pub const COOKIE: &str = "copse_flash";
const LIFETIME: Duration = Duration::minutes(1);

/// The cookie carrying `message` to the next page.
pub fn cookie(ctx: &AppContext, message: &str) -> Cookie<'static> {
    let tag = csrf::sign(ctx, "flash", message.as_bytes());
    let value = format!("{}.{}", B64.encode(message), B64.encode(tag));
    session::cookie(ctx.settings(), COOKIE, value, LIFETIME)
}

/// Removes the flash cookie.
pub fn removal(ctx: &AppContext) -> Cookie<'static> {
    session::cookie(ctx.settings(), COOKIE, String::new(), Duration::ZERO)
}

/// The message the request carries, if its signature holds.
pub fn read(req: &HttpRequest, ctx: &AppContext) -> Option<String> {
    let cookie = req.cookie(COOKIE)?;
    let (message, tag) = cookie.value().split_once('.')?;
    let message = B64.decode(message).ok()?;
    let tag = B64.decode(tag).ok()?;
    if !csrf::verify(ctx, "flash", &message, &tag) {
        return None;
    }
    String::from_utf8(message).ok()
}

/// `303 See Other` to `location` with a flash message: the end of every successful form post.
pub fn redirect(ctx: &AppContext, location: &str, message: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .cookie(cookie(ctx, message))
        .finish()
}
