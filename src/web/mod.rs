//! Server-rendered HTML pages (askama templates, checked at compile time) and their forms:
//! sessions in a cookie (`session`), CSRF checks (`csrf`), post/redirect/get with flash messages
//! (`flash`), HTML error pages and security headers (`errors`), the layout's frame (`frame`),
//! form extractors (`form`), the vendored stylesheets (`assets`); the pages themselves in
//! `communities` (the directory and home), `community` (a community's page, joining and
//! leaving), `community_form` (creating and editing), `links` (its typed links), `moving` (moving it), `search` (full-text), `threads` with `thread_forms` and
//! `thread_moderation` (reading and writing in threads), `people`, `auth` (sign-up, log-in,
//! log-out), `account_mail` (forgotten password, reset and confirmation links), `unsubscribe`
//! (one-click unsubscribe links of mail), `notifications` (the list and the mail settings form),
//! `settings`, the library (`library`, its forms in `library_forms`), the
//! moderators' `moderation` (with `moderation_forms`), `health` (the health figures of a
//! community and of the instance, drawn by `health_charts`), `surveys` (with `survey_forms`; their
//! results drawn by `health_charts` too), and the administrators' `admin`
//! (with its forms in `admin_forms`). Same flow as `api/`, HTML out; writes go through `actions/`.

mod account_mail;
mod admin;
mod admin_forms;
pub mod assets;
mod auth;
mod communities;
mod community;
mod community_form;
pub mod csrf;
mod digests;
pub mod errors;
mod event_answers;
mod event_forms;
mod events;
pub mod flash;
pub mod form;
pub mod frame;
mod health;
mod health_charts;
mod library;
mod library_forms;
mod library_thread;
mod links;
mod moderation;
mod moderation_forms;
mod moving;
mod notifications;
mod people;
mod polls;
mod resources;
mod search;
mod series;
pub mod session;
mod settings;
mod survey_forms;
mod surveys;
mod thread_forms;
mod thread_moderation;
mod thread_sharing;
mod threads;
mod unsubscribe;

use crate::error::{Error, ErrorKind};
use actix_web::{http::StatusCode, middleware::from_fn, web, HttpRequest, HttpResponse, Responder};
use askama::Template;
use askama_web::WebTemplateExt;

// Every page a GET reaches (the table tests enumerate: tests/integration/read_gate.rs).
get_routes!(PATHS, page_routes, |_| true, {
    "/static/{file}" => assets::stylesheet,
    "/" => communities::home,
    "/communities" => communities::directory,
    "/search" => search::page,
    "/communities/new" => community_form::new_page,
    "/c/{name}" => community::page,
    "/c/{name}/edit" => community_form::edit_page,
    "/c/{name}/links" => links::page,
    "/c/{name}/move" => moving::page,
    "/c/{name}/submit" => threads::submit_form,
    "/c/{name}/events.ics" => events::community_ics,
    "/c/{name}/events" => events::list,
    "/c/{name}/events/new" => event_forms::new_form,
    "/c/{name}/library" => library::library,
    "/c/{name}/library/new" => library_forms::new_form,
    "/c/{name}/library/resources" => resources::resources,
    "/c/{name}/library/files/{id}/{file}" => resources::download,
    "/c/{name}/library/{slug}" => library::page,
    "/c/{name}/library/{slug}/edit" => library_forms::edit_form,
    "/c/{name}/library/{slug}/history" => library::history,
    "/c/{name}/library/{slug}/diff" => library::diff,
    "/c/{name}/library/{slug}/revisions/{n}" => library::revision,
    "/c/{name}/surveys" => surveys::list,
    "/c/{name}/surveys/new" => survey_forms::new_form,
    "/surveys/{id}" => surveys::page,
    "/surveys/{id}/results" => surveys::results,
    "/surveys/{id}/results.csv" => surveys::results_csv,
    "/events/{id}.ics" => events::event_ics,
    "/events/{id}" => events::page,
    "/events/{id}/edit" => event_forms::edit_form,
    "/series/{id}" => series::page,
    "/series/{id}/edit" => series::edit_form,
    "/u/{name}" => people::person,
    "/post/{id}" => threads::thread,
    "/post/{id}/edit" => thread_forms::edit_form::<true>,
    "/post/{id}/poll" => polls::page,
    "/post/{id}/page" => library_thread::form,
    "/comment/{id}" => threads::comment,
    "/comment/{id}/edit" => thread_forms::edit_form::<false>,
    "/signup" => auth::signup_page,
    "/login" => auth::login_page,
    "/password/forgot" => account_mail::forgot_page,
    "/password/reset" => account_mail::reset_page,
    "/confirm-email" => account_mail::confirm_page,
    "/confirm-email/resend" => account_mail::resend_page,
    "/mail/unsubscribe/{token}" => unsubscribe::page,
    "/settings" => settings::page,
    "/notifications" => notifications::page,
    "/settings/digests" => digests::page,
    "/admin" => admin::overview,
    "/admin/users" => admin::users,
    "/admin/instances" => admin::instances,
    "/admin/queue" => admin::queue,
    "/c/{name}/moderation" => moderation::moderation,
    "/c/{name}/health" => health::community_page,
    "/c/{name}/health.csv" => health::community_csv,
    "/admin/health" => health::instance_page,
    "/admin/health.csv" => health::instance_csv,
});

