//! Notifications: written by the other actions in the transaction of the change that causes
//! them (like outbox rows), for local and received changes alike, with the member's mail queued
//! in the same transaction when they want it. Read, listed and marked read here too.
//!
//! The rules (docs/MAIL.md, "Notifications"):
//! - only local, unsuspended accounts are notified, never about their own doing;
//! - never about content the recipient may not read (`domain::communities::can_read` now), nor
//!   in a community that banned them, nor from an actor banned there;
//! - mail only to a confirmed address, unless the member turned it off (`all`,
//!   `notifications`, or the kind's category), with a one-click unsubscribe link
//!   (`mail::unsubscribe::Scope::Notifications`).

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Account,
        communities::Community,
        mail_preferences as prefs,
        notifications::{Listed, NewNotification, Recipient},
        DbConn,
    },
    domain::{
        communities::can_read,
        names,
        notifications::{self as rules, Kind},
        posts::teaser,
    },
    error::{Error, Result},
    mail::{
        templates,
        unsubscribe::{self, Scope},
    },
    views::gate::Viewer,
};

/// What a notification is about: a community, a thread, a comment in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct About {
    pub community_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
}

impl About {
    pub fn community(id: i64) -> About {
        About {
            community_id: Some(id),
            ..About::default()
        }
    }

    pub fn post(community_id: i64, post_id: i64) -> About {
        About {
            community_id: Some(community_id),
            post_id: Some(post_id),
            comment_id: None,
        }
    }

    pub fn comment(community_id: i64, post_id: i64, comment_id: i64) -> About {
        About {
            community_id: Some(community_id),
            post_id: Some(post_id),
            comment_id: Some(comment_id),
        }
    }
}

/// Notifies the person `recipient` (if a local account) of `kind` done by `actor`, in the
/// caller's transaction; queues the mail if they want it. Returns whether a notification was
/// written.
pub fn notify(
    conn: &mut DbConn,
    ctx: &AppContext,
    kind: Kind,
    recipient: i64,
    actor: Option<i64>,
    about: About,
) -> Result<bool> {
    if actor == Some(recipient) {
        return Ok(false);
    }
    let Some(to) = db::notifications::recipient(conn, recipient)? else {
        return Ok(false);
    };
    let community = match about.community_id {
        Some(id) => db::communities::by_id(conn, id)?,
        None => None,
    };
    if let Some(c) = &community {
        if !may_hear(conn, c, &to, actor, kind)? {
            return Ok(false);
        }
    }
    db::notifications::insert(
        conn,
        &NewNotification {
            local_user_id: to.local_user_id,
            kind: kind.as_str(),
            actor_id: actor,
            community_id: about.community_id,
            post_id: about.post_id,
            comment_id: about.comment_id,
        },
    )?;
    if let Some(email) = &to.email {
        let topic = format!("notify:{}", kind.category());
        if !prefs::any_off(
            conn,
            to.local_user_id,
            &[prefs::ALL, prefs::NOTIFICATIONS, &topic],
        )? {
            queue_mail(
                conn,
                ctx,
                kind,
                &to,
                email,
                actor,
                community.as_ref(),
                about,
            )?;
        }
    }
    Ok(true)
}

/// Notifies each of `people`; see [`notify`].
pub fn notify_all(
    conn: &mut DbConn,
    ctx: &AppContext,
    kind: Kind,
    people: impl IntoIterator<Item = i64>,
    actor: Option<i64>,
    about: About,
) -> Result<()> {
    for person in people {
        notify(conn, ctx, kind, person, actor, about)?;
    }
    Ok(())
}

/// The community's moderators (owner included) hear of a new application or report.
pub fn notify_moderators(
    conn: &mut DbConn,
    ctx: &AppContext,
    kind: Kind,
    community: &Community,
    actor: i64,
) -> Result<()> {
    if !community.local {
        return Ok(()); // its own instance tells its moderators
    }
    let mods: Vec<i64> = db::communities::moderators(conn, community.id)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    notify_all(
        conn,
        ctx,
        kind,
        mods,
        Some(actor),
        About::community(community.id),
    )
}

