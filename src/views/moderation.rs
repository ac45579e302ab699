//! What a community's moderators read: its reports, open invitations, pending applications and
//! bans, each behind the read gate's moderator check (`Gate::moderates`), all of them at once for
//! the moderation page (`desk`); and the modlog, which everyone who may read the community reads.

use super::gate::Viewer;
use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Person,
        bans,
        communities::Community,
        members,
        moderation::{ModAction, Report},
    },
    domain::communities::Role,
    error::{Error, Result},
};
use std::collections::HashMap;

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

/// The calendars a community follows, oldest first (its moderators).
pub async fn calendars(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
) -> Result<Vec<(db::event_sources::EventSource, Person)>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        db::event_sources::in_community(conn, community.id)
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

/// One line of the modlog: the action, its moderator, and the person acted upon.
pub type ModlogLine = (ModAction, Person, Option<Person>);

/// A community's modlog, newest first, to those who may read its content (404 to others, as
/// the community's content is to them).
pub async fn modlog(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ModlogLine>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| {
        gate.sight(conn, &viewer, &community)?
            .or_else(|| Error::not_found("community"))?;
        modlog_lines(conn, community.id, before_id, limit)
    })
    .await
}

/// The modlog with the people acted upon (one query for all of them).
fn modlog_lines(
    conn: &mut db::DbConn,
    community_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ModlogLine>> {
    let rows = db::moderation::modlog(conn, community_id, before_id, limit)?;
    let ids: Vec<i64> = rows.iter().filter_map(|(a, _)| a.person_id).collect();
    let people: HashMap<i64, Person> = db::accounts::persons_by_ids(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(a, m)| {
            let person = a.person_id.and_then(|id| people.get(&id).cloned());
            (a, m, person)
        })
        .collect())
}

/// How many lines of each list the moderation page loads (one more tells that there are more).
pub const DESK_LIMIT: i64 = 50;

/// What a reported post or comment is here, for a link to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Post(i64),
    Comment(i64),
}

/// Everything on a community's moderation page, read at once behind one moderator check. Each
/// list holds up to `DESK_LIMIT + 1` lines (the modlog up to `DESK_LIMIT`).
pub struct Desk {
    /// Pending applications with their answers, oldest first.
    pub applications: Vec<(members::Membership, Person)>,
    pub invitations: Vec<(chrono::NaiveDateTime, Person)>,
    /// Open reports, newest first, with their reporters and what they are about.
    pub reports: Vec<(Report, Person, Option<Reported>)>,
    /// Bans in force, newest first.
    pub bans: Vec<(bans::Ban, Person)>,
    /// Owner first.
    pub moderators: Vec<(Role, Person)>,
    pub modlog: Vec<ModlogLine>,
    /// The calendars the community follows (`actions::event_sources`), oldest first.
    pub calendars: Vec<(db::event_sources::EventSource, Person)>,
}

/// A community's moderation page, for its moderators (and this instance's admins, for a local
/// community); 403 `not_a_moderator` to everyone else.
pub async fn desk(ctx: &AppContext, viewer: Viewer, community: Community) -> Result<Desk> {
    let gate = ctx.gate().clone();
    let cap = DESK_LIMIT + 1;
    ctx.db(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        let id = community.id;
        let reports = db::moderation::reports(conn, id, false, None, cap)?;
        let objects: Vec<String> = reports
            .iter()
            .map(|(r, _)| r.object_ap_id.clone())
            .collect();
        let (posts, comments) = db::posts::ids_by_ap_ids(conn, &objects)?;
        let mut found: HashMap<String, Reported> = HashMap::new();
        found.extend(posts.into_iter().map(|(ap, id)| (ap, Reported::Post(id))));
        found.extend(
            comments
                .into_iter()
                .map(|(ap, id)| (ap, Reported::Comment(id))),
        );
        Ok(Desk {
            applications: members::list(conn, id, members::PENDING, None, cap)?,
            invitations: db::moderation::invitations(conn, id)?,
            reports: reports
                .into_iter()
                .map(|(r, p)| {
                    let object = found.get(&r.object_ap_id).copied();
                    (r, p, object)
                })
                .collect(),
            bans: bans::bans(conn, id, cap)?,
            moderators: db::communities::moderators_with_roles(conn, id)?,
            modlog: modlog_lines(conn, id, None, DESK_LIMIT)?,
            calendars: db::event_sources::in_community(conn, id)?,
        })
    })
    .await
}
