//! The library's resources: `GET /communities/{ref}/resources` (the community's links and
//! files), `POST /communities/{ref}/resources` (a link, JSON), `POST /communities/{ref}/files`
//! (a file, `multipart/form-data`: 413 past `upload_max_bytes`, 415 for a type the library does
//! not take) and `DELETE /communities/{ref}/resources/{id}`. Files are downloaded from the
//! address each one gives (`/c/{name}/library/files/{id}/{file name}`), for API and pages alike.

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions::{self, resources::Placement},
    context::AppContext,
    db::{communities::Community, library_resources::Resource},
    domain::resources::ResourceText,
    error::{Error, ErrorBody},
    views::{self, library::author_handle},
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// An http or https address.
    pub url: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The slug of the page it goes with; empty or absent for the library at large.
    #[serde(default)]
    pub page: String,
}

/// A link or a file of a library.
#[derive(Serialize, ToSchema)]
pub struct ResourceView {
    pub id: i64,
    /// `link` or `file`.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The link's address, or where the file is downloaded.
    pub url: String,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    /// The slug of the page it goes with.
    pub page: Option<String>,
    pub page_title: Option<String>,
    /// Who added it (`name`, or `name@host` for a remote person).
    pub added_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The links and files of a library.
#[derive(Serialize, ToSchema)]
pub struct ResourcesView {
    /// Whether the reader may add resources.
    pub may_add: bool,
    pub resources: Vec<ResourceView>,
}

pub(crate) fn view(ctx: &AppContext, community: &str, r: Resource) -> ResourceView {
    let url = match r.kind.as_str() {
        "file" => ctx.url(&views::resources::download_path(community, &r)),
        _ => r.url.clone().unwrap_or_default(),
    };
    ResourceView {
        added_by: author_handle(
            &ctx.settings().hostname,
            &r.adder_name,
            &r.adder_ap_id,
            r.adder_local,
        ),
        id: r.id,
        kind: r.kind,
        title: r.title,
        description: r.description,
        url,
        file_name: r.file_name,
        media_type: r.media_type,
        size_bytes: r.size_bytes,
        page: r.page_slug,
        page_title: r.page_title,
        created_at: r.created_at.and_utc(),
    }
}

async fn community(ctx: &AppContext, reference: &str) -> Result<Community, Error> {
    views::library::community(ctx, reference)
        .await?
        .ok_or_else(|| Error::not_found("community"))
}

/// A community's links and files, newest first (at most 1,000).
#[utoipa::path(get, path = "/api/v1/communities/{ref}/resources", tag = "library",
    operation_id = "list_resources", security((), ("bearer" = [])),
    params(("ref" = String, Path, description = "local name or name@host")),
    responses((status = 200, body = ResourcesView), (status = 404, body = ErrorBody)))]
pub async fn list(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    reference: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    let (gate, viewer, cc) = (
        ctx.gate().clone(),
        super::viewer(account.as_ref()),
        c.clone(),
    );
    let found = ctx
        .db(move |conn| views::resources::list(conn, &gate, &viewer, &cc))
        .await?
        .ok_or_else(|| Error::not_found("community"))?;
    Ok(HttpResponse::Ok().json(ResourcesView {
        may_add: found.access.may_edit,
        resources: found
            .items
            .into_iter()
            .map(|r| view(&ctx, &c.name, r))
            .collect(),
    }))
}

/// Adds a link, by someone the library's edit rights allow.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/resources", tag = "library",
    operation_id = "add_link", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name")),
    request_body = LinkRequest,
    responses((status = 201, body = ResourceView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_link(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    reference: web::Path<String>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    let placement = Placement {
        page: body.page,
        text: ResourceText::parse(&body.title, &body.description, "")?,
    };
    let name = c.name.clone();
    let r = actions::resources::add_link(&ctx, &account, c, &body.url, placement).await?;
    Ok(HttpResponse::Created().json(view(&ctx, &name, r)))
}

/// Uploads a file (`multipart/form-data`: `file`, and optional `title`, `description`, `page`).
/// Its type is read from its bytes and must agree with its name.
#[utoipa::path(post, path = "/api/v1/communities/{ref}/files", tag = "library",
    operation_id = "upload_file", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name")),
    request_body(content_type = "multipart/form-data", content = String,
        description = "parts `file` (the file, with its name), `title`, `description`, `page`"),
    responses((status = 201, body = ResourceView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "`file_too_large`"),
        (status = 415, body = ErrorBody, description = "`unsupported_file_type`")))]
pub async fn upload(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    reference: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let c = community(&ctx, &reference).await?;
    actions::resources::may_add(&ctx, &account, &c).await?;
    let upload = super::upload::read(&ctx, &req, payload, |_| Ok(())).await?;
    let (title, description, page) = (
        upload.field("title").to_string(),
        upload.field("description").to_string(),
        upload.field("page").to_string(),
    );
    let Some((sent, staged)) = upload.file else {
        return Err(Error::invalid_field("file", "expected a file"));
    };
    let default_title = crate::domain::resources::file_name(&sent)?;
    let placement = Placement {
        page,
        text: ResourceText::parse(&title, &description, &default_title)?,
    };
    let name = c.name.clone();
    let r = actions::resources::add_file(&ctx, &account, c, staged, &sent, placement).await?;
    Ok(HttpResponse::Created().json(view(&ctx, &name, r)))
}

/// Removes a link or a file: whoever added it may, and the community's moderators.
#[utoipa::path(delete, path = "/api/v1/communities/{ref}/resources/{id}", tag = "library",
    operation_id = "remove_resource", security(("bearer" = [])),
    params(("ref" = String, Path, description = "local name"),
        ("id" = i64, Path, description = "the resource's id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, Error> {
    let (reference, id) = path.into_inner();
    let c = community(&ctx, &reference).await?;
    actions::resources::remove(&ctx, &account, c, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
