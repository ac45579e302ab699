//! What inboxes answered our deliveries. The library's `SendActivityTask` reports a final 4xx
//! as success and hides `Retry-After`; a middleware on our HTTP client notes the status and
//! `Retry-After` of each delivery POST, keyed by inbox and body digest, for the worker to read.

use reqwest_middleware::{Middleware, Next};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use url::Url;

/// An inbox's answer to one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
}

/// Answers waiting to be read, by (inbox, `Digest` header).
#[derive(Default, Clone)]
pub struct DeliveryAnswers(Arc<Mutex<HashMap<(String, String), Answer>>>);

/// Most answers kept unread (answers to requests not made by the worker are never read).
const MAX_KEPT: usize = 10_000;

impl DeliveryAnswers {
    fn put(&self, inbox: String, digest: String, answer: Answer) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_KEPT {
                map.clear();
            }
            map.insert((inbox, digest), answer);
        }
    }

    /// The answer to the delivery of a body with `digest` to `inbox`, once.
    pub fn take(&self, inbox: &Url, digest: &str) -> Option<Answer> {
        self.0
            .lock()
            .ok()?
            .remove(&(inbox.to_string(), digest.to_string()))
    }
}

/// The `Digest` header value the library sends for this body (`SHA-256=` base64).
pub fn digest_of<T: serde::Serialize>(body: &T) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    format!(
        "SHA-256={}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
    )
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    at.duration_since(std::time::SystemTime::now()).ok()
}

/// Notes the answer to every signed POST (a delivery).
pub struct Recorder(pub DeliveryAnswers);

#[async_trait::async_trait]
impl Middleware for Recorder {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let key = (req.method() == reqwest::Method::POST)
            .then(|| {
                let digest = req.headers().get("digest")?.to_str().ok()?.to_string();
                Some((req.url().to_string(), digest))
            })
            .flatten();
        let response = next.run(req, extensions).await?;
        if let Some((inbox, digest)) = key {
            let answer = Answer {
                status: response.status().as_u16(),
                retry_after: retry_after(response.headers()),
            };
            self.0.put(inbox, digest, answer);
        }
        Ok(response)
    }
}
