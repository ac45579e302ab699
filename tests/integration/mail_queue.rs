//! Sending mail: the `mail_dir` fallback without SMTP, retries of a mail the server refuses for
//! now, giving up one it can never take, mail queued before a stop sent once after the restart
//! (and a claim of a process that died taken over), and one-click unsubscribe headers. A real
//! SMTP server on loopback (`mail_server`); both engines.

use crate::helpers::{eventually, TestApp, TestDb};
use crate::mail::{app_with_smtp, queue, token_of, NEW_PASSWORD};
use crate::mail_server::{Received, SmtpServer};
use copse::config::{Confirmation, Settings};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn without_smtp_mail_is_written_to_the_mail_folder() {
    let app = TestApp::spawn().await;
    let folder = app.context().settings().mail_folder();
    app.user("fay").await;
    let (status, _) = app
        .post(
            "/api/v1/password-reset",
            None,
            json!({"email": "fay@example.org"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let file = eventually("a .eml file in the mail folder", || async {
        std::fs::read_dir(&folder)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "eml"))
    })
    .await;
    let mail = Received {
        from: String::new(),
        to: Vec::new(),
        data: std::fs::read(&file).unwrap(),
    };
    assert_eq!(mail.parsed().ctype.mimetype, "multipart/alternative");
    assert_eq!(mail.header("To").unwrap(), "fay@example.org");
    let link = mail.link("/password/reset?token=");
    let (status, _) = app
        .post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token_of(&link), "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Without SMTP, `auto` asks no confirmation: a new account logs in at once.
    app.user("gus").await;
}

#[tokio::test]
async fn a_mail_the_server_refuses_for_now_is_retried() {
    let smtp = SmtpServer::start();
    smtp.refuse(true);
    let url = smtp.url();
    let app = TestApp::spawn_with(move |s: &mut Settings| {
        s.smtp_url = url;
        s.require_email_confirmation = Confirmation::Off;
        s.mail_retry_base_secs = 1;
    })
    .await;
    app.user("hal").await;
    app.post(
        "/api/v1/password-reset",
        None,
        json!({"email": "hal@example.org"}),
    )
    .await;
    eventually("a failed try is recorded", || async {
        let rows = queue(&app).await;
        (rows[0].0.attempts >= 1 && rows[0].1 == "pending").then_some(())
    })
    .await;
    assert!(smtp.received().is_empty());
    smtp.refuse(false);
    smtp.wait_for(1).await;
    eventually("the mail is marked sent", || async {
        (queue(&app).await[0].1 == "sent").then_some(())
    })
    .await;
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains("copse_mail_sent_total 1"), "{metrics}");
    assert!(metrics.contains("copse_mail_queue_depth 0"), "{metrics}");
    let retried = metrics
        .lines()
        .find_map(|l| l.strip_prefix("copse_mail_retried_total "))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap();
    assert!(retried >= 1);
    assert_eq!(smtp.received().len(), 1, "sent once");
}

#[tokio::test]
async fn a_mail_the_server_refuses_for_good_is_given_up_and_shown_to_administrators() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let ctx = app.context();
    // A recipient that is not an address can never be sent: given up at once, not retried.
    let mail = copse::mail::templates::mail_test(ctx.settings(), None).unwrap();
    ctx.write(move |conn| copse::db::mail::enqueue(conn, "not an address", &mail))
        .await
        .unwrap();
    ctx.mail_wakeup().notify_one();
    eventually("the mail is given up", || async {
        (queue(&app).await[0].1 == "dead").then_some(())
    })
    .await;
    let report = copse::actions::delivery::queue_report(&ctx).await.unwrap();
    assert_eq!((report.mail_waiting, report.mail_dead), (0, 1));
    assert!(report.as_table().contains("mail: 0 waiting, 1 given up"));
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains("copse_mail_failed_total 1"), "{metrics}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn mail_queued_before_a_stop_is_sent_once_after_the_restart() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    // No mail job in this process: the mail is queued and the instance stops before any send.
    let mut first = TestApp::spawn_with({
        let url = url.clone();
        move |s: &mut Settings| {
            s.smtp_url = url;
            s.require_email_confirmation = Confirmation::Off;
            s.delivery_in_serve = false;
        }
    })
    .await;
    first.user("ivy").await;
    first.user("jon").await;
    first
        .post(
            "/api/v1/password-reset",
            None,
            json!({"email": "ivy@example.org"}),
        )
        .await;
    first
        .post(
            "/api/v1/password-reset",
            None,
            json!({"email": "jon@example.org"}),
        )
        .await;
    // jon's mail was claimed by a process that died (its lease runs a second longer).
    first
        .context()
        .write(|conn| {
            use copse::db::schema::mail_queue::dsl::*;
            diesel::update(mail_queue.filter(recipient.eq("jon@example.org")))
                .set((
                    claimed_by.eq("a-worker-that-died"),
                    claimed_until.eq(copse::db::now() + chrono::Duration::seconds(1)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    first.server.take().unwrap().stop().await;
    assert!(smtp.received().is_empty());
    let db = std::mem::replace(&mut first.db, TestDb::sqlite());

    let second = TestApp::spawn_on(db, move |s: &mut Settings| {
        s.smtp_url = url;
        s.require_email_confirmation = Confirmation::Off;
    })
    .await;
    smtp.wait_for(2).await;
    eventually("both marked sent", || async {
        queue(&second)
            .await
            .iter()
            .all(|(_, state)| state == "sent")
            .then_some(())
    })
    .await;
    // Exactly once each, even after the job looked again.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.to("ivy@example.org").len(), 1);
    assert_eq!(smtp.to("jon@example.org").len(), 1);
}

#[tokio::test]
async fn mail_that_is_not_account_security_carries_one_click_unsubscribe() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let ctx = app.context();
    let link = app.url("/unsubscribe/abc");
    let mail = copse::mail::templates::mail_test(ctx.settings(), Some(link.clone())).unwrap();
    ctx.write(move |conn| copse::db::mail::enqueue(conn, "kim@example.org", &mail))
        .await
        .unwrap();
    ctx.mail_wakeup().notify_one();
    let got = smtp.wait_for(1).await;
    assert_eq!(
        got[0].header("List-Unsubscribe").unwrap(),
        format!("<{link}>")
    );
    assert_eq!(
        got[0].header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    assert!(got[0].part("text/plain").contains(&link));
}
