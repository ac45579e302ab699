//! The library's resources (issue 18): links and files kept with a community's pages. Files go
//! up as `multipart/form-data`, are typed from their bytes, kept once per content on disk, and
//! come back byte for byte to whoever may read the community (never to outsiders of a private
//! one); uploads past the size cap (413) or of refused types (415) leave nothing behind; the
//! edit rights decide who adds; whoever added one, or a moderator, removes it, and its file
//! goes when nothing names it any more.

use crate::helpers::{assert_error, TestApp};
use reqwest::{header, multipart, Method, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const RESOURCES: &str = "/api/v1/communities/guild/resources";
const FILES: &str = "/api/v1/communities/guild/files";

/// A real (1×1, grey) PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\0\0\0\0:~\x9bU\0\0\0\nIDATx\x9cc\xf8\x0f\0\x01\x01\x01\0\x18\xdd\x8d\xb4\0\0\0\0IEND\xaeB`\x82";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn guild(app: &TestApp, owner: &str, extra: Value) {
    let (status, body) = app.community(owner, "guild", extra).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn join(app: &TestApp, token: &str) {
    let (status, body) = app
        .post("/api/v1/communities/guild/join", Some(token), json!({}))
        .await;
    assert!(status.is_success(), "{status} {body}");
}

/// Uploads `bytes` as `name` to the library of `community`.
pub async fn upload_to(
    app: &TestApp,
    community: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    send(
        app,
        &format!("/api/v1/communities/{community}/files"),
        token,
        name,
        bytes,
        &[],
    )
    .await
}

/// Uploads `bytes` as `name` to `guild` with the text `fields`.
async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    send(app, FILES, token, name, bytes, fields).await
}

async fn send(
    app: &TestApp,
    path: &str,
    token: &str,
    name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let part = multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string());
    form = form.part("file", part);
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The instance's files folder.
fn files_dir(app: &TestApp) -> PathBuf {
    PathBuf::from(&app.context().settings().files_dir)
}

/// Every file under `dir` (the staging folder included).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match path.is_dir() {
            true => out.extend(files_under(&path)),
            false => out.push(path),
        }
    }
    out
}

async fn fetch(app: &TestApp, url: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("get")
}

