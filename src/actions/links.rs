//! Typed links between communities: an owner links their local community to another (local, or
//! remote by handle or URL, fetched fresh so that its side of the link is current) or removes a
//! link. Each change is the community's `CommunityUpdated`, so its Group's new profile reaches its
//! members' instances and the remote communities it links to.

use crate::{
    context::RequestData,
    db::{self, accounts::Account, communities::Community, links::LinkedCommunity},
    domain::{
        changes::Change,
        links::{self as rules, Link, Relation},
    },
    error::{Error, Result},
};

/// Links the local community `name` to the community `target` names (a local name, `name@host`,
/// or the URL of a Group) as `relation`, if `owner` owns it. Answers the community's links.
pub async fn add(
    data: &RequestData,
    owner: &Account,
    name: String,
    target: &str,
    relation: Relation,
) -> Result<Vec<LinkedCommunity>> {
    let community = local(data, name).await?;
    let (id, person_id) = (community.id, owner.person.id);
    // Checked before fetching anything, and again in the write.
    let role = data
        .db(move |conn| db::communities::role_of(conn, id, person_id))
        .await?;
    rules::may_link(role)?;
    let target = find_target(data, target).await?;
    let link = Link {
        from: id,
        relation,
        to: target.id,
    };
    data.write(move |conn| {
        let role = db::communities::role_of(conn, id, person_id)?;
        rules::may_link(role)?;
        rules::check_new(link, &db::links::for_check(conn, id)?)?;
        db::links::insert(conn, link)?;
        changed(conn, id, person_id, None)?;
        db::links::of(conn, id)
    })
    .await
}

/// Removes the link from the local community `name` to the community `target` names (as stored
/// here: nothing is fetched), if `owner` owns it; 404 when there is no such link.
pub async fn remove(
    data: &RequestData,
    owner: &Account,
    name: String,
    target: String,
) -> Result<Vec<LinkedCommunity>> {
    let community = local(data, name).await?;
    let (id, person_id) = (community.id, owner.person.id);
    let host = data.settings().hostname.clone();
    data.write(move |conn| {
        let role = db::communities::role_of(conn, id, person_id)?;
        rules::may_link(role)?;
        let found = match target.starts_with("https://") || target.starts_with("http://") {
            true => db::communities::by_ap_id(conn, &target)?,
            false => {
                let reference = target.trim_start_matches(['!', '@']);
                db::communities::by_reference(conn, reference, &host)?
            }
        };
        let unlinked = match found {
            Some(t) if db::links::delete(conn, id, t.id)? => t,
            _ => return Err(Error::not_found(format_args!("a link to `{target}`"))),
        };
        changed(conn, id, person_id, Some(unlinked.id))?;
        db::links::of(conn, id)
    })
    .await
}

/// The links of a community, with what each target declares back.
pub async fn of(data: &RequestData, community_id: i64) -> Result<Vec<LinkedCommunity>> {
    data.db(move |conn| db::links::of(conn, community_id)).await
}

async fn local(data: &RequestData, name: String) -> Result<Community> {
    data.db(move |conn| {
        db::communities::local_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))
    })
    .await
}

/// The community a link names: local by name, else looked up (handle or URL) and, when remote,
/// fetched again so that what it declares back is current.
pub(crate) async fn find_target(data: &RequestData, target: &str) -> Result<Community> {
    let target = target.trim();
    if target.is_empty() {
        return Err(Error::invalid_field(
            "target",
            "a community's name, handle (name@host) or URL",
        ));
    }
    let by_url = target.starts_with("https://") || target.starts_with("http://");
    let look_up = || async {
        match by_url {
            true => super::communities::look_up(data, target).await,
            false => super::communities::find(data, target).await,
        }
    };
    // Once more on failure: the Group may have been stored by a delivery (its `Update`) while
    // this fetched it, and the second of two racing first stores fails.
    let found = match look_up().await {
        Ok(found) => found,
        Err(_) => look_up().await?,
    };
    if found.local {
        return Ok(found);
    }
    crate::federation::resolve::refreshed(data, found).await
}

/// Records a change of links as the community's update.
fn changed(
    conn: &mut db::DbConn,
    community_id: i64,
    editor_id: i64,
    unlinked_id: Option<i64>,
) -> Result<()> {
    db::outbox::emit(
        conn,
        &Change::CommunityUpdated {
            community_id,
            editor_id: Some(editor_id),
            unlinked_id,
        },
    )
}
