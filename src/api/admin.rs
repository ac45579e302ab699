//! `/admin/…`: instance administration, for administrators only (403 for everyone else): the
//! instance lists (which instances this one blocks or, with an allow-list, admits) and the local
//! accounts (pending registrations, suspension, administrator rights; `actions::admin`).

use super::{
    accounts::AccountView,
    extract::{ApiJson, Auth, OptionalJson},
};
use crate::{
    actions::{
        self,
        admin::{self, By},
        instances::Listed,
    },
    context::AppContext,
    db::accounts::{Account, AccountFilter},
    domain::names::InstanceList,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceRequest {
    /// `host` or `host:port`; stored in canonical form (lowercase, IDNA, no trailing dot). An
    /// entry without a port covers every port of its host.
    pub host: String,
    pub policy: InstanceList,
    /// Why, for the other administrators; at most 500 characters.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InstanceView {
    pub host: String,
    pub policy: InstanceList,
    pub reason: Option<String>,
    /// Listed in the settings (`blocked_instances`, `allowed_instances`): only changed there,
    /// never removed through the API.
    pub from_settings: bool,
    /// When an administrator listed it; absent for settings entries.
    pub created_at: Option<DateTime<Utc>>,
}

impl From<Listed> for InstanceView {
    fn from(l: Listed) -> Self {
        InstanceView {
            host: l.host,
            policy: l.list,
            reason: l.reason,
            from_settings: l.from_settings,
            created_at: l.created_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstanceLists {
    /// True when `allowed` is not empty: then only those instances are federated with.
    pub allow_list_in_force: bool,
    /// Instances nothing is exchanged with: their activities are refused (403), nothing is
    /// fetched from or delivered to them.
    pub blocked: Vec<InstanceView>,
    pub allowed: Vec<InstanceView>,
}

/// The block- and allow-lists in force: the settings' entries and the administrators'.
#[utoipa::path(get, path = "/api/v1/admin/instances", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = InstanceLists), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn instances(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
) -> Result<HttpResponse, Error> {
    let (blocked, allowed): (Vec<Listed>, Vec<Listed>) = actions::instances::list(&ctx, &account)
        .await?
        .into_iter()
        .partition(|l| l.list == InstanceList::Block);
    Ok(HttpResponse::Ok().json(InstanceLists {
        allow_list_in_force: !allowed.is_empty(),
        blocked: blocked.into_iter().map(InstanceView::from).collect(),
        allowed: allowed.into_iter().map(InstanceView::from).collect(),
    }))
}

/// Block an instance, or put it on the allow-list, from now on (a listed host is moved and its
/// reason replaced). Careful: the first `allow` entry turns the allow-list on, and from then on
/// only listed instances are federated with.
#[utoipa::path(post, path = "/api/v1/admin/instances", tag = "admin",
    request_body = InstanceRequest, security(("bearer" = [])),
    responses((status = 201, body = InstanceView, description = "newly listed"),
        (status = 200, body = InstanceView, description = "was listed; entry replaced"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "listed in the settings"),
        (status = 422, body = ErrorBody, description = "this instance itself")))]
pub async fn add_instance(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    ApiJson(body): ApiJson<InstanceRequest>,
) -> Result<HttpResponse, Error> {
    let reason = body.reason.as_deref();
    let (listed, created) =
        actions::instances::put(&ctx, &account, &body.host, body.policy, reason).await?;
    let view = InstanceView::from(listed);
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Take an instance off the lists (an administrator's entry; settings entries answer 409).
#[utoipa::path(delete, path = "/api/v1/admin/instances/{host}", tag = "admin",
    params(("host" = String, Path, description = "`host` or `host:port` as listed")),
    security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "listed in the settings")))]
pub async fn remove_instance(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    host: web::Path<String>,
) -> Result<HttpResponse, Error> {
    actions::instances::remove(&ctx, &account, &host).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    #[serde(flatten)]
    pub account: AccountView,
    /// Set while the account is suspended: it cannot log in; what it wrote stays.
    pub suspended_at: Option<DateTime<Utc>>,
    pub suspension_reason: Option<String>,
}

