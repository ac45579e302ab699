//! Who signed a GET (authorized fetch): the request must follow the strict rules of
//! `signatures` (`(request-target)`, `host` and `date` or `(created)` signed, an accepted
//! algorithm, the signed time within an hour of ours, as for inbox POSTs), the
//! signer's key is read or fetched through the library, must belong to the signer, and the
//! signature is verified with it (`http_signing`), so that private content can be served to
//! members' instances (the read gate, `views::gate`, decides).

use super::{http_signing, objects::instance::InstanceActor, signatures, FedData};
use crate::{
    db::accounts::Person,
    error::{Error, ErrorKind, Result},
};
use activitypub_federation::{
    fetch::object_id::ObjectId,
    traits::{Actor, Object},
};
use actix_web::HttpRequest;
use either::Either;
use std::sync::PoisonError;
use url::Url;

/// The verified signer of a GET: a person, or an instance actor (an `Application`, which is how
/// copse, Lemmy and Mastodon sign their fetches). None when the request is unsigned, breaks the
/// rules, the key cannot be had (the signer's instance is blocked, say), or the signature does
/// not verify: the request is then served as an anonymous one.
pub async fn signer(request: &HttpRequest, data: &FedData) -> Option<Url> {
    request.headers().get("signature")?;
    match verified_signer(request, data).await {
        Ok(actor) => Some(actor),
        Err(e) => {
            tracing::debug!("signed GET of {} not verified: {e:?}", request.path());
            None
        }
    }
}

async fn verified_signer(request: &HttpRequest, data: &FedData) -> Result<Url> {
    let header = http_signing::header_lookup(request);
    let our_host = crate::domain::names::parse_hostname(&data.settings().hostname)
        .unwrap_or_else(|_| data.settings().hostname.clone());
    let signed = signatures::SignedRequest {
        our_host: &our_host,
        header: &header,
    };
    let params = signatures::check_request(&signed, None, chrono::Utc::now())?;
    let mut owner =
        Url::parse(&params.key_id).map_err(|_| Error::unauthorized("the keyId is not a URL"))?;
    owner.set_fragment(None);
    {
        let policy = data.instance_policy();
        if !policy
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .permits(&owner)
        {
            return Err(Error::new(
                ErrorKind::Forbidden,
                super::INSTANCE_BLOCKED,
                "this instance does not federate with that one",
            ));
        }
    }
    let actor = ObjectId::<Either<InstanceActor, Person>>::from(owner)
        .dereference(data)
        .await?;
    signatures::check_key_owner(&params.key_id, actor.id())?;
    http_signing::verify_request(data.public_keys(), request, &params, actor.public_key_pem())?;
    Ok(actor.id().clone())
}
