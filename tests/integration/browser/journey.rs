//! Issue 12's end-to-end flow, through the pages only, on one instance: the first person signs
//! up, logs in and founds an approval community with a charter and a joining question; a second
//! person signs up and applies; the owner approves; both post threads, reply to each other (a
//! reply to a reply too), vote, edit, delete (the placeholder shows) and report; the owner
//! resolves the report, locks a thread, pins one and bans the member, whose next thread is
//! refused. With scripts off (every form a plain form), and with scripts on and axe run on every
//! page visited, signed in and out. The API only checks results.

use super::communities::arrive;
use super::{Browser, Scripts};
use crate::helpers::{find_post, TestApp, PASSWORD};
use fantoccini::Locator;
use reqwest::StatusCode;

const HOME: &str = "/c/weavers";
const MODERATION: &str = "/c/weavers/moderation";

/// The browser and the instance of one flow; `check` waits for a page and, with scripts on,
/// runs axe on it.
struct Flow<'a> {
    browser: &'a Browser,
    app: &'a TestApp,
    axe: bool,
}

impl Flow<'_> {
    async fn check(&self, path: &str, expected: &[&str]) {
        arrive(self.browser, path, expected).await;
        if self.axe {
            self.browser.assert_accessible().await;
        }
    }

    async fn open(&self, path: &str, expected: &[&str]) {
        self.browser.open(&self.app.url(path)).await;
        self.check(path, expected).await;
    }

    /// Clicks `css` (a link or a form's button) and checks the page it leads to.
    async fn click(&self, css: &str, path: &str, expected: &[&str]) {
        self.browser.click(css).await;
        self.check(path, expected).await;
    }

    async fn sign_up(&self, name: &str) {
        self.open("/", &[]).await;
        self.click("header a[href='/signup']", "/signup", &["Sign up"])
            .await;
        self.browser.fill("#username", name).await;
        self.browser
            .fill("#email", &format!("{name}@example.org"))
            .await;
        self.browser.fill("#password", PASSWORD).await;
        let welcome = format!("Welcome, {name}!");
        self.click("main form button[type=submit]", "/", &[&welcome])
            .await;
    }

    async fn log_in(&self, name: &str) {
        self.click("header a[href='/login']", "/login", &[]).await;
        self.browser.fill("#username", name).await;
        self.browser.fill("#password", PASSWORD).await;
        self.click(
            "main form button[type=submit]",
            "/",
            &["You are logged in."],
        )
        .await;
        let header = self.browser.page_text().await;
        assert!(header.contains(name), "signed in as {name}: {header}");
    }

    async fn log_out(&self) {
        let button = "header form[action='/logout'] button";
        self.click(button, "/", &["You are logged out."]).await;
        assert!(self.browser.page_text().await.contains("Log in"));
    }

    /// From the community's page, a new thread; returns its id.
    async fn post_thread(&self, title: &str, body: &str) -> i64 {
        self.open(HOME, &[]).await;
        let submit = format!("{HOME}/submit");
        let link = format!("main a[href='{submit}']");
        self.click(&link, &submit, &["New thread"]).await;
        self.browser.fill("#title", title).await;
        self.browser.fill("#body", body).await;
        self.browser.click("main form button:not([name])").await;
        let path = self.browser.path().await;
        let id = path
            .strip_prefix("/post/")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("a new thread opens its page, not {path}"));
        self.check(&path, &["Your thread was posted.", title]).await;
        id
    }

    /// A reply on thread `post`'s page, to the post or to the comment `to`; returns its id
    /// (the page it leads to is the thread at `#comment-ID`).
    async fn reply(&self, post: i64, to: Option<i64>, body: &str) -> i64 {
        let thread = format!("/post/{post}");
        if self.browser.path().await != thread {
            self.open(&thread, &[]).await;
        }
        let send = match to {
            None => {
                self.browser.fill("#reply-post", body).await;
                "#reply-heading + form button:not([name])".to_string()
            }
            Some(c) => {
                let fold = format!("#comment-{c} details:has(#reply-{c}) summary");
                self.browser.click(&fold).await;
                self.browser.fill(&format!("#reply-{c}"), body).await;
                format!("#comment-{c} details form:has(#reply-{c}) button:not([name])")
            }
        };
        self.click(&send, &thread, &["Your reply was posted.", body])
            .await;
        let url = self.browser.client().current_url().await.expect("url");
        url.fragment()
            .and_then(|f| f.strip_prefix("comment-"))
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("a reply leads to its comment, not {url}"))
    }

    /// Opens the `<details>` holding the form `action` and sends it (after typing `reason`).
    async fn folded(&self, action: &str, reason: Option<(&str, &str)>) {
        let form = format!("form[action='{action}']");
        self.browser
            .click(&format!("details:has({form}) > summary"))
            .await;
        if let Some((field, text)) = reason {
            self.browser.fill(field, text).await;
        }
        self.browser.click(&format!("{form} button")).await;
    }

    async fn has(&self, css: &str) -> bool {
        self.browser.client().find(Locator::Css(css)).await.is_ok()
    }

    async fn text_of(&self, css: &str) -> String {
        let found = self.browser.client().find(Locator::Css(css)).await;
        let element = found.unwrap_or_else(|e| panic!("finding {css}: {e}"));
        element.text().await.expect("text")
    }
}

