//! `/accounts`, `/sessions`, `/me` and `/me/feed` (the private feed's address).

use super::extract::{client_address, session, ApiJson, Auth};
use crate::{
    actions::{self, accounts::Origin},
    context::AppContext,
    db::accounts::Account,
    domain::accounts::NewAccount,
    error::{Error, ErrorBody},
    feeds, views,
};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Lowercase letters, digits and `_`, 1–30 characters.
    pub username: String,
    pub email: String,
    /// 10 to 1024 characters; not the username or containing it, not a character or short
    /// pattern repeated, not one of the commonest passwords or close to one.
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub username: String,
    /// `username@host`, how people elsewhere in the fediverse find this account.
    pub handle: String,
    /// ActivityPub id of the account's Person actor.
    pub actor_id: String,
    pub email: String,
    pub is_admin: bool,
    /// False while an account waits for approval.
    pub approved: bool,
    /// Whether the address was confirmed (a confirmation or reset link sent to it was opened).
    pub email_confirmed: bool,
    pub created_at: DateTime<Utc>,
}

impl AccountView {
    pub fn new(ctx: &AppContext, a: Account) -> Self {
        AccountView {
            handle: format!("{}@{}", a.person.name, ctx.settings().hostname),
            username: a.person.name,
            actor_id: a.person.ap_id.to_string(),
            email: a.user.email,
            is_admin: a.user.is_admin,
            approved: a.user.approved,
            email_confirmed: a.user.email_confirmed_at.is_some(),
            created_at: a.user.created_at.and_utc(),
        }
    }
}

/// Sign up. With registration mode `approval` the account exists but cannot log in until an
/// administrator approves it; with `closed` this answers 403.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = AccountView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn register(
    ctx: web::Data<AppContext>,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<HttpResponse, Error> {
    let input = NewAccount::parse(&body.username, &body.email, &body.password)?;
    let account = actions::accounts::create(&ctx, input, Origin::SignUp).await?;
    Ok(HttpResponse::Created().json(AccountView::new(&ctx, account)))
}

/// Log in: returns a bearer token. Failed log-ins are throttled per account and per client
/// address: past the limit every attempt, the right password included, answers 429 with
/// `Retry-After` (seconds). 503 with `Retry-After` when too many log-ins are being checked at
/// once.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", request_body = LoginRequest,
    responses((status = 201, body = TokenResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn log_in(
    ctx: web::Data<AppContext>,
    req: HttpRequest,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<HttpResponse, Error> {
    let client = client_address(&req, ctx.settings().trusted_proxy);
    let token = actions::login::log_in(&ctx, body.username, body.password, client).await?;
    Ok(HttpResponse::Created().json(TokenResponse { token }))
}

/// Log out: the token stops working.
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn log_out(
    ctx: web::Data<AppContext>,
    req: HttpRequest,
    _auth: Auth,
) -> Result<HttpResponse, Error> {
    // The session `Auth` accepted: the bearer token, or the pages' cookie (CSRF-checked).
    if let Some(session) = session(&req).await? {
        actions::accounts::log_out(&ctx, session.credential.token()).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody)))]
pub async fn me(ctx: web::Data<AppContext>, Auth(account): Auth) -> HttpResponse {
    HttpResponse::Ok().json(AccountView::new(&ctx, account))
}

/// The account's private feed address.
#[derive(Serialize, ToSchema)]
pub struct FeedView {
    /// RSS of the newest threads in the account's communities, private ones included; null
    /// until one is made. A secret: whoever has it reads the feed.
    pub url: Option<String>,
    /// iCalendar of the events of the account's communities and those it answered, at the same
    /// secret (replaced with it).
    pub calendar_url: Option<String>,
}

/// The logged-in account's private feed address, if it has made one.
#[utoipa::path(get, path = "/api/v1/me/feed", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = FeedView), (status = 401, body = ErrorBody)))]
pub async fn feed(ctx: web::Data<AppContext>, Auth(account): Auth) -> Result<HttpResponse, Error> {
    let user_id = account.user.id;
    let token = ctx
        .db(move |conn| views::feeds::token_of(conn, user_id))
        .await?;
    let url = token.as_ref().map(|t| feeds::front_address(&ctx, t));
    let calendar_url = token.map(|t| feeds::events_address(&ctx, &t));
    Ok(HttpResponse::Ok().json(FeedView { url, calendar_url }))
}

/// A new private feed address for the logged-in account; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/me/feed", tag = "accounts", security(("bearer" = [])),
    responses((status = 201, body = FeedView), (status = 401, body = ErrorBody)))]
pub async fn new_feed(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
) -> Result<HttpResponse, Error> {
    let (token, _) = actions::accounts::new_feed_token(&ctx, &account).await?;
    let url = Some(feeds::front_address(&ctx, &token));
    let calendar_url = Some(feeds::events_address(&ctx, &token));
    Ok(HttpResponse::Created().json(FeedView { url, calendar_url }))
}
