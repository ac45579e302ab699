//! Hostile inbox bodies (issue 5, rows 12–16): size, malformed and unknown activities, nesting,
//! caps on strings and arrays, and markup, each asserting status, body and that nothing was
//! stored.

use crate::{
    helpers::{assert_error, TestApp},
    hostile_signatures::{assert_nothing_stored, follow, scene},
    signing::{person_key, Key, SignedPost},
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A Create of a post by `actor` in `home`'s chess, with `object` fields merged in.
fn create(actor: &str, remote: &TestApp, home: &TestApp, object: Value) -> Value {
    let chess = format!("http://{}/c/chess", home.hostname);
    let id = format!("http://{}/post/{}", remote.hostname, uuid::Uuid::new_v4());
    let mut page = json!({
        "id": id, "type": "Page", "attributedTo": actor, "name": "Opening",
        "content": "<p>e4</p>", "to": [chess], "audience": chess,
    });
    if let (Some(p), Some(o)) = (page.as_object_mut(), object.as_object()) {
        p.extend(o.clone());
    }
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/create"), "type": "Create", "actor": actor, "to": [chess],
        "object": page,
    })
}

/// Alice of `remote` joins chess on `home` (signed by her), so her posts are accepted.
async fn alice_joins(home: &TestApp, remote: &TestApp) -> (String, Key) {
    let (alice, key) = person_key(remote, "alice").await;
    let (status, body) = SignedPost::new(&follow(&alice, home), &key)
        .send(home)
        .await;
    assert!(status.is_success(), "{body}");
    (alice, key)
}

