//! GET routes that serve actors as ActivityPub JSON (a browser asking for the same URL gets the
//! page from `web/` instead; see `wants_activitypub`).

use super::{
    authorized_fetch::signer, collections, nodeinfo, objects, wants_activitypub, webfinger, FedData,
};
use crate::{
    db::{self, posts::PostOrComment},
    error::Error,
    views::gate::Viewer,
};
use activitypub_federation::{
    actix_web::response::create_http_response, protocol::tombstone::Tombstone, traits::Object,
};
use actix_web::{web, HttpRequest, HttpResponse};
use objects::{instance::InstanceActor, post};

get_routes!(PATHS, documents, |_| true, {
    "/.well-known/webfinger" => webfinger::get,
    "/.well-known/nodeinfo" => nodeinfo::links,
    "/nodeinfo/2.1" => nodeinfo::get,
    "/actor" => instance_actor,
    "/actor/outbox" => collections::instance_outbox,
    "/c/{name}/outbox" => collections::group_outbox,
    "/c/{name}/followers" => collections::group_followers,
    "/c/{name}/moderators" => collections::group_moderators,
    "/c/{name}/featured" => collections::group_featured,
    "/u/{name}/outbox" => collections::person_outbox,
});

// The URLs other servers link to: ActivityPub JSON when asked for it, else the page (`web/`).
get_routes!(ACTOR_PATHS, actors, wants_activitypub, {
    "/c/{name}" => group,
    "/u/{name}" => person,
    "/post/{id}" => post,
    "/comment/{id}" => comment,
    "/c/{name}/library/{slug}" => library_page,
});

pub fn routes(cfg: &mut web::ServiceConfig) {
    super::inbox::routes(cfg);
    documents(cfg);
    actors(cfg);
}

/// A local post or comment. Content of private communities is served only to signed fetches
/// from members' instances (the read gate, `views::gate`; everyone else gets 404, so its existence does not
/// leak either). Deleted content answers 410 with a Tombstone.
async fn content(
    item: Option<PostOrComment>,
    request: &HttpRequest,
    data: &FedData,
) -> Result<HttpResponse, Error> {
    let Some(item) = item.filter(|i| match i {
        PostOrComment::Post(p) => p.local,
        PostOrComment::Comment(c) => c.local,
    }) else {
        return Err(Error::not_found("object"));
    };
    let community = post::community(&item, data).await?;
    data.gate()
        .sight_signed(data, &community, signer(request, data))
        .await?
        .or_else(|| Error::not_found("object"))?;
    if item.is_deleted() {
        let tombstone = Tombstone::new(item.id().clone());
        let mut res = create_http_response(tombstone, &objects::context())?;
        *res.status_mut() = actix_web::http::StatusCode::GONE;
        return Ok(res);
    }
    let json = item.into_json(data).await?;
    Ok(create_http_response(json, &objects::context())?)
}

async fn post(
    id: web::Path<i64>,
    request: HttpRequest,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let item = data
        .db(move |conn| Ok(db::posts::post(conn, id)?.map(PostOrComment::Post)))
        .await?;
    content(item, &request, &data).await
}

async fn comment(
    id: web::Path<i64>,
    request: HttpRequest,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let item = data
        .db(move |conn| Ok(db::posts::comment(conn, id)?.map(PostOrComment::Comment)))
        .await?;
    content(item, &request, &data).await
}

async fn group(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let community = collections::local_community(&data, name.into_inner()).await?;
    if !data.gate().charter(&Viewer::Anonymous, &community) {
        return Err(Error::not_found("community"));
    }
    let json = community.into_json(&data).await?;
    Ok(create_http_response(json, &objects::context())?)
}

async fn person(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    let person = data
        .db(move |conn| {
            db::accounts::local_person_by_name(conn, &name)?
                .ok_or_else(|| Error::not_found(format_args!("user `{name}`")))
        })
        .await?;
    let json = person.into_json(&data).await?;
    Ok(create_http_response(json, &objects::context())?)
}

async fn instance_actor(data: FedData) -> Result<HttpResponse, Error> {
    let json = InstanceActor::local(&data)?.into_json(&data).await?;
    Ok(create_http_response(json, &objects::context())?)
}

/// A local community's library page as an `Article`, through the read gate as posts are: a
/// private community's pages only to signed fetches from its members' instances, 404 to
/// everyone else.
async fn library_page(
    path: web::Path<(String, String)>,
    request: HttpRequest,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let (name, slug) = path.into_inner();
    let community = collections::local_community(&data, name).await?;
    data.gate()
        .sight_signed(&data, &community, signer(&request, &data))
        .await?
        .or_else(|| Error::not_found("page"))?;
    let article = data
        .db(move |conn| {
            let page = db::library::by_slug(conn, community.id, &slug)?
                .ok_or_else(|| Error::not_found("page"))?;
            objects::page::article(conn, &page, &community)
        })
        .await?;
    Ok(create_http_response(article, &objects::context())?)
}
