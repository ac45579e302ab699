//! Account mail over a real SMTP conversation (`mail_server`: an SMTP server in this process on
//! a loopback port): the structure of what copse sends, password resets (API and pages), address
//! confirmation, the notice of an address change. Sending itself: `mail_queue`. Both engines.

use crate::helpers::{assert_error, eventually, TestApp, PASSWORD};
use crate::mail_server::{Received, SmtpServer};
use copse::config::{Confirmation, Settings};
use diesel::{ExpressionMethods, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::json;

pub(crate) const NEW_PASSWORD: &str = "another long passphrase";

pub(crate) async fn app_with_smtp(smtp: &SmtpServer, confirm: Confirmation) -> TestApp {
    let url = smtp.url();
    TestApp::spawn_with(move |s: &mut Settings| {
        s.smtp_url = url;
        s.require_email_confirmation = confirm;
    })
    .await
}

/// Every queued mail with its state.
pub(crate) async fn queue(app: &TestApp) -> Vec<(copse::db::mail::QueuedMail, String)> {
    app.context().db(copse::db::mail::all).await.unwrap()
}

pub(crate) fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").to_string()
}

/// An account made by the operator (its address counts as confirmed).
async fn operator_account(app: &TestApp, name: &str) -> String {
    let input =
        copse::domain::accounts::NewAccount::parse(name, &format!("{name}@example.org"), PASSWORD)
            .unwrap();
    copse::actions::accounts::create(
        &app.context(),
        input,
        copse::actions::accounts::Origin::Operator { admin: false },
    )
    .await
    .unwrap();
    app.login(name).await
}

fn assert_account_mail_structure(mail: &Received, app: &TestApp, to: &str) {
    assert_eq!(mail.to, vec![to.to_string()]);
    assert_eq!(mail.from, "noreply@localhost");
    assert_eq!(mail.header("From").unwrap(), "copse <noreply@localhost>");
    let parsed = mail.parsed();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let types: Vec<_> = parsed
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.clone())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let id = mail.header("Message-ID").expect("a Message-ID");
    assert!(
        id.starts_with("<copse.mail.") && id.ends_with("@localhost>"),
        "{id}"
    );
    assert!(mail.header("Date").is_some());
    assert!(mail.part("text/html").contains(&app.hostname));
    // Account security: no unsubscribing from it.
    assert_eq!(mail.header("List-Unsubscribe"), None);
    assert_eq!(mail.header("List-Unsubscribe-Post"), None);
}

#[tokio::test]
async fn a_reset_link_is_mailed_as_text_and_html_and_works_once() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let old_session = app.user("ada").await;

    let asked = app
        .post(
            "/api/v1/password-reset",
            None,
            json!({"email": "ada@example.org"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/password-reset",
            None,
            json!({"email": "nobody@example.org"}),
        )
        .await;
    assert_eq!(asked.0, StatusCode::ACCEPTED, "{}", asked.1);
    assert_eq!(
        asked, unknown,
        "the same answer whether or not the address is known"
    );
    let mails = smtp.wait_for(1).await;
    assert_eq!(
        queue(&app).await.len(),
        1,
        "nothing queued for the unknown address"
    );
    let mail = &mails[0];
    assert_account_mail_structure(mail, &app, "ada@example.org");
    assert!(mail
        .header("Subject")
        .unwrap()
        .contains("Reset your password"));
    let link = mail.link("/password/reset?token=");
    assert!(link.starts_with(&format!("http://{}/password/reset?token=", app.hostname)));
    assert!(mail.part("text/html").contains(&link.replace('&', "&amp;")));
    let token = token_of(&link);

    // The page of the link shows the form.
    let (status, _, page) = app
        .fetch(&format!("/password/reset?token={token}"), "text/html")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"password\""), "{page}");

    let (status, body) = app
        .post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // Every session ended; the new password logs in, the old one does not.
    assert_eq!(
        app.get("/api/v1/me", Some(&old_session)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let old = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "ada", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.0, StatusCode::UNAUTHORIZED);
    let new = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "ada", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(new.0, StatusCode::CREATED, "{}", new.1);

    // Once only.
    let again = app
        .post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token, "password": "yet another passphrase"}),
        )
        .await;
    assert_error(
        &again,
        StatusCode::BAD_REQUEST,
        "token_invalid",
        Some("token"),
    );
    let (status, _, page) = app
        .fetch(&format!("/password/reset?token={token}"), "text/html")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("/password/forgot"), "{page}");
    // The queue keeps no live link once the mail is sent.
    let sent = eventually("the mail is marked sent", || async {
        let rows = queue(&app).await;
        (rows[0].1 == "sent").then_some(rows)
    })
    .await;
    assert!(sent[0].0.text_body.is_empty() && sent[0].0.html_body.is_empty());
}

