//! Actor collections: a community's outbox, followers (a count), moderators and featured (pinned)
//! posts; a person's and the instance's outbox. A public community's outbox holds its latest
//! posts as `Announce(Create(Page))`, as Lemmy serves them; other outboxes hold no items (see
//! docs/FEDERATION.md).

use super::{authorized_fetch::signer, objects, FedData};
use crate::{
    db::{
        self,
        communities::Community,
        posts::{PostOrComment, PostOrder},
    },
    error::Error,
    views::gate::{Sight, Viewer},
};
use activitypub_federation::{actix_web::response::create_http_response, traits::Object};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

/// What anyone may see of a community (public collections answer the same to everyone, signed
/// or not).
async fn anonymous_sight(data: &FedData, community: &Community) -> Result<Sight, Error> {
    let (gate, community) = (data.gate().clone(), community.clone());
    data.db(move |conn| gate.sight(conn, &Viewer::Anonymous, &community))
        .await
}

/// What the signer of this fetch may see of a community (private ones: members' instances).
async fn signed_sight(
    data: &FedData,
    request: &HttpRequest,
    community: &Community,
) -> Result<Sight, Error> {
    data.gate()
        .sight_signed(data, community, signer(request, data))
        .await
}

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

/// How many posts a community's outbox lists.
const OUTBOX_POSTS: i64 = 20;

/// A public community's latest posts, newest first, each as the community's `Announce` of its
/// author's `Create` (what Lemmy reads when it first sees a community). The activities are
/// rebuilt, so their ids are fragments of the post's and the outbox's. A private community's
/// outbox is empty to everyone: its posts reach members' instances only as they are delivered.
pub async fn group_outbox(name: web::Path<String>, data: FedData) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    let id = format!("{}/outbox", community.ap_id);
    if !anonymous_sight(&data, &community).await?.content {
        return respond(empty_ordered(id));
    }
    let community_id = community.id;
    let posts = data
        .db(move |conn| {
            db::posts::community_posts(conn, community_id, PostOrder::New, None, OUTBOX_POSTS)
        })
        .await?;
    let public = activitypub_federation::kinds::public().to_string();
    let mut items = Vec::with_capacity(posts.len());
    for listed in posts {
        let (post, author) = (listed.post, listed.author);
        let post_id = post.id;
        let page = PostOrComment::Post(post).into_json(&data).await?;
        items.push(json!({
            "type": "Announce",
            "id": format!("{id}#announce-{post_id}"),
            "actor": community.ap_id.to_string(),
            "to": [public],
            "cc": [format!("{}/followers", community.ap_id)],
            "object": {
                "type": "Create",
                "id": format!("{}#create", page.id),
                "actor": author.ap_id.to_string(),
                "to": [public],
                "cc": [community.ap_id.to_string()],
                "audience": community.ap_id.to_string(),
                "object": page,
            },
        }));
    }
    respond(json!({
        "type": "OrderedCollection",
        "id": id,
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

/// Pinned posts as full objects, as Lemmy and Mastodon serve them. A private community's are
/// listed only to its members' instances (the read gate); others see an empty collection.
pub async fn group_featured(
    name: web::Path<String>,
    request: HttpRequest,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    let id = format!("{}/featured", community.ap_id);
    if !signed_sight(&data, &request, &community).await?.content {
        return respond(empty_ordered(id));
    }
    let community_id = community.id;
    let pinned = data
        .db(move |conn| db::posts::pinned_posts(conn, community_id))
        .await?;
    let mut items = Vec::with_capacity(pinned.len());
    for post in pinned {
        items.push(PostOrComment::Post(post).into_json(&data).await?);
    }
    respond(json!({
        "type": "OrderedCollection",
        "id": id,
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

/// Like Lemmy: the number of followers, never the list. A private community does not disclose
/// even the number.
pub async fn group_followers(
    name: web::Path<String>,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    let id = format!("{}/followers", community.ap_id);
    if !anonymous_sight(&data, &community).await?.content {
        return respond(json!({ "type": "Collection", "id": id, "items": [] }));
    }
    let community_id = community.id;
    let count = data
        .db(move |conn| db::communities::count_members(conn, community_id))
        .await?;
    respond(json!({ "type": "Collection", "id": id, "totalItems": count, "items": [] }))
}

/// Owner and moderators, as Lemmy lists them. A private community's are listed only to its
/// members' instances, like its featured posts.
pub async fn group_moderators(
    name: web::Path<String>,
    request: HttpRequest,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let community = local_community(&data, name.into_inner()).await?;
    if !signed_sight(&data, &request, &community).await?.content {
        return respond(empty_ordered(format!("{}/moderators", community.ap_id)));
    }
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
