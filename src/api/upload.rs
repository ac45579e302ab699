//! Multipart uploads (`multipart/form-data`), read for the API and the pages alike: at most
//! `MAX_PARTS` parts; text fields up to `MAX_FIELD` bytes each, UTF-8 without NUL; one file
//! part (`file`), streamed to a staging file (`crate::files`) and refused with 413 once it
//! passes `upload_max_bytes` (a declared `Content-Length` past it is refused before anything is
//! read). `before_file` runs when the file part begins, with the fields read so far: the pages
//! check their form token there, so no byte of a forged upload is written.

use crate::{
    context::AppContext,
    error::{Error, ErrorKind, Result},
    files::{too_large, Staged, Store},
};
use actix_web::{http::header, web, HttpRequest};
use futures::StreamExt;
use std::collections::HashMap;

/// The most parts an upload may have.
pub const MAX_PARTS: usize = 16;
/// The longest text field, in bytes.
pub const MAX_FIELD: usize = 8 * 1024;
/// What the fields and part headers may add to the file's size.
const OVERHEAD: u64 = MAX_PARTS as u64 * (MAX_FIELD as u64 + 1024);

/// What an upload held: its text fields, and the file with the name its sender gave.
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<(String, Staged)>,
}

impl Upload {
    /// A text field, or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadRequest, "bad_upload", message)
}

/// Reads and drops up to `cap` more bytes of a refused part, so that a client still sending
/// gets the answer rather than a reset connection.
async fn drain(part: &mut actix_multipart::Field, cap: u64) {
    let mut seen = 0u64;
    while let Some(Ok(chunk)) = part.next().await {
        seen += chunk.len() as u64;
        if seen > cap {
            break;
        }
    }
}

/// Reads an upload.
pub async fn read(
    ctx: &AppContext,
    req: &HttpRequest,
    payload: web::Payload,
    before_file: impl Fn(&HashMap<String, String>) -> Result<()>,
) -> Result<Upload> {
    let limit = ctx.settings().upload_max_bytes;
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence != "multipart/form-data" {
        return Err(Error::new(
            ErrorKind::UnsupportedMediaType,
            "unsupported_media_type",
            format!("expected Content-Type multipart/form-data, got `{essence}`"),
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + OVERHEAD) {
        return Err(too_large(limit));
    }
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut upload = Upload {
        fields: HashMap::new(),
        file: None,
    };
    let mut count = 0;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|e| bad(format!("the upload could not be read: {e}")))?;
        count += 1;
        if count > MAX_PARTS {
            return Err(bad(format!("an upload has at most {MAX_PARTS} parts")));
        }
        let name = part.name().unwrap_or("").to_string();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        if name == "file" {
            let Some(sent) = file_name else {
                return Err(Error::invalid_field("file", "expected a file"));
            };
            if upload.file.is_some() {
                return Err(bad("an upload carries one file"));
            }
            before_file(&upload.fields)?;
            let mut staging = Store::of(ctx.settings()).stage(limit).await?;
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(|e| bad(format!("the upload broke off: {e}")))?;
                if let Err(e) = staging.write(&chunk).await {
                    drain(&mut part, limit).await;
                    return Err(e);
                }
            }
            let staged = staging.finish().await?;
            // A browser sends an empty part, named "", when no file was chosen.
            if !(sent.is_empty() && staged.size == 0) {
                upload.file = Some((sent, staged));
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| bad(format!("the upload broke off: {e}")))?;
            if value.len() + chunk.len() > MAX_FIELD {
                return Err(Error::invalid_field(
                    &name,
                    format_args!("longer than {MAX_FIELD} bytes"),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .ok()
            .filter(|v| !v.contains('\0'))
            .ok_or_else(|| Error::invalid_field(&name, "must be UTF-8 text without NUL bytes"))?;
        upload.fields.insert(name, value);
    }
    Ok(upload)
}