#[tokio::test]
async fn a_reset_link_expires_and_only_the_newest_works() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    app.user("bea").await;
    let ctx = app.context();
    let first = copse::actions::account_mail::reset_link_for(&ctx, "bea")
        .await
        .unwrap();
    let second = copse::actions::account_mail::reset_link_for(&ctx, "bea")
        .await
        .unwrap();
    let complete = |token: String| {
        app.post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token, "password": NEW_PASSWORD}),
        )
    };
    assert_error(
        &complete(token_of(&first)).await,
        StatusCode::BAD_REQUEST,
        "token_invalid",
        None,
    );
    // An hour later the newest is dead too.
    ctx.write(|conn| {
        use copse::db::schema::account_tokens::dsl::*;
        diesel::update(account_tokens)
            .set(expires_at.eq(copse::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    assert_error(
        &complete(token_of(&second)).await,
        StatusCode::BAD_REQUEST,
        "token_invalid",
        None,
    );
    // A bad new password is refused before the link is used up.
    let third = copse::actions::account_mail::reset_link_for(&ctx, "bea")
        .await
        .unwrap();
    let weak = app
        .post(
            "/api/v1/password-reset/complete",
            None,
            json!({"token": token_of(&third), "password": "short"}),
        )
        .await;
    assert_error(
        &weak,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("password"),
    );
    assert_eq!(complete(token_of(&third)).await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_new_account_logs_in_once_its_address_is_confirmed() {
    let smtp = SmtpServer::start();
    // `auto` with an SMTP server: on.
    let app = app_with_smtp(&smtp, Confirmation::Auto).await;
    let (status, account) = app.register("cyd").await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["email_confirmed"], false);
    let refused = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "cyd", "password": PASSWORD}),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "email_unconfirmed", None);

    let mails = smtp.wait_for(1).await;
    assert_account_mail_structure(&mails[0], &app, "cyd@example.org");
    let link = mails[0].link("/confirm-email?token=");
    // Opening the link shows a button; the GET alone confirms nothing.
    let (status, _, page) = app.fetch(&link.replace(&app.base, ""), "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/confirm-email\""), "{page}");
    let still = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "cyd", "password": PASSWORD}),
        )
        .await;
    assert_error(&still, StatusCode::FORBIDDEN, "email_unconfirmed", None);
    assert_eq!(
        queue(&app).await.len(),
        1,
        "refusals so soon send no further link"
    );

    let (status, body) = app
        .post(
            "/api/v1/email-confirmation",
            None,
            json!({"token": token_of(&link)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"email": "cyd@example.org", "changed": false}));
    let token = app.login("cyd").await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["email_confirmed"], true);
    let again = app
        .post(
            "/api/v1/email-confirmation",
            None,
            json!({"token": token_of(&link)}),
        )
        .await;
    assert_error(&again, StatusCode::BAD_REQUEST, "token_invalid", None);
}

#[tokio::test]
async fn a_new_address_takes_effect_when_confirmed_and_the_old_one_is_told() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::On).await;
    let token = operator_account(&app, "dee").await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/email",
            Some(&token),
            Some(json!({"email": "dee@new.example"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "pending");
    smtp.wait_for(2).await;
    let notice = &smtp.to("dee@example.org")[0];
    assert_account_mail_structure(notice, &app, "dee@example.org");
    assert!(notice.part("text/plain").contains("dee@new.example"));
    let confirm = &smtp.to("dee@new.example")[0];
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me["email"], "dee@example.org",
        "not changed before the link is opened"
    );

    let link = confirm.link("/confirm-email?token=");
    let (status, body) = app
        .post(
            "/api/v1/email-confirmation",
            None,
            json!({"token": token_of(&link)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"email": "dee@new.example", "changed": true}));
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["email"], "dee@new.example");
    assert_eq!(me["email_confirmed"], true);
}

#[tokio::test]
async fn without_confirmation_an_address_changes_at_once_and_the_old_one_is_told() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    let token = app.user("eve").await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/email",
            Some(&token),
            Some(json!({"email": "eve@new.example"})),
        )
        .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, json!("changed"))
    );
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, ["eve@example.org"]);
    assert!(mails[0].part("text/plain").contains("was changed"));
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["email"], "eve@new.example");
}

#[tokio::test]
async fn forgot_password_in_the_pages_leads_to_a_new_password_and_a_log_in() {
    use crate::web_client::Browser;
    let smtp = SmtpServer::start();
    let app = app_with_smtp(&smtp, Confirmation::Off).await;
    app.user("lea").await;
    let browser = Browser::new(&app);
    let login = browser.get("/login").await;
    assert!(
        login.body.contains("href=\"/password/forgot\""),
        "{}",
        login.body
    );
    let form = browser.get("/password/forgot").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("<label for=\"email\">"));
    let sent = browser
        .post("/password/forgot", &[("email", "lea@example.org")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let unknown = browser
        .post("/password/forgot", &[("email", "nobody@example.org")])
        .await;
    assert_eq!(
        (unknown.status, unknown.header("location")),
        (sent.status, sent.header("location"))
    );
    let said = browser.get("/login").await;
    assert!(
        said.body.contains("If an account has this address"),
        "{}",
        said.body
    );

    let link = smtp.wait_for(1).await[0].link("/password/reset?token=");
    let path = link.replace(&app.base, "");
    let page = browser.get(&path).await;
    page.assert_html(StatusCode::OK);
    let weak = browser
        .post(
            "/password/reset",
            &[("token", &token_of(&link)), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("aria-invalid=\"true\""), "{}", weak.body);
    let done = browser
        .post(
            "/password/reset",
            &[("token", &token_of(&link)), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/login");
    let logged_in = browser
        .post("/login", &[("username", "lea"), ("password", NEW_PASSWORD)])
        .await;
    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );
    let used = browser.get(&path).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST);
}
