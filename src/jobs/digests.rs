//! Digests: every few minutes, finds the members whose digest is due at their local hour
//! (`domain::digests::due`), composes it through the read gate (`views::digests`) and queues it
//! in `mail_queue`, recording the period in `digest_runs` in the same transaction: a period's
//! digest is queued at most once, whatever the number of workers, and an empty one is recorded
//! and not sent. Members are walked in batches by id, so memory does not grow with their
//! number. Also publishes the weekly federated digest of the communities that chose it
//! (`federation::activities::digest`).
//!
//! One mail per member and frequency covers all their communities of that frequency (rather than
//! one mail per community): a peripheral member of five communities gets one weekly mail, not
//! five, and each community in it has its own "no more digests of …" link.

use crate::{
    context::AppContext,
    db::{self, digests::Recipient, DbConn},
    domain::{
        changes::Change,
        digests::{due, federated_week, Frequency, Period, Preferences},
    },
    error::Result,
    mail::templates::{self, Composed, DigestPart},
    mail::unsubscribe::Scope,
    views::{
        digests::{for_reader, public_roundup, Roundups},
        gate::Viewer,
    },
};
use chrono::{DateTime, Duration as Span, Utc};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

/// How often the job looks for due digests (a member's hour is met within this).
pub const EVERY: Duration = Duration::from_secs(300);
/// Members read and composed per transaction.
const BATCH: i64 = 500;

/// The one-click unsubscribe link of a digest: of one community (`Some`) or of every digest
/// (`mail::unsubscribe`; what it does is `actions::digests::unsubscribe`).
pub fn unsubscribe_link(
    ctx: &AppContext,
    local_user_id: i64,
    community_id: Option<i64>,
) -> Option<String> {
    let scope = match community_id {
        Some(community) => Scope::Digest(community),
        None => Scope::Digests,
    };
    Some(crate::mail::unsubscribe::link(ctx, local_user_id, scope))
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Accounts looked at.
    pub members: usize,
    /// Digests queued.
    pub queued: usize,
    /// Due digests with nothing to say: recorded, not sent.
    pub empty: usize,
    /// Due digests another run or worker had recorded first.
    pub already: usize,
}

/// The scheduled job: one run now.
pub async fn run(ctx: AppContext) -> Result<()> {
    run_at(&ctx, Utc::now()).await?;
    publish_federated(&ctx, Utc::now()).await?;
    Ok(())
}

/// A composed digest waiting to be recorded (and queued, unless empty).
struct Pending {
    local_user_id: i64,
    frequency: Frequency,
    period: String,
    to: String,
    mail: Option<Composed>,
}

/// Finds, composes and queues the digests due at `now` (a clock given, so tests choose it).
pub async fn run_at(ctx: &AppContext, now: DateTime<Utc>) -> Result<Report> {
    let mut report = Report::default();
    let mut after = 0;
    let mut cache = Roundups::default();
    loop {
        let ctx2 = ctx.clone();
        let (pending, last, looked, kept) = ctx
            .db(move |conn| {
                let mut cache = cache;
                let (pending, last, looked) = compose_batch(conn, &ctx2, after, now, &mut cache)?;
                Ok((pending, last, looked, cache))
            })
            .await?;
        cache = kept;
        report.members += looked;
        let Some(last) = last else { break };
        after = last;
        if pending.is_empty() {
            continue;
        }
        let (queued, empty, already) = ctx
            .write(move |conn| {
                let (mut queued, mut empty, mut already) = (0, 0, 0);
                for p in &pending {
                    let fresh = db::digests::record_run(
                        conn,
                        p.local_user_id,
                        p.frequency.as_str(),
                        &p.period,
                        p.mail.is_some(),
                    )?;
                    match (&p.mail, fresh) {
                        (_, false) => already += 1,
                        (None, true) => empty += 1,
                        (Some(mail), true) => {
                            db::mail::enqueue(conn, &p.to, mail)?;
                            queued += 1;
                        }
                    }
                }
                Ok((queued, empty, already))
            })
            .await?;
        if queued > 0 {
            ctx.mail_wakeup().notify_one();
        }
        report.queued += queued;
        report.empty += empty;
        report.already += already;
    }
    if report.queued > 0 || report.empty > 0 {
        tracing::info!(
            "digests: {} queued, {} empty, {} already done",
            report.queued,
            report.empty,
            report.already
        );
    }
    Ok(report)
}

