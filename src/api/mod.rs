//! The JSON client API under `/api/v1`. Handlers only parse, authorise, call `actions/` and
//! render; they never see ActivityPub types. Every endpoint is in the OpenAPI document served at
//! `/api/v1/openapi.json`.

pub mod account_mail;
pub mod accounts;
pub mod admin;
pub mod attachments;
pub mod calendars;
pub mod communities;
pub mod digests;
pub mod events;
pub mod extract;
pub mod health;
pub mod library;
pub mod library_thread;
pub mod links;
pub mod members;
pub mod moderation;
pub mod moving;
pub mod notifications;
pub mod openapi;
pub mod polls;
pub mod posts;
pub mod queue;
pub mod resources;
pub mod search;
pub mod series;
pub mod sharing;
mod strict_json;
pub mod surveys;
pub mod upload;

use crate::error::{Error, ErrorKind};
use actix_web::{web, HttpResponse};

/// Mounts the API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                Error::new(ErrorKind::BadRequest, "invalid_query", e.to_string()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                Error::new(ErrorKind::BadRequest, "invalid_path", e.to_string()).into()
            }))
            // The reads asked for most come first: the router tries each route's pattern in
            // order (with `regex-lite`, Cargo.toml), and a listing or thread need not wait
            // behind the rest.
            .route("/communities/{ref}/posts", web::post().to(posts::create))
            .route("/communities/{ref}/posts", web::get().to(posts::list))
            .route("/posts/{id}", web::get().to(posts::get))
            .route("/posts/{id}/comments", web::post().to(posts::comment))
            .route("/posts/{id}/comments", web::get().to(posts::comments))
            .route("/openapi.json", web::get().to(openapi::document))
            .route("/accounts", web::post().to(accounts::register))
            .route("/sessions", web::post().to(accounts::log_in))
            .route("/sessions", web::delete().to(accounts::log_out))
            .route("/me", web::get().to(accounts::me))
            .route("/me/feed", web::get().to(accounts::feed))
            .route("/me/feed", web::post().to(accounts::new_feed))
            .route("/me/email", web::put().to(account_mail::change_email))
            .route("/notifications", web::get().to(notifications::list))
            .route(
                "/notifications/read",
                web::post().to(notifications::mark_all_read),
            )
            .route(
                "/notifications/{id}/read",
                web::post().to(notifications::mark_read),
            )
            .route("/me/digests", web::get().to(digests::get))
            .route("/me/digests", web::put().to(digests::put))
            .route(
                "/communities/{ref}/digest",
                web::put().to(digests::community),
            )
            .route(
                "/communities/{ref}/federated-digest",
                web::put().to(digests::federated),
            )
            .route(
                "/password-reset",
                web::post().to(account_mail::request_reset),
            )
            .route(
                "/password-reset/complete",
                web::post().to(account_mail::complete_reset),
            )
            .route("/email-confirmation", web::post().to(account_mail::confirm))
            .route(
                "/email-confirmation/resend",
                web::post().to(account_mail::resend),
            )
            .route("/admin/instances", web::get().to(admin::instances))
            .route("/admin/queue", web::get().to(queue::queue))
            .route("/admin/health", web::get().to(health::instance))
            .route(
                "/communities/{ref}/health",
                web::get().to(health::community),
            )
            .route("/admin/instances", web::post().to(admin::add_instance))
            .route(
                "/admin/instances/{host}",
                web::delete().to(admin::remove_instance),
            )
            .route("/admin/users", web::get().to(admin::users))
            .route(
                "/admin/users/{name}/suspend",
                web::post().to(admin::suspend),
            )
            .route(
                "/admin/users/{name}/unsuspend",
                web::post().to(admin::unsuspend),
            )
            .route(
                "/admin/users/{name}/admin",
                web::post().to(admin::set_admin),
            )
            .route(
                "/admin/users/{name}/approve",
                web::post().to(admin::approve),
            )
            .route("/admin/users/{name}/reject", web::post().to(admin::reject))
            .route("/communities", web::get().to(communities::list))
            .route("/communities", web::post().to(communities::create))
            .route("/communities/{name}", web::get().to(communities::get))
            .route("/communities/{name}", web::patch().to(communities::update))
            .route("/communities/{name}/links", web::post().to(links::add))
            .route("/communities/{name}/links", web::delete().to(links::remove))
            .route(
                "/communities/{name}/aliases",
                web::post().to(moving::add_alias),
            )
            .route("/communities/{name}/move", web::post().to(moving::start))
            .route(
                "/communities/{name}/archive",
                web::get().to(moving::archive),
            )
            .route("/communities/{ref}/join", web::post().to(members::join))
            .route("/communities/{ref}/join", web::delete().to(members::leave))
            .route("/communities/{ref}/members", web::get().to(members::list))
            .route(
                "/communities/{name}/applications",
                web::get().to(members::applications),
            )
            .route(
                "/communities/{name}/applications/{person_id}/approve",
                web::post().to(members::approve),
            )
            .route(
                "/communities/{name}/applications/{person_id}/reject",
                web::post().to(members::reject),
            )
            .route("/communities/{ref}/events", web::post().to(events::create))
            .route("/communities/{ref}/events", web::get().to(events::list))
            .route("/events/{id}", web::get().to(events::get))
            .route("/events/{id}", web::put().to(events::edit))
            .route("/events/{id}/status", web::post().to(events::status))
            .route("/events/{id}/rsvp", web::post().to(events::rsvp))
            .route("/events/{id}/decisions", web::post().to(events::decide))
            .route("/events/{id}/record", web::put().to(events::record))
            .route("/events/{id}/agenda", web::put().to(events::agenda))
            .route("/communities/{ref}/pages", web::get().to(library::list))
            .route("/communities/{ref}/pages", web::post().to(library::create))
            .route(
                "/communities/{ref}/pages/{slug}",
                web::get().to(library::get),
            )
            .route(
                "/communities/{ref}/pages/{slug}",
                web::put().to(library::edit),
            )
            .route(
                "/communities/{ref}/pages/{slug}/revisions",
                web::get().to(library::revisions),
            )
            .route(
                "/communities/{ref}/pages/{slug}/diff",
                web::get().to(library::diff),
            )
            .route(
                "/communities/{ref}/pages/{slug}/restore",
                web::post().to(library::restore),
            )
            .route("/communities/{ref}/library", web::put().to(library::rights))
            .route(
                "/communities/{ref}/resources",
                web::get().to(resources::list),
            )
            .route(
                "/communities/{ref}/resources",
                web::post().to(resources::add_link),
            )
            .route(
                "/communities/{ref}/files",
                web::post().to(resources::upload),
            )
            .route(
                "/communities/{ref}/resources/{id}",
                web::delete().to(resources::remove),
            )
            .route("/posts/{id}/library", web::get().to(library_thread::links))
            .route("/posts/{id}/page", web::post().to(library_thread::make))
            .route("/communities/{ref}/series", web::post().to(series::create))
            .route("/series/{id}", web::get().to(series::get))
            .route("/series/{id}", web::put().to(series::edit))
            .route("/posts/{id}/vote", web::post().to(posts::vote_post))
            .route("/communities/{ref}/polls", web::post().to(polls::create))
            .route("/posts/{id}/poll", web::get().to(polls::get))
            .route("/posts/{id}/poll/votes", web::post().to(polls::vote))
            .route("/communities/{ref}/surveys", web::get().to(surveys::list))
            .route(
                "/communities/{ref}/surveys",
                web::post().to(surveys::create),
            )
            .route("/surveys/{id}", web::get().to(surveys::get))
            .route("/surveys/{id}/answers", web::post().to(surveys::answer))
            .route("/surveys/{id}/results", web::get().to(surveys::results))
            .route("/comments/{id}/vote", web::post().to(posts::vote_comment))
            .route("/resolve", web::get().to(search::resolve))
            .route("/search", web::get().to(search::search))
            .route("/posts/{id}/lock", web::post().to(posts::lock))
            .route("/posts/{id}/pin", web::post().to(posts::pin))
            .route("/posts/{id}/communities", web::post().to(sharing::share))
            .route(
                "/posts/{id}/communities/{name}",
                web::delete().to(sharing::unshare),
            )
            .route("/communities/{name}/bans", web::post().to(members::ban))
            .route(
                "/communities/{name}/bans/{person_id}",
                web::delete().to(members::unban),
            )
            .route(
                "/communities/{name}/moderators",
                web::post().to(moderation::appoint),
            )
            .route(
                "/communities/{name}/moderators/{person_id}",
                web::delete().to(moderation::dismiss),
            )
            .route(
                "/posts/{id}/restore",
                web::post().to(moderation::restore_post),
            )
            .route(
                "/comments/{id}/restore",
                web::post().to(moderation::restore_comment),
            )
            .route(
                "/posts/{id}/report",
                web::post().to(moderation::report_post),
            )
            .route(
                "/comments/{id}/report",
                web::post().to(moderation::report_comment),
            )
            .route(
                "/communities/{ref}/reports",
                web::get().to(moderation::reports),
            )
            .route(
                "/reports/{id}/resolve",
                web::post().to(moderation::resolve_report),
            )
            .route(
                "/communities/{name}/invitations",
                web::post().to(moderation::invite),
            )
            .route(
                "/communities/{name}/invitations",
                web::get().to(moderation::invitations),
            )
            .route(
                "/communities/{name}/invitations/{person_id}",
                web::delete().to(moderation::withdraw_invitation),
            )
            .route(
                "/communities/{name}/calendars",
                web::get().to(calendars::calendars),
            )
            .route(
                "/communities/{name}/calendars",
                web::post().to(calendars::follow_calendar),
            )
            .route(
                "/communities/{name}/calendars/{id}",
                web::delete().to(calendars::unfollow_calendar),
            )
            .route(
                "/communities/{ref}/modlog",
                web::get().to(moderation::modlog),
            )
            .route("/posts/{id}", web::patch().to(posts::edit_post))
            .route("/posts/{id}", web::delete().to(posts::delete_post))
            .route("/comments/{id}", web::patch().to(posts::edit_comment))
            .route("/comments/{id}", web::delete().to(posts::delete_comment))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(Error::new(
                    ErrorKind::NotFound,
                    "no_such_endpoint",
                    "no such API endpoint or method; see /api/v1/openapi.json",
                ))
            })),
    );
}

/// Who is asking: the signed-in person (and whether an instance admin), or nobody.
pub fn viewer(account: Option<&crate::db::accounts::Account>) -> crate::views::gate::Viewer {
    use crate::views::gate::Viewer;
    match account {
        Some(a) => Viewer::person(a.person.id, a.user.is_admin),
        None => Viewer::Anonymous,
    }
}

/// `name@host` of an actor: the host (and port) of its id, so local and remote read alike.
pub fn handle(ctx: &crate::context::AppContext, name: &str, ap_id: &url::Url) -> String {
    crate::domain::names::handle(name, ap_id, &ctx.settings().hostname)
}

/// Reads `limit` (1–100, default 50) and a numeric `cursor` of a paged list.
pub fn page_params(limit: Option<i64>, cursor: Option<&str>) -> Result<(i64, Option<i64>), Error> {
    let limit = limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid_field("limit", "must be between 1 and 100"));
    }
    let cursor = cursor
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| Error::invalid_field("cursor", "not a cursor returned by this API"))
        })
        .transpose()?;
    Ok((limit, cursor))
}
