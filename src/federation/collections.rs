//! Actor collections: a community's outbox, followers (a count), moderators and featured posts;
//! a person's and the instance's outbox. Posts arrive with the federation core, so outboxes and
//! featured hold no items yet; their counts are real.

use super::{objects, FedData};
use crate::{
    db::{self, communities::Community},
    domain::communities::Visibility,
    error::Error,
};
use activitypub_federation::actix_web::response::create_http_response;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

pub async fn local_community(data: &FedData, name: String) -> Result<Community, Error> {
    data.db(move |conn| {
        db::communities::local_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))
    })
    .await
}

fn respond(body: Value) -> Result<HttpResponse, Error> {
    Ok(create_http_response(body, &objects::context())?)
}

fn empty_ordered(id: String) -> Value {
    json!({ "type": "OrderedCollection", "id": id, "totalItems": 0, "orderedItems": [] })
}

pub async fn group_outbox(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    respond(empty_ordered(format!("{}/outbox", community.ap_id)))
}

pub async fn group_featured(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    respond(empty_ordered(format!("{}/featured", community.ap_id)))
}

/// Like Lemmy: the number of followers, never the list. A private community does not disclose
/// even the number.
pub async fn group_followers(
    name: web::Path<String>,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    let id = format!("{}/followers", community.ap_id);
    if community.visibility() == Visibility::Private {
        return respond(json!({ "type": "Collection", "id": id, "items": [] }));
    }
    let community_id = community.id;
    let count = data
        .db(move |conn| db::communities::count_members(conn, community_id))
        .await?;
    respond(json!({ "type": "Collection", "id": id, "totalItems": count, "items": [] }))
}

pub async fn group_moderators(
    name: web::Path<String>,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    let community_id = community.id;
    let moderators = data
        .db(move |conn| db::communities::moderators(conn, community_id))
        .await?;
    let items: Vec<String> = moderators.iter().map(|p| p.ap_id.to_string()).collect();
    respond(json!({
        "type": "OrderedCollection",
        "id": format!("{}/moderators", community.ap_id),
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

pub async fn person_outbox(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let person = data
        .db(move |conn| {
            db::accounts::local_person_by_name(conn, &name)?
                .ok_or_else(|| Error::not_found(format_args!("user `{name}`")))
        })
        .await?;
    respond(empty_ordered(format!("{}/outbox", person.ap_id)))
}

pub async fn instance_outbox(data: FedData) -> Result<HttpResponse, Error> {
    respond(empty_ordered(data.url("/actor/outbox")))
}