async fn post_count(home: &TestApp) -> usize {
    let (_, page) = home.get("/api/v1/communities/chess/posts", None).await;
    page["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_ten_megabyte_body_is_413_with_or_without_a_length() {
    let (home, _) = scene().await;
    let big = vec![b' '; 10 * 1024 * 1024];
    let response = home
        .client
        .post(home.url("/inbox"))
        .header("signature", "keyId=\"x\",signature=\"y\"")
        .header("content-type", "application/activity+json")
        .body(big)
        .send()
        .await;
    // The server may answer before it has read the body; either way it answers 413.
    if let Ok(response) = response {
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        assert_error(
            &(status, body),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        );
    }

    // Chunked, no Content-Length: refused once past the cap, while the sender is still writing.
    let stream = tokio::net::TcpStream::connect(home.hostname.replace("localhost", "127.0.0.1"))
        .await
        .expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /inbox HTTP/1.1\r\nHost: {}\r\nSignature: keyId=\"x\",signature=\"y\"\r\n\
         Content-Type: application/activity+json\r\nTransfer-Encoding: chunked\r\n\r\n",
        home.hostname
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..160 {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(&chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&response).contains("}") {
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    writing.abort();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"error\":\"payload_too_large\""), "{text}");
    assert_eq!(home.member_handles("chess", None).await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_and_unknown_activities_are_acknowledged_and_ignored() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let mut broken = SignedPost::new(&json!({}), &key);
    broken.body = b"{\"type\": \"Follow\", \"actor\": ".to_vec();
    broken.digest = Some(crate::signing::sha256_digest(&broken.body));
    let got = broken.send(&home).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "malformed_json", None);

    let mut no_actor = follow(&alice, &home);
    no_actor["actor"] = json!(42);
    let got = SignedPost::new(&no_actor, &key).send(&home).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "malformed_activity", None);
    assert_nothing_stored(&home, &no_actor).await;

    let mut unknown = follow(&alice, &home);
    unknown["type"] = json!("Wibble");
    let (status, body) = SignedPost::new(&unknown, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    // A Follow whose object is not a URL is not a Follow we know: acknowledged, not applied.
    let mut odd = follow(&alice, &home);
    odd["object"] = json!({"nested": [1, 2, 3]});
    let (status, body) = SignedPost::new(&odd, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(home.member_handles("chess", None).await.len(), 1);
}

#[tokio::test]
async fn json_nested_a_hundred_thousand_deep_is_400() {
    let (home, remote) = scene().await;
    let (alice, key) = person_key(&remote, "alice").await;
    let activity = follow(&alice, &home);
    let mut deep = SignedPost::new(&activity, &key);
    let text = activity.to_string();
    let nested = format!(
        "{},\"extra\":{}{}}}",
        text.trim_end_matches('}'),
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    deep.body = nested.into_bytes();
    deep.digest = Some(crate::signing::sha256_digest(&deep.body));
    let got = deep.send(&home).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "too_deep", None);
    assert_nothing_stored(&home, &activity).await;
}

#[tokio::test]
async fn huge_tag_and_cc_lists_and_megabyte_names_are_refused_by_the_caps() {
    let (home, remote) = scene().await;
    let (alice, key) = alice_joins(&home, &remote).await;
    let cases = [
        (json!({"tag": vec![0; 100_000]}), "object.tag"),
        (json!({"cc": vec!["x"; 100_000]}), "object.cc"),
        (json!({"name": "n".repeat(900_000)}), "object.name"),
        (json!({"summary": "s".repeat(100_000)}), "object.summary"),
        (
            json!({"attachment": vec![json!({}); 1_000]}),
            "object.attachment",
        ),
        (
            json!({"oneOf": vec![json!({"name": "o"}); 10_000]}),
            "object.oneOf",
        ),
    ];
    for (object, field) in cases {
        let activity = create(&alice, &remote, &home, object);
        let got = SignedPost::new(&activity, &key).send(&home).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "too_large", Some(field));
    }
    // A megabyte name does not even fit in an inbox body.
    let activity = create(
        &alice,
        &remote,
        &home,
        json!({"name": "n".repeat(1_100_000)}),
    );
    let got = SignedPost::new(&activity, &key).send(&home).await;
    assert_error(
        &got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        None,
    );
    assert_eq!(post_count(&home).await, 0);
}

#[tokio::test]
async fn hostile_markup_is_sanitised_and_nul_never_reaches_the_database() {
    let (home, remote) = scene().await;
    let (alice, key) = alice_joins(&home, &remote).await;
    let hostile = json!({
        "name": "Ev\u{202E}il\u{200B} <b>title</b>",
        "summary": "<script>alert(1)</script>teaser",
        "content": "<p onclick=\"x()\">Hi<script>alert(1)</script>\
            <img src=\"x\" onerror=\"alert(1)\"><a href=\"javascript:alert(1)\">link</a>\
            <style>body{display:none}</style><span style=\"position:fixed\">s</span>\
            \u{202E}\u{200B}</p>",
    });
    let activity = create(&alice, &remote, &home, hostile);
    let (status, body) = SignedPost::new(&activity, &key).send(&home).await;
    assert!(status.is_success(), "{status} {body}");
    let (_, page) = home.get("/api/v1/communities/chess/posts", None).await;
    let post = &page["items"][0];
    assert_eq!(post["title"], "Evil title", "{post}");
    let html = post["body_html"]
        .as_str()
        .expect("html")
        .to_ascii_lowercase();
    for banned in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<style",
        "style=",
    ] {
        assert!(!html.contains(banned), "{banned} in {html}");
    }
    let (status, _, page) = home
        .fetch(&format!("/post/{}", post["id"]), "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>alert"), "page carries the script");

    for field in ["content", "name", "summary"] {
        let activity = create(&alice, &remote, &home, json!({ field: "a\u{0}b" }));
        let got = SignedPost::new(&activity, &key).send(&home).await;
        let path = format!("object.{field}");
        assert_error(
            &got,
            StatusCode::BAD_REQUEST,
            "nul_character",
            Some(path.as_str()),
        );
    }
    assert_eq!(post_count(&home).await, 1);
}
