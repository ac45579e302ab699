//! GET routes that serve actors as ActivityPub JSON (a browser asking for the same URL gets the
//! page from `web/` instead; see `wants_activitypub`).

use super::{
    authorized_fetch::signer, collections, nodeinfo, objects, wants_activitypub, webfinger, FedData,
};
use crate::{
    actions::access::authorize_fetch,
    db::{self, posts::PostOrComment},
    error::Error,
};
use activitypub_federation::{
    actix_web::response::create_http_response, protocol::tombstone::Tombstone, traits::Object,
};
use actix_web::{guard, web, HttpRequest, HttpResponse};
use objects::{instance::InstanceActor, post};

pub fn routes(cfg: &mut web::ServiceConfig) {
    super::inbox::routes(cfg);
    cfg.route("/.well-known/webfinger", web::get().to(webfinger::get))
        .route("/.well-known/nodeinfo", web::get().to(nodeinfo::links))
        .route("/nodeinfo/2.1", web::get().to(nodeinfo::get))
        .route("/actor", web::get().to(instance_actor))
        .route("/actor/outbox", web::get().to(collections::instance_outbox))
        .service(
            web::resource("/c/{name}")
                .guard(guard::Get())
                .guard(guard::fn_guard(wants_activitypub))
                .to(group),
        )
        .route("/c/{name}/outbox", web::get().to(collections::group_outbox))
        .route(
            "/c/{name}/followers",
            web::get().to(collections::group_followers),
        )
        .route(
            "/c/{name}/moderators",
            web::get().to(collections::group_moderators),
        )
        .route(
            "/c/{name}/featured",
            web::get().to(collections::group_featured),
        )
        .service(
            web::resource("/u/{name}")
                .guard(guard::Get())
                .guard(guard::fn_guard(wants_activitypub))
                .to(person),
        )
        .route(
            "/u/{name}/outbox",
            web::get().to(collections::person_outbox),
        )
        .service(
            web::resource("/post/{id}")
                .guard(guard::Get())
                .guard(guard::fn_guard(wants_activitypub))
                .to(post),
        )
        .service(
            web::resource("/comment/{id}")
                .guard(guard::Get())
                .guard(guard::fn_guard(wants_activitypub))
                .to(comment),
        );
}

/// A local post or comment. Content of private communities is served only to signed fetches
/// from members' instances (`authorize_fetch`; everyone else gets 404, so its existence does not
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
    authorize_fetch(data, &community, signer(request, data)).await?;
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