/// A new post or comment: the author of what it answers hears of a reply, the people it
/// mentions of a mention (once: a reply that also mentions is a reply). `local` text may
/// mention by bare `@name`; received text only by `@name@this.host`.
pub fn new_content(
    conn: &mut DbConn,
    ctx: &AppContext,
    author: i64,
    about: About,
    replied_to: Option<i64>,
    text: &str,
    local: bool,
) -> Result<()> {
    if let Some(parent_author) = replied_to {
        notify(conn, ctx, Kind::Reply, parent_author, Some(author), about)?;
    }
    let host = ctx.settings().hostname.clone();
    for name in rules::mentioned_names(text, &host, local) {
        if let Some(person) = db::accounts::local_person_by_name(conn, &name)? {
            if Some(person.id) != replied_to {
                notify(conn, ctx, Kind::Mention, person.id, Some(author), about)?;
            }
        }
    }
    Ok(())
}

/// Whether `to` may hear of `kind` in `community`.
fn may_hear(
    conn: &mut DbConn,
    community: &Community,
    to: &Recipient,
    actor: Option<i64>,
    kind: Kind,
) -> Result<bool> {
    if db::bans::is_banned(conn, community.id, to.person_id)? {
        return Ok(false);
    }
    if let Some(actor) = actor {
        if db::bans::is_banned(conn, community.id, actor)? {
            return Ok(false);
        }
    }
    if kind.about_community() {
        // The charter is public; an applicant is not (yet, or any more) a member.
        return Ok(true);
    }
    let role = db::communities::role_of(conn, community.id, to.person_id)?;
    Ok(can_read(community, role, to.is_admin))
}

/// Renders and queues the mail of one notification.
#[allow(clippy::too_many_arguments)]
fn queue_mail(
    conn: &mut DbConn,
    ctx: &AppContext,
    kind: Kind,
    to: &Recipient,
    email: &str,
    actor: Option<i64>,
    community: Option<&Community>,
    about: About,
) -> Result<()> {
    let host = ctx.settings().hostname.clone();
    let who = match actor {
        Some(id) => db::accounts::person_by_id(conn, id)?
            .map(|p| names::handle(&p.name, &p.ap_id.0, &host))
            .unwrap_or_else(|| "Someone".into()),
        None => "Someone".into(),
    };
    let post = match about.post_id {
        Some(id) => db::posts::post(conn, id)?,
        None => None,
    };
    let comment = match about.comment_id {
        Some(id) => db::posts::comment(conn, id)?,
        None => None,
    };
    let community_handle = community
        .map(|c| names::handle(&c.name, &c.ap_id.0, &host))
        .unwrap_or_default();
    let what = match (&post, kind.about_community()) {
        (Some(p), false) => p.title.clone(),
        _ => community_handle.clone(),
    };
    let sentence = kind.sentence(&who, &what);
    let path = link_path(
        kind,
        community.map(|c| (c.name.as_str(), c.local, community_handle.as_str())),
        about,
    );
    let excerpt = match kind {
        Kind::Reply | Kind::Mention => comment
            .map(|c| teaser(&c.body_html))
            .or_else(|| post.map(|p| teaser(&p.body_html))),
        _ => None,
    };
    let unsubscribe = unsubscribe::link(ctx, to.local_user_id, Scope::Notifications);
    let mail = templates::notification(
        ctx.settings(),
        &to.name,
        &sentence,
        &ctx.url(&path),
        excerpt.as_deref(),
        unsubscribe,
    )?;
    db::mail::enqueue(conn, email, &mail)
}

/// Where a notification leads: the comment, the thread, the community (its moderation page
/// for organizers).
fn link_path(kind: Kind, community: Option<(&str, bool, &str)>, about: About) -> String {
    let community_path = community.map(|(name, local, handle)| {
        if local {
            format!("/c/{name}")
        } else {
            format!("/c/{handle}")
        }
    });
    match (kind, about.comment_id, about.post_id, community_path) {
        (Kind::NewApplication | Kind::NewReport, _, _, Some(c)) => format!("{c}/moderation"),
        (k, _, _, Some(c)) if k.about_community() => c,
        (_, Some(comment), _, _) => format!("/comment/{comment}"),
        (_, None, Some(post), _) => format!("/post/{post}"),
        (_, _, _, Some(c)) => c,
        _ => "/notifications".into(),
    }
}

/// A notification as shown (page and API).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Shown {
    pub id: i64,
    /// `reply`, `mention`, `application_accepted`, … (docs/MAIL.md lists them).
    pub kind: String,
    /// What happened, as a sentence.
    pub text: String,
    /// The page of what it is about (a path on this instance).
    pub link: String,
    /// Who did it (`name@host`), if a person.
    pub actor: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub read: bool,
}