impl UserView {
    fn new(ctx: &AppContext, account: Account) -> Self {
        UserView {
            suspended_at: account.user.suspended_at.map(|t| t.and_utc()),
            suspension_reason: account.user.suspension_reason.clone(),
            account: AccountView::new(ctx, account),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// Only registrations waiting for approval (oldest first); otherwise every account by name.
    #[serde(default)]
    pub pending: bool,
    /// Only names containing this.
    pub q: Option<String>,
    /// 1-based; 50 accounts a page.
    #[param(minimum = 1)]
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserView>,
    /// Accounts matching, on every page.
    pub total: i64,
    pub page: i64,
    pub next_page: Option<i64>,
}

/// The local accounts, 50 a page: every account, or the registrations waiting for approval.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    operation_id = "list_users", params(UsersQuery),
    security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn users(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, Error> {
    let query = query.into_inner();
    let filter = AccountFilter {
        pending: query.pending,
        name_part: query.q,
    };
    let page = admin::list(&ctx, By::Admin(&account), filter, query.page.unwrap_or(1)).await?;
    Ok(HttpResponse::Ok().json(UserList {
        next_page: page.has_next().then_some(page.page + 1),
        total: page.total,
        page: page.page,
        users: page
            .accounts
            .into_iter()
            .map(|a| UserView::new(&ctx, a))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Why, for the other administrators; at most 500 characters.
    pub reason: Option<String>,
}

/// Suspend an account: its sessions and tokens end, it cannot log in; what it wrote stays, and
/// nothing is sent to other instances. An administrator must be demoted first.
#[utoipa::path(post, path = "/api/v1/admin/users/{name}/suspend", tag = "admin",
    operation_id = "suspend_user",
    params(("name" = String, Path, description = "username")),
    request_body(content = Option<SuspendRequest>, description = "optional"),
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "an administrator"),
        (status = 422, body = ErrorBody, description = "oneself")))]
pub async fn suspend(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
    OptionalJson(body): OptionalJson<SuspendRequest>,
) -> Result<HttpResponse, Error> {
    let by = By::Admin(&account);
    let done = admin::suspend(&ctx, by, &name, body.reason.as_deref()).await?;
    Ok(HttpResponse::Ok().json(UserView::new(&ctx, done)))
}

/// Lift a suspension: the account can log in again.
#[utoipa::path(post, path = "/api/v1/admin/users/{name}/unsuspend", tag = "admin",
    operation_id = "unsuspend_user",
    params(("name" = String, Path, description = "username")), security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unsuspend(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let done = admin::unsuspend(&ctx, By::Admin(&account), &name).await?;
    Ok(HttpResponse::Ok().json(UserView::new(&ctx, done)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRequest {
    pub is_admin: bool,
}

/// Make an account an administrator, or take the rights away (not one's own, not the last
/// administrator's).
#[utoipa::path(post, path = "/api/v1/admin/users/{name}/admin", tag = "admin",
    operation_id = "set_user_admin",
    params(("name" = String, Path, description = "username")), request_body = AdminRequest,
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the last administrator, or an account \
            pending or suspended"),
        (status = 422, body = ErrorBody, description = "oneself")))]
pub async fn set_admin(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<AdminRequest>,
) -> Result<HttpResponse, Error> {
    let done = admin::set_admin(&ctx, By::Admin(&account), &name, body.is_admin).await?;
    Ok(HttpResponse::Ok().json(UserView::new(&ctx, done)))
}

/// Approve a registration waiting for approval: the account can log in.
#[utoipa::path(post, path = "/api/v1/admin/users/{name}/approve", tag = "admin",
    operation_id = "approve_registration",
    params(("name" = String, Path, description = "username")), security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not pending")))]
pub async fn approve(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let done = admin::approve(&ctx, By::Admin(&account), &name).await?;
    Ok(HttpResponse::Ok().json(UserView::new(&ctx, done)))
}

/// Reject a registration waiting for approval: the never-used account is deleted and its name
/// freed.
#[utoipa::path(post, path = "/api/v1/admin/users/{name}/reject", tag = "admin",
    operation_id = "reject_registration",
    params(("name" = String, Path, description = "username")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not pending")))]
pub async fn reject(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    admin::reject(&ctx, By::Admin(&account), &name).await?;
    Ok(HttpResponse::NoContent().finish())
}
