//! Meeting series: a local member starts a series (its rule and the template of its meetings)
//! in a local community; its occurrences are materialized as ordinary events, each a thread
//! announced like a post, up to the horizon (`series_horizon_*` settings) at once and then by the
//! `series` job. Editing a series changes its future occurrences that nobody changed on their
//! own; past and detached ones (moved, edited or cancelled alone) stay as they are.

use crate::{
    actions::events::not_organizer,
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        posts::NewPost,
        series::Series,
        DbConn,
    },
    domain::{
        changes::Change,
        communities::Role,
        content,
        events::{self as event_rules, EventStatus},
        posts as post_rules,
        series::{self as rules, Horizon, SeriesInput},
    },
    error::{Error, ErrorKind, Result},
};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashSet;

/// How far ahead this instance materializes occurrences.
pub fn horizon(ctx: &AppContext) -> Horizon {
    let s = ctx.settings();
    Horizon {
        occurrences: s.series_horizon_occurrences,
        days: s.series_horizon_days,
    }
}

/// A local member starts a series in a local community (as they would schedule an event); its
/// first occurrences are materialized at once. Returns the series' id.
pub async fn create(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    title: &str,
    body: &str,
    input: &SeriesInput,
) -> Result<i64> {
    let now = event_rules::now();
    let (details, rec) = rules::parse_blocking(input, now, true).await?;
    let (title, body) = post_rules::parse_post(title, body)?;
    if !community.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "remote_community",
            "events are scheduled in the community's own instance",
        ));
    }
    let (horizon, base, author) = (horizon(ctx), ctx.url(""), account.person.id);
    ctx.write(move |conn| {
        let role = db::bans::role_unless_banned(conn, community.id, author)?;
        event_rules::may_schedule(&community, role)?;
        let id = db::series::insert(conn, community.id, author, &title, &body, &details, &rec)?;
        let series = db::series::get(conn, id)?.ok_or_else(|| Error::not_found("series"))?;
        materialize(conn, &series, now, horizon, &base)?;
        Ok(id)
    })
    .await
}

/// Whether `person` may change the series: its author or a moderator of its community.
pub fn may_edit(conn: &mut DbConn, series: &Series, person_id: i64) -> Result<bool> {
    if series.author_id == person_id {
        return Ok(true);
    }
    let role = db::communities::role_of(conn, series.community_id, person_id)?;
    Ok(role.is_some_and(Role::moderates))
}

/// The author or a moderator changes the series: its template and rule. Future occurrences that
/// nobody changed on their own take the new details and the new rule's dates, in order (their
/// answers stay); those left over are cancelled; missing ones are materialized.
pub async fn edit(
    ctx: &AppContext,
    person: &Person,
    series_id: i64,
    title: &str,
    body: &str,
    input: &SeriesInput,
) -> Result<()> {
    let now = event_rules::now();
    let (details, rec) = rules::parse_blocking(input, now, false).await?;
    let (title, body) = post_rules::parse_post(title, body)?;
    let html = content::markdown_to_html(&body);
    let (horizon, base, person_id) = (horizon(ctx), ctx.url(""), person.id);
    let notifier = ctx.clone();
    let done = ctx
        .write(move |conn| {
            let old =
                db::series::get(conn, series_id)?.ok_or_else(|| Error::not_found("series"))?;
            if !may_edit(conn, &old, person_id)? {
                return Err(not_organizer());
            }
            db::series::update(conn, series_id, &title, &body, &details, &rec)?;
            let series =
                db::series::get(conn, series_id)?.ok_or_else(|| Error::not_found("series"))?;
            let all = db::series::occurrences(conn, series_id)?;
            let (future, stay): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|(p, e)| e.starts_at > now && !e.detached && !p.deleted && !p.removed);
            let taken: HashSet<NaiveDate> = stay
                .iter()
                .filter_map(|(_, e)| e.series_start)
                .map(|s| rec.day_of(s))
                .collect();
            let wanted: Vec<NaiveDateTime> = rec
                .ahead(now, horizon)?
                .into_iter()
                .filter(|s| !taken.contains(&rec.day_of(*s)))
                .collect();
            // Their places in the rule are given anew: free them all first (the places are unique).
            for (p, _) in &future {
                db::series::attach(conn, p.id, series_id, None)?;
            }
            for (i, (p, _)) in future.iter().enumerate() {
                match wanted.get(i) {
                    Some(start) => {
                        db::posts::edit_post(conn, p.id, &title, &body, &html, db::now())?;
                        db::events::update(conn, p.id, &series.details_at(*start)?)?;
                        db::series::attach(conn, p.id, series_id, Some(*start))?;
                        crate::actions::events::promote(conn, &notifier, p.id)?;
                    }
                    None => {
                        db::events::set_status(conn, p.id, EventStatus::Cancelled)?;
                        db::series::detach(conn, p.id)?;
                        let by = Some(person_id);
                        crate::actions::events::cancelled(
                            conn,
                            &notifier,
                            p.community_id,
                            p.id,
                            by,
                        )?;
                        db::posts::edit_post(
                            conn,
                            p.id,
                            &p.title,
                            &p.body_md,
                            &p.body_html,
                            db::now(),
                        )?;
                    }
                }
                db::outbox::emit(
                    conn,
                    &Change::ContentEdited {
                        object_ap_id: p.ap_id.to_string(),
                        community_id: p.community_id,
                        author_id: p.author_id,
                        activity_id: None,
                    },
                )?;
            }
            materialize(conn, &series, now, horizon, &base)?;
            Ok(())
        })
        .await;
    crate::actions::notifications::wake_mail(ctx);
    done
}

