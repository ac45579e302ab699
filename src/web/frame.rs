//! `Frame`: what the layout around every page needs, taken from the request: the instance's
//! name, the signed-in account (from the same session lookup as the API's `Auth`), the form
//! token of its session, its unread notifications, and the flash message left by the previous
//! write.

use super::{assets, csrf, flash};
use crate::{api::extract, context::AppContext, db::accounts::Account, error::Error};
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures::future::LocalBoxFuture;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Marks a request whose session cookie names no live session.
#[derive(Clone, Copy)]
pub struct StaleSession;

pub struct Frame {
    pub hostname: String,
    pub version: &'static str,
    /// The signed-in account, if any.
    pub account: Option<Account>,
    /// The form token of the session (empty when signed out), for the layout's log-out button
    /// and every form of a signed-in page.
    pub csrf_token: String,
    pub flash: Option<String>,
    /// The signed-in account's unread notifications (capped: `db::notifications::COUNT_CAP`).
    pub unread: i64,
}

impl Frame {
    /// Who reads, for the read gate (`views::gate`).
    pub fn viewer(&self) -> crate::views::gate::Viewer {
        crate::api::viewer(self.account.as_ref())
    }

    /// The frame of a request (its session is looked up once per request).
    pub async fn of(req: &HttpRequest) -> Result<Frame, Error> {
        let ctx = context(req)?;
        let session = extract::session(req).await?;
        if session.is_none() && super::session::cookie_token(req, ctx.settings()).is_some() {
            // A cookie whose session has ended (logged out elsewhere, expired, password
            // changed): the page middleware clears it.
            req.extensions_mut().insert(StaleSession);
        }
        // One bounded index read per signed-in page (signed-out pages skip it and may be cached).
        let unread = match &session {
            Some(s) => crate::actions::notifications::unread(&ctx, s.account.user.id).await?,
            None => 0,
        };
        Ok(Frame {
            unread,
            hostname: ctx.settings().hostname.clone(),
            version: VERSION,
            csrf_token: session
                .as_ref()
                .map(|s| csrf::token(&ctx, s.credential.token()))
                .unwrap_or_default(),
            account: session.map(|s| s.account),
            flash: flash::read(req, &ctx),
        })
    }

    /// A frame for when the session cannot be looked up (an error page while the database is
    /// down): signed out.
    pub fn signed_out(req: &HttpRequest) -> Frame {
        Frame {
            hostname: context(req)
                .map(|ctx| ctx.settings().hostname.clone())
                .unwrap_or_default(),
            version: VERSION,
            account: None,
            csrf_token: String::new(),
            flash: None,
            unread: 0,
        }
    }

    pub fn pico_file(&self) -> String {
        assets::pico_file()
    }

    /// The header's count: `99+` past the cap.
    pub fn unread_label(&self) -> String {
        if self.unread > crate::db::notifications::COUNT_CAP {
            format!("{}+", crate::db::notifications::COUNT_CAP)
        } else {
            self.unread.to_string()
        }
    }

    pub fn copse_file(&self) -> String {
        assets::copse_file()
    }
}

/// The instance's context from the request.
pub fn context(req: &HttpRequest) -> Result<web::Data<AppContext>, Error> {
    req.app_data::<web::Data<AppContext>>()
        .cloned()
        .ok_or_else(|| Error::internal(anyhow::anyhow!("AppContext missing")))
}

impl FromRequest for Frame {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Frame::of(&req).await })
    }
}
