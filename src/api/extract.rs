//! Request extractors of the client API: `ApiJson<T>` (size-limited JSON whose errors name the
//! field at fault), `Auth` / `MaybeAuth` (sessions, shared with the pages: the bearer token, or
//! the same token in the session cookie), and the client's address.

use super::strict_json::Strict;
use crate::{
    actions,
    context::AppContext,
    db::accounts::Account,
    error::{Error, ErrorKind},
};
use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
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
        let body = read_limited(req, payload, Media::Json);
        Box::pin(async move { parse_json(&body.await?).map(ApiJson) })
    }
}

/// Like [`ApiJson`], but an empty body means `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_limited(req, payload, Media::Json);
        Box::pin(async move {
            let body = body.await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            parse_json(&body).map(OptionalJson)
        })
    }
}

/// The kind of body an extractor reads.
#[derive(Clone, Copy)]
pub enum Media {
    /// `application/json` or `…+json` (or no content type).
    Json,
    /// `application/x-www-form-urlencoded`: a page's form.
    Form,
}

impl Media {
    fn accepts(self, essence: &str) -> bool {
        match self {
            Media::Json => essence == "application/json" || essence.ends_with("+json"),
            Media::Form => essence == "application/x-www-form-urlencoded",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Media::Json => "application/json",
            Media::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// Reads the body up to `api_body_limit_bytes`: 413 as soon as it is exceeded (or declared to
/// be), 415 for a content type that is not `media`.
pub fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
    media: Media,
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
            if !media.accepts(essence) {
                return Err(Error::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_media_type",
                    format!("expected Content-Type {}, got `{essence}`", media.name()),
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
    if let Some(path) = nul_path(&value, "") {
        return Err(Error::invalid_field(
            path.trim_start_matches('.'),
            "must not contain NUL bytes",
        ));
    }
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

/// Where the first string (a key or a value) holding U+0000 is, as a field path. No stored text
/// may hold NUL (PostgreSQL refuses it), so a request carrying one is refused whole, before any
/// handler can half-use it.
fn nul_path(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then(|| at.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = format!("{at}.{key}");
            if key.contains('\0') {
                Some(here)
            } else {
                nul_path(item, &here)
            }
        }),
        _ => None,
    }
}

/// The logged-in account; 401 without a valid session (a bearer token, or the session cookie of
/// the pages). A cookie-authenticated write must also pass the CSRF check (`web::csrf`).
pub struct Auth(pub Account);

/// The logged-in account if a valid session is given (an invalid bearer token is still 401; a
/// stale session cookie just means signed out).
pub struct MaybeAuth(pub Option<Account>);

/// The raw bearer token of the request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// How a request carries its session token.
#[derive(Clone)]
pub enum Credential {
    /// `Authorization: Bearer`: not subject to CSRF checks (browsers never add it by themselves).
    Bearer(String),
    /// The pages' session cookie (`web::session`).
    Cookie(String),
}

impl Credential {
    pub fn token(&self) -> &str {
        match self {
            Credential::Bearer(t) | Credential::Cookie(t) => t,
        }
    }
}

/// A live session: the account and how the request proved it.
#[derive(Clone)]
pub struct Session {
    pub account: Account,
    pub credential: Credential,
}

impl Session {
    pub fn by_cookie(&self) -> bool {
        matches!(self.credential, Credential::Cookie(_))
    }
}

/// The session of a request, resolved once and kept in the request's extensions.
#[derive(Clone)]
struct Resolved(Option<Session>);

/// The request's session: the bearer token first, else the session cookie. An invalid bearer
/// token is 401; an invalid or expired cookie is no session.
pub async fn session(req: &HttpRequest) -> Result<Option<Session>, Error> {
    if let Some(Resolved(session)) = req.extensions().get::<Resolved>().cloned() {
        return Ok(session);
    }
    let ctx = req
        .app_data::<web::Data<AppContext>>()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("AppContext missing")))?;
    let credential = match bearer_token(req) {
        Some(token) => Credential::Bearer(token),
        None => match crate::web::session::cookie_token(req, ctx.settings()) {
            Some(token) => Credential::Cookie(token),
            None => return Ok(None),
        },
    };
    let account = actions::accounts::authenticate(ctx, credential.token()).await?;
    let session = match (account, &credential) {
        (Some(account), _) => Some(Session {
            account,
            credential,
        }),
        (None, Credential::Bearer(_)) => {
            return Err(Error::unauthorized("the token is invalid or has expired"))
        }
        (None, Credential::Cookie(_)) => None,
    };
    req.extensions_mut().insert(Resolved(session.clone()));
    Ok(session)
}

/// The account of the request's session, after the CSRF check of a cookie-authenticated write.
async fn account_of(req: HttpRequest) -> Result<Option<Account>, Error> {
    let Some(session) = session(&req).await? else {
        return Ok(None);
    };
    if session.by_cookie() && !req.method().is_safe() {
        crate::web::csrf::check_api_request(&req, session.credential.token())?;
    }
    Ok(Some(session.account))
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
