//! A newcomer in a real browser: from the home page to signing up (a refused password first),
//! changing their settings, making a private feed address and a new one, logging out and in
//! again; with scripts on (axe checks every page,
//! the form errors included) and with scripts off (every form is a plain form).

use super::{Browser, Scripts};
use crate::helpers::TestApp;

async fn newcomer(scripts: Scripts) {
    let (browser, app) = tokio::join!(Browser::start(scripts), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
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

    // The README's first command leads to a page where one can sign up.
    browser.open(&app.url("/")).await;
    check("/").await;
    browser.click("header a[href='/signup']").await;
    check("/signup").await;

    // A weak password is refused next to its field; what was typed stays.
    browser.fill("#username", "newcomer").await;
    browser.fill("#email", "newcomer@example.org").await;
    browser.fill("#password", "short").await;
    browser.click("main form button[type=submit]").await;
    check("/signup").await;
    let text = browser.main_text().await;
    assert!(text.contains("Password"), "{text}");
    assert!(
        browser.page_text().await.contains("Sign up"),
        "still on the form"
    );
    browser.fill("#password", "a long enough password").await;
    browser.click("main form button[type=submit]").await;
    check("/").await;
    assert!(browser.page_text().await.contains("newcomer"), "signed in");

    // Settings: the display name changes, with a message after the redirect.
    browser.click("header a[href='/settings']").await;
    check("/settings").await;
    browser.fill("#display_name", "New Comer").await;
    browser
        .click("form[action='/settings/profile'] button[type=submit]")
        .await;
    check("/settings").await;
    let shown = browser.page_text().await;
    assert!(
        shown.contains("saved") || shown.contains("updated"),
        "{shown}"
    );

    // A private feed address, then a new one in its place.
    browser
        .click("form[action='/settings/feed'] button[type=submit]")
        .await;
    check("/settings").await;
    let shown = browser.main_text().await;
    assert!(shown.contains("add it to your feed reader"), "{shown}");
    let first = browser.main_text().await;
    assert!(first.contains("/front.xml"), "{first}");
    browser
        .click("form[action='/settings/feed'] button[type=submit]")
        .await;
    check("/settings").await;
    let second = browser.main_text().await;
    assert!(second.contains("the old one no longer works"), "{second}");
    let address = |text: &str| {
        text.split_whitespace()
            .find(|w| w.ends_with("/front.xml"))
            .map(str::to_string)
    };
    assert_ne!(address(&first), address(&second));

    // Out, and in again.
    browser.click("header form[action='/logout'] button").await;
    check("/").await;
    assert!(browser.page_text().await.contains("Log in"), "signed out");
    browser.click("header a[href='/login']").await;
    check("/login").await;
    browser.fill("#username", "newcomer").await;
    browser.fill("#password", "a long enough password").await;
    browser.click("main form button[type=submit]").await;
    check("/").await;
    assert!(
        browser.page_text().await.contains("Settings"),
        "signed in again"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_newcomer_signs_up_and_every_page_passes_axe() {
    newcomer(Scripts::On).await;
}

#[tokio::test]
async fn a_newcomer_signs_up_without_javascript() {
    newcomer(Scripts::Off).await;
}
