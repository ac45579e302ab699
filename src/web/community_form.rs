//! `/communities/new` and `/c/{name}/edit`: every field of a community the API accepts (name on
//! creation only; title, summary, the charter, membership policy, visibility, who may post, up
//! to five joining questions), through `actions::communities::{create, update}`. A refused form
//! comes back (422) with the message next to its field and everything typed kept; editing is for
//! the community's owner and moderators (and admins), a 403 page for anyone else.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, not_found, see_other,
};
use crate::{
    actions,
    context::AppContext,
    db::{self, communities::Community},
    domain::communities::{
        may_create, may_edit, Charter, CharterChanges, CommunityChanges, CommunityFields,
        MembershipPolicy, Visibility, MAX_QUESTIONS,
    },
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "community_form.html", config = "src/web/askama.toml")]
struct FormPage {
    frame: Frame,
    /// None when creating; the community's name when editing.
    editing: Option<String>,
    typed: Typed,
    error: FormError,
    /// The message for the joining questions (which question's, or all of them).
    questions_error: Option<String>,
}

/// What the form holds, as typed (or as stored, when first shown for editing).
#[derive(Default)]
struct Typed {
    name: String,
    title: String,
    summary: String,
    purpose: String,
    domain: String,
    practice: String,
    meeting_cadence: String,
    code_of_conduct: String,
    membership_policy: String,
    visibility: String,
    posting_restricted_to_mods: bool,
    /// Always `MAX_QUESTIONS` of them, empty ones unused.
    questions: Vec<String>,
}

impl Typed {
    fn from_pairs(pairs: Vec<(String, String)>) -> Typed {
        let mut t = Typed::default();
        for (key, value) in pairs {
            match key.as_str() {
                "name" => t.name = value,
                "title" => t.title = value,
                "summary" => t.summary = value,
                "charter.purpose" => t.purpose = value,
                "charter.domain" => t.domain = value,
                "charter.practice" => t.practice = value,
                "charter.meeting_cadence" => t.meeting_cadence = value,
                "charter.code_of_conduct" => t.code_of_conduct = value,
                "membership_policy" => t.membership_policy = value,
                "visibility" => t.visibility = value,
                "posting_restricted_to_mods" => t.posting_restricted_to_mods = value == "true",
                "questions" => t.questions.push(value),
                _ => {}
            }
        }
        t.padded()
    }

    fn from_community(c: &Community) -> Typed {
        let f = c.fields();
        Typed {
            name: c.name.clone(),
            title: f.title,
            summary: f.summary,
            purpose: f.charter.purpose,
            domain: f.charter.domain,
            practice: f.charter.practice,
            meeting_cadence: f.charter.meeting_cadence,
            code_of_conduct: f.charter.code_of_conduct,
            membership_policy: f.membership_policy.as_str().into(),
            visibility: f.visibility.as_str().into(),
            posting_restricted_to_mods: f.posting_restricted_to_mods,
            questions: f.questions,
        }
        .padded()
    }

    fn new_form() -> Typed {
        Typed {
            membership_policy: MembershipPolicy::Open.as_str().into(),
            visibility: Visibility::Public.as_str().into(),
            ..Typed::default()
        }
        .padded()
    }

    fn padded(mut self) -> Typed {
        if self.questions.len() < MAX_QUESTIONS {
            self.questions.resize(MAX_QUESTIONS, String::new());
        }
        self
    }

    /// The fields as the domain takes them (validated there); blank questions are left out.
    fn fields(&self) -> Result<CommunityFields, Error> {
        let membership_policy = MembershipPolicy::parse(&self.membership_policy)
            .ok_or_else(|| Error::invalid_field("membership_policy", "open, approval or invite"))?;
        let visibility = Visibility::parse(&self.visibility)
            .ok_or_else(|| Error::invalid_field("visibility", "public or private"))?;
        Ok(CommunityFields {
            title: self.title.clone(),
            summary: self.summary.clone(),
            charter: Charter {
                purpose: self.purpose.clone(),
                domain: self.domain.clone(),
                practice: self.practice.clone(),
                meeting_cadence: self.meeting_cadence.clone(),
                code_of_conduct: self.code_of_conduct.clone(),
            },
            membership_policy,
            visibility,
            posting_restricted_to_mods: self.posting_restricted_to_mods,
            questions: self
                .questions
                .iter()
                .filter(|q| !q.trim().is_empty())
                .cloned()
                .collect(),
        })
    }
}

