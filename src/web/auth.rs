//! `/signup`, `/login` and `/logout`: the same actions as the API's `/accounts` and `/sessions`,
//! with the session token in the cookie of `web::session`. A log-in always opens a new session
//! (the token is renewed, and the one the browser held before is ended); a log-out ends it.

use super::{
    flash,
    form::{reshown_status, Form, FormError, PublicForm},
    frame::Frame,
    render, see_other, session,
};
use crate::{
    actions::{self, accounts::Origin},
    api::extract::{client_address, Credential},
    config::RegistrationMode,
    context::AppContext,
    domain::accounts::NewAccount,
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "signup.html", config = "src/web/askama.toml")]
struct SignupPage {
    frame: Frame,
    closed: bool,
    approval: bool,
    username: String,
    email: String,
    error: FormError,
}

#[derive(Template)]
#[template(path = "login.html", config = "src/web/askama.toml")]
struct LoginPage {
    frame: Frame,
    username: String,
    error: FormError,
}

/// The sign-up form's fields (named like `POST /api/v1/accounts`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    username: String,
    email: String,
    password: String,
}

/// The log-in form's fields (named like `POST /api/v1/sessions`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
}

/// A form without fields (log-out).
#[derive(Deserialize)]
pub struct Empty {}

fn signup_form(ctx: &AppContext, frame: Frame, form: SignupForm, error: FormError) -> SignupPage {
    let mode = ctx.settings().registration_mode;
    SignupPage {
        frame,
        closed: mode == RegistrationMode::Closed,
        approval: mode == RegistrationMode::Approval,
        username: form.username,
        email: form.email,
        error,
    }
}

pub async fn signup_page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> HttpResponse {
    if frame.account.is_some() {
        return see_other("/");
    }
    let page = signup_form(&ctx, frame, SignupForm::default(), FormError::none());
    render(&req, StatusCode::OK, page)
}

pub async fn signup(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    PublicForm { frame, data }: PublicForm<SignupForm>,
) -> Result<HttpResponse, Error> {
    let created = match NewAccount::parse(&data.username, &data.email, &data.password) {
        Ok(input) => actions::accounts::create(&ctx, input, Origin::SignUp).await,
        Err(e) => Err(e),
    };
    let account = match created {
        Ok(account) => account,
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let error = FormError::of("signup", &e);
            let page = signup_form(
                &ctx,
                frame,
                SignupForm {
                    password: String::new(),
                    ..data
                },
                error,
            );
            return Ok(render(&req, status, page));
        }
    };
    if !account.user.approved {
        return Ok(flash::redirect(
            &ctx,
            "/login",
            "Your account was created and is pending: you can log in once an administrator has \
             approved it.",
        ));
    }
    if actions::account_mail::must_confirm(ctx.settings(), &account) {
        return Ok(flash::redirect(
            &ctx,
            "/login",
            &format!(
                "Your account was created. We sent a link to {}: open it to confirm your address, \
                 then log in.",
                account.user.email
            ),
        ));
    }
    let token = actions::login::open_session(&ctx, account.user.id).await?;
    let mut res = flash::redirect(
        &ctx,
        "/",
        &format!("Welcome, {}! Your account is ready.", account.person.name),
    );
    res.add_cookie(&session::set(ctx.settings(), token))
        .map_err(anyhow::Error::from)?;
    Ok(res)
}

pub async fn login_page(req: HttpRequest, frame: Frame) -> HttpResponse {
    if frame.account.is_some() {
        return see_other("/");
    }
    let page = LoginPage {
        frame,
        username: String::new(),
        error: FormError::none(),
    };
    render(&req, StatusCode::OK, page)
}

pub async fn login(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    PublicForm { frame, data }: PublicForm<LoginForm>,
) -> Result<HttpResponse, Error> {
    let client = client_address(&req, ctx.settings().trusted_proxy);
    let username = data.username.trim().to_string();
    let token = match actions::login::log_in(&ctx, username.clone(), data.password, client).await {
        Ok(token) => token,
        Err(e) => {
            let Some(status) = reshown_status(&e) else {
                return Err(e);
            };
            let retry_after = e.retry_after;
            let page = LoginPage {
                frame,
                username,
                error: FormError::of("login", &e),
            };
            let mut res = render(&req, status, page);
            if let Some(secs) = retry_after {
                res.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(secs),
                );
            }
            return Ok(res);
        }
    };
    // The session the browser held before (if any) ends: a log-in never keeps an old token.
    if let Some(old) = session::cookie_token(&req, ctx.settings()) {
        actions::accounts::log_out(&ctx, &old).await?;
    }
    let mut res = flash::redirect(&ctx, "/", "You are logged in.");
    res.add_cookie(&session::set(ctx.settings(), token))
        .map_err(anyhow::Error::from)?;
    Ok(res)
}

pub async fn logout(ctx: web::Data<AppContext>, form: Form<Empty>) -> Result<HttpResponse, Error> {
    actions::accounts::log_out(&ctx, form.session.credential.token()).await?;
    let mut res = flash::redirect(&ctx, "/", "You are logged out.");
    if let Credential::Cookie(_) = form.session.credential {
        res.add_cookie(&session::removal(ctx.settings()))
            .map_err(anyhow::Error::from)?;
    }
    Ok(res)
}
