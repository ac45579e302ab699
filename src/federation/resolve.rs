//! Finding remote communities and people by handle (`name@host`, `!name@host`, `@name@host`)
//! through WebFinger, or local ones by name.

use super::FedData;
use crate::{
    db::{self, communities::Community},
    error::{Error, ErrorKind},
};
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;

/// A community by reference: a local name, or a handle on another instance (fetched and stored).
pub async fn community(data: &FedData, reference: &str) -> Result<Community, Error> {
    let reference = reference.trim_start_matches(['!', '@']);
    let (name, host) = match reference.split_once('@') {
        Some((name, host)) if host != data.settings().hostname => (name, Some(host)),
        Some((name, _)) => (name, None),
        None => (reference, None),
    };
    if host.is_none() {
        let lookup = name.to_string();
        return data
            .db(move |conn| db::communities::local_by_name(conn, &lookup))
            .await?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")));
    }
    webfinger_resolve_actor::<_, Community>(reference, data)
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::NotFound,
                "not_found",
                format!("community `{reference}` could not be found"),
            )
            .with_cause(anyhow::anyhow!("{e:?}"))
        })
}