fn shown(ctx: &AppContext, l: Listed) -> Shown {
    let host = &ctx.settings().hostname;
    let kind = Kind::parse(&l.kind);
    let actor = l.actor.as_ref().map(|(name, local, ap_id)| {
        if *local {
            format!("{name}@{host}")
        } else {
            url::Url::parse(ap_id)
                .map(|u| names::handle(name, &u, host))
                .unwrap_or_else(|_| name.clone())
        }
    });
    let community = l.community.as_ref().map(|(name, local, ap_id)| {
        let handle = url::Url::parse(ap_id)
            .map(|u| names::handle(name, &u, host))
            .unwrap_or_else(|_| name.clone());
        (name.clone(), *local, handle)
    });
    let what = match (&l.post_title, kind.is_some_and(Kind::about_community)) {
        (Some(t), false) => t.clone(),
        _ => community.as_ref().map(|c| c.2.clone()).unwrap_or_default(),
    };
    let who = actor.clone().unwrap_or_else(|| "Someone".into());
    let text = kind.map_or_else(|| l.kind.clone(), |k| k.sentence(&who, &what));
    let about = About {
        community_id: None,
        post_id: l.post_id,
        comment_id: l.comment_id,
    };
    let link = match kind {
        Some(k) => link_path(
            k,
            community
                .as_ref()
                .map(|(n, local, h)| (n.as_str(), *local, h.as_str())),
            about,
        ),
        None => "/notifications".into(),
    };
    Shown {
        id: l.id,
        kind: l.kind,
        text,
        link,
        actor,
        created_at: l.created_at,
        read: l.read_at.is_some(),
    }
}

/// A page of the member's notifications (unread first, then newest), and how many are unread.
/// Only those about communities the read gate lets the member read now: one who left a private
/// community no longer sees its titles.
pub async fn list(
    ctx: &AppContext,
    account: &Account,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Shown>, i64)> {
    let local_user_id = account.user.id;
    let scope = ctx
        .gate()
        .scope(&Viewer::person(account.person.id, account.user.is_admin));
    let (rows, unread) = ctx
        .db(move |conn| {
            let rows =
                db::notifications::list(conn, local_user_id, scope, unread_only, limit, offset)?;
            Ok((rows, db::notifications::count_unread(conn, local_user_id)?))
        })
        .await?;
    Ok((rows.into_iter().map(|l| shown(ctx, l)).collect(), unread))
}

/// The header's count (up to `db::notifications::COUNT_CAP` + 1).
pub async fn unread(ctx: &AppContext, local_user_id: i64) -> Result<i64> {
    ctx.db(move |conn| db::notifications::count_unread(conn, local_user_id))
        .await
}

/// Marks one notification read (404 if the member has none so numbered).
pub async fn mark_read(ctx: &AppContext, local_user_id: i64, id: i64) -> Result<()> {
    let found = ctx
        .write(move |conn| db::notifications::mark_read(conn, local_user_id, id))
        .await?;
    if found {
        Ok(())
    } else {
        Err(Error::not_found(format_args!("notification {id}")))
    }
}

/// Marks every notification read; returns how many were unread.
pub async fn mark_all_read(ctx: &AppContext, local_user_id: i64) -> Result<usize> {
    ctx.write(move |conn| db::notifications::mark_all_read(conn, local_user_id))
        .await
}

/// Wakes the mail job after a write that may have queued notification mail.
pub fn wake_mail(ctx: &AppContext) {
    ctx.mail_wakeup().notify_one();
}

/// How long before a meeting its reminder goes out.
pub const REMIND_BEFORE: chrono::Duration = chrono::Duration::hours(24);

/// Reminds the local people going to each meeting that starts within [`REMIND_BEFORE`], once
/// per person and meeting (`jobs::reminders` runs it). Returns how many were reminded.
pub async fn remind(ctx: &AppContext) -> Result<usize> {
    let notifier = ctx.clone();
    let sent = ctx
        .write(move |conn| {
            let now = db::now();
            let due = db::events::local_going_between(conn, now, now + REMIND_BEFORE)?;
            let mut sent = 0;
            for (post_id, community_id, person_id) in due {
                let Some(to) = db::notifications::recipient(conn, person_id)? else {
                    continue;
                };
                let kind = Kind::EventReminder;
                if db::notifications::exists(conn, to.local_user_id, kind.as_str(), post_id)? {
                    continue;
                }
                let about = About::post(community_id, post_id);
                if notify(conn, &notifier, kind, person_id, None, about)? {
                    sent += 1;
                }
            }
            Ok(sent)
        })
        .await?;
    if sent > 0 {
        wake_mail(ctx);
    }
    Ok(sent)
}
