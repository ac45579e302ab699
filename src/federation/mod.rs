//! Everything ActivityPub: the library's configuration, actors and collections, WebFinger and
//! NodeInfo. `federation/` never renders client JSON or HTML; `api/` and `web/` never see its
//! types.

pub mod activities;
pub mod authorized_fetch;
pub mod collections;
pub mod http_signing;
pub mod inbox;
pub mod limits;
pub mod nodeinfo;
pub mod objects;
pub mod outbound;
pub mod resolve;
pub mod routes;
pub mod signatures;
pub mod software;
pub mod webfinger;

use crate::domain::names::InstancePolicy;
use crate::{context::AppContext, error::Result};
use activitypub_federation::{
    config::{FederationConfig, UrlVerifier},
    resolver::ValidatingDnsResolver,
};
use actix_web::guard::GuardContext;
use objects::instance::InstanceActor;
use reqwest::redirect::Policy;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// The library's request data carrying our context.
pub type FedData = activitypub_federation::config::Data<AppContext>;

/// This instance's canonical `host[:port]`, as `domain::names::instance_of` gives it for a URL.
pub fn our_instance(ctx: &AppContext) -> String {
    let hostname = &ctx.settings().hostname;
    crate::domain::names::parse_hostname(hostname).unwrap_or_else(|_| hostname.clone())
}

/// Whether a URL is on this instance (canonical host and port).
pub fn is_local_url(ctx: &AppContext, url: &url::Url) -> bool {
    crate::domain::names::instance_of(url).is_some_and(|host| host == our_instance(ctx))
}

/// Maximum time of one outgoing federation request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the library configuration for an instance. With `insecure_federation` the library runs
/// in debug mode (plain http, explicit ports) and our HTTP client does not refuse loopback and
/// private addresses; otherwise its resolver refuses them at connect time, in every build.
pub async fn config(ctx: AppContext) -> Result<FederationConfig<AppContext>> {
    let insecure = ctx.settings().insecure_federation;
    let client = http_client(&ctx)?;
    let instance_actor = InstanceActor::local(&ctx)?;
    let policy = ctx.instance_policy();
    let config = FederationConfig::builder()
        .domain(ctx.settings().hostname.clone())
        .app_data(ctx)
        .client(reqwest_middleware::ClientBuilder::new(client).build())
        .debug(insecure)
        .allow_http_urls(insecure)
        .request_timeout(REQUEST_TIMEOUT)
        .http_fetch_limit(20)
        .http_signature_compat(true)
        .signed_fetch_actor(&instance_actor)
        .url_verifier(Box::new(PolicyVerifier(policy)))
        .build()
        .await
        .map_err(anyhow::Error::from)?;
    Ok(config)
}

/// Our HTTP client for federation (the library's fetches and our deliveries): no redirects
/// followed by reqwest (the library checks each hop), bounded time, and, unless
/// `insecure_federation`, a resolver that refuses private, loopback and link-local addresses at
/// connect time.
pub fn http_client(ctx: &AppContext) -> Result<reqwest::Client> {
    let insecure = ctx.settings().insecure_federation;
    Ok(reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        // Below the 5 s keep-alive of actix (Lemmy, copse) and Node (Fedify, Misskey): a
        // delivery sent on a connection the peer is closing fails and waits for a retry.
        .pool_idle_timeout(Duration::from_secs(4))
        .user_agent(format!(
            "copse/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            ctx.url("/")
        ))
        .dns_resolver(ValidatingDnsResolver::new(vec![], !insecure))
        .build()
        .map_err(anyhow::Error::from)?)
}

/// What the library's URL checks answer for an instance we do not federate with.
pub const INSTANCE_BLOCKED: &str = "instance_blocked";

/// Applies the instance policy to every URL the library receives from, fetches or sends to. It
/// reads the context's policy at each check, so administrators' changes apply at once.
#[derive(Clone)]
struct PolicyVerifier(Arc<RwLock<InstancePolicy>>);

#[async_trait::async_trait]
impl UrlVerifier for PolicyVerifier {
    async fn verify(&self, url: &url::Url) -> Result<(), activitypub_federation::error::Error> {
        let permitted = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .permits(url);
        if permitted {
            Ok(())
        } else {
            Err(activitypub_federation::error::Error::UrlVerificationError(
                INSTANCE_BLOCKED,
            ))
        }
    }
}

/// True when the request asks for ActivityPub JSON (`application/activity+json` or
/// `application/ld+json`) rather than a page.
pub fn wants_activitypub(ctx: &GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            let accept = accept.to_ascii_lowercase();
            accept.contains("application/activity+json") || accept.contains("application/ld+json")
        })
}
