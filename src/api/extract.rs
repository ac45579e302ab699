//! Request extractors of the client API: `ApiJson<T>` (size-limited JSON whose errors name the
//! field at fault), `Auth` / `MaybeAuth` (bearer-token sessions), and the client's address.

use super::strict_json::Strict;
use crate::{
    actions,
    context::AppContext,
    db::accounts::Account,
    error::{Error, ErrorKind},
};
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures::{future::LocalBoxFuture, StreamExt};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// The address a request came from: the TCP peer; behind a trusted proxy (`trusted_proxy`), the
/// last entry of `X-Forwarded-For`, the one that proxy added (earlier entries are the client's
/// to write). Falls back to the peer when the header is missing or unreadable.
pub fn client_address(req: &HttpRequest, trusted_proxy: bool) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    if !trusted_proxy {
        return peer;
    }
    let last_hop = req
        .headers()
        .get_all("x-forwarded-for")
        .last()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|hop| {
            hop.parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        });
    last_hop.or(peer)
}

/// A JSON body, read up to `api_body_limit_bytes` (413 beyond, before buffering more) and
/// deserialised with the path of any failing field in the 400 message.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_limited(req, payload);
        Box::pin(async move { parse_json(&body.await?).map(ApiJson) })
    }
}

/// Like [`ApiJson`], but an empty body means `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_limited(req, payload);
        Box::pin(async move {
            let body = body.await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            parse_json(&body).map(OptionalJson)
        })
    }
}

/// Reads the body up to `api_body_limit_bytes`: 413 as soon as it is exceeded (or declared to
/// be), 415 for a content type that is not JSON.
fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<web::BytesMut, Error>> {
    let limit = req
        .app_data::<web::Data<AppContext>>()
        .map(|ctx| ctx.settings().api_body_limit_bytes)
        .unwrap_or(256 * 1024);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if let Some(ct) = content_type {
            let essence = ct.split(';').next().unwrap_or("").trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(Error::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_media_type",
                    format!("expected Content-Type application/json, got `{essence}`"),
                ));
            }
        }
        if declared_length.is_some_and(|len| len > limit) {
            return Err(too_large(limit));
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                Error::new(
                    ErrorKind::BadRequest,
                    "bad_body",
                    format!("reading body: {e}"),
                )
            })?;
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    })
}

fn too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::PayloadTooLarge,
        "payload_too_large",
        format!("request body is larger than {limit} bytes"),
    )
}

/// Deserialises JSON; a syntax error says where, a type error names the field. Structs are read
/// from JSON objects only ([`Strict`]): `[]` is not an empty request.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    if body.is_empty() {
        return Err(Error::new(
            ErrorKind::BadRequest,
            "invalid_json",
            "request body is empty; expected a JSON object",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::BadRequest,
            "invalid_json",
            format!("malformed JSON: {e}"),
        )
    })?;
    serde_path_to_error::deserialize(Strict(value)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            Error::new(ErrorKind::BadRequest, "invalid_json", format!("{inner}"))
        } else {
            Error::invalid_field(&path, inner)
        }
    })
}

/// The logged-in account; 401 without a valid `Authorization: Bearer` token.
pub struct Auth(pub Account);

/// The logged-in account if a valid token is given (an invalid one is still 401).
pub struct MaybeAuth(pub Option<Account>);

/// The raw bearer token of the request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

async fn account_of(req: HttpRequest) -> Result<Option<Account>, Error> {
    let Some(token) = bearer_token(&req) else {
        return Ok(None);
    };
    let ctx = req
        .app_data::<web::Data<AppContext>>()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("AppContext missing")))?;
    match actions::accounts::authenticate(ctx, &token).await? {
        Some(account) => Ok(Some(account)),
        None => Err(Error::unauthorized("the token is invalid or has expired")),
    }
}

impl FromRequest for Auth {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            account_of(req).await?.map(Auth).ok_or_else(|| {
                Error::unauthorized("log in first: send Authorization: Bearer <token>")
            })
        })
    }
}

impl FromRequest for MaybeAuth {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { account_of(req).await.map(MaybeAuth) })
    }
}
