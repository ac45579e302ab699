//! What a digest shows one reader, through the read gate: for each of their communities the
//! reader may read, the threads started in the period, the most active threads, the threads
//! still without a reply, and the meetings of the coming period with the reader's own answer
//! and an `.ics` link. A community's part that does not depend on the reader (its
//! [`Roundup`]) is read once per community and period and kept in a [`Roundups`] cache for a
//! whole run, so a run's cost grows with the number of communities and not with the members;
//! the gate is still asked for every reader and community.

use super::gate::{Gate, Viewer};
use crate::{
    config::Settings,
    db::{self, communities::Community, events::Event, posts::Post, DbConn},
    domain::{
        digests::{Frequency, Period, Preferences},
        events::{when_line, EventStatus, RsvpState},
    },
    error::Result,
};
use chrono::NaiveDateTime;
use std::{collections::HashMap, sync::Arc};

/// How many threads each list shows, and meetings.
const LIST: i64 = 10;
const ACTIVE: i64 = 5;
const MEETINGS: i64 = 10;

/// A thread as a digest lists it.
#[derive(Debug, Clone)]
pub struct ThreadLine {
    pub title: String,
    pub url: String,
    /// Comments written in the period (most active threads only).
    pub comments: i64,
}

/// A library page created or saved in the period.
#[derive(Debug, Clone)]
pub struct PageLine {
    pub title: String,
    pub url: String,
    /// Created in the period (else: updated).
    pub new: bool,
}

/// A meeting of the coming period.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub post_id: i64,
    pub title: String,
    pub url: String,
    /// Its iCalendar file, to add it to one's calendar.
    pub ics: String,
    /// "Thu 12 Mar 2026, 19:00 CET (Europe/Berlin), The Hall, online".
    pub when: String,
}

/// One community's part of a period's digest, the same for every reader.
#[derive(Debug, Clone)]
pub struct Roundup {
    pub name: String,
    pub title: String,
    pub url: String,
    pub new_threads: Vec<ThreadLine>,
    pub most_active: Vec<ThreadLine>,
    pub unanswered: Vec<ThreadLine>,
    pub meetings: Vec<Meeting>,
    /// New and updated library pages, most recently saved first.
    pub pages: Vec<PageLine>,
}

impl Roundup {
    /// Nothing happened and nothing is coming: the community is left out of the digest (and a
    /// digest left with no community is not sent). Threads still without a reply are shown
    /// beside news, but are not news on their own.
    pub fn is_empty(&self) -> bool {
        self.new_threads.is_empty()
            && self.most_active.is_empty()
            && self.meetings.is_empty()
            && self.pages.is_empty()
    }
}

/// A meeting with the reader's answer.
#[derive(Debug, Clone)]
pub struct MeetingFor {
    pub meeting: Meeting,
    pub mine: Option<RsvpState>,
}

impl MeetingFor {
    /// "going", "not answered yet", …
    pub fn answer(&self) -> &'static str {
        self.mine.map_or("not answered yet", RsvpState::label)
    }
}

/// One community as one reader's digest shows it.
#[derive(Debug, Clone)]
pub struct Section {
    pub community_id: i64,
    pub roundup: Arc<Roundup>,
    pub meetings: Vec<MeetingFor>,
}

/// The communities and roundups read so far in one run (bounded by the communities and the
/// distinct periods, not by the readers).
#[derive(Default)]
pub struct Roundups {
    communities: HashMap<i64, Option<Community>>,
    roundups: HashMap<(i64, NaiveDateTime, NaiveDateTime), Arc<Roundup>>,
}

impl Roundups {
    fn community(&mut self, conn: &mut DbConn, id: i64) -> Result<Option<Community>> {
        if let Some(found) = self.communities.get(&id) {
            return Ok(found.clone());
        }
        let found = db::communities::by_id(conn, id)?;
        self.communities.insert(id, found.clone());
        Ok(found)
    }

    /// A community's roundup for `period` (read once, then kept).
    fn roundup(
        &mut self,
        conn: &mut DbConn,
        settings: &Settings,
        community: &Community,
        period: &Period,
    ) -> Result<Arc<Roundup>> {
        let key = (community.id, period.since, period.until);
        if let Some(found) = self.roundups.get(&key) {
            return Ok(found.clone());
        }
        let read = Arc::new(read(conn, settings, community, period)?);
        self.roundups.insert(key, read.clone());
        Ok(read)
    }
}

fn line(settings: &Settings, post: &Post, comments: i64) -> ThreadLine {
    ThreadLine {
        title: post.title.clone(),
        url: settings.url(&format!("/post/{}", post.id)),
        comments,
    }
}

