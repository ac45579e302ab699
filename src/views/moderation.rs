//! What a community's moderators read: its reports, open invitations and pending applications,
//! each behind the read gate's moderator check (`Gate::moderates`).

use super::gate::Viewer;
use crate::{
    context::AppContext,
    db::{self, accounts::Person, communities::Community, members, moderation::Report},
    error::Result,
};

/// A community's reports, newest first; open ones unless `all`.
pub async fn reports(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
    all: bool,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<(Report, Person)>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        db::moderation::reports(conn, community.id, all, before_id, limit)
    })
    .await
}

/// Open invitations, with when each was sent.
pub async fn invitations(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
) -> Result<Vec<(chrono::NaiveDateTime, Person)>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        db::moderation::invitations(conn, community.id)
    })
    .await
}

/// Pending applications (with their answers), by person id.
pub async fn applications(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(members::Membership, Person)>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        members::list(conn, community.id, members::PENDING, after, limit)
    })
    .await
}
