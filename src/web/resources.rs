//! The library's resources on the pages: `/c/{name}/library/resources` (the list, and for
//! those the rights allow, the forms to add a link or upload a file), removing one, and
//! `/c/{name}/library/files/{id}/{file name}` (a file, to whoever may read the community: shown
//! in place under a sandboxing policy for images, PDF and text, downloaded otherwise). Writes go
//! through `actions::resources`; a refused form is shown again with the reason next to its field
//! (413 for a file too large, 415 for a type the library does not take).

use super::{
    csrf, flash,
    form::{reshown_status, Button, Form, FormError},
    frame::Frame,
    library::{community_of, missing, when},
    render,
};
use crate::{
    actions::{self, resources::Placement},
    api::extract,
    context::AppContext,
    db::{communities::Community, library_resources::Resource},
    domain::resources::{self as rules, ResourceText},
    error::{Error, ErrorKind},
    files::Store,
    views::{self, gate::Viewer, library::author_handle},
};
use actix_web::{http::header, http::StatusCode, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// A resource as listed.
pub(super) struct ResourceLine {
    pub(super) id: i64,
    pub(super) is_file: bool,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) href: String,
    /// The link's host.
    pub(super) host: String,
    pub(super) kind_label: String,
    pub(super) size: String,
    pub(super) inline: bool,
    pub(super) added_by: String,
    pub(super) added_on: String,
    pub(super) page: Option<(String, String)>,
    pub(super) removable: bool,
}

fn size(bytes: i64) -> String {
    rules::human_size(bytes.max(0) as u64)
}

fn kind_label(media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF".into(),
        "text/markdown" => "Markdown".into(),
        "text/csv" => "CSV".into(),
        "text/plain" => "text".into(),
        t if t.starts_with("image/") => format!("{} image", t[6..].to_uppercase()),
        t if t.contains("wordprocessingml") || t.ends_with("opendocument.text") => {
            "document".into()
        }
        t if t.contains("spreadsheet") => "spreadsheet".into(),
        t if t.contains("presentation") => "presentation".into(),
        t => t.into(),
    }
}

/// The lines of `items` as `viewer` sees them (`removable` decided by the caller's rule).
pub(super) fn lines(
    ctx: &AppContext,
    reference: &str,
    items: Vec<Resource>,
    removable: impl Fn(&Resource) -> bool,
) -> Vec<ResourceLine> {
    let host = &ctx.settings().hostname;
    items
        .into_iter()
        .map(|r| {
            let is_file = r.sha256.is_some();
            let media = r.media_type.clone().unwrap_or_default();
            let href = match is_file {
                true => views::resources::download_path(reference, &r),
                false => r.url.clone().unwrap_or_default(),
            };
            ResourceLine {
                id: r.id,
                removable: removable(&r),
                is_file,
                host: url::Url::parse(&href)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default(),
                href,
                kind_label: kind_label(&media),
                size: size(r.size_bytes.unwrap_or(0)),
                inline: rules::shown_inline(&media),
                added_by: author_handle(host, &r.adder_name, &r.adder_ap_id, r.adder_local),
                added_on: when(r.created_at),
                page: r.page_slug.zip(r.page_title),
                title: r.title,
                description: r.description,
            }
        })
        .collect()
}

/// The fields of either form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ResourceForm {
    url: String,
    title: String,
    description: String,
    page: String,
}

#[derive(Template)]
#[template(path = "library_resources.html", config = "src/web/askama.toml")]
struct ResourcesPage {
    frame: Frame,
    community: Community,
    reference: String,
    items: Vec<ResourceLine>,
    may_add: bool,
    pages: Vec<(String, String)>,
    link: ResourceForm,
    file: ResourceForm,
    error: FormError,
    accepted: &'static str,
    max_size: String,
}

/// The page as `frame`'s viewer sees it, or the HTML 404.
async fn page_for(ctx: &AppContext, frame: Frame, reference: &str) -> Result<ResourcesPage, Error> {
    let c = community_of(ctx, reference).await?;
    let (gate, viewer, community) = (ctx.gate().clone(), frame.viewer(), c.clone());
    let v = viewer.clone();
    let found = ctx
        .db(move |conn| views::resources::list(conn, &gate, &viewer, &community))
        .await?
        .ok_or_else(|| missing(&format!("The community {reference}")))?;
    let access = &found.access;
    let items = lines(ctx, reference, found.items, |r| {
        views::resources::may_remove(access, &v, r)
    });
    Ok(ResourcesPage {
        may_add: found.access.may_edit,
        pages: found.pages.into_iter().map(|p| (p.slug, p.title)).collect(),
        frame,
        community: c,
        reference: reference.to_string(),
        items,
        link: ResourceForm::default(),
        file: ResourceForm::default(),
        error: FormError::none(),
        accepted: rules::ACCEPTED,
        max_size: size(ctx.settings().upload_max_bytes as i64),
    })
}

#[derive(Deserialize)]
pub struct ResourcesQuery {
    #[serde(default)]
    page: String,
}

/// `/c/{name}/library/resources` (`?page=` preselects the page new resources go with).
pub async fn resources(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    frame: Frame,
    name: web::Path<String>,
    query: web::Query<ResourcesQuery>,
) -> Result<HttpResponse, Error> {
    let mut page = page_for(&ctx, frame, &name).await?;
    page.link.page = query.page.clone();
    page.file.page = query.page.clone();
    Ok(render(&req, StatusCode::OK, page))
}

/// The page again with a refused form's values and reason.
async fn reshow(
    req: &HttpRequest,
    ctx: &AppContext,
    frame: Frame,
    reference: &str,
    form: &'static str,
    values: ResourceForm,
    e: Error,
) -> Result<HttpResponse, Error> {
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let mut page = page_for(ctx, frame, reference).await?;
    match form {
        "link" => page.link = values,
        _ => page.file = values,
    }
    page.error = FormError::of(form, &e);
    Ok(render(req, status, page))
}

