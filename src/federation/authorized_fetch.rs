//! Who signed a GET (authorized fetch): the HTTP signature is checked with the signer's key,
//! read or fetched by the library, so that private content can be served to members'
//! instances (`actions::access::authorize_fetch` decides).

use super::{objects::instance::InstanceActor, FedData};
use crate::db::accounts::Person;
use activitypub_federation::{actix_web::signing_actor, traits::Object};
use actix_web::HttpRequest;
use either::Either;
use url::Url;

/// The verified signer of a GET: a person, or an instance actor (an `Application`, which is how
/// copse, Lemmy and Mastodon sign their fetches). None when the request is unsigned, the key
/// cannot be had (the signer's instance is blocked, say), or the signature does not verify.
///
/// The library requires a signed `Digest` header even on a GET: servers built on it (copse,
/// Lemmy) send one, but signed GETs without it (Mastodon's) are not recognised yet.
pub async fn signer(request: &HttpRequest, data: &FedData) -> Option<Url> {
    request.headers().get("signature")?;
    match signing_actor::<Either<InstanceActor, Person>>(request, None, data).await {
        Ok(actor) => Some(actor.id().clone()),
        Err(e) => {
            tracing::debug!("signed GET of {} not verified: {e:?}", request.path());
            None
        }
    }
}