/// Mounts the pages. They come last: the API and the federation routes (e.g. `/c/{name}` asked
/// for as ActivityPub JSON) match first; whatever they leave is a page, or the HTML 404.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(from_fn(errors::pages))
            .configure(page_routes)
            // The feeds share the pages' errors: a feed that does not exist is the HTML 404.
            .configure(crate::feeds::routes)
            .route("/signup", web::post().to(auth::signup))
            .route("/login", web::post().to(auth::login))
            .route("/logout", web::post().to(auth::logout))
            .route("/password/forgot", web::post().to(account_mail::forgot))
            .route("/password/reset", web::post().to(account_mail::reset))
            .route("/confirm-email", web::post().to(account_mail::confirm))
            .route(
                "/confirm-email/resend",
                web::post().to(account_mail::resend),
            )
            // No CSRF or origin check: mail providers post it (RFC 8058); the token is the proof.
            .route(
                "/mail/unsubscribe/{token}",
                web::post().to(unsubscribe::unsubscribe),
            )
            .route("/settings/profile", web::post().to(settings::profile))
            .route("/settings/email", web::post().to(settings::email))
            .route("/settings/password", web::post().to(settings::password))
            .route("/settings/feed", web::post().to(settings::feed))
            .route("/settings/mail", web::post().to(notifications::mail))
            .route(
                "/notifications/read",
                web::post().to(notifications::mark_all_read),
            )
            .route(
                "/notifications/{id}/read",
                web::post().to(notifications::mark_read),
            )
            .route("/settings/digests", web::post().to(digests::save))
            .route("/c/{name}/digest", web::post().to(digests::community))
            .route(
                "/c/{name}/federated-digest",
                web::post().to(digests::federated),
            )
            .route("/communities/find", web::post().to(communities::find))
            .route("/communities/new", web::post().to(community_form::create))
            .route("/c/{name}/edit", web::post().to(community_form::update))
            .route("/c/{name}/links", web::post().to(links::add))
            .route("/c/{name}/links/remove", web::post().to(links::remove))
            .route("/c/{name}/aliases", web::post().to(moving::submit::<false>))
            .route("/c/{name}/move", web::post().to(moving::submit::<true>))
            .route("/c/{name}/archive.json", web::get().to(moving::archive))
            .route("/c/{name}/join", web::post().to(community::join))
            .route("/c/{name}/leave", web::post().to(community::leave))
            .route(
                "/admin/users/{name}/approve",
                web::post().to(admin_forms::approve),
            )
            .route(
                "/admin/users/{name}/reject",
                web::post().to(admin_forms::reject),
            )
            .route(
                "/admin/users/{name}/suspend",
                web::post().to(admin_forms::suspend),
            )
            .route(
                "/admin/users/{name}/unsuspend",
                web::post().to(admin_forms::unsuspend),
            )
            .route(
                "/admin/users/{name}/admin",
                web::post().to(admin_forms::set_admin),
            )
            .route(
                "/admin/instances",
                web::post().to(admin_forms::add_instance),
            )
            .route(
                "/admin/instances/remove",
                web::post().to(admin_forms::remove_instance),
            )
            .route("/c/{name}/events/new", web::post().to(event_forms::create))
            .route("/events/{id}/edit", web::post().to(event_forms::edit))
            .configure(library_routes)
            .route("/events/{id}/rsvp", web::post().to(event_answers::rsvp))
            .route("/events/{id}/status", web::post().to(event_answers::status))
            .route(
                "/events/{id}/decisions",
                web::post().to(event_answers::decide),
            )
            .route("/events/{id}/record", web::post().to(event_answers::record))
            .route("/events/{id}/agenda", web::post().to(event_answers::agenda))
            .route("/series/{id}/edit", web::post().to(series::edit))
            .route(
                "/c/{name}/surveys/new",
                web::post().to(survey_forms::create),
            )
            .route("/surveys/{id}", web::post().to(survey_forms::answer))
            .configure(moderation_forms::routes)
            .configure(thread_routes)
            .default_service(web::to(errors::not_found)),
    );
}

