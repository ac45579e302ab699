//! Finding remote communities and people by handle (`name@host`, `!name@host`, `@name@host`)
//! through WebFinger, or local ones by name.

use super::FedData;
use crate::{
    db::{self, communities::Community},
    error::{Error, ErrorKind},
};
use activitypub_federation::fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor};

/// A community by reference: a local name, or a handle on another instance (fetched and stored).
pub async fn community(data: &FedData, reference: &str) -> Result<Community, Error> {
    let reference = reference.trim_start_matches(['!', '@']);
    let (name, host) = match reference.split_once('@') {
        Some((name, host)) if host != data.settings().hostname => (name, Some(host)),
        Some((name, _)) => (name, None),
        None => (reference, None),
    };
    let Some(host) = host else {
        let lookup = name.to_string();
        return data
            .db(move |conn| db::communities::local_by_name(conn, &lookup))
            .await?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")));
    };
    if let Some(stored) = stored_community(data, name, host).await? {
        return Ok(stored);
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

/// How old a stored remote community may be before a lookup by handle refreshes it.
const REFRESH_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// A remote community already stored under the handle `name@host` (`host` with its port),
/// answered without asking its server (which may be down); refreshed in the background when
/// it is older than a day.
async fn stored_community(
    data: &FedData,
    name: &str,
    host: &str,
) -> Result<Option<Community>, Error> {
    let (name, host) = (name.to_string(), host.to_string());
    let found = data
        .db(move |conn| db::communities::remote_by_handle(conn, &name, &host))
        .await?;
    let Some(community) = found else {
        return Ok(None);
    };
    if crate::db::now() - community.last_refreshed_at > REFRESH_AFTER {
        let (id, fresh) = (community.ap_id.0.clone(), data.reset_request_count());
        let shutdown = data.shutdown().clone();
        tokio::spawn(async move {
            let object = ObjectId::<Community>::from(id.clone());
            let refresh = object.dereference_forced(&fresh);
            tokio::select! {
                result = refresh => if let Err(e) = result {
                    tracing::info!("refreshing {id} failed; the stored copy stays: {e}");
                },
                () = shutdown.cancelled() => {}
            }
        });
    }
    Ok(Some(community))
}

/// A stored remote community fetched again from its server now (what it declares may have
/// changed since it was stored); the stored copy when its server does not answer.
pub async fn refreshed(data: &FedData, community: Community) -> Result<Community, Error> {
    let object = ObjectId::<Community>::from(community.ap_id.0.clone());
    match object.dereference_forced(data).await {
        Ok(fresh) => Ok(fresh),
        Err(e) => {
            tracing::info!(
                "refreshing {} failed; the stored copy stays: {e}",
                community.ap_id
            );
            Ok(community)
        }
    }
}

/// What a search answers when it finds nothing, or only what the asker may not read (404). The
/// message does not repeat the query, so that both read the same byte for byte.
pub fn nothing_found() -> Error {
    Error::new(ErrorKind::NotFound, "not_found", "nothing found")
}

/// What a search for a handle or URL found (stored locally by then).
pub enum Resolved {
    Community(Box<Community>),
    Person(db::accounts::Person),
    Post(db::posts::Post),
    Comment(db::posts::Comment),
}

/// Resolves `name@host`, `!name@host` (a community), `@name@host` (a person), or the URL of an
/// actor, post or comment. Local names and URLs are answered from the database.
pub async fn anything(data: &FedData, query: &str) -> Result<Resolved, Error> {
    use crate::db::posts::PostOrComment;
    let not_found = nothing_found;
    let query = query.trim();
    if query.starts_with("https://") || query.starts_with("http://") {
        let url = url::Url::parse(query).map_err(|_| Error::invalid_field("q", "not a URL"))?;
        if let Ok(c) = ObjectId::<Community>::from(url.clone())
            .dereference(data)
            .await
        {
            return Ok(Resolved::Community(Box::new(c)));
        }
        if let Ok(p) = ObjectId::<db::accounts::Person>::from(url.clone())
            .dereference(data)
            .await
        {
            return Ok(Resolved::Person(p));
        }
        return match ObjectId::<PostOrComment>::from(url).dereference(data).await {
            Ok(PostOrComment::Post(p)) => Ok(Resolved::Post(p)),
            Ok(PostOrComment::Comment(c)) => Ok(Resolved::Comment(c)),
            Err(e) if e.kind == ErrorKind::Forbidden => Err(e),
            Err(_) => Err(not_found()),
        };
    }
    if !query.contains('@') || query.chars().any(char::is_whitespace) {
        return Err(Error::invalid_field(
            "q",
            "expected name@host, !community@host, @person@host or a URL",
        ));
    }
    if let Some(handle) = query.strip_prefix('@') {
        return person(data, handle)
            .await
            .map(Resolved::Person)
            .map_err(|_| not_found());
    }
    let community_only = query.starts_with('!');
    match community(data, query).await {
        Ok(c) => Ok(Resolved::Community(Box::new(c))),
        Err(_) if !community_only => person(data, query)
            .await
            .map(Resolved::Person)
            .map_err(|_| not_found()),
        Err(_) => Err(not_found()),
    }
}

pub async fn person(data: &FedData, handle: &str) -> Result<db::accounts::Person, Error> {
    let (name, host) = handle.split_once('@').unwrap_or((handle, ""));
    if host.is_empty() || host == data.settings().hostname {
        let lookup = name.to_string();
        return data
            .db(move |conn| db::accounts::local_person_by_name(conn, &lookup))
            .await?
            .ok_or_else(|| Error::not_found("person"));
    }
    webfinger_resolve_actor::<_, db::accounts::Person>(handle, data)
        .await
        .map_err(|e| Error::not_found("person").with_cause(anyhow::anyhow!("{e:?}")))
}
