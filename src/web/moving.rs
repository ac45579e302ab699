//! `/c/{name}/move`: moving a community, for its owners: the aliases form (this community
//! continues another one, the new community's first step) and the move form (this community
//! moves to another one that lists it), through `actions::moving`; and `/c/{name}/archive.json`,
//! the community's archive to download (`actions::archive`).

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html,
    links::owned,
    not_found, see_other,
};
use crate::{
    actions,
    context::RequestData,
    db::communities::Community,
    error::{Error, ErrorKind},
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "move.html", config = "src/web/askama.toml")]
struct MovePage {
    frame: Frame,
    c: Community,
    aliases: Vec<String>,
    /// What was typed into a refused form (`alias` or `target`).
    alias: String,
    target: String,
    error: FormError,
}

fn page_of(frame: Frame, c: Community, typed: (String, String), error: FormError) -> MovePage {
    MovePage {
        frame,
        aliases: c.aliases(),
        c,
        alias: typed.0,
        target: typed.1,
        error,
    }
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
    let page = page_of(frame, c, Default::default(), FormError::none());
    html(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct Typed {
    community: String,
}

/// `POST /c/{name}/aliases` (`MOVE` false) and `POST /c/{name}/move` (true).
pub async fn submit<const MOVE: bool>(
    data: RequestData,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data: form,
    }: Form<Typed>,
) -> Result<HttpResponse, Error> {
    let Some(c) = owned(&data, &frame, &name).await? else {
        return not_found(&data, format!("The community {name}"));
    };
    let (account, name) = (&session.account, c.name.clone());
    let outcome = match MOVE {
        true => actions::moving::start(&data, account, name, &form.community).await,
        false => actions::moving::add_alias(&data, account, name, &form.community).await,
    };
    let e = match outcome {
        Ok(moved) if MOVE => {
            let done = format!("{} has moved.", moved.title);
            return Ok(flash::redirect(&data, &format!("/c/{}", moved.name), &done));
        }
        Ok(c) => {
            let done = format!("{} now also goes by {}.", c.title, form.community.trim());
            return Ok(flash::redirect(
                &data,
                &format!("/c/{}/move", c.name),
                &done,
            ));
        }
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e).filter(|s| *s != StatusCode::FORBIDDEN) else {
        return Err(e);
    };
    let (which, typed) = match MOVE {
        true => ("move", (String::new(), form.community)),
        false => ("alias", (form.community, String::new())),
    };
    html(status, &page_of(frame, c, typed, FormError::of(which, &e)))
}

/// `GET /c/{name}/archive.json`: the archive, for the community's owners.
pub async fn archive(
    data: RequestData,
    frame: Frame,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let viewer = frame.viewer();
    match crate::views::archive::for_viewer(&data, viewer, &name).await {
        Ok(archive) => crate::feeds::archive_site::download(&name, &archive),
        Err(e) if e.kind == ErrorKind::Unauthorized => Ok(see_other("/login")),
        Err(e) => Err(e),
    }
}
