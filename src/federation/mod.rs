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
pub mod senders;
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
    let policy = PolicyVerifier(ctx.instance_policy(), ctx.clone());
    let counted = reqwest_middleware::ClientBuilder::new(client)
        .with(FetchMetrics(ctx.clone()))
        .build();
    let config = FederationConfig::builder()
        .domain(ctx.settings().hostname.clone())
        .app_data(ctx)
        .client(counted)
        .debug(insecure)
        .allow_http_urls(insecure)
        .request_timeout(REQUEST_TIMEOUT)
        .http_fetch_limit(20)
        .http_signature_compat(true)
        .signed_fetch_actor(&instance_actor)
        .url_verifier(Box::new(policy))
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
/// reads the context's policy at each check, so administrators' changes apply at once. We use
/// the library only to fetch (our inbox and deliveries check the policy themselves), so a
/// refusal here is a fetch refused by policy, counted as such.
#[derive(Clone)]
struct PolicyVerifier(Arc<RwLock<InstancePolicy>>, AppContext);

/// Counts every fetch the library sends through our client, by outcome (`Metrics::observe_fetch`).
/// Our deliveries use the plain client and are counted by the delivery worker.
struct FetchMetrics(AppContext);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for FetchMetrics {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let answer = next.run(req, extensions).await;
        self.0.metrics().observe_fetch(fetch_outcome(&answer));
        answer
    }
}

/// The fixed label of a fetch's outcome.
fn fetch_outcome(answer: &reqwest_middleware::Result<reqwest::Response>) -> &'static str {
    match answer {
        Ok(response) => match response.status().as_u16() {
            200..=299 => "ok",
            300..=399 => "http_3xx",
            400..=499 => "http_4xx",
            _ => "http_5xx",
        },
        Err(reqwest_middleware::Error::Reqwest(e)) => {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
            while let Some(c) = cause {
                if matches!(
                    c.downcast_ref::<activitypub_federation::error::Error>(),
                    Some(activitypub_federation::error::Error::ResolveInternalIpError(..))
                ) {
                    return "refused_address";
                }
                cause = c.source();
            }
            if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else {
                "error"
            }
        }
        Err(_) => "error",
    }
}

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
            self.1.metrics().observe_fetch("refused_policy");
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
