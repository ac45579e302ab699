//! Every page answer passes `pages` (the middleware around the page routes): an error (from a
//! handler or an extractor: 400, 401, 403 CSRF, 404, 413, 415, 429, 500, 503) becomes an HTML page
//! with its status, never JSON (the API under `/api/v1` keeps its JSON errors); every HTML
//! answer gets the security headers (strict CSP: no inline style or script); a flash message
//! shown is cleared.

use super::{flash, frame::Frame, html};
use crate::error::{Error, ErrorKind};
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{header, StatusCode},
    middleware::Next,
    HttpMessage, HttpRequest, HttpResponse, ResponseError,
};
use askama::Template;

pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "error.html", config = "src/web/askama.toml")]
struct ErrorPage {
    frame: Frame,
    status: u16,
    title: &'static str,
    message: String,
}

/// The middleware of the page routes.
pub async fn pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request is not cloned before routing (routing needs it unshared); afterwards the
    // response carries it. Handlers' and extractors' errors arrive as responses.
    let had_flash = req.cookie(flash::COOKIE).is_some();
    let mut res = next.call(req).await?.map_into_boxed_body();
    let request = res.request().clone();
    if let Some(page) = error_page(&request, res.response()).await {
        res = ServiceResponse::new(request.clone(), page);
    }
    if is_html(res.response()) {
        secure(res.response_mut());
    }
    let stale = request
        .extensions()
        .get::<super::frame::StaleSession>()
        .is_some();
    if let (true, Ok(ctx)) = (stale, super::frame::context(&request)) {
        let name = super::session::cookie_name(ctx.settings());
        if !res.response().cookies().any(|c| c.name() == name) {
            let _ = res
                .response_mut()
                .add_cookie(&super::session::removal(ctx.settings()));
        }
    }
    let sets_flash = res.response().cookies().any(|c| c.name() == flash::COOKIE);
    if had_flash && !sets_flash && !res.status().is_redirection() {
        if let Ok(ctx) = super::frame::context(&request) {
            let _ = res.response_mut().add_cookie(&flash::removal(&ctx));
        }
    }
    Ok(res)
}

fn is_html(res: &HttpResponse) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

/// The headers of every HTML answer: a page may hold a form token and a name, so no shared cache
/// keeps it.
fn secure(res: &mut HttpResponse) {
    let headers = res.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::VARY, "Accept, Cookie"),
    ];
    for (name, value) in set {
        headers.insert(name, header::HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-cache"),
        );
    }
}

/// The HTML page for an error answer, if `res` is one that is not a page already (an error, or
/// a bare 4xx/5xx such as a missing stylesheet's).
async fn error_page(req: &HttpRequest, res: &HttpResponse) -> Option<HttpResponse> {
    let status = res.status();
    let message = match res.error() {
        Some(error) => match error.as_error::<Error>() {
            Some(e) if e.kind == ErrorKind::Internal => generic(status),
            Some(e) if e.kind == ErrorKind::Unavailable => generic(status),
            Some(e) => e.message.clone(),
            None if status.is_client_error() => error.to_string(),
            None => generic(status),
        },
        None if is_html(res) || !(status.is_client_error() || status.is_server_error()) => {
            return None
        }
        None if status.is_client_error() => "This request cannot be answered.".into(),
        None => generic(status),
    };
    let frame = match Frame::of(req).await {
        Ok(frame) => frame,
        Err(_) => Frame::signed_out(req),
    };
    let page = ErrorPage {
        frame,
        status: status.as_u16(),
        title: title(status),
        message,
    };
    let mut page = html(status, &page).unwrap_or_else(|e| e.error_response());
    if let Some(retry) = res.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    Some(page)
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Not logged in",
        403 => "Not allowed",
        404 => "Not found",
        410 => "Gone",
        413 => "Too large",
        415 => "Not a form",
        422 => "Cannot be done",
        429 => "Too many attempts",
        503 => "Busy",
        _ if status.is_server_error() => "Something went wrong",
        _ => "Error",
    }
}

fn generic(status: StatusCode) -> String {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        "The server is busy right now. Wait a moment and try again.".into()
    } else {
        "Something went wrong on our side; it has been logged. Try again later.".into()
    }
}

/// A page address that does not exist.
pub async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::new(
        ErrorKind::NotFound,
        "not_found",
        "There is no page at this address.",
    ))
}