/// Creates the occurrences of `series` the horizon asks for that are not there yet (an
/// occurrence keeps its place in the rule, its local day, even when moved, cancelled or deleted); marks the
/// series finished when its rule has none left. Idempotent. Returns how many were created.
pub fn materialize(
    conn: &mut DbConn,
    series: &Series,
    now: NaiveDateTime,
    horizon: Horizon,
    base: &str,
) -> Result<usize> {
    let Some(rec) = series.recurrence() else {
        return Ok(0);
    };
    let wanted = rec.ahead(now, horizon)?;
    if wanted.is_empty() {
        db::series::set_finished(conn, series.id)?;
        return Ok(0);
    }
    let taken: HashSet<NaiveDate> = db::series::occurrences(conn, series.id)?
        .into_iter()
        .filter_map(|(_, e)| e.series_start)
        .map(|s| rec.day_of(s))
        .collect();
    let html = content::markdown_to_html(&series.body_md);
    let mut created = 0;
    for start in wanted
        .into_iter()
        .filter(|s| !taken.contains(&rec.day_of(*s)))
    {
        let new = NewPost {
            ap_id: None,
            community_id: series.community_id,
            author_id: series.author_id,
            title: &series.title,
            body_md: &series.body_md,
            body_html: &html,
            published: None,
        };
        let post = db::posts::insert_post(conn, &new, base)?;
        let details = series.details_at(start)?;
        db::events::save(conn, post.id, &details, EventStatus::Scheduled, 0)?;
        db::series::attach(conn, post.id, series.id, Some(start))?;
        db::outbox::emit(
            conn,
            &Change::PostCreated {
                post_id: post.id,
                activity_id: None,
            },
        )?;
        created += 1;
    }
    Ok(created)
}

/// One round of the `series` job: every active series, each in its own write. Returns how many
/// occurrences were created.
pub async fn materialize_all(ctx: &AppContext) -> Result<usize> {
    let (horizon, base) = (horizon(ctx), ctx.url(""));
    let mut after = 0;
    let mut created = 0;
    loop {
        let page = ctx
            .db(move |conn| db::series::active(conn, after, 100))
            .await?;
        let Some(last) = page.last() else {
            return Ok(created);
        };
        after = last.id;
        for series in page {
            let base = base.clone();
            let id = series.id;
            let made = ctx
                .write(move |conn| {
                    // Read again inside the write: an edit may have come in between.
                    match db::series::get(conn, series.id)? {
                        Some(s) if !s.finished => {
                            materialize(conn, &s, event_rules::now(), horizon, &base)
                        }
                        _ => Ok(0),
                    }
                })
                .await;
            match made {
                Ok(n) => created += n,
                Err(e) => tracing::warn!("materializing series {id}: {e:?}"),
            }
        }
    }
}
