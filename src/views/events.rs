//! Events as a viewer sees them, through the read gate: one event with its answers (names only
//! to the community's members), and a community's upcoming or past events. The online link is
//! shown to everyone only when the organizers made it public, else to people going and to the
//! organizers.

use super::gate::{Gate, State, Target, Viewer};
use crate::{
    context::AppContext,
    db::{self, communities::Community, events::Event, posts::Post, DbConn},
    domain::{
        communities::Role,
        events::{JoinMode, RsvpState},
        names,
    },
    error::{Error, ErrorKind, Result},
};

/// One person's answer, as shown.
#[derive(Debug, Clone)]
pub struct Answer {
    pub person_id: i64,
    /// `name` for a local person, `name@host` for a remote one.
    pub handle: String,
    pub state: RsvpState,
    /// Recorded as having come.
    pub attended: bool,
}

/// An event as one viewer sees it.
pub struct EventRead {
    pub post: Post,
    pub community: Community,
    pub event: Event,
    pub author_handle: String,
    /// The viewer's own answer.
    pub mine: Option<RsvpState>,
    /// Whether the viewer organizes it (author, named organizer, moderator).
    pub organizes: bool,
    /// Whether the viewer belongs to the community (and so sees who answered).
    pub member: bool,
    pub going: i64,
    pub waitlisted: i64,
    pub pending: i64,
    /// Everyone's answers, for members; empty for others.
    pub answers: Vec<Answer>,
    /// The online link when the viewer may see it.
    pub online_url: Option<String>,
    /// Whether it has begun (notes and attendance may be recorded).
    pub started: bool,
    /// How many were recorded as having come.
    pub attended: i64,
}

impl EventRead {
    pub fn join_mode(&self) -> JoinMode {
        JoinMode::parse(&self.event.join_mode).unwrap_or(JoinMode::Free)
    }

    /// The person who answered as `handle` (as `answers` names them), or 400 on `field`.
    pub fn answered(&self, field: &str, handle: &str) -> Result<i64> {
        self.answers
            .iter()
            .find(|a| a.handle == handle)
            .map(|a| a.person_id)
            .ok_or_else(|| {
                Error::invalid_field(field, format_args!("{handle} has not answered this event"))
            })
    }
}

/// The event `id` as `viewer` sees it (the gate's 404 when missing or hidden).
pub async fn read_by_id(ctx: &AppContext, viewer: Viewer, id: i64) -> Result<EventRead> {
    let (gate, host) = (ctx.gate().clone(), ctx.settings().hostname.clone());
    ctx.db(move |conn| read(conn, &gate, &viewer, &host, id))
        .await?
        .ok_or_else(|| Error::not_found("event"))
}

fn handle(ctx_host: &str, name: &str, ap_id: &str, local: bool) -> String {
    match (local, url::Url::parse(ap_id)) {
        (false, Ok(url)) => names::handle(name, &url, ctx_host),
        _ => name.to_string(),
    }
}

/// Event `post_id` for `viewer` (None when missing or hidden). Statements: fixed.
pub fn read(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    host: &str,
    post_id: i64,
) -> Result<Option<EventRead>> {
    let found = match gate.content(conn, Target::Post(post_id), State::Visible, viewer) {
        Ok(found) => found,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(event) = db::events::get(conn, post_id)? else {
        return Ok(None);
    };
    let role: Option<Role> = match viewer.person_id() {
        Some(p) => db::communities::role_of(conn, found.community.id, p)?,
        None => None,
    };
    let author = db::accounts::person_by_id(conn, found.post.author_id)?;
    let author_handle = author
        .map(|a| handle(host, &a.name, a.ap_id.as_str(), a.local))
        .unwrap_or_default();
    let all = db::events::answers(conn, post_id)?;
    let came = db::events::attended(conn, post_id)?;
    let organizers = db::events::organizers(conn, post_id)?;
    let me = viewer.person_id();
    let mine = all
        .iter()
        .find(|(r, ..)| Some(r.person_id) == me)
        .and_then(|(r, ..)| r.state());
    let organizes = me.is_some_and(|p| p == found.post.author_id || organizers.contains(&p))
        || role.is_some_and(Role::moderates)
        || (viewer.is_admin() && found.community.local);
    let member = role.is_some() || viewer.is_admin();
    let count = |s: RsvpState| all.iter().filter(|(r, ..)| r.state() == Some(s)).count() as i64;
    let (going, waitlisted, pending) = (
        count(RsvpState::Going),
        count(RsvpState::Waitlisted),
        count(RsvpState::Pending),
    );
    let going = match found.community.local {
        true => going,
        false => going.max(event.participant_count),
    };
    let answers = match member {
        true => all
            .iter()
            .filter_map(|(r, name, ap_id, local)| {
                Some(Answer {
                    person_id: r.person_id,
                    handle: handle(host, name, ap_id, *local),
                    state: r.state()?,
                    attended: came.contains(&r.person_id),
                })
            })
            .collect(),
        false => vec![],
    };
    let sees_link = event.online_url_public || organizes || mine == Some(RsvpState::Going);
    let online_url = Some(event.online_url.clone()).filter(|u| sees_link && !u.is_empty());
    let started = event.starts_at <= crate::domain::events::now();
    Ok(Some(EventRead {
        post: found.post,
        community: found.community,
        event,
        author_handle,
        mine,
        organizes,
        member,
        going,
        waitlisted,
        pending,
        answers,
        online_url,
        started,
        attended: came.len() as i64,
    }))
}

/// A community's events for `viewer`: upcoming (soonest first) or past (latest first). None when
/// the viewer may not read the community's content.
pub fn in_community(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    upcoming: bool,
    limit: i64,
) -> Result<Option<Vec<(Post, Event)>>> {
    if !gate.sight(conn, viewer, community)?.content {
        return Ok(None);
    }
    let now = crate::domain::events::now();
    db::events::in_community(conn, community.id, upcoming, now, limit).map(Some)
}
