//! Library pages: a local community's new page or saved revision, as the Group's own
//! `Create(Article)` / `Update(Article)` announced by it to its members' instances. Saves queued
//! before planning collapse into one: a change whose page has moved past its revision sends
//! nothing (the later save's change carries the latest revision), so a burst of saves goes out
//! as one `Update` of the latest text.

use super::{announce, community, send, Plan};
use crate::{
    db,
    domain::changes::Change,
    error::Error,
    federation::{
        activities::{announce::Announced, library::PageActivity},
        objects::page,
    },
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    let Change::PageSaved { page_id, revision } = change else {
        return Ok(());
    };
    let Some(found) = data
        .db(move |conn| db::library::by_id(conn, page_id))
        .await?
    else {
        tracing::info!("outbox: page {page_id} is gone; its activity is not sent");
        return Ok(());
    };
    if found.revision > revision {
        tracing::debug!("outbox: page {page_id} revision {revision} is carried by a later save");
        return Ok(());
    }
    let Some(community) = community(data, found.community_id).await? else {
        return Ok(());
    };
    if !community.local {
        return Ok(());
    }
    let c = community.clone();
    let (article, inboxes) = data
        .db(move |conn| {
            let article = page::article(conn, &found, &c)?;
            Ok((article, db::members::remote_member_inboxes(conn, c.id)?))
        })
        .await?;
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let kind = match revision {
        1 => "create",
        _ => "update",
    };
    let id = Url::parse(&data.new_activity_id(kind))?;
    let activity = PageActivity::by_group(&community, article, id);
    let wrapped = announce(&community, Announced::Page(Box::new(activity)), data)?;
    send(wrapped, &community, inboxes, data).await
}
