//! The OpenAPI document of the client API (`GET /api/v1/openapi.json`): the operations listed
//! from the handlers' `#[utoipa::path]`, plus the answers every operation shares because its
//! extractors give them (400 for a bad path, query or body, 401 for a missing or wrong token, 413
//! and 415 for a body, 503 when the database is busy), added here so no handler can forget them.

use super::{
    account_mail, accounts, admin, calendars, communities, digests, events, health, library,
    library_thread, links, members, moderation, moving, notifications, polls, posts, queue,
    resources, search, series, sharing, surveys,
};
use crate::error::ErrorBody;
use actix_web::HttpResponse;
use utoipa::{
    openapi::{
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, Ref, RefOr, ResponseBuilder,
    },
    Modify, OpenApi,
};

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[derive(OpenApi)]
#[openapi(
    info(title = "copse client API", description = "JSON API of a copse instance. Errors are \
        `{\"error\": code, \"message\": text, \"field\"?: name}` with the HTTP status saying what \
        kind of failure it is."),
    paths(
        accounts::register, accounts::log_in, accounts::log_out, accounts::me, accounts::feed,
        accounts::new_feed,
        account_mail::request_reset, account_mail::complete_reset, account_mail::confirm,
        account_mail::resend, account_mail::change_email,
        admin::instances, admin::add_instance, admin::remove_instance, queue::queue,
        admin::users, admin::suspend, admin::unsuspend, admin::set_admin, admin::approve,
        admin::reject,
        communities::create, communities::list, communities::get, communities::update,
        links::add, links::remove, moving::add_alias, moving::start, moving::archive,
        members::join, members::leave, members::list, members::applications, members::approve,
        members::reject,
        posts::create, posts::list, posts::get, posts::comment, posts::comments,
        posts::vote_post, posts::vote_comment, posts::edit_post, posts::delete_post,
        posts::edit_comment, posts::delete_comment, search::resolve, search::search, posts::lock,
        members::ban, members::unban, posts::pin, sharing::share, sharing::unshare, polls::create, polls::get, polls::vote,
        surveys::list, surveys::create, surveys::get, surveys::answer, surveys::results,
        moderation::appoint, moderation::dismiss, moderation::restore_post,
        moderation::restore_comment, moderation::report_post, moderation::report_comment,
        moderation::reports, moderation::resolve_report, moderation::invite,
        moderation::invitations, moderation::withdraw_invitation, moderation::modlog,
        events::create, events::list, events::get, events::edit, events::status, events::rsvp,
        events::decide, events::record, events::agenda, series::create, series::get,
        series::edit, notifications::list, notifications::mark_read, notifications::mark_all_read,
        digests::get, digests::put, digests::community, digests::federated,
        calendars::calendars, calendars::follow_calendar, calendars::unfollow_calendar,
        health::community, health::instance,
        library::list, library::create, library::get, library::edit, library::revisions,
        library::diff, library::restore, library::rights, library_thread::links,
        library_thread::make, resources::list, resources::add_link, resources::upload,
        resources::remove,
    ),
    components(schemas(ErrorBody, library::ConflictView)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "accounts"), (name = "communities"), (name = "membership"), (name = "posts"), (name = "events"), (name = "library"), (name = "notifications"), (name = "digests"), (name = "search"), (name = "moderation"), (name = "admin")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds the answers that come from the extractors to every operation that has them, unless the
/// handler documents them itself (with a more specific description).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_common_responses(operation);
            }
        }
    }
}

fn add_common_responses(operation: &mut Operation) {
    let has_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
        || operation.request_body.is_some();
    // The only scheme is `bearer`; an operation with an optional token lists it too (beside `{}`),
    // and a wrong token is refused there as well.
    let takes_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description));
    };
    if has_input {
        add(
            "400",
            "malformed input: a path or query parameter, or the JSON body (`invalid_path`, \
            `invalid_query`, `invalid_json`, `invalid_field` naming the field)",
        );
    }
    if takes_token {
        add(
            "401",
            "the bearer token is missing (where one is required), invalid or expired",
        );
    }
    if has_body {
        add("413", "the body is larger than `api_body_limit_bytes`");
        add("415", "the body is not `application/json`");
    }
    add(
        "503",
        "the server is busy (database); retry after the `Retry-After` seconds",
    );
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}
