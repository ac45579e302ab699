//! Calendars a community follows: its moderators make the Group follow an actor on another
//! server that publishes events without addressing a community (a Gancio instance's one
//! `Application`, a Mobilizon account); once the actor accepts, each event it creates lands in
//! the community as an event thread authored by it (`federation::activities::create`).

use crate::{
    context::{AppContext, RequestData},
    db::{
        self,
        accounts::Person,
        communities::Community,
        event_sources::{self as sources, EventSource},
    },
    domain::changes::Change,
    error::{Error, ErrorKind, Result},
    federation::resolve,
};

/// The moderator's field: a handle (`relay@gancio.example`) or the actor's URL.
const FIELD: &str = "calendar";

/// Makes a local community follow the calendar `target` (a handle or an actor's URL on another
/// server). Moderators only; a calendar already followed is 409.
pub async fn follow(
    data: &RequestData,
    moderator: &Person,
    is_admin: bool,
    community: Community,
    target: &str,
) -> Result<(EventSource, Person)> {
    if !community.local {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "not_local",
            "only a community on this instance follows calendars",
        ));
    }
    let check = community.clone();
    let moderator_id = moderator.id;
    data.db(move |conn| super::moderators::ensure_moderator(conn, &check, moderator_id, is_admin))
        .await?;
    let calendar = find(data, target).await?;
    if calendar.local {
        return Err(Error::invalid_field(
            FIELD,
            "that is an account here: follow a calendar on another server",
        ));
    }
    let follow_id = data.new_activity_id("follow");
    let actor = calendar.clone();
    let source = data
        .write(move |conn| {
            super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
            if sources::of(conn, community.id, actor.id)?.is_some() {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    "already_following",
                    "this community already follows that calendar",
                ));
            }
            let source = sources::insert(conn, community.id, actor.id, &follow_id, moderator_id)?;
            db::outbox::emit(
                conn,
                &Change::CalendarFollowed {
                    community_id: community.id,
                    person_id: actor.id,
                    follow_id,
                },
            )?;
            Ok(source)
        })
        .await?;
    Ok((source, calendar))
}

/// The actor a moderator names: by URL (fetched), or by handle (WebFinger).
async fn find(data: &RequestData, target: &str) -> Result<Person> {
    let target = target.trim().trim_start_matches('@');
    let not_found = || {
        Error::invalid_field(
            FIELD,
            format_args!("no calendar found as `{target}`: give its handle (name@host) or URL"),
        )
    };
    if target.is_empty() {
        return Err(Error::invalid_field(
            FIELD,
            "a calendar's handle (name@host) or URL",
        ));
    }
    if target.starts_with("https://") || target.starts_with("http://") {
        return match resolve::anything(data, target).await {
            Ok(resolve::Resolved::Person(p)) => Ok(p),
            _ => Err(not_found()),
        };
    }
    if !target.contains('@') || target.chars().any(char::is_whitespace) {
        return Err(not_found());
    }
    resolve::person(data, target).await.map_err(|_| not_found())
}

/// Stops following a calendar (`Undo(Follow)`); events already received stay. 404 when the
/// community does not follow it.
pub async fn unfollow(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    community: Community,
    source_id: i64,
) -> Result<()> {
    let moderator_id = moderator.id;
    ctx.write(move |conn| {
        super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
        let source = sources::get(conn, source_id)?
            .filter(|s| s.community_id == community.id)
            .ok_or_else(|| Error::not_found("calendar"))?;
        sources::delete(conn, source.id)?;
        db::outbox::emit(
            conn,
            &Change::CalendarUnfollowed {
                community_id: community.id,
                person_id: source.person_id,
                follow_id: source.follow_id,
            },
        )
    })
    .await
}

/// A calendar's `Accept` or `Reject` of a community's `Follow`. None when `follow_id` is not
/// one of ours; refused when someone other than the followed actor answers.
pub async fn receive_answer(
    ctx: &AppContext,
    actor: String,
    follow_id: String,
    accepts: bool,
) -> Result<Option<()>> {
    ctx.write(move |conn| {
        let Some(source) = sources::by_follow_id(conn, &follow_id)? else {
            return Ok(None);
        };
        let calendar = db::accounts::person_by_id(conn, source.person_id)?;
        if calendar.map(|p| p.ap_id.0.to_string()).as_deref() != Some(actor.as_str()) {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "not_followed",
                "only the followed calendar answers its Follow",
            ));
        }
        sources::answer(conn, source.id, accepts)?;
        Ok(Some(()))
    })
    .await
}
