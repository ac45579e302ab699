//! WebFinger (RFC 7033): `acct:name@host` (or an actor URL) to the actor's id, typed `Person` or
//! `Group` as Lemmy does, so a search on Mastodon or Lemmy finds users and communities alike.

use super::FedData;
use crate::{
    db,
    error::{Error, ErrorKind},
    views::gate::Viewer,
};
use activitypub_federation::fetch::webfinger::{
    build_webfinger_response_with_type, extract_webfinger_name,
};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use url::Url;

#[derive(Deserialize)]
pub struct Query {
    resource: Option<String>,
}

pub async fn get(query: web::Query<Query>, data: FedData) -> Result<HttpResponse, Error> {
    let resource = query.resource.clone().ok_or_else(|| {
        Error::new(
            ErrorKind::BadRequest,
            "missing_resource",
            "the `resource` query parameter is required, e.g. acct:name@host",
        )
    })?;
    let name = local_name(&resource, &data)?;
    let lookup = name.clone();
    let kind = data
        .db(move |conn| db::accounts::name_kind(conn, &lookup))
        .await?
        .ok_or_else(|| Error::not_found(format_args!("account `{name}`")))?;
    let (url, type_name) = match kind.as_str() {
        "community" => {
            let lookup = name.clone();
            let community = data
                .db(move |conn| db::communities::local_by_name(conn, &lookup))
                .await?;
            if !community.is_some_and(|c| data.gate().charter(&Viewer::Anonymous, &c)) {
                return Err(Error::not_found(format_args!("account `{name}`")));
            }
            (data.community_url(&name), "Group")
        }
        _ => (data.person_url(&name), "Person"),
    };
    let body = build_webfinger_response_with_type(
        format!("acct:{name}@{}", data.settings().hostname),
        vec![(Url::parse(&url)?, Some(type_name))],
    );
    Ok(HttpResponse::Ok()
        .content_type("application/jrd+json")
        .json(body))
}

/// The local name a resource refers to: `acct:name@ourhost` or one of our actor URLs.
fn local_name(resource: &str, data: &FedData) -> Result<String, Error> {
    let not_ours = || Error::not_found(format_args!("`{resource}` on this instance"));
    if resource.starts_with("http://") || resource.starts_with("https://") {
        let url = Url::parse(resource).map_err(|_| not_ours())?;
        let prefix = data.url("/");
        let path = url.as_str().strip_prefix(&prefix).ok_or_else(not_ours)?;
        return match path.split_once('/') {
            Some(("c" | "u", name)) if !name.contains('/') => Ok(name.to_string()),
            _ => Err(not_ours()),
        };
    }
    let resource = resource
        .strip_prefix('@')
        .map(|r| format!("acct:{r}"))
        .unwrap_or_else(|| resource.to_string());
    extract_webfinger_name(&resource, data)
        .map(str::to_string)
        .map_err(|_| not_ours())
}
