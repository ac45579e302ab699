//! The forms of the administrators' pages (`web::admin`): approve or reject a registration,
//! suspend or unsuspend an account, grant or take administrator rights, list or unlist an
//! instance. Each ends in a redirect with a flash message back to its page; a refusal (the last
//! administrator, oneself, a bad host) shows that page again with the message, status 422 (or
//! the refusal's own); anyone but an administrator gets the 403 page and nothing changes.

use super::{
    admin::{administrator, instances_page, overview_page, users_page, TypedInstance, UsersQuery},
    flash,
    form::{reshown_status, Button, Form, FormError},
    render,
};
use crate::{
    actions::{self, admin::By},
    context::AppContext,
    db::accounts::Account,
    domain::names::InstanceList,
    error::Error,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SuspendForm {
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdminForm {
    is_admin: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InstanceForm {
    host: String,
    policy: Option<InstanceList>,
    reason: String,
}

/// The page a refused form is shown again on.
enum Back {
    Overview,
    Users,
    Instances(TypedInstance),
}

impl Back {
    fn path(&self) -> &'static str {
        match self {
            Back::Overview => "/admin",
            Back::Users => "/admin/users",
            Back::Instances(_) => "/admin/instances",
        }
    }
}

/// The administrator posting; 403 (or 401) for anyone else, before anything is done.
fn poster(form_frame: &super::frame::Frame) -> Result<Account, Error> {
    administrator(form_frame)?.ok_or_else(|| Error::unauthorized("log in first"))
}

/// Back to the page with `done`, or that page again with the refusal.
async fn finish(
    req: &HttpRequest,
    ctx: &AppContext,
    form: Form<impl Sized>,
    me: &Account,
    outcome: Result<String, Error>,
    back: Back,
) -> Result<HttpResponse, Error> {
    let e = match outcome {
        Ok(done) => return Ok(flash::redirect(ctx, back.path(), &done)),
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let frame = form.frame;
    Ok(match back {
        Back::Overview => {
            let error = FormError::of("pending", &e);
            render(req, status, overview_page(ctx, frame, me, error).await?)
        }
        Back::Users => {
            let error = FormError::of("users", &e);
            let query = UsersQuery::default();
            render(req, status, users_page(ctx, frame, me, query, error).await?)
        }
        Back::Instances(typed) => {
            let error = FormError::of("instance", &e);
            render(
                req,
                status,
                instances_page(ctx, frame, me, typed, error).await?,
            )
        }
    })
}

pub async fn approve(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<Button>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let outcome = actions::admin::approve(&ctx, By::Admin(&me), &name)
        .await
        .map(|_| format!("{name} was approved and can log in."));
    finish(&req, &ctx, form, &me, outcome, Back::Overview).await
}

pub async fn reject(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<Button>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let outcome = actions::admin::reject(&ctx, By::Admin(&me), &name)
        .await
        .map(|()| format!("The registration of {name} was rejected and deleted."));
    finish(&req, &ctx, form, &me, outcome, Back::Overview).await
}

pub async fn suspend(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<SuspendForm>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let reason = Some(form.data.reason.as_str()).filter(|r| !r.trim().is_empty());
    let outcome = actions::admin::suspend(&ctx, By::Admin(&me), &name, reason)
        .await
        .map(|_| format!("{name} is suspended: their sessions have ended."));
    finish(&req, &ctx, form, &me, outcome, Back::Users).await
}

pub async fn unsuspend(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<Button>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let outcome = actions::admin::unsuspend(&ctx, By::Admin(&me), &name)
        .await
        .map(|_| format!("{name} is no longer suspended."));
    finish(&req, &ctx, form, &me, outcome, Back::Users).await
}

pub async fn set_admin(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<AdminForm>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let is_admin = form.data.is_admin;
    let outcome = actions::admin::set_admin(&ctx, By::Admin(&me), &name, is_admin)
        .await
        .map(|_| match is_admin {
            true => format!("{name} is an administrator."),
            false => format!("{name} is no longer an administrator."),
        });
    finish(&req, &ctx, form, &me, outcome, Back::Users).await
}

pub async fn add_instance(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<InstanceForm>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let data = &form.data;
    let list = data.policy.unwrap_or(InstanceList::Block);
    let reason = Some(data.reason.as_str()).filter(|r| !r.trim().is_empty());
    let outcome = actions::instances::put(&ctx, &me, &data.host, list, reason)
        .await
        .map(|(listed, _)| match list {
            InstanceList::Block => format!("{} is blocked.", listed.host),
            InstanceList::Allow => format!("{} is on the allow-list.", listed.host),
        });
    let typed = TypedInstance {
        host: data.host.clone(),
        policy: data.policy,
        reason: data.reason.clone(),
    };
    finish(&req, &ctx, form, &me, outcome, Back::Instances(typed)).await
}

pub async fn remove_instance(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    form: Form<InstanceForm>,
) -> Result<HttpResponse, Error> {
    let me = poster(&form.frame)?;
    let host = form.data.host.clone();
    let outcome = actions::instances::remove(&ctx, &me, &host)
        .await
        .map(|()| format!("{host} was taken off the lists."));
    let back = Back::Instances(TypedInstance::default());
    finish(&req, &ctx, form, &me, outcome, back).await
}
