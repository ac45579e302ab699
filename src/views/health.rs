//! The health figures a viewer may read: a community's to its moderators (and this instance's
//! administrators, as the read gate's `moderates` decides; 403 to everyone else), the instance's
//! to its administrators. Always the newest daily snapshot (`db::health`), never counted live:
//! a page costs one indexed read whatever the community's size.

use crate::{
    context::AppContext,
    db::{self, communities::Community, health::Scope},
    domain::health::Figures,
    error::{Error, Result},
    views::gate::Viewer,
};

/// A snapshot: the day it was taken and its figures.
pub struct Snapshot {
    pub day: String,
    pub figures: Figures,
}

/// The newest snapshot of `community`, for its moderators; `None` before the first one.
pub async fn community(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
) -> Result<Option<Snapshot>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        latest(conn, Scope::Community(community.id))
    })
    .await
}

/// The newest snapshot of the whole instance, for its administrators.
pub async fn instance(ctx: &AppContext, viewer: Viewer) -> Result<Option<Snapshot>> {
    if !viewer.is_admin() {
        return Err(Error::forbidden(
            "only administrators see the instance's figures",
        ));
    }
    ctx.db(|conn| latest(conn, Scope::Instance)).await
}

fn latest(conn: &mut db::DbConn, scope: Scope) -> Result<Option<Snapshot>> {
    Ok(db::health::latest(conn, scope)?.map(|(day, figures)| Snapshot { day, figures }))
}
