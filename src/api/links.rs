//! `/communities/{name}/links`: a community's typed links to other communities (read in the
//! community's JSON too), added and removed by its owners through `actions::links`.

use super::extract::{ApiJson, Auth};
use crate::{
    actions,
    context::{AppContext, RequestData},
    db::links::LinkedCommunity,
    domain::links::{standing, Relation, Standing},
    error::{Error, ErrorBody},
};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CommunityLinkView {
    /// What the linked community is to this one.
    pub relation: Relation,
    /// `name@host` of the linked community.
    pub handle: String,
    /// ActivityPub id of its Group.
    pub actor_id: String,
    pub title: String,
    /// Whether it is on another server.
    pub remote: bool,
    /// `confirmed` when it links back with the inverse relation, `one-sided` when not (as far
    /// as this instance knows), `declared` for `superseded-by` (which needs no link back).
    pub standing: Standing,
}

pub fn link_views(ctx: &AppContext, links: Vec<LinkedCommunity>) -> Vec<CommunityLinkView> {
    links
        .into_iter()
        .map(|l| CommunityLinkView {
            relation: l.relation,
            handle: super::handle(ctx, &l.target.name, &l.target.ap_id),
            actor_id: l.target.ap_id.to_string(),
            title: l.target.title,
            remote: !l.target.local,
            standing: standing(l.relation, l.back),
        })
        .collect()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddLink {
    /// `sibling`, `parent`, `child`, `partner` or `superseded-by`.
    pub relation: String,
    /// A local community's name, a handle (`name@host`) or the URL of a Group.
    pub target: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkTarget {
    /// The linked community: its name here, its handle (`name@host`) or its Group's id.
    pub target: String,
}

/// Link a community to another (owners only). Answers the community's links.
#[utoipa::path(post, path = "/api/v1/communities/{name}/links", tag = "communities",
    operation_id = "add_community_link",
    params(("name" = String, Path, description = "local community name")),
    request_body = AddLink, security(("bearer" = [])),
    responses((status = 201, body = Vec<CommunityLinkView>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<AddLink>,
) -> Result<HttpResponse, Error> {
    let relation = Relation::parse_field("relation", &body.relation)?;
    let links =
        actions::links::add(&data, &account, name.into_inner(), &body.target, relation).await?;
    Ok(HttpResponse::Created().json(link_views(&data, links)))
}

/// Remove a community's link (owners only). Answers the community's remaining links.
#[utoipa::path(delete, path = "/api/v1/communities/{name}/links", tag = "communities",
    operation_id = "remove_community_link",
    params(("name" = String, Path, description = "local community name"), LinkTarget),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CommunityLinkView>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn remove(
    data: RequestData,
    Auth(account): Auth,
    name: web::Path<String>,
    query: web::Query<LinkTarget>,
) -> Result<HttpResponse, Error> {
    let target = query.into_inner().target;
    let links = actions::links::remove(&data, &account, name.into_inner(), target).await?;
    Ok(HttpResponse::Ok().json(link_views(&data, links)))
}
