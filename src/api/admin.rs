//! `/admin/…`: instance administration, for administrators only (403 for everyone else). Today
//! the instance lists: which instances this one blocks or, with an allow-list, admits.

use super::extract::{ApiJson, Auth};
use crate::{
    actions::{self, instances::Listed},
    context::AppContext,
    domain::names::InstanceList,
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
