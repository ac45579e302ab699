//! The stylesheets compiled into the binary: Pico CSS (classless, pinned) and copse's own sheet,
//! served at URLs that change with their content, so browsers may cache them for a year.

use actix_web::{http::header, web, HttpResponse};

/// The pinned Pico CSS release (see `static/README.md`).
pub const PICO_VERSION: &str = "2.1.1";
const PICO: &str = include_str!("static/pico.classless.min.css");
const COPSE: &str = include_str!("static/copse.css");

/// FNV-1a of the sheet, at compile time: its URL changes whenever it does.
const COPSE_HASH: u64 = fnv1a(COPSE.as_bytes());

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The file names under `/static/`.
pub fn pico_file() -> String {
    format!("pico-{PICO_VERSION}.classless.min.css")
}

pub fn copse_file() -> String {
    format!("copse.{COPSE_HASH:016x}.css")
}

/// `GET /static/{file}`: one of the two sheets, or 404.
pub async fn stylesheet(file: web::Path<String>) -> HttpResponse {
    let file = file.into_inner();
    let body = if file == pico_file() {
        PICO
    } else if file == copse_file() {
        COPSE
    } else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file");
    };
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_pico_is_the_pinned_release_with_its_licence() {
        assert!(PICO.contains(&format!("Pico CSS ✨ v{PICO_VERSION}")));
        assert!(PICO.contains("Licensed under MIT"));
        assert!(copse_file().starts_with("copse.") && copse_file().ends_with(".css"));
    }
}
