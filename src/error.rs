//! The one error type: a small client-facing `ErrorKind` (status + stable code), a human message,
//! and the internal cause chain that is logged but never shown to clients.
//!
//! Policy: handlers and `domain/` return `Error` with the kind that tells the client what to do;
//! internal failures (I/O, database, crypto) become `ErrorKind::Internal` through `From`, keep
//! their cause for the log, and answer a generic 500. The database being busy answers 503 with
//! `Retry-After`, so clients retry instead of giving up; too many failed log-ins answer 429 with
//! the `Retry-After` the error carries.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

/// What the client is told. Each kind maps to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request cannot be understood or a field is malformed.
    BadRequest,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 404
    NotFound,
    /// 409: a unique name or address is taken.
    Conflict,
    /// 410: the object existed and was deleted.
    Gone,
    /// 413
    PayloadTooLarge,
    /// 415
    UnsupportedMediaType,
    /// 422: well-formed but against a rule (reserved name, policy).
    Unprocessable,
    /// 429: too many attempts (failed log-ins); `Retry-After` says when to try again.
    TooManyRequests,
    /// 503: try again shortly (database busy, shutting down).
    Unavailable,
    /// 500: our fault; details only in the log.
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A failure: what the client sees (`kind`, `code`, `message`, optional `field`) and, for the
/// log, the cause chain.
pub struct Error {
    pub kind: ErrorKind,
    /// Stable, machine-readable code such as `name_taken` or `invalid_field`.
    pub code: &'static str,
    pub message: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds for `Retry-After` (429 and 503; a 503 without one says 5).
    pub retry_after: Option<u64>,
    cause: Option<anyhow::Error>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            cause: None,
        }
    }

    /// 400 `invalid_field` naming the field.
    pub fn invalid_field(field: &str, message: impl fmt::Display) -> Self {
        let mut e = Error::new(
            ErrorKind::BadRequest,
            "invalid_field",
            format!("{field}: {message}"),
        );
        e.field = Some(field.to_string());
        e
    }

    pub fn not_found(what: impl fmt::Display) -> Self {
        Error::new(
            ErrorKind::NotFound,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unauthorized, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Forbidden, "forbidden", message)
    }

    /// An internal failure; the message is for the log only.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Error {
            kind: ErrorKind::Internal,
            code: "internal",
            message: "internal server error".into(),
            field: None,
            retry_after: None,
            cause: Some(cause.into()),
        }
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Error::new(
            ErrorKind::Unavailable,
            "unavailable",
            "the server is busy, try again shortly",
        );
        e.cause = Some(cause.into());
        e
    }

    /// 429 `too_many_attempts`, to be retried after `secs` seconds.
    pub fn too_many(message: impl Into<String>, secs: u64) -> Self {
        Error::new(ErrorKind::TooManyRequests, "too_many_attempts", message).with_retry_after(secs)
    }

    /// Sets the `Retry-After` seconds of a 429 or 503.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    /// Adds an internal cause without changing what the client sees.
    pub fn with_cause(mut self, cause: impl Into<anyhow::Error>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    pub fn cause(&self) -> Option<&anyhow::Error> {
        self.cause.as_ref()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{}: {}", self.kind, self.code, self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}

/// The JSON body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request field at fault, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self.kind {
            ErrorKind::Internal => tracing::error!("{self:?}"),
            ErrorKind::Unavailable => tracing::warn!("{self:?}"),
            _ => tracing::debug!("{self:?}"),
        }
        let mut response = HttpResponse::build(self.status_code());
        match (self.kind, self.retry_after) {
            (ErrorKind::Unavailable | ErrorKind::TooManyRequests, Some(secs)) => {
                response.insert_header(("Retry-After", secs.to_string()));
            }
            (ErrorKind::Unavailable, None) => {
                response.insert_header(("Retry-After", "5"));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: self.code.to_string(),
            message: self.message.clone(),
            field: self.field.clone(),
        })
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match &e {
            D::NotFound => Error::not_found("record").with_cause(e),
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Error::new(ErrorKind::Conflict, "conflict", "already exists").with_cause(e)
            }
            D::DatabaseError(_, info) if is_busy(info.message()) => Error::unavailable(e),
            D::DatabaseError(_, info) if is_nul_refused(info.message()) => Error::new(
                ErrorKind::BadRequest,
                "invalid_text",
                "text must not contain NUL bytes",
            )
            .with_cause(e),
            _ => Error::internal(e),
        }
    }
}

/// PostgreSQL refuses U+0000 in text (`invalid byte sequence for encoding "UTF8": 0x00`). The
/// request and form readers refuse it first; this covers a path segment or query string that
/// reaches a lookup, so the answer is the client's error and never a 500.
fn is_nul_refused(message: &str) -> bool {
    message.contains("invalid byte sequence") && message.contains("0x00")
}

/// SQLite reports lock contention as "database is locked" / "database table is locked".
fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("is busy")
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Error::unavailable(e)
    }
}

impl From<activitypub_federation::error::Error> for Error {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as F;
        match e {
            F::NotFound => Error::not_found("object"),
            F::UrlVerificationError(reason) if reason == crate::federation::INSTANCE_BLOCKED => {
                Error::new(
                    ErrorKind::Forbidden,
                    "instance_blocked",
                    "this instance does not federate with that one",
                )
            }
            F::ObjectDeleted(_) => Error::new(ErrorKind::Gone, "gone", "object was deleted"),
            F::WebfingerResolveFailed(_) => {
                Error::new(ErrorKind::NotFound, "not_found", "unknown account").with_cause(e)
            }
            F::ActivitySignatureInvalid | F::ActivityBodyDigestInvalid => {
                Error::unauthorized("invalid HTTP signature").with_cause(e)
            }
            other => Error::new(ErrorKind::BadRequest, "federation", other.to_string()),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::internal(e)
    }
}

impl From<openssl::error::ErrorStack> for Error {
    fn from(e: openssl::error::ErrorStack) -> Self {
        Error::internal(e)
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Error::internal(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::internal(e)
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::internal(e)
    }
}
