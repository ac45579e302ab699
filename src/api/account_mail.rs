//! Account mail in the API: asking for a reset link, setting a new password with it, opening a
//! confirmation link, asking for it again, and changing one's address (`actions::account_mail`).

use super::extract::{ApiJson, Auth};
use crate::{
    actions::account_mail::{self, Confirmed, EmailChange, SENT_IF_KNOWN},
    context::AppContext,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The `token` of the link in the reset mail (or of `copse admin reset-password`).
    pub token: String,
    /// The new password (the same rule as at sign-up).
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The `token` of the link in the confirmation mail.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConfirmedView {
    /// The account's address, now confirmed.
    pub email: String,
    /// True when the link made a requested new address the account's.
    pub changed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EmailChangeView {
    /// `changed` (at once; the old address was told), `pending` (a link went to the new
    /// address; the change waits for it; the old address was told) or `unchanged`.
    pub status: &'static str,
}

/// Ask for a password reset link by mail. The answer is the same whether or not an account has
/// the address; at most one mail per account every two minutes.
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "accounts", request_body = EmailRequest,
    responses((status = 202, body = MessageView), (status = 400, body = ErrorBody)))]
pub async fn request_reset(
    ctx: web::Data<AppContext>,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<HttpResponse, Error> {
    account_mail::request_reset(&ctx, &body.email).await?;
    Ok(HttpResponse::Accepted().json(MessageView {
        message: SENT_IF_KNOWN.into(),
    }))
}

/// Set a new password with a reset link's token: the link works once, for an hour; every
/// session of the account ends. 400 `token_invalid` for a used, expired or unknown token.
#[utoipa::path(post, path = "/api/v1/password-reset/complete", tag = "accounts",
    request_body = ResetRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn complete_reset(
    ctx: web::Data<AppContext>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<HttpResponse, Error> {
    account_mail::reset_password(&ctx, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open a confirmation link: confirms the address, or makes a requested new address the
/// account's. 400 `token_invalid`; 409 `email_taken` if another account took the new address.
#[utoipa::path(post, path = "/api/v1/email-confirmation", tag = "accounts",
    request_body = ConfirmRequest,
    responses((status = 200, body = ConfirmedView), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn confirm(
    ctx: web::Data<AppContext>,
    ApiJson(body): ApiJson<ConfirmRequest>,
) -> Result<HttpResponse, Error> {
    let view = match account_mail::confirm(&ctx, &body.token).await? {
        Confirmed::Address(email) => ConfirmedView {
            email,
            changed: false,
        },
        Confirmed::Changed(email) => ConfirmedView {
            email,
            changed: true,
        },
    };
    Ok(HttpResponse::Ok().json(view))
}

/// Send the confirmation link again. The same answer whatever the address.
#[utoipa::path(post, path = "/api/v1/email-confirmation/resend", tag = "accounts",
    request_body = EmailRequest,
    responses((status = 202, body = MessageView), (status = 400, body = ErrorBody)))]
pub async fn resend(
    ctx: web::Data<AppContext>,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<HttpResponse, Error> {
    account_mail::resend_confirmation(&ctx, &body.email).await?;
    Ok(HttpResponse::Accepted().json(MessageView {
        message: SENT_IF_KNOWN.into(),
    }))
}

/// Change one's address. The old address is told; while the instance requires confirmed
/// addresses the change waits for the link sent to the new one.
#[utoipa::path(put, path = "/api/v1/me/email", tag = "accounts", request_body = EmailRequest,
    security(("bearer" = [])),
    responses((status = 200, body = EmailChangeView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn change_email(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<HttpResponse, Error> {
    let status = match account_mail::change_email(&ctx, &account, &body.email).await? {
        EmailChange::Changed => "changed",
        EmailChange::Pending => "pending",
        EmailChange::Unchanged => "unchanged",
    };
    Ok(HttpResponse::Ok().json(EmailChangeView { status }))
}
