//! What software another instance runs, from its NodeInfo (`/.well-known/nodeinfo`, then the
//! 2.x document it links to), and what that means on the wire: forum software that takes
//! only the wrapped `Announce(Create)` is not sent the bare `Announce(Page)` too.

use crate::context::AppContext;
use serde::Deserialize;
use url::Url;

/// Software that refuses (or needs not) the bare announce of a post: it reads the wrapped form.
pub const WRAPPED_ONLY: [&str; 5] = ["lemmy", "mbin", "kbin", "piefed", "copse"];

/// The most of a NodeInfo document we read.
const MAX_BYTES: usize = 64 * 1024;

/// `host[:port]` of a URL: how instances are told apart.
pub fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Whether an instance running `software` is sent the bare announce of a new post. Unknown
/// software is: Mastodon and its kin show only that form.
pub fn wants_bare_announce(software: Option<&str>) -> bool {
    !software.is_some_and(|s| WRAPPED_ONLY.contains(&s))
}

#[derive(Deserialize)]
struct Links {
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: String,
    href: Url,
}

#[derive(Deserialize)]
struct NodeInfo {
    software: Software,
}

#[derive(Deserialize)]
struct Software {
    name: String,
}

/// The lowercase NodeInfo software name of the instance serving `inbox`; empty when it cannot
/// be read (nothing there, too big, not NodeInfo, another host's document).
pub async fn ask(client: &reqwest::Client, inbox: &Url) -> String {
    match software(client, inbox).await {
        Ok(name) => name,
        Err(e) => {
            tracing::info!("NodeInfo of {inbox}: {e}");
            String::new()
        }
    }
}

async fn software(client: &reqwest::Client, inbox: &Url) -> anyhow::Result<String> {
    let well_known = inbox.join("/.well-known/nodeinfo")?;
    let links: Links = get(client, &well_known).await?;
    let href = links
        .links
        .into_iter()
        .filter(|l| {
            l.rel
                .starts_with("http://nodeinfo.diaspora.software/ns/schema/2.")
        })
        .map(|l| l.href)
        .find(|href| host_of(href) == host_of(inbox))
        .ok_or_else(|| anyhow::anyhow!("no NodeInfo 2.x on the same host"))?;
    let info: NodeInfo = get(client, &href).await?;
    let name = info.software.name.trim().to_ascii_lowercase();
    anyhow::ensure!(
        !name.is_empty() && name.len() <= 64,
        "not a software name: {name:?}"
    );
    Ok(name)
}

/// GETs JSON of at most `MAX_BYTES`.
async fn get<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &Url,
) -> anyhow::Result<T> {
    let mut response = client
        .get(url.clone())
        .header("accept", "application/json")
        .send()
        .await?
        .error_for_status()?;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
        anyhow::ensure!(body.len() <= MAX_BYTES, "larger than {MAX_BYTES} bytes");
    }
    Ok(serde_json::from_slice(&body)?)
}

/// Asks the instances of our communities' remote members that were never asked, or not for a
/// week, what they run (a few at a time; the rest wait for the next round).
pub async fn learn(ctx: &AppContext) -> crate::error::Result<()> {
    const RECHECK: chrono::Duration = chrono::Duration::days(7);
    const PER_ROUND: usize = 20;
    let inboxes = ctx.db(crate::db::instance::member_inboxes).await?;
    let mut by_host = std::collections::BTreeMap::new();
    for inbox in inboxes.iter().filter_map(|i| Url::parse(i).ok()) {
        if let Some(host) = host_of(&inbox) {
            by_host.entry(host).or_insert(inbox);
        }
    }
    let hosts: Vec<String> = by_host.keys().cloned().collect();
    let before = crate::db::now() - RECHECK;
    let due = ctx
        .db(move |conn| crate::db::instance::software_to_learn(conn, &hosts, before))
        .await?;
    let client = super::http_client(ctx)?;
    for host in due.into_iter().take(PER_ROUND) {
        let Some(inbox) = by_host.get(&host) else {
            continue;
        };
        let name = ask(&client, inbox).await;
        ctx.write(move |conn| crate::db::instance::set_software(conn, &host, &name))
            .await?;
    }
    Ok(())
}