/// Every field set: an edit form sends them all.
fn changes(f: CommunityFields) -> CommunityChanges {
    CommunityChanges {
        title: Some(f.title),
        summary: Some(f.summary),
        charter: Some(CharterChanges {
            purpose: Some(f.charter.purpose),
            domain: Some(f.charter.domain),
            practice: Some(f.charter.practice),
            meeting_cadence: Some(f.charter.meeting_cadence),
            code_of_conduct: Some(f.charter.code_of_conduct),
        }),
        membership_policy: Some(f.membership_policy),
        visibility: Some(f.visibility),
        posting_restricted_to_mods: Some(f.posting_restricted_to_mods),
        questions: Some(f.questions),
    }
}

fn form_page(frame: Frame, editing: Option<String>, typed: Typed, error: FormError) -> FormPage {
    let questions_error = std::iter::once("questions".to_string())
        .chain((0..MAX_QUESTIONS).map(|i| format!("questions[{i}]")))
        .find_map(|field| error.on(&field).map(str::to_string));
    FormPage {
        frame,
        editing,
        typed,
        error,
        questions_error,
    }
}

/// Whether the signed-in account administers the instance (401 when signed out).
fn signed_in_admin(frame: &Frame) -> Result<bool, Error> {
    let account = frame
        .account
        .as_ref()
        .ok_or_else(|| Error::unauthorized("Log in to create or edit a community."))?;
    Ok(account.user.is_admin)
}

pub async fn new_page(ctx: web::Data<AppContext>, frame: Frame) -> Result<HttpResponse, Error> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    may_create(ctx.settings(), signed_in_admin(&frame)?)?;
    html(
        StatusCode::OK,
        &form_page(frame, None, Typed::new_form(), FormError::none()),
    )
}

pub async fn create(
    ctx: web::Data<AppContext>,
    Form {
        frame,
        session,
        data,
    }: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let typed = Typed::from_pairs(data);
    let outcome = match typed.fields() {
        Ok(fields) => {
            actions::communities::create(&ctx, &session.account, typed.name.clone(), fields).await
        }
        Err(e) => Err(e),
    };
    finish(&ctx, frame, None, typed, outcome, "was created")
}

/// The community `name` if `frame`'s account may edit it: 404 if there is none here, 403 if
/// they may not.
async fn editable(ctx: &AppContext, frame: &Frame, name: &str) -> Result<Option<Community>, Error> {
    let is_admin = signed_in_admin(frame)?;
    let person_id = frame.account.as_ref().map(|a| a.person.id);
    let name = name.to_string();
    ctx.db(move |conn| {
        let Some(c) = db::communities::local_by_name(conn, &name)? else {
            return Ok(None);
        };
        let role = match person_id {
            Some(id) => db::communities::role_of(conn, c.id, id)?,
            None => None,
        };
        may_edit(role, is_admin)?;
        Ok(Some(c))
    })
    .await
}

pub async fn edit_page(
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let Some(c) = editable(&ctx, &frame, &name).await? else {
        return not_found(&ctx, format!("The community {name}"));
    };
    let typed = Typed::from_community(&c);
    let page = form_page(frame, Some(c.name), typed, FormError::none());
    html(StatusCode::OK, &page)
}

pub async fn update(
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data,
    }: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let name = name.into_inner();
    if editable(&ctx, &frame, &name).await?.is_none() {
        return not_found(&ctx, format!("The community {name}"));
    }
    let mut typed = Typed::from_pairs(data);
    typed.name = name.clone();
    let outcome = match typed.fields() {
        Ok(fields) => {
            actions::communities::update(&ctx, &session.account, name.clone(), changes(fields))
                .await
        }
        Err(e) => Err(e),
    };
    finish(&ctx, frame, Some(name), typed, outcome, "was saved")
}

/// The end of either form: the community's page with a message, the form again with the
/// refusal, or the error page (403 and our own failures).
fn finish(
    ctx: &AppContext,
    frame: Frame,
    editing: Option<String>,
    typed: Typed,
    outcome: Result<Community, Error>,
    done: &str,
) -> Result<HttpResponse, Error> {
    let e = match outcome {
        Ok(c) => {
            let message = format!("{} {done}.", c.title);
            return Ok(flash::redirect(ctx, &format!("/c/{}", c.name), &message));
        }
        Err(e) => e,
    };
    let status = reshown_status(&e).filter(|s| *s != StatusCode::FORBIDDEN);
    let Some(status) = status else {
        return Err(e);
    };
    let form = if editing.is_some() { "edit" } else { "new" };
    let page = form_page(frame, editing, typed, FormError::of(form, &e));
    html(status, &page)
}

impl FormPage {
    fn form(&self) -> &'static str {
        if self.editing.is_some() {
            "edit"
        } else {
            "new"
        }
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(name) => format!("/c/{name}/edit"),
            None => "/communities/new".into(),
        }
    }
}
