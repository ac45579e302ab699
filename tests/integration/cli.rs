//! The `copse` binary: version, migrate, config, creating an admin, and the operator's mail
//! commands (`admin reset-password`, `admin mail-test`).

use crate::helpers::{TestApp, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

pub fn copse(db: &TestDb, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_copse"));
    command.env("COPSE_DATABASE_URL", db.url());
    run(command, args, stdin)
}

/// The binary run in `folder`, its database from its settings only.
fn copse_in(folder: &Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_copse"));
    command
        .current_dir(folder)
        .env_remove("COPSE_DATABASE_URL")
        .env_remove("COPSE_CONFIG");
    run(command, args, stdin)
}

fn run(mut command: Command, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = command
        .args(args)
        .env("COPSE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run copse");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn version_and_migrate() {
    let db = TestDb::new();
    let (ok, out, _) = copse(&db, &["--version"], "");
    assert!(ok && out.contains(env!("CARGO_PKG_VERSION")), "{out}");
    let (ok, out, err) = copse(&db, &["migrate"], "");
    assert!(ok, "{err}");
    let expected = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations")
        .count();
    assert!(
        out.contains(&format!("{expected} migration(s) applied")),
        "{out}"
    );
    let (ok, out, _) = copse(&db, &["migrate"], "");
    assert!(ok && out.contains("0 migration(s) applied"), "{out}");
}

#[test]
fn bad_settings_stop_start_up_with_the_key_named() {
    let db = TestDb::new();
    let out = Command::new(env!("CARGO_BIN_EXE_copse"))
        .args(["serve"])
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_BIND", "nonsense")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind"), "{err}");
}

#[tokio::test]
async fn operator_creates_an_admin_who_can_log_in() {
    let db = TestDb::new();
    let (ok, out, err) = copse(
        &db,
        &[
            "admin",
            "create-user",
            "root_admin",
            "--email",
            "root@example.org",
            "--admin",
        ],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("created root_admin (admin)"), "{out}");
    let (ok, _, err) = copse(
        &db,
        &[
            "admin",
            "create-user",
            "Bad-Name",
            "--email",
            "b@example.org",
        ],
        "a long enough password\n",
    );
    assert!(!ok && err.contains("username"), "{err}");

    let app = TestApp::spawn_on(db, |_| {}).await;
    let (status, body) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "root_admin", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("token").to_string();
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["is_admin"], true);
}

#[test]
fn config_defaults_prints_the_defaults_file() {
    let db = TestDb::new();
    let (ok, out, _) = copse(&db, &["config", "defaults"], "");
    assert!(ok);
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/defaults.toml"))
            .expect("file");
    assert_eq!(out, file);
}

/// The README's command that creates the first administrator works as written.
#[test]
fn the_readmes_admin_command_works() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run -- admin create-user"))
        .expect("the README's create-user command");
    let command = line.split('#').next().unwrap_or_default();
    let args: Vec<&str> = command.split_whitespace().skip(3).collect();
    let db = TestDb::new();
    let (ok, out, err) = copse(&db, &args, "a long enough password\n");
    assert!(ok, "{line}: {out}{err}");
    assert!(out.contains("(admin)"), "{out}");
}

/// A relative SQLite path in a settings file is that file's folder's, whichever folder a
/// command runs in, and every command says which database it opened.
#[test]
fn every_command_opens_the_database_beside_its_settings_file() {
    let site = tempfile::tempdir().expect("dir");
    let elsewhere = tempfile::tempdir().expect("dir");
    let config = site.path().join("copse.toml");
    std::fs::write(&config, "database_url = \"data/copse.db\"\n").expect("write");
    let config = config.display().to_string();
    let db = site.path().join("data/copse.db");
    let said = format!("copse: database SQLite {}", db.display());

    let (ok, out, err) = copse_in(
        elsewhere.path(),
        &[
            "--config",
            &config,
            "admin",
            "create-user",
            "ada",
            "--email",
            "ada@example.org",
        ],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(err.contains(&format!("{said} (new)")), "{err}");
    assert!(db.exists() && !elsewhere.path().join("data").exists());

    for (folder, args) in [
        (
            elsewhere.path(),
            &["--config", &config, "admin", "queue"][..],
        ),
        (
            Path::new("/"),
            &["--config", &config, "admin", "approve-user", "ada"][..],
        ),
        (site.path(), &["--config", &config, "migrate"][..]),
    ] {
        let (ok, out, err) = copse_in(folder, args, "");
        assert!(ok, "{args:?} in {}: {out}{err}", folder.display());
        assert!(err.lines().any(|l| l == said), "{args:?}: {err}");
    }
    // Without the settings file the working directory's database is another one, and says so.
    let (ok, _, err) = copse_in(elsewhere.path(), &["admin", "queue"], "");
    let other = elsewhere.path().join("data/copse.db");
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("copse: database SQLite {} (new)", other.display())),
        "{err}"
    );
}

#[test]
fn json_logs_are_one_object_a_line() {
    use std::io::{BufRead, BufReader};
    let db = TestDb::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_copse"))
        .arg("serve")
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_BIND", "127.0.0.1:0")
        .env("COPSE_HOSTNAME", "localhost:1")
        .env("COPSE_LOG", "info")
        .env("COPSE_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("copse serve");
    let stderr = child.stderr.take().expect("stderr");
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut listening = None;
    while let Ok(line) = seen.recv_timeout(std::time::Duration::from_secs(60)) {
        // The database line is printed before logging starts, for every command.
        if line.starts_with("copse: database") {
            continue;
        }
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            event["timestamp"].is_string() && event["level"].is_string(),
            "{line}"
        );
        if event["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("copse listening"))
        {
            listening = Some(event);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let event = listening.expect("a JSON line saying copse listens");
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["target"], "copse::server");
}

#[tokio::test]
async fn the_operator_prints_a_reset_link_and_sends_a_test_mail() {
    let db = TestDb::new();
    let (ok, out, err) = copse(
        &db,
        &["admin", "create-user", "kit", "--email", "kit@example.org"],
        "a long enough password\n",
    );
    assert!(ok, "{out}{err}");
    let (ok, out, err) = copse(&db, &["admin", "reset-password", "kit"], "");
    assert!(ok, "{out}{err}");
    let token = out
        .split("token=")
        .nth(1)
        .map(str::trim)
        .expect("a link with a token")
        .to_string();
    let (ok, _, err) = copse(&db, &["admin", "reset-password", "nobody"], "");
    assert!(!ok && err.contains("nobody"), "{err}");

    // A test mail through a real SMTP server, and into a folder without one.
    let smtp = crate::mail_server::SmtpServer::start();
    let mut command = Command::new(env!("CARGO_BIN_EXE_copse"));
    command
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_SMTP_URL", smtp.url());
    let (ok, out, err) = run(command, &["admin", "mail-test", "ops@example.org"], "");
    assert!(ok, "{out}{err}");
    assert!(out.contains("the SMTP server took the test mail"), "{out}");
    assert_eq!(smtp.wait_for(1).await[0].to, ["ops@example.org"]);
    let folder = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_copse"));
    command
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_MAIL_DIR", folder.path());
    let (ok, out, err) = run(command, &["admin", "mail-test", "ops@example.org"], "");
    assert!(ok && out.contains("was written to"), "{out}{err}");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);

    let app = TestApp::spawn_on(db, |_| {}).await;
    let (status, body) = app
        .post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token, "password": "a new long passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "kit", "password": "a new long passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
