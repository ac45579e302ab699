//! `/settings/digests`: one's digest frequency, local hour and time zone, and a frequency for
//! each of one's communities; the "digest: weekly" form on a community's page
//! (`/c/{name}/digest`), and the owner's choice to publish the weekly digest to the fediverse
//! (`/c/{name}/federated-digest`). Each form goes through `actions::digests` and ends in a
//! redirect with a flash message.

use super::{
    community::{by_reference, path_of},
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    not_found, render, see_other,
};
use crate::{
    actions::{self, digests::DigestChoice},
    context::{AppContext, RequestData},
    domain::{digests::Frequency, names::handle},
    error::Error,
    views,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// The choices of the frequency menus: (value, label).
const FREQUENCIES: [(&str, &str); 4] = [
    ("off", "off"),
    ("daily", "daily"),
    ("weekly", "weekly"),
    ("monthly", "monthly"),
];

struct CommunityChoice {
    title: String,
    path: String,
    /// `default` or a frequency.
    choice: String,
}

#[derive(Template)]
#[template(path = "digests.html", config = "src/web/askama.toml")]
struct DigestsPage {
    frame: Frame,
    frequencies: [(&'static str, &'static str); 4],
    frequency: String,
    hour: String,
    timezone: String,
    own_timezone: bool,
    default_zone: String,
    communities: Vec<CommunityChoice>,
    error: FormError,
}

async fn digests_page(
    ctx: &AppContext,
    frame: Frame,
    typed: Option<DigestForm>,
    error: FormError,
) -> Result<Option<DigestsPage>, Error> {
    let Some(account) = frame.account.clone() else {
        return Ok(None);
    };
    let zone = ctx.settings().default_timezone.clone();
    let (user, person) = (account.user.id, account.person.id);
    let z = zone.clone();
    let choices = ctx
        .db(move |conn| views::digests::choices(conn, &z, user, person))
        .await?;
    let host = ctx.settings().hostname.clone();
    let p = choices.preferences;
    let communities = choices
        .communities
        .into_iter()
        .map(|(c, f)| CommunityChoice {
            path: path_of(&handle(&c.name, &c.ap_id, &host), &host),
            title: c.title,
            choice: f.map_or("default", Frequency::as_str).to_string(),
        })
        .collect();
    let (frequency, hour, timezone) = match typed {
        Some(t) => (t.frequency, t.hour, t.timezone),
        None => (
            p.frequency.as_str().to_string(),
            p.hour.to_string(),
            match p.own_timezone {
                true => p.timezone.name().to_string(),
                false => String::new(),
            },
        ),
    };
    Ok(Some(DigestsPage {
        frame,
        frequencies: FREQUENCIES,
        frequency,
        hour,
        timezone,
        own_timezone: p.own_timezone,
        default_zone: zone,
        communities,
        error,
    }))
}

pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
) -> Result<HttpResponse, Error> {
    Ok(
        match digests_page(&ctx, frame, None, FormError::none()).await? {
            Some(page) => render(&req, StatusCode::OK, page),
            None => see_other("/login"),
        },
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DigestForm {
    frequency: String,
    hour: String,
    timezone: String,
}

/// The default choice: saved, or the form again with the error next to its field.
pub async fn save(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    Form {
        frame,
        session,
        data,
    }: Form<DigestForm>,
) -> Result<HttpResponse, Error> {
    let outcome = match data.hour.trim().parse::<i64>() {
        Ok(hour) => {
            let choice = DigestChoice {
                frequency: data.frequency.clone(),
                hour,
                timezone: data.timezone.clone(),
            };
            actions::digests::choose(&ctx, &session.account, choice).await
        }
        Err(_) => Err(Error::invalid_field(
            "hour",
            "expected an hour from 0 to 23",
        )),
    };
    let e = match outcome {
        Ok(()) => {
            return Ok(flash::redirect(
                &ctx,
                "/settings/digests",
                "Your digest choice was saved.",
            ))
        }
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let page = digests_page(&ctx, frame, Some(data), FormError::of("digests", &e))
        .await?
        .ok_or_else(|| Error::unauthorized("log in first"))?;
    Ok(render(&req, status, page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommunityForm {
    frequency: String,
    /// `settings`: back to the settings page rather than the community's.
    back: String,
}

/// One community's frequency, from its page or the settings page.
pub async fn community(
    data: RequestData,
    name: web::Path<String>,
    Form {
        session,
        data: form,
        ..
    }: Form<CommunityForm>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = by_reference(&data, &reference, false).await? else {
        return not_found(&data, format!("The community {reference}"));
    };
    actions::digests::choose_for_community(&data, &session.account, &c, &form.frequency).await?;
    let back = match form.back.as_str() {
        "settings" => "/settings/digests".to_string(),
        _ => format!("/c/{reference}"),
    };
    let done = match form.frequency.as_str() {
        "default" | "" => format!("Digests of {} follow your default again.", c.title),
        f => format!("Digests of {}: {f}.", c.title),
    };
    Ok(flash::redirect(&data, &back, &done))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FederatedForm {
    federate: bool,
}

/// The owner publishes (or stops publishing) the community's weekly digest.
pub async fn federated(
    data: RequestData,
    name: web::Path<String>,
    Form {
        session,
        data: form,
        ..
    }: Form<FederatedForm>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = by_reference(&data, &reference, false).await? else {
        return not_found(&data, format!("The community {reference}"));
    };
    actions::digests::set_federated(&data, &session.account, &c, form.federate).await?;
    let done = match form.federate {
        true => "The weekly digest will be published to the community's followers.",
        false => "The weekly digest is no longer published.",
    };
    Ok(flash::redirect(&data, &format!("/c/{reference}"), done))
}
