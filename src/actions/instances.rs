//! The instance policy: which instances we federate with. The settings' lists
//! (`blocked_instances`, `allowed_instances`) hold for the life of the process; administrators
//! add and remove entries of their own, and after each change the policy in force
//! (`AppContext::instance_policy`, read by every federation URL check) is rebuilt from both: in
//! the process that made the change at once, in every other process sharing the database
//! within a second (`refresh`, run by `jobs::sync`: each change bumps the lists' version).

use crate::{
    config::Settings,
    context::AppContext,
    db::{
        self,
        accounts::Account,
        instance::{policy_entries, InstanceEntry},
    },
    domain::{
        accounts::may_administer,
        content,
        names::{parse_hostname, InstanceList, InstancePolicy},
    },
    error::{Error, ErrorKind, Result},
};
use chrono::NaiveDateTime;
use std::sync::PoisonError;

/// Longest reason an administrator may give.
pub const MAX_REASON: usize = 500;

/// One listed instance, from the settings or from an administrator.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `host[:port]`, canonical.
    pub host: String,
    pub list: InstanceList,
    pub reason: Option<String>,
    /// Settings entries cannot be removed through the API.
    pub from_settings: bool,
    /// When an administrator listed it (None for settings entries).
    pub created_at: Option<NaiveDateTime>,
}

/// The settings' entries, canonical and without repeats.
fn settings_entries(settings: &Settings) -> Vec<Listed> {
    let lists = [
        (InstanceList::Block, &settings.blocked_instances),
        (InstanceList::Allow, &settings.allowed_instances),
    ];
    let mut out: Vec<Listed> = Vec::new();
    for (list, hosts) in lists {
        for host in hosts.iter().filter_map(|h| parse_hostname(h).ok()) {
            if !out.iter().any(|l| l.host == host && l.list == list) {
                out.push(Listed {
                    host,
                    list,
                    reason: None,
                    from_settings: true,
                    created_at: None,
                });
            }
        }
    }
    out
}

fn stored(entry: InstanceEntry) -> Listed {
    Listed {
        list: entry.list(),
        host: entry.host,
        reason: entry.reason,
        from_settings: false,
        created_at: Some(entry.created_at),
    }
}

/// The policy of the settings' lists plus the administrators' entries.
pub fn compile(settings: &Settings, entries: &[InstanceEntry]) -> InstancePolicy {
    let mut blocked = settings.blocked_instances.clone();
    let mut allowed = settings.allowed_instances.clone();
    for entry in entries {
        match entry.list() {
            InstanceList::Block => blocked.push(entry.host.clone()),
            InstanceList::Allow => allowed.push(entry.host.clone()),
        }
    }
    InstancePolicy::new(&blocked, &allowed)
}

/// Every listed instance: the settings' entries, then the administrators', each by host.
pub async fn list(ctx: &AppContext, admin: &Account) -> Result<Vec<Listed>> {
    may_administer(admin.user.is_admin)?;
    let entries = ctx.db(policy_entries).await?;
    let mut out = settings_entries(ctx.settings());
    out.sort_by(|a, b| a.host.cmp(&b.host));
    out.extend(entries.into_iter().map(stored));
    Ok(out)
}

/// The canonical form of a host given by an administrator (400 naming `field` when it is not a
/// host), which must not be this instance (422).
fn instance_host(ctx: &AppContext, field: &str, raw: &str) -> Result<String> {
    let host = parse_hostname(raw).map_err(|e| Error::invalid_field(field, e))?;
    if parse_hostname(&ctx.settings().hostname).as_deref() == Ok(host.as_str()) {
        let mut e = Error::new(
            ErrorKind::Unprocessable,
            "own_instance",
            format!("{field}: `{host}` is this instance"),
        );
        e.field = Some(field.to_string());
        return Err(e);
    }
    Ok(host)
}

/// 409 when the settings decide about this host: the API may not add to or take from them.
fn not_in_settings(ctx: &AppContext, host: &str) -> Result<()> {
    if settings_entries(ctx.settings())
        .iter()
        .any(|l| l.host == host)
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            "in_settings",
            format!("`{host}` is listed in the settings; change it there"),
        ));
    }
    Ok(())
}

/// Puts an instance on the block- or allow-list (replacing its earlier entry) and applies the
/// new policy at once. Returns the entry and whether it is new.
pub async fn put(
    ctx: &AppContext,
    admin: &Account,
    host: &str,
    list: InstanceList,
    reason: Option<&str>,
) -> Result<(Listed, bool)> {
    may_administer(admin.user.is_admin)?;
    let host = instance_host(ctx, "host", host)?;
    let reason = reason
        .map(|r| content::plain_line("reason", r, 0, MAX_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    not_in_settings(ctx, &host)?;
    let (entry, created) = ctx
        .write(move |conn| {
            let created = db::instance::put_policy_entry(conn, &host, list, reason.as_deref())?;
            let entry = db::instance::policy_entry(conn, &host)?
                .ok_or_else(|| Error::not_found("instance entry"))?;
            Ok((entry, created))
        })
        .await?;
    reload(ctx).await?;
    Ok((stored(entry), created))
}

/// Takes an administrator's entry off the lists and applies the new policy at once. Settings
/// entries answer 409, unknown hosts 404.
pub async fn remove(ctx: &AppContext, admin: &Account, host: &str) -> Result<()> {
    may_administer(admin.user.is_admin)?;
    let host = parse_hostname(host).map_err(|e| Error::invalid_field("host", e))?;
    not_in_settings(ctx, &host)?;
    let lookup = host.clone();
    let removed = ctx
        .write(move |conn| db::instance::remove_policy_entry(conn, &lookup))
        .await?;
    if !removed {
        return Err(Error::not_found(format_args!(
            "instance `{host}` on the lists"
        )));
    }
    reload(ctx).await
}

/// Rebuilds the policy in force if the stored lists changed since it was built (by another
/// process: this one rebuilds at once). One indexed read when nothing changed. Answers whether
/// it rebuilt.
pub async fn refresh(ctx: &AppContext) -> Result<bool> {
    let stored = ctx
        .db(|conn| db::instance::version(conn, db::instance::POLICY_VERSION))
        .await?;
    if stored == ctx.policy_version() {
        return Ok(false);
    }
    reload(ctx).await?;
    Ok(true)
}

/// Rebuilds the policy in force from the settings and the stored entries. Reading the entries
/// and replacing the policy happen under the write lock, so that of two concurrent changes the
/// one that reads last (and so sees both) also writes last. The version is read before the
/// entries: entries newer than it only cause one more rebuild.
async fn reload(ctx: &AppContext) -> Result<()> {
    let (settings, policy) = (ctx.settings().clone(), ctx.instance_policy());
    let version = ctx
        .db(move |conn| {
            let mut in_force = policy.write().unwrap_or_else(PoisonError::into_inner);
            let version = db::instance::version(conn, db::instance::POLICY_VERSION)?;
            *in_force = compile(&settings, &policy_entries(conn)?);
            Ok(version)
        })
        .await?;
    ctx.set_policy_version(version);
    Ok(())
}
