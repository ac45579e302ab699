//! `/communities/{ref}/health` (a community's health figures, for its moderators and this
//! instance's administrators) and `/admin/health` (the instance's, for administrators): the
//! newest daily snapshot as JSON (`domain::health::Figures`), through `views::health`.

use super::extract::Auth;
use crate::{
    actions,
    context::RequestData,
    domain::health::Figures,
    error::{Error, ErrorBody},
    views::health::{self, Snapshot},
};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HealthView {
    /// The UTC day of the snapshot (`YYYY-MM-DD`); null before the first one.
    pub day: Option<String>,
    /// The figures, counted as of that day's midnight (UTC); null before the first snapshot.
    pub figures: Option<Figures>,
}

fn view(snapshot: Option<Snapshot>) -> HttpResponse {
    let (day, figures) = match snapshot {
        Some(s) => (Some(s.day), Some(s.figures)),
        None => (None, None),
    };
    HttpResponse::Ok().json(HealthView { day, figures })
}

/// A community's health figures: members, activity, participation modes, newcomer retention,
/// conversation, meetings, digests; counts only, no person named.
#[utoipa::path(get, path = "/api/v1/communities/{ref}/health", tag = "communities",
    operation_id = "community_health", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host")),
    responses((status = 200, body = HealthView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn community(
    data: RequestData,
    Auth(account): Auth,
    reference: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let community = actions::communities::find(&data, &reference).await?;
    let viewer = super::viewer(Some(&account));
    Ok(view(health::community(&data, viewer, community).await?))
}

/// The whole instance's health figures (its local communities together), for administrators.
#[utoipa::path(get, path = "/api/v1/admin/health", tag = "admin",
    operation_id = "instance_health", security(("bearer" = [])),
    responses((status = 200, body = HealthView), (status = 403, body = ErrorBody)))]
pub async fn instance(data: RequestData, Auth(account): Auth) -> Result<HttpResponse, Error> {
    let viewer = super::viewer(Some(&account));
    Ok(view(health::instance(&data, viewer).await?))
}
