//! The OpenAPI document against third-party tools: `openapi-spec-validator` must accept it, and
//! `schemathesis`, fuzzing a live instance with a community owner's token, must find no 5xx and
//! no answer the document does not describe (status, content type, body schema). Both tools come
//! from the Python venv named by `COPSE_PY_VENV` (`.ci/run` makes it under `target/ci-venv`);
//! without it these tests fail when `CI` is set and are skipped, loudly, otherwise.

use crate::helpers::{assert_error, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Stdio,
};
use tokio::process::Command;

pub const VENV_ENV: &str = "COPSE_PY_VENV";

/// `COPSE_PY_VENV/bin/<tool>`, or None (after saying why) when the venv is not given.
pub(crate) fn venv_tool(tool: &str) -> Option<PathBuf> {
    let Some(venv) = std::env::var_os(VENV_ENV).filter(|v| !v.is_empty()) else {
        let why = format!(
            "{VENV_ENV} is not set: it names a Python venv with openapi-spec-validator and \
            schemathesis (`.ci/run` makes one: python3 -m venv target/ci-venv && \
            target/ci-venv/bin/pip install -r .ci/python-requirements.txt)"
        );
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("{why}; CI is set, so this test may not be skipped");
        }
        eprintln!("\n*** SKIPPED: {tool} not run. {why} ***\n");
        return None;
    };
    let path = Path::new(&venv).join("bin").join(tool);
    assert!(
        path.exists(),
        "{} is missing: {VENV_ENV} must name a venv with {tool} installed",
        path.display()
    );
    Some(path)
}

/// Runs a tool to completion (killed if the test fails first); returns success and its output.
pub(crate) async fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn openapi_document_passes_openapi_spec_validator() {
    let Some(validator) = venv_tool("openapi-spec-validator") else {
        return;
    };
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, res.bytes().await.expect("body")).expect("write");
    let (ok, output) = run(Command::new(&validator)
        .args(["--validation-errors", "all"])
        .arg(&file))
    .await;
    assert!(ok, "openapi-spec-validator rejects the document:\n{output}");
}

/// Seconds schemathesis may run (each engine's pass runs it once); a longer local run with
/// `COPSE_SCHEMATHESIS_SECONDS`.
fn fuzz_seconds() -> u64 {
    std::env::var("COPSE_SCHEMATHESIS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_or_undocumented_answer() {
    let Some(schemathesis) = venv_tool("schemathesis") else {
        return;
    };
    // The allow-list holds only a closed loopback port: every handle or URL the fuzzer makes up
    // (`/resolve`, `name@host` references, invitations) is refused before any lookup, so nothing
    // leaves this machine. The fuzzing user is no administrator, so it cannot change that list.
    let app = TestApp::spawn_with(|s| s.allowed_instances = vec!["127.0.0.1:9".into()]).await;
    let token = app.user("fuzzer").await;
    let (status, body) = app.community(&token, "garden", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(&token),
            json!({"title": "first", "body": "text"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_path = format!("/api/v1/posts/{}", post["id"]);
    let (status, body) = app
        .post(
            &format!("{post_path}/comments"),
            Some(&token),
            json!({"body": "a reply"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post(
            &format!("{post_path}/report"),
            Some(&token),
            json!({"reason": "a report"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let dir = tempfile::tempdir().expect("dir"); // hypothesis keeps its database in the cwd
    let seconds = fuzz_seconds().to_string();
    let mut command = Command::new(&schemathesis);
    command
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("run")
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--url", &app.base])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
            response_schema_conformance",
        ])
        // Logging out would end the token every other operation is fuzzed with.
        .args(["--exclude-operation-id", "log_out"])
        .args([
            "--max-examples",
            "30",
            "--max-time",
            &seconds,
            "--workers",
            "1",
        ]);
    let (ok, output) = run(&mut command).await;
    eprintln!("{output}");
    assert!(
        ok,
        "schemathesis found failures (its report is above; rerun one with its --seed)"
    );
    // The token stayed good through the run, so authenticated operations were exercised.
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
}

/// What the tools check first, without them: path parameters are in the path, operation ids are
/// unique, and the answers every operation's extractors can give are documented.
#[tokio::test]
async fn openapi_document_is_consistent() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let mut ids = BTreeSet::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let at = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(
                ids.insert(id.clone()),
                "{at}: operationId `{id}` is not unique"
            );
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                let name = p["name"].as_str().unwrap_or_default();
                if p["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{at}: `{name}` in path"
                    );
                }
            }
            let responses = op["responses"].as_object().expect("responses");
            let has = |status: &str| responses.contains_key(status);
            if !params.is_empty() || op.get("requestBody").is_some() {
                assert!(has("400"), "{at}: 400 undocumented");
            }
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(has("401"), "{at}: 401 undocumented");
            }
            if op.get("requestBody").is_some() {
                assert!(has("413") && has("415"), "{at}: 413/415 undocumented");
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{at} {status}");
                }
            }
        }
    }
}

/// serde reads a JSON array into a struct (fields by position); the API reads structs from JSON
/// objects only, at the top and nested, so `[]` is not an empty request.
#[tokio::test]
async fn json_bodies_are_objects_not_arrays() {
    let app = TestApp::spawn().await;
    let token = app.user("arrays").await;
    let (status, body) = app.community(&token, "arrays_club", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = app
        .post(
            "/api/v1/communities/arrays_club/posts",
            Some(&token),
            json!({"title": "first"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let (status, report) = app
        .post(
            &format!("/api/v1/posts/{}/report", post["id"]),
            Some(&token),
            json!({"reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let resolve = format!("/api/v1/reports/{}/resolve", report["id"]);

    // An optional body whose fields all have defaults: `[]` and `[false]` were accepted.
    for bad in [json!([]), json!([false])] {
        let got = app.post(&resolve, Some(&token), bad).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_json", None);
    }
    // A nested struct as an array.
    let got = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/communities/arrays_club",
            Some(&token),
            Some(json!({"charter": ["a", "b"]})),
        )
        .await;
    assert_error(
        &got,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("charter"),
    );
    // A required body given positionally.
    let got = app
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&token),
            json!(["a reply", null]),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_json", None);
    // Nothing was written: the report is still open, the post has no comment.
    let (status, page) = app
        .get("/api/v1/communities/arrays_club/reports", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["resolved"], Value::Bool(false), "{page}");
    let (_, tree) = app
        .get(&format!("/api/v1/posts/{}/comments", post["id"]), None)
        .await;
    assert_eq!(tree["items"], json!([]), "{tree}");
    // And the documented objects work.
    let (status, body) = app.post(&resolve, Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["resolved"], Value::Bool(true), "{body}");
}
