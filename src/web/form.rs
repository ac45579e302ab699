//! Form posts from the pages: `Form<T>` for a signed-in page (session required; with the session
//! cookie, both CSRF checks of `web::csrf`), `PublicForm<T>` for log-in and sign-up (the origin
//! check only: there is no session yet). Both read `application/x-www-form-urlencoded` up to
//! `api_body_limit_bytes` (413 beyond). `FormError` is what a refused form shows next to its
//! fields.

use super::{csrf, frame::context, frame::Frame};
use crate::{
    api::extract::{self, Media, Session},
    error::{Error, ErrorKind},
};
use actix_web::{dev::Payload, http::StatusCode, FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use serde::{de::DeserializeOwned, Deserialize};

/// A signed-in page's form.
pub struct Form<T> {
    pub frame: Frame,
    pub session: Session,
    pub data: T,
}

/// A button's form: the CSRF token only.
#[derive(Deserialize, Default)]
pub struct Button {}

/// The log-in and sign-up forms.
pub struct PublicForm<T> {
    pub frame: Frame,
    pub data: T,
}

#[derive(Deserialize)]
struct Token {
    csrf_token: Option<String>,
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    if let Some((field, _)) = url::form_urlencoded::parse(body)
        .find(|(key, value)| key.contains('\0') || value.contains('\0'))
    {
        return Err(Error::invalid_field(
            &field.replace('\0', "\u{FFFD}"),
            "must not contain NUL bytes",
        ));
    }
    serde_urlencoded::from_bytes(body).map_err(|e| {
        Error::new(
            ErrorKind::BadRequest,
            "invalid_form",
            format!("The form could not be read: {e}."),
        )
    })
}

fn not_signed_in() -> Error {
    Error::unauthorized("You are not logged in (or your session has ended). Log in and try again.")
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = extract::read_limited(&req, payload, Media::Form);
        Box::pin(async move {
            let ctx = context(&req)?;
            let frame = Frame::of(&req).await?;
            let session = extract::session(&req).await?.ok_or_else(not_signed_in)?;
            if session.by_cookie() {
                csrf::check_origin(&req, &ctx)?;
            }
            let body = body.await?;
            if session.by_cookie() {
                let token: Token = parse(&body)?;
                let token = token.csrf_token;
                csrf::check_form_token(&ctx, session.credential.token(), token.as_deref())?;
            }
            Ok(Form {
                frame,
                session,
                data: parse(&body)?,
            })
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for PublicForm<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = extract::read_limited(&req, payload, Media::Form);
        Box::pin(async move {
            let ctx = context(&req)?;
            csrf::check_origin(&req, &ctx)?;
            let frame = Frame::of(&req).await?;
            Ok(PublicForm {
                frame,
                data: parse(&body.await?)?,
            })
        })
    }
}

/// Why a form was refused, shown in the form: next to `field`, or at the top of `form`.
#[derive(Default)]
pub struct FormError {
    form: &'static str,
    field: Option<String>,
    message: String,
}

impl FormError {
    /// No error: the form as first shown.
    pub fn none() -> Self {
        FormError::default()
    }

    /// The refusal of `form` (a page may have several forms).
    pub fn of(form: &'static str, error: &Error) -> Self {
        FormError {
            form,
            field: error.field.clone(),
            message: strip_field(&error.message, error.field.as_deref()),
        }
    }

    /// The message for `field`, if the error is about it.
    pub fn on(&self, field: &str) -> Option<&str> {
        (self.field.as_deref() == Some(field)).then_some(self.message.as_str())
    }

    /// The message for `field` of `form`, on a page where several forms have a field so named.
    pub fn at(&self, form: &str, field: &str) -> Option<&str> {
        (self.form == form).then(|| self.on(field)).flatten()
    }

    /// The message of `form` when it names no field.
    pub fn general(&self, form: &str) -> Option<&str> {
        (self.field.is_none() && self.form == form && !self.message.is_empty())
            .then_some(self.message.as_str())
    }
}

/// `invalid_field` messages start with `field: `; next to the field that is said already.
fn strip_field(message: &str, field: Option<&str>) -> String {
    let rest = field
        .and_then(|f| message.strip_prefix(f))
        .and_then(|m| m.strip_prefix(": "));
    let text = rest.unwrap_or(message);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether a refused form is shown again (with the message) rather than an error page, and with
/// what status: malformed or conflicting input is 422; a refusal keeps its own status (401 wrong
/// password, 403 pending or closed, 429 throttled). Our own failures (500, 503) are error pages.
pub fn reshown_status(error: &Error) -> Option<StatusCode> {
    match error.kind {
        ErrorKind::Internal | ErrorKind::Unavailable => None,
        ErrorKind::BadRequest | ErrorKind::Conflict | ErrorKind::Unprocessable => {
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        }
        kind => Some(kind.status()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_is_shown_next_to_its_field_without_repeating_its_name() {
        let error = Error::invalid_field("email", "not an email address");
        let shown = FormError::of("email", &error);
        assert_eq!(shown.on("email"), Some("Not an email address"));
        assert_eq!(shown.on("password"), None);
        assert_eq!(shown.general("email"), None);
        assert_eq!(
            reshown_status(&error),
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        );
    }

    #[test]
    fn an_error_without_a_field_is_shown_at_the_top_of_its_form_only() {
        let error = Error::unauthorized("wrong username or password");
        let shown = FormError::of("login", &error);
        assert_eq!(shown.general("login"), Some("Wrong username or password"));
        assert_eq!(shown.general("signup"), None);
        assert_eq!(reshown_status(&error), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(FormError::none().general(""), None);
        let ours = Error::internal(anyhow::anyhow!("disk on fire"));
        assert_eq!(reshown_status(&ours), None, "our failures are error pages");
    }
}
