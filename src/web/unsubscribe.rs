//! One-click unsubscribe (RFC 8058) at `/mail/unsubscribe/{token}`, usable signed out. The GET
//! shows what the link stops and one button, and changes nothing (mail scanners open links).
//! The POST unsubscribes; it is exempt from the CSRF and origin checks because mail providers
//! send it from their own servers (`List-Unsubscribe=One-Click`, no cookie, no `Origin`): the
//! link's token is the proof (`mail::unsubscribe`). A forged or altered token is the 400 page.

use super::{frame::Frame, render};
use crate::{actions::mail_preferences, context::AppContext, error::Error};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "unsubscribe.html", config = "src/web/askama.toml")]
struct UnsubscribePage {
    frame: Frame,
    token: String,
    name: String,
    what: &'static str,
    /// Whether that mail is off (already, or after the POST).
    off: bool,
    /// Whether this page answers the POST.
    done: bool,
}

/// `GET /mail/unsubscribe/{token}`: the page with the button.
pub async fn page(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    token: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let token = token.into_inner();
    let link = mail_preferences::describe(&ctx, &token).await?;
    let page = UnsubscribePage {
        frame,
        token,
        name: link.name,
        what: link.scope.describe(),
        off: link.already,
        done: false,
    };
    Ok(render(&req, StatusCode::OK, page))
}

/// `POST /mail/unsubscribe/{token}`: the button, or a mail provider's one-click POST (body
/// `List-Unsubscribe=One-Click`, read by nobody: the link says everything).
pub async fn unsubscribe(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    token: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let token = token.into_inner();
    let link = mail_preferences::unsubscribe(&ctx, &token).await?;
    let page = UnsubscribePage {
        frame,
        token,
        name: link.name,
        what: link.scope.describe(),
        off: true,
        done: true,
    };
    Ok(render(&req, StatusCode::OK, page))
}
