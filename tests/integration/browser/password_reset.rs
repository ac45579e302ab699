//! A member who forgot their password, in a real browser: from the log-in page to "forgot
//! password", the mailed link (read from a real SMTP server), a refused then an accepted new
//! password, and logging in with it; with scripts on (axe checks each page) and off.

use super::{Browser, Scripts};
use crate::helpers::TestApp;
use crate::mail_server::SmtpServer;
use copse::config::Confirmation;

async fn forgotten_password(scripts: Scripts) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let (browser, app) = tokio::join!(
        Browser::start(scripts),
        TestApp::spawn_with(move |s| {
            s.smtp_url = url;
            s.require_email_confirmation = Confirmation::Off;
        })
    );
    let Some(browser) = browser else {
        return;
    };
    app.user("forgetful").await;
    let axe = scripts == Scripts::On;
    let check = |path: &'static str| {
        let browser = &browser;
        async move {
            assert_eq!(browser.path().await, path);
            if axe {
                browser.assert_accessible().await;
            }
        }
    };

    browser.open(&app.url("/login")).await;
    check("/login").await;
    browser.click("main a[href='/password/forgot']").await;
    check("/password/forgot").await;
    browser.fill("#email", "forgetful@example.org").await;
    browser.click("main form button[type=submit]").await;
    check("/login").await;
    assert!(
        browser
            .page_text()
            .await
            .contains("If an account has this address"),
        "the same answer for every address"
    );

    let link = smtp.wait_for(1).await[0].link("/password/reset?token=");
    browser.open(&link).await;
    check("/password/reset").await;
    browser.fill("#password", "short").await;
    browser.click("main form button[type=submit]").await;
    check("/password/reset").await;
    let refused = browser.main_text().await;
    assert!(refused.contains("At least 10 characters"), "{refused}");
    browser.fill("#password", "a brand new passphrase").await;
    browser.click("main form button[type=submit]").await;
    check("/login").await;
    assert!(browser
        .page_text()
        .await
        .contains("Your password is changed"));

    browser.fill("#username", "forgetful").await;
    browser.fill("#password", "a brand new passphrase").await;
    browser.click("main form button[type=submit]").await;
    check("/").await;
    assert!(browser.page_text().await.contains("Settings"), "signed in");

    // The link worked once.
    browser.open(&link).await;
    assert!(browser
        .main_text()
        .await
        .contains("This link does not work"));
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_the_mailed_link_and_every_page_passes_axe() {
    forgotten_password(Scripts::On).await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_without_scripts() {
    forgotten_password(Scripts::Off).await;
}