async fn journey(scripts: Scripts) {
    let (browser, app) = tokio::join!(Browser::start(scripts), TestApp::spawn());
    let Some(browser) = browser else {
        return;
    };
    let axe = scripts == Scripts::On;
    let flow = Flow {
        browser: &browser,
        app: &app,
        axe,
    };

    // The first person signs up, logs out and in, and founds an approval community.
    flow.sign_up("olga").await;
    flow.log_out().await;
    flow.log_in("olga").await;
    flow.click("header a[href='/communities']", "/communities", &[])
        .await;
    let new = "/communities/new";
    flow.click(&format!("main a[href='{new}']"), new, &[]).await;
    browser.fill("#name", "weavers").await;
    browser.fill("#title", "Weavers").await;
    browser
        .fill("[id='charter.purpose']", "Keep the looms running")
        .await;
    browser.fill("[id='charter.domain']", "Hand weaving").await;
    browser
        .click("#membership_policy option[value='approval']")
        .await;
    browser.fill("#question-1", "Which loom do you use?").await;
    let founded = ["Weavers was created", "Keep the looms running", "You own"];
    flow.click("main form button[type=submit]", HOME, &founded)
        .await;
    flow.log_out().await;

    // A second person signs up and applies with an answer.
    flow.sign_up("ann").await;
    flow.open("/communities", &["Weavers"]).await;
    flow.click(&format!("main a[href='{HOME}']"), HOME, &["Which loom"])
        .await;
    browser.fill("#answer-1", "A rigid heddle loom").await;
    let apply = format!("form[action='{HOME}/join'] button");
    flow.click(&apply, HOME, &["pending"]).await;
    flow.log_out().await;

    // The owner approves her on the moderation page and opens a thread.
    flow.log_in("olga").await;
    flow.open(HOME, &[]).await;
    let waiting = ["Applications (1)", "A rigid heddle loom"];
    let link = format!("main a[href='{MODERATION}']");
    flow.click(&link, MODERATION, &waiting).await;
    let approved = ["they are a member now", "Applications (0)"];
    flow.click("form[action$='/approve'] button", MODERATION, &approved)
        .await;
    let looms = flow
        .post_thread("Looms for beginners", "Start with a *rigid heddle*.")
        .await;
    flow.log_out().await;

    // The member opens a thread, replies to the owner's and votes on it.
    flow.log_in("ann").await;
    let scarves = flow
        .post_thread("Winter scarves", "Which yarn keeps warm?")
        .await;
    let hello = flow.reply(looms, None, "Mine was a gift").await;
    let vote = format!("form[action='/post/{looms}/vote'] button[value='1']");
    let counted = ["Your vote was counted.", "1 point"];
    flow.click(&vote, &format!("/post/{looms}"), &counted).await;
    flow.log_out().await;

    // The owner replies to her reply, votes on it and edits her post.
    flow.log_in("olga").await;
    let welcome = flow.reply(looms, Some(hello), "Welcome, ann").await;
    let vote = format!("form[action='/comment/{hello}/vote'] button[value='1']");
    flow.click(&vote, &format!("/post/{looms}"), &counted).await;
    let edit = format!("/post/{looms}/edit");
    flow.click(&format!("a[href='{edit}']"), &edit, &[]).await;
    browser
        .fill("#body", "Start with a *rigid heddle* loom.")
        .await;
    let saved = ["Your changes were saved.", "rigid heddle loom."];
    flow.click(
        "main form button:not([name])",
        &format!("/post/{looms}"),
        &saved,
    )
    .await;
    flow.log_out().await;

    // The member answers that reply, reports it, and deletes her first comment.
    flow.log_in("ann").await;
    flow.reply(looms, Some(welcome), "Thank you").await;
    let report = format!("/comment/{welcome}/report");
    let field = format!("#report-{welcome}");
    flow.folded(&report, Some((&field, "Sounds like an advert")))
        .await;
    let sent = ["your report was sent to the moderators"];
    flow.check(&format!("/post/{looms}"), &sent).await;
    // She deletes her first comment: a reply remains beneath it, so its place shows.
    flow.folded(&format!("/comment/{hello}/delete"), None).await;
    let deleted = ["Your comment was deleted.", "[deleted]", "Welcome, ann"];
    flow.check(&format!("/post/{looms}"), &deleted).await;
    assert!(!browser.main_text().await.contains("Mine was a gift"));
    flow.log_out().await;

    // The owner resolves the report, locks the member's thread, pins her own, bans the member.
    flow.log_in("olga").await;
    let open = ["Reports (1)", "Sounds like an advert", "by ann"];
    flow.open(MODERATION, &open).await;
    let resolved = ["The report was resolved.", "Reports (0)"];
    flow.click("form[action$='/resolve'] button", MODERATION, &resolved)
        .await;
    flow.open(&format!("/post/{scarves}"), &["Your reply"])
        .await;
    let lock = format!("form[action='/post/{scarves}/lock'] button");
    let locked = ["The thread is locked.", "no new replies"];
    flow.click(&lock, &format!("/post/{scarves}"), &locked)
        .await;
    assert!(
        !flow.has("#reply-post").await,
        "a locked thread has no reply form"
    );
    flow.open(&format!("/post/{looms}"), &[]).await;
    let pin = format!("form[action='/post/{looms}/pin'] button");
    let pinned = ["The thread is pinned."];
    flow.click(&pin, &format!("/post/{looms}"), &pinned).await;
    flow.open(HOME, &["Pinned"]).await;
    let pinned = flow.text_of("ul.threads.pinned").await;
    assert!(pinned.contains("Looms for beginners"), "{pinned}");
    assert!(!pinned.contains("Winter scarves"), "{pinned}");
    let text = browser.main_text().await;
    let at = |title: &str| {
        text.find(title)
            .unwrap_or_else(|| panic!("{title}: {text}"))
    };
    assert!(at("Looms for beginners") < at("Winter scarves"), "{text}");
    flow.open(MODERATION, &[]).await;
    browser.fill("#ban-person", "ann").await;
    browser.fill("#ban-reason", "Ignored the charter").await;
    let ban = format!("form[action='{MODERATION}/bans'] button");
    let banned = ["ann is banned", "Bans (1)", "Ignored the charter"];
    flow.click(&ban, MODERATION, &banned).await;
    flow.log_out().await;

    // The banned member's next thread is refused, and nothing is stored.
    flow.log_in("ann").await;
    flow.open(HOME, &["You are banned"]).await;
    flow.open(&format!("{HOME}/submit"), &[]).await;
    browser.fill("#title", "Still here").await;
    browser.fill("#body", "Let me in").await;
    let refused = ["You are banned from this community"];
    flow.click(
        "main form button:not([name])",
        &format!("{HOME}/submit"),
        &refused,
    )
    .await;
    assert!(find_post(&app, "weavers", "Still here").await.is_none());
    flow.log_out().await;

    // Signed out: the community and a thread read as a visitor sees them.
    flow.open(HOME, &["Log in to join", "Looms for beginners"])
        .await;
    let thread = ["Welcome, ann", "Thank you", "[deleted]", "Log in to reply"];
    flow.open(&format!("/post/{looms}"), &thread).await;

    // What the pages did, as the API tells it.
    let olga = app.login("olga").await;
    let members = app.member_handles("weavers", Some(&olga)).await;
    assert!(
        !members.iter().any(|h| h.starts_with("ann@")),
        "{members:?}"
    );
    let (status, post) = app.get(&format!("/api/v1/posts/{looms}"), None).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["body"], "Start with a *rigid heddle* loom.");
    assert_eq!(
        (post["pinned"].as_bool(), post["score"].as_i64()),
        (Some(true), Some(1))
    );
    let (_, reports) = app
        .get("/api/v1/communities/weavers/reports", Some(&olga))
        .await;
    assert_eq!(
        reports["items"].as_array().map(Vec::len),
        Some(0),
        "{reports}"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_whole_journey_works_with_scripts_off() {
    journey(Scripts::Off).await;
}

#[tokio::test]
async fn every_page_of_the_journey_passes_axe_signed_in_and_out() {
    journey(Scripts::On).await;
}
