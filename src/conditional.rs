//! Conditional GETs for every route: a `200` answer to `GET` or `HEAD` whose body has a known
//! size gets a weak `ETag` (its SHA-256, `views::cache::etag_of`, unless the handler set one,
//! as the read cache does), and a request whose `If-None-Match` names it is answered
//! `304 Not Modified` with the same headers and no body. Runs inside `Compress`, so the tag is
//! of the uncompressed body (weak: it holds for any encoding).

use crate::views::cache::etag_of;
use actix_web::{
    body::{self, BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{header, Method, StatusCode},
    middleware::Next,
    HttpResponse,
};

/// Bodies above this are not tagged (they would be held in memory whole to hash them).
const MAX_TAGGED: u64 = 8 * 1024 * 1024;

/// The middleware (outside every route, inside compression).
pub async fn etags(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let asked = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.call(req).await?;
    let sized = matches!(res.response().body().size(), BodySize::Sized(n) if n <= MAX_TAGGED);
    if !reads || res.status() != StatusCode::OK || !sized {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut res, etag) = match res.headers().get(header::ETAG).cloned() {
        Some(etag) => (res.map_into_boxed_body(), etag),
        None => {
            let (res, body) = res.into_parts();
            let bytes = body::to_bytes(body)
                .await
                .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
            let etag = header::HeaderValue::from_str(&etag_of(&bytes))
                .map_err(actix_web::error::ErrorInternalServerError)?;
            (res.set_body(BoxBody::new(bytes)), etag)
        }
    };
    res.headers_mut().insert(header::ETAG, etag.clone());
    if asked.is_some_and(|asked| matches(&asked, &etag)) {
        let mut not_modified = HttpResponse::NotModified();
        for (name, value) in res.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                not_modified.append_header((name.clone(), value.clone()));
            }
        }
        return Ok(ServiceResponse::new(req, not_modified.finish()));
    }
    Ok(ServiceResponse::new(req, res))
}

/// Whether `If-None-Match` (`*` or a list of tags) names `etag`, compared weakly (RFC 9110,
/// 13.1.2: `W/` ignored on both sides).
fn matches(asked: &header::HeaderValue, etag: &header::HeaderValue) -> bool {
    let (Ok(asked), Ok(etag)) = (asked.to_str(), etag.to_str()) else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let ours = opaque(etag);
    asked.trim() == "*" || asked.split(',').any(|tag| opaque(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::matches;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn if_none_match_is_compared_weakly_over_a_list() {
        let ours = HeaderValue::from_static("W/\"abc\"");
        for asked in ["W/\"abc\"", "\"abc\"", "\"x\", W/\"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(asked), &ours), "{asked}");
        }
        for asked in ["W/\"abd\"", "\"x\"", ""] {
            assert!(!matches(&HeaderValue::from_static(asked), &ours), "{asked}");
        }
    }
}