/// Reads a community's roundup for `period` (no gate: callers ask it first).
fn read(
    conn: &mut DbConn,
    settings: &Settings,
    community: &Community,
    period: &Period,
) -> Result<Roundup> {
    let (since, until) = (period.since, period.until);
    let new_threads = db::digests::new_threads(conn, community.id, since, until, LIST)?;
    let active = db::digests::most_active(conn, community.id, since, until, ACTIVE)?;
    let ids: Vec<i64> = active.iter().map(|(id, _)| *id).collect();
    let posts: HashMap<i64, Post> = db::digests::threads_by_ids(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let most_active = active
        .iter()
        .filter_map(|(id, n)| posts.get(id).map(|p| line(settings, p, *n)))
        .collect();
    let unanswered = db::digests::unanswered(conn, community.id, since, until, ACTIVE)?;
    // Meetings of the coming period: as long ahead as the period is long.
    let horizon = until + (until - since);
    let meetings = db::events::in_community(conn, community.id, true, until, MEETINGS)?
        .into_iter()
        .filter(|(_, e): &(Post, Event)| e.starts_at < horizon)
        .filter(|(_, e)| e.status() != EventStatus::Cancelled)
        .map(|(p, e)| Meeting {
            post_id: p.id,
            title: p.title.clone(),
            url: settings.url(&format!("/events/{}", p.id)),
            ics: settings.url(&format!("/events/{}.ics", p.id)),
            when: when_line(
                e.starts_at,
                &e.timezone,
                &e.place_name,
                !e.online_url.is_empty(),
                e.status(),
            ),
        })
        .collect();
    let pages = db::digests::saved_pages(conn, community.id, since, until, LIST)?
        .into_iter()
        .map(|p| PageLine {
            url: settings.url(&format!("/c/{}/library/{}", community.name, p.slug)),
            new: p.created_at >= since,
            title: p.title,
        })
        .collect();
    Ok(Roundup {
        name: community.name.clone(),
        title: community.title.clone(),
        url: settings.url(&format!("/c/{}", community.name)),
        new_threads: new_threads.iter().map(|p| line(settings, p, 0)).collect(),
        most_active,
        unanswered: unanswered.iter().map(|p| line(settings, p, 0)).collect(),
        meetings,
        pages,
    })
}

/// The sections of `viewer`'s digest for `period` over `communities`: those the viewer may read
/// (the gate decides, for each) and where something happened. Empty: no digest.
pub fn for_reader(
    conn: &mut DbConn,
    gate: &Gate,
    settings: &Settings,
    viewer: &Viewer,
    communities: &[i64],
    period: &Period,
    cache: &mut Roundups,
) -> Result<Vec<Section>> {
    let mut sections = Vec::new();
    for &id in communities {
        let Some(community) = cache.community(conn, id)? else {
            continue;
        };
        if !gate.sight(conn, viewer, &community)?.content {
            continue;
        }
        let roundup = cache.roundup(conn, settings, &community, period)?;
        if roundup.is_empty() {
            continue;
        }
        sections.push(Section {
            community_id: id,
            roundup,
            meetings: Vec::new(),
        });
    }
    let events: Vec<i64> = sections
        .iter()
        .flat_map(|s| s.roundup.meetings.iter().map(|m| m.post_id))
        .collect();
    let answers: HashMap<i64, RsvpState> = match (viewer.person_id(), events.is_empty()) {
        (Some(person), false) => db::digests::rsvps_of(conn, person, &events)?
            .into_iter()
            .filter_map(|(id, state)| Some((id, RsvpState::parse(&state)?)))
            .collect(),
        _ => HashMap::new(),
    };
    for section in &mut sections {
        section.meetings = section
            .roundup
            .meetings
            .iter()
            .map(|m| MeetingFor {
                meeting: m.clone(),
                mine: answers.get(&m.post_id).copied(),
            })
            .collect();
    }
    Ok(sections)
}

/// A community's roundup for `period` as anyone may read it (the federated digest, published
/// to the public): None when the gate refuses an anonymous reader (a private community) or
/// nothing happened.
pub fn public_roundup(
    conn: &mut DbConn,
    gate: &Gate,
    settings: &Settings,
    community: &Community,
    period: &Period,
) -> Result<Option<Roundup>> {
    if !gate.sight(conn, &Viewer::anonymous(), community)?.content {
        return Ok(None);
    }
    let roundup = read(conn, settings, community, period)?;
    Ok(Some(roundup).filter(|r| !r.is_empty()))
}

/// A member's digest choices: their default and, for each community they belong to, its own
/// frequency if they chose one.
pub struct Choices {
    pub preferences: Preferences,
    pub communities: Vec<(Community, Option<Frequency>)>,
}

/// `local_user_id`'s choices (`person_id` is the account's person), over the instance's zone.
pub fn choices(
    conn: &mut DbConn,
    default_zone: &str,
    local_user_id: i64,
    person_id: i64,
) -> Result<Choices> {
    let zone = default_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let stored = db::digests::settings_of(conn, local_user_id)?;
    let preferences = Preferences::of(
        stored
            .as_ref()
            .map(|(f, h, z)| (f.as_str(), *h, z.as_deref())),
        zone,
    );
    let chosen: HashMap<i64, Frequency> = db::digests::overrides_of(conn, local_user_id)?
        .into_iter()
        .filter_map(|(c, f)| Some((c, Frequency::parse(&f)?)))
        .collect();
    let communities = db::communities::memberships_of(conn, person_id)?
        .into_iter()
        .filter(|(_, state)| state == db::members::ACTIVE)
        .map(|(c, _)| {
            let f = chosen.get(&c.id).copied();
            (c, f)
        })
        .collect();
    Ok(Choices {
        preferences,
        communities,
    })
}

/// Whether a community publishes its weekly digest.
pub fn federates(conn: &mut DbConn, community_id: i64) -> Result<bool> {
    db::digests::federates(conn, community_id)
}

/// A member's own frequency for one community (None: their default applies).
pub fn community_choice(
    conn: &mut DbConn,
    local_user_id: i64,
    community_id: i64,
) -> Result<Option<Frequency>> {
    Ok(db::digests::overrides_of(conn, local_user_id)?
        .into_iter()
        .find(|(c, _)| *c == community_id)
        .and_then(|(_, f)| Frequency::parse(&f)))
}

/// The latest weekly digest a remote community sent, as its page here shows it: (title,
/// sanitized HTML). Only to those who may read the community's content.
pub fn received(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<(String, String)>> {
    if community.local || !gate.sight(conn, viewer, community)?.content {
        return Ok(None);
    }
    Ok(db::digests::received(conn, community.id)?.map(|(_, name, html, _)| (name, html)))
}
