//! `/settings`: one's display name and bio, email and password (the current one required),
//! whether the registration still waits for approval, one's private feed and calendar
//! addresses (shown here only, as links; a new one revokes the old, both share one token), and
//! which mail is sent (the form is `web::notifications::mail`). Each form posts to its own address, goes
//! through `actions::accounts`, and ends in a redirect back here with a flash message; a refused
//! form is shown again with the message next to its field.

use super::{
    flash,
    form::{reshown_status, Button, Form, FormError},
    frame::Frame,
    render, see_other,
};
use crate::{
    actions::{self, accounts::ProfileChange},
    api::extract::client_address,
    context::AppContext,
    error::Error,
    views,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings.html", config = "src/web/askama.toml")]
struct SettingsPage {
    frame: Frame,
    name: String,
    approved: bool,
    /// The address is not confirmed yet.
    unconfirmed: bool,
    /// A new address takes effect once confirmed.
    confirm_new_email: bool,
    display_name: String,
    bio: String,
    email: String,
    /// The private feed's address, once the account has made one.
    feed: Option<String>,
    /// Which mail is sent (`web::notifications::mail_choices`).
    mail: Vec<super::notifications::MailChoice>,
    /// The private calendar's address (the same token as the feed's).
    calendar: Option<String>,
    error: FormError,
}

/// The profile form (`display_name`, `bio`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    display_name: String,
    bio: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    password: String,
}

/// The page for `frame`'s account, with what was typed in place of the stored values.
async fn settings_page(
    ctx: &AppContext,
    frame: Frame,
    typed: Typed,
    error: FormError,
) -> Result<Option<SettingsPage>, Error> {
    let Some(account) = frame.account.clone() else {
        return Ok(None);
    };
    let user_id = account.user.id;
    let token = ctx
        .db(move |conn| views::feeds::token_of(conn, user_id))
        .await?;
    let mail = super::notifications::mail_choices(ctx, user_id).await?;
    Ok(Some(SettingsPage {
        mail,
        feed: token.as_ref().map(|t| crate::feeds::front_address(ctx, t)),
        calendar: token.map(|t| crate::feeds::events_address(ctx, &t)),
        name: account.person.name,
        approved: account.user.approved,
        unconfirmed: account.user.email_confirmed_at.is_none(),
        confirm_new_email: ctx.settings().email_confirmation_required(),
        display_name: typed
            .display_name
            .unwrap_or_else(|| account.person.display_name.unwrap_or_default()),
        bio: typed
            .bio
            .unwrap_or_else(|| account.person.summary_md.unwrap_or_default()),
        email: typed.email.unwrap_or(account.user.email),
        frame,
        error,
    }))
}

/// Values typed into a refused form.
#[derive(Default)]
struct Typed {
    display_name: Option<String>,
    bio: Option<String>,
    email: Option<String>,
}

pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> Result<HttpResponse, Error> {
    Ok(
        match settings_page(&ctx, frame, Typed::default(), FormError::none()).await? {
            Some(page) => render(&req, StatusCode::OK, page),
            None => see_other("/login"),
        },
    )
}

/// The end of a settings form: back to the page with `done`, or the form again with the error.
async fn finish(
    req: &HttpRequest,
    ctx: &AppContext,
    frame: Frame,
    outcome: Result<(), Error>,
    form: &'static str,
    typed: Typed,
    done: &str,
) -> Result<HttpResponse, Error> {
    let e = match outcome {
        Ok(()) => return Ok(flash::redirect(ctx, "/settings", done)),
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let page = settings_page(ctx, frame, typed, FormError::of(form, &e))
        .await?
        .ok_or_else(|| Error::unauthorized("log in first"))?;
    Ok(render(req, status, page))
}

pub async fn profile(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    Form {
        frame,
        session,
        data,
    }: Form<ProfileForm>,
) -> Result<HttpResponse, Error> {
    let change = ProfileChange {
        display_name: data.display_name.clone(),
        bio: data.bio.clone(),
    };
    let outcome = actions::accounts::update_profile(&ctx, &session.account, change).await;
    let typed = Typed {
        display_name: Some(data.display_name),
        bio: Some(data.bio),
        email: None,
    };
    finish(
        &req,
        &ctx,
        frame,
        outcome,
        "profile",
        typed,
        "Your profile was saved.",
    )
    .await
}

pub async fn email(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    Form {
        frame,
        session,
        data,
    }: Form<EmailForm>,
) -> Result<HttpResponse, Error> {
    use actions::account_mail::EmailChange;
    let outcome = actions::account_mail::change_email(&ctx, &session.account, &data.email).await;
    let done = match outcome {
        Ok(EmailChange::Changed) => {
            "Your email address was changed; your old address was told about it."
        }
        Ok(EmailChange::Pending) => {
            "We sent a link to your new address: the change takes effect when you open it. \
             Your old address was told about it."
        }
        Ok(EmailChange::Unchanged) => "This is your address already.",
        Err(_) => "",
    };
    let typed = Typed {
        email: Some(data.email),
        ..Typed::default()
    };
    finish(&req, &ctx, frame, outcome.map(|_| ()), "email", typed, done).await
}

pub async fn password(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    Form {
        frame,
        session,
        data,
    }: Form<PasswordForm>,
) -> Result<HttpResponse, Error> {
    let client = client_address(&req, ctx.settings().trusted_proxy);
    let outcome = actions::accounts::change_password(
        &ctx,
        &session.account,
        data.current_password,
        &data.password,
        client,
        session.credential.token(),
    )
    .await;
    let done = "Your password was changed; your other sessions have ended.";
    finish(
        &req,
        &ctx,
        frame,
        outcome,
        "password",
        Typed::default(),
        done,
    )
    .await
}

/// The "new feed address" form: a new private feed address, the old one revoked at once.
pub async fn feed(
    ctx: web::Data<AppContext>,
    Form { session, .. }: Form<Button>,
) -> Result<HttpResponse, Error> {
    let (_, replaced) = actions::accounts::new_feed_token(&ctx, &session.account).await?;
    let done = match replaced {
        true => "Your private feed has a new address; the old one no longer works.",
        false => "Your private feed has an address: add it to your feed reader.",
    };
    Ok(flash::redirect(&ctx, "/settings", done))
}
