//! Surveys: a moderator creates one in a local community (`create`), a member answers it once
//! (`answer`). Local only: nothing here is recorded for the outbox.

use crate::{
    context::AppContext,
    db::{self, accounts::Account, communities::Community},
    domain::{
        communities::may_moderate,
        surveys::{self as rules, Asked, Given, SurveyFields},
    },
    error::{Error, ErrorKind, Result},
    views::gate::Viewer,
};

/// A moderator (or an administrator of this instance) of a local community creates a survey.
pub async fn create(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    fields: SurveyFields,
) -> Result<i64> {
    let person = account.person.id;
    let viewer = Viewer::person(person, account.user.is_admin);
    let gate = ctx.gate().clone();
    ctx.write(move |conn| {
        if !community.local {
            return Err(Error::not_found(format_args!(
                "The community {}",
                community.name
            )));
        }
        let sight = gate.sight(conn, &viewer, &community)?;
        may_moderate(&community, sight.role, viewer.is_admin())?;
        db::surveys::insert(conn, community.id, person, &fields, db::now())
    })
    .await
}

/// A member answers survey `id`: 404 for a survey the gate hides, 403 for a non-member (or a
/// banned one), 422 once closed, 409 the second time, 400 for answers that do not fit.
pub async fn answer(ctx: &AppContext, account: &Account, id: i64, given: Vec<Given>) -> Result<()> {
    let person = account.person.id;
    let viewer = Viewer::person(person, account.user.is_admin);
    let gate = ctx.gate().clone();
    ctx.write(move |conn| {
        let (survey, community, role) = crate::views::surveys::find(conn, &gate, &viewer, id)?;
        if role.is_none() {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "members_only",
                "Only the community's members may answer its surveys.",
            ));
        }
        db::bans::ensure_not_banned(conn, community.id, person)?;
        let answered = db::surveys::answered(conn, survey.id, person)?;
        rules::check_open(survey.closes_at, db::now(), answered)?;
        let asked: Vec<Asked> = db::surveys::questions(conn, survey.id)?
            .into_iter()
            .map(|q| Asked {
                id: q.id,
                kind: q.kind,
                required: q.required,
                options: q.options.len(),
            })
            .collect();
        let answers = rules::check_answers(&asked, &given)?;
        db::surveys::insert_answers(conn, &survey, person, &answers)
    })
    .await
}
