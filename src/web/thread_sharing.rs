//! Cross-posting on the thread page: "also in …" (the other communities the thread is in), the
//! form that puts it into one more local community (its author, where they may post; a
//! moderator, into the community they moderate) or sends its author's thread to a remote
//! community they joined, and a moderator's removal from their community
//! only (`actions::sharing`). Each form ends in a 303 back to the thread with a flash message; a
//! refusal is the error page with its status (403 banned or not a moderator, 404, 409, 422).
//! Also the "also post in" choices of the new-thread form (`NewThreadForm`), whose refusal shows
//! the form again with what was typed.

use super::{flash, form::Form};
use crate::{
    actions,
    context::AppContext,
    db::{self, communities::Community, posts::Post, shares::ThreadCommunity},
    domain::{
        communities::{Role, Visibility},
        names::handle,
        posts::may_post,
    },
    error::Error,
};
use actix_web::{web, HttpResponse};
use serde::{de::Error as _, Deserialize, Deserializer};

/// A community the thread is also in, as the page links it.
pub struct AlsoIn {
    /// `name` here, `name@host` elsewhere: what the removal form names.
    pub handle: String,
    pub url: String,
}

/// The "also in" entries of a thread.
pub fn also_in(communities: &[ThreadCommunity], host: &str) -> Vec<AlsoIn> {
    communities
        .iter()
        .filter(|c| c.shared.is_some())
        .map(|c| {
            let s = &c.community;
            let handle = match s.local {
                true => s.name.clone(),
                false => handle(&s.name, &s.ap_id, host),
            };
            AlsoIn {
                url: format!("/c/{handle}"),
                handle,
            }
        })
        .collect()
}

/// What a signed-in reader may do with a thread's communities: the communities they may put it
/// into (the local ones they moderate, and for its author every community they are an active
/// member of, a remote one only for a thread whose home is here; not its home, not where it is
/// already), and the local ones it is shared into that they moderate (they may take it out).
/// `actions::sharing` decides again when a form is sent.
#[derive(Default)]
pub struct Choices {
    pub into: Vec<String>,
    pub removable: Vec<String>,
}

pub fn choices(
    post: &Post,
    home: &Community,
    communities: &[ThreadCommunity],
    reader: i64,
    host: &str,
) -> Choices {
    let mine = post.author_id == reader;
    let mut choices = Choices::default();
    for c in communities {
        if c.community.community_id == post.community_id {
            continue;
        }
        if !c.community.local {
            let s = &c.community;
            if mine && home.local && c.shared.is_none() && c.role.is_some() {
                choices.into.push(handle(&s.name, &s.ap_id, host));
            }
            continue;
        }
        let Some(role) = c.role.as_deref() else {
            continue;
        };
        let moderates = Role::parse(role).is_some_and(Role::moderates);
        let name = c.community.name.clone();
        match c.shared.is_some() {
            true if moderates => choices.removable.push(name),
            false if mine || moderates => choices.into.push(name),
            _ => {}
        }
    }
    choices
}

#[derive(Deserialize)]
pub struct ShareForm {
    /// The community's name here, `name@host` for a remote one.
    community: String,
    #[serde(default)]
    reason: String,
}

/// The local community a form names (404 when there is none).
async fn named(ctx: &AppContext, name: String) -> Result<db::communities::Community, Error> {
    ctx.db(move |conn| db::communities::local_by_name(conn, name.trim()))
        .await?
        .ok_or_else(|| Error::not_found("community"))
}

/// Puts the thread into one more community (`actions::sharing::share`); a remote one is sent
/// it and shows it once it takes it in.
pub async fn share(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ShareForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    let community = actions::sharing::named(&ctx, form.data.community.clone()).await?;
    let message = match actions::sharing::share(&ctx, person, admin, id, community.id).await? {
        actions::sharing::SharedAs::Requested => format!(
            "The thread was sent to {}. It shows there once that community takes it in.",
            community.title
        ),
        _ => format!("The thread is now also in {}.", community.title),
    };
    Ok(flash::redirect(&ctx, &format!("/post/{id}"), &message))
}

/// A moderator takes the thread out of their community only (`actions::sharing::remove`).
pub async fn unshare(
    ctx: web::Data<AppContext>,
    id: web::Path<i64>,
    form: Form<ShareForm>,
) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let account = &form.session.account;
    let (person, admin) = (&account.person, account.user.is_admin);
    let community = named(&ctx, form.data.community.clone()).await?;
    let reason = Some(form.data.reason.clone()).filter(|r| !r.trim().is_empty());
    actions::sharing::remove(&ctx, person, admin, id, community.id, reason).await?;
    let message = format!("The thread was removed from {}.", community.title);
    Ok(flash::redirect(&ctx, &format!("/post/{id}"), &message))
}

/// One "also post in" checkbox of the new-thread form.
pub struct AlsoPostIn {
    /// `name` here, `name@host` elsewhere: the value sent.
    pub handle: String,
    pub title: String,
    pub checked: bool,
}

/// The other communities `person_id` may open a thread of `home` in too: those they are an
/// active member of whose rules let them post, remote ones only when `home` is here (none when
/// `home` is not public: its threads are not shared). `actions::sharing::put_also_in` decides again when the form is sent.
pub async fn also_post_in(
    ctx: &AppContext,
    person_id: i64,
    home: &Community,
) -> Result<Vec<AlsoPostIn>, Error> {
    if home.visibility() != Visibility::Public {
        return Ok(Vec::new());
    }
    let (home_id, home_local) = (home.id, home.local);
    let host = ctx.settings().hostname.clone();
    let joined = ctx
        .db(move |conn| db::shares::joined_with_roles(conn, person_id))
        .await?;
    Ok(joined
        .into_iter()
        .filter(|(c, role)| {
            c.id != home_id && (c.local || home_local) && may_post(c, Role::parse(role)).is_ok()
        })
        .map(|(c, _)| AlsoPostIn {
            handle: match c.local {
                true => c.name.clone(),
                false => handle(&c.name, &c.ap_id, &host),
            },
            title: c.title,
            checked: false,
        })
        .collect())
}

/// The new-thread form: the compose fields, and the `also_in` checkboxes (one field name sent
/// once per checked community, which the compose fields' reader does not take).
pub struct NewThreadForm {
    pub compose: super::threads::ComposeForm,
    pub also_in: Vec<String>,
}

impl<'de> Deserialize<'de> for NewThreadForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(String, String)>::deserialize(deserializer)?;
        let (also_in, rest): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(key, _)| key == "also_in");
        let rest = serde_urlencoded::to_string(rest).map_err(D::Error::custom)?;
        Ok(NewThreadForm {
            compose: serde_urlencoded::from_str(&rest).map_err(D::Error::custom)?,
            also_in: also_in.into_iter().map(|(_, name)| name).collect(),
        })
    }
}
