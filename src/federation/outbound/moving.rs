//! A local community's move: the old Group's `Move` to the instances of its remote members.

use super::{community, send, Plan};
use crate::{db, domain::changes::Change, error::Error, federation::activities::moving::Move};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    let Change::CommunityMoved {
        community_id,
        target,
    } = change
    else {
        return Ok(());
    };
    let Some(old) = community(data, community_id).await? else {
        return Ok(());
    };
    let inboxes: Vec<Url> = data
        .db(move |conn| db::members::remote_member_inboxes(conn, community_id))
        .await?
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = Url::parse(&data.new_activity_id("move"))?;
    let activity = Move::new(&old, Url::parse(&target)?, id)?;
    send(activity, &old, inboxes, data).await
}
