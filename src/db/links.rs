//! Typed links between communities: `community_links` (a local community's, set by its owners;
//! a remote one's, as its Group declares them), read with the linked community and whether it
//! links back.

use super::{
    communities::Community,
    now,
    schema::{communities, community_links},
    DbConn,
};
use crate::{
    domain::links::{Link, Relation},
    error::Result,
};
use diesel::prelude::*;

/// One link of a community: the linked community, and the relation it declares back, if any.
#[derive(Debug, Clone)]
pub struct LinkedCommunity {
    pub relation: Relation,
    pub target: Community,
    pub back: Option<Relation>,
}

/// A community's links with their targets, grouped by relation then by target name; and what each
/// target declares back to the community. Two statements.
pub fn of(conn: &mut DbConn, community_id: i64) -> Result<Vec<LinkedCommunity>> {
    let rows: Vec<(String, Community)> = community_links::table
        .inner_join(communities::table.on(communities::id.eq(community_links::target_id)))
        .filter(community_links::community_id.eq(community_id))
        .order((
            community_links::relation,
            communities::name,
            communities::id,
        ))
        .select((community_links::relation, Community::as_select()))
        .load(conn)?;
    let targets: Vec<i64> = rows.iter().map(|(_, c)| c.id).collect();
    let back: Vec<(i64, String)> = community_links::table
        .filter(community_links::target_id.eq(community_id))
        .filter(community_links::community_id.eq_any(&targets))
        .select((community_links::community_id, community_links::relation))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(relation, target)| {
            let back = back
                .iter()
                .find(|(from, _)| *from == target.id)
                .and_then(|(_, r)| Relation::parse(r));
            Some(LinkedCommunity {
                relation: Relation::parse(&relation)?,
                target,
                back,
            })
        })
        .collect())
}

/// The links a new link of `community_id` is checked against: all of its own, and every
/// parent/child link known here (local and declared by remote Groups).
pub fn for_check(conn: &mut DbConn, community_id: i64) -> Result<Vec<Link>> {
    let family = [Relation::Parent.as_str(), Relation::Child.as_str()];
    let rows: Vec<(i64, String, i64)> = community_links::table
        .filter(
            community_links::community_id
                .eq(community_id)
                .or(community_links::relation.eq_any(family)),
        )
        .select((
            community_links::community_id,
            community_links::relation,
            community_links::target_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(from, relation, to)| {
            Some(Link {
                from,
                relation: Relation::parse(&relation)?,
                to,
            })
        })
        .collect())
}

pub fn insert(conn: &mut DbConn, link: Link) -> Result<()> {
    diesel::insert_into(community_links::table)
        .values((
            community_links::community_id.eq(link.from),
            community_links::target_id.eq(link.to),
            community_links::relation.eq(link.relation.as_str()),
            community_links::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Removes the link from `community_id` to `target_id`; false when there was none.
pub fn delete(conn: &mut DbConn, community_id: i64, target_id: i64) -> Result<bool> {
    let n = diesel::delete(community_links::table.find((community_id, target_id))).execute(conn)?;
    Ok(n > 0)
}

/// Replaces a remote community's declared links with `declared` (target ap_ids): those whose
/// target is not known here are left out, as are links to itself and repeated targets.
pub fn replace_declared(
    conn: &mut DbConn,
    community_id: i64,
    declared: &[(Relation, String)],
) -> Result<()> {
    let ids: Vec<&str> = declared.iter().map(|(_, id)| id.as_str()).collect();
    let known: Vec<(i64, String)> = communities::table
        .filter(communities::ap_id.eq_any(&ids))
        .select((communities::id, communities::ap_id))
        .load(conn)?;
    let mut wanted: Vec<(i64, Relation)> = Vec::new();
    for (relation, ap_id) in declared {
        let Some((id, _)) = known.iter().find(|(_, a)| a == ap_id) else {
            continue;
        };
        if *id != community_id && !wanted.iter().any(|(t, _)| t == id) {
            wanted.push((*id, *relation));
        }
    }
    let stored: Vec<(i64, String)> = community_links::table
        .filter(community_links::community_id.eq(community_id))
        .select((community_links::target_id, community_links::relation))
        .load(conn)?;
    let same = stored.len() == wanted.len()
        && wanted
            .iter()
            .all(|(t, r)| stored.iter().any(|(s, sr)| s == t && sr == r.as_str()));
    if same {
        return Ok(());
    }
    diesel::delete(community_links::table.filter(community_links::community_id.eq(community_id)))
        .execute(conn)?;
    for (to, relation) in wanted {
        insert(
            conn,
            Link {
                from: community_id,
                relation,
                to,
            },
        )?;
    }
    Ok(())
}

/// The inboxes of the remote communities `community_id` links to (shared where advertised):
/// they hear of its profile changes, so that they can confirm or drop their side of a link.
pub fn remote_target_inboxes(conn: &mut DbConn, community_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = community_links::table
        .inner_join(communities::table.on(communities::id.eq(community_links::target_id)))
        .filter(community_links::community_id.eq(community_id))
        .filter(communities::local.eq(false))
        .select((communities::inbox_url, communities::shared_inbox_url))
        .load(conn)?;
    Ok(super::members::delivery_inboxes(rows))
}