#[tokio::test]
async fn links_and_files_are_kept_with_their_pages_and_served_back_byte_for_byte() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann = app.user("ann").await;
    let bob = app.user("bob").await;
    guild(&app, &owner, json!({})).await;
    join(&app, &ann).await;
    join(&app, &bob).await;
    let (status, page) = app
        .post(
            "/api/v1/communities/guild/pages",
            Some(&owner),
            json!({"title": "Handbook", "body": "Start here."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");

    let (status, map) = upload(
        &app,
        &ann,
        "site map.png",
        PNG,
        &[("description", "The plots"), ("page", "handbook")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{map}");
    assert_eq!(
        (
            map["kind"].as_str(),
            map["media_type"].as_str(),
            map["size_bytes"].as_i64(),
            map["title"].as_str(),
            map["page"].as_str(),
            map["added_by"].as_str()
        ),
        (
            Some("file"),
            Some("image/png"),
            Some(PNG.len() as i64),
            Some("site map.png"),
            Some("handbook"),
            Some("ann")
        )
    );
    let download = map["url"].as_str().expect("url").to_string();
    assert!(download.ends_with("/site%20map.png"), "{download}");
    let res = fetch(&app, &download, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = |name: header::HeaderName| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(h(header::CONTENT_TYPE), "image/png");
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert!(h(header::CONTENT_SECURITY_POLICY).starts_with("sandbox"));
    assert!(h(header::CONTENT_DISPOSITION).starts_with("inline"));
    let etag = h(header::ETAG);
    assert_eq!(res.bytes().await.expect("body").as_ref(), PNG);
    let again = app
        .client
        .get(&download)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The same bytes again are one file on disk; a PDF and a CSV are typed from their bytes.
    let (status, copy) = upload(&app, &bob, "map.png", PNG, &[("title", "Map, again")]).await;
    assert_eq!(status, StatusCode::CREATED, "{copy}");
    let (status, pdf) = upload(&app, &ann, "minutes.pdf", PDF, &[]).await;
    assert_eq!(
        (status, pdf["media_type"].as_str()),
        (StatusCode::CREATED, Some("application/pdf"))
    );
    let (status, csv) = upload(
        &app,
        &ann,
        "yields.csv",
        "crop,kg\nbeans,12\n".as_bytes(),
        &[],
    )
    .await;
    assert_eq!(
        (status, csv["media_type"].as_str()),
        (StatusCode::CREATED, Some("text/csv"))
    );
    let res = fetch(&app, csv["url"].as_str().expect("url"), None).await;
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        files_under(&files_dir(&app)).len(),
        3,
        "the two maps share one file"
    );

    let (status, link) = app
        .post(RESOURCES, Some(&ann), json!({"url": "https://example.org/soil-guide", "title": "Soil guide", "description": "A national guide", "page": "handbook"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    assert_eq!(
        (link["kind"].as_str(), link["url"].as_str()),
        (Some("link"), Some("https://example.org/soil-guide"))
    );

    let (status, list) = app.get(RESOURCES, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let titles: Vec<&str> = list["resources"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Soil guide",
            "yields.csv",
            "minutes.pdf",
            "Map, again",
            "site map.png"
        ]
    );
    assert_eq!(list["may_add"], false, "signed out");
    let (_, html, body) = app.fetch("/c/guild/library/handbook", "text/html").await;
    let _ = html;
    assert!(
        body.contains("site map.png")
            && body.contains("Soil guide")
            && !body.contains("minutes.pdf"),
        "{body}"
    );

    // Removing: not by another member; by whoever added it or a moderator. The file goes when
    // nothing names it.
    let id = |v: &Value| v["id"].as_i64().expect("id");
    let remove = |token: String, id: i64| {
        let app = &app;
        async move {
            app.call(
                Method::DELETE,
                &format!("{RESOURCES}/{id}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let refused = remove(bob.clone(), id(&map)).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(
        remove(ann.clone(), id(&map)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        fetch(&app, &download, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        files_under(&files_dir(&app)).len(),
        3,
        "bob's copy still names the bytes"
    );
    assert_eq!(
        remove(owner.clone(), id(&copy)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        files_under(&files_dir(&app)).len(),
        2,
        "nothing names the map any more"
    );
    assert_eq!(
        remove(owner.clone(), id(&copy)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn uploads_past_the_cap_or_of_refused_types_are_refused_and_leave_nothing_behind() {
    let app = TestApp::spawn_with(|s| s.upload_max_bytes = 4096).await;
    let owner = app.user("olga").await;
    guild(&app, &owner, json!({})).await;
    let page_fields: &[(&str, &str)] = &[];

    let big = vec![b'a'; 5000];
    let got = upload(&app, &owner, "notes.txt", &big, page_fields).await;
    assert_error(
        &got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        Some("file"),
    );
    let huge = vec![b'a'; 200_000];
    let got = upload(&app, &owner, "notes.txt", &huge, page_fields).await;
    assert_error(
        &got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        Some("file"),
    );

    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend([0u8; 56]);
    for (name, bytes) in [
        (
            "page.html",
            &b"<!doctype html><script>alert(1)</script>"[..],
        ),
        (
            "logo.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        ),
        ("report.pdf", PNG),
        ("tool.txt", &elf),
        (
            "bundle.zip",
            b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ),
        ("latin1.txt", b"caf\xe9 cr\xe8me"),
    ] {
        let got = upload(&app, &owner, name, bytes, page_fields).await;
        assert_error(
            &got,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
            Some("file"),
        );
    }
    let got = upload(&app, &owner, "empty.txt", b"", page_fields).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some("file"));
    let got = upload(
        &app,
        &owner,
        "notes.txt",
        b"ok",
        &[("page", "no-such-page")],
    )
    .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some("page"));
    let got = upload(
        &app,
        &owner,
        "notes.txt",
        b"ok",
        &[("title", &"t".repeat(300))],
    )
    .await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("title"),
    );
    // Not multipart at all; no file part.
    let got = app.post(FILES, Some(&owner), json!({"file": "x"})).await;
    assert_error(
        &got,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
    );
    let res = app
        .client
        .post(app.url(FILES))
        .bearer_auth(&owner)
        .multipart(multipart::Form::new().text("title", "no file"))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    for (body, field) in [
        (json!({"url": "javascript:alert(1)", "title": "x"}), "url"),
        (json!({"url": "ftp://example.org/a", "title": "x"}), "url"),
        (
            json!({"url": "https://example.org/a", "title": ""}),
            "title",
        ),
    ] {
        let got = app.post(RESOURCES, Some(&owner), body).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some(field));
    }
    let got = app
        .post(
            RESOURCES,
            Some(&owner),
            json!({"url": "https://example.org/a", "title": "x", "extra": 1}),
        )
        .await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);

    let (_, list) = app.get(RESOURCES, Some(&owner)).await;
    assert_eq!(list["resources"], json!([]), "nothing was written");
    assert_eq!(
        files_under(&files_dir(&app)),
        Vec::<PathBuf>::new(),
        "nor kept or left staged"
    );
    // A file at the cap is taken.
    let at_cap = vec![b'b'; 4096];
    assert_eq!(
        upload(&app, &owner, "notes.txt", &at_cap, page_fields)
            .await
            .0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_rights_decide_who_adds_and_a_private_communitys_files_stay_with_its_members() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let ann = app.user("ann").await;
    let zed = app.user("zed").await;
    guild(&app, &owner, json!({"visibility": "private"})).await;
    join(&app, &ann).await;

    // A non-member: refused before a byte is written (an outsider of a private one sees 404).
    let got = upload(&app, &zed, "notes.txt", b"hello", &[]).await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);
    let got = app
        .post(
            RESOURCES,
            Some(&zed),
            json!({"url": "https://example.org", "title": "x"}),
        )
        .await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);
    // Moderators only: a member is refused.
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/communities/guild/library",
            Some(&owner),
            Some(json!({"edit_by": "moderators", "editors": []})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let got = upload(&app, &ann, "notes.txt", b"hello", &[]).await;
    assert_error(&got, StatusCode::FORBIDDEN, "may_not_edit_library", None);
    assert!(files_under(&files_dir(&app)).is_empty());

    let (status, secret) = upload(
        &app,
        &owner,
        "plan.txt",
        b"RESOURCESECRET",
        &[("title", "Secret plan")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let download = secret["url"].as_str().expect("url").to_string();
    let res = fetch(&app, &download, Some(&ann)).await;
    assert_eq!(res.status(), StatusCode::OK, "a member downloads it");
    assert_eq!(res.text().await.expect("text"), "RESOURCESECRET");
    for token in [None, Some(zed.as_str())] {
        let res = fetch(&app, &download, token).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(!res
            .text()
            .await
            .unwrap_or_default()
            .contains("RESOURCESECRET"));
        let (status, body) = app.get(RESOURCES, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(!body.to_string().contains("Secret plan"));
    }
    let (_, _, page) = app.fetch("/c/guild/library/resources", "text/html").await;
    assert!(!page.contains("Secret plan"), "signed out: {page}");
    let (status, list) = app.get(RESOURCES, Some(&ann)).await;
    assert_eq!(
        (status, list["resources"][0]["title"].as_str()),
        (StatusCode::OK, Some("Secret plan"))
    );
}
