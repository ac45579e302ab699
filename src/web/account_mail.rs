//! The pages of account mail, all usable signed out (forms with the origin check of
//! `PublicForm`): `/password/forgot` (ask for a reset link), `/password/reset?token=…` (choose a
//! new password), `/confirm-email?token=…` (a button that confirms the address; a GET alone
//! changes nothing, so a mail scanner opening the link does not), `/confirm-email/resend`.
//! Everything goes through `actions::account_mail`.

use super::{
    flash,
    form::{reshown_status, FormError, PublicForm},
    frame::Frame,
    render,
};
use crate::{
    actions::account_mail::{self, Confirmed, SENT_IF_KNOWN},
    context::AppContext,
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// A form asking only for an address: "forgot password" and "send the confirmation again".
#[derive(Template)]
#[template(path = "email_link.html", config = "src/web/askama.toml")]
struct EmailLinkPage {
    frame: Frame,
    title: &'static str,
    intro: &'static str,
    action: &'static str,
    button: &'static str,
    email: String,
    error: FormError,
}

#[derive(Template)]
#[template(path = "password_reset.html", config = "src/web/askama.toml")]
struct ResetPage {
    frame: Frame,
    /// The link's token; None when the link does not work (the page says so).
    token: Option<String>,
    error: FormError,
}

#[derive(Template)]
#[template(path = "confirm_email.html", config = "src/web/askama.toml")]
struct ConfirmPage {
    frame: Frame,
    token: Option<String>,
}

/// `?token=` of a link from a mail.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    token: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    token: String,
}

const FORGOT: (&str, &str, &str, &str) = (
    "Forgot your password?",
    "Give the address of your account: we send a link to it to choose a new password.",
    "/password/forgot",
    "Send me a link",
);

const RESEND: (&str, &str, &str, &str) = (
    "Confirm your address",
    "Give the address of your account: we send the confirmation link to it again.",
    "/confirm-email/resend",
    "Send the link again",
);

fn email_page(
    frame: Frame,
    (title, intro, action, button): (&'static str, &'static str, &'static str, &'static str),
    email: String,
    error: FormError,
) -> EmailLinkPage {
    EmailLinkPage {
        frame,
        title,
        intro,
        action,
        button,
        email,
        error,
    }
}

pub async fn forgot_page(req: HttpRequest, frame: Frame) -> HttpResponse {
    let page = email_page(frame, FORGOT, String::new(), FormError::none());
    render(&req, StatusCode::OK, page)
}

pub async fn resend_page(req: HttpRequest, frame: Frame) -> HttpResponse {
    let page = email_page(frame, RESEND, String::new(), FormError::none());
    render(&req, StatusCode::OK, page)
}

/// `POST /password/forgot` and `POST /confirm-email/resend`: the same answer for every address.
async fn ask_by_email(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    PublicForm { frame, data }: PublicForm<EmailForm>,
    texts: (&'static str, &'static str, &'static str, &'static str),
) -> Result<HttpResponse, Error> {
    let asked = if texts == FORGOT {
        account_mail::request_reset(&ctx, &data.email).await
    } else {
        account_mail::resend_confirmation(&ctx, &data.email).await
    };
    match asked {
        Ok(()) => Ok(flash::redirect(&ctx, "/login", SENT_IF_KNOWN)),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let page = email_page(frame, texts, data.email, FormError::of("email_link", &e));
            Ok(render(&req, status, page))
        }
    }
}

pub async fn forgot(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: PublicForm<EmailForm>,
) -> Result<HttpResponse, Error> {
    ask_by_email(req, ctx, form, FORGOT).await
}

pub async fn resend(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: PublicForm<EmailForm>,
) -> Result<HttpResponse, Error> {
    ask_by_email(req, ctx, form, RESEND).await
}

/// `GET /password/reset?token=…`: the form, or (400) a page saying the link does not work.
pub async fn reset_page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, Error> {
    let token = query.into_inner().token;
    let works = !token.is_empty() && account_mail::reset_link_works(&ctx, &token).await?;
    let (status, token) = if works {
        (StatusCode::OK, Some(token))
    } else {
        (StatusCode::BAD_REQUEST, None)
    };
    let page = ResetPage {
        frame,
        token,
        error: FormError::none(),
    };
    Ok(render(&req, status, page))
}

/// `POST /password/reset`: a new password; then to the log-in page.
pub async fn reset(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    PublicForm { frame, data }: PublicForm<ResetForm>,
) -> Result<HttpResponse, Error> {
    match account_mail::reset_password(&ctx, &data.token, &data.password).await {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/login",
            "Your password is changed and every session of your account has ended: log in with \
             the new password.",
        )),
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let token = (e.code != "token_invalid").then_some(data.token);
            let page = ResetPage {
                frame,
                token,
                error: FormError::of("reset", &e),
            };
            Ok(render(&req, status, page))
        }
    }
}

/// `GET /confirm-email?token=…`: a button that confirms (or a page saying the link is empty).
pub async fn confirm_page(
    req: HttpRequest,
    frame: Frame,
    query: web::Query<TokenQuery>,
) -> HttpResponse {
    let token = Some(query.into_inner().token).filter(|t| !t.is_empty());
    let status = if token.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(&req, status, ConfirmPage { frame, token })
}

/// `POST /confirm-email`.
pub async fn confirm(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    PublicForm { frame, data }: PublicForm<ConfirmForm>,
) -> Result<HttpResponse, Error> {
    let next = if frame.account.is_some() {
        "/settings"
    } else {
        "/login"
    };
    match account_mail::confirm(&ctx, &data.token).await {
        Ok(Confirmed::Address(email)) => Ok(flash::redirect(
            &ctx,
            next,
            &format!("Your address {email} is confirmed."),
        )),
        Ok(Confirmed::Changed(email)) => Ok(flash::redirect(
            &ctx,
            next,
            &format!("Your account's address is now {email}."),
        )),
        Err(e) if e.code == "token_invalid" => Ok(render(
            &req,
            StatusCode::BAD_REQUEST,
            ConfirmPage { frame, token: None },
        )),
        Err(e) => Err(e),
    }
}
