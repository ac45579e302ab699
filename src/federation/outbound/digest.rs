//! The federated digest: a local community's weekly round-up, read again through the read gate
//! as an anonymous reader (so only a public community's content), sent by the Group as
//! `Create(Article)` to its followers' instances.

use super::{community, send, Plan};
use crate::{
    db,
    domain::{changes::Change, digests::Frequency, digests::Period},
    error::Error,
    federation::activities::digest::CreateDigest,
    views,
};
use chrono::{Duration, NaiveDate};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    let Change::DigestPublished {
        community_id,
        period,
    } = change
    else {
        return Ok(());
    };
    let Some(community) = community(data, community_id).await? else {
        return Ok(());
    };
    let Some(until) = NaiveDate::parse_from_str(&period, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Ok(());
    };
    let week = Period {
        frequency: Frequency::Weekly,
        key: period.clone(),
        since: until - Duration::days(7),
        until,
    };
    let (gate, settings, c) = (
        data.gate().clone(),
        data.settings().clone(),
        community.clone(),
    );
    let found = data
        .db(move |conn| {
            let roundup = views::digests::public_roundup(conn, &gate, &settings, &c, &week)?;
            let inboxes = db::members::remote_member_inboxes(conn, c.id)?;
            Ok((roundup, inboxes))
        })
        .await?;
    let (Some(roundup), inboxes) = found else {
        return Ok(());
    };
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = Url::parse(&data.new_activity_id("create"))?;
    let create = CreateDigest::new(&community, &roundup, &period, id)?;
    send(create, &community, inboxes, data).await
}