/// The forms of the library (`web::library_forms`, `web::resources`, `web::library_thread`).
fn library_routes(cfg: &mut web::ServiceConfig) {
    use library_forms as l;
    cfg.route("/c/{name}/library/new", web::post().to(l::create))
        .route(
            "/c/{name}/library/resources/link",
            web::post().to(resources::add_link),
        )
        .route(
            "/c/{name}/library/resources/file",
            web::post().to(resources::add_file),
        )
        .route(
            "/c/{name}/library/resources/{id}/delete",
            web::post().to(resources::remove),
        )
        .route("/c/{name}/library/settings", web::post().to(l::rights))
        .route("/c/{name}/library/{slug}/edit", web::post().to(l::edit))
        .route(
            "/c/{name}/library/{slug}/restore",
            web::post().to(l::restore),
        )
        .route("/post/{id}/page", web::post().to(library_thread::make));
}

fn thread_routes(cfg: &mut web::ServiceConfig) {
    use thread_forms as f;
    use thread_moderation as m;
    cfg.route("/c/{name}/submit", web::post().to(threads::submit))
        .route("/post/{id}/comments", web::post().to(f::reply))
        .route("/post/{id}/vote", web::post().to(f::vote::<true>))
        .route("/post/{id}/poll", web::post().to(polls::vote))
        .route("/comment/{id}/vote", web::post().to(f::vote::<false>))
        .route("/post/{id}/edit", web::post().to(f::edit::<true>))
        .route("/comment/{id}/edit", web::post().to(f::edit::<false>))
        .route("/post/{id}/delete", web::post().to(m::delete::<true>))
        .route("/comment/{id}/delete", web::post().to(m::delete::<false>))
        .route("/post/{id}/restore", web::post().to(m::restore::<true>))
        .route("/comment/{id}/restore", web::post().to(m::restore::<false>))
        .route("/post/{id}/report", web::post().to(m::report::<true>))
        .route("/comment/{id}/report", web::post().to(m::report::<false>))
        .route("/post/{id}/lock", web::post().to(m::lock))
        .route("/post/{id}/pin", web::post().to(m::pin))
        .route("/post/{id}/share", web::post().to(thread_sharing::share))
        .route(
            "/post/{id}/unshare",
            web::post().to(thread_sharing::unshare),
        );
}

/// Renders a page with its status (the security headers are added by `errors::pages`).
fn html(status: StatusCode, page: &impl Template) -> Result<HttpResponse, Error> {
    let body = page.render().map_err(anyhow::Error::from)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Whether a page may come from the read cache (`views::cache`): nobody is signed in and no
/// flash message is shown, so the page is the same for every such reader.
fn shared_reader(frame: &frame::Frame) -> bool {
    frame.account.is_none() && frame.flash.is_none()
}

/// A signed-out reader's page through the read cache (`views::cache::through`).
async fn through_cache(
    ctx: &crate::context::AppContext,
    key: String,
    version: crate::views::cache::Version,
    make: impl std::future::Future<Output = Result<HttpResponse, Error>>,
) -> Result<HttpResponse, Error> {
    crate::views::cache::through(ctx, key, version, "text/html; charset=utf-8", make).await
}

/// The 404 of a page whose subject does not exist (rendered by `errors::pages`).
fn not_found(_ctx: &crate::context::AppContext, what: String) -> Result<HttpResponse, Error> {
    Err(Error::new(
        ErrorKind::NotFound,
        "not_found",
        format!("{what} does not exist on this instance."),
    ))
}

/// `303 See Other` to a page.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// Renders a page of the forms with its status (askama_web's responder).
fn render(req: &HttpRequest, status: StatusCode, page: impl Template) -> HttpResponse {
    page.into_web_template()
        .customize()
        .with_status(status)
        .respond_to(req)
        .map_into_boxed_body()
}
