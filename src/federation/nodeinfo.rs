//! NodeInfo 2.1: what software this is, its protocols, users and whether sign-ups are open.
//! Private communities are not counted.

use super::FedData;
use crate::{config::RegistrationMode, db, error::Error, views::gate::Viewer};
use actix_web::HttpResponse;
use serde_json::json;

const SCHEMA: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

pub async fn links(data: FedData) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "links": [
            { "rel": SCHEMA, "href": data.url("/nodeinfo/2.1") },
            // FEP-2677: where the instance actor is.
            { "rel": "https://www.w3.org/ns/activitystreams#Application", "href": data.url("/actor") },
        ]
    }))
}

pub async fn get(data: FedData) -> Result<HttpResponse, Error> {
    // The counts cover what the read gate lets anyone see.
    let scope = data.gate().scope(&Viewer::Anonymous);
    let (users, communities, posts, comments) = data
        .db(move |conn| {
            Ok((
                db::accounts::count_local_users(conn)?,
                db::communities::count_local(conn, scope)?,
                db::posts::count_local_posts(conn, scope)?,
                db::posts::count_local_comments(conn, scope)?,
            ))
        })
        .await?;
    let body = json!({
        "version": "2.1",
        "software": {
            "name": "copse",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": data.settings().registration_mode == RegistrationMode::Open,
        "usage": {
            "users": { "total": users },
            "localPosts": posts,
            "localComments": comments,
        },
        "metadata": { "nodeName": data.settings().hostname, "communities": communities },
    });
    Ok(HttpResponse::Ok()
        .content_type(format!("application/json; profile=\"{SCHEMA}#\""))
        .json(body))
}
