//! Joining and leaving communities, local and remote, and deciding applications. Remote
//! follows (`federation/activities/following.rs`) arrive here too, so one set of rules decides.

use super::notifications::{self, About};
use crate::domain::notifications::Kind;
use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        members::{self, Membership, ACTIVE, PENDING},
    },
    domain::{
        applications::{self, application_text},
        changes::Change,
        communities::{MembershipPolicy, Role},
        content,
    },
    error::{Error, ErrorKind, Result},
};

/// Where a membership stands after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    Pending,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => ACTIVE,
            Standing::Pending => PENDING,
        }
    }
}

/// A local person asks to join a community (local or already resolved remote).
pub async fn join(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    answers: Vec<String>,
) -> Result<Standing> {
    let person = account.person.clone();
    if community.local {
        let questions = community.questions();
        let text = application_text(&questions, &answers)?;
        if community.policy() == MembershipPolicy::Approval && answers.len() < questions.len() {
            return Err(Error::invalid_field(
                "answers",
                format_args!("answer all {} joining question(s)", questions.len()),
            ));
        }
        let notifier = ctx.clone();
        let standing = ctx
            .write(move |conn| {
                crate::db::bans::ensure_not_banned(conn, community.id, person.id)?;
                if let Some(m) = members::get(conn, community.id, person.id)? {
                    return Ok(standing(&m));
                }
                let state = match community.policy() {
                    MembershipPolicy::Open => ACTIVE,
                    MembershipPolicy::Approval => PENDING,
                    MembershipPolicy::Invite => {
                        if !db::moderation::uninvite(conn, community.id, person.id)? {
                            return Err(Error::new(
                                ErrorKind::Forbidden,
                                "invite_only",
                                "this community accepts members by invitation only",
                            ));
                        }
                        ACTIVE
                    }
                };
                let m = members::put(conn, community.id, person.id, state, text.as_deref(), None)?;
                if state == PENDING {
                    let kind = Kind::NewApplication;
                    notifications::notify_moderators(conn, &notifier, kind, &community, person.id)?;
                }
                Ok(standing(&m))
            })
            .await?;
        notifications::wake_mail(ctx);
        return Ok(standing);
    }
    // Remote: ask the community with a Follow; active once it answers Accept.
    let text = application_text(&community.questions(), &answers)?;
    let follow_id = ctx.new_activity_id("follow");
    ctx.write(move |conn| {
        if let Some(m) = members::get(conn, community.id, person.id)? {
            if m.is_active() {
                return Ok(Standing::Active);
            }
        }
        members::put(
            conn,
            community.id,
            person.id,
            PENDING,
            text.as_deref(),
            Some(&follow_id),
        )?;
        let event = Change::FollowRequested {
            person_id: person.id,
            community_id: community.id,
            follow_id,
            message: text,
        };
        db::outbox::emit(conn, &event)?;
        Ok(Standing::Pending)
    })
    .await
}

fn standing(m: &Membership) -> Standing {
    if m.is_active() {
        Standing::Active
    } else {
        Standing::Pending
    }
}

/// A local person leaves (or withdraws an application). The owner cannot leave.
pub async fn leave(ctx: &AppContext, account: &Account, community: Community) -> Result<()> {
    let person = account.person.clone();
    ctx.write(move |conn| {
        let m = members::get(conn, community.id, person.id)?
            .ok_or_else(|| Error::not_found("membership"))?;
        if m.role() == Role::Owner {
            return Err(Error::new(
                ErrorKind::Unprocessable,
                "owner_cannot_leave",
                "the owner cannot leave the community",
            ));
        }
        members::remove(conn, community.id, person.id)?;
        if let (false, Some(follow_id)) = (community.local, m.follow_id) {
            let event = Change::FollowWithdrawn {
                person_id: person.id,
                community_id: community.id,
                follow_id,
            };
            db::outbox::emit(conn, &event)?;
        }
        Ok(())
    })
    .await
}

/// A moderator approves or rejects a pending application.
pub async fn decide(
    ctx: &AppContext,
    moderator: &Account,
    community: Community,
    applicant_id: i64,
    approve: bool,
) -> Result<()> {
    let (moderator_id, is_admin) = (moderator.person.id, moderator.user.is_admin);
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let role = db::communities::role_of(conn, community.id, moderator_id)?;
        crate::domain::communities::may_edit(role, is_admin)?;
        let m = members::get(conn, community.id, applicant_id)?
            .filter(|m| !m.is_active())
            .ok_or_else(|| Error::not_found("pending application"))?;
        if approve {
            members::set_state(conn, community.id, applicant_id, ACTIVE)?;
        } else {
            members::remove(conn, community.id, applicant_id)?;
        }
        let kind = if approve {
            Kind::ApplicationAccepted
        } else {
            Kind::ApplicationRefused
        };
        let about = About::community(community.id);
        notifications::notify(
            conn,
            &notifier,
            kind,
            applicant_id,
            Some(moderator_id),
            about,
        )?;
        let applicant = db::accounts::person_by_id(conn, applicant_id)?;
        if let (Some(person), Some(follow_id)) = (applicant, m.follow_id) {
            if !person.local {
                db::outbox::emit(conn, &answer(approve, community, person, follow_id))?;
            }
        }
        Ok(())
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
}