/// Reads the batch of accounts after `after` and composes the digests due for them. Returns
/// them, the batch's last account id (None: no more accounts) and how many it looked at.
fn compose_batch(
    conn: &mut DbConn,
    ctx: &AppContext,
    after: i64,
    now: DateTime<Utc>,
    cache: &mut Roundups,
) -> Result<(Vec<Pending>, Option<i64>, usize)> {
    let settings = ctx.settings();
    let default_zone = settings
        .default_timezone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::Tz::UTC);
    let batch = db::digests::recipients_after(conn, after, BATCH)?;
    let Some(last) = batch.last().map(|r| r.local_user_id) else {
        return Ok((Vec::new(), None, 0));
    };
    let users: Vec<i64> = batch.iter().map(|r| r.local_user_id).collect();
    let people: Vec<i64> = batch.iter().map(|r| r.person_id).collect();
    let mut overrides: HashMap<i64, HashMap<i64, Frequency>> = HashMap::new();
    for (user, community, f) in db::digests::overrides_for(conn, &users)? {
        if let Some(f) = Frequency::parse(&f) {
            overrides.entry(user).or_default().insert(community, f);
        }
    }
    let mut memberships: HashMap<i64, Vec<i64>> = HashMap::new();
    for (person, community) in db::digests::memberships_for(conn, &people)? {
        memberships.entry(person).or_default().push(community);
    }
    // A month and a bit back covers every period that can still be due.
    let recent = now.naive_utc() - Span::days(40);
    let done: HashSet<(i64, String, String)> = db::digests::runs_for(conn, &users, recent)?
        .into_iter()
        .collect();
    let mut pending = Vec::new();
    for r in &batch {
        let prefs = Preferences::of(
            r.settings
                .as_ref()
                .map(|(f, h, z)| (f.as_str(), *h, z.as_deref())),
            default_zone,
        );
        let Some(mine) = memberships.get(&r.person_id) else {
            continue;
        };
        let chosen = overrides.get(&r.local_user_id);
        for frequency in Frequency::SENDING {
            let communities: Vec<i64> = mine
                .iter()
                .copied()
                .filter(|c| {
                    chosen
                        .and_then(|o| o.get(c))
                        .copied()
                        .unwrap_or(prefs.frequency)
                        == frequency
                })
                .collect();
            if communities.is_empty() {
                continue;
            }
            let Some(period) = due(frequency, prefs.hour, prefs.timezone, now) else {
                continue;
            };
            let key = (
                r.local_user_id,
                frequency.as_str().to_string(),
                period.key.clone(),
            );
            if done.contains(&key) {
                continue;
            }
            pending.push(compose(conn, ctx, r, &communities, &period, cache)?);
        }
    }
    Ok((pending, Some(last), batch.len()))
}

/// One member's digest for `period` over `communities` (None inside: nothing to say).
fn compose(
    conn: &mut DbConn,
    ctx: &AppContext,
    r: &Recipient,
    communities: &[i64],
    period: &Period,
    cache: &mut Roundups,
) -> Result<Pending> {
    let viewer = Viewer::person(r.person_id, r.is_admin);
    let sections = for_reader(
        conn,
        ctx.gate(),
        ctx.settings(),
        &viewer,
        communities,
        period,
        cache,
    )?;
    let mail = match sections.is_empty() {
        true => None,
        false => {
            let parts: Vec<DigestPart<'_>> = sections
                .iter()
                .map(|section| DigestPart {
                    section,
                    unsubscribe: unsubscribe_link(ctx, r.local_user_id, Some(section.community_id)),
                })
                .collect();
            Some(templates::digest(
                ctx.settings(),
                &r.name,
                period.frequency.label(),
                &parts,
                unsubscribe_link(ctx, r.local_user_id, None),
            )?)
        }
    };
    Ok(Pending {
        local_user_id: r.local_user_id,
        frequency: period.frequency,
        period: period.key.clone(),
        to: r.email.clone(),
        mail,
    })
}

/// Publishes the weekly federated digest of every community that chose it and has not
/// published this week's (an empty week is marked done and not published).
///
/// A community that turns it on mid-week publishes the week that ended last Monday at the next
/// run. The `community_digests.last_period` marker is set in the transaction that records the
/// change, so two workers never publish one week twice.
pub async fn publish_federated(ctx: &AppContext, now: DateTime<Utc>) -> Result<usize> {
    let Some(week) = federated_week(now) else {
        return Ok(0);
    };
    let key = week.key.clone();
    let due = ctx
        .db(move |conn| db::digests::federating_unpublished(conn, &key))
        .await?;
    let mut published = 0;
    for community_id in due {
        let (gate, settings, period) = (ctx.gate().clone(), ctx.settings().clone(), week.clone());
        let news = ctx
            .db(move |conn| {
                let Some(c) = db::communities::by_id(conn, community_id)? else {
                    return Ok(false);
                };
                let roundup = public_roundup(conn, &gate, &settings, &c, &period)?;
                Ok(c.local && roundup.is_some())
            })
            .await?;
        let key = week.key.clone();
        let sent = ctx
            .write(move |conn| {
                if !db::digests::claim_publication(conn, community_id, &key)? {
                    return Ok(false);
                }
                if news {
                    let change = Change::DigestPublished {
                        community_id,
                        period: key,
                    };
                    db::outbox::emit(conn, &change)?;
                }
                Ok(news)
            })
            .await?;
        published += usize::from(sent);
    }
    Ok(published)
}
