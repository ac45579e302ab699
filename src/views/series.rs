//! Meeting series as a viewer sees them, through the read gate of their community: one series
//! with its occurrences (removed and deleted ones left out), and a community's series.

use super::gate::{Gate, Viewer};
use crate::{
    context::AppContext,
    db::{self, communities::Community, events::Event, posts::Post, series::Series, DbConn},
    domain::communities::Role,
    error::{Error, Result},
};

/// A series as one viewer sees it.
pub struct SeriesRead {
    pub series: Series,
    pub community: Community,
    /// Its occurrences by start, past and future.
    pub occurrences: Vec<(Post, Event)>,
    /// Whether the viewer may change it (its author or a moderator).
    pub may_edit: bool,
}

/// Series `id` for `viewer` (None when missing or hidden).
pub fn read(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<SeriesRead>> {
    let Some(series) = db::series::get(conn, id)? else {
        return Ok(None);
    };
    let Some(community) = db::communities::by_id(conn, series.community_id)? else {
        return Ok(None);
    };
    let sight = gate.sight(conn, viewer, &community)?;
    if !sight.content {
        return Ok(None);
    }
    let may_edit = viewer.person_id() == Some(series.author_id)
        || sight.role.is_some_and(Role::moderates)
        || viewer.is_admin();
    let occurrences = db::series::occurrences(conn, id)?
        .into_iter()
        .filter(|(p, _)| !p.deleted && !p.removed)
        .collect();
    Ok(Some(SeriesRead {
        series,
        community,
        occurrences,
        may_edit,
    }))
}

/// Series `id` for `viewer`, or 404.
pub async fn read_by_id(ctx: &AppContext, viewer: Viewer, id: i64) -> Result<SeriesRead> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| read(conn, &gate, &viewer, id))
        .await?
        .ok_or_else(|| Error::not_found("series"))
}

/// A community's series (None when the viewer may not read the community).
pub fn in_community(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<Vec<Series>>> {
    if !gate.sight(conn, viewer, community)?.content {
        return Ok(None);
    }
    db::series::in_community(conn, community.id).map(Some)
}
