//! The read cache: finished renderings (a page's HTML, or later any body) of what signed-out
//! readers see of public content, each stored with the version of the data it was made from
//! (`db::versions`, counters the database's triggers bump on every write that changes it). A
//! request reads the version first (one indexed statement), then serves the stored rendering
//! only if it was made at that same version; otherwise it renders, through the read gate as
//! always, and stores the result. Nothing is invalidated by hand: any process writing to the
//! database moves the counter. Bounded by `read_cache_mib`, least recently used out first.

use crate::{context::AppContext, error::Error};
use actix_web::{http::StatusCode, web::Bytes, HttpResponse};
use moka::sync::Cache;
use std::sync::Arc;

/// What a stored rendering was made from: the counters read before making it (a thread's and
/// its community's, or a community's id and counter).
pub type Version = (i64, i64);

/// One stored rendering.
pub struct Cached {
    pub version: Version,
    pub body: Bytes,
    /// Its entity tag (`W/"…"`), made once when stored.
    pub etag: String,
}

/// Renderings by key (a page's path and query). Only public content read by nobody in
/// particular may be stored: the callers store nothing a signed-in reader, a private
/// community or a flash message shaped.
#[derive(Clone)]
pub struct ReadCache {
    entries: Option<Cache<String, Arc<Cached>>>,
}

impl ReadCache {
    /// A cache of at most `mib` MiB (bodies and keys); 0 stores nothing.
    pub fn new(mib: u64) -> Self {
        let entries = (mib > 0).then(|| {
            Cache::builder()
                .max_capacity(mib * 1024 * 1024)
                .weigher(|key: &String, value: &Arc<Cached>| {
                    u32::try_from(key.len() + value.body.len() + value.etag.len() + 64)
                        .unwrap_or(u32::MAX)
                })
                .build()
        });
        ReadCache { entries }
    }

    /// The rendering stored under `key` if it was made at `version`.
    pub fn get(&self, key: &str, version: Version) -> Option<Arc<Cached>> {
        let found = self.entries.as_ref()?.get(key)?;
        (found.version == version).then_some(found)
    }

    /// Stores `body`, made at `version`, under `key` (replacing an older one), and returns it.
    pub fn put(&self, key: String, version: Version, body: Bytes) -> Arc<Cached> {
        let cached = Arc::new(Cached {
            version,
            etag: etag_of(&body),
            body,
        });
        if let Some(entries) = &self.entries {
            entries.insert(key, cached.clone());
        }
        cached
    }
}

/// An answer for signed-out readers through the cache: the rendering stored under `key` if it
/// was made at `version` (read before making it, so a stored body is never older than its
/// version), else `make`'s answer, stored when it is a `200`. `key` must name everything the
/// answer depends on besides the version (path and query), and `make` must read as nobody.
pub async fn through(
    ctx: &AppContext,
    key: String,
    version: Version,
    content_type: &'static str,
    make: impl std::future::Future<Output = Result<HttpResponse, Error>>,
) -> Result<HttpResponse, Error> {
    let cache = ctx.read_cache();
    let cached = match cache.get(&key, version) {
        Some(hit) => hit,
        None => {
            let res = make.await?;
            if res.status() != StatusCode::OK {
                return Ok(res);
            }
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .map_err(|e| Error::internal(anyhow::anyhow!("answer body: {e}")))?;
            cache.put(key, version, body)
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((actix_web::http::header::ETAG, cached.etag.as_str()))
        .body(cached.body.clone()))
}

/// A weak entity tag of a body: its SHA-256, shortened (weak, so that it holds for the body
/// however it is compressed on the wire).
pub fn etag_of(body: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(body);
    format!("W/\"{}\"", hex::encode(&digest[..16]))
}
