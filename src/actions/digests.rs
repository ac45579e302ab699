//! Digest choices: a member's default frequency, local hour and time zone; their frequency for
//! one community; turning digests off (one community's, or all: what an unsubscribe link does);
//! and a community owner's choice to publish its weekly digest to the fediverse.

use crate::{
    context::AppContext,
    db::{self, accounts::Account, communities::Community, DbConn},
    domain::{
        communities::Role,
        digests::{parse_hour, Frequency},
        events::parse_zone,
    },
    error::{Error, ErrorKind, Result},
};

/// A member's default digest choice as a form or the API gives it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DigestChoice {
    /// `off`, `daily`, `weekly` or `monthly`.
    pub frequency: String,
    /// The local hour digests come at, 0 to 23.
    pub hour: i64,
    /// An IANA zone such as `Europe/Berlin`; empty for the instance's `default_timezone`.
    #[serde(default)]
    pub timezone: String,
}

/// Saves `account`'s default digest choice.
pub async fn choose(ctx: &AppContext, account: &Account, choice: DigestChoice) -> Result<()> {
    let frequency = Frequency::parse_field("frequency", &choice.frequency)?;
    let hour = parse_hour(choice.hour)?;
    let zone = choice.timezone.trim().to_string();
    let timezone = match zone.is_empty() {
        true => None,
        false => Some(parse_zone(&zone)?.name().to_string()),
    };
    let user = account.user.id;
    ctx.write(move |conn| {
        db::digests::save_settings(conn, user, frequency.as_str(), hour, timezone.as_deref())
    })
    .await
}

/// Sets `account`'s frequency for `community` (`default`: the member's default applies). Only
/// for a community the account belongs to (409 `not_a_member` otherwise).
pub async fn choose_for_community(
    ctx: &AppContext,
    account: &Account,
    community: &Community,
    frequency: &str,
) -> Result<()> {
    let frequency = match frequency.trim() {
        "default" | "" => None,
        other => Some(Frequency::parse_field("frequency", other)?),
    };
    let (user, person, community_id) = (account.user.id, account.person.id, community.id);
    ctx.write(move |conn| {
        if db::communities::role_of(conn, community_id, person)?.is_none() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "not_a_member",
                "digests come only for communities you belong to",
            ));
        }
        db::digests::set_override(conn, user, community_id, frequency.map(Frequency::as_str))
    })
    .await
}

/// Whether digests are off for `local_user_id`: of one community (`Some`: its own choice is
/// off, or it has none and the default is off), or all of them (`None`: the default is off and
/// no community is chosen on).
pub fn is_off(conn: &mut DbConn, local_user_id: i64, community_id: Option<i64>) -> Result<bool> {
    let off = Frequency::Off.as_str();
    let default_off =
        db::digests::settings_of(conn, local_user_id)?.is_some_and(|(f, ..)| f == off);
    let overrides = db::digests::overrides_of(conn, local_user_id)?;
    Ok(match community_id {
        Some(c) => match overrides.iter().find(|(id, _)| *id == c) {
            Some((_, f)) => f == off,
            None => default_off,
        },
        None => default_off && overrides.iter().all(|(_, f)| f == off),
    })
}

/// Turns digests off for `local_user_id`: of one community (`Some`), or every digest (`None`:
/// the default becomes `off` and every per-community choice is forgotten). Runs in the caller's
/// transaction: the one-click unsubscribe (`mail::unsubscribe`) calls it with its token check.
pub fn unsubscribe(conn: &mut DbConn, local_user_id: i64, community_id: Option<i64>) -> Result<()> {
    match community_id {
        Some(community) => db::digests::set_override(
            conn,
            local_user_id,
            community,
            Some(Frequency::Off.as_str()),
        ),
        None => {
            let (hour, zone) = match db::digests::settings_of(conn, local_user_id)? {
                Some((_, hour, zone)) => (hour, zone),
                None => (
                    i32::try_from(crate::domain::digests::DEFAULT_HOUR).unwrap_or(8),
                    None,
                ),
            };
            db::digests::save_settings(
                conn,
                local_user_id,
                Frequency::Off.as_str(),
                hour,
                zone.as_deref(),
            )?;
            db::digests::clear_overrides(conn, local_user_id)
        }
    }
}

/// The owner (or an admin of this instance) turns the federated digest of a local, public
/// community on or off.
pub async fn set_federated(
    ctx: &AppContext,
    account: &Account,
    community: &Community,
    federate: bool,
) -> Result<()> {
    if !community.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "remote_community",
            "a community's digest is published by its own instance",
        ));
    }
    if federate && community.visibility() != crate::domain::communities::Visibility::Public {
        return Err(Error::invalid_field(
            "federate",
            "a private community's digest is never published",
        ));
    }
    let (person, is_admin, id) = (account.person.id, account.user.is_admin, community.id);
    ctx.write(move |conn| {
        let role = db::communities::role_of(conn, id, person)?;
        if role != Some(Role::Owner) && !is_admin {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "not_the_owner",
                "only the community's owner chooses whether its digest is published",
            ));
        }
        db::digests::set_federates(conn, id, federate)
    })
    .await
}
