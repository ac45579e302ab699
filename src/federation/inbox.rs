//! The inboxes (`/inbox`, `/c/{name}/inbox`, `/u/{name}/inbox`): one handler. Hostile input is
//! screened first (`screen`: body size, JSON depth and caps, instance policy, the strict
//! signature rules of `signatures`, key owner and origins); then the actor is read or fetched
//! through the library and the HTTP signature verified with its key (`http_signing`, OpenSSL);
//! each activity's `verify` then its `receive` apply it. Replays are answered 2xx with no second
//! effect.

use super::{
    activities::{deserialize_actor, InboxActivity, Outcome, RemoteActor},
    http_signing, limits, signatures, FedData,
};
use crate::error::{Error, ErrorKind};
use activitypub_federation::{
    fetch::object_id::ObjectId,
    traits::{Activity, Actor},
};
use actix_web::{web, web::Bytes, HttpRequest, HttpResponse};
use futures::StreamExt;
use serde::Deserialize;
use std::sync::PoisonError;
use url::Url;

/// Largest inbox body (bytes); larger is 413.
pub const MAX_INBOX_BODY: usize = 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in ["/inbox", "/c/{name}/inbox", "/u/{name}/inbox"] {
        cfg.service(web::resource(path).route(web::post().to(inbox)));
    }
}

/// Activity types the metrics name; any other is counted as `other`.
const KINDS: &[&str] = &[
    "Create", "Update", "Delete", "Like", "Dislike", "Undo", "Follow", "Accept", "Reject",
    "Announce", "Add", "Remove", "Block", "Flag", "Join", "Leave", "Invite", "Move",
];

/// The inbox handler: [`receive`], counted by activity type and outcome
/// (`copse_inbox_activities`).
async fn inbox(
    request: HttpRequest,
    payload: web::Payload,
    data: FedData,
) -> Result<HttpResponse, Error> {
    let mut kind = "unparsed";
    let answer = receive(&request, payload, &data, &mut kind).await;
    let outcome = match &answer {
        Ok(res) if res.status() == actix_web::http::StatusCode::ACCEPTED => "ignored",
        Ok(_) => "accepted",
        Err(e) => e.code,
    };
    data.metrics().observe_inbox(kind, outcome);
    answer
}

async fn receive(
    request: &HttpRequest,
    payload: web::Payload,
    data: &FedData,
    kind: &mut &'static str,
) -> Result<HttpResponse, Error> {
    if request.headers().get("signature").is_none() {
        return Err(Error::new(
            ErrorKind::Unauthorized,
            "unsigned",
            "inbox requests must carry an HTTP signature",
        ));
    }
    let body = read_body(request, payload).await?;
    let (json, params) = screen(request, &body, data, kind)?;
    let activity = InboxActivity::parse(&json).map_err(|e| {
        Error::new(
            ErrorKind::BadRequest,
            "malformed_activity",
            format!("not an activity: {e}"),
        )
    })?;
    let mut actor = sender(&activity, data).await?;
    let verified =
        http_signing::verify_request(data.public_keys(), request, &params, actor.public_key_pem());
    if let Err(refused) = verified {
        // A kept row may be older than the database's (another process stored the actor's
        // new key): checked once more against the database's.
        if !data.senders().forget(activity.actor().as_str()) {
            return Err(refused);
        }
        actor = sender(&activity, data).await?;
        http_signing::verify_request(data.public_keys(), request, &params, actor.public_key_pem())?;
    }
    activity.verify(data).await?;
    Ok(match activity.apply(data, actor.left()).await? {
        Outcome::Applied => HttpResponse::Ok().finish(),
        Outcome::Ignored(reason) => {
            HttpResponse::Accepted().json(serde_json::json!({ "ignored": reason }))
        }
    })
}

