//! The inboxes (`/inbox`, `/c/{name}/inbox`, `/u/{name}/inbox`): one handler. The library checks
//! the Digest and the HTTP signature of the actor it fetches; each activity's `verify` then its
//! `receive` apply it. Replays are answered 2xx with no second effect.

use super::{
    activities::{InboxActivity, RemoteActor},
    FedData,
};
use crate::error::{Error, ErrorKind};
use activitypub_federation::{actix_web::inbox::receive_activity, protocol::context::WithContext};
use actix_web::{web, web::Bytes, HttpRequest, HttpResponse};

/// Largest inbox body (bytes); larger is 413.
pub const MAX_INBOX_BODY: usize = 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let limit = web::PayloadConfig::new(MAX_INBOX_BODY);
    for path in ["/inbox", "/c/{name}/inbox", "/u/{name}/inbox"] {
        cfg.service(
            web::resource(path)
                .app_data(limit.clone())
                .route(web::post().to(inbox)),
        );
    }
}

async fn inbox(request: HttpRequest, body: Bytes, data: FedData) -> Result<HttpResponse, Error> {
    if request.headers().get("signature").is_none() {
        return Err(Error::new(
            ErrorKind::Unauthorized,
            "unsigned",
            "inbox requests must carry an HTTP signature",
        ));
    }
    receive_activity::<WithContext<InboxActivity>, RemoteActor, _>(request, body, &data).await
}