/// A remote person's Follow of a local community, decided by its policy: `open` accepts,
/// `approval` waits for a moderator (keeping the text the Follow carried), `invite` accepts
/// invited people and rejects everyone else.
pub async fn receive_follow(
    ctx: &AppContext,
    person: Person,
    community: Community,
    follow_id: String,
    message: Option<String>,
) -> Result<()> {
    let message = match message {
        Some(m) => applications::gather(&community.questions(), None, &content::html_to_text(&m))
            .map(Some)?,
        None => None,
    };
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let outcome = follow_outcome(conn, &person, &community, &follow_id, message)?;
        match outcome {
            Some(accepted) => {
                db::outbox::emit(conn, &answer(accepted, community, person, follow_id))?;
            }
            None => {
                let kind = Kind::NewApplication;
                notifications::notify_moderators(conn, &notifier, kind, &community, person.id)?;
            }
        }
        Ok(())
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
}

/// Whether a remote person's application to a local community waits for a moderator: what they
/// address to the community meanwhile (a `Note`) adds to their application.
pub async fn is_applying(ctx: &AppContext, community: &Community, person: &Person) -> Result<bool> {
    if !community.local || person.local {
        return Ok(false);
    }
    let (community_id, person_id) = (community.id, person.id);
    let m = ctx
        .db(move |conn| members::get(conn, community_id, person_id))
        .await?;
    Ok(m.is_some_and(|m| !m.is_active()))
}

/// A remote applicant's further message (answers to the joining questions, as a `Note` addressed
/// to the community): added to the application moderators read. `receipt` is the activity's,
/// recorded in the same write.
pub async fn receive_application_message(
    ctx: &AppContext,
    community: Community,
    person: Person,
    message_html: &str,
    receipt: Option<members::Receipt>,
) -> Result<()> {
    let message = content::html_to_text(message_html);
    ctx.write(move |conn| {
        if let Some(m) = members::get(conn, community.id, person.id)?.filter(|m| !m.is_active()) {
            let text =
                applications::gather(&community.questions(), m.answers.as_deref(), &message)?;
            members::set_answers(conn, community.id, person.id, &text)?;
        }
        receipt.map_or(Ok(()), |r| r.record(conn))
    })
    .await
}

/// The community's answer to a follower: `Accept` or `Reject`.
fn answer(accepted: bool, community: Community, person: Person, follow_id: String) -> Change {
    if accepted {
        Change::FollowAccepted {
            community_id: community.id,
            person_id: person.id,
            follow_id,
        }
    } else {
        Change::FollowRejected {
            community_id: community.id,
            person_id: person.id,
            follow_id,
        }
    }
}

/// Applies a remote Follow by the community's policy: Some(true) accepted, Some(false) refused,
/// None waiting for a moderator.
fn follow_outcome(
    conn: &mut db::DbConn,
    person: &Person,
    community: &Community,
    follow_id: &str,
    message: Option<String>,
) -> Result<Option<bool>> {
    if crate::db::bans::is_banned(conn, community.id, person.id)? {
        return Ok(Some(false));
    }
    if let Some(m) = members::get(conn, community.id, person.id)? {
        if m.is_active() {
            // A repeated Follow (Lemmy re-sends them): accept again.
            members::put(
                conn,
                community.id,
                person.id,
                ACTIVE,
                m.answers.as_deref(),
                Some(follow_id),
            )?;
            return Ok(Some(true));
        }
    }
    Ok(match community.policy() {
        MembershipPolicy::Open => {
            members::put(conn, community.id, person.id, ACTIVE, None, Some(follow_id))?;
            Some(true)
        }
        MembershipPolicy::Approval => {
            members::put(
                conn,
                community.id,
                person.id,
                PENDING,
                message.as_deref(),
                Some(follow_id),
            )?;
            None
        }
        MembershipPolicy::Invite => {
            // An invitation is used up by the Follow it lets in.
            let invited = db::moderation::uninvite(conn, community.id, person.id)?;
            if invited {
                members::put(
                    conn,
                    community.id,
                    person.id,
                    ACTIVE,
                    message.as_deref(),
                    Some(follow_id),
                )?;
            }
            Some(invited)
        }
    })
}

/// A remote community answered one of our Follows.
pub async fn receive_answer(
    ctx: &AppContext,
    community: Community,
    follow_id: String,
    accepted: bool,
) -> Result<()> {
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let Some(m) = members::by_follow_id(conn, &follow_id)? else {
            return Ok(()); // an answer to a Follow we withdrew
        };
        if m.community_id != community.id {
            return Err(Error::forbidden(
                "the answer does not come from the followed community",
            ));
        }
        if accepted {
            members::set_state(conn, m.community_id, m.person_id, ACTIVE)?;
        } else {
            members::remove(conn, m.community_id, m.person_id)?;
        }
        // An application a moderator decided (an open community's Accept is no news).
        let decided =
            !m.is_active() && (!accepted || community.policy() == MembershipPolicy::Approval);
        if decided {
            let kind = if accepted {
                Kind::ApplicationAccepted
            } else {
                Kind::ApplicationRefused
            };
            let about = About::community(community.id);
            notifications::notify(conn, &notifier, kind, m.person_id, None, about)?;
        }
        Ok(())
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
}

/// A remote person withdrew a Follow (`Undo(Follow)`).
pub async fn receive_unfollow(
    ctx: &AppContext,
    person: Person,
    community: Community,
) -> Result<()> {
    ctx.write(move |conn| {
        if let Some(m) = members::get(conn, community.id, person.id)? {
            if m.role() != Role::Owner {
                members::remove(conn, community.id, person.id)?;
            }
        }
        Ok(())
    })
    .await
}
