//! End to end against a third-party SMTP server: the built binary (`COPSE_BIN`, else the one
//! cargo built) runs `copse serve` with `smtp_url` pointed at aiosmtpd (PyPI, from the venv of
//! `COPSE_PY_VENV`) listening on loopback with a Maildir handler; `copse admin mail-test` and
//! `copse admin digests` make mail, and the delivered maildir is read back: multipart/alternative
//! with a text and an HTML part, the headers, and `List-Unsubscribe` exactly when the mail has
//! an unsubscribe link. Skipped (loudly) without the venv, failed without it under `CI`.

use crate::crash::{free_port, handle};
use crate::digests::monday_eight;
use crate::helpers::{eventually_for, TestDb};
use crate::mail_server::Received;
use crate::openapi::venv_tool;
use chrono::Duration;
use serde_json::json;
use std::{path::PathBuf, process::Stdio, time::Duration as Wait};
use tokio::process::{Child, Command};

fn binary() -> PathBuf {
    std::env::var_os("COPSE_BIN")
        .filter(|b| !b.is_empty())
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_copse")), PathBuf::from)
}

/// The binary with the settings both the server and the admin commands use.
fn copse(db: &TestDb, port: u16, smtp: u16) -> Command {
    let mut command = Command::new(binary());
    command
        .env("COPSE_HOSTNAME", format!("localhost:{port}"))
        .env("COPSE_BIND", format!("127.0.0.1:{port}"))
        .env("COPSE_DATABASE_URL", db.url())
        .env("COPSE_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
        .env("COPSE_MAIL_FROM", "Garden club <club@example.org>")
        .env("COPSE_REQUIRE_EMAIL_CONFIRMATION", "off")
        .env("COPSE_INSECURE_FEDERATION", "true")
        .env("COPSE_LOG", "warn")
        .env_remove("COPSE_CONFIG")
        .kill_on_drop(true);
    command
}

async fn output(mut command: Command, args: &[&str]) -> String {
    let out = command.args(args).output().await.expect("run copse");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(out.status.success(), "copse {args:?}: {stdout}{stderr}");
    stdout
}

/// Every message in the maildir's `new` folder.
fn delivered(maildir: &std::path::Path) -> Vec<Received> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| Received {
            from: String::new(),
            to: Vec::new(),
            data: std::fs::read(e.path()).expect("a delivered message"),
        })
        .collect()
}

/// The structure every mail shares, and `List-Unsubscribe` exactly when the footer has a link.
fn check_structure(mail: &Received, to: &str) {
    let parsed = mail.parsed();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let kinds: Vec<String> = parsed
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.clone())
        .collect();
    assert_eq!(kinds, ["text/plain", "text/html"]);
    assert_eq!(mail.header("To").unwrap(), to);
    assert_eq!(
        mail.header("From").unwrap(),
        "\"Garden club\" <club@example.org>"
    );
    assert!(mail
        .header("Message-ID")
        .unwrap()
        .starts_with("<copse.mail."));
    assert!(mail.header("Date").is_some());
    let footer = mail
        .part("text/plain")
        .lines()
        .find_map(|l| l.strip_prefix("Unsubscribe: ").map(str::to_string));
    match footer {
        Some(link) => {
            assert_eq!(mail.header("List-Unsubscribe"), Some(format!("<{link}>")));
            assert_eq!(
                mail.header("List-Unsubscribe-Post").as_deref(),
                Some("List-Unsubscribe=One-Click")
            );
        }
        None => assert_eq!(mail.header("List-Unsubscribe"), None),
    }
}

#[tokio::test]
async fn the_built_binary_delivers_its_mail_and_a_digest_to_aiosmtpd() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let folder = tempfile::tempdir().expect("a folder");
    let maildir = folder.path().join("Maildir");
    let smtp = free_port();
    let mut aiosmtpd: Child = Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{smtp}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("aiosmtpd starts (pip install aiosmtpd)");
    eventually_for("aiosmtpd listens", Wait::from_secs(20), || async {
        tokio::net::TcpStream::connect(("127.0.0.1", smtp))
            .await
            .ok()
            .map(|_| ())
    })
    .await;

    let db = TestDb::new();
    let port = free_port();
    let _serve = copse(&db, port, smtp)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("copse serve starts");
    let app = handle(db, port);
    eventually_for("copse answers", Wait::from_secs(30), || async {
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .ok()
            .map(|_| ())
    })
    .await;
    // Made by the operator, so her address counts as confirmed (mail goes only to those).
    let mut create = copse(&app.db, port, smtp)
        .args(["admin", "create-user", "ann", "--email", "ann@example.org"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("copse admin create-user");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = create.stdin.take().expect("stdin");
        let line = format!("{}\n", crate::helpers::PASSWORD);
        stdin.write_all(line.as_bytes()).await.expect("password");
    }
    assert!(create.wait().await.expect("create-user ends").success());
    let ann = app.login("ann").await;
    app.community(&ann, "garden", json!({"membership_policy": "open"}))
        .await;
    let (status, post) = app
        .post(
            "/api/v1/communities/garden/posts",
            Some(&ann),
            json!({"title": "Pruning the pear tree", "body": "in February"}),
        )
        .await;
    assert!(status.is_success(), "{post}");

    let said = output(
        copse(&app.db, port, smtp),
        &["admin", "mail-test", "bob@example.org"],
    )
    .await;
    assert!(
        said.contains("the SMTP server took the test mail"),
        "{said}"
    );
    let at = (monday_eight(chrono_tz::Tz::UTC) + Duration::minutes(1)).to_rfc3339();
    let said = output(
        copse(&app.db, port, smtp),
        &["admin", "digests", "--at", &at],
    )
    .await;
    assert!(said.contains("1 queued"), "{said}");

    let mails = eventually_for("both mails in the maildir", Wait::from_secs(30), || async {
        let mails = delivered(&maildir);
        (mails.len() == 2).then_some(mails)
    })
    .await;
    let test = mails
        .iter()
        .find(|m| m.header("Subject").unwrap().starts_with("Test message"))
        .expect("the test mail");
    check_structure(test, "bob@example.org");
    let digest = mails
        .iter()
        .find(|m| {
            m.header("Subject")
                .unwrap()
                .starts_with("Your weekly digest")
        })
        .expect("the digest");
    check_structure(digest, "ann@example.org");
    assert!(digest.part("text/plain").contains("Pruning the pear tree"));
    assert!(digest
        .part("text/html")
        .contains("Pruning the pear tree</a>"));
    let unsubscribe = digest
        .header("List-Unsubscribe")
        .expect("a digest's List-Unsubscribe");
    assert!(unsubscribe.contains("/mail/unsubscribe/"), "{unsubscribe}");
    aiosmtpd.start_kill().expect("stop aiosmtpd");
}