fn back(ctx: &AppContext, reference: &str, page: &str, message: &str) -> HttpResponse {
    let to = match page {
        "" => format!("/c/{reference}/library/resources"),
        slug => format!("/c/{reference}/library/{slug}"),
    };
    flash::redirect(ctx, &to, message)
}

/// `POST /c/{name}/library/resources/link`.
pub async fn add_link(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    form: Form<ResourceForm>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Form {
        frame,
        session,
        data,
    } = form;
    let c = community_of(&ctx, &reference).await?;
    let added = match ResourceText::parse(&data.title, &data.description, "") {
        Ok(text) => {
            let placement = Placement {
                page: data.page.clone(),
                text,
            };
            actions::resources::add_link(&ctx, &session.account, c, &data.url, placement).await
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(back(&ctx, &reference, &data.page, "Link added.")),
        Err(e) => reshow(&req, &ctx, frame, &reference, "link", data, e).await,
    }
}

/// `POST /c/{name}/library/resources/file` (`multipart/form-data`, the form token first).
pub async fn add_file(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    name: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let frame = Frame::of(&req).await?;
    let session = extract::session(&req).await?.ok_or_else(|| {
        Error::unauthorized(
            "You are not logged in (or your session has ended). Log in and try again.",
        )
    })?;
    if session.by_cookie() {
        csrf::check_origin(&req, &ctx)?;
    }
    let c = community_of(&ctx, &reference).await?;
    actions::resources::may_add(&ctx, &session.account, &c).await?;
    let token_first = |fields: &std::collections::HashMap<String, String>| match session.by_cookie()
    {
        true => csrf::check_form_token(
            &ctx,
            session.credential.token(),
            fields.get(csrf::FIELD).map(String::as_str),
        ),
        false => Ok(()),
    };
    let read = crate::api::upload::read(&ctx, &req, payload, token_first).await;
    let (upload, values) = match read {
        Ok(upload) => {
            let values = ResourceForm {
                url: String::new(),
                title: upload.field("title").to_string(),
                description: upload.field("description").to_string(),
                page: upload.field("page").to_string(),
            };
            (upload, values)
        }
        Err(e) if e.kind == ErrorKind::Forbidden => return Err(e),
        Err(e) => {
            return reshow(
                &req,
                &ctx,
                frame,
                &reference,
                "file",
                ResourceForm::default(),
                e,
            )
            .await
        }
    };
    if session.by_cookie() {
        csrf::check_form_token(
            &ctx,
            session.credential.token(),
            upload.fields.get(csrf::FIELD).map(String::as_str),
        )?;
    }
    let added = match upload.file {
        None => Err(Error::invalid_field("file", "choose a file to upload")),
        Some((sent, staged)) => {
            let text = rules::file_name(&sent)
                .and_then(|name| ResourceText::parse(&values.title, &values.description, &name));
            match text {
                Ok(text) => {
                    let placement = Placement {
                        page: values.page.clone(),
                        text,
                    };
                    actions::resources::add_file(
                        &ctx,
                        &session.account,
                        c,
                        staged,
                        &sent,
                        placement,
                    )
                    .await
                }
                Err(e) => Err(e),
            }
        }
    };
    match added {
        Ok(r) => Ok(back(
            &ctx,
            &reference,
            &values.page,
            &format!("“{}” uploaded.", r.title),
        )),
        Err(e) => reshow(&req, &ctx, frame, &reference, "file", values, e).await,
    }
}

/// `POST /c/{name}/library/resources/{id}/delete`.
pub async fn remove(
    ctx: web::Data<AppContext>,
    path: web::Path<(String, i64)>,
    form: Form<Button>,
) -> Result<HttpResponse, Error> {
    let (reference, id) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    actions::resources::remove(&ctx, &form.session.account, c, id).await?;
    Ok(back(&ctx, &reference, "", "Resource removed."))
}

/// `/c/{name}/library/files/{id}/{file name}`: the file (the name in the address is only for
/// the reader: the id decides).
pub async fn download(
    ctx: web::Data<AppContext>,
    frame: Frame,
    path: web::Path<(String, i64, String)>,
) -> Result<HttpResponse, Error> {
    let (reference, id, _) = path.into_inner();
    let c = community_of(&ctx, &reference).await?;
    let (gate, viewer): (_, Viewer) = (ctx.gate().clone(), frame.viewer());
    let found = ctx
        .db(move |conn| views::resources::file(conn, &gate, &viewer, &c, id))
        .await?
        .ok_or_else(|| missing("This file"))?;
    let (Some(sha256), Some(media_type)) = (found.sha256.as_deref(), found.media_type.as_deref())
    else {
        return Err(missing("This file"));
    };
    let path = Store::of(ctx.settings())
        .path_of(sha256)
        .ok_or_else(|| missing("This file"))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("library file {sha256} missing: {e}")))?;
    let size = file
        .metadata()
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("library file {sha256}: {e}")))?
        .len();
    let name = found.file_name.as_deref().unwrap_or("file");
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let disposition = match rules::shown_inline(media_type) {
        true => "inline",
        false => "attachment",
    };
    let content_type = match media_type.starts_with("text/") {
        true => format!("{media_type}; charset=utf-8"),
        false => media_type.to_string(),
    };
    let stream = tokio_util::io::ReaderStream::new(file);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename*=UTF-8''{}",
                encoded.replace('+', "%20")
            ),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        ))
        .insert_header((header::ETAG, format!("\"{sha256}\"")))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(actix_web::body::SizedStream::new(size, stream)))
}
