//! `/c/{name}/links`: a community's typed links for its owners (a table of them, each with a
//! remove button, and a form to add one: a relation and a community's name, handle or URL),
//! through `actions::links`; and the grouping the community page shows them in.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, not_found, see_other,
};
use crate::{
    actions,
    context::RequestData,
    db::{self, communities::Community, links::LinkedCommunity},
    domain::{
        links::{may_link, standing, Relation, Standing},
        names::handle,
    },
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// One link as a page shows it.
pub struct LinkLine {
    pub relation: Relation,
    /// `name@host` of the linked community, and its page's path after `/c/`.
    pub handle: String,
    pub path: String,
    pub title: String,
    pub ap_id: String,
    pub remote: bool,
    pub standing: Standing,
}

impl LinkLine {
    pub fn of(l: LinkedCommunity, our_host: &str) -> LinkLine {
        let handle = handle(&l.target.name, &l.target.ap_id, our_host);
        LinkLine {
            relation: l.relation,
            path: super::community::path_of(&handle, our_host),
            handle,
            title: l.target.title,
            ap_id: l.target.ap_id.to_string(),
            remote: !l.target.local,
            standing: standing(l.relation, l.back),
        }
    }

    pub fn standing_text(&self) -> &'static str {
        match self.standing {
            Standing::Confirmed => "confirmed",
            Standing::OneSided => "one-sided",
            Standing::Declared => "declared",
        }
    }
}

/// A community's links grouped by relation, in the order of `Relation::ALL`: (heading, links).
pub fn groups(links: Vec<LinkedCommunity>, our_host: &str) -> Vec<(&'static str, Vec<LinkLine>)> {
    let mut lines: Vec<LinkLine> = links
        .into_iter()
        .map(|l| LinkLine::of(l, our_host))
        .collect();
    Relation::ALL
        .into_iter()
        .filter_map(|r| {
            let (these, rest): (Vec<_>, Vec<_>) = lines.drain(..).partition(|l| l.relation == r);
            lines = rest;
            (!these.is_empty()).then_some((r.label(), these))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "links.html", config = "src/web/askama.toml")]
struct LinksPage {
    frame: Frame,
    c: Community,
    links: Vec<LinkLine>,
    /// What was typed into a refused form.
    relation: String,
    target: String,
    error: FormError,
}

impl LinksPage {
    fn relations(&self) -> Vec<(&'static str, &'static str, bool)> {
        Relation::ALL
            .into_iter()
            .map(|r| (r.as_str(), choice(r), r.as_str() == self.relation))
            .collect()
    }
}

/// What the other community is, as the form's menu says it.
fn choice(r: Relation) -> &'static str {
    match r {
        Relation::Sibling => "a sibling community",
        Relation::Parent => "its parent network (this one is a chapter of it)",
        Relation::Child => "a chapter of this one",
        Relation::Partner => "a partner",
        Relation::SupersededBy => "its successor (this one is superseded by it)",
    }
}

/// The local community `name` if the signed-in reader owns it: 404 if there is none, 403 if they
/// do not own it.
pub(super) async fn owned(
    data: &RequestData,
    frame: &Frame,
    name: &str,
) -> Result<Option<Community>, Error> {
    let person_id = frame.account.as_ref().map(|a| a.person.id);
    let name = name.to_string();
    data.db(move |conn| {
        let Some(c) = db::communities::local_by_name(conn, &name)? else {
            return Ok(None);
        };
        let role = match person_id {
            Some(id) => db::communities::role_of(conn, c.id, id)?,
            None => None,
        };
        may_link(role)?;
        Ok(Some(c))
    })
    .await
}

async fn show(
    data: &RequestData,
    frame: Frame,
    c: Community,
    typed: (String, String),
    error: FormError,
    status: StatusCode,
) -> Result<HttpResponse, Error> {
    let host = data.settings().hostname.clone();
    let links = actions::links::of(data, c.id)
        .await?
        .into_iter()
        .map(|l| LinkLine::of(l, &host))
        .collect();
    let (relation, target) = typed;
    let page = LinksPage {
        frame,
        c,
        links,
        relation,
        target,
        error,
    };
    html(status, &page)
}

pub async fn page(
    data: RequestData,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    if frame.account.is_none() {
        return Ok(see_other("/login"));
    }
    let Some(c) = owned(&data, &frame, &name).await? else {
        return not_found(&data, format!("The community {name}"));
    };
    let typed = (Relation::Sibling.as_str().to_string(), String::new());
    show(&data, frame, c, typed, FormError::none(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AddLink {
    relation: String,
    target: String,
}

pub async fn add(
    data: RequestData,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data: form,
    }: Form<AddLink>,
) -> Result<HttpResponse, Error> {
    let Some(c) = owned(&data, &frame, &name).await? else {
        return not_found(&data, format!("The community {name}"));
    };
    let outcome = match Relation::parse_field("relation", &form.relation) {
        Ok(relation) => {
            let name = c.name.clone();
            actions::links::add(&data, &session.account, name, &form.target, relation).await
        }
        Err(e) => Err(e),
    };
    let e = match outcome {
        Ok(_) => {
            let done = format!("{} now links to {}.", c.title, form.target.trim());
            return Ok(flash::redirect(
                &data,
                &format!("/c/{}/links", c.name),
                &done,
            ));
        }
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e).filter(|s| *s != StatusCode::FORBIDDEN) else {
        return Err(e);
    };
    let typed = (form.relation, form.target);
    show(&data, frame, c, typed, FormError::of("add", &e), status).await
}

#[derive(Deserialize)]
pub struct RemoveLink {
    target: String,
}

pub async fn remove(
    data: RequestData,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data: form,
    }: Form<RemoveLink>,
) -> Result<HttpResponse, Error> {
    let Some(c) = owned(&data, &frame, &name).await? else {
        return not_found(&data, format!("The community {name}"));
    };
    let name = c.name.clone();
    actions::links::remove(&data, &session.account, name, form.target).await?;
    let done = format!("The link of {} was removed.", c.title);
    Ok(flash::redirect(
        &data,
        &format!("/c/{}/links", c.name),
        &done,
    ))
}