/// The activity's actor, as stored (a remote person's row as kept, `federation::senders`) or
/// fetched: 401 when it cannot be had.
async fn sender(activity: &InboxActivity, data: &FedData) -> Result<RemoteActor, Error> {
    ObjectId::<RemoteActor>::from(activity.actor().clone())
        .dereference(data)
        .await
        .map_err(|e| match e.kind {
            ErrorKind::Internal | ErrorKind::Unavailable => e,
            _ => Error::new(
                ErrorKind::Unauthorized,
                "key_unavailable",
                format!("the actor's key could not be had: {}", e.message),
            ),
        })
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::PayloadTooLarge,
        "payload_too_large",
        format!("inbox bodies are limited to {MAX_INBOX_BODY} bytes"),
    )
}

/// Reads the body up to [`MAX_INBOX_BODY`]: a larger `Content-Length` is refused before reading,
/// and a chunked body is refused as soon as it grows past the cap.
async fn read_body(request: &HttpRequest, mut payload: web::Payload) -> Result<Bytes, Error> {
    let declared = request
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_INBOX_BODY as u64) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Error::new(ErrorKind::BadRequest, "body_unreadable", e.to_string()))?;
        if body.len() + chunk.len() > MAX_INBOX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The parts of an activity the screening needs.
#[derive(Deserialize)]
struct Envelope {
    id: Url,
    #[serde(deserialize_with = "deserialize_actor")]
    actor: Url,
    #[serde(rename = "type", default)]
    kind: serde_json::Value,
    #[serde(default)]
    object: serde_json::Value,
}

/// Everything checked before the library sees the request: JSON depth, caps and NUL (400), the
/// instance policy (403, before any key is read), the strict signature rules and the key's
/// owner (401), and that the activity (and a created or updated object) is on the actor's
/// origin and not on ours (400). Answers the parsed body and signature.
fn screen(
    request: &HttpRequest,
    body: &[u8],
    data: &FedData,
    kind: &mut &'static str,
) -> Result<(serde_json::Value, signatures::SignatureParams), Error> {
    let json = limits::parse_json(body)?;
    *kind = json["type"]
        .as_str()
        .and_then(|t| KINDS.iter().find(|k| **k == t))
        .copied()
        .unwrap_or("other");
    limits::check_caps(&json)?;
    let envelope = Envelope::deserialize(&json).map_err(|e| {
        Error::new(
            ErrorKind::BadRequest,
            "malformed_activity",
            format!("not an activity: {e}"),
        )
    })?;
    let header = http_signing::header_lookup(request);
    let key_id = header("signature")
        .and_then(|s| signatures::parse_signature(&s).ok())
        .and_then(|p| Url::parse(&p.key_id).ok());
    {
        let policy = data.instance_policy();
        let policy = policy.read().unwrap_or_else(PoisonError::into_inner);
        if !policy.permits(&envelope.actor) || key_id.is_some_and(|k| !policy.permits(&k)) {
            return Err(Error::new(
                ErrorKind::Forbidden,
                super::INSTANCE_BLOCKED,
                "this instance does not federate with that one",
            ));
        }
    }
    let our_host = super::our_instance(data);
    let signed = signatures::SignedRequest {
        our_host: &our_host,
        header: &header,
    };
    let params = signatures::check_request(&signed, Some(body), chrono::Utc::now())?;
    signatures::check_key_owner(&params.key_id, &envelope.actor)?;
    signatures::check_same_origin("id", &envelope.id, &envelope.actor)?;
    if signatures::origin(&envelope.actor).is_some_and(|(_, host)| host == our_host) {
        return Err(Error::invalid_field(
            "actor",
            "is an actor of this instance; local activities are not accepted from outside",
        ));
    }
    if matches!(envelope.kind.as_str(), Some("Create" | "Update")) {
        if let Some(object_id) = envelope.object.get("id").and_then(|v| v.as_str()) {
            let object_id = Url::parse(object_id)
                .map_err(|_| Error::invalid_field("object.id", "not a URL"))?;
            // A remote member's edit of one of our library pages names our page: its rights
            // are checked where it is applied (`activities::library`), as a local edit's are.
            let page_edit = envelope.kind.as_str() == Some("Update")
                && envelope.object.get("libraryRevision").is_some()
                && signatures::origin(&object_id).is_some_and(|(_, host)| host == our_host);
            if !page_edit {
                signatures::check_same_origin("object.id", &object_id, &envelope.actor)?;
            }
        }
    }
    Ok((json, params))
}
